"""``python -m clfcore``: the headless face of the core.

Every command prints human-readable lines and, as its last line, one JSON object a script can parse.
Mistakes the user can fix exit with status 2 and a one-line message, never a traceback.
TensorFlow's own log lines stay hidden unless ``--verbose`` (clfcore.tfenv.quiet_logs).

A run is named by its id in the runs root or by the path of its folder, wherever it is: the person
at the shell may read any folder they have. (The app opens runs only by id, inside its roots.)
"""

from __future__ import annotations

import argparse
import getpass
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import cast

from clfcore import jobs, tfenv
from clfcore.accounts import roster
from clfcore.config import TrainConfig
from clfcore.data import archive, datasets, tasks
from clfcore.data.augment import AugmentConfig, settings_for_run
from clfcore.data.folders import COLOR_MODES, FolderSettings
from clfcore.errors import UserInputError
from clfcore.evaluation import exports, hierarchy_levels, run_predictions, scoring
from clfcore.inference import predict
from clfcore.models import architectures, backbones
from clfcore.paths import runs_root
from clfcore.runs.folder import RunFolder, create_run
from clfcore.runs.listing import ACTIVE, RunSummary, list_all_runs, run_roots
from clfcore.runs.liveness import effective_status
from clfcore.teaching import convolution
from clfcore.training import resume, trainer


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
                "how_to_fix": None if state.available else str(state.error()),
            }
        )
        shape = "x".join(map(str, info.image_shape))
        where = "available" if state.available else "not downloaded"
        print(f"{info.id:<16} {info.name:<20} {shape:<8} {info.num_classes:>4} classes  {where}")
    return {"datasets": rows, "default": datasets.default_dataset_id()}


def _download(args: argparse.Namespace) -> dict:
    state = datasets.download(args.dataset)
    print(f"{args.dataset}: available at {state.location}")
    return {"id": args.dataset, "available": state.available, "location": state.location}


def _image_size(text: str) -> tuple[int, int]:
    try:
        height, width = (int(part) for part in text.replace("x", ",").split(","))
    except ValueError:
        raise UserInputError(
            "The image size must be H,W such as 64,64, got {value!r}.", value=text
        ) from None
    return height, width


def _import_dataset(args: argparse.Namespace) -> dict:
    settings = FolderSettings(
        image_size=_image_size(args.image_size) if args.image_size else None,
        color_mode=args.color_mode,
        validation_split=args.validation_split,
        seed=args.seed,
    )
    name = args.name or archive.suggest_name(Path(args.source).name)
    result = archive.import_dataset(
        args.source, name, test_source=args.test, settings=settings, replace=args.replace
    )
    # import_dataset stores resolved settings: nothing is left automatic (None)
    size = "x".join(map(str, cast(tuple[int, int], result.settings.image_size)))
    print(
        f"{result.name}: {len(result.class_names)} classes ({', '.join(result.class_names)}), "
        f"{result.images} images, {size} {result.settings.color_mode}"
    )
    print(
        f"training {result.train_images}, test {result.test_images or 'held out 20 %'}; "
        f"stored in {result.path}"
    )
    for skipped in result.skipped:
        print(f"left out {skipped.name}: {skipped.reason}")
    if result.non_images:
        count = len(result.non_images)
        print(
            f"{count} file{'s' if count > 1 else ''} skipped: not image{'s' if count > 1 else ''}"
        )
    return result.to_json()


def _download_weights(args: argparse.Namespace) -> dict:
    path = backbones.download_weights(args.backbone, args.image_size)
    print(f"{args.backbone}: ImageNet weights at {path}")
    return {"backbone": args.backbone, "path": str(path)}


def _list_archs(_args: argparse.Namespace) -> dict:
    rows = []
    for arch in architectures.list_architectures():
        print(f"{arch.id:<18} {arch.name:<34} {arch.cited_source()}")
        rows.append(
            {
                "id": arch.id,
                "name": arch.name,
                "source": arch.cited_source(),
                "preset": arch.preset,
                "convolutional": arch.convolutional,
            }
        )
    return {"architectures": rows}


