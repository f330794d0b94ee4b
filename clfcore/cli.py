"""``python -m clfcore``: the headless face of the core.

Every command prints human-readable lines and, as its last line, one JSON object a script can parse.
Mistakes the user can fix exit with status 2 and a one-line message, never a traceback.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from clfcore import datasets
from clfcore.errors import UserInputError


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # one line and exit 2, like every other user mistake
        self.exit(2, f"{self.prog}: error: {message}\n")


def _list_datasets(_args: argparse.Namespace) -> dict:
    rows = []
    for info in datasets.list_datasets():
        state = datasets.availability(info.id)
        rows.append(
            {
                "id": info.id,
                "name": info.name,
                "image_shape": list(info.image_shape),
                "num_classes": info.num_classes,
                "task": info.task,
                "available": state.available,
                "location": state.location,
                "how_to_fix": None if state.available else state.how_to_fix.format(**state.params),
            }
        )
        shape = "x".join(map(str, info.image_shape))
        print(f"{info.id:<16} {info.name:<20} {shape:<8} {info.num_classes:>4} classes  {'available' if state.available else 'not downloaded'}")
    return {"datasets": rows, "default": datasets.default_dataset_id()}


def _download(args: argparse.Namespace) -> dict:
    state = datasets.download(args.dataset)
    print(f"{args.dataset}: available at {state.location}")
    return {"id": args.dataset, "available": state.available, "location": state.location}


def _list_archs(_args: argparse.Namespace) -> dict:
    from clfcore import architectures

    rows = []
    for arch in architectures.list_architectures():
        print(f"{arch.id:<18} {arch.name:<34} {arch.source}")
        rows.append({"id": arch.id, "name": arch.name, "source": arch.source, "preset": arch.preset, "convolutional": arch.convolutional})
    return {"architectures": rows}


def _shape(text: str) -> tuple[int, int, int]:
    try:
        h, w, c = (int(part) for part in text.split(","))
    except ValueError:
        raise UserInputError("The input shape must be H,W,C such as 28,28,1, got {value!r}.", value=text) from None
    if min(h, w, c) < 1 or c not in (1, 3):
        raise UserInputError("The input shape must be positive with 1 or 3 channels, got {value!r}.", value=text)
    return h, w, c


def _describe(args: argparse.Namespace) -> dict:
    from clfcore import architectures

    if args.classes < 2:
        raise UserInputError("A classifier needs at least 2 classes, got {value}.", value=args.classes)
    info = architectures.describe(args.arch, _shape(args.input_shape), args.classes)
    for layer in info["layers"]:
        print(f"{layer['name']:<28} {str(layer['output_shape']):<22} {layer['params']:>10,}")
    print(f"total {info['total_params']:,}  trainable {info['trainable_params']:,}  non-trainable {info['non_trainable_params']:,}")
    return {k: info[k] for k in ("total_params", "trainable_params", "non_trainable_params")}


def _train(args: argparse.Namespace) -> dict:
    from clfcore import jobs, trainer
    from clfcore.config import TrainConfig
    from clfcore.runfolder import RunFolder, create_run

    if args.run_dir:  # a run prepared by the app (or by `submit`): its config is in the folder
        run = RunFolder(Path(args.run_dir).resolve())
        run.config()
    else:
        config = TrainConfig.for_architecture(
            args.arch, dataset=args.dataset, epochs=args.epochs, batch_size=args.batch_size, optimizer=args.optimizer,
            learning_rate=args.lr, validation_split=args.validation_split, train_size=args.train_size, seed=args.seed,
        )
        trainer.check_config(config)
        run = create_run(config, root=Path(args.out) if args.out else None)
    print(f"run {run.run_id} in {run.path}", flush=True)
    try:
        summary = trainer.run_in_this_process(run, callbacks=(_epoch_printer(),))
    finally:
        if args.run_dir:
            jobs.dispatch(run.path.parent)  # this slot is free: start the next queued run
    print(f"test accuracy {summary['test_accuracy']:.4f}, {summary['epochs_run']} epochs in {summary['train_seconds']:.1f} s")
    return {"run_dir": str(run.path), "status": run.status().get("status"), **summary}


def _epoch_printer():
    import keras

    class EpochPrinter(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            shown = "  ".join(f"{k} {v:.4f}" for k, v in (logs or {}).items() if isinstance(v, float))
            print(f"epoch {epoch + 1}/{self.params.get('epochs')}  {shown}", flush=True)

    return EpochPrinter()


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="python -m clfcore", description="Train and inspect image classifiers with Keras, headless.")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    commands.add_parser("list-datasets", help="every dataset and whether it is on this machine").set_defaults(run=_list_datasets)
    download = commands.add_parser("download", help="download a dataset through keras.datasets (needs the internet once)")
    download.add_argument("dataset", help="dataset id, e.g. mnist or cifar10")
    download.set_defaults(run=_download)
    commands.add_parser("list-archs", help="every architecture with its source in the course").set_defaults(run=_list_archs)
    describe = commands.add_parser("describe", help="layers and parameter counts of an architecture")
    describe.add_argument("--arch", required=True)
    describe.add_argument("--input-shape", required=True, help="H,W,C e.g. 28,28,1")
    describe.add_argument("--classes", type=int, required=True)
    describe.set_defaults(run=_describe)
    train = commands.add_parser("train", help="train a model headless; writes a run folder like the app")
    train.add_argument("--dataset", default="digits")
    train.add_argument("--arch", default="mlp")
    train.add_argument("--epochs", type=int)
    train.add_argument("--batch-size", type=int)
    train.add_argument("--optimizer")
    train.add_argument("--lr", type=float)
    train.add_argument("--validation-split", type=float)
    train.add_argument("--train-size", type=int)
    train.add_argument("--seed", type=int)
    train.add_argument("--out", help="runs folder (default: $CLFCORE_RUNS_DIR or ./runs)")
    train.add_argument("--run-dir", help=argparse.SUPPRESS)  # a run folder prepared by the app
    train.set_defaults(run=_train)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        summary = args.run(args)
    except UserInputError as error:
        print(f"error: {error}", file=sys.stderr)
        print(json.dumps({"error": str(error)}))
        return 2
    print(json.dumps(summary))
    return 0
