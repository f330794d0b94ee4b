"""What Keras compiles a model with for each task type: loss, metrics, and the test figures.

Importing this module does not import Keras; the functions do, when called.
"""

from __future__ import annotations

import numpy as np

from clfcore.data.splits import DatasetSplits
from clfcore.models import architectures


def compile_arguments(config, info) -> dict:
    """``loss``, ``metrics`` (and ``loss_weights``) for ``model.compile`` on ``info``'s task.

    "accuracy" is the share of right answers for every task: of images (multi-class), of yes/no
    decisions at 0.5 (binary) or at ``config.threshold`` per label (multi-label: 1 - Hamming loss).
    Hierarchical models have one loss and one accuracy per named output, "coarse" and "fine".
    """
    import keras  # here, not at the top: importing clfcore must not load TensorFlow

    _, _, loss = architectures.output_layer_and_loss(
        info.task, info.num_classes, one_hot=config.one_hot
    )
    if info.task == "hierarchical":
        return {
            "loss": {"coarse": loss, "fine": loss},
            "loss_weights": {"coarse": config.coarse_loss_weight, "fine": config.fine_loss_weight},
            "metrics": {"coarse": ["accuracy"], "fine": ["accuracy"]},
        }
    if info.task in ("binary", "multilabel"):
        # "accuracy" alone would pick categorical accuracy for (N, labels) targets: say which one is
        # meant
        threshold = config.threshold if info.task == "multilabel" else 0.5
        return {
            "loss": loss,
            "metrics": [keras.metrics.BinaryAccuracy(name="accuracy", threshold=threshold)],
        }
    return {"loss": loss, "metrics": ["accuracy"]}


def fine_level_logs():
    """A Keras callback that also logs a hierarchical model's fine-level accuracy as "accuracy" /
    "val_accuracy".

    Put it first: every later callback (progress, best model, early stopping) then monitors the fine
    level under the usual names, and the coarse accuracy stays in the logs next to it.
    """
    import keras

    class FineLevelLogs(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            if logs is None:
                return
            for prefix in ("", "val_"):
                if f"{prefix}fine_accuracy" in logs:
                    logs[f"{prefix}accuracy"] = logs[f"{prefix}fine_accuracy"]

    return FineLevelLogs()


def test_metrics(
    model,
    splits: DatasetSplits,
    *,
    batch_size: int,
    task: str = "multiclass",
    threshold: float = 0.5,
) -> dict[str, float]:
    """The test figures of ``model``, named as ``clfcore.runs.figures`` says (``test_`` + name).

    Binary, multi-class: ``test_accuracy``, ``test_loss``. Multi-label: ``test_label_accuracy``
    (Keras's per-label accuracy, the course's figure and the headline, also as ``test_accuracy``),
    ``test_subset_accuracy`` (every label of an image right, at ``threshold`` as the Evaluate page
    decides: probability >= threshold), ``test_loss``. Hierarchical: ``test_accuracy`` (fine level),
    ``test_coarse_accuracy``, ``test_combined_loss`` (the weighted sum training minimised),
    ``test_fine_loss``, ``test_coarse_loss``.
    """
    scores = model.evaluate(
        splits.x_test, splits.y_test, batch_size=batch_size, verbose=0, return_dict=True
    )
    if task == "hierarchical":
        return {
            "test_accuracy": float(scores["fine_accuracy"]),
            "test_coarse_accuracy": float(scores["coarse_accuracy"]),
            "test_combined_loss": float(scores["loss"]),
            "test_fine_loss": float(scores["fine_loss"]),
            "test_coarse_loss": float(scores["coarse_loss"]),
        }
    out = {"test_accuracy": float(scores["accuracy"]), "test_loss": float(scores["loss"])}
    if task == "multilabel":
        chosen = model.predict(splits.x_test, batch_size=batch_size, verbose=0) >= threshold
        exact = np.all(chosen == (np.asarray(splits.y_test) > 0), axis=1)
        out = {
            "test_label_accuracy": out["test_accuracy"],
            "test_subset_accuracy": float(np.mean(exact)),
            **out,  # test_accuracy: the headline, the label accuracy (clfcore.runs.figures)
        }
    return out
