"""Shared fixtures: every test gets its own empty data root, runs root and Keras cache, and tiny data."""

from __future__ import annotations

import pickle
from pathlib import Path

import numpy as np
import pytest

from clfcore import tfenv

tfenv.prefer_onednn()  # the kernels the app and `python -m clfcore` use: before any test imports TensorFlow

from clfcore.data import datasets, sources  # noqa: E402
from clfcore.data.idx import write_idx  # noqa: E402

FASHION_DEBIAN = Path("/usr/share/datasets/fashion-mnist")


@pytest.fixture(autouse=True)
def isolated_roots(tmp_path, monkeypatch):
    """Point the data root, runs root and Keras cache at empty temp folders; hide the Debian copy."""
    data, runs, keras_home = tmp_path / "data", tmp_path / "runs", tmp_path / "keras"
    for folder in (data, runs, keras_home):
        folder.mkdir()
    monkeypatch.setenv("CLFCORE_DATA_DIR", str(data))
    monkeypatch.setenv("CLFCORE_RUNS_DIR", str(runs))
    monkeypatch.setenv("KERAS_HOME", str(keras_home))
    monkeypatch.setattr(sources, "DEBIAN_FASHION_MNIST", tmp_path / "no-debian-copy")
    datasets._load_raw_cached.cache_clear()
    yield {"data": data, "runs": runs, "keras": keras_home}
    datasets._load_raw_cached.cache_clear()


@pytest.fixture
def debian_fashion_mnist(monkeypatch):
    """The real Fashion-MNIST from the Debian package dataset-fashion-mnist (CI installs it)."""
    if not (FASHION_DEBIAN / "train-images-idx3-ubyte.gz").is_file():
        pytest.skip(
            "Debian package dataset-fashion-mnist is not installed (apt-get install dataset-fashion-mnist)"
        )
    monkeypatch.setattr(sources, "DEBIAN_FASHION_MNIST", FASHION_DEBIAN)
    return FASHION_DEBIAN


def tiny_images(n: int, shape: tuple[int, ...], seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, 256, size=(n, *shape), dtype=np.uint8)


def balanced_labels(n: int, num_classes: int) -> np.ndarray:
    return np.arange(n) % num_classes


def write_idx_dataset(
    folder: Path, *, train: int = 60, test: int = 20, size: int = 28, num_classes: int = 10
) -> Path:
    """The four MNIST-format IDX files with ``train``/``test`` random images, balanced labels."""
    folder.mkdir(parents=True, exist_ok=True)
    write_idx(folder / "train-images-idx3-ubyte.gz", tiny_images(train, (size, size), seed=1))
    write_idx(folder / "train-labels-idx1-ubyte.gz", balanced_labels(train, num_classes))
    write_idx(folder / "t10k-images-idx3-ubyte.gz", tiny_images(test, (size, size), seed=2))
    write_idx(folder / "t10k-labels-idx1-ubyte.gz", balanced_labels(test, num_classes))
    return folder


def write_cifar10(folder: Path, *, per_batch: int = 20) -> Path:
    """A CIFAR-10 python folder (5 data batches + test batch) of random images, pickled like the real one."""
    folder.mkdir(parents=True, exist_ok=True)
    for name in [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]:
        batch = {
            b"data": tiny_images(per_batch, (3 * 32 * 32,)),
            b"labels": [int(v) for v in balanced_labels(per_batch, 10)],
        }
        (folder / name).write_bytes(pickle.dumps(batch))
    return folder


def write_cifar100(folder: Path, *, count: int = 200) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name in ("train", "test"):
        batch = {
            b"data": tiny_images(count, (3 * 32 * 32,)),
            b"fine_labels": [int(v) for v in balanced_labels(count, 100)],
            b"coarse_labels": [int(v) for v in balanced_labels(count, 20)],
        }
        (folder / name).write_bytes(pickle.dumps(batch))
    return folder
