"""What a classifier's output layer means: its raw outputs as one probability per class.

    >>> p = probabilities_from_outputs(np.array([[0.8], [0.1]]))  # one sigmoid unit: P(class 1)
    >>> p.astype(float).round(3).tolist()
    [[0.2, 0.8], [0.9, 0.1]]

A binary model has a single sigmoid unit giving P(class 1); every other model has one output per
class (softmax, or independent sigmoids for multi-label). Evaluation, the Classify page and the
insight views all read a model's outputs through this one function.
"""

from __future__ import annotations

import numpy as np


def probabilities_from_outputs(outputs, *, dtype=np.float32) -> np.ndarray:
    """The model's raw outputs as (N, num_classes) probabilities; one sigmoid unit becomes [1 - p,
    p].

    Args:
        outputs: (N, units) or (N,) outputs of the model's last layer (a NumPy array or tensor).
        dtype: the float type of the result. Defaults to float32, what Keras computes in.

    Returns:
        array of shape (N, num_classes); (N, 2) for a single-unit model.
    """
    outputs = np.asarray(outputs, dtype=dtype)
    if outputs.ndim == 1:
        outputs = outputs[:, None]
    if outputs.shape[1] == 1:
        return np.concatenate([1 - outputs, outputs], axis=1)
    return outputs