def _shape(text: str) -> tuple[int, int, int]:
    try:
        h, w, c = (int(part) for part in text.split(","))
    except ValueError:
        raise UserInputError(
            "The input shape must be H,W,C such as 28,28,1, got {value!r}.", value=text
        ) from None
    if min(h, w, c) < 1 or c not in (1, 3):
        raise UserInputError(
            "The input shape must be positive with 1 or 3 channels, got {value!r}.", value=text
        )
    return h, w, c


def _describe(args: argparse.Namespace) -> dict:
    if args.classes < 2:
        raise UserInputError(
            "A classifier needs at least 2 classes, got {value}.", value=args.classes
        )
    info = architectures.describe(args.arch, _shape(args.input_shape), args.classes)
    for layer in info["layers"]:
        print(f"{layer['name']:<28} {layer['output_shape']!s:<22} {layer['params']:>10,}")
    print(
        f"total {info['total_params']:,}  trainable {info['trainable_params']:,}  non-trainable "
        f"{info['non_trainable_params']:,}"
    )
    return {k: info[k] for k in ("total_params", "trainable_params", "non_trainable_params")}


# the train options a continued run keeps from its parent (clfcore.training.resume.FIXED)
_FIXED_OPTIONS = (
    "dataset",
    "arch",
    "optimizer",
    "validation_split",
    "train_size",
    "seed",
    "augmentation",
    "positive_class",
    "negative_class",
    "class_weight",
    "threshold",
)


def _continued_config(args: argparse.Namespace) -> TrainConfig:
    """``--resume RUN --epochs N``: the config of a run that trains RUN's model on."""
    given = [name for name in _FIXED_OPTIONS if getattr(args, name) is not None]
    if given:
        raise UserInputError(
            "--{option} cannot be given with --resume: a continued run keeps its parent's "
            "dataset, architecture and data settings. Only --epochs, --lr and --batch-size "
            "can change.",
            option=given[0].replace("_", "-"),
        )
    if args.epochs is None:
        raise UserInputError(
            "--resume needs --epochs N: how many more epochs to train, e.g. --epochs 5."
        )
    return resume.continued_config(
        _find_any_run(args.resume),
        epochs=args.epochs,
        learning_rate=args.lr,
        batch_size=args.batch_size,
    )


def _config_from_options(args: argparse.Namespace) -> TrainConfig:
    """The ``TrainConfig`` the train options (``_add_train_options``) describe."""
    if args.resume:
        return _continued_config(args)
    dataset = _task_dataset(args.dataset or "digits", args.positive_class, args.negative_class)
    # an imported dataset brings its own validation split and seed
    info = datasets.get_dataset(dataset)
    return TrainConfig.for_architecture(
        args.arch or "mlp",
        dataset=dataset,
        task=info.task,
        class_weight=args.class_weight,
        threshold=args.threshold,
        epochs=args.epochs,
        batch_size=args.batch_size,
        optimizer=args.optimizer,
        learning_rate=args.lr,
        validation_split=args.validation_split
        if args.validation_split is not None
        else info.validation_split,
        train_size=args.train_size,
        seed=args.seed if args.seed is not None else info.seed,
        augmentation=_augmentation_option(args.augmentation),
    )


