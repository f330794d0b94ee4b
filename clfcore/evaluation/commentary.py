"""Plain-language readings of a run: which classes fail and why, and what its learning curves say
(overfitting, still improving), as translatable messages for the pages.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from clfcore.evaluation.scoring import (
    Report,
)
from clfcore.i18n import N_

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
