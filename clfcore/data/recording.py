"""Camera recordings: name a few classes, take pictures of each, save them as a dataset.

Teachable Machine's flow, kept on disk so that a page refresh or a server restart loses no shot. A
draft is a hidden folder of class folders in the user's data folder (the dataset registry skips
hidden folders)::

    <data folder>/.drafts/camera/thumbs_up/0001.png
    <data folder>/.drafts/camera/thumbs_down/0001.png

Every shot is centre-cropped and resized to the draft's image size (``IMAGE_SIZE``, RGB) when it
is added. "Save as dataset" imports the class folders with ``clfcore.data.archive``, so the new
dataset has the same layout, checks and dataset.json as one imported from a ZIP:

    >>> draft = Draft(tmp_root)                      # doctest: +SKIP
    >>> draft.add_class("thumbs up")                 # doctest: +SKIP
    >>> draft.add_shot("thumbs up", png_bytes)       # doctest: +SKIP
    >>> draft.save_as_dataset("gestures")            # doctest: +SKIP
"""

from __future__ import annotations

import io
import os
import re
import shutil
import threading
import time
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from clfcore.data import archive, folders
from clfcore.data.folders import FolderSettings
from clfcore.errors import UserInputError
from clfcore.fileio import write_bytes_atomic

DRAFTS_FOLDER = ".drafts"  # hidden: never listed as a dataset
DEFAULT_DRAFT = "camera"  # also the "imported from" of a saved recording
IMAGE_SIZE = (96, 96)  # (height, width) of every shot: the camera preset's input, quick on a CPU
MIN_SHOTS = 10  # a class needs this many shots before the draft can be saved
MIN_CLASSES = 2
MAX_CLASSES = 10
MAX_SHOTS = 500  # per class: a burst at 5 frames a second fills it in 100 s
# letters (any script), digits, spaces, - and _; at most 40; starting with a letter or digit
CLASS_NAME_PATTERN = re.compile(r"[^\W_][\w -]{0,39}")
# folder names that would make the draft read as something else than one folder per class
_RESERVED_CLASS_NAMES = (
    *folders.TRAIN_FOLDERS,
    *folders.TEST_FOLDERS,
    *archive.VALIDATION_FOLDERS,
    *folders.JUNK_FOLDERS,
)
_SHOT_NAME = re.compile(r"(\d{4,})\.png")


@dataclass(frozen=True)
class DraftClass:
    """One class of a draft and its shots (PNG files, oldest first)."""

    name: str
    shots: tuple[Path, ...]

    @property
    def count(self) -> int:
        return len(self.shots)


def drafts_dir(root: str | os.PathLike) -> Path:
    """Where the drafts of the data folder ``root`` are kept."""
    return Path(root) / DRAFTS_FOLDER


def to_shot(image: bytes | np.ndarray | Image.Image, *, size: tuple[int, int] = IMAGE_SIZE):
    """``image`` (encoded bytes such as a camera's JPEG, an RGB array of shape (H, W, 3), or a
    Pillow image) as an RGB Pillow image of ``size`` (height, width), centre-cropped first so
    nothing is stretched.

    Raises:
        UserInputError: the bytes are not an image, or the array is not (H, W, 3) or (H, W).
    """
    picture: Image.Image
    if isinstance(image, bytes | bytearray):
        try:
            picture = Image.open(io.BytesIO(image))
            picture.load()
        except (UnidentifiedImageError, OSError):
            raise UserInputError(
                "The camera picture could not be read as an image. Take the picture again."
            ) from None
    elif isinstance(image, np.ndarray):
        if image.ndim not in (2, 3) or (image.ndim == 3 and image.shape[2] not in (1, 3, 4)):
            raise UserInputError(
                "A camera frame must be an array of shape (height, width, 3), got {shape}.",
                shape=tuple(image.shape),
            )
        array = image if image.ndim == 2 or image.shape[2] != 1 else image[..., 0]
        picture = Image.fromarray(np.ascontiguousarray(array).astype(np.uint8))
    else:
        picture = image
    picture = ImageOps.exif_transpose(picture).convert("RGB")
    return ImageOps.fit(picture, (size[1], size[0]), method=Image.Resampling.BILINEAR)


def check_class_name(name: str) -> str:
    """``name`` stripped and NFC-normalised, if it can be a class folder's name.

    Raises:
        UserInputError: empty, too long, characters other than letters, digits, spaces, '-'
            and '_', or a name that would not read as a class (train, test).
    """
    cleaned = unicodedata.normalize("NFC", (name or "").strip())
    if not CLASS_NAME_PATTERN.fullmatch(cleaned):
        raise UserInputError(
            "The class name {name!r} is not valid. Use letters, digits, spaces, '-' and '_' "
            "(at most 40), starting with a letter or digit.",
            name=name,
        )
    if cleaned.lower() in _RESERVED_CLASS_NAMES:
        raise UserInputError(
            "A class cannot be called {name!r}: that folder name means a split of the "
            "dataset. Choose another name.",
            name=cleaned,
        )
    return cleaned


