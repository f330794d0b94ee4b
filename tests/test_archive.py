"""Importing your own images from a ZIP (or a folder): layouts, unicode, skipped files, and hostile
archives."""

import io
import json
import os
import stat
import struct
import zipfile
import zlib

import numpy as np
import pytest

from clfcore.data import archive, datasets, folders
from clfcore.data.folders import FolderSettings
from clfcore.errors import DatasetError, UserInputError


def patch_entry(
    data: bytes, name: str, *, file_size: int | None = None, set_flags: int = 0
) -> bytes:
    """Rewrite an entry's declared size and/or flags in its local header and its central directory
    record."""
    buffer, encoded = bytearray(data), name.encode()
    for signature, name_length_at, name_at, flags_at, size_at in (
        (b"PK\x03\x04", 26, 30, 6, 22),
        (b"PK\x01\x02", 28, 46, 8, 24),
    ):
        at = buffer.find(signature)
        while at >= 0:
            length = struct.unpack_from("<H", buffer, at + name_length_at)[0]
            if buffer[at + name_at : at + name_at + length] == encoded:
                if file_size is not None:
                    struct.pack_into("<I", buffer, at + size_at, file_size)
                struct.pack_into(
                    "<H",
                    buffer,
                    at + flags_at,
                    struct.unpack_from("<H", buffer, at + flags_at)[0] | set_flags,
                )
            at = buffer.find(signature, at + 4)
    return bytes(buffer)


def left_behind(data_root):
    """Everything in the data root: after a refused import there must be nothing, not even a
    temporary folder."""
    return sorted(p.name for p in data_root.iterdir()) if data_root.exists() else []


# --- Good archives --------------------------------------------------------------------------------


def test_a_zip_of_class_folders_becomes_a_dataset_that_survives_a_restart(
    isolated_roots, tmp_path, write_zip, class_files, colours
):
    source = write_zip(tmp_path / "pets.zip", class_files(count=6))
    plan = archive.inspect(source)
    assert (
        plan.class_names == ("cat", "dog") and plan.train_counts == (6, 6) and not plan.has_test_set
    )
    assert plan.first_image == (12, 8, "RGB") and plan.suggested_settings().image_size == (8, 12)

    result = archive.import_dataset(source, "pets")
    assert (result.class_names, result.images, result.skipped, result.non_images) == (
        ("cat", "dog"),
        12,
        (),
        (),
    )
    assert result.settings == FolderSettings(
        image_size=(8, 12), color_mode="rgb", validation_split=0.2, seed=42
    )
    assert left_behind(isolated_roots["data"]) == ["pets"]  # no temporary folder left

    datasets._load_raw_cached.cache_clear()  # a restart: nothing but the files on disk
    info = datasets.get_dataset("pets")
    assert info.id in [d.id for d in datasets.list_datasets()]
    assert (info.image_shape, info.class_names, info.validation_split, info.seed) == (
        (8, 12, 3),
        ("cat", "dog"),
        0.2,
        42,
    )
    raw = datasets.load_raw("pets")
    assert raw.x_train.shape[1:] == (8, 12, 3) and len(raw.y_train) + len(raw.y_test) == 12
    assert tuple(raw.x_train[raw.y_train == 1][0, 0, 0]) == colours["dog"]
    manifest = json.loads((isolated_roots["data"] / "pets" / folders.MANIFEST).read_text())
    assert manifest["imported_from"] == "pets.zip" and manifest["image_size"] == [8, 12]


def test_an_upload_is_read_from_memory(isolated_roots, zip_bytes, class_files):
    upload = io.BytesIO(zip_bytes(class_files()))
    upload.name = "My Pets (2).zip"
    assert archive.suggest_name(upload.name) == "My_Pets_2"
    assert archive.import_dataset(upload, "My_Pets_2").images == 10


@pytest.mark.parametrize("wrapper", ["pets/", "export/pets/"])
def test_top_folders_that_wrap_the_class_folders_are_unwrapped(
    isolated_roots, tmp_path, wrapper, class_files, png, write_zip
):
    files = class_files(prefix=wrapper) | {"cover.png": png(), f"{wrapper}README.md": b"# my pets"}
    plan = archive.inspect(write_zip(tmp_path / "pets.zip", files))
    assert plan.unwrapped == wrapper.rstrip("/") and plan.class_names == ("cat", "dog")
    assert plan.left_out == (archive.SkippedFile("cover.png", archive.OUTSIDE_CLASS_FOLDERS),)
    assert plan.non_images == (f"{wrapper}README.md",)