def _train(args: argparse.Namespace) -> dict:
    if args.run_dir:  # a run prepared by the app (or by `submit`): its config is in the folder
        run = run_predictions.find_run(args.run_dir, anywhere=True)
        config = run.config()
    else:
        config = _config_from_options(args)
    try:  # the kernels are chosen before TensorFlow loads, so here, once the model is known
        convolutional = architectures.has_convolutions(config.architecture, config.arch_options)
    except UserInputError:
        convolutional = (
            True  # an unknown architecture: the trainer refuses it below, with the reason
        )
    tfenv.prefer_onednn(convolutional=convolutional)
    if not args.run_dir:
        trainer.check_config(config)
        # a continued run lives beside its parent, in the same workspace folder
        parent = _find_any_run(args.resume) if args.resume else None
        if parent is not None and args.out:
            raise UserInputError(
                "--out cannot be given with --resume: a continued run is written beside the "
                "run it continues."
            )
        out = parent.path.parent if parent is not None else (Path(args.out) if args.out else None)
        run = create_run(config, root=out)
        resume.place_start_model(run)
    print(f"run {run.run_id} in {run.path}", flush=True)
    try:
        summary = trainer.run_in_this_process(run, callbacks=(_epoch_printer(),))
    finally:
        if args.run_dir:
            jobs.dispatch(run.path.parent)  # this slot is free: start the next queued run
    print(
        f"test accuracy {summary['test_accuracy']:.4f}, {summary['epochs_run']} epochs "
        f"in {summary['train_seconds']:.1f} s"
    )
    return {"run_dir": str(run.path), "status": run.status().get("status"), **summary}


def _lr_find(args: argparse.Namespace) -> dict:
    """The learning-rate finder: progress lines, then the curve and the suggestion."""
    from clfcore.jobs import lr_find as lr_find_job

    def show(batch: int, batches: int, rate: float, loss: float) -> None:
        if batch % 10 == 0 or batch == batches:
            print(f"batch {batch}/{batches}  lr {rate:.3g}  loss {loss:.4f}", flush=True)

    if args.job_dir:  # a search started by the app: its config is in the folder
        result = lr_find_job.run_job(Path(args.job_dir), progress=show)
    else:
        config = _config_from_options(args)
        # here, not at the top: the finder loads TensorFlow, which this command only needs here
        from clfcore.training import lr_finder

        result = lr_finder.find_lr(
            config,
            progress=show,
            num_batches=args.batches,
            start_lr=args.start_lr,
            end_lr=args.end_lr,
        )
    print(
        f"suggested learning rate {result.suggested_lr:.3g} (valley), "
        f"steepest descent at {result.steepest_lr:.3g}, {len(result.lrs)} batches"
    )
    return result.to_json()


def _tune(args: argparse.Namespace) -> dict:
    """A hyperparameter study: one line per trial, then the study's result."""
    # here, not at the top: Optuna and its SQLite storage are only this command's
    from clfcore.tuning import space, study

    if args.study_dir:  # a study started by the Tune page: its settings are in the folder
        result = study.run_folder_job(Path(args.study_dir), priority=args.priority, progress=print)
    else:
        config = study.TuneConfig(
            base=_config_from_options(args),
            space=space.SearchSpace(names=space.parse_names(args.search)),
            trials=args.trials,
            timeout_seconds=args.timeout,
            study=args.study or "",
            pruning=not args.no_pruning,
        )
        print(f"study {config.study}: {config.trials} trials, searching {args.search}", flush=True)
        result = study.run_study(
            config, runs_dir=runs_root(), progress=lambda s: print(s, flush=True)
        )
    print(
        f"best {study.OBJECTIVE} {result.best_value}, {result.trials} trials "
        f"({result.pruned} pruned), {result.best_params}"
    )
    return {k: v for k, v in result.to_json().items() if k != "folder"}


def _class_number(info, text: str) -> int:
    """A class given by name (any case) or number."""
    names = [name.lower() for name in info.class_names]
    if text.lower() in names:
        return names.index(text.lower())
    if text.isdigit() and int(text) < info.num_classes:
        return int(text)
    raise UserInputError(
        "{name} has no class {value!r}. Give a class name or number: {known}.",
        name=info.name,
        value=text,
        known=", ".join(f"{i} {n}" for i, n in enumerate(info.class_names)),
    )


def _task_dataset(dataset: str, positive: str | None, negative: str | None) -> str:
    """``--positive-class`` (and ``--negative-class``): the binary task derived from ``dataset``
    (clfcore.data.tasks)."""
    if positive is None:
        if negative is not None:
            raise UserInputError(
                "--negative-class needs --positive-class: give the class that becomes label 1 too."
            )
        return dataset
    info = datasets.get_dataset(dataset)
    return tasks.binary_id(
        dataset,
        positive=_class_number(info, positive),
        negative=None if negative is None else _class_number(info, negative),
    )


