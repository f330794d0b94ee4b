import subprocess
import sys

import numpy as np
import pytest

from clfcore.data import datasets, sources
from clfcore.data.splits import SplitConfig
from clfcore.errors import DatasetError, DatasetUnavailableError


def test_registry_has_the_stable_ids_with_descriptions():
    ids = [info.id for info in datasets.list_datasets()]
    assert ids == [
        "fashion_mnist",
        "mnist",
        "cifar10",
        "cifar100",
        "cifar100_coarse",
        "fashion_mnist_mosaic",
        "fashion_mnist_hierarchy",
        "cifar100_hierarchy",
        "digits",
    ]
    for info in datasets.list_datasets():
        assert info.task in datasets.TASKS
        assert len(info.class_names) == info.num_classes == len(set(info.class_names))
        assert info.description and info.source
    assert datasets.get_dataset("cifar100").num_classes == 100
    assert datasets.get_dataset("cifar100_coarse").num_classes == 20
    assert datasets.get_dataset("cifar10").image_shape == (32, 32, 3)


def test_unknown_dataset_names_the_known_ones():
    with pytest.raises(
        DatasetError, match="Unknown dataset 'imagenet'. Choose one of: fashion_mnist"
    ):
        datasets.get_dataset("imagenet")
    with pytest.raises(DatasetError):
        datasets.load_raw("imagenet")


def test_digits_is_always_available_and_has_a_fixed_held_out_test_split():
    assert datasets.availability("digits").available
    raw = datasets.load_raw("digits")
    assert raw.x_train.shape[1:] == (8, 8, 1) and raw.x_train.dtype == np.uint8
    assert len(raw.x_train) + len(raw.x_test) == 1797
    assert (len(raw.x_train), len(raw.x_test)) == (
        datasets.get_dataset("digits").train_count,
        datasets.get_dataset("digits").test_count,
    )
    assert raw.x_train.max() == 255
    assert np.bincount(raw.y_test).min() >= 35  # stratified: every digit is in the test set


def test_offline_default_is_digits_and_missing_datasets_say_how_to_fix(isolated_roots):
    assert datasets.default_dataset_id() == "digits"
    state = datasets.availability("mnist")
    assert not state.available
    message = state.how_to_fix.format(**state.params)
    assert "python -m clfcore download mnist" in message and str(isolated_roots["data"]) in message
    with pytest.raises(DatasetUnavailableError, match="not on this machine yet"):
        datasets.load_raw("cifar10")


def test_fashion_mnist_from_the_data_root(isolated_roots, write_idx_dataset):
    write_idx_dataset(isolated_roots["data"] / "fashion-mnist", train=50, test=20)
    assert datasets.availability("fashion_mnist").location == str(
        isolated_roots["data"] / "fashion-mnist"
    )
    assert datasets.default_dataset_id() == "fashion_mnist"
    splits = datasets.load_splits("fashion_mnist", SplitConfig(validation_split=0.2, seed=0))
    assert splits.x_train.shape == (40, 28, 28, 1) and splits.x_val.shape == (10, 28, 28, 1)
    assert splits.x_test.shape == (20, 28, 28, 1)
    assert (
        splits.x_train.min() >= 0.0
        and splits.x_train.max() <= 1.0
        and splits.x_train.dtype == np.float32
    )
    assert splits.class_names[9] == "Ankle boot"


def test_fashion_mnist_from_the_keras_cache(isolated_roots, write_idx_dataset):
    write_idx_dataset(isolated_roots["keras"] / "datasets" / "fashion-mnist")
    assert datasets.availability("fashion_mnist").available


def test_raw_arrays_are_cached_per_process_and_read_only(isolated_roots, write_idx_dataset):
    write_idx_dataset(isolated_roots["data"] / "fashion-mnist")
    first = datasets.load_raw("fashion_mnist")
    assert datasets.load_raw("fashion_mnist") is first
    with pytest.raises(ValueError):
        first.x_train[0, 0, 0, 0] = 1


