"""Keras callbacks that carry a run's progress into its folder. The trainer itself never prints.

``ProgressCallback`` writes progress.json (epoch, batch, elapsed, ETA, learning rate) at most a few
times a second and history.csv after every epoch; it also ends training after the current batch
when a stop was requested (a signal, or the stop file the app writes). The first trained batch is
written at once, with its time (``first_batch_at``): how long a run took to start.

``callback_list`` hands them to ``fit`` so that the end of a batch costs nothing: Keras turns every
batch's logs into Python numbers (one wait for the batch's result and a thread hand-off each)
whenever batch-end hooks are called, which in plain ``model.fit`` is always. None of these
callbacks has one; the batch position is written from ``on_train_batch_begin``, which Keras calls
on the training thread without converting anything.
"""

from __future__ import annotations

import math
import time
from pathlib import Path

import keras

from clfcore.fileio import atomic_path
from clfcore.runs.folder import RunFolder
from clfcore.training import monitor as monitoring

WRITE_EVERY_SECONDS = 0.5  # progress.json refresh rate: the page polls about once a second
_BATCH_END_HOOKS = ("on_train_batch_end", "on_test_batch_end", "on_predict_batch_end")


def current_learning_rate(model: keras.Model) -> float:
    return float(keras.ops.convert_to_numpy(model.optimizer.learning_rate))


