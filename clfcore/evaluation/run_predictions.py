"""A run's model on its dataset's test split: the predictions, computed once and cached.

Example (with a trained run in the runs root)::

    from clfcore.evaluation import run_predictions
    run = run_predictions.evaluable_run("20261125-114210042-mlp-digits-3fa2")
    predictions = run_predictions.predict_run(run)  # runs the model once; then reads the cache
    predictions.probabilities.shape, predictions.labels[:5]

Predictions are cached in the run folder as ``predictions.npz``, keyed by the model file's
modification time and size, so a page, the command line and a notebook share them; the file is
written atomically and a stale or unreadable one is simply recomputed.
``clfcore.evaluation.scoring`` turns predictions into metrics. Importing this module does not import
Keras.
"""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np

from clfcore.data import datasets, tasks
from clfcore.data.splits import scale_images, stratified_subset
from clfcore.errors import UserInputError
from clfcore.evaluation import hierarchy_levels
from clfcore.evaluation.outputs import PREDICT_CHUNK, Predictions, predict_chunks
from clfcore.fileio import write_bytes_atomic
from clfcore.models.probabilities import probabilities_from_outputs
from clfcore.paths import runs_root
from clfcore.runs import listing, liveness
from clfcore.runs.folder import RunFolder, open_run

PREDICTIONS_FILE = "predictions.npz"
CACHE_VERSION = 1  # bump when the cached arrays change meaning


def evaluable_run(run_id: str, *, root: Path | None = None) -> RunFolder:
    """The run ``run_id`` (a folder name in the runs root) if it has finished and has a model.

    Raises:
        UserInputError: no such run, still training, or no model saved.
    """
    run = open_run(run_id, root=root)
    status = liveness.effective_status(run)
    if status in listing.ACTIVE:
        raise UserInputError(
            "The run {run} is still training or waiting in the queue. Evaluate it when "
            "it has finished, or stop it first.",
            run=run.run_id,
        )
    if not run.model_path.is_file():
        raise UserInputError(
            "The run {run} has no saved model. Train it again to evaluate it.", run=run.run_id
        )
    return run


def find_run(text: str, *, anywhere: bool = False) -> RunFolder:
    """A run given as its id (a folder name in the runs root) or as the path of its folder.

    Args:
        text: ``20261125-114210042-mlp-digits-3fa2``, ``runs/20261125-...`` or ``/any/folder/...``.
        anywhere: accept a run folder wherever it is: the command line, where a person names the
            folders they have. Without it the folder must be directly inside the runs root, the
            only place the app reads runs from.

    Raises:
        UserInputError: no such run, or (without ``anywhere``) a folder outside the runs root.
    """
    path = Path(text)
    if anywhere and (path / "config.json").is_file():
        return RunFolder(path.resolve())
    if path.is_absolute() or len(path.parts) > 1:
        root = runs_root()
        if anywhere:
            raise UserInputError(
                "There is no run folder {path}: a run folder holds the config.json that "
                "training wrote. Give the folder that train printed as run_dir, or a run "
                "id from {root}.",
                path=text,
                root=str(root),
            )
        if path.resolve().parent != root:
            raise UserInputError(
                "The folder {path} is not inside the runs root {root}. Give the run's folder "
                "name, or set CLFCORE_RUNS_DIR to the folder that holds it.",
                path=text,
                root=str(root),
            )
        text = path.resolve().name
    return open_run(text)


def resolve_run(text: str, *, anywhere: bool = False) -> RunFolder:
    """A finished run with a model, given as ``find_run`` takes it (``anywhere``: the command line).

    Raises:
        UserInputError: as ``find_run`` and ``evaluable_run``.
    """
    run = find_run(text, anywhere=anywhere)
    return evaluable_run(run.run_id, root=run.path.parent)


def load_test_set(config) -> tuple[np.ndarray, np.ndarray, tuple[str, ...], str]:
    """The test images (uint8, N x H x W x C), labels, class names and task of a run's dataset.

    Hierarchical datasets: the fine labels and classes (``clfcore.data.hierarchy`` has both levels).
    """
    info = datasets.get_dataset(config.dataset)
    raw = datasets.load_raw(config.dataset)
    labels = raw.y_test[:, 1] if info.task == "hierarchical" else raw.y_test
    return raw.x_test, labels, info.class_names, info.task


def scaled_test_images(config, indices: np.ndarray | list[int]) -> np.ndarray:
    """Some test images scaled to float32 [0, 1] (what the model sees), in the order of
    ``indices``."""
    x_test, *_ = load_test_set(config)
    return scale_images(x_test[np.asarray(indices, dtype=np.int64)])


TRAINING_SAMPLE = 5000  # training images the similar-images view searches (features in seconds)