def _augmentation_option(value: str | None) -> dict:
    """``--augmentation``: "course", or JSON settings that change the course's
    (clfcore.data.augment); none when absent."""
    if value is None:
        return {}
    try:
        changes = {} if value.strip() == "course" else json.loads(value)
    except json.JSONDecodeError:
        changes = None
    if not isinstance(changes, dict):
        raise UserInputError(
            "--augmentation takes 'course' or JSON settings such as '{{\"rotation_range\": "
            '15, "horizontal_flip": false}}\', got {value!r}.',
            value=value,
        )
    return settings_for_run(AugmentConfig.from_dict(changes))


def _evaluate(args: argparse.Namespace) -> dict:
    run = run_predictions.resolve_run(args.run_ref, anywhere=True)
    report, seconds = scoring.evaluate_run(run)
    print(exports.classification_report(report, title=f"run {run.run_id}"), end="")
    levels = {}
    if report.task == "hierarchical":  # the report above is the fine level; add the coarse one
        levels = hierarchy_levels.levels_json(hierarchy_levels.predict_run_levels(run))
        print(
            f"coarse accuracy {levels['coarse_accuracy']:.4f}, "
            f"fine accuracy {levels['fine_accuracy']:.4f}, "
            f"coarse right but fine wrong: {levels['coarse_right_fine_wrong']}"
        )
    print(f"evaluated in {seconds:.2f} s")
    return {
        "run": run.run_id,
        **exports.report_json(report),
        **levels,
        "seconds": round(seconds, 3),
    }


def _predict(args: argparse.Namespace) -> int:
    """One JSON line per file; returns the exit status itself (2 when any file was refused)."""
    if args.top_k < 1:
        raise UserInputError("--top-k must be at least 1, got {value}.", value=args.top_k)
    classifier = predict.load_run(run_predictions.find_run(args.run_ref, anywhere=True))
    refused = 0
    for file in args.files:
        line = predict.classify_path(classifier, file, top=args.top_k)
        refused += "error" in line
        print(json.dumps(line), flush=True)
    return 2 if refused else 0


def _convolve(args: argparse.Namespace) -> dict:
    kernel = convolution.parse_kernel(args.kernel)
    padding = convolution.parse_padding(args.padding)
    image = convolution.image_from_path(args.image)
    result = convolution.convolve2d(image, kernel, stride=args.stride, padding=padding)
    height, width = image.shape
    out_height, out_width = result.output.shape
    print(
        f"{height}x{width} image, {kernel.shape[0]}x{kernel.shape[1]} kernel, stride "
        f"{args.stride}, padding {padding}: output {out_height}x{out_width} "
        f"({'; '.join(result.rules())})"
    )
    return {
        "input_shape": [height, width],
        "kernel": kernel.tolist(),
        "output_shape": [out_height, out_width],
        "output": [[round(float(value), 6) for value in row] for row in result.output],
    }


# --- the job runner: submit, runs, stop (whatever backend clfcore.jobs uses) ---------------------


def _submit(args: argparse.Namespace) -> dict:
    # a continued run is queued beside the run it continues
    root = _find_any_run(args.resume).path.parent if args.resume else runs_root()
    run = jobs.submit(_config_from_options(args), root=root, priority="personal")
    status = run.status().get("status")
    if status == "queued":
        where = f"queued, position {jobs.queue_position(run)}"
    else:
        where = str(status)
    print(f"run {run.run_id} {where} in {run.path}")
    return {"run_id": run.run_id, "status": status}


def _run_json(run: RunSummary) -> dict:
    line: dict = {"run_id": run.run_id, "status": run.status}
    if run.test_accuracy is not None:
        line["test_accuracy"] = run.test_accuracy
    return line


