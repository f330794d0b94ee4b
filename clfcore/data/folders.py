"""User datasets: a folder under the data root with one sub-folder of images per class.

The ``keras.utils.image_dataset_from_directory`` convention the course teaches::

    data/flowers/daisy/001.jpg        data/flowers/train/daisy/001.jpg
    data/flowers/rose/002.png   or    data/flowers/test/daisy/101.jpg   (a separate test folder)

Class names are the folder names, sorted. The split folders may also be called ``training`` and
``testing`` (any case). An optional ``dataset.json`` beside the class folders holds the dataset's
settings (``FolderSettings``): ``image_size`` ([height, width]) and ``color_mode`` ("grayscale" or
"rgb"), and the ``validation_split`` and ``seed`` used whenever the dataset is chosen; without it
the size of the first image is used (at most MAX_SIDE pixels) and the colour mode follows the
images. ``clfcore.data.archive`` writes it when it imports a dataset. Images are decoded with Pillow
only when the dataset is loaded; unreadable ones are skipped and listed.
"""

from __future__ import annotations

import functools
import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from clfcore.errors import DatasetError, UserInputError
from clfcore.fileio import write_text_atomic
from clfcore.i18n import N_

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".gif", ".webp", ".tif", ".tiff")
MANIFEST = "dataset.json"
JUNK_FOLDERS = ("__macosx",)  # macOS resource forks (any case)
JUNK_FILES = ("thumbs.db", "ehthumbs.db", "desktop.ini")  # Windows Explorer's own files (any case)
MAX_SIDE = 128  # default target size cap: small enough to train on a classroom CPU
GRAY_MODES = ("1", "L", "LA", "I", "I;16", "I;16B", "I;16L", "F")
COLOR_MODES = ("grayscale", "rgb")
TRAIN_FOLDERS = ("train", "training")  # names of the training folder of a split layout (any case)
TEST_FOLDERS = ("test", "testing")
SIZE_RANGE = (4, 512)  # smallest and largest side a user may ask for (pixels)
MAX_PIXELS = (
    50_000_000  # larger images are refused before decoding (a decompression bomb, or a poster scan)
)


@dataclass(frozen=True)
class FolderSettings:
    """How a folder dataset is read; stored in its dataset.json. None means "decide from the
    images"."""

    image_size: tuple[int, int] | None = None  # (height, width) every image is resized to
    color_mode: str | None = None  # "grayscale" or "rgb"
    validation_split: float | None = None  # held out for validation whenever the dataset is chosen
    seed: int | None = None  # seed of that split

    def __post_init__(self) -> None:
        if self.image_size is not None:
            height, width = self.image_size
            low, high = SIZE_RANGE
            if not (low <= height <= high and low <= width <= high):
                raise UserInputError(
                    "The image size must be between {low} and {high} pixels a side, got "
                    "{height}x{width}.",
                    low=low,
                    high=high,
                    height=height,
                    width=width,
                )
            object.__setattr__(self, "image_size", (int(height), int(width)))
        if self.color_mode is not None and self.color_mode not in COLOR_MODES:
            raise UserInputError(
                "The colour mode must be 'grayscale' or 'rgb', got {value!r}.",
                value=self.color_mode,
            )
        if self.validation_split is not None and not 0.0 < self.validation_split < 1.0:
            raise UserInputError(
                "The validation split must be between 0 and 1 (for example 0.2 for 20 %), "
                "got {value}.",
                value=self.validation_split,
            )
        if self.seed is not None and self.seed < 0:
            raise UserInputError("The seed must be 0 or more, got {value}.", value=self.seed)