def training_sample(
    config, *, max_images: int = TRAINING_SAMPLE, seed: int = 0
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Up to ``max_images`` of the images the run trained on (its train split, without the
    validation images), seeded and stratified by class (at random for multi-label rows).

    Returns:
        ``(positions, images, labels)``: positions in the dataset's training images (sorted),
        the images as float32 in [0, 1] and their labels (fine labels when hierarchical, 0/1 rows
        when multi-label).
    """
    info = datasets.get_dataset(config.dataset)
    raw = datasets.load_raw(config.dataset)
    train, _ = tasks.task_split_indices(info.task, raw.y_train, config.split)
    labels = raw.y_train[:, 1] if info.task == "hierarchical" else raw.y_train
    if len(train) > max_images:
        if labels.ndim == 1:
            train = train[stratified_subset(labels[train], max_images, seed=seed)]
        else:
            rng = np.random.default_rng(seed)
            train = rng.choice(train, size=max_images, replace=False)
    picked = np.sort(train)
    return picked, scale_images(raw.x_train[picked]), labels[picked]


def predict(model, images: np.ndarray, *, chunk: int = PREDICT_CHUNK) -> np.ndarray:
    """``model``'s probabilities for uint8 or [0, 1] float images, scaled and predicted a chunk at a
    time."""
    outputs = predict_chunks(model, images, chunk=chunk)
    return probabilities_from_outputs(np.concatenate([np.asarray(o) for o in outputs]))


def model_stamp(run: RunFolder) -> int:
    """The model file's modification time in ns: a cache key that changes when the model is
    rewritten."""
    return run.model_stamp()[0]


def _read_cache(path: Path, stamp: tuple[int, int]) -> Predictions | None:
    try:
        with np.load(path, allow_pickle=False) as data:
            if (
                int(data["version"]) != CACHE_VERSION
                or tuple(int(v) for v in data["model_stamp"]) != stamp
            ):
                return None
            return Predictions(
                data["probabilities"],
                data["labels"],
                tuple(str(c) for c in data["class_names"]),
                str(data["task"]),
            )
    except (OSError, KeyError, ValueError):
        return None


def _write_cache(path: Path, predictions: Predictions, stamp: tuple[int, int]) -> None:
    buffer = io.BytesIO()
    np.savez(
        buffer,
        version=CACHE_VERSION,
        model_stamp=np.asarray(stamp, dtype=np.int64),
        probabilities=predictions.probabilities,
        labels=predictions.labels,
        class_names=np.asarray(predictions.class_names),
        task=np.asarray(predictions.task),
    )
    write_bytes_atomic(path, buffer.getvalue())


def predict_run(run: RunFolder, *, model=None) -> Predictions:
    """The run's model on its dataset's test split; read from predictions.npz when the model is
    unchanged.

    Args:
        run: a run folder with a model.keras.
        model: the already loaded model, to avoid loading it again (optional).
    """

    # two outputs: the fine level here
    if datasets.get_dataset(run.config().dataset).task == "hierarchical":
        fine = hierarchy_levels.predict_run_levels(run).fine  # loads the two-head model itself
        return Predictions(fine.probabilities, fine.labels, fine.class_names, "hierarchical")
    stamp = run.model_stamp()
    cache = run.path / PREDICTIONS_FILE
    cached = _read_cache(cache, stamp)
    x_test, y_test, class_names, task = load_test_set(run.config())
    if cached is not None and cached.num_images == len(x_test):
        return cached
    if model is None:
        model = load_model(run)
    predictions = Predictions(
        predict(model, x_test), np.asarray(y_test).astype(np.int64), tuple(class_names), task
    )
    if predictions.num_classes != len(class_names):
        raise UserInputError(
            "The model of run {run} has {outputs} outputs but its dataset has {classes} "
            "classes. The dataset changed since training: train the model again.",
            run=run.run_id,
            outputs=predictions.num_classes,
            classes=len(class_names),
        )
    _write_cache(cache, predictions, stamp)
    return predictions


def cached_predictions(run: RunFolder) -> Predictions | None:
    """The run's predictions if predictions.npz holds them for the current model (never runs the
    model)."""
    if not run.model_path.is_file():
        return None
    return _read_cache(run.path / PREDICTIONS_FILE, run.model_stamp())


def load_model(run: RunFolder):
    """The run's model.keras, loaded for inference (compile=False: no optimizer state needed).

    A hierarchical run's two-head model comes as its fine level (one output), like the predictions.
    """
    import keras

    model = keras.saving.load_model(run.model_path, compile=False)
    if len(model.outputs) == 2 and list(model.output_names) == ["coarse", "fine"]:
        return keras.Model(model.inputs, model.outputs[1], name=f"{model.name}_fine")
    return model