def test_unicode_names_with_the_utf8_flag_and_decomposed_accents(
    isolated_roots, tmp_path, png, colours, write_zip
):
    nfd = "cafe\u0301"  # 'café' as macOS writes it
    files = (
        {f"{nfd}/{i}.png": png() for i in range(3)}
        | {f"niño/{i}.png": png(colours["dog"]) for i in range(3)}
        | {"猫/0.png": png()}
    )
    result = archive.import_dataset(write_zip(tmp_path / "ñ.zip", files), "unicode")
    assert result.class_names == ("café", "niño", "猫")  # NFC, sorted
    assert (isolated_roots["data"] / "unicode" / "train" / "café" / "0.png").is_file()


def test_names_without_the_utf8_flag_are_recovered(
    isolated_roots, tmp_path, zip_bytes, png, colours, write_zip
):
    """macOS zips UTF-8 bytes without the flag; old Windows zips cp437; Info-ZIP adds a Unicode Path
    field."""
    data = zip_bytes(
        {f"cafXY/{i}.png": png() for i in range(2)}
        | {f"ni_o/{i}.png": png(colours["dog"]) for i in range(2)}
    )
    data = data.replace(b"cafXY/", "café/".encode()).replace(b"ni_o/", "niño/".encode("cp437"))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive_file:
        archive_file.writestr("plain/0.png", png())
        for i in range(2):
            stored = f"Unicod_/{i}.png"
            real = f"Unicodé/{i}.png".encode()
            info = zipfile.ZipInfo(stored)
            info.extra = (
                struct.pack("<HHB", 0x7075, 5 + len(real), 1)
                + struct.pack("<L", zlib.crc32(stored.encode()))
                + real
            )
            archive_file.writestr(info, png(colours["bird"]))
    assert archive.inspect(write_zip(tmp_path / "mac.zip", data)).class_names == ("café", "niño")
    assert archive.inspect(write_zip(tmp_path / "infozip.zip", buffer.getvalue())).class_names == (
        "Unicodé",
        "plain",
    )


def test_non_images_are_skipped_and_counted_and_system_files_ignored(
    isolated_roots, tmp_path, class_files, write_zip
):
    files = class_files() | {
        "cat/notes.txt": b"x",
        "labels.csv": b"a,b",
        "dog/clip.mp4": b"\0" * 10,
        "__MACOSX/cat/._0.png": b"fork",
        "cat/.DS_Store": b"ds",
        "dog/Thumbs.db": b"db",
        ".git/config": b"",
    }
    result = archive.import_dataset(write_zip(tmp_path / "pets.zip", files), "pets")
    assert sorted(result.non_images) == ["cat/notes.txt", "dog/clip.mp4", "labels.csv"]
    assert result.images == 10
    stored = {p.name for p in (isolated_roots["data"] / "pets").rglob("*") if p.is_file()}
    assert stored == {"0.png", "1.png", "2.png", "3.png", "4.png", folders.MANIFEST}


@pytest.mark.parametrize(
    "in_memory", [archive.IN_MEMORY_BYTES, 0], ids=["checked-in-memory", "streamed-to-disk"]
)
def test_corrupt_images_are_left_out_and_listed(
    isolated_roots, tmp_path, monkeypatch, in_memory, png, class_files, write_zip
):
    monkeypatch.setattr(archive, "IN_MEMORY_BYTES", in_memory)
    truncated = png()[:40]
    files = class_files() | {"cat/broken.png": truncated, "dog/fake.jpg": b"not a jpeg at all"}
    result = archive.import_dataset(write_zip(tmp_path / "pets.zip", files), "pets")
    assert {(s.name, s.reason) for s in result.skipped} == {
        ("cat/broken.png", "not readable as an image"),
        ("dog/fake.jpg", "not readable as an image"),
    }
    assert result.to_json()["skipped"] == ["cat/broken.png", "dog/fake.jpg"]
    assert (
        result.images == 10
        and not (isolated_roots["data"] / "pets" / "train" / "cat" / "broken.png").exists()
    )
    assert datasets.load_raw("pets").skipped == ()


