"""Multi-label datasets: several labels per image (course notes on classification), read from a CSV
or made as Fashion-MNIST mosaics.

Your own multi-label dataset is a folder under the data root with the images and a ``labels.csv``
(and optionally a ``test.csv`` for a separate test set) in one of two formats::

    filename,labels                 filename,cat,dog,grass
    img/001.jpg,cat;grass           img/001.jpg,1,0,1
    img/002.jpg,dog                 img/002.jpg,0,1,0

The first names the labels of each image separated by ``;`` (an empty cell: no label); the second
has one 0/1 column per label. File names are relative to the folder. Every mistake in the file is
refused with the row and what to change (``DatasetError``).

The built-in ``fashion_mnist_mosaic`` puts 1 to 4 Fashion-MNIST items on a 2x2 grid (56x56 pixels);
its labels are the set of classes present. The mosaics follow from a fixed seed, so every machine
makes the same ones from the same Fashion-MNIST files.
"""

from __future__ import annotations

import csv
import functools
import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from clfcore.data import folders, sources
from clfcore.data.sources import HELD_OUT_TEST_FRACTION, HELD_OUT_TEST_SEED, RawData
from clfcore.errors import DatasetError

LABELS_CSV = "labels.csv"
TEST_CSV = "test.csv"
FILENAME_COLUMNS = ("filename", "file", "image", "path")
LABEL_LIST_COLUMNS = ("labels", "label", "tags")
LABEL_SEPARATOR = ";"
MAX_CSV_BYTES = 20 * 1024 * 1024  # a labels file larger than this is not a label table

MOSAIC_GRID = 2  # tiles per side
MOSAIC_TRAIN, MOSAIC_TEST = 12_000, 2_000  # mosaics made from the training and the test images
MOSAIC_SEEDS = (2024, 2025)  # fixed: the same mosaics on every machine (train, test)


# --- CSV label tables ----------------------------------------------------------------------------


@dataclass(frozen=True)
class LabelTable:
    """A parsed labels CSV: files (relative to the dataset folder) and their 0/1 label matrix."""

    files: tuple[str, ...]
    label_names: tuple[str, ...]
    labels: np.ndarray  # uint8 (N, labels)


def _read_rows(path: Path) -> list[list[str]]:
    if path.stat().st_size > MAX_CSV_BYTES:
        raise DatasetError(
            "{csv} is larger than 20 MB: that is not a table of labels. Check the file.",
            csv=path.name,
        )
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise DatasetError(
            "{csv} is not a UTF-8 text file. Save it as CSV (UTF-8) and try again.", csv=path.name
        ) from None
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    rows = [[cell.strip() for cell in row] for row in csv.reader(text.splitlines(), dialect)]
    return [row for row in rows if any(row)]


def _check_file(folder: Path, name: str, csv_name: str, row: int) -> None:
    relative = Path(name)
    if not name or relative.is_absolute() or ".." in relative.parts:
        raise DatasetError(
            "Row {row} of {csv} names {file!r}: file names must be relative to the dataset "
            "folder, without '..'.",
            row=row,
            csv=csv_name,
            file=name,
        )
    if relative.suffix.lower() not in folders.IMAGE_SUFFIXES:
        raise DatasetError(
            "Row {row} of {csv} names {file!r}, which is not an image (PNG, JPEG, BMP, "
            "GIF, WebP or TIFF).",
            row=row,
            csv=csv_name,
            file=name,
        )
    if not (folder / relative).is_file():
        raise DatasetError(
            "Row {row} of {csv} names {file!r}, but there is no such file in {folder}. "
            "Fix the name or add the image.",
            row=row,
            csv=csv_name,
            file=name,
            folder=str(folder),
        )