class Draft:
    """A recording in progress: class folders of shots under ``<root>/.drafts/<name>``.

    Args:
        root: the data folder the recording belongs to (``Workspace.data_dir``); the dataset
            is saved there too.
        name: the draft's folder name. Defaults to "camera".
        size: (height, width) of every shot. Defaults to ``IMAGE_SIZE``.
    """

    def __init__(
        self,
        root: str | os.PathLike,
        name: str = DEFAULT_DRAFT,
        *,
        size: tuple[int, int] = IMAGE_SIZE,
    ) -> None:
        self.root = Path(root)
        self.folder = drafts_dir(root) / name
        self.size = (int(size[0]), int(size[1]))

    # --- classes ----------------------------------------------------------------------------

    def classes(self) -> list[DraftClass]:
        """Every class, sorted by name as the dataset will sort them, with its shots."""
        if not self.folder.is_dir():
            return []
        found = []
        for path in sorted(p for p in self.folder.iterdir() if p.is_dir()):
            if path.name.startswith(".") or path.is_symlink():
                continue
            shots = sorted(
                (p for p in path.iterdir() if _SHOT_NAME.fullmatch(p.name) and p.is_file()),
                key=lambda p: int(p.stem),
            )
            found.append(DraftClass(path.name, tuple(shots)))
        return found

    def class_names(self) -> list[str]:
        return [cls.name for cls in self.classes()]

    def counts(self) -> dict[str, int]:
        """Shots per class: ``{"thumbs up": 12, ...}``."""
        return {cls.name: cls.count for cls in self.classes()}

    def total_bytes(self) -> int:
        return sum(shot.stat().st_size for cls in self.classes() for shot in cls.shots)

    def _existing(self, name: str) -> str | None:
        """The class of that name whatever its case (two folders differing only in case are one
        folder on some file systems), or None."""
        lowered = name.casefold()
        return next((n for n in self.class_names() if n.casefold() == lowered), None)

    def _class_folder(self, name: str) -> Path:
        cleaned = unicodedata.normalize("NFC", (name or "").strip())
        if cleaned not in self.class_names():
            raise UserInputError(
                "There is no class {name!r} in this recording. Add it first.", name=name
            )
        return self.folder / cleaned

    def add_class(self, name: str) -> str:
        """Add an empty class; returns its cleaned name.

        Raises:
            UserInputError: an invalid name, a name already used, or more than MAX_CLASSES.
        """
        cleaned = check_class_name(name)
        if self._existing(cleaned) is not None:
            raise UserInputError(
                "There is already a class called {name!r}. Choose another name.", name=cleaned
            )
        if len(self.class_names()) >= MAX_CLASSES:
            raise UserInputError(
                "A recording can have at most {limit} classes. Remove one before adding another.",
                limit=MAX_CLASSES,
            )
        (self.folder / cleaned).mkdir(parents=True)
        return cleaned

    def rename_class(self, old: str, new: str) -> str:
        """Give class ``old`` the name ``new`` (its shots stay); returns the cleaned new name."""
        source = self._class_folder(old)
        cleaned = check_class_name(new)
        existing = self._existing(cleaned)
        if existing is not None and existing != source.name:
            raise UserInputError(
                "There is already a class called {name!r}. Choose another name.", name=cleaned
            )
        os.rename(source, self.folder / cleaned)
        return cleaned

    def remove_class(self, name: str) -> None:
        """Delete a class and all its shots."""
        shutil.rmtree(self._class_folder(name))

    # --- shots ------------------------------------------------------------------------------

    def add_shot(self, class_name: str, image: bytes | np.ndarray | Image.Image) -> Path:
        """Store one picture for ``class_name`` (cropped and resized to the draft's size); returns
        its file.

        Raises:
            UserInputError: no such class, the class has MAX_SHOTS already, or not an image.
        """
        folder = self._class_folder(class_name)
        numbers = [int(p.stem) for p in folder.iterdir() if _SHOT_NAME.fullmatch(p.name)]
        if len(numbers) >= MAX_SHOTS:
            raise UserInputError(
                "The class {name!r} has {limit} pictures, the most one class can have. Delete "
                "some, or save the recording.",
                name=folder.name,
                limit=MAX_SHOTS,
            )
        buffer = io.BytesIO()
        to_shot(image, size=self.size).save(buffer, format="PNG")
        number = max(numbers, default=0) + 1
        while True:  # O_EXCL: another tab of the same user may be adding a shot at this moment
            path = folder / f"{number:04d}.png"
            try:
                os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o666))
                break
            except FileExistsError:
                number += 1
        write_bytes_atomic(path, buffer.getvalue())
        return path

    def delete_shot(self, class_name: str, shot: str) -> None:
        """Delete the shot file ``shot`` (e.g. "0003.png") of ``class_name``; one already gone
        is not an error (a double click)."""
        folder = self._class_folder(class_name)
        if not _SHOT_NAME.fullmatch(shot or ""):
            raise UserInputError(
                "There is no picture {shot!r} in {name!r}.", shot=shot, name=folder.name
            )
        (folder / shot).unlink(missing_ok=True)

    # --- saving -----------------------------------------------------------------------------

    def problems(self, *, min_shots: int = MIN_SHOTS) -> list[UserInputError]:
        """What keeps the draft from being saved (empty when it can be)."""
        classes = self.classes()
        found = []
        if len(classes) < MIN_CLASSES:
            found.append(
                UserInputError(
                    "A dataset needs at least {minimum} classes; this recording has {count}. "
                    "Add another class and take its pictures.",
                    minimum=MIN_CLASSES,
                    count=len(classes),
                )
            )
        for cls in classes:
            if cls.count < min_shots:
                found.append(
                    UserInputError(
                        "The class {name!r} has {count} pictures; every class needs at least "
                        "{minimum}. Take {missing} more.",
                        name=cls.name,
                        count=cls.count,
                        minimum=min_shots,
                        missing=min_shots - cls.count,
                    )
                )
        return found

    def save_as_dataset(
        self,
        name: str,
        *,
        min_shots: int = MIN_SHOTS,
        validation_split: float | None = None,
        seed: int | None = None,
    ) -> archive.ImportResult:
        """Save the shots as the dataset ``name`` in the draft's data folder, as an import of
        the class folders would; the draft is then emptied.

        Args:
            name: the dataset's name, by the rule of imports (``archive.check_name``).
            min_shots: pictures every class needs. Defaults to MIN_SHOTS.
            validation_split: held out for validation; defaults to the course's 20 %.
            seed: of that split; defaults to the course's.

        Raises:
            UserInputError: fewer than 2 classes, a class with too few shots, or a name that is
                invalid or taken. Nothing is written then.
        """
        problems = self.problems(min_shots=min_shots)
        if problems:
            raise problems[0]
        archive.check_name(name, root=self.root)  # before copying anything
        settings = FolderSettings(
            image_size=self.size,
            color_mode="rgb",
            validation_split=validation_split,
            seed=seed,
        )
        result = archive.import_dataset(self.folder, name, settings=settings, root=self.root)
        self.discard()
        return result

    def discard(self) -> None:
        """Delete the draft and every shot in it."""
        shutil.rmtree(self.folder, ignore_errors=True)


