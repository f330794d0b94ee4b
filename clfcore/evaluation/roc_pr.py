"""ROC and precision-recall curves of each class against the rest, and the metrics of one decision
threshold (the Evaluate page's slider). Every point comes from ``sklearn.metrics``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from clfcore.evaluation.outputs import Predictions
from clfcore.evaluation.scoring import (
    scores_from_counts,
    sklearn_metrics,
)

# --- Curves and thresholds -----------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class Curve:
    """A ROC (x = false positive rate, y = true positive rate) or precision-recall (x = recall, y =
    precision) curve."""

    x: np.ndarray
    y: np.ndarray
    thresholds: np.ndarray  # the score threshold of each point (>= threshold counts as positive)
    area: float  # ROC: AUC by the trapezoidal rule; PR: average precision

    def thinned(self, max_points: int = 300) -> Curve:
        """At most ``max_points`` evenly spread points (first and last kept), for drawing."""
        if len(self.x) <= max_points:
            return self
        keep = np.unique(np.linspace(0, len(self.x) - 1, max_points).round().astype(int))
        return Curve(self.x[keep], self.y[keep], self.thresholds[keep], self.area)


def _positives_and_negatives(y_true: np.ndarray) -> tuple[int, int]:
    truth = np.asarray(y_true, dtype=bool)
    positives = int(np.count_nonzero(truth))
    return positives, truth.size - positives


def roc_curve(y_true: np.ndarray, scores: np.ndarray) -> Curve | None:
    """ROC of one class against the rest (``sklearn.metrics.roc_curve``, every threshold kept, AUC
    by the trapezoidal rule); None when the test set lacks positives or negatives."""
    positives, negatives = _positives_and_negatives(y_true)
    if positives == 0 or negatives == 0:
        return None
    skm = sklearn_metrics()
    fpr, tpr, thresholds = skm.roc_curve(
        np.asarray(y_true, dtype=bool),
        np.asarray(scores, dtype=np.float64),
        drop_intermediate=False,
    )
    return Curve(fpr, tpr, thresholds, float(skm.auc(fpr, tpr)))


def pr_curve(y_true: np.ndarray, scores: np.ndarray) -> Curve | None:
    """Precision-recall of one class against the rest (``sklearn.metrics.precision_recall_curve``)
    from the highest threshold down, with its average precision; None without positives."""
    positives, _ = _positives_and_negatives(y_true)
    if positives == 0:
        return None
    skm = sklearn_metrics()
    truth, scores = np.asarray(y_true, dtype=bool), np.asarray(scores, dtype=np.float64)
    precision, recall, thresholds = skm.precision_recall_curve(
        truth, scores, drop_intermediate=False
    )
    return Curve(
        recall[::-1],
        precision[::-1],
        np.r_[np.inf, thresholds[::-1]],
        float(skm.average_precision_score(truth, scores)),
    )


def one_vs_rest_curves(predictions: Predictions) -> dict[str, list[Curve | None]]:
    """ROC and PR curves of every class against the rest: ``{"roc": [...], "pr": [...]}``, None
    where undefined."""
    truth = (
        predictions.labels > 0
        if predictions.multilabel
        else np.eye(predictions.num_classes, dtype=bool)[predictions.labels]
    )
    roc = [
        roc_curve(truth[:, c], predictions.probabilities[:, c])
        for c in range(predictions.num_classes)
    ]
    pr = [
        pr_curve(truth[:, c], predictions.probabilities[:, c])
        for c in range(predictions.num_classes)
    ]
    return {"roc": roc, "pr": pr}


def positive_scores(predictions: Predictions, positive: int) -> tuple[np.ndarray, np.ndarray]:
    """(is this class, probability of this class) for ``positive`` against the rest."""
    if predictions.multilabel:
        return predictions.labels[:, positive] > 0, predictions.probabilities[:, positive]
    return predictions.labels == positive, predictions.probabilities[:, positive]


@dataclass(frozen=True)
class ThresholdResult:
    """A binary decision at one threshold: its 2x2 confusion matrix (rows true: negative, positive)
    and scores."""

    threshold: float
    confusion: np.ndarray
    accuracy: float
    precision: float
    recall: float
    f1: float
    specificity: float
    npv: float

    @property
    def false_positive_rate(self) -> float:
        return 1.0 - self.specificity if self.confusion[0].sum() else 0.0


def threshold_metrics(y_true: np.ndarray, scores: np.ndarray, threshold: float) -> ThresholdResult:
    """Binary metrics when an image is called positive if its score is above ``threshold``.

    ``>`` as in Keras's ``binary_accuracy``, so at 0.5 it agrees with the arg-max of ``[1 - p, p]``.
    """
    truth = np.asarray(y_true, dtype=bool)
    chosen = np.asarray(scores) > threshold
    tp, fp = int(np.sum(truth & chosen)), int(np.sum(~truth & chosen))
    fn, tn = int(np.sum(truth & ~chosen)), int(np.sum(~truth & ~chosen))
    scores_ = {k: float(v) for k, v in scores_from_counts(tp, fp, fn, tn).items()}
    return ThresholdResult(
        threshold=float(threshold),
        confusion=np.array([[tn, fp], [fn, tp]], dtype=np.int64),
        accuracy=(tp + tn) / max(truth.size, 1),
        **scores_,
    )
