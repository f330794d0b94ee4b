"""The trainer's callback list: batch-end hooks only for callbacks that have one
(clfcore.training.callbacks.callback_list)."""

import keras
import numpy as np
import pytest
from keras.src.utils import python_utils

from clfcore.training.callbacks import callback_list


def _model():
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2, activation="softmax")])
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


class EpochsOnly(keras.callbacks.Callback):
    def __init__(self):
        super().__init__()
        self.epochs = 0

    def on_epoch_end(self, epoch, logs=None):
        self.epochs += 1


class BatchCounter(keras.callbacks.Callback):
    def __init__(self):
        super().__init__()
        self.batches = 0

    def on_train_batch_end(self, batch, logs=None):
        assert isinstance(logs["loss"], float)  # converted, as Keras does for such a hook
        self.batches += 1


class OldStyleBatchCounter(keras.callbacks.Callback):
    def __init__(self):
        super().__init__()
        self.batches = 0

    def on_batch_end(self, batch, logs=None):  # Keras's old name of on_train_batch_end
        self.batches += 1


def _conversions(monkeypatch, callbacks, *, batch_size):
    """How often Keras turned logs with values into Python numbers during a 2-epoch fit."""
    calls = []
    original = python_utils.pythonify_logs

    def counting(logs):
        if logs:
            calls.append(1)
        return original(logs)

    monkeypatch.setattr(python_utils, "pythonify_logs", counting)
    x, y = np.random.rand(64, 4).astype("float32"), np.random.randint(0, 2, 64)
    model = _model()
    steps = -(-64 // batch_size)
    model.fit(
        x,
        y,
        batch_size=batch_size,
        epochs=2,
        validation_data=(x, y),
        verbose=0,
        callbacks=callback_list(callbacks, model=model, epochs=2, steps=steps),
    )
    return len(calls)


def test_without_batch_end_hooks_no_batch_logs_are_converted(monkeypatch):
    few = _conversions(monkeypatch, [EpochsOnly()], batch_size=32)  # 2 batches an epoch
    many = _conversions(monkeypatch, [EpochsOnly()], batch_size=4)  # 16 batches an epoch
    assert few == many  # per epoch, not per batch


@pytest.mark.parametrize("counter", [BatchCounter, OldStyleBatchCounter])
def test_a_callback_with_a_batch_end_hook_still_gets_every_batch(monkeypatch, counter):
    epochs, batches = EpochsOnly(), counter()
    _conversions(monkeypatch, [epochs, batches], batch_size=8)
    assert batches.batches == 2 * 8 and epochs.epochs == 2


def test_fit_returns_the_history_as_usual():
    x, y = np.random.rand(16, 4).astype("float32"), np.random.randint(0, 2, 16)
    model = _model()
    history = model.fit(
        x, y, epochs=3, verbose=0, callbacks=callback_list([], model=model, epochs=3, steps=1)
    )
    assert len(history.history["loss"]) == 3 and history.params["steps"] == 1
