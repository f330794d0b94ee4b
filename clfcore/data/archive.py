"""Import your own images: a ZIP archive (or, from the command line, a folder) becomes a dataset.

Example (a ZIP of 40 cat and 40 dog photos)::

    from clfcore.data import archive
    plan = archive.inspect("pets.zip")  # the listing only: classes, counts, what will be left out
    plan.class_names, plan.train_counts
    # (('cat', 'dog'), (40, 40))
    settings = FolderSettings(image_size=(64, 64))
    result = archive.import_dataset("pets.zip", "pets", settings=settings)
    result.images, result.skipped
    # (80, ())

The archive follows the ``keras.utils.image_dataset_from_directory`` convention: one folder of
images per class, optionally inside ``train/`` and ``test/`` (a ``val/`` folder is added to the
training images, from which the validation split is taken). A single folder wrapping everything
is unwrapped; ``__MACOSX``, ``.DS_Store``, ``Thumbs.db`` and other hidden files are ignored;
files that are not images are skipped and counted.

An archive is untrusted input. Before anything is written every entry is checked: a path that is
absolute, has a drive letter or climbs out with ``..``, and any symbolic link, refuse the whole
archive; so do more than MAX_ENTRIES entries or more than MAX_TOTAL_BYTES of images (as declared,
and counted again while writing, so a header that lies about its size cannot fill the disk).
Images are written into a hidden temporary folder of the data root, each one decoded once so
corrupt images are left out (and listed), and the folder is renamed to its final name in one
step: a failure leaves nothing half-imported. The dataset's settings go into its ``dataset.json``
(``clfcore.data.folders.FolderSettings``), so it loads the same way after a restart.
"""

from __future__ import annotations

import contextlib
import dataclasses
import io
import os
import re
import shutil
import stat
import struct
import tempfile
import time
import unicodedata
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, BinaryIO, cast

from clfcore.data import datasets, folders
from clfcore.data.folders import FolderSettings
from clfcore.data.splits import SplitConfig
from clfcore.errors import DatasetError
from clfcore.i18n import N_
from clfcore.paths import data_root

MAX_ENTRIES = 100_000  # files and folders in one archive (MNIST as PNG files is 70,000)
MAX_TOTAL_BYTES = 1_000_000_000  # bytes of images one import may write (1 GB)
DISK_MARGIN_BYTES = 100_000_000  # free space left on the disk after an import
NAME_PATTERN = re.compile(r"[^\W_][\w-]{0,39}")  # letters (any script), digits, - and _; at most 40
DEFAULT_VALIDATION_SPLIT = SplitConfig.validation_split  # the course's 20 %
DEFAULT_SEED = SplitConfig.seed
VALIDATION_FOLDERS = ("val", "valid", "validation")  # added to the training images
IN_MEMORY_BYTES = 16_000_000  # images up to this size are checked in memory before they are written
STALE_SECONDS = 3600  # temporary folders older than this are left-overs of a killed import
# folders the built-ins read
RESERVED_NAMES = (
    "fashion-mnist",
    "mnist",
    "cifar-10-batches-py",
    "cifar-100-python",
)
_TEMPORARY_PREFIXES = (".importing-", ".deleting-")
_CHUNK = 1 << 20
_UTF8_FLAG = 0x800
_ENCRYPTED_FLAG = 0x1
_UNICODE_PATH_EXTRA = 0x7075  # Info-ZIP's UTF-8 copy of a name stored in a legacy code page

# Why an image is left out (English; translated where shown).
OUTSIDE_CLASS_FOLDERS = N_("outside the class folders")
UNKNOWN_TEST_CLASS = N_("its class has no training images")
DUPLICATE_NAME = N_("same name as another file")

_NOT_A_ZIP = N_(
    "{name} is not a ZIP archive. Put one folder of images per class in a folder, compress "
    "it as a .zip file and try again."
)


@dataclass(frozen=True)
class SkippedFile:
    """An image that was left out, and why (an English reason; translate with clfcore.i18n)."""

    name: str  # its path inside the archive or folder
    reason: str


@dataclass(frozen=True)
class _Entry:
    shown: str  # path inside the archive as the user knows it: '/' separators, NFC Unicode
    parts: tuple[str, ...]
    size: int  # declared uncompressed bytes
    member: zipfile.ZipInfo | Path  # zipfile.ZipInfo, or the Path of a file of a folder


@dataclass(frozen=True)
class _PlannedFile:
    entry: _Entry
    target: tuple[str, ...]  # path under the new dataset folder
    source: int  # 0: the main archive, 1: the separate test archive