class FrameSampler:
    """Keeps one video frame every ``1 / fps`` seconds for the class being recorded: a burst.

    A camera stream calls ``offer`` from its own thread for every frame; the page calls ``drain``
    and adds what it gets to the draft. Thread-safe; nothing is kept while ``recording`` is None.

    Args:
        fps: frames kept per second. Defaults to 4.
        limit: frames held until the next ``drain`` (older ones are dropped). Defaults to 200.
        clock: seconds as a float; ``time.monotonic`` by default (a test passes its own).
    """

    def __init__(self, *, fps: float = 4.0, limit: int = 200, clock=None) -> None:
        if not 0 < fps <= 30:
            raise UserInputError(
                "The burst must keep between 1 and 30 pictures a second, got {fps}.", fps=fps
            )
        self.interval = 1.0 / fps
        self.limit = limit
        self._clock = clock or time.monotonic
        self._lock = threading.Lock()
        self._frames: list[tuple[str, np.ndarray]] = []
        self._recording: str | None = None
        self._last = float("-inf")

    @property
    def recording(self) -> str | None:
        """The class the frames are kept for, or None (not recording)."""
        return self._recording

    def record(self, class_name: str | None) -> None:
        """Start keeping frames for ``class_name`` (None: stop)."""
        with self._lock:
            if class_name != self._recording:
                self._last = float("-inf")
            self._recording = class_name

    def offer(self, frame: np.ndarray) -> bool:
        """One frame from the stream; returns whether it was kept."""
        now = self._clock()
        with self._lock:
            if self._recording is None or now - self._last < self.interval:
                return False
            self._last = now
            self._frames.append((self._recording, np.array(frame, copy=True)))
            del self._frames[: -self.limit]
            return True

    def drain(self) -> list[tuple[str, np.ndarray]]:
        """The frames kept since the last call, as (class name, RGB array), oldest first."""
        with self._lock:
            frames, self._frames = self._frames, []
        return frames