def test_train_test_and_val_folders_any_case(
    isolated_roots, tmp_path, class_files, png, colours, write_zip
):
    files = (
        class_files("Training/", count=4)
        | class_files("Testing/", count=2)
        | class_files("val/", count=1)
        | {"Testing/bird/0.png": png(colours["bird"]), "Training/loose.png": png()}
    )
    plan = archive.inspect(write_zip(tmp_path / "split.zip", files))
    assert (
        plan.class_names == ("cat", "dog")
        and plan.train_counts == (5, 5)
        and plan.test_counts == (2, 2)
    )
    assert plan.merged_validation == "val"
    assert {(s.name, s.reason) for s in plan.left_out} == {
        ("Testing/bird/0.png", archive.UNKNOWN_TEST_CLASS),
        ("Training/loose.png", archive.OUTSIDE_CLASS_FOLDERS),
    }
    archive.import_dataset(write_zip(tmp_path / "split.zip", files), "split")
    info = datasets.get_dataset("split")
    assert info.has_own_test_split and (info.train_count, info.test_count) == (10, 4)
    assert (isolated_roots["data"] / "split" / "train" / "cat" / "val" / "0.png").is_file()


def test_class_folders_with_a_test_folder_beside_them(
    isolated_roots, tmp_path, class_files, write_zip
):
    files = class_files(count=3) | class_files("test/", count=1)
    plan = archive.inspect(write_zip(tmp_path / "pets.zip", files))
    assert plan.class_names == ("cat", "dog") and plan.test_counts == (1, 1)


def test_a_separate_test_archive(isolated_roots, tmp_path, write_zip, class_files):
    train = write_zip(tmp_path / "train.zip", class_files(count=4))
    test = write_zip(
        tmp_path / "test.zip",
        class_files("test_images/", count=2)
        | class_files("test_images/", classes=("bird",), count=1),
    )
    result = archive.import_dataset(train, "pets", test_source=test)
    assert (result.train_images, result.test_images) == (8, 4)
    assert [s.reason for s in result.skipped] == [archive.UNKNOWN_TEST_CLASS]
    both = write_zip(tmp_path / "both.zip", class_files("train/") | class_files("test/"))
    with pytest.raises(DatasetError, match="already has a test folder"):
        archive.inspect(both, test_source=test)


def test_settings_are_stored_and_used(isolated_roots, tmp_path, write_zip, class_files):
    source = write_zip(tmp_path / "pets.zip", class_files())
    settings = FolderSettings(
        image_size=(16, 20), color_mode="grayscale", validation_split=0.3, seed=7
    )
    archive.import_dataset(source, "pets", settings=settings)
    info = datasets.get_dataset("pets")
    assert (info.image_shape, info.validation_split, info.seed) == ((16, 20, 1), 0.3, 7)
    assert datasets.load_raw("pets").x_train.shape[1:] == (16, 20, 1)

    archive.save_settings("pets", FolderSettings(image_size=(10, 10), color_mode="rgb"))
    # the cache follows the settings
    assert datasets.load_raw("pets").x_train.shape[1:] == (
        10,
        10,
        3,
    )
    assert datasets.get_dataset("pets").validation_split == 0.3  # untouched settings are kept


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"image_size": (2, 64)}, "between 4 and 512 pixels"),
        ({"color_mode": "cmyk"}, "colour mode"),
        ({"validation_split": 1.0}, "validation split"),
        ({"seed": -1}, "seed"),
    ],
)
def test_invalid_settings_are_refused(settings, message):
    with pytest.raises(UserInputError, match=message):
        FolderSettings(**settings)


def test_a_folder_is_copied_from_anywhere_through_the_same_checks(
    isolated_roots, tmp_path, class_files
):
    outside = tmp_path / "elsewhere" / "photos"
    for name, data in (class_files() | {"cat/notes.txt": b"x"}).items():
        (outside / name).parent.mkdir(parents=True, exist_ok=True)
        (outside / name).write_bytes(data)
    result = archive.import_dataset(outside, "photos")
    assert result.images == 10 and len(result.non_images) == 1
    assert (outside / "cat" / "0.png").is_file()  # the original is untouched
    os.symlink("/etc/passwd", outside / "dog" / "link.png")
    with pytest.raises(DatasetError, match="symbolic link 'dog/link.png'"):
        archive.inspect(outside)


# --- Refused archives: nothing is written ---------------------------------------------------------