def _runs(_args: argparse.Namespace) -> int:
    # notices dead runs and starts the queued ones a slot is free for; a cluster's jobs get a few
    # seconds to send their news (this process has no background mirroring, unlike the app)
    jobs.dispatch(wait=5.0)
    for run in list_all_runs():
        print(json.dumps(_run_json(run)))
    return 0


def _find_any_run(text: str) -> RunFolder:
    """A run by id, in the runs root or any workspace under it, or by the path of its folder."""
    if text and "/" not in text and "\\" not in text and not text.startswith("."):
        for root in run_roots():
            if (root / text / "config.json").is_file():
                return RunFolder(root / text)
    return run_predictions.find_run(text, anywhere=True)


def _stop(args: argparse.Namespace) -> dict:
    run = _find_any_run(args.run_ref)
    status = effective_status(run)  # a training that died is "interrupted" here, not "running"
    if status not in ACTIVE:
        raise UserInputError(
            "The run {run} has already finished ({status}): there is nothing to stop. "
            "python -m clfcore runs shows which runs are queued or training.",
            run=run.run_id,
            status=status,
        )
    jobs.stop(run)
    if not run.path.exists():  # a queued run leaves the queue, folder and all
        print(f"run {run.run_id} was waiting in the queue: removed")
        return {"run_id": run.run_id, "status": "removed"}
    print(f"run {run.run_id}: stopping after the current batch (its model and history are kept)")
    return {"run_id": run.run_id, "status": "stopping"}


def _export(args: argparse.Namespace) -> dict:
    from clfcore.export import formats  # the export layer: only this command needs it

    formats.check_request(args.format, int8=args.int8)  # before the model is loaded
    found = _find_any_run(args.run_ref)
    run = run_predictions.evaluable_run(found.run_id, root=found.path.parent)
    kind = "int8" if args.int8 else "float32"
    print(f"exporting run {run.run_id} to {args.format} ({kind})...", flush=True)
    result = formats.export_run(run, args.format, int8=args.int8)
    print(f"wrote {result.path} ({result.bytes} bytes)")
    print(
        f"test accuracy {result.test_accuracy:.4f} in its runtime, Keras "
        f"{result.keras_test_accuracy:.4f}; {result.ms_per_image:.3f} ms per image "
        f"(Keras {result.keras_ms_per_image:.3f} ms)"
    )
    return result.to_json()


# --- users: the class roster (CLFCORE_AUTH=roster) ------------------------------------------------


def _read_password(password_file: str | None) -> str:
    """The password from ``password_file``, or from standard input: one line, its newline
    stripped; asked twice without echo at a terminal. Never printed."""
    if password_file is not None:
        try:
            with open(password_file, encoding="utf-8") as file:
                line = file.readline()
        except (OSError, UnicodeDecodeError) as error:
            raise UserInputError(
                "The password file {path} cannot be read ({error}). Give a text file that "
                "holds the password on its first line.",
                path=password_file,
                error=getattr(error, "strerror", None) or str(error),
            ) from None
    elif sys.stdin is not None and sys.stdin.isatty():
        line = getpass.getpass("Password: ")
        if line and getpass.getpass("Password again: ") != line:
            raise UserInputError("The two passwords differ. Run the command again.")
    else:
        line = sys.stdin.readline() if sys.stdin is not None else ""
    return line.removesuffix("\n").removesuffix("\r")


def _user_json(user) -> dict:
    return {"user": user.name, "role": user.role}


def _users_add(args: argparse.Namespace) -> dict:
    roster.check_new_name(args.name)  # a bad or taken name: refused before asking for a password
    return _user_json(
        roster.add_user(args.name, _read_password(args.password_file), role=args.role)
    )


def _users_list(_args: argparse.Namespace) -> int:
    for user in roster.list_users():
        print(json.dumps(_user_json(user)))
    return 0


def _users_remove(args: argparse.Namespace) -> dict:
    return _user_json(roster.remove_user(args.name))


def _users_reset(args: argparse.Namespace) -> dict:
    name = roster.require_user(args.name).name  # an unknown user: said before asking
    return _user_json(roster.reset_password(name, _read_password(args.password_file)))


