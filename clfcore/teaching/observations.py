"""What a lesson step says about the student's own run: pure rules on its history and metrics.

Each rule reads the columns of ``history.csv`` (one dict per epoch, ``clfcore.runs.folder``) and
``metrics.json`` and returns an :class:`Observation`: an English msgid with its numbers, translated
where it is shown. Accuracies come out in percent and gaps in percentage points, rounded to one
decimal, so the text and the tests see the same figures.

    >>> rows = [{"epoch": 1, "accuracy": 0.80, "val_accuracy": 0.78},
    ...         {"epoch": 2, "accuracy": 0.90, "val_accuracy": 0.84},
    ...         {"epoch": 3, "accuracy": 0.95, "val_accuracy": 0.83}]
    >>> overfitting(rows).params
    {'best_epoch': 2, 'best_val': 84.0, 'train': 95.0, 'gap': 12.0}
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from clfcore.i18n import N_
from clfcore.runs import figures

# training accuracy that rose by at least this many points after the best validation epoch "kept
# going"; a final gap of at least OVERFIT_GAP points is overfitting even without that
KEPT_RISING = 0.5
OVERFIT_GAP = 3.0


@dataclass(frozen=True)
class Observation:
    """One sentence about a run: ``text`` is an English msgid, ``params`` its numbers."""

    text: str
    params: Mapping[str, float | int | str] = field(default_factory=dict, hash=False)


@dataclass(frozen=True)
class RunRecord:
    """What the rules read of one run folder."""

    history: tuple[dict, ...]  # history.csv rows
    metrics: dict = field(default_factory=dict, hash=False)  # metrics.json
    task: str = "multiclass"


def _points(value: float) -> float:
    return round(100 * float(value), 1)


def _column(history: Sequence[dict], name: str) -> list[tuple[int, float]]:
    """``(epoch, value)`` of every row that has a number in ``name``."""
    found = []
    for index, row in enumerate(history):
        value = row.get(name)
        if value is not None:
            found.append((int(row.get("epoch") or index + 1), float(value)))
    return found


def final_gap(history: Sequence[dict]) -> float | None:
    """Training minus validation accuracy at the last epoch that has both, in points."""
    both = [
        (row["accuracy"], row["val_accuracy"])
        for row in history
        if row.get("accuracy") is not None and row.get("val_accuracy") is not None
    ]
    if not both:
        return None
    train, val = both[-1]
    return round(_points(train) - _points(val), 1)


def test_accuracy(run: RunRecord) -> Observation | None:
    """The run's headline test figure (``clfcore.runs.figures``)."""
    found = figures.figures_of(run.metrics, run.task)
    name = figures.HEADLINE.get(run.task, "accuracy")
    if name not in found:
        return None
    if run.task == "multilabel":
        return Observation(
            N_(
                "Label accuracy (each yes/no decision on its own): {accuracy} %. Images with "
                "every label right: {subset} %."
            ),
            {"accuracy": _points(found[name]), "subset": _points(found.get("subset_accuracy", 0))},
        )
    if run.task == "hierarchical" and "coarse_accuracy" in found:
        return Observation(
            N_(
                "Your model finds the right class in {accuracy} % and the right group in "
                "{coarse} %, counting all the test images: the group is the easier question."
            ),
            {"accuracy": _points(found[name]), "coarse": _points(found["coarse_accuracy"])},
        )
    return Observation(
        N_("Your test accuracy is {accuracy} %: images the model never saw while training."),
        {"accuracy": _points(found[name])},
    )


def learning(run: RunRecord) -> Observation | None:
    """How validation accuracy moved from the first epoch to the last."""
    val = _column(run.history, "val_accuracy")
    if len(val) < 2:
        return None
    (_, first), (last_epoch, last) = val[0], val[-1]
    return Observation(
        N_(
            "Your validation accuracy went from {first} % after epoch 1 to {last} % after "
            "epoch {epochs}."
        ),
        {"first": _points(first), "last": _points(last), "epochs": last_epoch},
    )