@pytest.mark.parametrize("entry", ["../evil.png", "cat/../../evil.png", "cat\\..\\..\\evil.png"])
def test_zip_slip_is_refused(isolated_roots, tmp_path, entry, write_zip, class_files, png):
    source = write_zip(tmp_path / "slip.zip", class_files() | {entry: png()})
    with pytest.raises(DatasetError, match="climbs out of its folder"):
        archive.import_dataset(source, "slip")
    assert left_behind(isolated_roots["data"]) == [] and not (tmp_path / "evil.png").exists()


@pytest.mark.parametrize(
    "entry", ["/tmp/evil.png", "C:/evil.png", "C:\\Windows\\evil.png", "//server/share/evil.png"]
)
def test_absolute_paths_are_refused(isolated_roots, tmp_path, entry, write_zip, class_files, png):
    source = write_zip(tmp_path / "abs.zip", class_files() | {entry: png()})
    with pytest.raises(DatasetError, match="absolute path"):
        archive.import_dataset(source, "abs")
    assert left_behind(isolated_roots["data"]) == []


def test_symlinks_are_refused(isolated_roots, tmp_path, class_files, write_zip):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive_file:
        for name, data in class_files().items():
            archive_file.writestr(name, data)
        link = zipfile.ZipInfo("cat/passwd.png")
        link.create_system = 3  # unix: the mode is in the high 16 bits
        link.external_attr = (stat.S_IFLNK | 0o777) << 16
        archive_file.writestr(link, "/etc/passwd")
    with pytest.raises(DatasetError, match="symbolic link 'cat/passwd.png'"):
        archive.import_dataset(write_zip(tmp_path / "link.zip", buffer.getvalue()), "link")
    assert left_behind(isolated_roots["data"]) == []


def test_too_many_entries_are_refused_before_reading_them(
    isolated_roots, tmp_path, monkeypatch, write_zip
):
    source = write_zip(tmp_path / "many.zip", {f"c{i % 2}/{i}.png": b"" for i in range(60)})
    monkeypatch.setattr(archive, "MAX_ENTRIES", 50)
    monkeypatch.setattr(
        zipfile, "ZipFile", lambda *a, **k: pytest.fail("the central directory was parsed")
    )
    with pytest.raises(DatasetError, match="holds 60 files and folders, more than the limit of 50"):
        archive.import_dataset(source, "many")
    assert left_behind(isolated_roots["data"]) == []


def test_a_huge_declared_size_is_refused_before_extracting(
    isolated_roots, tmp_path, zip_bytes, class_files, write_zip
):
    data = patch_entry(zip_bytes(class_files()), "cat/0.png", file_size=3_000_000_000)
    with pytest.raises(
        DatasetError, match=r"would unpack to 3\.0 GB of images, more than the limit of 1\.0 GB"
    ):
        archive.import_dataset(write_zip(tmp_path / "bomb.zip", data), "bomb")
    assert left_behind(isolated_roots["data"]) == []


def test_the_total_size_cap_counts_every_image(
    isolated_roots, tmp_path, monkeypatch, write_zip, class_files
):
    monkeypatch.setattr(archive, "MAX_TOTAL_BYTES", 500)
    with pytest.raises(DatasetError, match="more than the limit of 0 KB"):
        archive.inspect(write_zip(tmp_path / "big.zip", class_files(count=10)))


def test_a_header_that_lies_about_its_size_cannot_fill_the_disk(
    isolated_roots, tmp_path, zip_bytes, class_files, write_zip
):
    """The entry says 100 bytes but inflates to 20 MB: reading stops at the declared size and the
    archive is refused."""
    data = zip_bytes(class_files() | {"cat/bomb.png": b"\0" * 20_000_000})
    data = patch_entry(data, "cat/bomb.png", file_size=100)
    with pytest.raises(DatasetError, match="damaged"):
        archive.import_dataset(write_zip(tmp_path / "liar.zip", data), "liar")
    assert left_behind(isolated_roots["data"]) == []


@pytest.mark.parametrize(("declared", "budget"), [(100, 10_000), (10_000, 100)])
def test_extraction_stops_at_the_first_byte_beyond_the_declared_size_or_the_budget(
    declared, budget
):
    written = io.BytesIO()
    with pytest.raises(archive._TooLarge):
        archive._copy_capped(
            io.BytesIO(b"x" * 5_000_000), written, declared=declared, budget=budget
        )
    assert written.tell() == 0  # the chunk that crossed the limit is never written
    assert archive._copy_capped(io.BytesIO(b"x" * 100), written, declared=100, budget=100) == 100


