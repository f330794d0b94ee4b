"""A report as files: the per-class metrics as CSV and as scikit-learn's text classification
report, the confusion matrix as CSV, and every figure as plain JSON (the ``evaluate`` command).
"""

from __future__ import annotations

import csv
import io

from clfcore.errors import UserInputError
from clfcore.evaluation.scoring import (
    AVERAGES,
    METRICS,
    Report,
)
from clfcore.i18n import N_

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