@dataclass(frozen=True)
class ImportPlan:
    """What an archive holds, found from its listing alone (nothing decoded, nothing written)."""

    source_name: str  # the archive's (or folder's) file name
    class_names: tuple[str, ...]  # sorted folder names, as image_dataset_from_directory sorts them
    train_counts: tuple[int, ...]  # images per class for training (and validation)
    test_counts: tuple[int, ...]  # images per class of the separate test set; empty without one
    non_images: tuple[str, ...]  # files skipped because they are not images by their name
    left_out: tuple[SkippedFile, ...]  # images that will not be imported, and why
    unwrapped: str | None  # the single top folder that wrapped the class folders
    merged_validation: str | None  # a val/ folder whose images are added to the training images
    total_bytes: int  # uncompressed bytes of the images to import
    # (width, height, Pillow mode) of the first readable image
    first_image: tuple[int, int, str] | None
    files: tuple[_PlannedFile, ...]

    @property
    def images(self) -> int:
        return len(self.files)

    @property
    def has_test_set(self) -> bool:
        return bool(self.test_counts)

    def suggested_settings(self) -> FolderSettings:
        """Size and colour of the first image (at most folders.MAX_SIDE a side), the course's 20 %
        split."""
        width, height, mode = self.first_image or (folders.MAX_SIDE, folders.MAX_SIDE, "RGB")
        return FolderSettings(
            image_size=folders.default_size(width, height),
            color_mode="grayscale" if mode in folders.GRAY_MODES else "rgb",
            validation_split=DEFAULT_VALIDATION_SPLIT,
            seed=DEFAULT_SEED,
        )


@dataclass(frozen=True)
class ImportResult:
    """A dataset that was imported: now under the data root and in the registry."""

    name: str
    path: Path
    class_names: tuple[str, ...]
    train_images: int
    test_images: int  # 0 without a separate test set (a fixed 20 % is held out then)
    skipped: tuple[SkippedFile, ...]  # images left out: unreadable, outside class folders...
    non_images: tuple[str, ...]  # files that are not images
    settings: FolderSettings  # as stored in dataset.json

    @property
    def images(self) -> int:
        return self.train_images + self.test_images

    def to_json(self) -> dict:
        """The command line's summary: ``{"name", "classes", "images", "skipped", ...}``."""
        return {
            "name": self.name,
            "classes": list(self.class_names),
            "images": self.images,
            "skipped": [s.name for s in self.skipped],
            "skipped_reasons": {s.name: s.reason for s in self.skipped},
            "non_images": len(self.non_images),
            "train_images": self.train_images,
            "test_images": self.test_images,
            "image_size": list(self.settings.image_size or ()),
            "color_mode": self.settings.color_mode,
            "validation_split": self.settings.validation_split,
            "seed": self.settings.seed,
            "path": str(self.path),
        }


# --- Reading an archive or a folder ---------------------------------------------------------------


class _Source:
    """The entries of one ZIP archive or folder, and a way to read each."""

    def __init__(self, name: str, entries: list[_Entry], opener: Callable[[_Entry], IO[bytes]]):
        self.name, self.entries, self.open = name, entries, opener


def size_text(count: int) -> str:
    """Bytes for people: '820 KB', '12.3 MB', '1.5 GB'."""
    if count < 1_000_000:
        return f"{count / 1000:.0f} KB"
    if count < 1_000_000_000:
        return f"{count / 1_000_000:.1f} MB"
    return f"{count / 1_000_000_000:.1f} GB"


def _declared_entry_count(stream: BinaryIO) -> int | None:
    """How many entries the end of a ZIP says it holds, read before zipfile parses them all (or
    None)."""
    stream.seek(0, os.SEEK_END)
    end = stream.tell()
    tail_start = max(0, end - 22 - 65535)  # the end record, then a comment of at most 64 KB
    stream.seek(tail_start)
    tail = stream.read()
    at = tail.rfind(b"PK\x05\x06")
    if at < 0 or len(tail) < at + 22:
        return None
    count = struct.unpack("<H", tail[at + 10 : at + 12])[0]
    locator = tail.rfind(b"PK\x06\x07", 0, at)  # ZIP64: the real count is in the ZIP64 end record
    if count == 0xFFFF and locator >= 0:
        record_offset = struct.unpack("<Q", tail[locator + 8 : locator + 16])[0]
        stream.seek(record_offset)
        record = stream.read(56)
        if record[:4] == b"PK\x06\x06" and len(record) == 56:
            count = struct.unpack("<Q", record[32:40])[0]
    stream.seek(0)
    return count


