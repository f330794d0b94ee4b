"""Train / validation / test splits: stratified, seeded, scaled to [0, 1], integer or one-hot
labels."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from clfcore.errors import UserInputError


@dataclass(frozen=True)
class SplitConfig:
    """How to cut a dataset into the three splits a training run uses."""

    # fraction of the training images held out for validation (the course uses 20 %)
    validation_split: float = 0.2
    # stratified subset of N training images for quick demos; None = all
    train_size: int | None = None
    seed: int = 42  # the same seed always gives the same split
    one_hot: bool = False  # one-hot labels (categorical cross-entropy) instead of integers (sparse)

    def __post_init__(self) -> None:
        if not 0.0 < self.validation_split < 1.0:
            raise UserInputError(
                "The validation split must be between 0 and 1 (for example 0.2 for 20 %), "
                "got {value}.",
                value=self.validation_split,
            )
        if self.train_size is not None and self.train_size < 2:
            raise UserInputError(
                "The training subset must have at least 2 images, got {value}. Leave it "
                "empty to use all.",
                value=self.train_size,
            )


@dataclass(frozen=True, eq=False)
class DatasetSplits:
    """Arrays ready for ``model.fit``: float32 images in [0, 1] of shape (N, H, W, C).

    Labels are int64 of shape (N,), or float32 one-hot of shape (N, num_classes) when asked.
    The test split is the dataset's own and is never used for model selection.
    """

    x_train: np.ndarray
    y_train: np.ndarray
    x_val: np.ndarray
    y_val: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    class_names: tuple[str, ...]

    @property
    def num_classes(self) -> int:
        return len(self.class_names)


def stratified_split(
    labels: np.ndarray, fraction: float, *, seed: int
) -> tuple[np.ndarray, np.ndarray]:
    """Split indices so that every class keeps its share on both sides.

    Each class with at least two images puts ``round(fraction * count)`` of them (at least one,
    at most count - 1) on the held-out side.

    Returns:
        ``(kept, held_out)``: sorted int arrays of indices into ``labels``.
    """
    rng = np.random.default_rng(seed)
    kept, held = [], []
    for cls in np.unique(labels):
        idx = rng.permutation(np.flatnonzero(labels == cls))
        n_held = 0 if len(idx) < 2 else min(max(int(round(fraction * len(idx))), 1), len(idx) - 1)
        held.append(idx[:n_held])
        kept.append(idx[n_held:])
    return np.sort(np.concatenate(kept)), np.sort(np.concatenate(held))


def stratified_subset(labels: np.ndarray, size: int, *, seed: int) -> np.ndarray:
    """Indices of ``size`` items with the class proportions of ``labels`` (every class kept if
    possible)."""
    if size >= len(labels):
        return np.arange(len(labels))
    _, chosen = stratified_split(labels, size / len(labels), seed=seed)
    return chosen


def one_hot(labels: np.ndarray, num_classes: int) -> np.ndarray:
    """Integer labels (N,) -> float32 one-hot (N, num_classes), like
    ``keras.utils.to_categorical``."""
    out = np.zeros((len(labels), num_classes), dtype=np.float32)
    out[np.arange(len(labels)), labels] = 1.0
    return out


def scale_images(images: np.ndarray) -> np.ndarray:
    """uint8 0-255 -> float32 0-1."""
    return images.astype(np.float32) / np.float32(255.0)


def split_indices(
    y_train: np.ndarray, config: SplitConfig = SplitConfig()
) -> tuple[np.ndarray, np.ndarray]:
    """Indices into the dataset's training images of the train and validation splits ``config`` asks
    for.

    Applies the optional stratified subset first, then the stratified validation split.
    """
    pool = np.arange(len(y_train))
    if config.train_size is not None:
        pool = stratified_subset(y_train, config.train_size, seed=config.seed)
    train, val = stratified_split(y_train[pool], config.validation_split, seed=config.seed)
    if len(train) == 0 or len(val) == 0:
        raise UserInputError(
            "Too few training images ({count}) to hold out a validation split. Use more "
            "images or a different validation fraction.",
            count=len(pool),
        )
    return pool[train], pool[val]


def make_splits(
    x_train: np.ndarray,
    y_train: np.ndarray,
    x_test: np.ndarray,
    y_test: np.ndarray,
    class_names: tuple[str, ...],
    config: SplitConfig = SplitConfig(),
) -> DatasetSplits:
    """Cut the training images into train and validation (stratified, seeded), scale, encode
    labels."""
    train, val = split_indices(y_train, config)

    def labels(y: np.ndarray) -> np.ndarray:
        return one_hot(y, len(class_names)) if config.one_hot else y.astype(np.int64)

    return DatasetSplits(
        x_train=scale_images(x_train[train]),
        y_train=labels(y_train[train]),
        x_val=scale_images(x_train[val]),
        y_val=labels(y_train[val]),
        x_test=scale_images(x_test),
        y_test=labels(y_test),
        class_names=class_names,
    )
