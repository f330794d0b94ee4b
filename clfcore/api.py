"""The public Python API: clfcore from a notebook or a script, without its internals.

Example::

    import clfcore
    data = clfcore.load_dataset("digits")
    config = clfcore.TrainConfig.for_architecture("mlp", dataset="digits", epochs=2)
    run = clfcore.train(config)         # trains here; writes a run folder like the app
    run.metrics["test_accuracy"], run.history["val_accuracy"].tolist()
    report = clfcore.evaluate(run)      # accuracy, confusion matrix, per-class scores
    [p.label for p in clfcore.predict(run, data.x_test[:3])]

Training is the trainer of ``python -m clfcore train`` (``clfcore.training.trainer``), run in
this process, so a run trained here shows up on the app's Runs and Evaluate pages, and the other
way round.
Importing this module does not import TensorFlow: training, loading a model and predicting do.
Every mistake a caller can fix raises ``clfcore.UserInputError`` with a message saying how.
"""

from __future__ import annotations

import contextlib
import functools
import os
import signal
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from clfcore import tfenv
from clfcore.config import TrainConfig
from clfcore.data import datasets
from clfcore.data.splits import DatasetSplits, SplitConfig, scale_images
from clfcore.errors import UserInputError
from clfcore.evaluation import run_predictions, scoring
from clfcore.inference import imagefile
from clfcore.inference import predict as inference
from clfcore.inference.predict import Prediction
from clfcore.inference.preprocess import preprocess
from clfcore.models import architectures
from clfcore.paths import runs_root
from clfcore.runs import listing, liveness
from clfcore.runs.folder import HISTORY_COLUMNS, RunFolder, create_run
from clfcore.runs.folder import open_run as open_run_folder
from clfcore.training import trainer

__all__ = [
    "Run",
    "evaluate",
    "list_runs",
    "load_dataset",
    "open_run",
    "predict",
    "train",
]

EpochCallback = Callable[[int, dict[str, float]], Any]


def load_dataset(
    name: str,
    *,
    validation_split: float = SplitConfig.validation_split,
    train_size: int | None = None,
    seed: int = SplitConfig.seed,
    one_hot: bool = False,
) -> DatasetSplits:
    """The train, validation and test arrays of a dataset, as training uses them.

    Args:
        name: a dataset id such as ``"digits"``, ``"fashion_mnist"`` or ``"cifar10"``, a binary
            task such as ``"digits:3-vs-rest"``, or the name of your own folder under the data root.
        validation_split: fraction of the training images held out for validation. Defaults to 0.2.
        train_size: a stratified subset of this many training images (before the validation
            split); None, the default, keeps them all.
        seed: seed of the subset and the split. Defaults to 42, as ``TrainConfig``.
        one_hot: one-hot labels instead of integers. Defaults to False.

    Returns:
        ``DatasetSplits`` with ``x_train``, ``x_val``, ``x_test`` (float32 in [0, 1], shape
        (N, height, width, channels)), ``y_train``, ``y_val``, ``y_test`` (int64 of shape (N,), or
        float32 (N, num_classes) when ``one_hot``) and ``class_names``. The same settings give the
        same arrays as ``train`` with a ``TrainConfig`` of the same settings.

    Raises:
        UserInputError: an unknown dataset (the message lists the known ones), one that is not on
            this machine (the message says how to get it), or settings out of range.
    """
    if not isinstance(name, str):
        raise UserInputError(
            'The dataset name must be a string such as "digits", got {kind}.',
            kind=type(name).__name__,
        )
    split = SplitConfig(
        validation_split=validation_split, train_size=train_size, seed=seed, one_hot=one_hot
    )
    return datasets.load_splits(name, split)