def test_password_protected_archives_are_refused(tmp_path, zip_bytes, class_files, write_zip):
    data = patch_entry(zip_bytes(class_files()), "cat/0.png", set_flags=0x1)
    with pytest.raises(DatasetError, match="protected with a password"):
        archive.inspect(write_zip(tmp_path / "secret.zip", data))


@pytest.mark.parametrize(
    ("make_files", "message"),
    [
        (lambda png, class_files: {}, "contains no images"),
        (
            lambda png, class_files: {"notes.txt": b"hi", "docs/readme.md": b"# hi"},
            "contains no images",
        ),
        (lambda png, class_files: {"0.png": png(), "1.png": png()}, "not inside class folders"),
        (
            lambda png, class_files: class_files(classes=("cat",)),
            r"only one class folder with images \(cat\)",
        ),
        (
            lambda png, class_files: (
                class_files("pets/", classes=("cat",)) | {"pets/dog/notes.txt": b"x"}
            ),
            "only one class folder",
        ),
    ],
    ids=["empty", "no-images", "no-class-folders", "one-class", "one-class-wrapped"],
)
def test_archives_without_two_classes_of_images_are_refused(
    isolated_roots, tmp_path, make_files, message, png, class_files, write_zip
):
    files = make_files(png, class_files)  # the fixtures exist only once the test runs
    with pytest.raises(DatasetError, match=message):
        archive.import_dataset(write_zip(tmp_path / "bad.zip", files), "bad")
    assert left_behind(isolated_roots["data"]) == []


@pytest.mark.parametrize(
    "make_content",
    [
        lambda png: b"",
        lambda png: b"just some text",
        lambda png: png(),
        lambda png: b"PK\x03\x04" + b"\0" * 50,
    ],
    ids=["empty", "text", "png", "zip-signature-only"],
)
def test_a_file_that_is_not_a_zip_is_refused(
    isolated_roots, tmp_path, make_content, png, write_zip
):
    content = make_content(png)  # the fixtures exist only once the test runs
    with pytest.raises(DatasetError, match="is not a ZIP archive"):
        archive.import_dataset(write_zip(tmp_path / "photo.zip", content), "photo")
    assert left_behind(isolated_roots["data"]) == []


def test_images_that_all_fail_to_decode_leave_nothing_behind(
    isolated_roots, tmp_path, png, write_zip
):
    files = {"cat/0.png": b"garbage", "dog/0.png": b"garbage", "dog/1.png": png()}
    with pytest.raises(DatasetError, match="fewer than two classes"):
        archive.import_dataset(write_zip(tmp_path / "bad.zip", files), "bad")
    assert left_behind(isolated_roots["data"]) == []


def test_a_failure_half_way_leaves_nothing_half_imported(
    isolated_roots, tmp_path, write_zip, class_files
):
    def crash(done, total):
        if done == 3:
            raise KeyboardInterrupt  # the server stopped mid-import

    with pytest.raises(KeyboardInterrupt):
        archive.import_dataset(
            write_zip(tmp_path / "pets.zip", class_files()), "pets", on_progress=crash
        )
    assert left_behind(isolated_roots["data"]) == []


def test_temporary_folders_of_a_killed_import_are_cleaned_up(
    isolated_roots, tmp_path, write_zip, class_files
):
    stale = isolated_roots["data"] / ".importing-pets-abc"
    (stale / "cat").mkdir(parents=True)
    os.utime(stale, (0, 0))
    archive.import_dataset(write_zip(tmp_path / "pets.zip", class_files()), "other")
    assert left_behind(isolated_roots["data"]) == ["other"]


# --- Names, replacing and deleting ----------------------------------------------------------------


@pytest.mark.parametrize("name", ["", "../up", "a/b", ".hidden", "_x", "with space", "x" * 41])
def test_invalid_names_are_refused(name):
    with pytest.raises(DatasetError, match="is not valid"):
        archive.check_name(name)


@pytest.mark.parametrize(
    "name",
    [
        "mnist",
        "digits",
        "cifar100_coarse",
        "fashion-mnist",
        "cifar-10-batches-py",
        "CIFAR-100-python",
    ],
)
def test_names_of_built_in_datasets_are_refused(name):
    with pytest.raises(DatasetError, match="built-in dataset"):
        archive.check_name(name)