def read_label_csv(path: Path, *, label_names: tuple[str, ...] | None = None) -> LabelTable:
    """Parse a labels CSV in either format, checking every row against the files in its folder.

    Args:
        path: the CSV; file names in it are relative to its folder.
        label_names: the labels of the training CSV, when ``path`` is the test CSV (its labels
            must be among them; the table then uses their order).

    Raises:
        DatasetError: no ``filename`` column, no label column, a file that does not exist, a value
            that is not 0/1, a repeated file, fewer than two labels, a label no image has...
    """
    path = Path(path)
    folder, name = path.parent, path.name
    rows = _read_rows(path)
    if not rows:
        raise DatasetError(
            "{csv} is empty. Write a header row (filename,labels) and one row per image.", csv=name
        )
    header, body = [cell.strip() for cell in rows[0]], rows[1:]
    if header[0].lower() not in FILENAME_COLUMNS:
        raise DatasetError(
            "The first column of {csv} must be 'filename' (the image's path in the dataset "
            "folder), got {found!r}. Write the header as filename,labels or filename,<label "
            "1>,<label 2>,...",
            csv=name,
            found=header[0],
        )
    if len(header) < 2:
        raise DatasetError(
            "{csv} has no labels column. Add a 'labels' column (labels separated by ';') "
            "or one 0/1 column per label.",
            csv=name,
        )
    if not body:
        raise DatasetError("{csv} has a header but no images. Add one row per image.", csv=name)
    files: list[str] = []
    seen: dict[str, int] = {}  # file -> its row number
    list_format = len(header) == 2 and header[1].lower() in LABEL_LIST_COLUMNS
    columns: list[str] = [] if list_format else header[1:]  # the 0/1 label columns
    if not list_format:
        blank = [i + 2 for i, c in enumerate(columns) if not c]
        if blank:
            raise DatasetError(
                "Column {column} of {csv} has no name in the header. Name every label column.",
                column=blank[0],
                csv=name,
            )
        duplicates = sorted({c for c in columns if columns.count(c) > 1})
        if duplicates:
            raise DatasetError(
                "{csv} has the label column {label!r} twice. Keep one.",
                csv=name,
                label=duplicates[0],
            )
    sets: list[set[str]] = []
    for number, row in enumerate(body, start=2):
        if len(row) != len(header):
            raise DatasetError(
                "Row {row} of {csv} has {found} values but the header has {expected}. Every "
                "row needs a file name and its labels.",
                row=number,
                csv=name,
                found=len(row),
                expected=len(header),
            )
        file = row[0].replace("\\", "/")
        _check_file(folder, file, name, number)
        if file in seen:
            raise DatasetError(
                "{file!r} is listed twice in {csv} (rows {first} and {row}). Keep one row "
                "per image.",
                file=file,
                csv=name,
                first=seen[file],
                row=number,
            )
        seen[file] = number
        files.append(file)
        if list_format:
            sets.append({label.strip() for label in row[1].split(LABEL_SEPARATOR) if label.strip()})
        else:
            chosen: set[str] = set()
            for column, value in zip(columns, row[1:]):
                if value not in ("0", "1"):
                    raise DatasetError(
                        "Row {row} of {csv}, column {column!r}: expected 0 or 1, got {value!r}.",
                        row=number,
                        csv=name,
                        column=column,
                        value=value,
                    )
                if value == "1":
                    chosen.add(column)
            sets.append(chosen)
    used = set().union(*sets)
    if label_names is None:
        names = tuple(sorted(used)) if list_format else tuple(columns)
        unused = [label for label in names if label not in used]
        if unused:
            raise DatasetError(
                "The label {label!r} in {csv} is never used: no image has it, so a model "
                "cannot learn it. Remove the column or label some images with it.",
                label=unused[0],
                csv=name,
            )
        if len(names) < 2:
            raise DatasetError(
                "{csv} uses {count} label(s); a multi-label dataset needs at least 2.",
                csv=name,
                count=len(names),
            )
    else:
        names = label_names
        unknown = sorted(used - set(names)) + (
            [] if list_format else [c for c in columns if c not in names]
        )
        if unknown:
            raise DatasetError(
                "The label {label!r} is in {csv} but not in labels.csv: the model would "
                "never learn it. Use the labels of labels.csv ({known}).",
                label=unknown[0],
                csv=name,
                known=", ".join(names),
            )
    matrix = np.zeros((len(files), len(names)), dtype=np.uint8)
    index = {label: i for i, label in enumerate(names)}
    for position, labels in enumerate(sets):
        matrix[position, [index[label] for label in labels]] = 1
    return LabelTable(tuple(files), tuple(names), matrix)