@dataclass(frozen=True, eq=False)
class Run:
    """A training run's folder: what was trained, how it went, and its model.

    Everything is read from the folder when asked for (a run still training shows its progress so
    far), except ``model``, which is loaded once per ``Run``.
    """

    path: Path  # the run folder (config.json, history.csv, metrics.json, model.keras, ...)

    @property
    def run_id(self) -> str:
        """The folder's name, e.g. ``20261125-114210042-mlp-digits-3fa2``."""
        return self.path.name

    @property
    def config(self) -> TrainConfig:
        """The ``TrainConfig`` the run was trained with."""
        return self._folder.config()

    @property
    def status(self) -> str:
        """queued, running, completed, stopped, failed or interrupted."""
        return liveness.effective_status(self._folder)

    @property
    def history(self) -> pd.DataFrame:
        """One row per finished epoch.

        Columns: epoch, loss, accuracy, val_loss, val_accuracy, learning_rate, seconds.
        """
        rows = self._folder.history()
        frame = pd.DataFrame(rows) if rows else pd.DataFrame(columns=list(HISTORY_COLUMNS))
        if rows:
            frame["epoch"] = frame["epoch"].astype(int)
        return frame

    @property
    def metrics(self) -> dict:
        """The test metrics written when training ended (test_accuracy, test_loss, epochs_run,
        best_epoch, train_seconds, stopped, ...); {} before that."""
        return self._folder.metrics()

    @functools.cached_property
    def model(self):
        """The trained ``keras.Model`` (its best epoch) from model.keras, loaded on first use.

        Raises:
            UserInputError: no model saved yet.
        """
        self._require_model()
        # Keras only here: listing and reading runs stay free of TensorFlow
        import keras

        # registers the augmentation layer a saved model may contain
        from clfcore.data import augment_layer  # noqa: F401

        return keras.saving.load_model(self._folder.model_path)

    @property
    def _folder(self) -> RunFolder:
        return RunFolder(self.path)

    def _require_model(self) -> None:
        if not self._folder.model_path.is_file():
            raise UserInputError(
                "The run {run} has no saved model yet: it is saved when the first epoch "
                "ends. Wait for it, or choose another run.",
                run=self.run_id,
            )

    def __repr__(self) -> str:
        accuracy = self.metrics.get("test_accuracy")
        shown = f", test_accuracy={accuracy:.4f}" if isinstance(accuracy, float) else ""
        return f"Run({self.run_id!r}, status={self.status!r}{shown})"


def train(
    config: TrainConfig,
    *,
    runs_dir: str | os.PathLike[str] | None = None,
    on_epoch: EpochCallback | None = None,
) -> Run:
    """Train a model in this process, as ``python -m clfcore train`` does; blocks until it ends.

    Interrupting (Ctrl-C, or the notebook's stop button) ends training after the current batch and
    keeps the best model so far: the run's status is then "stopped".

    Args:
        config: what to train. ``TrainConfig.for_architecture("mlp", dataset="digits", epochs=2)``
            starts from the architecture's preset optimizer, learning rate and batch size.
        runs_dir: the folder the run folder is made in. Defaults to ``$CLFCORE_RUNS_DIR``, else
            ``./runs``.
        on_epoch: called after every epoch as ``on_epoch(epoch, logs)``: the epoch number from 1 and
            Keras's logs (``loss``, ``accuracy``, ``val_loss``, ``val_accuracy``, ...).

    Returns:
        The finished ``Run``, with ``history``, ``metrics`` and ``model``.

    Raises:
        UserInputError: settings that cannot train, checked before a run folder is made. A
            failure during training (this one, out of memory, a crash) is raised as it is, and
            the run folder is kept, marked failed with the reason.
    """
    if not isinstance(config, TrainConfig):
        raise UserInputError(
            "train takes a clfcore.TrainConfig, got {kind}. "
            "Build one with clfcore.TrainConfig(dataset=..., architecture=...).",
            kind=type(config).__name__,
        )
    if on_epoch is not None and not callable(on_epoch):
        raise UserInputError(
            "on_epoch must be a function of (epoch, logs), got {kind}.",
            kind=type(on_epoch).__name__,
        )
    # the kernels are chosen before TensorFlow loads (a no-op once something imported it), so
    # before check_config, which may load it to fetch a backbone's weights
    tfenv.prefer_onednn(
        convolutional=architectures.has_convolutions(config.architecture, config.arch_options)
    )
    trainer.check_config(config)  # before any folder is made: a mistake leaves nothing behind
    folder = create_run(config, root=None if runs_dir is None else Path(runs_dir))
    callbacks = () if on_epoch is None else (_epoch_callback(on_epoch),)
    with _signal_handlers_restored():
        trainer.run_in_this_process(folder, callbacks=callbacks)
    return Run(folder.path)


def _epoch_callback(on_epoch: EpochCallback):
    import keras  # only when training: importing this module stays free of TensorFlow

    return keras.callbacks.LambdaCallback(
        on_epoch_end=lambda epoch, logs: on_epoch(epoch + 1, dict(logs or {}))
    )


