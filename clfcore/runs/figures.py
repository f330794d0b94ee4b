"""The test figures of a run, one name each, and the headline figure of every task type.

    >>> figures_of({"test_accuracy": 0.91, "test_loss": 0.3}, "multiclass")
    {'accuracy': 0.91, 'loss': 0.3}

A figure has the same name everywhere: ``test_<name>`` in the trainer's summary (``train``'s last
JSON line, metrics.json), ``<name>`` in ``evaluate``'s JSON, and one label (:data:`LABELS`) on
the pages.

- ``accuracy``: the task's headline accuracy. Binary and multi-class: the share of test images
  classified right (unchanged). Hierarchical: the same at the fine level (the image's class).
  Multi-label: the same as ``label_accuracy``.
- ``label_accuracy`` (multi-label): the share of right (image, label) yes/no decisions at the run's
  threshold, Keras's ``BinaryAccuracy``, 1 - Hamming loss. Mostly-absent labels make it high.
- ``subset_accuracy`` (multi-label): the share of images whose every label is right (exact match,
  scikit-learn's ``accuracy_score``). Much lower than the label accuracy.
- ``loss``: the mean cross-entropy the model was trained on (multi-label: binary cross-entropy
  averaged over the labels). A hierarchical run has no plain ``loss``, but ``combined_loss``
  (λc·L_coarse + λf·L_fine, what training minimised, its history's "loss"), ``fine_loss`` and
  ``coarse_loss``; ``coarse_accuracy`` is the coarse level's accuracy.

The headline (:data:`HEADLINE`) is the figure the course quotes. Its documents (the Keras course's
practices) train a multi-label model "with the same steps as a binary one",
sigmoid units and binary cross-entropy compiled with ``metrics=["accuracy"]``, so the accuracy it
shows is Keras's per-label binary accuracy: the label accuracy, the course's confusion-matrix
accuracy (TP + TN) / all decisions over every label. It heads multi-label runs, with the subset
accuracy always next to it so nobody takes 81 % for "81 % of the images right". A hierarchical
model's accuracy is that of its fine head (the course names the image's class), and the loss that
heads it is the combined one, what ``model.evaluate`` reports and the curves show.

Runs written before these names (metrics.json with only ``test_accuracy`` / ``test_loss``) read the
same: a multi-label run's ``test_accuracy`` was already its label accuracy, a hierarchical run's
``test_loss`` its combined loss.
"""

from __future__ import annotations

from clfcore.i18n import N_

FIGURES = {  # every task's test figures, in the order the pages show them
    "binary": ("accuracy", "loss"),
    "multiclass": ("accuracy", "loss"),
    "multilabel": ("label_accuracy", "subset_accuracy", "loss"),
    "hierarchical": ("accuracy", "coarse_accuracy", "combined_loss", "fine_loss", "coarse_loss"),
}
HEADLINE = {  # the figure a run is known by (Runs table, Train page, best run of a dataset)
    "binary": "accuracy",
    "multiclass": "accuracy",
    "multilabel": "label_accuracy",
    "hierarchical": "accuracy",
}
LABELS = {
    "accuracy": N_("Test accuracy"),
    "label_accuracy": N_("Label accuracy"),
    "subset_accuracy": N_("Subset accuracy"),
    "coarse_accuracy": N_("Coarse accuracy"),
    "loss": N_("Test loss"),
    "combined_loss": N_("Combined loss"),
    "fine_loss": N_("Fine loss"),
    "coarse_loss": N_("Coarse loss"),
}
PERCENT = ("accuracy", "label_accuracy", "subset_accuracy", "coarse_accuracy")  # shown as 91.20 %
_RENAMED = {  # (task, new name) -> the name metrics.json used before
    ("multilabel", "label_accuracy"): "accuracy",
    ("hierarchical", "combined_loss"): "loss",
}


def task_of(metrics: dict, config: dict | None = None) -> str:
    """A run's task type from its metrics.json (or config.json); "multiclass" when neither says."""
    task = metrics.get("task") or (config or {}).get("task")
    if not task and "test_coarse_accuracy" in metrics:
        return "hierarchical"
    return task if task in FIGURES else "multiclass"


def figures_of(metrics: dict, task: str) -> dict[str, float]:
    """The test figures of a metrics.json, by their names without ``test_``, in display order.

    Figures missing from metrics.json are left out; older names are read as today's.
    """
    out = {}
    for name in FIGURES.get(task, FIGURES["multiclass"]):
        value = metrics.get(f"test_{name}")
        if value is None and (task, name) in _RENAMED:
            value = metrics.get(f"test_{_RENAMED[task, name]}")
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            out[name] = float(value)
    return out


def headline(metrics: dict, task: str) -> tuple[str, float | None]:
    """``(figure name, value)`` of the task's headline figure (value None when metrics.json lacks
    it)."""
    name = HEADLINE.get(task, "accuracy")
    return name, figures_of(metrics, task).get(name)
