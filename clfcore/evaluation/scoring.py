"""What a trained run learned: its test metrics (per class, averaged, top-k) as one report.

Example (with a trained run in the runs root)::

    from clfcore.evaluation import run_predictions, scoring
    run = run_predictions.evaluable_run("20261125-114210042-mlp-digits-3fa2")
    report = scoring.evaluate(run_predictions.predict_run(run))
    report.accuracy, report.per_class["f1"], report.averages["macro"]["recall"]

The confusion matrix, per-class precision, recall, F1 and support, and the ROC and precision-recall
curves come from ``sklearn.metrics`` with ``zero_division=0``: a ratio whose denominator is 0 (a
class never predicted has no precision) is reported as 0, never NaN, and ``report.notes`` says which
classes it concerns. The confusion matrix has the true classes as rows. Specificity TN / (TN + FP)
and the negative predictive value TN / (TN + FN) (the course slide prints TN / (TN + TP)) are
derived from it, as are the micro averages.

The predictions themselves (computed once per model and cached) come from
``clfcore.evaluation.run_predictions``; ROC and PR curves and a decision threshold are in
``roc_pr``, plain-language readings in ``commentary``, CSV, text and JSON in ``exports``.
Importing this module does not import Keras.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from clfcore.evaluation.run_predictions import Predictions, predict_run
from clfcore.i18n import N_
from clfcore.runs.folder import RunFolder
from clfcore.training import monitor as monitoring

TOP_K = (3, 5)  # top-k accuracies shown when there are more than k classes
METRICS = ("precision", "recall", "f1", "specificity", "npv")
AVERAGES = ("macro", "micro", "weighted")

# Notes on metrics that had a zero denominator (shown under the per-class table).
NEVER_PREDICTED = N_("Never predicted, so precision is 0 (no division by zero): {classes}.")
NO_TEST_IMAGES = N_("No test images, so recall is 0: {classes}.")
NO_NEGATIVES = N_("Every test image belongs to this class, so specificity is 0: {classes}.")
ALWAYS_PREDICTED = N_(
    "Predicted for every test image, so the negative predictive value is 0: {classes}."
)


# --- Metrics -------------------------------------------------------------------------------------


def sklearn_metrics():
    # Imported on first use: sklearn.metrics (SciPy under it) takes one to three seconds to import,
    # which every `python -m clfcore train` process and page start would pay without ever scoring.
    from sklearn import metrics

    return metrics


def confusion_matrix(y_true: np.ndarray, y_pred: np.ndarray, *, num_classes: int) -> np.ndarray:
    """Counts of (true, predicted) pairs (``sklearn.metrics.confusion_matrix``).

    Returns:
        int64 array of shape (num_classes, num_classes); rows are true labels, columns predictions.
    """
    matrix = sklearn_metrics().confusion_matrix(
        np.asarray(y_true, dtype=np.int64),
        np.asarray(y_pred, dtype=np.int64),
        labels=np.arange(num_classes),
    )
    return matrix.astype(np.int64)


def _ratio(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    num, den = np.asarray(num, dtype=np.float64), np.asarray(den, dtype=np.float64)
    return np.divide(num, den, out=np.zeros(np.broadcast(num, den).shape), where=den > 0)


def scores_from_counts(tp, fp, fn, tn) -> dict[str, np.ndarray]:
    """Precision, recall, F1, specificity and NPV from per-class counts; 0 where a denominator is
    0."""
    tp, fp, fn, tn = (np.asarray(v, dtype=np.float64) for v in (tp, fp, fn, tn))
    return {
        "precision": _ratio(tp, tp + fp),
        "recall": _ratio(tp, tp + fn),
        "f1": _ratio(2 * tp, 2 * tp + fp + fn),  # = 2PR / (P + R), and 0 when P + R = 0
        "specificity": _ratio(tn, tn + fp),
        "npv": _ratio(tn, tn + fn),
    }


def _per_class(y_true, y_pred, counts: dict[str, np.ndarray], labels=None) -> dict[str, np.ndarray]:
    """Precision, recall, F1 and support from scikit-learn; specificity and NPV from the counts."""
    precision, recall, f1, support = sklearn_metrics().precision_recall_fscore_support(
        y_true, y_pred, labels=labels, average=None, zero_division=0
    )
    derived = scores_from_counts(**counts)
    return {
        "precision": precision.astype(np.float64),
        "recall": recall.astype(np.float64),
        "f1": f1.astype(np.float64),
        "specificity": derived["specificity"],
        "npv": derived["npv"],
        "support": support.astype(np.int64),
    }


def counts_from_confusion(confusion: np.ndarray) -> dict[str, np.ndarray]:
    """One-vs-rest TP, FP, FN, TN per class from a (C, C) confusion matrix (rows true)."""
    tp = np.diag(confusion).astype(np.int64)
    fp = confusion.sum(axis=0) - tp
    fn = confusion.sum(axis=1) - tp
    tn = confusion.sum() - tp - fp - fn
    return {"tp": tp, "fp": fp, "fn": fn, "tn": tn}


def _averages(
    counts: dict[str, np.ndarray], scores: dict[str, np.ndarray]
) -> dict[str, dict[str, float]]:
    support = counts["tp"] + counts["fn"]
    total = support.sum()
    micro = scores_from_counts(*(counts[k].sum() for k in ("tp", "fp", "fn", "tn")))
    return {
        "macro": {m: float(np.mean(scores[m])) for m in METRICS},
        "micro": {m: float(micro[m]) for m in METRICS},
        "weighted": {
            m: float(np.sum(scores[m] * support) / total) if total else 0.0 for m in METRICS
        },
    }


@dataclass(frozen=True)
class Note:
    """A remark about the metrics that concerns some classes; ``classes`` fill the template's
    {classes}."""

    template: str
    classes: tuple[int, ...]


def _notes(counts: dict[str, np.ndarray]) -> tuple[Note, ...]:
    tp, fp, fn, tn = (counts[k] for k in ("tp", "fp", "fn", "tn"))
    found = []
    for template, mask in (
        (NEVER_PREDICTED, tp + fp == 0),
        (NO_TEST_IMAGES, tp + fn == 0),
        (NO_NEGATIVES, tn + fp == 0),
        (ALWAYS_PREDICTED, tn + fn == 0),
    ):
        if mask.any():
            found.append(Note(template, tuple(int(i) for i in np.flatnonzero(mask))))
    return tuple(found)


def top_k_accuracy(probabilities: np.ndarray, labels: np.ndarray, k: int) -> float:
    """Share of images whose true class is among the ``k`` most probable ones."""
    k = min(k, probabilities.shape[1])
    top = np.argpartition(-probabilities, k - 1, axis=1)[:, :k]
    return float(np.mean(np.any(top == np.asarray(labels)[:, None], axis=1)))


@dataclass(frozen=True, eq=False)
class Report:
    """Every test metric of one set of predictions. Arrays are per class, in class order."""

    task: str
    class_names: tuple[str, ...]
    num_images: int
    accuracy: float  # share of images right; multi-label: subset accuracy (every label right)
    loss: float  # mean cross-entropy, as Keras reports it
    top_k: dict[int, float]  # k -> top-k accuracy (k = 3, 5 when there are more than k classes)
    confusion: np.ndarray | None  # (C, C) rows true; None for multi-label tasks
    counts: dict[str, np.ndarray]  # tp, fp, fn, tn per class (per label for multi-label)
    # precision, recall, f1, specificity, npv (floats) and support (ints)
    per_class: dict[str, np.ndarray]
    averages: dict[str, dict[str, float]]  # "macro" / "micro" / "weighted" -> metric -> value
    notes: tuple[Note, ...] = ()
    hamming_loss: float | None = None  # multi-label: share of wrong (image, label) decisions
    threshold: float = 0.5  # multi-label decision threshold

    @property
    def num_classes(self) -> int:
        return len(self.class_names)

    @property
    def label_accuracy(self) -> float | None:
        """Multi-label: the share of right (image, label) decisions, 1 - Hamming loss; else None."""
        return None if self.hamming_loss is None else 1.0 - self.hamming_loss


def evaluate(predictions: Predictions, *, threshold: float = 0.5) -> Report:
    """All metrics of ``predictions``: accuracy, top-k, loss, confusion matrix, per-class scores,
    averages.

    Args:
        predictions: outputs and true labels (``predict_run``).
        threshold: multi-label tasks only: a label is predicted when its probability is >=
            threshold.
    """
    if predictions.multilabel:
        return evaluate_multilabel(predictions, threshold=threshold)
    c = predictions.num_classes
    labels, predicted = np.asarray(predictions.labels, dtype=np.int64), predictions.predicted
    confusion = confusion_matrix(labels, predicted, num_classes=c)
    counts = counts_from_confusion(confusion)
    scores = _per_class(labels, predicted, counts, labels=np.arange(c))
    return Report(
        task=predictions.task,
        class_names=predictions.class_names,
        num_images=predictions.num_images,
        accuracy=float(np.trace(confusion) / max(confusion.sum(), 1)),
        loss=float(np.mean(predictions.losses)),
        top_k={
            k: top_k_accuracy(predictions.probabilities, predictions.labels, k)
            for k in TOP_K
            if c > k
        },
        confusion=confusion,
        counts=counts,
        per_class=scores,
        averages=_averages(counts, scores),
        notes=_notes(counts),
    )


def evaluate_multilabel(predictions: Predictions, *, threshold: float = 0.5) -> Report:
    """Per-label metrics (each label a binary decision at ``threshold``), Hamming loss and subset
    accuracy.

    The per-label counts are ``sklearn.metrics.multilabel_confusion_matrix``'s.
    """
    truth = np.asarray(predictions.labels) > 0
    chosen = predictions.probabilities >= threshold
    matrices = sklearn_metrics().multilabel_confusion_matrix(truth, chosen).astype(np.int64)
    counts = {  # each label's 2x2 matrix: [[tn, fp], [fn, tp]]
        "tp": matrices[:, 1, 1],
        "fp": matrices[:, 0, 1],
        "fn": matrices[:, 1, 0],
        "tn": matrices[:, 0, 0],
    }
    scores = _per_class(truth, chosen, counts)
    return Report(
        task="multilabel",
        class_names=predictions.class_names,
        num_images=predictions.num_images,
        accuracy=float(np.mean(np.all(truth == chosen, axis=1))),
        loss=float(np.mean(predictions.losses)),
        top_k={},
        confusion=None,
        counts=counts,
        per_class=scores,
        averages=_averages(counts, scores),
        notes=_notes(counts),
        hamming_loss=float(np.mean(truth != chosen)),
        threshold=threshold,
    )


def best_epoch(history: list[dict], monitor: str = "val_accuracy") -> int | None:
    """The epoch (1-based) whose model the checkpoint kept: best ``monitor``, the first of ties
    (``clfcore.training.monitor``)."""
    return monitoring.best_epoch(history, monitor)


def evaluate_run(run: RunFolder) -> tuple[Report, float]:
    """Predict (or read the cached predictions) and compute every metric. Returns the report and the
    seconds it took."""
    start = time.perf_counter()
    # a multi-label run is judged at the threshold it was trained and tested with
    report = evaluate(predict_run(run), threshold=run.config().threshold)
    return report, time.perf_counter() - start
