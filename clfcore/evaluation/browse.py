"""Browsing a run's test predictions: which images to show, in what order, and what to call them.

The Evaluate page's galleries, confusion-matrix cells, ROC class picker and image details ask these;
every function works on a ``Predictions`` (or plain arrays) and returns indices or numbers, so it
can be checked on a few hand-made rows.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from clfcore.data.splits import stratified_subset
from clfcore.evaluation.outputs import Predictions

SORTS = ("loss", "least_confident", "most_confident", "index")  # orders of the test-image gallery
SHOWS = ("all", "wrong", "correct")  # which test images the gallery keeps
ALL_CURVES_UP_TO = 10  # classes: up to this many, every ROC curve is shown at first
WORST_CURVES = 5  # more classes: the ones with the lowest AUC are shown at first
RIGHT, WRONG = "✓", "✗"


def filter_images(
    predictions: Predictions,
    *,
    true_class: int | None = None,
    show: str = "all",
    sort: str = "index",
) -> np.ndarray:
    """The test images of a class (or all), right, wrong or both, in the chosen order.

    Args:
        predictions: the run's test-set predictions.
        true_class: keep only images of this class (multi-label: images carrying this label).
            Defaults to None (every class).
        show: one of ``SHOWS``: "all", "wrong" or "correct". Defaults to "all".
        sort: one of ``SORTS``: "loss" (highest first), "least_confident", "most_confident" or
            "index" (test-set order). Ties keep test-set order. Defaults to "index".

    Returns:
        int array of shape (M,): positions in the test set.
    """
    keep = np.ones(predictions.num_images, dtype=bool)
    if true_class is not None:
        labels = predictions.labels
        keep &= (labels[:, true_class] > 0) if predictions.multilabel else (labels == true_class)
    if show != "all":
        keep &= predictions.correct if show == "correct" else ~predictions.correct
    indices = np.flatnonzero(keep)
    if sort == "loss":
        return indices[np.argsort(-predictions.losses[indices], kind="stable")]
    if sort in ("least_confident", "most_confident"):
        sign = 1 if sort == "least_confident" else -1
        return indices[np.argsort(predictions.confidence[indices] * sign, kind="stable")]
    return indices


def confusion_cell(predictions: Predictions, true_class: int, predicted_class: int) -> np.ndarray:
    """The test images of one confusion-matrix cell, most confident first (ties in test-set order).

    Returns:
        int array of shape (M,): positions in the test set whose true class is ``true_class`` and
        whose predicted class is ``predicted_class``.
    """
    cell = np.flatnonzero(
        (predictions.labels == true_class) & (predictions.predicted == predicted_class)
    )
    return cell[np.argsort(-predictions.confidence[cell], kind="stable")]


def most_frequent_mistake(confusion: np.ndarray) -> tuple[int, int]:
    """The off-diagonal cell with the most images (the first such cell on ties).

    Args:
        confusion: array of shape (num_classes, num_classes); rows are true labels.

    Returns:
        (true class, predicted class). A matrix without mistakes gives (0, 0).
    """
    errors = np.array(confusion, copy=True)
    np.fill_diagonal(errors, 0)
    i, j = np.unravel_index(np.argmax(errors), errors.shape)
    return int(i), int(j)


def row_shares(confusion: np.ndarray) -> np.ndarray:
    """Each row of a confusion matrix divided by its total: the share of each true class.

    Returns:
        float array of the same shape; rows without images are all 0.
    """
    counts = np.asarray(confusion)
    rows = counts.sum(axis=1, keepdims=True)
    return np.divide(counts, rows, out=np.zeros(counts.shape), where=rows > 0)


def label_text(
    predictions: Predictions, class_names: Sequence[str], index: int, *, which: str = "true"
) -> str:
    """The true (``which="true"``) or predicted (``which="predicted"``) class name of one image.

    Multi-label images give every label joined by "+" (predicted: probability at least 0.5), or
    "-" for none.
    """
    if predictions.multilabel:
        on = (
            predictions.labels[index] > 0
            if which == "true"
            else predictions.probabilities[index] >= 0.5
        )
        return "+".join(class_names[int(c)] for c in np.flatnonzero(on)) or "-"
    labels = predictions.labels if which == "true" else predictions.predicted
    return class_names[int(labels[index])]


def gallery_caption(predictions: Predictions, class_names: Sequence[str], index: int) -> str:
    """ "✓ true (confidence)" for a right prediction, "✗ true → predicted (confidence)" for a wrong
    one."""
    true = label_text(predictions, class_names, index, which="true")
    confidence = f"{predictions.confidence[index]:.0%}"
    if predictions.correct[index]:
        return f"{RIGHT} {true} ({confidence})"
    predicted = label_text(predictions, class_names, index, which="predicted")
    return f"{WRONG} {true} → {predicted} ({confidence})"


def single_labels(predictions: Predictions, indices: np.ndarray | None = None) -> np.ndarray:
    """One class index per image, for views that colour by class (multi-label: its first label).

    Returns:
        int array of shape (N,), or (len(indices),) when ``indices`` are given.
    """
    labels = predictions.labels if indices is None else predictions.labels[indices]
    return labels.argmax(axis=1) if predictions.multilabel else labels


def insight_sample(predictions: Predictions, count: int, *, seed: int = 0) -> np.ndarray:
    """A stratified sample of at most ``count`` test images, in test-set order.

    Returns:
        sorted int array of shape (min(count, N),): positions in the test set.
    """
    return np.sort(stratified_subset(single_labels(predictions), count, seed=seed))


def curve_areas(curves: Sequence) -> list[float | None]:
    """Each class's area under its curve (``Curve.area``), None where the class has no curve."""
    return [curve.area if curve is not None else None for curve in curves]


def mean_area(curves: Sequence) -> float | None:
    """The mean area over the classes that have a curve; None when none has."""
    defined = [area for area in curve_areas(curves) if area is not None]
    return float(np.mean(defined)) if defined else None


def classes_without_curve(curves: Sequence) -> list[int]:
    """The classes that have no curve (no test image of them, or only those)."""
    return [c for c, curve in enumerate(curves) if curve is None]


def default_curve_classes(curves: Sequence, *, task: str = "multiclass") -> list[int]:
    """The classes whose ROC curves are shown before the user picks any.

    Every class up to ``ALL_CURVES_UP_TO`` classes; beyond, the ``WORST_CURVES`` with the lowest
    AUC (the interesting ones). A binary task shows its positive class, 1.

    Args:
        curves: one ``Curve`` or None per class (``one_vs_rest_curves(...)["roc"]``).
        task: the run's task. Defaults to "multiclass".
    """
    if task == "binary":
        return [1]
    classes = list(range(len(curves)))
    if len(classes) <= ALL_CURVES_UP_TO:
        return classes
    defined = [(c, area) for c, area in zip(classes, curve_areas(curves)) if area is not None]
    return [c for c, _ in sorted(defined, key=lambda pair: pair[1])][:WORST_CURVES]


def top_classes(
    probabilities: np.ndarray, *, top: int = 10, include: int | None = None
) -> np.ndarray:
    """The ``top`` most probable classes, most probable first (ties in class order).

    Args:
        probabilities: array of shape (num_classes,).
        top: how many classes. Defaults to 10.
        include: a class that must be listed (the true class); it replaces the last one when it is
            not among the ``top``. Defaults to None.

    Returns:
        int array of shape (min(top, num_classes),).
    """
    order = np.argsort(-np.asarray(probabilities), kind="stable")[:top]
    if include is not None and include not in order:
        order = np.r_[order[:-1], include]
    return order