@contextlib.contextmanager
def _signal_handlers_restored() -> Iterator[None]:
    """Put this process's SIGINT/SIGTERM handlers back after training.

    The trainer turns both into "stop after this batch", which is right for a training process
    that then exits; a notebook's kernel lives on and needs Ctrl-C to interrupt its next cells.
    """
    if threading.current_thread() is not threading.main_thread():
        yield  # signal handlers belong to the main thread; the trainer leaves them alone here
        return
    saved = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for sig, handler in saved.items():
            if handler is not None:  # None: set outside Python, cannot be put back
                signal.signal(sig, handler)


def open_run(
    run: Run | str | os.PathLike[str], *, runs_dir: str | os.PathLike[str] | None = None
) -> Run:
    """An existing run, by its id in the runs root or by the path of its folder.

    Args:
        run: a run id (a folder name, as in ``list_runs``), the path of a run folder, or a ``Run``.
        runs_dir: where run ids are looked up. Defaults to ``$CLFCORE_RUNS_DIR`` or ``./runs``.

    Raises:
        UserInputError: no such run, or a folder that is not a run folder.
    """
    if isinstance(run, Run):
        return run
    if not isinstance(run, (str, os.PathLike)):
        raise UserInputError(
            "A run is given by its id, the path of its folder or a Run from clfcore.train, "
            "got {kind}.",
            kind=type(run).__name__,
        )
    text = os.fspath(run)
    path = Path(text).expanduser()
    if len(path.parts) > 1 or path.is_absolute():
        if not (path / "config.json").is_file():
            raise UserInputError(
                "The folder {path} is not a run folder: it has no config.json. Give a run "
                "id from clfcore.list_runs() or the folder of a run.",
                path=text,
            )
        return Run(path.resolve())
    root = runs_root() if runs_dir is None else Path(runs_dir).expanduser().resolve()
    return Run(open_run_folder(text, root=root).path)


def list_runs(*, runs_dir: str | os.PathLike[str] | None = None) -> list[Run]:
    """Every run in the runs root, newest first (failed and unfinished ones included).

    Args:
        runs_dir: the folder to list. Defaults to ``$CLFCORE_RUNS_DIR`` or ``./runs``.

    Returns:
        A list of ``Run``; empty when the folder does not exist.
    """
    root = None if runs_dir is None else Path(runs_dir).expanduser().resolve()
    return [Run(summary.path) for summary in listing.list_runs(root)]


def evaluate(run: Run | str | os.PathLike[str]) -> scoring.Report:
    """Every test metric of a finished run, as ``python -m clfcore evaluate`` computes them.

    The test-set predictions are computed once and kept in the run folder (``predictions.npz``).

    Args:
        run: a ``Run``, a run id or the path of a run folder.

    Returns:
        A ``Report``: ``accuracy``, ``loss``, ``top_k`` ({k: accuracy}), ``confusion`` (array of
        shape (num_classes, num_classes); rows are true labels), ``per_class`` (precision, recall,
        f1, specificity, npv, support: arrays in class order), ``averages`` (macro, micro,
        weighted) and ``class_names``. Hierarchical runs: the fine level.

    Raises:
        UserInputError: no such run, still training, or no model saved.
    """
    found = open_run(run)
    folder = run_predictions.evaluable_run(found.run_id, root=found.path.parent)
    report, _seconds = scoring.evaluate_run(folder)
    return report


def predict(
    run: Run | str | os.PathLike[str],
    images: np.ndarray | Sequence[Any] | str | os.PathLike[str],
    *,
    top_k: int = inference.TOP_K,
) -> list[Prediction]:
    """Classify images with a run's model.

    Images already in the model's format (its height, width and channels, as ``load_dataset``
    gives them) go to the model as they are. Image files and arrays of any other size are
    prepared as on the Classify page and by ``python -m clfcore predict`` (turned upright, to the
    model's channels, inverted and cropped when the dataset needs it, resized, scaled).

    Args:
        run: a ``Run``, a run id or the path of a run folder.
        images: an array of shape (N, height, width) or (N, height, width, channels), uint8 0-255
            or float in [0, 1]; or a list whose items are such single images or image file paths
            (PNG, JPEG, BMP, GIF, WebP, TIFF); or one file path.
        top_k: classes listed per image, most probable first. Defaults to 5.

    Returns:
        One ``Prediction`` per image, in order: ``label``, ``class_index``, ``probability`` (of the
        best class), ``top_k`` (a tuple of guesses with the same three fields) and ``unsure``
        ("" when sure, "tie" or "low").

    Raises:
        UserInputError: no such run or no model, no images, an image of an unusable shape or value
            range, or a file that is not a readable image.
    """
    if isinstance(top_k, bool) or not isinstance(top_k, int) or top_k < 1:
        raise UserInputError(
            "top_k must be a whole number of at least 1, got {value}.", value=top_k
        )
    items = _image_items(images)
    classifier = _classifier(open_run(run))
    target = classifier.input
    arrays = [_model_input(item, index, target) for index, item in enumerate(items)]
    probabilities = classifier.probabilities(np.stack(arrays))
    multilabel = classifier.output == "multilabel"
    return [
        inference.decide(row, classifier.class_names, top=top_k, multilabel=multilabel)
        for row in probabilities
    ]