def test_truncated_dataset_file_is_a_clear_error(isolated_roots, write_idx_dataset):
    folder = write_idx_dataset(isolated_roots["data"] / "fashion-mnist", train=200)
    path = folder / "train-images-idx3-ubyte.gz"
    path.write_bytes(path.read_bytes()[:100])
    with pytest.raises(DatasetError, match="train-images-idx3-ubyte.gz is truncated or corrupt"):
        datasets.load_raw("fashion_mnist")


def test_mismatched_image_and_label_counts(isolated_roots, write_idx_dataset):
    folder = write_idx_dataset(isolated_roots["data"] / "fashion-mnist")
    write_idx_dataset(isolated_roots["data"] / "other", train=30)
    (folder / "train-labels-idx1-ubyte.gz").write_bytes(
        (isolated_roots["data"] / "other" / "train-labels-idx1-ubyte.gz").read_bytes()
    )
    with pytest.raises(DatasetError, match="do not match: 60 images .* but 30 labels"):
        datasets.load_raw("fashion_mnist")


def test_images_of_the_wrong_size_are_refused(isolated_roots, write_idx_dataset):
    write_idx_dataset(isolated_roots["data"] / "fashion-mnist", size=20)
    with pytest.raises(DatasetError, match=r"shape \(20, 20, 1\), expected \(28, 28, 1\)"):
        datasets.load_raw("fashion_mnist")


def test_mnist_npz_and_its_corruption(isolated_roots):
    path = isolated_roots["keras"] / "datasets" / "mnist.npz"
    path.parent.mkdir()
    rng = np.random.default_rng(0)
    np.savez(
        path,
        x_train=rng.integers(0, 255, (30, 28, 28), dtype=np.uint8),
        y_train=np.arange(30) % 10,
        x_test=rng.integers(0, 255, (10, 28, 28), dtype=np.uint8),
        y_test=np.arange(10),
    )
    raw = datasets.load_raw("mnist")
    assert raw.x_train.shape == (30, 28, 28, 1) and raw.y_test.tolist() == list(range(10))
    datasets._load_raw_cached.cache_clear()
    path.write_bytes(b"PK\x03\x04 this is not a complete zip")
    with pytest.raises(DatasetError, match="mnist.npz is truncated or corrupt"):
        datasets.load_raw("mnist")


def test_cifar10_from_the_keras_3_cache_layout(isolated_roots, write_cifar10):
    write_cifar10(
        isolated_roots["keras"] / "datasets" / "cifar-10-batches-py-target" / "cifar-10-batches-py"
    )
    raw = datasets.load_raw("cifar10")
    assert raw.x_train.shape == (100, 32, 32, 3) and raw.x_test.shape == (20, 32, 32, 3)


def test_cifar100_fine_and_coarse_labels(isolated_roots, write_cifar100):
    write_cifar100(isolated_roots["data"] / "cifar-100-python")
    fine, coarse = datasets.load_raw("cifar100"), datasets.load_raw("cifar100_coarse")
    assert fine.y_train.max() == 99 and coarse.y_train.max() == 19
    np.testing.assert_array_equal(fine.x_train, coarse.x_train)


def test_a_cifar_pickle_that_would_run_code_is_refused(isolated_roots, write_cifar10):
    class Evil:
        def __reduce__(self):
            return (print, ("owned",))

    import pickle

    folder = write_cifar10(isolated_roots["data"] / "cifar-10-batches-py")
    (folder / "test_batch").write_bytes(pickle.dumps({b"data": Evil(), b"labels": [0]}))
    with pytest.raises(DatasetError, match="test_batch is truncated or corrupt"):
        datasets.load_raw("cifar10")


def test_unreachable_download_is_a_clear_message(monkeypatch, isolated_roots):
    import importlib

    def no_network(name):
        raise OSError("[Errno -2] Name or service not known")

    monkeypatch.setattr(importlib, "import_module", no_network)
    with pytest.raises(
        DatasetUnavailableError,
        match="Could not download CIFAR-10: OSError: .*Name or service not known. Check "
        "the internet",
    ):
        datasets.download("cifar10")


def test_download_uses_keras_datasets_then_reads_the_cache(
    monkeypatch, isolated_roots, write_cifar10
):
    import importlib
    import types

    def fake_keras(name):
        assert name == "keras.datasets.cifar10"
        return types.SimpleNamespace(
            load_data=lambda: write_cifar10(
                isolated_roots["keras"]
                / "datasets"
                / "cifar-10-batches-py-target"
                / "cifar-10-batches-py"
            )
        )

    monkeypatch.setattr(importlib, "import_module", fake_keras)
    assert datasets.download("cifar10").available
    assert datasets.load_raw("cifar10").x_train.shape == (100, 32, 32, 3)


