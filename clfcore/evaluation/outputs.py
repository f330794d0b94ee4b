"""A model's outputs on a test set, with the true labels: the one input of every metric.

>>> import numpy as np
>>> p = Predictions(np.array([[0.9, 0.1], [0.2, 0.8]]), np.array([0, 0]), ("cat", "dog"))
>>> p.predicted.tolist(), p.correct.tolist()
([0, 1], [True, False])
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from clfcore.data.splits import scale_images
from clfcore.errors import UserInputError

PREDICT_CHUNK = 2048  # images scaled and predicted at a time: bounded memory for large test sets
EPSILON = 1e-7  # Keras clips probabilities to [eps, 1 - eps] before taking logs


@dataclass(frozen=True, eq=False)
class Predictions:
    """A model's outputs on a test set, with the true labels.

    ``probabilities`` has shape (N, num_classes): softmax outputs for multiclass tasks, ``[1 - p,
    p]`` for a binary model's single sigmoid unit, independent sigmoids for multi-label tasks.
    ``labels`` is (N,) int64 class indices, or (N, num_classes) 0/1 for multi-label tasks.
    """

    probabilities: np.ndarray
    labels: np.ndarray
    class_names: tuple[str, ...]
    task: str = "multiclass"

    @property
    def num_classes(self) -> int:
        return self.probabilities.shape[1]

    @property
    def num_images(self) -> int:
        return self.probabilities.shape[0]

    @property
    def multilabel(self) -> bool:
        return self.task == "multilabel"

    @property
    def predicted(self) -> np.ndarray:
        """(N,) the class with the highest probability (single-label tasks)."""
        return np.argmax(self.probabilities, axis=1)

    @property
    def confidence(self) -> np.ndarray:
        """(N,) the probability of the predicted class."""
        return np.max(self.probabilities, axis=1)

    @property
    def correct(self) -> np.ndarray:
        """(N,) bool: predicted class == true class (multi-label: every label right at 0.5)."""
        if self.multilabel:
            return np.all((self.probabilities >= 0.5) == (self.labels > 0), axis=1)
        return self.predicted == self.labels

    @property
    def losses(self) -> np.ndarray:
        """(N,) each image's cross-entropy, the loss Keras trains on (binary cross-entropy per label
        for multi-label)."""
        p = np.clip(self.probabilities.astype(np.float64), EPSILON, 1 - EPSILON)
        if self.multilabel:
            y = self.labels > 0
            return -np.mean(np.where(y, np.log(p), np.log(1 - p)), axis=1)
        return -np.log(p[np.arange(self.num_images), self.labels])


def predict_chunks(model, images: np.ndarray, *, chunk: int = PREDICT_CHUNK) -> list:
    """``model.predict_on_batch`` on uint8 or [0, 1] float images, scaled and predicted a chunk at a
    time.

    Bounded memory for large test sets: at most ``chunk`` images are scaled to float32 at once.

    Returns:
        one raw output per chunk, in order: an array, or a dict / list for a model with several
        heads.

    Raises:
        UserInputError: there are no images.
    """
    outputs = []
    for start in range(0, len(images), chunk):
        batch = images[start : start + chunk]
        batch = scale_images(batch) if batch.dtype == np.uint8 else batch.astype(np.float32)
        outputs.append(model.predict_on_batch(batch))
    if not outputs:
        raise UserInputError("The test set is empty: there is nothing to evaluate.")
    return outputs
