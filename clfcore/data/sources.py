"""Where each built-in dataset's files live on disk, and how to read them without TensorFlow.

The files are the same ones ``keras.datasets`` downloads and caches; reading them here keeps
TensorFlow out of the app's process until a model is needed. A dataset is looked for in, in order:
the data root (``$CLFCORE_DATA_DIR`` or ``./data``), the system-wide copy of a Debian package
(Fashion-MNIST), and the Keras cache (``$KERAS_HOME/datasets`` or ``~/.keras/datasets``).
"""

from __future__ import annotations

import hashlib
import importlib
import os
import pickle
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from clfcore.data import folders
from clfcore.data.idx import read_idx
from clfcore.data.splits import stratified_split
from clfcore.errors import DatasetError, DatasetUnavailableError
from clfcore.fileio import atomic_path
from clfcore.paths import data_root

DEBIAN_FASHION_MNIST = Path("/usr/share/datasets/fashion-mnist")
IDX_FILES = (
    "train-images-idx3-ubyte.gz",
    "train-labels-idx1-ubyte.gz",
    "t10k-images-idx3-ubyte.gz",
    "t10k-labels-idx1-ubyte.gz",
)
CACHE_DIR = ".cache"  # under the data root: decoded copies of downloads (never a dataset: a dot)
CIFAR10_DIR = "cifar-10-batches-py"
CIFAR100_DIR = "cifar-100-python"


@dataclass(frozen=True, eq=False)
class RawData:
    """A dataset's own train and test splits as stored: uint8 images (N, H, W, C), int labels
    (N,)."""

    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    skipped: tuple[str, ...] = ()  # files that could not be read (user datasets only)


def keras_cache() -> Path:
    """The folder where ``keras.datasets`` caches downloads (``$KERAS_HOME/datasets``)."""
    return Path(os.environ.get("KERAS_HOME") or Path.home() / ".keras") / "datasets"


def _first_existing(candidates: list[Path]) -> Path | None:
    return next((path for path in candidates if path.exists()), None)


def _find_dir(name: str) -> Path | None:
    """A folder called ``name`` in the data root or the Keras cache (Keras 3 nests it in
    ``name-target``)."""
    roots = [data_root(), keras_cache()]
    candidates = []
    for root in roots:
        candidates += [
            root / name,
            root / f"{name}-target" / name,
            root / f"{name}_extracted" / name,
        ]
    return _first_existing([path for path in candidates if path.is_dir()] or [])


# --- Fashion-MNIST and MNIST: IDX files / mnist.npz -----------------------------------------------


def fashion_mnist_location() -> Path | None:
    """The first folder that holds all four Fashion-MNIST IDX files, or None."""
    folders = [
        data_root() / "fashion-mnist",
        data_root(),
        DEBIAN_FASHION_MNIST,
        keras_cache() / "fashion-mnist",
    ]
    return next(
        (folder for folder in folders if all((folder / name).is_file() for name in IDX_FILES)), None
    )


def read_idx_folder(folder: Path) -> RawData:
    """Read the four IDX files (train/t10k images and labels) of MNIST-format data in ``folder``.

    The decoded arrays are cached as an uncompressed .npz under ``<data root>/.cache`` (loading it
    takes a fraction of gunzipping the files: a training starts sooner), keyed by the files' sizes
    and modification times, so a changed file is read again. An unreadable cache is rebuilt; a data
    root that cannot be written to just goes without one.
    """
    cache = _idx_cache_path(folder)
    cached = _read_idx_cache(cache)
    if cached is not None:
        return cached
    raw = _decode_idx_folder(folder)
    _write_idx_cache(cache, raw)
    return raw


_ARRAYS = ("x_train", "y_train", "x_test", "y_test")


def _idx_cache_path(folder: Path) -> Path:
    """``<data root>/.cache/idx-<folder>-<files' stamp>.npz``; a file changed: another name."""
    stamp = []
    for name in IDX_FILES:
        try:
            stat = (folder / name).stat()
        except OSError:  # missing: no cache; the decoding below says what is wrong
            stamp.append(f"{name}:missing")
        else:
            stamp.append(f"{name}:{stat.st_size}:{stat.st_mtime_ns}")
    where = hashlib.sha256(str(Path(folder).resolve()).encode()).hexdigest()[:16]
    what = hashlib.sha256("|".join(stamp).encode()).hexdigest()[:16]
    return data_root() / CACHE_DIR / f"idx-{where}-{what}.npz"