def _epoch_printer():
    import keras

    class EpochPrinter(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            shown = "  ".join(
                f"{k} {v:.4f}" for k, v in (logs or {}).items() if isinstance(v, float)
            )
            print(f"epoch {epoch + 1}/{self.params.get('epochs')}  {shown}", flush=True)

    return EpochPrinter()


def _add_train_options(parser: argparse.ArgumentParser) -> None:
    """What to train and how: the options of ``train`` and ``submit`` (one list)."""
    parser.add_argument(
        "--resume",
        metavar="RUN",
        help="continue a completed, stopped or interrupted run (its id or folder) for --epochs "
        "more epochs, from its model and optimizer state; only --epochs, --lr and --batch-size "
        "may be given with it",
    )
    parser.add_argument("--dataset", help="dataset id (default digits)")
    parser.add_argument("--arch", help="architecture id (default mlp)")
    parser.add_argument("--epochs", type=int)
    parser.add_argument("--batch-size", type=int)
    parser.add_argument("--optimizer")
    parser.add_argument("--lr", "--learning-rate", type=float)
    parser.add_argument("--validation-split", type=float)
    parser.add_argument("--train-size", type=int)
    parser.add_argument("--seed", type=int)
    parser.add_argument(
        "--augmentation",
        metavar="JSON",
        help="augment the training images: 'course' for the course's settings, or JSON "
        "that changes them, e.g. '{\"rotation_range\": 15}' (default: none)",
    )
    parser.add_argument(
        "--positive-class",
        metavar="CLASS",
        help="train a binary task: this class (name or number) against all the others",
    )
    parser.add_argument(
        "--negative-class",
        metavar="CLASS",
        help="with --positive-class: against this class only (the other images are left out)",
    )
    parser.add_argument(
        "--class-weight",
        choices=tasks.CLASS_WEIGHTS,
        help="balanced: weigh rare classes more in the loss (default none)",
    )
    parser.add_argument(
        "--threshold",
        type=float,
        help="multi-label datasets: a label is predicted from this probability on (default 0.5)",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="python -m clfcore",
        description="Train and inspect image classifiers with Keras, headless.",
    )
    verbose_help = (
        "show TensorFlow's own log lines too (hidden by default; a TF_CPP_MIN_LOG_LEVEL "
        "you set is kept)"
    )
    parser.add_argument("--verbose", action="store_true", help=verbose_help)
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    commands.add_parser(
        "list-datasets", help="every dataset and whether it is on this machine"
    ).set_defaults(run=_list_datasets)
    download = commands.add_parser(
        "download", help="download a dataset through keras.datasets (needs the internet once)"
    )
    download.add_argument("dataset", help="dataset id, e.g. mnist or cifar10")
    download.set_defaults(run=_download)
    imports = commands.add_parser(
        "import-dataset",
        help="import a ZIP (or a folder) of class folders as a dataset under the data root",
    )
    imports.add_argument(
        "source",
        metavar="ARCHIVE_OR_FOLDER",
        help="a .zip or a folder with one sub-folder of images per class",
    )
    imports.add_argument("--name", help="dataset id (default: from the file name)")
    imports.add_argument(
        "--test",
        metavar="ARCHIVE_OR_FOLDER",
        help="a separate test set with the same class folders",
    )
    imports.add_argument(
        "--image-size",
        metavar="H,W",
        help="size the images are resized to (default: the first image's, at most 128)",
    )
    imports.add_argument(
        "--color-mode", choices=COLOR_MODES, help="default: that of the first image"
    )
    imports.add_argument(
        "--validation-split",
        type=float,
        help="held out for validation when the dataset is chosen (default 0.2)",
    )
    imports.add_argument("--seed", type=int, help="seed of the validation split (default 42)")
    imports.add_argument(
        "--replace", action="store_true", help="replace a dataset of the same name imported before"
    )
    imports.set_defaults(run=_import_dataset)
    weights = commands.add_parser(
        "download-weights",
        help="download a transfer-learning backbone's ImageNet weights (needs the internet once)",
    )
    weights.add_argument("backbone", help="mobilenetv2, resnet50 or efficientnetb0")
    weights.add_argument(
        "--image-size",
        type=int,
        default=96,
        help="the image size inside the model (MobileNetV2 has weights per size)",
    )
    weights.set_defaults(run=_download_weights)
    commands.add_parser(
        "list-archs", help="every architecture with its source in the course"
    ).set_defaults(run=_list_archs)
    describe = commands.add_parser(
        "describe", help="layers and parameter counts of an architecture"
    )
    describe.add_argument("--arch", required=True)
    describe.add_argument("--input-shape", required=True, help="H,W,C e.g. 28,28,1")
    describe.add_argument("--classes", type=int, required=True)
    describe.set_defaults(run=_describe)
    train = commands.add_parser(
        "train", help="train a model headless; writes a run folder like the app"
    )
    _add_train_options(train)
    train.add_argument("--out", help="runs folder (default: $CLFCORE_RUNS_DIR or ./runs)")
    train.add_argument("--run-dir", help=argparse.SUPPRESS)  # a run folder prepared by the app
    train.set_defaults(run=_train)
    lr_find = commands.add_parser(
        "lr-find",
        help="find a learning rate: train a copy of the model a few batches with a growing rate "
        "(saves nothing); the train options",
    )
    _add_train_options(lr_find)
    lr_find.add_argument("--batches", type=int, default=100, help="batches to train (default 100)")
    lr_find.add_argument("--start-lr", type=float, default=1e-7, help="default 1e-7")
    lr_find.add_argument("--end-lr", type=float, default=10.0, help="default 10")
    lr_find.add_argument("--job-dir", help=argparse.SUPPRESS)  # a search started by the app
    lr_find.set_defaults(run=_lr_find)
    tune = commands.add_parser(
        "tune",
        help="search hyperparameters with Optuna (TPE, median pruning): each trial a run through "
        "the job runner; the train options are the settings not searched",
    )
    _add_train_options(tune)
    tune.add_argument(
        "--search",
        default="lr",
        help="what to search, comma-separated: lr, batch_size, optimizer, dropout, units, "
        "epochs (default lr)",
    )
    tune.add_argument("--trials", type=int, default=20, help="trials in the study (default 20)")
    tune.add_argument("--timeout", type=float, help="seconds after which no new trial starts")
    tune.add_argument("--study", help="the study's name; an existing one is resumed")
    tune.add_argument("--no-pruning", action="store_true", help="let every trial run to its end")
    tune.add_argument("--study-dir", help=argparse.SUPPRESS)  # a study started by the app
    tune.add_argument("--priority", default="personal", help=argparse.SUPPRESS)
    tune.set_defaults(run=_tune)
    submit = commands.add_parser(
        "submit",
        help="queue a training through the job runner (local processes or Ray, as "
        "CLFCORE_JOBS says), like the Train page; the train options",
    )
    _add_train_options(submit)
    submit.set_defaults(run=_submit)
    commands.add_parser(
        "runs",
        help="one JSON line per run of the runs root (every workspace): id, status, test accuracy",
    ).set_defaults(run=_runs)
    stop = commands.add_parser(
        "stop", help="stop a training after its current batch, or take a queued run off the queue"
    )
    stop.add_argument(
        "run_ref", metavar="RUN", help="a run id (python -m clfcore runs lists them) or its folder"
    )
    stop.set_defaults(run=_stop)
    evaluate = commands.add_parser(
        "evaluate",
        help="test metrics of a finished run: accuracy, confusion matrix, per-class scores",
    )
    evaluate.add_argument(
        "--run",
        dest="run_ref",
        required=True,
        help="a run id in the runs root, or the path of a run folder anywhere (train prints "
        "it as run_dir)",
    )
    evaluate.set_defaults(run=_evaluate)
    export = commands.add_parser(
        "export",
        help="export a finished run's model as a SavedModel, ONNX or LiteRT file, checked on the "
        "test set in its own runtime",
    )
    export.add_argument(
        "--run",
        dest="run_ref",
        required=True,
        help="a run id (python -m clfcore runs lists them), or the path of a run folder",
    )
    export.add_argument("--format", required=True, help="saved_model, onnx or litert")
    export.add_argument(
        "--int8",
        action="store_true",
        help="full-integer post-training quantization, calibrated on training images (litert)",
    )
    export.set_defaults(run=_export)
    predict = commands.add_parser(
        "predict", help="classify image files with a trained run: one JSON line per file"
    )
    predict.add_argument(
        "--run",
        dest="run_ref",
        required=True,
        help="a run id in the runs root, or the path of a run folder anywhere (train prints "
        "it as run_dir)",
    )
    predict.add_argument(
        "--top-k", type=int, default=5, help="classes listed per image (default 5)"
    )
    predict.add_argument(
        "files", nargs="+", metavar="FILE", help="PNG, JPEG, BMP, GIF, WebP or TIFF images"
    )
    predict.set_defaults(run=_predict)
    convolve = commands.add_parser(
        "convolve",
        help="convolve an image (its grayscale) with a kernel through keras.layers.Conv2D, as the "
        "Convolution lab does",
    )
    convolve.add_argument("image", metavar="IMAGE", help="an image file (PNG, JPEG, ...)")
    convolve.add_argument(
        "--kernel",
        required=True,
        help=f"{', '.join(convolution.KERNELS)}, or your own 3x3 / 5x5 as rows of numbers, "
        "e.g. '1,0,-1;2,0,-2;1,0,-1'",
    )
    convolve.add_argument(
        "--stride", type=int, default=1, help=f"1 to {convolution.MAX_STRIDE} (default 1)"
    )
    convolve.add_argument(
        "--padding",
        default="valid",
        help=f"valid, same or a number of zeros 0-{convolution.MAX_PADDING} (default valid)",
    )
    convolve.set_defaults(run=_convolve)
    users = commands.add_parser(
        "users",
        help="the class roster of a server with CLFCORE_AUTH=roster (kept under the data root)",
    )
    user_commands = users.add_subparsers(dest="users_command", required=True, parser_class=_Parser)
    password_help = (
        "read the password from the first line of this file (default: standard input; asked "
        "without echo at a terminal)"
    )
    add = user_commands.add_parser("add", help="put a user on the roster with a password")
    add.add_argument("name", help="1 to 32 lower-case letters, digits, '.', '_' or '-'")
    add.add_argument("--role", choices=("student", "teacher"), required=True)
    add.add_argument("--password-file", metavar="FILE", help=password_help)
    add.set_defaults(run=_users_add)
    user_commands.add_parser("list", help="one JSON line per user").set_defaults(run=_users_list)
    remove = user_commands.add_parser(
        "remove", help="take a user off the roster (their runs and datasets stay)"
    )
    remove.add_argument("name")
    remove.set_defaults(run=_users_remove)
    reset = user_commands.add_parser(
        "reset", help="give a user a new password (their open sessions end)"
    )
    reset.add_argument("name")
    reset.add_argument("--password-file", metavar="FILE", help=password_help)
    reset.set_defaults(run=_users_reset)
    every = [*commands.choices.values(), *user_commands.choices.values()]
    for command in every:  # also after the command: `describe ... --verbose`
        command.add_argument(
            "--verbose", action="store_true", default=argparse.SUPPRESS, help=verbose_help
        )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    tfenv.quiet_logs(verbose=args.verbose)  # before anything loads TensorFlow
    if args.run is not _train:  # training chooses its kernels once it knows the model
        tfenv.prefer_onednn()
    try:
        summary = args.run(args)
    except UserInputError as error:
        print(f"error: {error}", file=sys.stderr)
        print(json.dumps({"error": str(error)}))
        return 2
    # the command printed its own JSON lines (predict) and chose the exit status
    if isinstance(summary, int):
        return summary
    print(json.dumps(summary))
    return 0