def _image_items(images: Any) -> list[Any]:
    """``images`` as a list of single images (arrays) or file paths."""
    if isinstance(images, (str, os.PathLike)):
        items: list[Any] = [images]
    elif isinstance(images, np.ndarray):
        if images.ndim not in (3, 4):
            raise UserInputError(
                "An array of images must have shape (N, height, width) or (N, height, width, "
                "channels), got {shape}. For one image, pass image[None] or [image].",
                shape=tuple(images.shape),
            )
        items = list(images)
    elif isinstance(images, Sequence):
        items = list(images)
    else:
        raise UserInputError(
            "Images are given as an array, a list of arrays or file paths, or one file "
            "path, got {kind}.",
            kind=type(images).__name__,
        )
    if not items:
        raise UserInputError(
            "No images given: pass an array of shape (N, height, width, channels) or a "
            "list of images or file paths."
        )
    return items


def _classifier(run: Run) -> inference.Classifier:
    """The run's model ready to classify (loaded and warmed up once per Run and model file)."""
    run._require_model()
    stamp = run_predictions.model_stamp(run._folder)
    cached = run.__dict__.get("_classifier")
    if cached is None or cached[0] != stamp:
        cached = (stamp, inference.load_run(run._folder))
        run.__dict__["_classifier"] = cached  # frozen dataclass: a cache beside its fields
    return cached[1]


def _model_input(item: Any, index: int, target) -> np.ndarray:
    """One image as the model's input: float32 of shape (height, width, channels)."""
    if isinstance(item, (str, os.PathLike)):
        return preprocess(imagefile.open_path(Path(item)), target).array
    array = np.asarray(item)
    if array.ndim == 2:
        array = array[..., None]
    if array.ndim != 3 or array.shape[2] not in (1, 3):
        raise UserInputError(
            "Image {index} has shape {shape}: give a file path, or an array of shape (height, "
            "width) or (height, width, 1 or 3 channels).",
            index=index,
            shape=tuple(array.shape),
        )
    _check_pixels(array, index)
    if array.shape == (target.height, target.width, target.channels):
        # already the training format (a dataset image): exactly what the model saw when training
        scaled = array.astype(np.float32) if array.dtype.kind == "f" else scale_images(array)
        return scaled * np.float32(target.value_range)
    pixels = np.rint(array * 255.0) if array.dtype.kind == "f" else array
    opened = imagefile.from_array(pixels.astype(np.uint8), name=f"image {index}")
    return preprocess(opened, target).array


def _check_pixels(array: np.ndarray, index: int) -> None:
    """Pixels must be integers 0-255 or floats in [0, 1]."""
    if array.dtype.kind not in "uif" or array.size == 0:
        raise UserInputError(
            "Image {index} holds {kind} values: give pixels as 0-255 integers or floats "
            "between 0 and 1.",
            index=index,
            kind=str(array.dtype),
        )
    low, high = float(array.min()), float(array.max())
    if array.dtype.kind == "f" and (low < 0 or high > 1):
        raise UserInputError(
            "Image {index} has float pixels from {low:g} to {high:g}; floats must be between "
            "0 and 1 (divide 0-255 values by 255).",
            index=index,
            low=low,
            high=high,
        )
    if array.dtype.kind != "f" and (low < 0 or high > 255):
        raise UserInputError(
            "Image {index} has pixels from {low:g} to {high:g}; integer pixels must be 0-255.",
            index=index,
            low=low,
            high=high,
        )
