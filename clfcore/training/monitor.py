"""Which epoch is the best one: the one rule behind the kept model, metrics.json and the Evaluate
page.

    >>> tie = [{"epoch": 1, "val_accuracy": 0.9}, {"epoch": 2, "val_accuracy": 0.9}]
    >>> best_epoch(tie, "val_accuracy")
    1

The rule is that of Keras's ``MonitorCallback._is_improvement`` (EarlyStopping, ModelCheckpoint and
ReduceLROnPlateau in ``mode="auto"``, ``min_delta=0``): a loss is better when lower, an accuracy
when higher, and only a strict improvement counts. So of two epochs with the same value the first
one wins, as ``ModelCheckpoint(save_best_only=True)`` keeps it. ``BestModelKeeper`` keeps its
weights with :func:`is_improvement`; the trainer's best_epoch and ``scoring.best_epoch`` use
:func:`best_epoch`. Importing this module does not import Keras.
"""

from __future__ import annotations


def lower_is_better(monitor: str) -> bool:
    """True for a loss ("loss", "val_loss", "val_fine_loss"), False for an accuracy."""
    return "loss" in monitor


def is_improvement(monitor: str, value: float | None, best: float | None) -> bool:
    """Whether ``value`` beats ``best`` (None: nothing seen yet) for ``monitor``; a tie is no
    improvement."""
    if value is None:
        return False
    if best is None:
        return True
    return value < best if lower_is_better(monitor) else value > best


def best_epoch(history: list[dict], monitor: str) -> int | None:
    """The epoch (1-based, from each row's "epoch") that :func:`is_improvement` keeps last; None
    without values."""
    best_value, epoch = None, None
    for row in history:
        value = row.get(monitor)
        if is_improvement(monitor, value, best_value):
            best_value, epoch = value, int(row["epoch"])
    return epoch
