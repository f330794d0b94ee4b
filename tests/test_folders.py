"""User datasets: image folders under the data root appear in the registry and load like
built-ins."""

import json

import numpy as np
import pytest
from PIL import Image

from clfcore.data import datasets, folders
from clfcore.errors import DatasetError


def test_an_image_folder_under_the_data_root_is_a_dataset(isolated_roots, make_image_folder):
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


def test_separate_test_folder_manifest_size_and_grayscale(isolated_roots, make_image_folder):
    root = isolated_roots["data"] / "digits_photos"
    make_image_folder(root / "train", classes=("0", "1", "2"), count=4, size=(64, 64))
    make_image_folder(root / "test", classes=("0", "1", "2"), count=2, size=(64, 64))
    (root / folders.MANIFEST).write_text(
        json.dumps({"image_size": [28, 28], "color_mode": "grayscale"})
    )
    info = datasets.get_dataset("digits_photos")
    assert info.image_shape == (28, 28, 1) and info.has_own_test_split
    splits = datasets.load_splits("digits_photos")
    assert splits.x_test.shape == (6, 28, 28, 1) and len(splits.x_train) + len(splits.x_val) == 12


def test_large_images_are_capped_for_a_cpu(isolated_roots, make_image_folder):
    make_image_folder(isolated_roots["data"] / "photos", count=3, size=(400, 600))
    assert datasets.get_dataset("photos").image_shape == (85, folders.MAX_SIDE, 3)


def test_corrupt_images_are_skipped_and_listed(isolated_roots, make_image_folder):
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


def test_folders_that_are_not_datasets_are_ignored(isolated_roots, make_image_folder):
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


def test_changed_files_are_not_hidden_by_the_cache(isolated_roots, make_image_folder):
    root = make_image_folder(isolated_roots["data"] / "pets", count=5)
    assert len(datasets.load_raw("pets").y_train) == 8
    make_image_folder(root, classes=("cat", "dog"), count=10)
    assert len(datasets.load_raw("pets").y_train) == 16


def test_training_and_testing_folders_in_any_case(isolated_roots, make_image_folder):
    root = isolated_roots["data"] / "split"
    make_image_folder(root / "Training", count=4)
    make_image_folder(root / "TEST", count=2)
    layout = folders.scan(root)
    assert layout.class_names == ("cat", "dog") and (
        len(layout.train_files),
        len(layout.test_files),
    ) == (8, 4)


def test_settings_round_trip_and_invalid_values_fall_back_to_automatic(tmp_path):
    settings = folders.FolderSettings(
        image_size=(32, 48), color_mode="grayscale", validation_split=0.25, seed=3
    )
    folders.write_settings(tmp_path, settings, imported_from="pets.zip")
    assert folders.read_settings(tmp_path) == settings
    assert folders.read_manifest(tmp_path)["imported_from"] == "pets.zip"
    # None: back to automatic; other keys are kept
    folders.write_settings(tmp_path, folders.FolderSettings(seed=5))
    assert folders.read_settings(tmp_path) == folders.FolderSettings(seed=5)
    assert folders.read_manifest(tmp_path)["imported_from"] == "pets.zip"
    (tmp_path / folders.MANIFEST).write_text(
        json.dumps(
            {"image_size": [0, "x"], "color_mode": "sepia", "validation_split": 3, "seed": 9}
        )
    )
    assert folders.read_settings(tmp_path) == folders.FolderSettings(seed=9)
    (tmp_path / folders.MANIFEST).write_text("[1, 2")
    assert folders.read_settings(tmp_path) == folders.FolderSettings()


def test_the_cache_key_changes_with_the_settings(isolated_roots, make_image_folder):
    root = make_image_folder(isolated_roots["data"] / "pets", count=3)
    before = folders.scan(root).signature
    folders.write_settings(root, folders.FolderSettings(image_size=(10, 10)))
    assert folders.scan(root).signature != before
    assert datasets.load_raw("pets").x_train.shape[1:] == (10, 10, 3)


def test_check_image_refuses_corrupt_and_gigantic_images(tmp_path):
    Image.new("RGB", (30, 20), (1, 2, 3)).save(tmp_path / "ok.jpg")
    (tmp_path / "cut.jpg").write_bytes((tmp_path / "ok.jpg").read_bytes()[:200])
    Image.new("1", (8000, 7000)).save(tmp_path / "huge.png")  # 56 megapixels in a few KB
    assert folders.check_image(tmp_path / "ok.jpg") is None
    assert folders.check_image(tmp_path / "cut.jpg") == "not readable as an image"
    assert folders.check_image(tmp_path / "huge.png") == "too large (more than 50 megapixels)"


def test_default_size_keeps_the_aspect_ratio_within_max_side():
    assert folders.default_size(640, 480) == (96, folders.MAX_SIDE)
    assert folders.default_size(20, 30) == (30, 20)


def test_the_scan_is_remembered_until_the_folder_changes(isolated_roots, make_image_folder):
    root = make_image_folder(isolated_roots["data"] / "pets", count=3)
    first = folders.scan(root)
    assert folders.scan(root) is first  # the registry asks several times per page: listed once
    (root / "dog" / "0.png").unlink()
    assert len(folders.scan(root).train_files) == 5
    (root / "dog").rename(root / "puppy")
    assert folders.scan(root).class_names == ("cat", "puppy")
    (root / folders.MANIFEST).write_text('{"color_mode": "grayscale"}')
    assert folders.scan(root).channels == 1
    # edited in place, within the same clock tick
    (root / folders.MANIFEST).write_text('{"color_mode": "rgb"}')
    assert folders.scan(root).channels == 3


@pytest.mark.parametrize(
    "path, junk",
    [
        (("cat", "1.png"), False),
        (("__MACOSX", "cat", "._1.png"), True),
        (("pets", "__macosx", "1.png"), True),
        (("cat", ".DS_Store"), True),
        (("cat", "Thumbs.db"), True),
        (("cat", "desktop.ini"), True),
        ((".git", "config"), True),
        ((), True),
    ],
)
def test_files_the_system_made_are_junk(path, junk):
    assert folders.is_junk(path) is junk
