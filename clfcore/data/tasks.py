"""The course's four task types (course notes on classification): binary, multi-class, multi-label
and hierarchical.

    >>> from clfcore.data import datasets, tasks
    >>> tasks.binary_id("fashion_mnist", positive=8)            # Bag against every other class
    'fashion_mnist:8-vs-rest'
    >>> tasks.binary_id("fashion_mnist", positive=7, negative=5)  # Sneaker against Sandal only
    'fashion_mnist:7-vs-5'
    >>> datasets.get_dataset("fashion_mnist:8-vs-rest").class_names
    ('others', 'Bag')

A binary task derived from a multi-class dataset is a dataset id of its own (``base:P-vs-rest`` or
``base:P-vs-N`` with class numbers), so it travels through the page state, ``TrainConfig.dataset``,
config.json, the trainer, the evaluation and the Classify page like any other dataset. Label 1 is
the positive class P, label 0 the others (or class N).

This module also holds what every task needs from the labels: the train / validation split of
multi-label and hierarchical labels and the balanced class weights. The loss and metrics Keras
compiles with for each task are in ``clfcore.training.objectives``. Importing it does not import
Keras.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

import numpy as np

from clfcore.data.sources import RawData
from clfcore.data.splits import (
    DatasetSplits,
    SplitConfig,
    make_splits,
    one_hot,
    scale_images,
    split_indices,
)
from clfcore.errors import DatasetError, UserInputError
from clfcore.i18n import N_

# the one list of task types (id -> the name shown); everything else imports TASKS
TASK_NAMES = {
    "binary": N_("binary"),
    "multiclass": N_("multi-class"),
    "multilabel": N_("multi-label"),
    "hierarchical": N_("hierarchical"),
}
TASKS = tuple(TASK_NAMES)
CLASS_WEIGHTS = ("none", "balanced")
OTHERS = N_("others")  # the negative class of a one-vs-rest task
BINARY_DESCRIPTION = N_(
    "A binary task derived from a multi-class dataset: one sigmoid unit says how likely "
    "an image is to be the positive class."
)
_BINARY_ID = re.compile(r"^(?P<base>[^:]+):(?P<positive>\d+)-vs-(?P<negative>\d+|rest)$")


# --- Binary tasks derived from a multi-class dataset ----------------------------------------------


@dataclass(frozen=True)
class BinaryTask:
    """A binary task cut from a multi-class dataset: class ``positive`` (label 1) against
    ``negative`` or all others."""

    base: str  # id of the multi-class dataset it comes from
    positive: int  # class index (in the base dataset) that becomes label 1
    negative: int | None = None  # the class that becomes label 0; None = every other class

    @property
    def dataset_id(self) -> str:
        return (
            f"{self.base}:{self.positive}-vs-{'rest' if self.negative is None else self.negative}"
        )


def binary_id(base: str, *, positive: int, negative: int | None = None) -> str:
    """The dataset id of a derived binary task (validated when the dataset is looked up)."""
    return BinaryTask(base, int(positive), None if negative is None else int(negative)).dataset_id


def parse_binary(dataset_id: str) -> BinaryTask | None:
    """The derived binary task ``dataset_id`` names, or None for a plain dataset id.

    Raises:
        DatasetError: the id has a ':' but is not ``base:P-vs-rest`` or ``base:P-vs-N``.
    """
    if ":" not in str(dataset_id):
        return None
    match = _BINARY_ID.match(dataset_id)
    if match is None:
        raise DatasetError(
            "{name!r} is not a dataset id. A binary task derived from a dataset is written "
            "dataset:P-vs-rest (class P against all others) or dataset:P-vs-N (class P "
            "against class N), with class numbers, e.g. fashion_mnist:8-vs-rest.",
            name=dataset_id,
        )
    negative = match["negative"]
    return BinaryTask(
        match["base"], int(match["positive"]), None if negative == "rest" else int(negative)
    )


def base_id(dataset_id: str) -> str:
    """The dataset a (possibly derived) dataset id comes from: 'mnist:3-vs-rest' -> 'mnist'."""
    task = parse_binary(dataset_id)
    return task.base if task else dataset_id


def derived_info(
    base,
    task: BinaryTask,
    train_labels: np.ndarray | None = None,
    test_labels: np.ndarray | None = None,
):
    """The ``DatasetInfo`` of ``task`` over the base dataset's info ``base``.

    Args:
        base: the base dataset's ``DatasetInfo`` (must be a multi-class dataset).
        train_labels, test_labels: the base dataset's labels when loaded, for exact image counts;
            without them a two-class task's counts assume balanced classes.

    Raises:
        DatasetError: the base is not multi-class, or the class numbers are out of range or equal.
    """
    if base.task != "multiclass":
        raise DatasetError(
            "Binary tasks are derived from multi-class datasets; {name} is a {task} dataset. "
            "Choose a multi-class dataset first.",
            name=base.name,
            task=base.task,
        )
    top = base.num_classes - 1
    for index in (task.positive, task.negative):
        if index is not None and not 0 <= index <= top:
            raise DatasetError(
                "{name} has classes 0 to {top}, so class {index} does not exist. Choose "
                "class numbers from 0 to {top}.",
                name=base.name,
                top=top,
                index=index,
            )
    if task.negative == task.positive:
        raise DatasetError(
            "A binary task needs two different classes, got class {index} twice.",
            index=task.positive,
        )
    positive = base.class_names[task.positive]
    negative = OTHERS if task.negative is None else base.class_names[task.negative]
    train_count, test_count = base.train_count, base.test_count
    if task.negative is not None:
        if train_labels is not None and test_labels is not None:
            train_count = int(np.isin(train_labels, (task.positive, task.negative)).sum())
            test_count = int(np.isin(test_labels, (task.positive, task.negative)).sum())
        else:
            train_count = round(base.train_count * 2 / base.num_classes)
            test_count = round(base.test_count * 2 / base.num_classes)
    return replace(
        base,
        id=task.dataset_id,
        name=f"{base.name}: {positive} vs {'others' if task.negative is None else negative}",
        class_names=(negative, positive),
        description=BINARY_DESCRIPTION,
        task="binary",
        train_count=train_count,
        test_count=test_count,
        download=base.download,
    )


def derive_binary(raw, task: BinaryTask):
    """The base dataset's ``RawData`` turned into ``task``: the chosen images, labels 0 / 1."""

    def cut(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        if task.negative is None:
            return x, (y == task.positive).astype(np.int64)
        keep = np.flatnonzero(np.isin(y, (task.positive, task.negative)))
        return x[keep], (y[keep] == task.positive).astype(np.int64)

    x_train, y_train = cut(raw.x_train, raw.y_train)
    x_test, y_test = cut(raw.x_test, raw.y_test)
    return RawData(x_train, y_train, x_test, y_test, raw.skipped)


# --- Splits per task ------------------------------------------------------------------------------


def random_split_indices(count: int, config: SplitConfig) -> tuple[np.ndarray, np.ndarray]:
    """Train and validation indices for labels that cannot be stratified (multi-label): a seeded
    shuffle.

    Applies the optional training subset first, then holds out ``config.validation_split``.
    """
    rng = np.random.default_rng(config.seed)
    pool = rng.permutation(count)
    if config.train_size is not None:
        pool = pool[: config.train_size]
    held = (
        min(max(int(round(config.validation_split * len(pool))), 1), len(pool) - 1)
        if len(pool) >= 2
        else 0
    )
    if held == 0:
        raise UserInputError(
            "Too few training images ({count}) to hold out a validation split. Use more "
            "images or a different validation fraction.",
            count=len(pool),
        )
    return np.sort(pool[held:]), np.sort(pool[:held])


def true_class_index(task: str, label) -> int | None:
    """The single true class of one image, to compare with a prediction.

    Args:
        task: the dataset's task.
        label: the image's label as ``load_raw`` stores it: an int, a (coarse, fine) pair for a
            hierarchical task, a 0/1 row for a multi-label one.

    Returns:
        The class index (the fine class when hierarchical); None for multi-label images, which have
        no single class.
    """
    if task == "multilabel":
        return None
    label = np.asarray(label)
    return int(label[1]) if task == "hierarchical" else int(label)


def binary_mode(task: BinaryTask | None) -> str:
    """How a dataset is used: "all" classes, "one_vs_rest" or "two_classes" (a derived binary
    task)."""
    if task is None:
        return "all"
    return "one_vs_rest" if task.negative is None else "two_classes"


def task_split_indices(
    task: str, y_train: np.ndarray, config: SplitConfig
) -> tuple[np.ndarray, np.ndarray]:
    """Train and validation indices for any task: stratified by class (by fine class when
    hierarchical)."""
    if task == "multilabel":
        return random_split_indices(len(y_train), config)
    if task == "hierarchical":
        return split_indices(y_train[:, 1], config)
    return split_indices(y_train, config)


def make_task_splits(info, raw, config: SplitConfig) -> DatasetSplits:
    """Train / validation / test arrays for ``info``'s task.

    Labels per task: multiclass as ``config`` says (integers or one-hot); binary always 0 / 1
    integers (one sigmoid unit); multi-label float32 0 / 1 of shape (N, labels); hierarchical a dict
    ``{"coarse": ..., "fine": ...}`` (integers or one-hot each), matching the two named outputs.
    """
    if info.task == "multiclass":
        return make_splits(
            raw.x_train, raw.y_train, raw.x_test, raw.y_test, info.class_names, config
        )
    if info.task == "binary":
        return make_splits(
            raw.x_train,
            raw.y_train,
            raw.x_test,
            raw.y_test,
            info.class_names,
            replace(config, one_hot=False),
        )
    train, val = task_split_indices(info.task, raw.y_train, config)
    if info.task == "multilabel":

        def labels(y):
            return np.asarray(y, dtype=np.float32)
    else:

        def labels(y):
            coarse, fine = y[:, 0].astype(np.int64), y[:, 1].astype(np.int64)
            if config.one_hot:
                return {
                    "coarse": one_hot(coarse, len(info.coarse_names)),
                    "fine": one_hot(fine, info.num_classes),
                }
            return {"coarse": coarse, "fine": fine}

    return DatasetSplits(
        x_train=scale_images(raw.x_train[train]),
        y_train=labels(raw.y_train[train]),
        x_val=scale_images(raw.x_train[val]),
        y_val=labels(raw.y_train[val]),
        x_test=scale_images(raw.x_test),
        y_test=labels(raw.y_test),
        class_names=info.class_names,
    )


def class_labels(task: str, y: np.ndarray) -> np.ndarray:
    """The single class index of each image that class counts and class weights use (fine class when
    hierarchical)."""
    y = np.asarray(y)
    if task == "hierarchical":
        return y[:, 1]
    if y.ndim == 2:  # one-hot
        return y.argmax(axis=1)
    return y


# --- Class imbalance ------------------------------------------------------------------------------


def balanced_class_weights(labels: np.ndarray, num_classes: int) -> dict[int, float]:
    """``class_weight="balanced"``: n_images / (n_classes * images of the class), as scikit-learn
    computes it.

    A class absent from ``labels`` gets weight 1 (it never contributes to the loss anyway).

    Returns:
        ``{class index: weight}`` for every class, ready for ``model.fit(class_weight=...)``.
    """
    from sklearn.utils.class_weight import compute_class_weight

    labels = np.asarray(labels, dtype=np.int64)
    present = np.unique(labels)
    weights = compute_class_weight("balanced", classes=present, y=labels)
    found = {int(c): float(w) for c, w in zip(present, weights)}
    return {c: found.get(c, 1.0) for c in range(num_classes)}


def check_class_weight(setting: str, task: str) -> None:
    """Refuse ``class_weight`` settings the task cannot use, saying why."""
    if setting not in CLASS_WEIGHTS:
        raise UserInputError(
            "Unknown class_weight {value!r}. Choose one of: {allowed}.",
            value=setting,
            allowed=", ".join(CLASS_WEIGHTS),
        )
    if setting != "none" and task in ("multilabel", "hierarchical"):
        raise UserInputError(
            "Class weights work for binary and multi-class tasks, where each image has "
            "one class; this dataset is {task}. Set class weights to none.",
            task=task,
        )


def fit_class_weights(config, info, splits: DatasetSplits) -> dict[int, float] | None:
    """The ``class_weight`` to pass to ``fit`` for this run (computed on the training split), or
    None."""
    check_class_weight(config.class_weight, info.task)
    if config.class_weight == "none":
        return None
    return balanced_class_weights(class_labels(info.task, splits.y_train), len(info.class_names))