def _read_idx_cache(cache: Path) -> RawData | None:
    """The arrays in ``cache``; None when it is missing or unreadable (then it is rebuilt)."""
    try:
        with np.load(cache, allow_pickle=False) as f:
            arrays = [np.asarray(f[key]) for key in _ARRAYS]
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile):
        return None
    x_train, y_train, x_test, y_test = arrays
    if (
        x_train.dtype != np.uint8
        or x_train.ndim != 4
        or len(x_train) != len(y_train)
        or x_test.shape[1:] != x_train.shape[1:]
        or len(x_test) != len(y_test)
    ):
        return None
    return RawData(x_train, y_train, x_test, y_test)


def _write_idx_cache(cache: Path, raw: RawData) -> None:
    """Write ``raw`` to ``cache`` atomically and drop the same folder's older caches."""
    try:
        cache.parent.mkdir(parents=True, exist_ok=True)
        with atomic_path(cache) as temporary:
            np.savez(temporary, **{key: getattr(raw, key) for key in _ARRAYS})
        for old in cache.parent.glob(f"{cache.name.rsplit('-', 1)[0]}-*.npz"):
            if old != cache:
                old.unlink(missing_ok=True)
    except OSError:  # a read-only data root or a full disk: train from the files, uncached
        return


def _decode_idx_folder(folder: Path) -> RawData:
    x_train, y_train, x_test, y_test = (read_idx(folder / name) for name in IDX_FILES)
    for images, labels, split in ((x_train, y_train, "train"), (x_test, y_test, "t10k")):
        if images.ndim != 3 or labels.ndim != 1 or len(images) != len(labels):
            raise DatasetError(
                "The {split} files in {folder} do not match: {images} images of shape {shape} "
                "but {labels} labels. Delete them and download the dataset again.",
                split=split,
                folder=str(folder),
                images=len(images),
                shape=tuple(images.shape[1:]),
                labels=len(labels),
            )
    return RawData(
        x_train[..., None], y_train.astype(np.int64), x_test[..., None], y_test.astype(np.int64)
    )


def mnist_location() -> Path | None:
    """``mnist.npz`` (the file Keras caches) or a folder of MNIST IDX files, or None."""
    npz = _first_existing([data_root() / "mnist.npz", keras_cache() / "mnist.npz"])
    if npz is not None:
        return npz
    folder = data_root() / "mnist"
    return folder if all((folder / name).is_file() for name in IDX_FILES) else None


def read_mnist(location: Path) -> RawData:
    if location.is_dir():
        return read_idx_folder(location)
    try:
        with np.load(location, allow_pickle=False) as f:
            arrays = [np.asarray(f[key]) for key in ("x_train", "y_train", "x_test", "y_test")]
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile):
        raise DatasetError(
            "The file {path} is truncated or corrupt. Delete it and download MNIST again.",
            path=str(location),
        ) from None
    x_train, y_train, x_test, y_test = arrays
    if (
        x_train.shape[1:] != (28, 28)
        or x_test.shape[1:] != (28, 28)
        or len(x_train) != len(y_train)
    ):
        raise DatasetError(
            "The file {path} does not hold 28x28 MNIST images. Delete it and download MNIST again.",
            path=str(location),
        )
    return RawData(
        x_train.astype(np.uint8)[..., None],
        y_train.astype(np.int64),
        x_test.astype(np.uint8)[..., None],
        y_test.astype(np.int64),
    )


# --- CIFAR-10 / CIFAR-100: Python pickles, read with a restricted unpickler -----------------------


class _RestrictedUnpickler(pickle.Unpickler):
    """Unpickles only the plain containers and numpy arrays of the CIFAR files, never arbitrary
    code."""

    _ALLOWED = frozenset(
        {
            ("numpy.core.multiarray", "_reconstruct"),
            ("numpy._core.multiarray", "_reconstruct"),
            ("numpy", "ndarray"),
            ("numpy", "dtype"),
        }
    )

    def find_class(self, module: str, name: str):
        if (module, name) not in self._ALLOWED:
            raise pickle.UnpicklingError(f"{module}.{name} is not allowed in a CIFAR file")
        return super().find_class(
            module.replace("numpy.core", "numpy._core")
            if module.startswith("numpy.core")
            else module,
            name,
        )