def _unicode_path(info: zipfile.ZipInfo) -> str | None:
    """The UTF-8 name in Info-ZIP's Unicode Path extra field, if present and matching the stored
    name."""
    extra, at = info.extra, 0
    while at + 4 <= len(extra):
        tag, length = struct.unpack("<HH", extra[at : at + 4])
        body = extra[at + 4 : at + 4 + length]
        names_crc = zlib.crc32(info.orig_filename.encode("cp437"))
        if (
            tag == _UNICODE_PATH_EXTRA
            and len(body) >= 5
            and body[0] == 1
            and struct.unpack("<L", body[1:5])[0] == names_crc
        ):
            with contextlib.suppress(UnicodeDecodeError):
                return body[5:].decode("utf-8")
        at += 4 + length
    return None


def _entry_name(info: zipfile.ZipInfo) -> str:
    """The entry's real name: UTF-8 when flagged, else UTF-8 if the bytes are UTF-8 (macOS, Linux),
    else cp437."""
    name = info.orig_filename
    if not info.flag_bits & _UTF8_FLAG:
        unicode_path = _unicode_path(info)
        if unicode_path is not None:
            name = unicode_path
        else:
            # zipfile decoded the stored bytes as cp437: this gives them back
            raw = name.encode("cp437")
            with contextlib.suppress(UnicodeDecodeError):
                name = raw.decode("utf-8")
    # macOS writes decomposed accents (NFD)
    return unicodedata.normalize("NFC", name.replace("\\", "/"))


def _safe_parts(shown: str, source_name: str) -> tuple[str, ...]:
    """The path's parts, or DatasetError if it could write outside the folder it is extracted
    into."""
    if "\x00" in shown or shown.startswith("/") or re.match(r"[A-Za-z]:", shown):
        raise DatasetError(
            "{name} contains the absolute path {entry!r}. Nothing was imported: create "
            "the ZIP from inside the dataset folder, with relative paths.",
            name=source_name,
            entry=shown,
        )
    parts = tuple(part for part in shown.split("/") if part not in ("", "."))
    if ".." in parts:
        raise DatasetError(
            "{name} contains the path {entry!r}, which climbs out of its folder with '..'. "
            "Nothing was imported: create the ZIP again without such paths.",
            name=source_name,
            entry=shown,
        )
    return parts


def _check_entry_count(count: int, source_name: str) -> None:
    if count > MAX_ENTRIES:
        raise DatasetError(
            "{name} holds {count} files and folders, more than the limit of {limit}. Import "
            "fewer images, or split them into several datasets.",
            name=source_name,
            count=count,
            limit=MAX_ENTRIES,
        )


def _zip_source(stream: BinaryIO, source_name: str) -> tuple[_Source, zipfile.ZipFile]:
    try:
        declared = _declared_entry_count(stream)
    except (OSError, struct.error, ValueError):
        declared = None
    if declared is None:
        raise DatasetError(_NOT_A_ZIP, name=source_name)
    _check_entry_count(declared, source_name)  # before zipfile reads every entry into memory
    try:
        archive = zipfile.ZipFile(stream)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError, struct.error):
        raise DatasetError(_NOT_A_ZIP, name=source_name) from None
    infos = archive.infolist()
    _check_entry_count(len(infos), source_name)
    entries = []
    for info in infos:
        shown = _entry_name(info)
        if stat.S_ISLNK(info.external_attr >> 16):
            raise DatasetError(
                "{name} contains the symbolic link {entry!r}. Nothing was imported: replace "
                "links by the real files and try again.",
                name=source_name,
                entry=shown,
            )
        parts = _safe_parts(shown, source_name)
        if info.is_dir() or not parts:
            continue
        if info.flag_bits & _ENCRYPTED_FLAG:
            raise DatasetError(
                "{name} is protected with a password. Create the ZIP without a password.",
                name=source_name,
            )
        entries.append(_Entry(shown, parts, info.file_size, info))
    # every entry of this source holds its ZipInfo (built above)
    return _Source(
        source_name, entries, lambda entry: archive.open(cast(zipfile.ZipInfo, entry.member))
    ), archive


