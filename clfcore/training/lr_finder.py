"""The learning-rate finder (Smith 2015; fastai's ``lr_find``): a short training whose learning rate
grows exponentially, batch by batch, and the rate it suggests.

Example (trains a throw-away copy of the model the config describes; writes nothing)::

    result = find_lr(TrainConfig(dataset="digits", architecture="mlp"))
    result.suggested_lr, result.steepest_lr   # e.g. 0.0021, 0.0063

The model, its optimizer and its input pipeline are the trainer's own (``clfcore.training.trainer``,
``clfcore.training.pipeline``), so the curve is that of the training the same settings would start.
The copy's weights are never saved and no run folder is created or changed.

The suggestion is fastai's "valley" rule: the longest stretch of decreasing loss, and a point about
two thirds of the way down it; the point of steepest descent (the most negative slope of the
smoothed loss against log learning rate) is given too. Both are pure numpy (``valley``, ``steep``).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import keras
import numpy as np

from clfcore.config import TrainConfig
from clfcore.errors import UserInputError
from clfcore.training import trainer

START_LR = 1e-7  # fastai's defaults
END_LR = 10.0
NUM_BATCHES = 100
SMOOTHING = 0.98  # exponential moving average of the loss, bias-corrected (fastai's beta)
DIVERGENCE = 4.0  # stop once the smoothed loss is this many times the best one
MIN_POINTS = 5  # fewer recorded batches than this: nothing to suggest from

Progress = Callable[[int, int, float, float], None]  # (batch, batches, learning rate, loss)


@dataclass(frozen=True)
class LRFindResult:
    """What a search found: the suggestion, the steepest point and the whole curve."""

    suggested_lr: float  # fastai's "valley" rule
    steepest_lr: float  # where the smoothed loss falls fastest against log(lr)
    lrs: tuple[float, ...]  # the learning rate of every batch trained, in order
    losses: tuple[float, ...]  # the smoothed training loss after each of those batches

    def to_json(self) -> dict:
        return {
            "suggested_lr": self.suggested_lr,
            "steepest_lr": self.steepest_lr,
            "lrs": list(self.lrs),
            "losses": list(self.losses),
        }


def learning_rates(start_lr: float, end_lr: float, count: int) -> np.ndarray:
    """``count`` rates from ``start_lr`` to ``end_lr``, each the same factor above the one before.

    >>> learning_rates(1e-3, 1e-1, 3).round(6).tolist()
    [0.001, 0.01, 0.1]
    """
    return start_lr * (end_lr / start_lr) ** (np.arange(count) / max(count - 1, 1))


def _trimmed(lrs, losses) -> tuple[np.ndarray, np.ndarray, int]:
    """The curve without its first tenth and its last five points (as fastai suggests from), and
    the index of its first kept point; the whole curve when that would leave too little."""
    lrs, losses = np.asarray(lrs, dtype=float), np.asarray(losses, dtype=float)
    start, end = len(losses) // 10, len(losses) - 5
    if end - start < MIN_POINTS:
        return lrs, losses, 0
    return lrs[start:end], losses[start:end], start


def valley(lrs, losses) -> int:
    """fastai's "valley" suggestion: the index (into ``lrs``) about 2/3 down the longest valley.

    The valley is the longest run of points whose losses decrease (a longest decreasing
    subsequence, its points not necessarily adjacent); the suggestion sits a third plus a sixth of
    its length after its start, where the loss still falls but is far from the divergence.

    Args:
        lrs: learning rates in increasing order, shape (n,).
        losses: the smoothed loss at each rate, shape (n,).
    """
    _, values, offset = _trimmed(lrs, losses)
    n = len(values)
    lengths = np.ones(n, dtype=int)  # the longest decreasing run that ends at each point
    max_start = max_end = 0
    for i in range(1, n):
        lower = values[:i] > values[i]
        if lower.any():
            lengths[i] = max(lengths[i], int(lengths[:i][lower].max()) + 1)
        if lengths[max_end] < lengths[i]:
            max_end = i
            max_start = max_end - lengths[max_end]
    sections = (max_end - max_start) / 3
    return offset + max(0, max_start + int(sections) + int(sections / 2))


def steep(lrs, losses) -> int:
    """The index (into ``lrs``) where the loss falls fastest against log(lr): the minimum of the
    slope between each point and the next, up to the lowest loss.

    Unlike fastai's ``steep``, the points past the lowest loss are left out: there the loss is
    diverging, and a wiggle of a plateau the diverged model sits on can be steeper than the real
    descent (seen on digits with the course MLP).
    """
    rates, values, offset = _trimmed(lrs, losses)
    lowest = int(np.nanargmin(values))
    if lowest < 1:  # no descent at all: the start of the curve
        return offset
    slopes = np.diff(values[: lowest + 1]) / np.diff(np.log(rates[: lowest + 1]))
    return offset + int(np.nanargmin(slopes))


def suggest(lrs, losses) -> tuple[float, float]:
    """``(valley rate, steepest rate)`` of a recorded curve."""
    lrs = np.asarray(lrs, dtype=float)
    return float(lrs[valley(lrs, losses)]), float(lrs[steep(lrs, losses)])


class LRFinderCallback(keras.callbacks.Callback):
    """Sets the optimizer's learning rate before every batch and records the smoothed loss after it.

    The rate grows exponentially from ``start_lr`` to ``end_lr`` over ``num_batches`` batches;
    training ends after that many, or as soon as the smoothed loss is NaN or more than
    ``DIVERGENCE`` times the best so far. ``lrs`` and ``losses`` hold the recorded curve.

    Args:
        progress: called after each batch as ``progress(batch, batches, lr, smoothed_loss)``.
        should_stop: checked before each batch; True ends the search there.
    """

    def __init__(
        self,
        *,
        start_lr: float = START_LR,
        end_lr: float = END_LR,
        num_batches: int = NUM_BATCHES,
        progress: Progress | None = None,
        should_stop: Callable[[], bool] | None = None,
    ) -> None:
        super().__init__()
        self.schedule = learning_rates(start_lr, end_lr, num_batches)
        self.progress = progress
        self.should_stop = should_stop or (lambda: False)
        self.lrs: list[float] = []
        self.losses: list[float] = []
        self.diverged = False
        self.cancelled = False
        self._average = 0.0
        self._best = math.inf

    def on_train_batch_begin(self, batch, logs=None) -> None:
        if self.should_stop():
            self.cancelled = True
            self.model.stop_training = True
            return
        self.model.optimizer.learning_rate = float(self.schedule[len(self.lrs)])
        # Keras logs the epoch's running mean: reset it, so the batch's own loss is logged
        self.model.reset_metrics()

    def on_train_batch_end(self, batch, logs=None) -> None:
        if self.cancelled:
            return
        loss = float((logs or {}).get("loss", math.nan))
        count = len(self.lrs) + 1
        self._average = SMOOTHING * self._average + (1 - SMOOTHING) * loss
        smoothed = self._average / (1 - SMOOTHING**count)
        rate = float(self.schedule[count - 1])
        if math.isnan(smoothed) or smoothed > DIVERGENCE * self._best:
            self.diverged = True
            self.model.stop_training = True
            return
        self._best = min(self._best, smoothed)
        self.lrs.append(rate)
        self.losses.append(smoothed)
        if self.progress is not None:
            self.progress(count, len(self.schedule), rate, smoothed)
        if count >= len(self.schedule):
            self.model.stop_training = True


def check_range(*, start_lr: float, end_lr: float, num_batches: int) -> None:
    """Refuse a search range that cannot give a curve."""
    if not 0 < start_lr < end_lr:
        raise UserInputError(
            "The learning rates must grow: give 0 < start ({start}) < end ({end}), such as "
            "1e-7 and 10.",
            start=start_lr,
            end=end_lr,
        )
    if not MIN_POINTS <= num_batches <= 10_000:
        raise UserInputError(
            "The search trains {low} to 10000 batches, got {value}. 100 is usual.",
            low=MIN_POINTS,
            value=num_batches,
        )


def find_lr(
    config: TrainConfig,
    *,
    progress: Progress | None = None,
    should_stop: Callable[[], bool] | None = None,
    num_batches: int = NUM_BATCHES,
    start_lr: float = START_LR,
    end_lr: float = END_LR,
) -> LRFindResult:
    """Train a copy of ``config``'s model for ``num_batches`` batches with a growing learning rate.

    Args:
        config: the settings a run would train with (dataset, model, optimizer, batch size,
            augmentation...). Its learning rate and schedule are replaced by the search's.
        progress: called after each batch: ``progress(batch, batches, lr, smoothed_loss)``.
        should_stop: checked before each batch; True ends the search (``UserInputError``).
        num_batches: batches to train at most; more than one epoch's worth goes on into the next.
        start_lr, end_lr: the first and last learning rate. Default 1e-7 and 10.

    Returns:
        the ``LRFindResult``; ``lrs`` and ``losses`` may be shorter than ``num_batches`` when the
        loss diverged.

    Raises:
        UserInputError: settings that cannot train (``trainer.check_config``), a bad range, or a
            loss that diverged before a curve could be recorded.
    """
    check_range(start_lr=start_lr, end_lr=end_lr, num_batches=num_batches)
    info = trainer.check_config(config)
    # here, not at the top: pipeline loads TensorFlow's data API
    from clfcore.data import datasets, tasks
    from clfcore.training import objectives, pipeline

    keras.utils.set_random_seed(config.seed)
    splits = datasets.load_splits(config.dataset, config.split)
    with trainer.make_strategy(config.strategy).scope():
        model = trainer.build_compiled_model(config.replace(learning_rate=start_lr), info)
        fitted, train_inputs = pipeline.fit_inputs(
            model,
            splits,
            batch_size=config.batch_size,
            seed=config.seed,
            augmentation=trainer.augmentation_layer(config),
        )
    finder = LRFinderCallback(
        start_lr=start_lr,
        end_lr=end_lr,
        num_batches=num_batches,
        progress=progress,
        should_stop=should_stop,
    )
    per_epoch = math.ceil(len(splits.x_train) / config.batch_size)
    aliases = [objectives.fine_level_logs()] if info.task == "hierarchical" else []
    fitted.fit(
        **train_inputs,
        epochs=math.ceil(num_batches / per_epoch),
        verbose=0,
        class_weight=tasks.fit_class_weights(config, info, splits),
        callbacks=[*aliases, finder],
    )
    if finder.cancelled:
        raise UserInputError("The learning-rate search was stopped.")
    if len(finder.losses) < MIN_POINTS:
        raise UserInputError(
            "The loss diverged after {count} batches, before the search could draw a curve. "
            "Check the settings (a smaller batch size, another optimizer) or start from a lower "
            "learning rate.",
            count=len(finder.losses) + 1,
        )
    suggested, steepest = suggest(finder.lrs, finder.losses)
    return LRFindResult(
        suggested_lr=suggested,
        steepest_lr=steepest,
        lrs=tuple(finder.lrs),
        losses=tuple(finder.losses),
    )
