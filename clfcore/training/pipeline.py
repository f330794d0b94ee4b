"""The training input pipeline: tf.data batches of the training split, augmented, prefetched.

Example (``splits`` from ``datasets.load_splits``, ``model`` a compiled Keras model)::

    dataset = training_dataset(splits.x_train, splits.y_train, batch_size=128, seed=1,
                               augmentation=augment.build_augmentation(AugmentConfig()))
    model.fit(dataset, validation_data=(splits.x_val, splits.y_val), epochs=10)

Only the training split goes through here: validation and test images reach Keras as the plain
arrays they are, so they are never augmented. Each batch is augmented on the CPU by a parallel
``map`` (``num_parallel_calls=AUTOTUNE``) while the model trains on the previous one
(``prefetch(AUTOTUNE)``); on a GPU the augmentation runs inside the model instead
(``AugmentedModel``), where it is faster than feeding the GPU from the CPU.

Reproducible: the shuffle and every batch's random draws come from ``seed``, and the map is
stateless, so TensorFlow's op determinism (which the trainer turns on) keeps it parallel.
"""

from __future__ import annotations

import math

import keras
import numpy as np
import tensorflow as tf


def training_dataset(x, y, *, batch_size, seed, augmentation=None):
    """Shuffled batches of (images, labels), reshuffled every epoch; augmented when ``augmentation``
    is given.

    Args:
        x: float32 images in [0, 1], shape (N, H, W, C).
        y: labels, integers (N,) or one-hot (N, classes).
        batch_size: images per batch (the last batch may be smaller).
        seed: the shuffle order and the augmentation draws of every epoch follow from it.
        augmentation: the ``Augmentation`` layer (``clfcore.data.augment.build_augmentation``),
            called as ``augmentation(images, training=True, seed=...)``; None = no augmentation.

    Returns:
        A ``tf.data.Dataset`` to pass to ``model.fit``.
    """
    autotune = tf.data.AUTOTUNE
    images = tf.constant(x)  # one copy; batches are gathered from it by index
    # an array, or a dict of arrays (a hierarchical model's two outputs)
    labels = tf.nest.map_structure(tf.constant, y)

    def label_batch(index):
        return tf.nest.map_structure(lambda values: tf.gather(values, index), labels)

    order = (
        tf.data.Dataset.range(len(x))
        .shuffle(len(x), seed=seed, reshuffle_each_iteration=True)
        .batch(batch_size)
    )
    if augmentation is None:
        return order.map(
            lambda index: (tf.gather(images, index), label_batch(index)),
            num_parallel_calls=autotune,
        ).prefetch(autotune)
    # One seed pair per batch, new ones every epoch; the map then holds no random state and can run
    # in parallel.
    batch_seeds = tf.data.Dataset.random(seed=seed, rerandomize_each_iteration=True).batch(2)

    def augment_batch(index, batch_seed):
        return augmentation(tf.gather(images, index), training=True, seed=batch_seed), label_batch(
            index
        )

    return (
        tf.data.Dataset.zip((order, batch_seeds))
        .map(augment_batch, num_parallel_calls=autotune)
        .prefetch(autotune)
    )


def batch_seeds(seed: int, count: int) -> np.ndarray:
    """The first ``count`` batch seeds ``training_dataset`` uses in its first epoch, shape (count,
    2)."""
    return np.stack(
        list(
            tf.data.Dataset.random(seed=seed, rerandomize_each_iteration=True)
            .batch(2)
            .take(count)
            .as_numpy_iterator()
        )
    )


def augmentation_placement() -> str:
    """Where augmentation runs: "model" when a GPU is visible, else "map" (the tf.data pipeline on
    the CPU)."""
    return "model" if tf.config.list_logical_devices("GPU") else "map"


class AugmentedModel(keras.Model):
    """Trains ``model`` on augmented images by running ``augmentation`` as its first step (for
    GPUs).

    Saving writes ``model`` alone: the augmentation is inactive at inference anyway, and the saved
    file then loads anywhere without this class. Weights are shared, so ``model`` is the trained
    one.
    """

    def __init__(self, model: keras.Model, augmentation: keras.layers.Layer, **kwargs) -> None:
        super().__init__(name=f"{model.name}_augmented", **kwargs)
        self.model = model
        self.augmentation = augmentation

    def call(self, inputs, training=False):
        return self.model(self.augmentation(inputs, training=training), training=training)

    def save(self, filepath, *args, **kwargs):
        return self.model.save(filepath, *args, **kwargs)


def batches_per_epoch(fit_kwargs: dict) -> int | None:
    """How many batches ``fit(**fit_kwargs)`` trains per epoch (``fit_inputs``'s second value), as
    Keras counts them: a partial last batch counts; None for a dataset of unknown length."""
    x = fit_kwargs["x"]
    if isinstance(x, tf.data.Dataset):
        count = int(x.cardinality())
        return count if count >= 0 else None
    return math.ceil(len(x) / fit_kwargs["batch_size"])


def fit_inputs(
    model, splits, *, batch_size: int, seed: int, augmentation=None, placement: str | None = None
) -> tuple:
    """What to pass to ``fit``: ``(model_to_fit, fit_kwargs)`` for the training split.

    Without augmentation: the arrays themselves, as a plain ``model.fit`` would take them (Keras
    batches and shuffles them; nothing is added). With augmentation: the tf.data pipeline above
    (placement "map"), or the arrays and an ``AugmentedModel`` around the compiled ``model``
    (placement "model", the default when a GPU is visible). Call it inside the strategy scope.
    """
    if augmentation is None:
        return model, {
            "x": splits.x_train,
            "y": splits.y_train,
            "batch_size": batch_size,
            "shuffle": True,
        }
    placement = placement or augmentation_placement()
    if placement == "model":
        wrapped = AugmentedModel(model, augmentation)
        wrapped.compile(
            optimizer=model.optimizer,
            loss=model.loss,
            metrics=["accuracy"],
            run_eagerly=model.run_eagerly,
        )
        return wrapped, {
            "x": splits.x_train,
            "y": splits.y_train,
            "batch_size": batch_size,
            "shuffle": True,
        }
    dataset = training_dataset(
        splits.x_train, splits.y_train, batch_size=batch_size, seed=seed, augmentation=augmentation
    )
    # the dataset shuffles itself (seeded, every epoch)
    return model, {
        "x": dataset,
        "shuffle": False,
    }
