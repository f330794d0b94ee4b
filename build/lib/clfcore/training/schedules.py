"""Learning-rate schedules: the per-epoch rule the trainer applies and the page previews.

Pure Python (no TensorFlow), so the Train page can plot the schedule before anything is trained.
ReduceLROnPlateau depends on the validation loss, so it has no fixed curve: its preview is the
starting rate, with the note that it drops by ``lr_decay`` after ``lr_patience`` flat epochs.
"""

from __future__ import annotations

import math

from clfcore.config import TrainConfig


def learning_rate_at(config: TrainConfig, epoch: int) -> float:
    """The learning rate for ``epoch`` (0-based) under ``config.lr_schedule``."""
    lr = config.learning_rate
    if config.lr_schedule == "step":
        return lr * config.lr_decay ** (epoch // config.lr_step_epochs)
    if config.lr_schedule == "exponential":
        return lr * config.lr_decay**epoch
    if config.lr_schedule == "cosine":
        total = max(config.epochs - 1, 1)
        return lr * 0.5 * (1 + math.cos(math.pi * min(epoch, total) / total))
    return lr  # "none" and "plateau" (which reacts to the validation loss during training)


def preview(config: TrainConfig) -> list[float]:
    """The learning rate of every epoch, for the schedule plot."""
    return [learning_rate_at(config, epoch) for epoch in range(config.epochs)]