class ProgressCallback(keras.callbacks.Callback):
    """Live progress and per-epoch history into the run folder; honours stop requests.

    Args:
        run: the run folder to write to.
        num_samples: training images per epoch (to count batches).
        stop_flag: a callable returning True once a stop was requested.
    """

    def __init__(
        self,
        run: RunFolder,
        *,
        num_samples: int,
        stop_flag=lambda: False,
        total_epochs: int | None = None,
        first_epoch: int = 0,
    ) -> None:
        super().__init__()
        self.run = run
        self.num_samples = num_samples
        self.stop_flag = stop_flag
        self.total_epochs = total_epochs  # when training comes in stages (fine-tuning), all of them
        # a continued run's epochs are numbered on from this one (its parent's kept epoch); the
        # fraction and the ETA count this run's epochs only
        self.first_epoch = first_epoch
        self.rows: list[dict] = []
        self.stopped_by_user = False
        self.start: float | None = None  # time.monotonic() when the first stage began
        self.first_batch_at: float | None = None  # time.time() when the first batch had trained

    def on_train_begin(self, logs=None) -> None:
        self.epochs = self.total_epochs or (self.params.get("epochs") or 1) - self.first_epoch
        self.batches = self.params.get("steps") or math.ceil(
            self.num_samples / max(self.params.get("batch_size") or 32, 1)
        )
        if self.start is None:  # a second stage goes on counting
            self.start = time.monotonic()
        self.last_write = 0.0
        self.epoch = self.first_epoch + len(self.rows)
        self.current_batch = 0
        self.epoch_start = self.start
        self._write(batch=0, force=True)

    def on_epoch_begin(self, epoch, logs=None) -> None:
        self.epoch = epoch
        self.current_batch = 0
        self.epoch_start = time.monotonic()

    def on_train_batch_begin(self, batch, logs=None) -> None:
        # ``batch`` batches of this epoch are done (no batch-end hook: see the module's docstring)
        if batch:
            self._batch_done(batch)
        # Checked here, on the training thread, so the loop ends right after this batch.
        self.current_batch = batch + 1
        if self.stop_flag():
            self.stopped_by_user = True
            self.model.stop_training = True

    def _batch_done(self, batches: int) -> None:
        if self.first_batch_at is None:  # the run's first batch: written at once, with its time
            self.first_batch_at = time.time()
            self._write(batch=batches, force=True)
        else:
            self._write(batch=batches)

    def on_epoch_end(self, epoch, logs=None) -> None:
        logs = logs or {}
        if self.first_batch_at is None:  # an epoch of one batch: no next batch began
            self.first_batch_at = time.time()
        row = {
            "epoch": epoch + 1,
            "learning_rate": current_learning_rate(self.model),
            "seconds": round(time.monotonic() - self.epoch_start, 3),
        }
        row.update(
            {
                k: float(v)
                for k, v in logs.items()
                if k in ("loss", "accuracy", "val_loss", "val_accuracy")
            }
        )
        self.rows.append(row)
        self.run.write_history(self.rows)
        self._write(batch=self.current_batch, force=True)

    def _write(self, *, batch: int, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self.last_write < WRITE_EVERY_SECONDS:
            return
        self.last_write = now
        done = (self.epoch - self.first_epoch) * self.batches + batch
        total = self.epochs * self.batches
        if self.start is None:
            raise RuntimeError("ProgressCallback wrote progress before on_train_begin.")
        elapsed = now - self.start
        eta = elapsed / done * (total - done) if done else None
        self.run.write_progress(
            {
                "epoch": self.epoch + 1,  # global: "epoch 12 of 15"
                "epochs": self.first_epoch + self.epochs,
                "batch": batch,
                "batches": self.batches,
                "fraction": done / total if total else 0.0,
                "elapsed": round(elapsed, 2),
                "eta": None if eta is None else round(eta, 1),
                "learning_rate": current_learning_rate(self.model),
                "stopping": self.stopped_by_user,
                "first_batch_at": self.first_batch_at,
            }
        )


class _CallbackList(keras.callbacks.CallbackList):
    """Keras's CallbackList, except that a batch-end hook no callback implements is not called."""

    def __init__(self, callbacks, **kwargs) -> None:
        super().__init__(callbacks, **kwargs)
        self._wanted = {
            hook: any(_implements(callback, hook) for callback in self.callbacks)
            for hook in _BATCH_END_HOOKS
        }

    def on_train_batch_end(self, batch, logs=None) -> None:
        if self._wanted["on_train_batch_end"]:
            super().on_train_batch_end(batch, logs)

    def on_test_batch_end(self, batch, logs=None) -> None:
        if self._wanted["on_test_batch_end"]:
            super().on_test_batch_end(batch, logs)

    def on_predict_batch_end(self, batch, logs=None) -> None:
        if self._wanted["on_predict_batch_end"]:
            super().on_predict_batch_end(batch, logs)


def _implements(callback, hook: str) -> bool:
    """Whether ``callback`` overrides ``hook`` (or, for training batches, its old name
    ``on_batch_end``, which Keras's default ``on_train_batch_end`` calls)."""
    names = (hook, "on_batch_end") if hook == "on_train_batch_end" else (hook,)
    base = keras.callbacks.Callback
    return any(getattr(type(callback), name) is not getattr(base, name) for name in names)


def callback_list(
    callbacks, *, model, epochs: int, steps: int | None
) -> keras.callbacks.CallbackList:
    """``callbacks`` as ``fit(..., verbose=0)`` would wrap them (with a History), minus the
    batch-end calls none of them wants; pass the result as ``fit``'s ``callbacks``.

    Args:
        model: the model ``fit`` is called on.
        epochs: ``fit``'s ``epochs`` (the last epoch's number, counting a continued run's).
        steps: batches per epoch, as Keras counts them (``params["steps"]`` of every callback);
            None when unknown.
    """
    return _CallbackList(
        list(callbacks),
        add_history=True,
        add_progbar=False,
        model=model,
        verbose=0,
        epochs=epochs,
        steps=steps,
    )


class BestModelKeeper(keras.callbacks.Callback):
    """Keeps the best epoch's model as ``path`` (a .keras file), like
    ModelCheckpoint(save_best_only=True).

    The best weights are copied in memory at every improvement, which is cheap; the file is written
    at most every ``save_every_seconds`` and when training ends, so saving never slows a short run,
    and a crash loses at most that many seconds of progress. Writes are atomic. Which epoch is
    better is ``clfcore.training.monitor.is_improvement``: of two equal epochs the first is kept.

    Args:
        save_at_end: write the file when ``fit`` ends. False for a caller that calls
            :meth:`finish` itself once training is over (the trainer: after its last stage, so the
            file is written once and the model in memory is the kept one, with no reload).
    """

    def __init__(
        self,
        path,
        *,
        monitor: str = "val_accuracy",
        save_every_seconds: float = 20.0,
        save_at_end: bool = True,
    ) -> None:
        super().__init__()
        self.path = Path(path)
        self.monitor = monitor
        self.save_every_seconds = save_every_seconds
        self.save_at_end = save_at_end
        self.best = None
        self.best_weights = None
        self.unsaved = False
        self.last_save = time.monotonic()

    def on_epoch_end(self, epoch, logs=None) -> None:
        value = (logs or {}).get(self.monitor)
        # without the monitored value (not logged), every epoch's weights are kept: the last one
        # wins
        if value is None or monitoring.is_improvement(self.monitor, value, self.best):
            self.best = value if value is not None else self.best
            self.best_weights = self.model.get_weights()
            self.unsaved = True
        if self.unsaved and time.monotonic() - self.last_save >= self.save_every_seconds:
            self._save()

    def on_train_end(self, logs=None) -> None:
        if self.save_at_end and (self.unsaved or not self.path.exists()):
            self._save()

    def finish(self) -> None:
        """Training is over: put the kept epoch's weights into the model and write its file (unless
        it holds them already). Afterwards the model in memory is the one in ``path``."""
        if self.best_weights is not None:
            self.model.set_weights(self.best_weights)
        if self.unsaved or not self.path.exists():
            self._write()

    def _save(self) -> None:
        current = self.model.get_weights()
        if self.best_weights is not None:
            self.model.set_weights(self.best_weights)
        self._write()
        self.model.set_weights(current)

    def _write(self) -> None:
        with atomic_path(self.path) as temporary:
            self.model.save(temporary)
        self.unsaved = False
        self.last_save = time.monotonic()