def read_manifest(folder: Path) -> dict:
    """The dataset.json of ``folder`` as a dict; {} when it is missing or not valid JSON."""
    try:
        manifest = json.loads((Path(folder) / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return manifest if isinstance(manifest, dict) else {}


def read_settings(folder: Path) -> FolderSettings:
    """The settings in ``folder``'s dataset.json; a value that is missing or invalid there means
    "automatic"."""
    manifest = read_manifest(folder)
    values: dict[str, Any] = {}  # FolderSettings keyword arguments, each checked on its own
    for key, convert in (
        ("image_size", lambda v: (int(v[0]), int(v[1]))),
        ("color_mode", str),
        ("validation_split", float),
        ("seed", int),
    ):
        if manifest.get(key) is not None:
            try:
                candidate: dict[str, Any] = {key: convert(manifest[key])}
                FolderSettings(**candidate)
                values.update(candidate)
            except (TypeError, ValueError, IndexError, KeyError):  # UserInputError is a ValueError
                pass
    return FolderSettings(**values)


def write_settings(folder: Path, settings: FolderSettings, **extra: object) -> None:
    """Store ``settings`` (and ``extra`` keys such as where it was imported from) in ``folder``'s
    dataset.json.

    Keys already in the file that are not settings are kept; the file is replaced atomically.
    """
    manifest = {**read_manifest(folder), **asdict(settings), **extra}
    manifest = {
        k: (list(v) if isinstance(v, tuple) else v) for k, v in manifest.items() if v is not None
    }
    write_text_atomic(
        Path(folder) / MANIFEST, json.dumps(manifest, indent=2, ensure_ascii=False) + "\n"
    )


def default_size(width: int, height: int) -> tuple[int, int]:
    """(height, width) of an image of ``width`` x ``height`` scaled down to at most MAX_SIDE a
    side."""
    scale = min(1.0, MAX_SIDE / max(width, height, 1))
    return max(1, round(height * scale)), max(1, round(width * scale))


def check_image(path) -> str | None:
    """None if ``path`` (a file path or an open binary file) decodes as an image, else why not.

    The reason is English; translate it with clfcore.i18n where it is shown.
    """
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(path) as image:
            if image.width * image.height > MAX_PIXELS:
                return N_("too large (more than 50 megapixels)")
            # JPEG: decode at a reduced scale, still reads every byte
            image.draft(image.mode, (MAX_SIDE, MAX_SIDE))
            image.load()
    except (OSError, UnidentifiedImageError, Image.DecompressionBombError, ValueError, SyntaxError):
        return N_("not readable as an image")
    return None


@dataclass(frozen=True)
class FolderLayout:
    """What a user dataset folder holds, found by listing files (no image is decoded)."""

    root: Path
    class_names: tuple[str, ...]
    train_files: tuple[tuple[Path, int], ...]  # (file, class index)
    test_files: tuple[tuple[Path, int], ...]  # empty when there is no separate test folder
    image_size: tuple[int, int]  # (height, width) every image is resized to
    channels: int  # 1 (grayscale) or 3 (RGB)
    skipped_files: int  # files that are not images by their name
    settings: FolderSettings = field(default_factory=FolderSettings)  # as stored in dataset.json

    @property
    def signature(self) -> tuple:
        """Changes when files are added, removed or replaced, or the size or colour changes: a cache
        key."""
        files = self.train_files + self.test_files
        return (
            len(files),
            max((os.stat(f).st_mtime_ns for f, _ in files), default=0),
            self.image_size,
            self.channels,
        )


def is_junk(parts: tuple[str, ...]) -> bool:
    """Whether a path (its parts, e.g. ``("pets", "__MACOSX", "._1.jpg")``) is a file the system
    made.

    Hidden files and folders (``.DS_Store``, ``._1.jpg``, ``.git``), macOS's ``__MACOSX`` resource
    forks and Windows's ``Thumbs.db`` / ``desktop.ini``: left out of ZIP imports and uploads
    without being counted as skipped. An empty path counts as junk.
    """
    return (
        not parts
        or any(part.startswith(".") or part.lower() in JUNK_FOLDERS for part in parts)
        or parts[-1].lower() in JUNK_FILES
    )


def _class_folders(folder: Path) -> list[Path]:
    return sorted(
        (p for p in folder.iterdir() if p.is_dir() and not p.name.startswith(".")),
        key=lambda p: p.name,
    )


def _images_in(folder: Path) -> tuple[list[Path], int]:
    images, others = [], 0
    for path in sorted(folder.rglob("*")):
        if path.is_file() and not path.name.startswith("."):
            if path.suffix.lower() in IMAGE_SUFFIXES:
                images.append(path)
            else:
                others += 1
    return images, others


def _collect(folder: Path, class_names: list[str]) -> tuple[list[tuple[Path, int]], int]:
    files, skipped = [], 0
    for index, name in enumerate(class_names):
        if (folder / name).is_dir():
            images, others = _images_in(folder / name)
            files += [(path, index) for path in images]
            skipped += others
    return files, skipped


def _split_folder(folder: Path, names: tuple[str, ...]) -> Path | None:
    """The sub-folder of ``folder`` called one of ``names`` (any case), e.g. train/ or Training/."""
    return next((p for p in _class_folders(folder) if p.name.lower() in names), None)


def _fingerprint(folder: Path) -> tuple:
    """Changes when a file is added, removed or renamed anywhere in ``folder``, or its dataset.json
    changes.

    A directory's mtime changes whenever an entry is added, removed or renamed in it; the entry
    counts catch changes within the same clock tick. Listing names is far cheaper than scanning.
    """
    stamps: list[tuple[str, int, int, int] | bytes] = []
    for current, dirnames, filenames in os.walk(folder):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        stamps.append((current, os.stat(current).st_mtime_ns, len(dirnames), len(filenames)))
    try:
        # a few bytes; its content, as mtimes can tie
        stamps.append((folder / MANIFEST).read_bytes()[:65536])
    except OSError:
        stamps.append(b"")
    return tuple(stamps)


def scan(folder: Path) -> FolderLayout | None:
    """The layout of ``folder`` if it is an image-folder dataset (two or more class folders with
    images).

    Remembered until a file is added, removed or renamed in the folder or its settings change (the
    registry asks several times per page), so a dataset of many thousand images stays quick.
    """
    folder = Path(folder)
    if not folder.is_dir():
        return None
    return _scan_cached(folder, _fingerprint(folder))


@functools.lru_cache(maxsize=32)
def _scan_cached(folder: Path, _fingerprint: tuple) -> FolderLayout | None:
    train_split = _split_folder(folder, TRAIN_FOLDERS)
    train_dir, split_layout = folder, False
    if train_split is not None and len(_class_folders(train_split)) >= 2:
        train_dir, split_layout = train_split, True
    class_names = [p.name for p in _class_folders(train_dir) if _images_in(p)[0]]
    if len(class_names) < 2:
        return None
    train, skipped = _collect(train_dir, class_names)
    test: list[tuple[Path, int]] = []
    test_dir = _split_folder(folder, TEST_FOLDERS) if split_layout else None
    if test_dir is not None:
        test, more = _collect(test_dir, class_names)
        skipped += more
    settings = read_settings(folder)
    size, channels = _target_format(settings, train[0][0])
    return FolderLayout(
        folder, tuple(class_names), tuple(train), tuple(test), size, channels, skipped, settings
    )


def _target_format(settings: FolderSettings, first_image: Path) -> tuple[tuple[int, int], int]:
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(first_image) as image:
            width, height, mode = image.width, image.height, image.mode
    except (OSError, UnidentifiedImageError, Image.DecompressionBombError):
        width, height, mode = MAX_SIDE, MAX_SIDE, "RGB"
    size = settings.image_size or default_size(width, height)
    color_mode = settings.color_mode or ("grayscale" if mode in GRAY_MODES else "rgb")
    return (int(size[0]), int(size[1])), 1 if color_mode == "grayscale" else 3


def decode(
    layout: FolderLayout, files: tuple[tuple[Path, int], ...]
) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Decode, convert and resize ``files``: uint8 images (N, H, W, C), int labels (N,), skipped
    names."""
    from PIL import Image, ImageOps, UnidentifiedImageError

    height, width = layout.image_size
    images, labels, skipped = [], [], []
    for path, label in files:
        try:
            with Image.open(path) as opened:
                image = ImageOps.exif_transpose(opened)
                if image.mode in ("RGBA", "LA", "P"):  # transparent parts become white, not black
                    image = image.convert("RGBA")
                    background = Image.new("RGBA", image.size, (255, 255, 255, 255))
                    image = Image.alpha_composite(background, image)
                image = image.convert("L" if layout.channels == 1 else "RGB").resize(
                    (width, height), Image.Resampling.BILINEAR
                )
                array = np.asarray(image, dtype=np.uint8)
        except (OSError, UnidentifiedImageError, Image.DecompressionBombError, ValueError):
            skipped.append(str(path.relative_to(layout.root)))
            continue
        images.append(array.reshape(height, width, layout.channels))
        labels.append(label)
    if not images:
        raise DatasetError(
            "None of the images in {folder} could be read. Check that they are PNG, JPEG, "
            "BMP, GIF, WebP or TIFF files.",
            folder=str(layout.root),
        )
    return np.stack(images), np.asarray(labels, dtype=np.int64), skipped
