"""Continued training: a new run that trains a finished run's model on for more epochs.

    child = continued_config(RunFolder(parent_dir), epochs=5)   # a TrainConfig naming its parent
    jobs.submit(child, root=parent_dir.parent)                  # the same job runner as any run

The child starts from the parent's model.keras (weights and optimizer state: a .keras file keeps
both) and numbers its epochs on from the parent's kept epoch, so its history continues the
parent's. The one home of the rules: which runs can be continued, which settings may change, which
epoch the child starts from and where its start model comes from. Importing this module does not
import TensorFlow.
"""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path
from typing import Any

from clfcore.config import TrainConfig
from clfcore.errors import UserInputError
from clfcore.i18n import N_
from clfcore.runs.folder import RunFolder
from clfcore.runs.liveness import effective_status

CONTINUABLE = ("completed", "stopped", "interrupted")  # the statuses a run can be continued from
# the settings a continued run may change; every other one is the parent's (FIXED)
CHANGEABLE = (
    "epochs",
    "learning_rate",
    "batch_size",
    "early_stopping",
    "early_stopping_monitor",
    "early_stopping_patience",
    "restore_best_weights",
    "lr_schedule",
    "lr_step_epochs",
    "lr_decay",
    "lr_patience",
    "run_name",
)
_LINEAGE = ("parent", "initial_epoch")  # set here, never by the caller
FIXED = tuple(
    f.name
    for f in dataclasses.fields(TrainConfig)
    if f.name not in CHANGEABLE and f.name not in _LINEAGE
)
# the fixed settings the pages list beside the control: (setting, label)
SHOWN_FIXED = (
    ("dataset", N_("Dataset")),
    ("architecture", N_("Architecture")),
    ("optimizer", N_("Optimizer")),
)
START_MODEL = "start.keras"  # the parent's model, copied into the child's folder to train from

NOT_FINISHED = N_(
    "The run {run} is {status}: only a completed, stopped or interrupted run can be continued. "
    "Wait until it ends, or continue another run."
)
NO_MODEL = N_(
    "The run {run} saved no model (it ended before its first epoch), so there is nothing to "
    "continue. Train it again instead."
)
FIXED_SETTING = N_(
    "A continued run keeps the {setting} of the run it continues ({value}); it cannot change it. "
    "Start a new training on the Train page to change it."
)
PARENT_GONE = N_(
    "The run {parent} this run continues is gone (deleted?), so there is no model to train on "
    "from. Continue another run, or start a new training."
)


def kept_epoch(parent: RunFolder) -> int:
    """The epoch number (global) of the model the parent kept: its best epoch, else its last."""
    best = parent.metrics().get("best_epoch")
    if isinstance(best, int) and best > 0:
        return best
    history = parent.history()
    if history and history[-1].get("epoch"):
        return int(history[-1]["epoch"])
    return parent.config().initial_epoch


def check_continuable(parent: RunFolder) -> None:
    """Refuse a run that is still queued or training, failed, or has no model."""
    status = effective_status(parent)
    if status not in CONTINUABLE:
        raise UserInputError(NOT_FINISHED, run=parent.run_id, status=status)
    if not parent.model_path.is_file():
        raise UserInputError(NO_MODEL, run=parent.run_id)


def continued_config(parent: RunFolder, *, epochs: int, **changes: Any) -> TrainConfig:
    """The config of a run that trains ``parent``'s model on for ``epochs`` more epochs.

    Args:
        parent: a completed, stopped or interrupted run with a model.keras.
        epochs: how many epochs more.
        **changes: new values of the settings in ``CHANGEABLE``; a value None is no change; a
            fixed setting with its parent's value is accepted.

    Returns:
        The parent's config with the changes, ``parent`` = its id, ``initial_epoch`` = the kept
        model's epoch, and a ``run_name`` like "cnn-digits +5" (the parent's name, else its
        architecture and dataset) unless one is given.

    Raises:
        UserInputError: the parent cannot be continued, or a fixed setting was changed.
    """
    check_continuable(parent)
    config = parent.config()
    changes = {k: v for k, v in changes.items() if v is not None}
    for name, value in changes.items():
        if name in CHANGEABLE:
            continue
        known = hasattr(config, name)
        if known and getattr(config, name) == value:
            continue  # the same value: no change
        raise UserInputError(
            FIXED_SETTING,
            setting=name,
            value=getattr(config, name) if known else "-",
        )
    if not changes.get("run_name"):
        # the parent's name, or what its folder is named for (its id would repeat its timestamp)
        changes["run_name"] = (
            f"{config.run_name or config.architecture + '-' + config.dataset} +{epochs}"
        )
    return config.replace(
        **changes, epochs=epochs, parent=parent.run_id, initial_epoch=kept_epoch(parent)
    )


def parent_of(run: RunFolder) -> RunFolder | None:
    """The run ``run`` continues (a sibling folder), or None for a fresh run."""
    parent = run.config().parent
    return RunFolder(run.path.parent / parent) if parent else None


def start_model_of(run: RunFolder) -> Path:
    """The model a continued run trains on from: its parent's model.keras.

    Raises:
        UserInputError: the parent or its model is gone.
    """
    parent = parent_of(run)
    if parent is None:
        raise ValueError(f"{run.run_id} continues no run")
    if not parent.model_path.is_file():
        raise UserInputError(PARENT_GONE, parent=parent.run_id)
    return parent.model_path


def place_start_model(run: RunFolder) -> None:
    """Copy the parent's model into a continued run's folder as ``START_MODEL`` (nothing for a
    fresh run): done just before its training starts, so the child trains on the model as it is
    then."""
    if run.config().parent:
        shutil.copyfile(start_model_of(run), run.path / START_MODEL)


def fail(run: RunFolder, error: UserInputError) -> None:
    """Mark ``run`` failed with ``error``'s message (a run whose start model is gone)."""
    run.set_status(
        "failed", message=error.template, params={k: str(v) for k, v in error.params.items()}
    )