def _folder_source(folder: Path) -> _Source:
    entries, seen = [], 0
    for current, dirnames, filenames in os.walk(folder, followlinks=False):
        dirnames.sort()
        for name in sorted(dirnames) + sorted(filenames):
            path = Path(current) / name
            seen += 1
            if seen > MAX_ENTRIES:
                _check_entry_count(seen, folder.name)
            if path.is_symlink():
                raise DatasetError(
                    "{name} contains the symbolic link {entry!r}. Nothing was imported: "
                    "replace links by the real files and try again.",
                    name=folder.name,
                    entry=path.relative_to(folder).as_posix(),
                )
            if name in filenames and path.is_file():
                shown = unicodedata.normalize("NFC", path.relative_to(folder).as_posix())
                entries.append(_Entry(shown, tuple(shown.split("/")), path.stat().st_size, path))

    def opener(entry: _Entry) -> IO[bytes]:
        # a link swapped in since: refused
        descriptor = os.open(cast(Path, entry.member), os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
        return os.fdopen(descriptor, "rb")

    return _Source(folder.name, entries, opener)


@contextlib.contextmanager
def _opened(source: str | os.PathLike | BinaryIO) -> Iterator[_Source]:
    """A ZIP given as a path or an open binary file (an upload), or a folder given as a path."""
    if hasattr(source, "read"):
        name = Path(getattr(source, "name", None) or "archive.zip").name
        opened, archive = _zip_source(cast(BinaryIO, source), name)  # an open file: it reads
        with archive:
            yield opened
        return
    path = Path(source).expanduser()
    if path.is_dir():
        yield _folder_source(path.resolve())
    elif path.is_file():
        with path.open("rb") as stream:
            opened, archive = _zip_source(stream, path.name)
            with archive:
                yield opened
    else:
        raise DatasetError(
            "There is no file or folder {path}. Give a ZIP archive or a folder of class folders.",
            path=str(path),
        )


def _opened_test(
    source: str | os.PathLike | BinaryIO | None,
) -> contextlib.AbstractContextManager[_Source | None]:
    """``_opened(source)`` for the separate test source, or None when there is none."""
    return contextlib.nullcontext() if source is None else _opened(source)


# --- Deciding what to import ----------------------------------------------------------------------


def _is_image(parts: tuple[str, ...]) -> bool:
    return Path(parts[-1]).suffix.lower() in folders.IMAGE_SUFFIXES


def _unwrap(
    images: list[_Entry],
) -> tuple[list[tuple[_Entry, tuple[str, ...]]], list[_Entry], str | None]:
    """Strip single top folders that wrap everything: pets/cat/1.jpg -> cat/1.jpg.

    Returns (entry, parts without the wrapper) pairs, the images that are not under the wrapper
    (a stray image at the top), and the wrapper path.
    """
    nested = [(entry, entry.parts) for entry in images if len(entry.parts) >= 2]
    stray = [entry for entry in images if len(entry.parts) < 2]
    wrapper: list[str] = []
    while (
        nested
        and len({parts[0] for _, parts in nested}) == 1
        and all(len(parts) >= 3 for _, parts in nested)
    ):
        wrapper.append(nested[0][1][0])
        nested = [(entry, parts[1:]) for entry, parts in nested]
    return nested, stray, "/".join(wrapper) or None


def _top(nested, names: tuple[str, ...], *, min_classes: int = 1) -> str | None:
    """The top folder called one of ``names`` (any case) that holds at least ``min_classes`` class
    folders with images."""
    for top in sorted({parts[0] for _, parts in nested}):
        if (
            top.lower() in names
            and len({parts[1] for _, parts in nested if parts[0] == top and len(parts) >= 3})
            >= min_classes
        ):
            return top
    return None


def _classify(source: _Source, *, as_test: bool):
    """Place every image of a source as (entry, role, class, rest of its path); role is "train" or
    "test".

    Layouts, after unwrapping: ``train/<class>/...`` with optional ``test/<class>/...`` and
    ``val/<class>/...`` (added to training); or ``<class>/...`` with an optional
    ``test/<class>/...``; a separate test source is always ``<class>/...``.

    Returns:
        (placed, non_images, left_out, unwrapped, merged_validation_folder, has_test_folder)
    """
    images: list[_Entry] = []
    non_images: list[_Entry] = []
    for entry in source.entries:
        if not folders.is_junk(entry.parts):
            (images if _is_image(entry.parts) else non_images).append(entry)
    nested, stray, unwrapped = _unwrap(images)
    left_out = [SkippedFile(entry.shown, OUTSIDE_CLASS_FOLDERS) for entry in stray]
    train_top = test_top = val_top = None
    if not as_test:
        train_top = _top(nested, folders.TRAIN_FOLDERS, min_classes=2)
        test_top = _top(nested, folders.TEST_FOLDERS)
        val_top = _top(nested, VALIDATION_FOLDERS)
        if train_top is None and not {parts[0] for _, parts in nested} - {test_top, val_top}:
            test_top = (
                None  # nothing but test/ (and val/): their sub-folders are not a test set then
            )
        if train_top is None and test_top is None:
            val_top = None  # a plain layout: a folder called val is a class like any other
    placed = []
    for entry, parts in nested:
        top, inner = parts[0], parts[1:]
        if top == test_top:
            role = "test"
        elif top == val_top:
            role = "train"
            # cat/val/...: apart from train's names
            inner = (inner[0], top, *inner[1:]) if len(inner) >= 2 else inner
        elif top == train_top:
            role = "train"
        elif train_top is not None:
            left_out.append(SkippedFile(entry.shown, OUTSIDE_CLASS_FOLDERS))
            continue
        else:
            role, inner = ("test" if as_test else "train"), parts
        if len(inner) < 2:
            left_out.append(SkippedFile(entry.shown, OUTSIDE_CLASS_FOLDERS))
            continue
        placed.append((entry, role, inner[0], inner[1:]))
    return placed, non_images, left_out, unwrapped, val_top, test_top is not None


def _first_image(
    sources: list[_Source], planned: list[_PlannedFile]
) -> tuple[int, int, str] | None:
    """(width, height, mode) of the first of the first few images that Pillow can open."""
    from PIL import Image, UnidentifiedImageError

    for item in planned[:5]:
        try:
            with sources[item.source].open(item.entry) as stream, Image.open(stream) as image:
                return image.width, image.height, image.mode
        except (
            OSError,
            UnidentifiedImageError,
            Image.DecompressionBombError,
            ValueError,
            zipfile.BadZipFile,
            RuntimeError,
            NotImplementedError,
            EOFError,
            zlib.error,
        ):
            continue
    return None


def _plan(main: _Source, test: _Source | None) -> ImportPlan:
    placed, non_images, left_out, unwrapped, merged, has_test_folder = _classify(
        main, as_test=False
    )
    if test is not None:
        if has_test_folder:
            raise DatasetError(
                "{name} already has a test folder. Give either a test folder inside the "
                "ZIP or a separate test ZIP, not both.",
                name=main.name,
            )
        test_placed, test_non_images, test_left_out, _, _, _ = _classify(test, as_test=True)
        non_images += test_non_images
        left_out += test_left_out
    else:
        test_placed = []
    class_names = tuple(sorted({cls for _, role, cls, _ in placed if role == "train"}))
    if len(class_names) < 2:
        if not placed and not test_placed and not left_out:
            raise DatasetError(
                "{name} contains no images (PNG, JPEG, BMP, GIF, WebP or TIFF). Put one "
                "folder of images per class in the ZIP, e.g. cat/001.jpg and dog/001.jpg.",
                name=main.name,
            )
        if not class_names:
            raise DatasetError(
                "The images in {name} are not inside class folders. Put the images of each "
                "class in a folder named after the class, e.g. cat/001.jpg and dog/001.jpg.",
                name=main.name,
            )
        raise DatasetError(
            "{name} has only one class folder with images ({classes}); a classifier needs "
            "at least two. Add one folder of images per class.",
            name=main.name,
            classes=", ".join(class_names),
        )
    with_test = has_test_folder or test is not None
    planned, used = [], set()
    for items, source in ((placed, 0), (test_placed, 1)):
        for entry, role, cls, rest in items:
            if role == "test" and cls not in class_names:
                left_out.append(SkippedFile(entry.shown, UNKNOWN_TEST_CLASS))
                continue
            target = ("train" if role == "train" else "test", cls, *rest)
            if target in used:
                left_out.append(SkippedFile(entry.shown, DUPLICATE_NAME))
                continue
            used.add(target)
            planned.append(_PlannedFile(entry, target, source))
    train_counts = tuple(
        sum(1 for p in planned if p.target[:2] == ("train", cls)) for cls in class_names
    )
    test_counts = (
        tuple(sum(1 for p in planned if p.target[:2] == ("test", cls)) for cls in class_names)
        if with_test
        else ()
    )
    total = sum(p.entry.size for p in planned)
    if total > MAX_TOTAL_BYTES:
        raise DatasetError(
            "{name} would unpack to {size} of images, more than the limit of {limit}. Use "
            "smaller images or fewer of them.",
            name=main.name,
            size=size_text(total),
            limit=size_text(MAX_TOTAL_BYTES),
        )
    return ImportPlan(
        source_name=main.name,
        class_names=class_names,
        train_counts=train_counts,
        test_counts=test_counts,
        non_images=tuple(entry.shown for entry in non_images),
        left_out=tuple(left_out),
        unwrapped=unwrapped,
        merged_validation=merged,
        total_bytes=total,
        first_image=_first_image([main] + ([test] if test else []), planned),
        files=tuple(planned),
    )


def inspect(
    source: str | os.PathLike | BinaryIO, *, test_source: str | os.PathLike | BinaryIO | None = None
) -> ImportPlan:
    """What importing ``source`` would give, from the archive's listing (fast; nothing is written).

    Args:
        source: a ZIP archive (path or open binary file, e.g. an upload) or a folder of class
        folders. test_source: an optional second archive or folder with the same class folders: the
        test set.

    Raises:
        DatasetError: not a ZIP, unsafe entries, too many or too large, no images, fewer than 2
        classes.
    """
    with _opened(source) as main, _opened_test(test_source) as test:
        return _plan(main, test)


# --- Names and the data root ----------------------------------------------------------------------


def _reserved(name: str) -> bool:
    lowered = name.lower()
    bases = set(RESERVED_NAMES) | set(datasets.builtin_ids())
    return lowered in bases or any(
        lowered in (f"{base}-target", f"{base}_extracted") for base in bases
    )


def _root(root: str | os.PathLike | None) -> Path:
    """The folder a dataset name lives in: ``root`` (a workspace's data folder on a class server)
    or the data root (personal mode)."""
    return Path(root) if root is not None else data_root()


def import_record(name: str, *, root: str | os.PathLike | None = None) -> dict | None:
    """Where and when dataset ``name`` (a folder in ``root``, default the data root) was imported
    ({"source", "date"}), or None if it was not imported."""
    if not NAME_PATTERN.fullmatch(name or ""):
        return None
    manifest = folders.read_manifest(_root(root) / name)
    if not manifest.get("imported_from"):
        return None
    return {"source": str(manifest["imported_from"]), "date": str(manifest.get("imported_at", ""))}


def check_name(name: str, *, replace: bool = False, root: str | os.PathLike | None = None) -> None:
    """Refuse a dataset name that is invalid, taken by a built-in, or already used in ``root``
    (default: the data root) unless replacing an import.

    Raises:
        DatasetError: with what is wrong and how to fix it.
    """
    if not NAME_PATTERN.fullmatch(name or ""):
        raise DatasetError(
            "The dataset name {name!r} is not valid. Use letters, digits, '-' and '_' (at "
            "most 40), starting with a letter or digit.",
            name=name,
        )
    if _reserved(name):
        raise DatasetError(
            "The name {name!r} belongs to a built-in dataset. Choose another name.", name=name
        )
    folder = _root(root) / name
    if not (folder.exists() or folder.is_symlink()):
        return
    if folders.scan(folder) is None:
        raise DatasetError(
            "There is already a file or folder called {name!r} in {root}. Choose another name.",
            name=name,
            root=str(_root(root)),
        )
    if not replace:
        raise DatasetError(
            "A dataset called {name!r} already exists. Choose another name, or replace it.",
            name=name,
        )
    if import_record(name, root=root) is None:
        raise DatasetError(
            "The dataset {name!r} was put in {root} by hand, so it is not replaced or deleted "
            "from here. Choose another name.",
            name=name,
            root=str(_root(root)),
        )


def current_settings(info: datasets.DatasetInfo) -> FolderSettings:
    """The settings a dataset of the user's own is read with now: size, colour, validation, seed."""
    return FolderSettings(
        image_size=info.image_shape[:2],
        color_mode="grayscale" if info.channels == 1 else "rgb",
        validation_split=info.validation_split,
        seed=info.seed,
    )


def suggest_name(filename: str, *, root: str | os.PathLike | None = None) -> str:
    """A valid dataset name, unused in ``root`` (default: the data root), from an archive's file
    name: 'My Pets (2).zip' -> 'My_Pets_2'."""
    stem = unicodedata.normalize("NFC", Path(filename or "").stem)
    base = re.sub(r"[^\w-]+", "_", stem).strip("_-")[:34] or "my_images"
    candidate, n = base, 2
    while True:
        try:
            check_name(candidate, root=root)
            return candidate
        except DatasetError:
            candidate, n = f"{base}_{n}", n + 1
            if n > 99:
                return candidate


def _remove_stale_temporaries(root: Path) -> None:
    """Delete temporary folders that an import or deletion killed half-way left behind."""
    for path in root.iterdir():
        if path.name.startswith(_TEMPORARY_PREFIXES) and path.is_dir() and not path.is_symlink():
            with contextlib.suppress(OSError):
                if time.time() - path.stat().st_mtime > STALE_SECONDS:
                    shutil.rmtree(path, ignore_errors=True)


def _trash(folder: Path) -> None:
    """Remove ``folder`` so that nobody sees it half-deleted: rename it away first, then delete
    it."""
    trash = Path(tempfile.mkdtemp(prefix=f".deleting-{folder.name}-", dir=folder.parent))
    os.rename(folder, trash / folder.name)
    shutil.rmtree(trash, ignore_errors=True)


# --- Writing --------------------------------------------------------------------------------------


class _TooLarge(Exception):
    pass


def _copy_capped(source: IO[bytes], target: IO[bytes], *, declared: int, budget: int) -> int:
    """Copy at most ``declared`` bytes (and at most ``budget``); raise _TooLarge at the first byte
    more.

    Returns:
        the number of bytes copied.
    """
    copied = 0
    while chunk := source.read(_CHUNK):
        copied += len(chunk)
        if copied > declared:
            raise _TooLarge("declared")
        if copied > budget:
            raise _TooLarge("budget")
        target.write(chunk)
    return copied


def _write_one(
    stream: IO[bytes], target: Path, *, declared: int, budget: int
) -> tuple[int, str | None]:
    """Write one image, checking that it decodes; returns (bytes written, why it was left out or
    None).

    Small images are checked in memory first, so a corrupt one is never written; large ones are
    streamed to disk and checked there.
    """
    if declared <= IN_MEMORY_BYTES:
        memory = io.BytesIO()
        size = _copy_capped(stream, memory, declared=declared, budget=budget)
        reason = folders.check_image(memory)
        if reason is None:
            with open(target, "xb") as out:  # "x": never overwrite, never follow a link
                out.write(memory.getbuffer())
        return size, reason
    with open(target, "xb") as out:
        size = _copy_capped(stream, out, declared=declared, budget=budget)
    reason = folders.check_image(target)
    if reason is not None:
        target.unlink()
    return size, reason


def _extract(
    plan: ImportPlan, sources: list[_Source], folder: Path, on_progress
) -> list[SkippedFile]:
    skipped, written, made = [], 0, set()
    inside = os.path.join(os.path.abspath(folder), "")
    for done, item in enumerate(plan.files, start=1):
        target = Path(os.path.normpath(os.path.join(inside, *item.target)))
        # The entry checks make this impossible, and nothing but plain folders is ever created in
        # this fresh folder (so no link can redirect a write): check the final path all the same.
        if not str(target).startswith(inside):
            raise DatasetError(
                "{name} contains the path {entry!r}, which climbs out of its folder with "
                "'..'. Nothing was imported: create the ZIP again without such paths.",
                name=plan.source_name,
                entry=item.entry.shown,
            )
        try:
            if target.parent not in made:
                target.parent.mkdir(parents=True, exist_ok=True)
                made.add(target.parent)
            with sources[item.source].open(item.entry) as stream:
                size, reason = _write_one(
                    stream, target, declared=item.entry.size, budget=MAX_TOTAL_BYTES - written
                )
            written += size
        except _TooLarge as exc:
            if str(exc) == "declared":
                raise DatasetError(
                    "{name} is damaged or malicious: {entry} unpacks to more than the {size} "
                    "its header declares. Nothing was imported.",
                    name=plan.source_name,
                    entry=item.entry.shown,
                    size=size_text(item.entry.size),
                ) from None
            raise DatasetError(
                "{name} would unpack to {size} of images, more than the limit of {limit}. "
                "Use smaller images or fewer of them.",
                name=plan.source_name,
                size=f"> {size_text(MAX_TOTAL_BYTES)}",
                limit=size_text(MAX_TOTAL_BYTES),
            ) from None
        except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
            raise DatasetError(
                "{name} is damaged: {entry} cannot be read ({reason}). Nothing was imported: "
                "create the ZIP again.",
                name=plan.source_name,
                entry=item.entry.shown,
                reason=str(exc),
            ) from None
        except NotImplementedError:
            raise DatasetError(
                "{entry} in {name} uses a compression method that cannot be read here. "
                "Create the ZIP with the standard (deflate) compression.",
                name=plan.source_name,
                entry=item.entry.shown,
            ) from None
        except OSError as exc:
            raise DatasetError(
                "Could not write {entry} into {root}: {reason}.",
                entry=item.entry.shown,
                root=str(folder.parent),
                reason=exc.strerror or str(exc),
            ) from None
        if reason is not None:
            skipped.append(SkippedFile(item.entry.shown, reason))
        if on_progress is not None:
            on_progress(done, len(plan.files))
    return skipped


def _resolved(settings: FolderSettings, layout: folders.FolderLayout) -> FolderSettings:
    """Settings with nothing left automatic, so the dataset reads the same way whatever files are
    added later."""
    return FolderSettings(
        image_size=settings.image_size or layout.image_size,
        color_mode=settings.color_mode or ("grayscale" if layout.channels == 1 else "rgb"),
        validation_split=settings.validation_split
        if settings.validation_split is not None
        else DEFAULT_VALIDATION_SPLIT,
        seed=settings.seed if settings.seed is not None else DEFAULT_SEED,
    )


def import_dataset(
    source: str | os.PathLike | BinaryIO,
    name: str,
    *,
    test_source: str | os.PathLike | BinaryIO | None = None,
    settings: FolderSettings = FolderSettings(),
    replace: bool = False,
    on_progress: Callable[[int, int], None] | None = None,
    root: str | os.PathLike | None = None,
) -> ImportResult:
    """Import ``source`` as the dataset ``name`` under ``root`` (default: the data root).

    Args:
        source: a ZIP archive (path or open binary file, e.g. an upload) or a folder of class
        folders
            (copied; a folder is only accepted from the command line).
        name: the dataset id: letters, digits, '-' and '_'.
        test_source: an optional second archive or folder with the same class folders: the test set.
        settings: image size, colour mode, validation split and seed; None values are decided from
            the first image (at most folders.MAX_SIDE a side) and the course's 20 % / seed 42.
        replace: replace a dataset of the same name that was imported before. Defaults to False.
        on_progress: called as ``on_progress(done, total)`` after each image.
        root: the folder the dataset goes in: a workspace's data folder on a class server
            (``clfcore.workspace.Workspace.data_dir``). Defaults to the data root.

    Returns:
        What was imported. Corrupt images are left out and listed in ``skipped``.

    Raises:
        DatasetError: the name is taken or invalid; the archive is unsafe, too large, not a ZIP, or
            has no images or fewer than two classes. Nothing is left behind.
    """
    check_name(name, replace=replace, root=root)
    root = _root(root)
    with _opened(source) as main, _opened_test(test_source) as test:
        plan = _plan(main, test)
        root.mkdir(parents=True, exist_ok=True)
        free = shutil.disk_usage(root).free
        if free < plan.total_bytes + DISK_MARGIN_BYTES:
            raise DatasetError(
                "There is not enough free disk space in {root} for {size} of images (free: "
                "{free}).",
                root=str(root),
                size=size_text(plan.total_bytes),
                free=size_text(free),
            )
        _remove_stale_temporaries(root)
        # hidden: the registry skips it
        folder = Path(tempfile.mkdtemp(prefix=f".importing-{name}-", dir=root))
        try:
            skipped = _extract(plan, [main] + ([test] if test else []), folder, on_progress)
            layout = folders.scan(folder)
            if layout is None:
                raise DatasetError(
                    "After leaving out {count} images that cannot be read, {name} has fewer "
                    "than two classes with images. Check that the files are real images.",
                    count=len(skipped),
                    name=plan.source_name,
                )
            stored = _resolved(settings, layout)
            folders.write_settings(
                folder,
                stored,
                imported_from=plan.source_name,
                imported_at=datetime.now(UTC).isoformat(timespec="seconds"),
            )
            _move_into_place(folder, root / name, replace=replace)
        except BaseException:
            shutil.rmtree(folder, ignore_errors=True)
            raise
    return ImportResult(
        name=name,
        path=root / name,
        class_names=layout.class_names,
        train_images=len(layout.train_files),
        test_images=len(layout.test_files),
        skipped=tuple(plan.left_out) + tuple(skipped),
        non_images=plan.non_images,
        settings=stored,
    )


def _move_into_place(folder: Path, final: Path, *, replace: bool) -> None:
    """Rename the finished temporary folder to its name in one step (replacing an earlier import if
    asked)."""
    # again: another import may have taken the name meanwhile
    check_name(final.name, replace=replace, root=final.parent)
    if final.exists():
        parked = Path(tempfile.mkdtemp(prefix=f".deleting-{final.name}-", dir=final.parent))
        os.rename(final, parked / final.name)
        try:
            os.rename(folder, final)
        except OSError:
            os.rename(parked / final.name, final)
            raise
        shutil.rmtree(parked, ignore_errors=True)
        return
    try:
        os.rename(folder, final)  # refuses a non-empty folder of that name that appeared meanwhile
    except OSError:
        raise DatasetError(
            "A dataset called {name!r} already exists. Choose another name, or replace it.",
            name=final.name,
        ) from None


# --- Managing imported datasets -------------------------------------------------------------------


def _user_folder(name: str, root: str | os.PathLike | None) -> Path:
    folder = _root(root) / name if NAME_PATTERN.fullmatch(name or "") else None
    if folder is None or _reserved(name) or folders.scan(folder) is None:
        raise DatasetError(
            "There is no dataset of your own called {name!r} in {root}.",
            name=name,
            root=str(_root(root)),
        )
    return folder


def delete_dataset(name: str, *, root: str | os.PathLike | None = None) -> None:
    """Delete the imported dataset ``name`` (its folder under ``root``, default the data root), all
    at once.

    Raises:
        DatasetError: no such dataset, or one that was put in the data root by hand (delete it
        there).
    """
    folder = _user_folder(name, root)
    if import_record(name, root=root) is None:
        raise DatasetError(
            "The dataset {name!r} was put in {root} by hand, so it is not replaced or deleted "
            "from here. Choose another name.",
            name=name,
            root=str(_root(root)),
        )
    _trash(folder)


def save_settings(
    name: str, settings: FolderSettings, *, root: str | os.PathLike | None = None
) -> FolderSettings:
    """Store new settings (size, colour, validation split, seed) for the user dataset ``name`` (a
    folder in ``root``, default the data root); returns them."""
    folder = _user_folder(name, root)
    current = folders.read_settings(folder)
    merged = dataclasses.replace(
        current, **{k: v for k, v in dataclasses.asdict(settings).items() if v is not None}
    )
    folders.write_settings(folder, merged)
    return merged