def test_full_fashion_mnist_from_the_debian_package(debian_fashion_mnist):
    raw = datasets.load_raw("fashion_mnist")
    assert raw.x_train.shape == (60000, 28, 28, 1) and raw.x_test.shape == (10000, 28, 28, 1)
    assert np.bincount(raw.y_train).tolist() == [6000] * 10
    splits = datasets.load_splits("fashion_mnist", SplitConfig(train_size=1000, seed=1))
    assert len(splits.x_train) == 800 and len(splits.x_val) == 200 and len(splits.x_test) == 10000
    assert np.bincount(splits.y_val).tolist() == [20] * 10


def test_importing_the_data_modules_does_not_import_tensorflow():
    code = (
        "import sys, clfcore.data.datasets, clfcore.data.explore, clfcore.runs.listing, "
        "clfcore.cli; print('tensorflow' in sys.modules or 'keras' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert out == "False"


def test_sources_look_in_the_data_root_first(isolated_roots, write_idx_dataset):
    write_idx_dataset(isolated_roots["data"] / "fashion-mnist")
    write_idx_dataset(isolated_roots["keras"] / "datasets" / "fashion-mnist")
    assert sources.fashion_mnist_location() == isolated_roots["data"] / "fashion-mnist"


def _idx_caches(data_root):
    return sorted((data_root / sources.CACHE_DIR).glob("idx-*.npz"))


def test_decoded_idx_files_are_cached_and_a_hit_skips_the_decoding(
    isolated_roots, write_idx_dataset, monkeypatch
):
    folder = isolated_roots["data"] / "fashion-mnist"
    write_idx_dataset(folder)
    first = sources.read_idx_folder(folder)
    assert len(_idx_caches(isolated_roots["data"])) == 1

    def no_decoding(path):
        raise AssertionError(f"{path} was decoded again despite the cache")

    monkeypatch.setattr(sources, "read_idx", no_decoding)
    again = sources.read_idx_folder(folder)
    for key in ("x_train", "y_train", "x_test", "y_test"):
        np.testing.assert_array_equal(getattr(again, key), getattr(first, key))
        assert getattr(again, key).dtype == getattr(first, key).dtype


def test_a_changed_source_file_misses_the_cache_and_replaces_it(isolated_roots, write_idx_dataset):
    folder = isolated_roots["data"] / "fashion-mnist"
    write_idx_dataset(folder, train=60)
    assert len(sources.read_idx_folder(folder).x_train) == 60
    old = _idx_caches(isolated_roots["data"])
    write_idx_dataset(folder, train=40)  # new files: another size and modification time
    assert len(sources.read_idx_folder(folder).x_train) == 40
    new = _idx_caches(isolated_roots["data"])
    assert len(new) == 1 and new != old  # the stale copy is gone


def test_a_corrupt_cache_file_is_rebuilt(isolated_roots, write_idx_dataset):
    folder = isolated_roots["data"] / "fashion-mnist"
    write_idx_dataset(folder)
    expected = sources.read_idx_folder(folder).x_train
    (cache,) = _idx_caches(isolated_roots["data"])
    cache.write_bytes(cache.read_bytes()[:100])  # truncated
    np.testing.assert_array_equal(sources.read_idx_folder(folder).x_train, expected)
    with np.load(cache) as rebuilt:  # written again, whole
        np.testing.assert_array_equal(rebuilt["x_train"], expected)


def test_a_read_only_data_root_trains_without_a_cache(
    isolated_roots, write_idx_dataset, monkeypatch
):
    folder = isolated_roots["data"] / "fashion-mnist"
    write_idx_dataset(folder)

    def read_only(path):
        raise PermissionError(f"read-only: {path}")

    monkeypatch.setattr(sources, "atomic_path", read_only)
    assert len(sources.read_idx_folder(folder).x_train) == 60
    assert _idx_caches(isolated_roots["data"]) == []