# --- A multi-label folder under the data root -----------------------------------------------------


@dataclass(frozen=True)
class MultiLabelLayout:
    """A multi-label dataset folder: images, their labels (from labels.csv / test.csv), the target
    format."""

    root: Path
    class_names: tuple[str, ...]
    train: LabelTable
    test: LabelTable | None
    image_size: tuple[int, int]  # (height, width)
    channels: int
    settings: folders.FolderSettings = field(default_factory=folders.FolderSettings)

    @property
    def signature(self) -> tuple:
        """Changes when the label files or the images change (a cache key)."""
        stamps = [
            os.stat(self.root / name).st_mtime_ns
            for name in (LABELS_CSV, TEST_CSV)
            if (self.root / name).is_file()
        ]
        files = list(self.train.files) + list(self.test.files if self.test else ())
        newest = max((os.stat(self.root / f).st_mtime_ns for f in files), default=0)
        return (len(files), newest, tuple(stamps), self.image_size, self.channels)


def is_multilabel_folder(folder: Path) -> bool:
    """True when ``folder`` holds a labels.csv (it is then read as a multi-label dataset, not as
    class folders)."""
    return (Path(folder) / LABELS_CSV).is_file()


def scan(folder: Path) -> MultiLabelLayout | None:
    """The multi-label layout of ``folder``, or None when it has no labels.csv.

    Raises:
        DatasetError: the CSV is wrong (see ``read_label_csv``).
    """
    folder = Path(folder)
    if not is_multilabel_folder(folder):
        return None
    csv_stamps = tuple(
        (name, os.stat(folder / name).st_mtime_ns, os.stat(folder / name).st_size)
        for name in (LABELS_CSV, TEST_CSV)
        if (folder / name).is_file()
    )
    return _scan_cached(folder, folders._fingerprint(folder), csv_stamps)


@functools.lru_cache(maxsize=16)
def _scan_cached(folder: Path, _fingerprint: tuple, _csv_stamps: tuple) -> MultiLabelLayout:
    train = read_label_csv(folder / LABELS_CSV)
    test = (
        read_label_csv(folder / TEST_CSV, label_names=train.label_names)
        if (folder / TEST_CSV).is_file()
        else None
    )
    settings = folders.read_settings(folder)
    size, channels = folders._target_format(settings, folder / train.files[0])
    return MultiLabelLayout(folder, train.label_names, train, test, size, channels, settings)


def read_folder(layout: MultiLabelLayout):
    """The dataset's ``RawData``: uint8 images and (N, labels) 0/1 labels; a seeded 20 % is the test
    set without test.csv."""

    def decode(table: LabelTable) -> tuple[np.ndarray, np.ndarray, list[str]]:
        image_layout = folders.FolderLayout(
            layout.root,
            layout.class_names,
            (),
            (),
            layout.image_size,
            layout.channels,
            0,
            layout.settings,
        )
        images, rows, skipped = folders.decode(
            image_layout, tuple((layout.root / f, i) for i, f in enumerate(table.files))
        )
        return images, table.labels[rows].astype(np.int64), skipped

    x, y, skipped = decode(layout.train)
    if layout.test is not None:
        x_test, y_test, more = decode(layout.test)
        return RawData(x, y, x_test, y_test, tuple(skipped + more))
    order = np.random.default_rng(HELD_OUT_TEST_SEED).permutation(len(x))
    held = max(1, int(round(HELD_OUT_TEST_FRACTION * len(x)))) if len(x) > 1 else 0
    test, train = np.sort(order[:held]), np.sort(order[held:])
    return RawData(x[train], y[train], x[test], y[test], tuple(skipped))


def held_out_counts(count: int) -> tuple[int, int]:
    """(training, test) images of a multi-label folder without test.csv."""
    held = max(1, int(round(HELD_OUT_TEST_FRACTION * count))) if count > 1 else 0
    return count - held, held


# --- Fashion-MNIST mosaics ------------------------------------------------------------------------


