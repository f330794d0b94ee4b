"""User datasets: a folder under the data root with one sub-folder of images per class.

The ``keras.utils.image_dataset_from_directory`` convention the course teaches::

    data/flowers/daisy/001.jpg        data/flowers/train/daisy/001.jpg
    data/flowers/rose/002.png   or    data/flowers/test/daisy/101.jpg   (a separate test folder)

Class names are the folder names, sorted. An optional ``dataset.json`` beside the class folders
sets ``image_size`` ([height, width]) and ``color_mode`` ("grayscale" or "rgb"); without it the
size of the first image is used (at most MAX_SIDE pixels) and the colour mode follows the images.
Images are decoded with Pillow only when the dataset is loaded; unreadable ones are skipped and listed.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from clfcore.errors import DatasetError

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".gif", ".webp", ".tif", ".tiff")
MANIFEST = "dataset.json"
MAX_SIDE = 128  # default target size cap: small enough to train on a classroom CPU
GRAY_MODES = ("1", "L", "LA", "I", "I;16", "I;16B", "I;16L", "F")


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

    @property
    def signature(self) -> tuple:
        """Changes when files are added, removed or replaced: a cache key for the decoded arrays."""
        files = self.train_files + self.test_files
        return (len(files), max((os.stat(f).st_mtime_ns for f, _ in files), default=0))


def _class_folders(folder: Path) -> list[Path]:
    return sorted((p for p in folder.iterdir() if p.is_dir() and not p.name.startswith(".")), key=lambda p: p.name)


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


def scan(folder: Path) -> FolderLayout | None:
    """The layout of ``folder`` if it is an image-folder dataset (two or more class folders with images)."""
    folder = Path(folder)
    if not folder.is_dir():
        return None
    split_layout = (folder / "train").is_dir() and len(_class_folders(folder / "train")) >= 2
    train_dir = folder / "train" if split_layout else folder
    class_names = [p.name for p in _class_folders(train_dir) if _images_in(p)[0]]
    if len(class_names) < 2:
        return None
    train, skipped = _collect(train_dir, class_names)
    test: list[tuple[Path, int]] = []
    if split_layout and (folder / "test").is_dir():
        test, more = _collect(folder / "test", class_names)
        skipped += more
    size, channels = _target_format(folder, train[0][0])
    return FolderLayout(folder, tuple(class_names), tuple(train), tuple(test), size, channels, skipped)


def _target_format(folder: Path, first_image: Path) -> tuple[tuple[int, int], int]:
    manifest = {}
    if (folder / MANIFEST).is_file():
        try:
            manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            manifest = {}
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(first_image) as image:
            width, height, mode = image.width, image.height, image.mode
    except (OSError, UnidentifiedImageError, Image.DecompressionBombError):
        width, height, mode = MAX_SIDE, MAX_SIDE, "RGB"
    scale = min(1.0, MAX_SIDE / max(width, height))
    size = manifest.get("image_size") or [max(1, round(height * scale)), max(1, round(width * scale))]
    color_mode = manifest.get("color_mode") or ("grayscale" if mode in GRAY_MODES else "rgb")
    return (int(size[0]), int(size[1])), 1 if color_mode == "grayscale" else 3


def decode(layout: FolderLayout, files: tuple[tuple[Path, int], ...]) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Decode, convert and resize ``files``: uint8 images (N, H, W, C), int labels (N,), skipped names."""
    from PIL import Image, ImageOps, UnidentifiedImageError

    height, width = layout.image_size
    images, labels, skipped = [], [], []
    for path, label in files:
        try:
            with Image.open(path) as image:
                image = ImageOps.exif_transpose(image)
                if image.mode in ("RGBA", "LA", "P"):  # transparent parts become white, not black
                    image = image.convert("RGBA")
                    background = Image.new("RGBA", image.size, (255, 255, 255, 255))
                    image = Image.alpha_composite(background, image)
                image = image.convert("L" if layout.channels == 1 else "RGB").resize((width, height), Image.Resampling.BILINEAR)
                array = np.asarray(image, dtype=np.uint8)
        except (OSError, UnidentifiedImageError, Image.DecompressionBombError, ValueError):
            skipped.append(str(path.relative_to(layout.root)))
            continue
        images.append(array.reshape(height, width, layout.channels))
        labels.append(label)
    if not images:
        raise DatasetError(
            "None of the images in {folder} could be read. Check that they are PNG, JPEG, BMP, GIF, WebP or TIFF files.",
            folder=str(layout.root),
        )
    return np.stack(images), np.asarray(labels, dtype=np.int64), skipped
