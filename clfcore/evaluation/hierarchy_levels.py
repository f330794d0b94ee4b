"""A hierarchical run evaluated at both levels: coarse and fine predictions, and how they agree.

Example (``run``: a trained hierarchical run's folder)::

    from clfcore.evaluation import hierarchy_levels
    levels = hierarchy_levels.predict_run_levels(run)
    hierarchy_levels.levels_json(levels)["coarse_right_fine_wrong"]
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import numpy as np

from clfcore.data import datasets
from clfcore.data.hierarchy import coarse_labels
from clfcore.errors import UserInputError
from clfcore.evaluation.outputs import PREDICT_CHUNK, Predictions, predict_chunks
from clfcore.fileio import write_bytes_atomic

PREDICTIONS_FILE = "predictions_levels.npz"


@dataclass(frozen=True, eq=False)
class LevelPredictions:
    """A hierarchical model's test-set outputs at both levels
    (``clfcore.evaluation.outputs.Predictions`` each)."""

    coarse: Predictions
    fine: Predictions
    fine_to_coarse: tuple[int, ...]

    @property
    def coarse_right_fine_wrong(self) -> int:
        """Images whose group was right but whose class was wrong."""
        return int(np.sum(self.coarse.correct & ~self.fine.correct))

    @property
    def fine_implies_coarse(self) -> float:
        """Share of images whose predicted fine class lies inside the predicted coarse class (the
        heads agree)."""
        return float(
            np.mean(
                coarse_labels(self.fine.predicted, self.fine_to_coarse) == self.coarse.predicted
            )
        )


def split_outputs(outputs) -> tuple[np.ndarray, np.ndarray]:
    """(coarse, fine) probabilities from a two-head model's output (a dict by name, or a list in
    output order)."""
    if isinstance(outputs, dict):
        return np.asarray(outputs["coarse"]), np.asarray(outputs["fine"])
    coarse, fine = outputs
    return np.asarray(coarse), np.asarray(fine)


def predict_levels(
    model, images: np.ndarray, *, chunk: int = PREDICT_CHUNK
) -> tuple[np.ndarray, np.ndarray]:
    """Coarse and fine probabilities for uint8 or [0, 1] images, a chunk at a time."""
    coarse, fine = zip(*(split_outputs(o) for o in predict_chunks(model, images, chunk=chunk)))
    return np.concatenate(coarse).astype(np.float32), np.concatenate(fine).astype(np.float32)


def predict_run_levels(run, *, model=None) -> LevelPredictions:
    """Both levels of a hierarchical run on its test split; cached in the run folder per model
    file."""
    config = run.config()
    info = datasets.get_dataset(config.dataset)
    if info.task != "hierarchical":
        raise UserInputError(
            "The run {run} was not trained on a hierarchical dataset.", run=run.run_id
        )
    raw = datasets.load_raw(config.dataset)
    cache, stamp = run.path / PREDICTIONS_FILE, run.model_stamp()
    cached: tuple[np.ndarray, np.ndarray] | None = None  # (coarse, fine) from the run folder
    try:
        with np.load(cache, allow_pickle=False) as data:
            if tuple(int(v) for v in data["model_stamp"]) == stamp and len(data["fine"]) == len(
                raw.y_test
            ):
                cached = data["coarse"], data["fine"]
    except (OSError, KeyError, ValueError):
        pass
    if cached is not None:
        coarse, fine = cached
    else:
        if model is None:
            import keras

            model = keras.saving.load_model(run.model_path, compile=False)
        coarse, fine = predict_levels(model, raw.x_test)
        buffer = io.BytesIO()
        np.savez(buffer, model_stamp=np.asarray(stamp, dtype=np.int64), coarse=coarse, fine=fine)
        write_bytes_atomic(cache, buffer.getvalue())
    y = np.asarray(raw.y_test, dtype=np.int64)
    return LevelPredictions(
        Predictions(coarse, y[:, 0], tuple(info.coarse_names), "multiclass"),
        Predictions(fine, y[:, 1], tuple(info.class_names), "multiclass"),
        tuple(info.fine_to_coarse),
    )


def levels_json(levels: LevelPredictions) -> dict:
    """Accuracy per level and the "coarse right but fine wrong" count, as plain JSON types."""
    return {
        "coarse_accuracy": float(np.mean(levels.coarse.correct)),
        "fine_accuracy": float(np.mean(levels.fine.correct)),
        "coarse_right_fine_wrong": levels.coarse_right_fine_wrong,
        "heads_agree": levels.fine_implies_coarse,
    }