def make_mosaics(
    images: np.ndarray, labels: np.ndarray, count: int, *, num_classes: int, seed: int
) -> tuple[np.ndarray, np.ndarray]:
    """``count`` mosaics of 1 to 4 items each on a 2x2 grid, empty tiles black; labels = the classes
    present.

    Args:
        images: uint8 (N, H, W) or (N, H, W, 1) single items.
        labels: (N,) their classes.
        count: mosaics to make.
        num_classes: length of each label vector.
        seed: the same seed and images always give the same mosaics.

    Returns:
        ``(mosaics, targets)``: uint8 (count, 2H, 2W, 1) and int64 (count, num_classes) 0/1.
    """
    images = np.asarray(images)
    if images.ndim == 4:
        images = images[..., 0]
    n, height, width = images.shape
    tiles = MOSAIC_GRID * MOSAIC_GRID
    rng = np.random.default_rng(seed)
    items = rng.integers(1, tiles + 1, size=count)  # how many items each mosaic holds
    order = np.argsort(rng.random((count, tiles)), axis=1)  # a random order of the tiles...
    occupied = np.zeros((count, tiles), dtype=bool)
    # ...the first `items` are filled
    np.put_along_axis(occupied, order, np.arange(tiles)[None, :] < items[:, None], axis=1)
    picks = rng.integers(0, n, size=(count, tiles))
    mosaics = np.zeros((count, MOSAIC_GRID * height, MOSAIC_GRID * width), dtype=np.uint8)
    targets = np.zeros((count, num_classes), dtype=np.int64)
    rows = np.arange(count)
    for tile in range(tiles):
        top, left = (tile // MOSAIC_GRID) * height, (tile % MOSAIC_GRID) * width
        filled = occupied[:, tile]
        mosaics[filled, top : top + height, left : left + width] = images[picks[filled, tile]]
        targets[rows[filled], labels[picks[filled, tile]]] = 1
    return mosaics[..., None], targets


def read_fashion_mosaics(location: Path, *, train: int = MOSAIC_TRAIN, test: int = MOSAIC_TEST):
    """The ``fashion_mnist_mosaic`` dataset from the Fashion-MNIST IDX files in ``location``.

    Training mosaics use only training images and test mosaics only test images, so no item of the
    test set was seen in training.
    """
    raw = sources.read_idx_folder(location)
    x_train, y_train = make_mosaics(
        raw.x_train, raw.y_train, train, num_classes=10, seed=MOSAIC_SEEDS[0]
    )
    x_test, y_test = make_mosaics(
        raw.x_test, raw.y_test, test, num_classes=10, seed=MOSAIC_SEEDS[1]
    )
    return sources.RawData(x_train, y_train, x_test, y_test)


# --- What the labels look like --------------------------------------------------------------------


def label_frequencies(labels: np.ndarray) -> np.ndarray:
    """Images that carry each label: int array (labels,)."""
    return np.asarray(labels).sum(axis=0).astype(np.int64)


def labels_per_image(labels: np.ndarray, num_labels: int) -> np.ndarray:
    """How many images have 0, 1, 2 ... ``num_labels`` labels: int array (num_labels + 1,)."""
    return np.bincount(np.asarray(labels).sum(axis=1).astype(np.int64), minlength=num_labels + 1)


def mean_labels_per_image(cardinality) -> float:
    """The mean number of labels per image, from ``labels_per_image(...)`` (0 for no images)."""
    cardinality = np.asarray(cardinality)
    return float((np.arange(len(cardinality)) * cardinality).sum() / max(cardinality.sum(), 1))


def labels_at_threshold(probabilities, threshold: float) -> list[int]:
    """The labels whose probability is at least ``threshold``, most probable first.

    Args:
        probabilities: one image's label probabilities, shape (num_labels,).
        threshold: the decision threshold.
    """
    probabilities = np.asarray(probabilities)
    return [int(i) for i in np.argsort(-probabilities) if probabilities[i] >= threshold]


def sample_indices(labels: np.ndarray, count: int, *, seed: int) -> np.ndarray:
    """``count`` random image indices (seeded), for a gallery of examples with their label sets."""
    rng = np.random.default_rng(seed)
    return np.sort(rng.choice(len(labels), size=min(count, len(labels)), replace=False))