def _load_cifar_batch(path: Path, label_key: str) -> tuple[np.ndarray, np.ndarray]:
    try:
        with open(path, "rb") as f:
            batch = _RestrictedUnpickler(f, encoding="bytes").load()
        data = np.asarray(batch[b"data"], dtype=np.uint8)
        labels = np.asarray(batch[label_key.encode()], dtype=np.int64)
        images = data.reshape(len(data), 3, 32, 32).transpose(0, 2, 3, 1)
    except FileNotFoundError:
        raise DatasetError(
            "The file {path} is missing. Download the dataset again.", path=str(path)
        ) from None
    except (
        pickle.UnpicklingError,
        EOFError,
        KeyError,
        ValueError,
        TypeError,
        AttributeError,
        IndexError,
    ):
        raise DatasetError(
            "The file {path} is truncated or corrupt. Delete its folder and download the "
            "dataset again.",
            path=str(path),
        ) from None
    if len(images) != len(labels):
        raise DatasetError(
            "The file {path} is truncated or corrupt. Delete its folder and download the "
            "dataset again.",
            path=str(path),
        )
    return images, labels


def cifar10_location() -> Path | None:
    return _find_dir(CIFAR10_DIR)


def read_cifar10(folder: Path) -> RawData:
    parts = [_load_cifar_batch(folder / f"data_batch_{i}", "labels") for i in range(1, 6)]
    x_test, y_test = _load_cifar_batch(folder / "test_batch", "labels")
    return RawData(
        np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts]), x_test, y_test
    )


def cifar100_location() -> Path | None:
    return _find_dir(CIFAR100_DIR)


def read_cifar100(folder: Path, label_mode: str) -> RawData:
    key = f"{label_mode}_labels"
    x_train, y_train = _load_cifar_batch(folder / "train", key)
    x_test, y_test = _load_cifar_batch(folder / "test", key)
    return RawData(x_train, y_train, x_test, y_test)


# --- Digits 8x8 (scikit-learn ships it) -----------------------------------------------------------

HELD_OUT_TEST_FRACTION = 0.2  # datasets without a test split of their own hold out 20 %, stratified
HELD_OUT_TEST_SEED = 0  # fixed, so the test set never depends on the user's seed


def read_digits() -> RawData:
    """scikit-learn's 1,797 8x8 digits (values 0-16), rescaled to uint8 0-255, with a held-out test
    split."""
    from sklearn.datasets import load_digits

    bunch = load_digits()
    images = np.round(bunch.images * (255.0 / 16.0)).astype(np.uint8)[..., None]
    labels = bunch.target.astype(np.int64)
    train, test = stratified_split(labels, HELD_OUT_TEST_FRACTION, seed=HELD_OUT_TEST_SEED)
    return RawData(images[train], labels[train], images[test], labels[test])


def read_image_folder(layout) -> RawData:
    """A user dataset (``clfcore.data.folders.FolderLayout``): its test folder, or a held-out
    stratified 20 %."""
    images, labels, skipped = folders.decode(layout, layout.train_files)
    if layout.test_files:
        x_test, y_test, more = folders.decode(layout, layout.test_files)
        return RawData(images, labels, x_test, y_test, tuple(skipped + more))
    train, test = stratified_split(labels, HELD_OUT_TEST_FRACTION, seed=HELD_OUT_TEST_SEED)
    return RawData(images[train], labels[train], images[test], labels[test], tuple(skipped))


# --- Download through keras.datasets (needs the internet once) ------------------------------------


def download_with_keras(loader_name: str, dataset_name: str) -> None:
    """Run ``keras.datasets.<loader_name>.load_data()`` once so the files land in the Keras cache.

    Raises:
        DatasetUnavailableError: when the download fails (offline, firewall, server down).
    """
    try:
        module = importlib.import_module(f"keras.datasets.{loader_name}")
        module.load_data()
    except Exception as exc:  # any network failure means the same thing to the user
        raise DatasetUnavailableError(
            "Could not download {name}: {reason}. Check the internet connection and try "
            "again, or copy the files Keras would download into {cache}.",
            name=dataset_name,
            reason=f"{type(exc).__name__}: {exc}".strip()[:300],
            cache=str(keras_cache()),
        ) from exc
