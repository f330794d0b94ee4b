"""User datasets: image folders under the data root appear in the registry and load like built-ins."""

import json

import numpy as np
import pytest
from PIL import Image

from clfcore import datasets, folders
from clfcore.errors import DatasetError


def make_image_folder(root, classes=("cat", "dog"), count=10, size=(20, 30), mode="RGB"):
    """``count`` small images per class folder (distinct colour per class), like Keras's test helper."""
    for index, name in enumerate(classes):
        (root / name).mkdir(parents=True, exist_ok=True)
        for i in range(count):
            colour = (index * 100, i * 10, 50) if mode == "RGB" else index * 100
            Image.new(mode, (size[1], size[0]), colour).save(root / name / f"{i}.png")
    return root


def test_an_image_folder_under_the_data_root_is_a_dataset(isolated_roots):
    make_image_folder(isolated_roots["data"] / "pets")
    (isolated_roots["data"] / "pets" / "cat" / "notes.txt").write_text("not an image")
    ids = [info.id for info in datasets.list_datasets()]
    assert ids[-1] == "pets"
    info = datasets.get_dataset("pets")
    assert info.class_names == ("cat", "dog") and info.image_shape == (20, 30, 3)
    assert (info.train_count, info.test_count) == (16, 4) and not info.has_own_test_split
    assert datasets.availability("pets").available
    raw = datasets.load_raw("pets")
    assert raw.x_train.shape == (16, 20, 30, 3) and raw.x_test.shape == (4, 20, 30, 3)
    assert np.bincount(raw.y_test).tolist() == [2, 2]
    assert raw.x_train[raw.y_train == 1][0, 0, 0, 0] == 100  # the dog folder's colour


def test_separate_test_folder_manifest_size_and_grayscale(isolated_roots):
    root = isolated_roots["data"] / "digits_photos"
    make_image_folder(root / "train", classes=("0", "1", "2"), count=4, size=(64, 64))
    make_image_folder(root / "test", classes=("0", "1", "2"), count=2, size=(64, 64))
    (root / folders.MANIFEST).write_text(json.dumps({"image_size": [28, 28], "color_mode": "grayscale"}))
    info = datasets.get_dataset("digits_photos")
    assert info.image_shape == (28, 28, 1) and info.has_own_test_split
    splits = datasets.load_splits("digits_photos")
    assert splits.x_test.shape == (6, 28, 28, 1) and len(splits.x_train) + len(splits.x_val) == 12


def test_large_images_are_capped_for_a_cpu(isolated_roots):
    make_image_folder(isolated_roots["data"] / "photos", count=3, size=(400, 600))
    assert datasets.get_dataset("photos").image_shape == (85, folders.MAX_SIDE, 3)


def test_corrupt_images_are_skipped_and_listed(isolated_roots):
    root = make_image_folder(isolated_roots["data"] / "pets", count=5)
    (root / "cat" / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\n truncated")
    raw = datasets.load_raw("pets")
    assert raw.skipped == ("cat/broken.png",)
    assert len(raw.x_train) + len(raw.x_test) == 10


def test_transparent_images_are_composited_on_white(isolated_roots):
    root = isolated_roots["data"] / "shapes"
    for name in ("a", "b"):
        (root / name).mkdir(parents=True)
        for i in range(3):
            Image.new("RGBA", (8, 8), (0, 0, 0, 0)).save(root / name / f"{i}.png")
    raw = datasets.load_raw("shapes")
    assert raw.x_train.min() == 255


def test_folders_that_are_not_datasets_are_ignored(isolated_roots):
    make_image_folder(isolated_roots["data"] / "one_class", classes=("only",))
    (isolated_roots["data"] / "empty" / "a").mkdir(parents=True)
    (isolated_roots["data"] / "empty" / "b").mkdir(parents=True)
    ids = {info.id for info in datasets.list_datasets()}
    assert "one_class" not in ids and "empty" not in ids
    with pytest.raises(DatasetError, match="Unknown dataset 'one_class'"):
        datasets.load_raw("one_class")


@pytest.mark.parametrize("name", ["../outside", "/etc", ".hidden", "a/b"])
def test_ids_cannot_reach_outside_the_data_root(isolated_roots, name):
    with pytest.raises(DatasetError, match="Unknown dataset"):
        datasets.get_dataset(name)


def test_changed_files_are_not_hidden_by_the_cache(isolated_roots):
    root = make_image_folder(isolated_roots["data"] / "pets", count=5)
    assert len(datasets.load_raw("pets").y_train) == 8
    make_image_folder(root, classes=("cat", "dog"), count=10)
    assert len(datasets.load_raw("pets").y_train) == 16