def test_a_name_clash_is_refused_unless_replacing_an_import(
    isolated_roots, tmp_path, write_zip, class_files
):
    archive.import_dataset(write_zip(tmp_path / "a.zip", class_files(count=3)), "pets")
    bigger = write_zip(tmp_path / "b.zip", class_files(classes=("cat", "dog", "bird"), count=4))
    with pytest.raises(DatasetError, match="A dataset called 'pets' already exists"):
        archive.import_dataset(bigger, "pets")
    assert datasets.get_dataset("pets").num_classes == 2
    assert archive.import_dataset(bigger, "pets", replace=True).images == 12
    assert datasets.get_dataset("pets").class_names == ("bird", "cat", "dog")
    assert left_behind(isolated_roots["data"]) == ["pets"]
    assert archive.suggest_name("pets.zip") == "pets_2"


def test_folders_put_there_by_hand_are_never_replaced_or_deleted(
    isolated_roots, tmp_path, make_image_folder, write_zip, class_files
):
    make_image_folder(isolated_roots["data"] / "teacher")
    (isolated_roots["data"] / "notes").mkdir()
    source = write_zip(tmp_path / "x.zip", class_files())
    with pytest.raises(DatasetError, match="by hand"):
        archive.import_dataset(source, "teacher", replace=True)
    with pytest.raises(DatasetError, match="by hand"):
        archive.delete_dataset("teacher")
    with pytest.raises(DatasetError, match="already a file or folder called 'notes'"):
        archive.import_dataset(source, "notes", replace=True)
    assert len(datasets.load_raw("teacher").y_train) == 16


def test_delete_an_imported_dataset(isolated_roots, tmp_path, write_zip, class_files):
    archive.import_dataset(write_zip(tmp_path / "pets.zip", class_files()), "pets")
    assert archive.import_record("pets")["source"] == "pets.zip"
    archive.delete_dataset("pets")
    assert left_behind(isolated_roots["data"]) == []
    assert "pets" not in [d.id for d in datasets.list_datasets()]
    with pytest.raises(DatasetError, match="no dataset of your own called 'pets'"):
        archive.delete_dataset("pets")
    with pytest.raises(DatasetError, match="no dataset of your own called 'mnist'"):
        archive.delete_dataset("mnist")


def test_import_result_json_for_the_command_line(isolated_roots, tmp_path, write_zip, class_files):
    result = archive.import_dataset(
        write_zip(tmp_path / "pets.zip", class_files() | {"a.txt": b""}), "pets"
    )
    summary = result.to_json()
    assert {k: summary[k] for k in ("name", "classes", "images", "skipped", "non_images")} == {
        "name": "pets",
        "classes": ["cat", "dog"],
        "images": 10,
        "skipped": [],
        "non_images": 1,
    }
    assert np.array_equal(summary["image_size"], [8, 12])


def test_current_settings_are_the_imported_ones(isolated_roots, class_files, zip_bytes):
    upload = io.BytesIO(zip_bytes(class_files()))
    upload.name = "pets.zip"
    settings = FolderSettings(
        image_size=(6, 9), color_mode="grayscale", validation_split=0.3, seed=7
    )
    archive.import_dataset(upload, "pets", settings=settings)
    assert archive.current_settings(datasets.get_dataset("pets")) == settings


def test_an_import_into_a_workspace_folder_is_that_user_s_dataset(
    isolated_roots, tmp_path, write_zip, class_files
):
    """A class server imports into the student's folder (data/users/<name>), named owner/name."""
    from clfcore.paths import user_data_dir

    source = write_zip(tmp_path / "pets.zip", class_files())
    folder = user_data_dir("ana")
    result = archive.import_dataset(source, "pets", root=folder)
    assert result.path == folder / "pets" and not (isolated_roots["data"] / "pets").exists()
    assert archive.import_record("pets", root=folder) is not None
    assert archive.import_record("pets") is None  # the data root has no such import
    assert datasets.get_dataset("ana/pets").num_classes == 2
    assert archive.suggest_name("pets.zip", root=folder) == "pets_2"
    assert archive.suggest_name("pets.zip") == "pets"  # free in another user's folder
    with pytest.raises(DatasetError, match="already exists"):
        archive.import_dataset(source, "pets", root=folder)
    archive.save_settings("pets", FolderSettings(image_size=(10, 10)), root=folder)
    assert datasets.get_dataset("ana/pets").image_shape[:2] == (10, 10)
    with pytest.raises(DatasetError, match="no dataset of your own"):
        archive.delete_dataset("pets")  # not in the data root
    archive.delete_dataset("pets", root=folder)
    assert not (folder / "pets").exists()