def overfitting(run: RunRecord | Sequence[dict]) -> Observation | None:
    """Whether validation accuracy stopped rising while training accuracy kept going.

    Accepts a RunRecord or the history rows themselves.
    """
    history = run.history if isinstance(run, RunRecord) else run
    train, val = dict(_column(history, "accuracy")), _column(history, "val_accuracy")
    epochs = [epoch for epoch, _ in val if epoch in train]
    if len(epochs) < 2:
        return None
    val_by_epoch = dict(val)
    # the first epoch with the best validation accuracy: a tie later on is no longer a rise
    best_epoch = max(epochs, key=lambda e: (val_by_epoch[e], -e))
    last = epochs[-1]
    gap = round(_points(train[last]) - _points(val_by_epoch[last]), 1)
    kept_rising = _points(train[last]) - _points(train[best_epoch]) >= KEPT_RISING
    params = {
        "best_epoch": best_epoch,
        "best_val": _points(val_by_epoch[best_epoch]),
        "train": _points(train[last]),
        "gap": gap,
    }
    if best_epoch < last and kept_rising:
        return Observation(
            N_(
                "Your validation accuracy stopped rising at epoch {best_epoch} ({best_val} %) "
                "while training accuracy kept going, up to {train} %: that gap of {gap} points "
                "is overfitting. The model is learning its training images by heart."
            ),
            params,
        )
    if gap >= OVERFIT_GAP:
        return Observation(
            N_(
                "Training accuracy ends {gap} points above validation accuracy: the model does "
                "better on the images it trained on. That gap is overfitting."
            ),
            params,
        )
    return Observation(
        N_(
            "Training and validation accuracy end within {gap} points of each other: no clear "
            "overfitting in this run yet. More epochs would show it."
        ),
        params,
    )


def gap_change(run: RunRecord, before: RunRecord) -> Observation | None:
    """How the final train-validation gap of ``run`` compares with that of ``before``."""
    now, then = final_gap(run.history), final_gap(before.history)
    if now is None or then is None:
        return None
    params = {"before": then, "after": now}
    if now < then:
        return Observation(
            N_(
                "With augmentation the gap between training and validation accuracy shrank "
                "from {before} to {after} points: the model memorises less."
            ),
            params,
        )
    return Observation(
        N_(
            "With augmentation the gap between training and validation accuracy went from "
            "{before} to {after} points: it did not shrink in this run. Augmentation usually "
            "needs more epochs to pay off."
        ),
        params,
    )


def accuracy_change(run: RunRecord, before: RunRecord) -> Observation | None:
    """The test accuracy of ``run`` against that of ``before`` (same dataset)."""
    name = figures.HEADLINE.get(run.task, "accuracy")
    now = figures.figures_of(run.metrics, run.task).get(name)
    then = figures.figures_of(before.metrics, before.task).get(name)
    if now is None or then is None:
        return None
    change = round(_points(now) - _points(then), 1)
    return Observation(
        N_("This run's test accuracy: {after} %. The run you compare it with: {before} %."),
        {"after": _points(now), "before": _points(then), "change": change},
    )


SINGLE: dict[str, Callable[[RunRecord], Observation | None]] = {
    "test_accuracy": test_accuracy,
    "learning": learning,
    "overfitting": overfitting,
}
PAIRED: dict[str, Callable[[RunRecord, RunRecord], Observation | None]] = {
    "gap_change": gap_change,
    "accuracy_change": accuracy_change,
}
RULES = (*SINGLE, *PAIRED)  # every rule id a lesson step may name


def observe(
    rules: Sequence[str], run: RunRecord, before: RunRecord | None = None
) -> list[Observation]:
    """Every observation the ``rules`` make about ``run`` (paired rules only with ``before``)."""
    found = []
    for rule in rules:
        if rule in SINGLE:
            found.append(SINGLE[rule](run))
        elif before is not None:
            found.append(PAIRED[rule](run, before))
    return [observation for observation in found if observation is not None]
