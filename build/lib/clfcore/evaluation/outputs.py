"""A model's outputs on a test set, with the true labels: the one input of every metric.

>>> import numpy as np
>>> p = Predictions(np.array([[0.9, 0.1], [0.2, 0.8]]), np.array([0, 0]), ("cat", "dog"))
>>> p.predicted.tolist(), p.correct.tolist()
([0, 1], [True, False])
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

EPSILON = 1e-7  # Keras clips probabilities to [eps, 1 - eps] before taking logs


@dataclass(frozen=True, eq=False)
class Predictions:
    """A model's outputs on a test set, with the true labels.

    ``probabilities`` has shape (N, num_classes): softmax outputs for multiclass tasks, ``[1 - p, p]``
    for a binary model's single sigmoid unit, independent sigmoids for multi-label tasks.
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
        """(N,) each image's cross-entropy, the loss Keras trains on (binary cross-entropy per label for multi-label)."""
        p = np.clip(self.probabilities.astype(np.float64), EPSILON, 1 - EPSILON)
        if self.multilabel:
            y = self.labels > 0
            return -np.mean(np.where(y, np.log(p), np.log(1 - p)), axis=1)
        return -np.log(p[np.arange(self.num_images), self.labels])


def probabilities_from_outputs(outputs: np.ndarray) -> np.ndarray:
    """The model's raw outputs as (N, num_classes) probabilities; one sigmoid unit becomes [1 - p, p]."""
    outputs = np.asarray(outputs, dtype=np.float32)
    if outputs.ndim == 1:
        outputs = outputs[:, None]
    if outputs.shape[1] == 1:
        return np.concatenate([1 - outputs, outputs], axis=1)
    return outputs
