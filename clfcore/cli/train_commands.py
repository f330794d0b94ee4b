"""Commands that train: train (a new run or a continued one), lr-find, tune and submit, and the
train options they share."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from clfcore import jobs, tfenv
from clfcore.cli.common import find_any_run
from clfcore.config import TrainConfig
from clfcore.data import datasets, tasks
from clfcore.data.augment import AugmentConfig, settings_for_run
from clfcore.errors import UserInputError
from clfcore.evaluation import run_predictions
from clfcore.jobs import warm
from clfcore.models import architectures
from clfcore.paths import runs_root
from clfcore.runs.folder import create_run
from clfcore.training import resume, trainer

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
        find_any_run(args.resume),
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


def _train(args: argparse.Namespace) -> dict | int:
    if args.warm:  # a warm training process: loaded first, handed its runs later
        warm.serve(Path(args.warm), train=_train_handed_run)
        return 0
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
        parent = find_any_run(args.resume) if args.resume else None
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


def _train_handed_run(run_dir: Path) -> None:
    """A run handed to a warm process: what ``python -m clfcore train --run-dir`` prints, the
    JSON line or the error last, into its train.log."""
    try:
        summary = _train(argparse.Namespace(warm=None, run_dir=str(run_dir)))
    except UserInputError as error:  # its status says failed, with the reason
        print(f"error: {error}", file=sys.stderr, flush=True)
        print(json.dumps({"error": str(error)}), flush=True)
        return
    print(json.dumps(summary), flush=True)


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


def _submit(args: argparse.Namespace) -> dict:
    # a continued run is queued beside the run it continues
    root = find_any_run(args.resume).path.parent if args.resume else runs_root()
    run = jobs.submit(_config_from_options(args), root=root, priority="personal")
    status = run.status().get("status")
    if status == "queued":
        where = f"queued, position {jobs.queue_position(run)}"
    else:
        where = str(status)
    print(f"run {run.run_id} {where} in {run.path}")
    return {"run_id": run.run_id, "status": status}


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


def add_commands(commands) -> None:
    """train, lr-find, tune, submit."""
    train = commands.add_parser(
        "train", help="train a model headless; writes a run folder like the app"
    )
    _add_train_options(train)
    train.add_argument("--out", help="runs folder (default: $CLFCORE_RUNS_DIR or ./runs)")
    train.add_argument("--run-dir", help=argparse.SUPPRESS)  # a run folder prepared by the app
    train.add_argument("--warm", help=argparse.SUPPRESS)  # a warm process's folder (jobs.warm)
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
