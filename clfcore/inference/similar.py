"""The training images a model finds most alike: nearest neighbours in its penultimate-layer space.

Example (``model`` a trained run's model, ``x_train`` / ``y_train`` its training images in [0, 1]
and labels, ``image`` one test image)::

    from clfcore.inference import similar
    index = similar.fit_index(model, x_train, y_train)
    [(n.position, n.label, round(n.distance, 2)) for n in similar.nearest(index, model, image)]
    # [(812, 7, 1.93), (77, 7, 2.05), ...]  (position in x_train, its label, Euclidean distance)

The features are ``clfcore.inference.insight.penultimate_features``: the values the output layer
classifies, so neighbours there are the images the network treats alike, whatever the pixels say.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from sklearn.neighbors import NearestNeighbors

from clfcore.errors import UserInputError
from clfcore.inference import insight

NEIGHBOURS = 8  # images shown per query


@dataclass(frozen=True, eq=False)
class NeighbourIndex:
    """Fitted nearest neighbours over some training images' penultimate features."""

    positions: np.ndarray  # (N,) each indexed image's position in the images given to fit_index
    labels: np.ndarray  # (N,) or (N, labels): their labels, as given
    features: np.ndarray  # (N, D) float32
    finder: Any  # sklearn.neighbors.NearestNeighbors fitted on ``features``

    @property
    def size(self) -> int:
        return len(self.positions)


@dataclass(frozen=True)
class Neighbour:
    position: int  # in the images given to fit_index
    label: object  # its label (an int, or a 0/1 row for multi-label data)
    distance: float  # Euclidean distance of the features


def fit_index(model, images, labels, *, positions=None, batch_size: int = 256) -> NeighbourIndex:
    """A nearest-neighbour index of ``images`` in ``model``'s penultimate-layer feature space.

    Args:
        model: a trained Keras model; not modified.
        images: float32 in [0, 1], ``(N, H, W, C)``.
        labels: their labels ``(N,)`` (or ``(N, labels)``).
        positions: the images' own numbers (e.g. in the training set), returned by ``nearest``.
            Defaults to 0..N-1.
        batch_size: images per forward pass. Defaults to 256.

    Raises:
        UserInputError: no images, or images and labels of different lengths.
    """
    labels = np.asarray(labels)
    if len(images) == 0 or len(images) != len(labels):
        raise UserInputError(
            "Expected some images and one label each, got {images} images and {labels} labels.",
            images=len(images),
            labels=len(labels),
        )
    positions = np.arange(len(images)) if positions is None else np.asarray(positions)
    features = insight.penultimate_features(model, images, batch_size=batch_size)
    finder = NearestNeighbors(metric="euclidean").fit(features)
    for array in (positions, labels, features):
        array.setflags(write=False)  # shared by every session of the page
    return NeighbourIndex(positions, labels, features, finder)


def nearest(index: NeighbourIndex, model, image, *, count: int = NEIGHBOURS) -> list[Neighbour]:
    """The ``count`` indexed images closest to ``image`` in feature space, closest first.

    Args:
        index: from ``fit_index`` with the same model.
        model: the model the index was fitted with.
        image: one image, float32 in [0, 1], ``(H, W, C)``.
        count: how many neighbours. Defaults to 8 (fewer if the index holds fewer).
    """
    if count < 1:
        raise UserInputError("Ask for at least 1 neighbour, got {count}.", count=count)
    query = insight.penultimate_features(model, np.asarray(image, dtype=np.float32)[None])
    return nearest_to_features(index, query[0], count=count)


def nearest_to_features(index: NeighbourIndex, features, *, count: int = NEIGHBOURS):
    """``nearest`` for a feature vector ``(D,)`` already computed."""
    features = np.asarray(features, dtype=np.float32).reshape(1, -1)
    if features.shape[1] != index.features.shape[1]:
        raise UserInputError(
            "The features have {got} values, the index {expected}: fit it with the same model.",
            got=features.shape[1],
            expected=index.features.shape[1],
        )
    distances, rows = index.finder.kneighbors(features, n_neighbors=min(count, index.size))
    return [
        Neighbour(
            position=int(index.positions[row]),
            label=index.labels[row].item() if index.labels.ndim == 1 else index.labels[row],
            distance=float(distance),
        )
        for distance, row in zip(distances[0], rows[0])
    ]
