"""What a trained run learned and where it fails: metrics, curves, readings, exports.

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
``clfcore.evaluation.run_predictions``. Importing this module does not import Keras.
"""

from __future__ import annotations

import csv
import io
import time
from dataclasses import dataclass, field

import numpy as np

from clfcore.errors import UserInputError
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


def _sklearn_metrics():
    # Imported on first use: sklearn.metrics (SciPy under it) takes one to three seconds to import,
    # which every `python -m clfcore train` process and page start would pay without ever scoring.
    from sklearn import metrics

    return metrics


def confusion_matrix(y_true: np.ndarray, y_pred: np.ndarray, *, num_classes: int) -> np.ndarray:
    """Counts of (true, predicted) pairs (``sklearn.metrics.confusion_matrix``).

    Returns:
        int64 array of shape (num_classes, num_classes); rows are true labels, columns predictions.
    """
    matrix = _sklearn_metrics().confusion_matrix(
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
    precision, recall, f1, support = _sklearn_metrics().precision_recall_fscore_support(
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
    matrices = _sklearn_metrics().multilabel_confusion_matrix(truth, chosen).astype(np.int64)
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
    skm = _sklearn_metrics()
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
    skm = _sklearn_metrics()
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


# --- Plain-language readings ---------------------------------------------------------------------


@dataclass(frozen=True)
class Reading:
    """One sentence about the results: an English template (translation key), numbers, and class
    indices.

    ``classes`` maps placeholders to class indices; the caller fills in the (translated) class
    names.
    """

    template: str
    params: dict = field(default_factory=dict)
    classes: dict[str, int] = field(default_factory=dict)


CONFUSED_WITH = N_(
    "**{name}** is most often confused with **{other}**: {count} of its {total} test images "
    "({share:.0%}) were predicted as {other}."
)
WRONG_WHEN_SAYS = N_(
    "When the model says **{name}** it is right {precision:.0%} of the time; its wrong "
    "calls are mostly **{other}** images ({count})."
)
ALL_CORRECT = N_("Every test image is classified correctly.")
OVERFIT_AFTER = N_(
    "Validation loss was lowest at epoch {best} and then rose by {rise:.0%} while the training "
    "loss kept falling: the model started to overfit after epoch {best}."
)
GAP_AT_END = N_(
    "At the last epoch training accuracy is {gap:.1f} points above validation accuracy."
)
STILL_IMPROVING = N_(
    "Validation accuracy was still rising at the last epoch: more epochs may help."
)


def worst_classes_reading(report: Report, *, count: int = 3) -> list[Reading]:
    """Which classes fail most and with what they are confused ("Shirt is most often confused with
    T-shirt/top").

    Up to ``count`` classes with the lowest recall (among those with errors), then the class whose
    predictions are least reliable (lowest precision) if it is not already named.
    """
    confusion = report.confusion
    if confusion is None:
        return []
    errors = confusion.copy()
    np.fill_diagonal(errors, 0)
    if not errors.any():
        return [Reading(ALL_CORRECT)]
    recall, precision = report.per_class["recall"], report.per_class["precision"]
    candidates = [c for c in np.argsort(recall, kind="stable") if errors[c].sum() > 0]
    readings = []
    for c in candidates[:count]:
        other = int(np.argmax(errors[c]))
        total = int(confusion[c].sum())
        readings.append(
            Reading(
                CONFUSED_WITH,
                {"count": int(errors[c, other]), "total": total, "share": errors[c, other] / total},
                {"name": int(c), "other": other},
            )
        )
    predicted_often = [c for c in np.argsort(precision, kind="stable") if errors[:, c].sum() > 0]
    if predicted_often and predicted_often[0] not in candidates[:count]:
        c = int(predicted_often[0])
        other = int(np.argmax(errors[:, c]))
        readings.append(
            Reading(
                WRONG_WHEN_SAYS,
                {"precision": float(precision[c]), "count": int(errors[other, c])},
                {"name": c, "other": other},
            )
        )
    return readings


def curves_reading(history: list[dict]) -> list[Reading]:
    """What the learning curves say: overfitting after some epoch, the final gap, still
    improving."""
    rows = [
        row for row in history if row.get("val_loss") is not None and row.get("loss") is not None
    ]
    if len(rows) < 2:
        return []
    readings = []
    val_loss = np.array([row["val_loss"] for row in rows])
    best = int(np.argmin(val_loss))
    last = len(rows) - 1
    if (
        best < last
        and val_loss[last] > val_loss[best] * 1.05
        and rows[last]["loss"] < rows[best]["loss"]
    ):
        readings.append(
            Reading(
                OVERFIT_AFTER,
                {
                    "best": int(rows[best]["epoch"]),
                    "rise": float(val_loss[last] / val_loss[best] - 1),
                },
            )
        )
    final = rows[last]
    if final.get("accuracy") is not None and final.get("val_accuracy") is not None:
        gap = 100 * (final["accuracy"] - final["val_accuracy"])
        if gap >= 2:
            readings.append(Reading(GAP_AT_END, {"gap": float(gap)}))
        previous = rows[last - 1].get("val_accuracy")
        if not readings and previous is not None and final["val_accuracy"] > previous:
            readings.append(Reading(STILL_IMPROVING))
    return readings


def best_epoch(history: list[dict], monitor: str = "val_accuracy") -> int | None:
    """The epoch (1-based) whose model the checkpoint kept: best ``monitor``, the first of ties
    (``clfcore.training.monitor``)."""
    return monitoring.best_epoch(history, monitor)


# --- Exports -------------------------------------------------------------------------------------

REPORT_COLUMNS = (
    N_("precision"),
    N_("recall"),
    N_("f1-score"),
    N_("specificity"),
    N_("npv"),
    N_("support"),
)
AVERAGE_NAMES = {"macro": N_("macro avg"), "micro": N_("micro avg"), "weighted": N_("weighted avg")}


def _identity(text: str, **params) -> str:
    return text.format(**params) if params else text


def metrics_rows(
    report: Report, class_names: tuple[str, ...] | None = None, *, tr=_identity
) -> list[dict]:
    """One row per class, then the macro, micro and weighted averages: class, precision ...
    support."""
    names = class_names or report.class_names
    keys = ("precision", "recall", "f1", "specificity", "npv")
    rows = [
        {
            "class": names[c],
            **{k: float(report.per_class[k][c]) for k in keys},
            "support": int(report.per_class["support"][c]),
        }
        for c in range(report.num_classes)
    ]
    total = int(report.per_class["support"].sum())
    rows += [
        {"class": tr(AVERAGE_NAMES[a]), **report.averages[a], "support": total} for a in AVERAGES
    ]
    return rows


def metrics_csv(report: Report, class_names: tuple[str, ...] | None = None, *, tr=_identity) -> str:
    """The per-class metrics and their averages as CSV (one row per class, then macro, micro,
    weighted)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["class", "precision", "recall", "f1", "specificity", "npv", "support"])
    for row in metrics_rows(report, class_names, tr=tr):
        writer.writerow([row["class"], *(f"{row[k]:.6f}" for k in METRICS), row["support"]])
    return out.getvalue()


def confusion_csv(report: Report, class_names: tuple[str, ...] | None = None) -> str:
    """The confusion matrix as CSV: one row per true class, one column per predicted class."""
    if report.confusion is None:
        raise UserInputError(
            "A multi-label task has no single confusion matrix: download the per-label "
            "metrics instead."
        )
    names = class_names or report.class_names
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["true \\ predicted", *names])
    for name, row in zip(names, report.confusion):
        writer.writerow([name, *(int(v) for v in row)])
    return out.getvalue()


TEXT_SUMMARY = N_("{count} test images · accuracy {accuracy:.2%} · loss {loss:.4f}")
TEXT_TOP_K = N_("top-{k} accuracy {value:.2%}")
TEXT_MULTILABEL = N_(
    "subset accuracy {accuracy:.2%} · Hamming loss {hamming:.4f} · threshold {threshold:.2f}"
)


def classification_report(
    report: Report,
    class_names: tuple[str, ...] | None = None,
    *,
    title: str = "",
    tr=_identity,
    digits: int = 3,
) -> str:
    """A plain-text report like scikit-learn's ``classification_report``, plus specificity, NPV and
    the notes."""
    names = list(class_names or report.class_names)
    rows = metrics_rows(report, tuple(names), tr=tr)
    width = max(len(str(row["class"])) for row in rows) + 2
    header = " " * width + "".join(f"{tr(col):>13}" for col in REPORT_COLUMNS)
    lines = [title] if title else []
    if report.task == "multilabel":
        lines.append(
            tr(
                TEXT_MULTILABEL,
                accuracy=report.accuracy,
                hamming=report.hamming_loss,
                threshold=report.threshold,
            )
        )
    else:
        lines.append(
            tr(TEXT_SUMMARY, count=report.num_images, accuracy=report.accuracy, loss=report.loss)
        )
        if report.top_k:
            lines.append(" · ".join(tr(TEXT_TOP_K, k=k, value=v) for k, v in report.top_k.items()))
    lines += ["", header, ""]
    for i, row in enumerate(rows):
        if i == report.num_classes:
            lines.append("")
        values = "".join(f"{row[k]:>13.{digits}f}" for k in METRICS)
        lines.append(f"{row['class']:>{width}}{values}{row['support']:>13}")
    if report.notes:
        lines.append("")
        for note in report.notes:
            lines.append(tr(note.template, classes=", ".join(names[c] for c in note.classes)))
    return "\n".join(lines) + "\n"


def report_json(report: Report) -> dict:
    """The report as plain JSON types, for the command line: accuracy, confusion_matrix, per_class,
    averages.

    The figures carry the names of ``clfcore.runs.figures``, as in the run's metrics.json without
    ``test_``: ``accuracy`` is the task's headline accuracy. Multi-label: ``label_accuracy`` (the
    headline, also as ``accuracy``), ``subset_accuracy``, ``hamming_loss``, ``loss``. Hierarchical
    (this report is the fine level): ``accuracy`` and ``fine_loss``, the fine head's cross-entropy;
    there is no plain ``loss``, which in metrics.json is the combined loss of both heads.
    """
    per_class = [
        {
            "class": name,
            **{k: float(report.per_class[k][c]) for k in METRICS},
            "support": int(report.per_class["support"][c]),
        }
        for c, name in enumerate(report.class_names)
    ]
    out = {
        "task": report.task,
        "num_images": report.num_images,
        "accuracy": report.accuracy,
        "fine_loss" if report.task == "hierarchical" else "loss": report.loss,
        "top_k_accuracy": {str(k): v for k, v in report.top_k.items()},
        "class_names": list(report.class_names),
        "confusion_matrix": None if report.confusion is None else report.confusion.tolist(),
        "per_class": per_class,
        **{f"{a}_avg": report.averages[a] for a in AVERAGES},
        "notes": [
            note.template.format(classes=", ".join(report.class_names[c] for c in note.classes))
            for note in report.notes
        ],
    }
    if report.task == "multilabel":
        out.update(
            # the headline: what train and metrics.json call accuracy
            accuracy=report.label_accuracy,
            label_accuracy=report.label_accuracy,
            subset_accuracy=report.accuracy,
            hamming_loss=report.hamming_loss,
            threshold=report.threshold,
        )
    return out


def evaluate_run(run: RunFolder) -> tuple[Report, float]:
    """Predict (or read the cached predictions) and compute every metric. Returns the report and the
    seconds it took."""
    start = time.perf_counter()
    # a multi-label run is judged at the threshold it was trained and tested with
    report = evaluate(predict_run(run), threshold=run.config().threshold)
    return report, time.perf_counter() - start
