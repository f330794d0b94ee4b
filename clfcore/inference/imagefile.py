"""Opening the images users give us - uploads, camera shots, drawings, files on the command line -
safely.

Example (a phone photo, taken upright)::

    opened = open_image(Path("my_digit.jpg").read_bytes(), name="my_digit.jpg")
    opened.image.mode, opened.format, opened.orientation
    # ('RGB', 'JPEG', 6)

Only PNG, JPEG, BMP, GIF (first frame), WebP and TIFF are accepted, recognised by their content, not
by the file name. The size in the file's header is checked before anything is decoded, so a "pixel
bomb" (a small file claiming 900 megapixels) is refused without using the memory it asks for, and
Pillow's own decompression-bomb warning is turned into the same refusal. Everything a user can get
wrong - an empty file, a text file renamed .png, a truncated download, an SVG - is a
``UserInputError`` whose message says what was wrong and what to do.

Decoded images are reduced right away to at most ``WORK_SIDE`` pixels a side (JPEGs are decoded at
1/2, 1/4 or 1/8 scale by the decoder itself), since every model here takes at most a few hundred
pixels: a 12-megapixel photo then costs milliseconds, not a second.
"""

from __future__ import annotations

import io
import struct
import threading
import warnings
import zipfile
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import numpy as np
from PIL import ExifTags, Image

from clfcore.data import folders
from clfcore.errors import UserInputError

# Pillow format id -> the name users know. MPO is what many phone cameras write: a JPEG with a
# second picture.
ACCEPTED_FORMATS = {
    "PNG": "PNG",
    "JPEG": "JPEG",
    "MPO": "JPEG",
    "BMP": "BMP",
    "GIF": "GIF",
    "WEBP": "WebP",
    "TIFF": "TIFF",
}
FORMATS_TEXT = "PNG, JPEG, BMP, GIF, WebP, TIFF"
EXTENSIONS = ("png", "jpg", "jpeg", "jpe", "jfif", "bmp", "dib", "gif", "webp", "tif", "tiff")
MAX_FILE_BYTES = 30 * 1024 * 1024  # one image file: a 12-megapixel PNG is about 20 MB
MAX_PIXELS = 50_000_000  # width x height from the header; a 48-megapixel phone photo still passes
WORK_SIDE = 1024  # decoded images are reduced to at most this many pixels a side
MAX_ZIP_IMAGES = 300  # images read from one ZIP; the rest are left out (and counted)
# unpacked bytes read from one ZIP (kept in memory while shown)
MAX_ZIP_TOTAL_BYTES = 200 * 1024 * 1024

# register every Pillow plugin now: ``Image.open(formats=...)`` fails on ids not loaded yet
Image.init()
# MPO opens through JPEG
_OPEN_FORMATS = [format_id for format_id in ACCEPTED_FORMATS if format_id in Image.OPEN]

# Pillow's decompression-bomb check warns through the process-wide warnings filters; changing those
# filters is not thread-safe (Streamlit serves every browser session from its own thread).
_OPEN_LOCK = threading.Lock()

# Decoders report a broken file with any of these; for a user's file they all mean "damaged".
_DECODE_ERRORS = (OSError, SyntaxError, ValueError, EOFError, IndexError, struct.error, zlib.error)


@dataclass(frozen=True, eq=False)
class OpenedImage:
    """A decoded image, ready for ``clfcore.inference.preprocess``.

    ``image`` is the first frame in mode L, LA, RGB or RGBA, at most ``WORK_SIDE`` pixels a side,
    not yet turned upright: ``orientation`` is the EXIF tag (1 = upright) the first preprocessing
    step applies, so the user can see that step and switch it off.
    """

    image: Image.Image
    name: str  # file name as given (for messages and tables)
    # "PNG", "JPEG", ... (ACCEPTED_FORMATS' values); "array" for dataset images and drawings
    format: str
    original_size: tuple[int, int]  # (width, height) as stored in the file
    original_mode: str = ""  # Pillow mode in the file, e.g. "I;16", "CMYK", "P"
    orientation: int = 1  # EXIF orientation 1-8
    frames: int = 1  # frames in the file; only the first is used

    @property
    def megapixels(self) -> float:
        return self.original_size[0] * self.original_size[1] / 1e6


def _kind_of(head: bytes) -> str | None:
    """A name for well-known files that are not accepted images, to say what the user gave us."""
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if text.startswith((b"<svg", b"<?xml", b"<!--", b"<!doctype svg")) and b"<svg" in text:
        return "SVG"
    if head[4:12] in (b"ftypheic", b"ftypheix", b"ftyphevc", b"ftypmif1", b"ftypmsf1", b"ftypheif"):
        return "HEIC"
    if head[4:12] in (b"ftypavif", b"ftypavis"):
        return "AVIF"
    if head.startswith(b"%PDF"):
        return "PDF"
    if head.startswith(b"PK\x03\x04"):
        return "ZIP"
    if head.startswith(b"8BPS"):
        return "PSD"
    if head.startswith(b"\x00\x00\x01\x00"):
        return "ICO"
    return None


def _looks_like_text(head: bytes) -> bool:
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError:
        try:  # a cut in the middle of a multi-byte character at the end of the sample
            text = head[:-3].decode("utf-8")
        except UnicodeDecodeError:
            return False
    printable = sum(ch.isprintable() or ch in "\r\n\t" for ch in text)
    return bool(text) and printable / len(text) > 0.95


def _not_an_image(data: bytes, name: str) -> UserInputError:
    head = data[:2048]
    kind = _kind_of(head)
    if kind == "SVG":
        return UserInputError(
            "{name} is an SVG drawing (vector graphics), which cannot be classified directly. "
            "Export it as a PNG and upload that.",
            name=name,
        )
    if kind is not None:
        return UserInputError(
            "{name} is a {kind} file, which is not accepted. Save or export it as one of: "
            "{formats}.",
            name=name,
            kind=kind,
            formats=FORMATS_TEXT,
        )
    if _looks_like_text(head):
        return UserInputError(
            "{name} contains text, not an image (a text file renamed to look like an image?). "
            "Choose a real image file: {formats}.",
            name=name,
            formats=FORMATS_TEXT,
        )
    return UserInputError(
        "{name} is not an image in a format this app reads, or it is damaged. Accepted "
        "formats: {formats}.",
        name=name,
        formats=FORMATS_TEXT,
    )


def _refuse_bomb(name: str, width: int, height: int, limit: int = MAX_PIXELS) -> UserInputError:
    return UserInputError(
        "{name} says it is {width}x{height} pixels ({megapixels} megapixels), more than "
        "the {limit} megapixels accepted, so it was not decoded: an image that large could "
        "exhaust the server's memory. Resize it to a few megapixels and try again.",
        name=name,
        width=width,
        height=height,
        megapixels=round(width * height / 1e6),
        limit=round(limit / 1e6),
    )


def _damaged(name: str, format_name: str, error: Exception) -> UserInputError:
    if "truncated" in str(error).lower() or isinstance(error, EOFError):
        return UserInputError(
            "{name} is incomplete: the {format} file ends before the image does (an interrupted "
            "download or copy?). Save or download it again.",
            name=name,
            format=format_name,
        )
    return UserInputError(
        "{name} is damaged: it says it is a {format} image, but its data cannot be decoded "
        "({detail}). Save or download it again.",
        name=name,
        format=format_name,
        detail=str(error)[:120] or type(error).__name__,
    )


def _orientation(image: Image.Image) -> int:
    try:
        value = image.getexif().get(ExifTags.Base.Orientation, 1)
    except _DECODE_ERRORS:  # a broken EXIF block is no reason to refuse the picture
        return 1
    return value if isinstance(value, int) and 1 <= value <= 8 else 1


def _to_uint8(array: np.ndarray) -> np.ndarray:
    """Deep (16-bit, 32-bit, float) grayscale values to 0-255."""
    array = array.astype(np.float64)
    low, high = float(array.min()), float(array.max())
    if low >= 0 and high <= 1.0 and array.dtype.kind == "f":
        scaled = array * 255.0
    elif low >= 0 and high <= 255:
        scaled = array
    elif low >= 0 and high <= 65535:
        scaled = array / 257.0  # 16-bit: 65535 -> 255
    else:
        scaled = (array - low) * (255.0 / max(high - low, 1e-12))
    return np.clip(np.rint(scaled), 0, 255).astype(np.uint8)


def _standard_mode(image: Image.Image) -> Image.Image:
    """The image in mode L, LA, RGB or RGBA, keeping transparency."""
    mode, transparent = image.mode, "transparency" in image.info
    if (mode in ("L", "RGB") and not transparent) or mode in ("LA", "RGBA"):
        return image
    if mode in ("P", "PA"):
        return image.convert("RGBA" if transparent or mode == "PA" else "RGB")
    if mode in ("L", "1") and transparent:
        return image.convert("LA")
    if mode == "RGB" and transparent:
        return image.convert("RGBA")
    if mode == "1":
        return image.convert("L")
    if mode == "La":
        return image.convert("LA")
    if mode == "RGBa":
        return image.convert("RGBA")
    # I;16, I;16B, I, F: 16-bit and deeper grayscale
    if mode.startswith("I") or mode.startswith("F"):
        return Image.fromarray(_to_uint8(np.asarray(image)), mode="L")
    return image.convert("RGB")  # CMYK, YCbCr, LAB, HSV, RGBX


def _reduce(image: Image.Image, work_side: int) -> Image.Image:
    factor = max(image.size) // work_side
    if factor >= 2:
        # a box filter, fast; the longest side ends between work_side and 2x
        image = image.reduce(factor)
    if max(image.size) > work_side:
        image = image.resize(
            _fit(image.size, work_side), Image.Resampling.BILINEAR, reducing_gap=2.0
        )
    return image


def _fit(size: tuple[int, int], side: int) -> tuple[int, int]:
    width, height = size
    scale = side / max(width, height)
    return max(1, round(width * scale)), max(1, round(height * scale))


def open_image(
    data: bytes,
    *,
    name: str = "image",
    max_bytes: int = MAX_FILE_BYTES,
    max_pixels: int = MAX_PIXELS,
    work_side: int = WORK_SIDE,
) -> OpenedImage:
    """Decode the first frame of an image file given as bytes.

    Args:
        data: the file's content.
        name: the file's name, for messages.
        max_bytes: refuse larger files. Defaults to ``MAX_FILE_BYTES``.
        max_pixels: refuse images whose header claims more pixels, before decoding. Defaults to
            ``MAX_PIXELS``.
        work_side: reduce the decoded image to at most this many pixels a side. Defaults to
            ``WORK_SIDE``.

    Raises:
        UserInputError: empty, too large, not an accepted format, damaged or truncated, or a pixel
            bomb.
    """
    if not data:
        raise UserInputError(
            "{name} is empty (0 bytes). Choose an image file such as a PNG or JPEG photo.",
            name=name,
        )
    if len(data) > max_bytes:
        raise UserInputError(
            "{name} is {size:.1f} MB; image files up to {limit:g} MB are accepted. Save "
            "it smaller (for example as a JPEG) and try again.",
            name=name,
            size=len(data) / 2**20,
            limit=round(max_bytes / 2**20, 2),
        )
    try:
        with _OPEN_LOCK, warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=_OPEN_FORMATS)  # reads the header only
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        width, height = _header_size(data)
        raise _refuse_bomb(name, width, height, max_pixels) from None
    except Image.UnidentifiedImageError:
        raise _not_an_image(data, name) from None
    except _DECODE_ERRORS as error:  # a recognised header with impossible values
        raise _damaged(name, "image", error) from None
    format_name = ACCEPTED_FORMATS.get(image.format or "", image.format or "?")
    width, height = image.size
    if width < 1 or height < 1:
        raise _damaged(name, format_name, ValueError(f"size {width}x{height}"))
    if width * height > max_pixels:
        raise _refuse_bomb(name, width, height, max_pixels)
    frames = int(getattr(image, "n_frames", 1) or 1)
    original_mode = image.mode
    try:
        if image.format in ("JPEG", "MPO"):
            # Let the JPEG decoder scale by 1/2, 1/4 or 1/8 while decoding: far faster than decoding
            # in full. It keeps
            # at least the requested size, so ask for half the working size: the result is between
            # 1/2 and 1 of it.
            image.draft(
                None,
                _fit(image.size, work_side // 2) if max(image.size) > work_side else image.size,
            )
        image.load()
        orientation = _orientation(image)
        decoded = _reduce(_standard_mode(image), work_side)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _refuse_bomb(name, width, height, max_pixels) from None
    except _DECODE_ERRORS as error:
        raise _damaged(name, format_name, error) from None
    return OpenedImage(
        decoded, name, format_name, (width, height), original_mode, orientation, frames
    )


def _header_size(data: bytes) -> tuple[int, int]:
    """Width and height from the header of a file Pillow refused as a bomb, without decoding it.

    Builds the format's image object directly (as ``Image.open`` does inside): that reads the header
    and skips the bomb check, without touching the process-wide ``Image.MAX_IMAGE_PIXELS``.
    """
    prefix = data[:16]
    for format_id in _OPEN_FORMATS:
        factory, accept = Image.OPEN[format_id]
        if factory is None or (accept is not None and not accept(prefix)):
            continue
        try:
            return factory(io.BytesIO(data), "").size
        except (Image.UnidentifiedImageError, *_DECODE_ERRORS):
            continue
    return 0, 0


def open_path(path: str | Path, *, max_bytes: int = MAX_FILE_BYTES) -> OpenedImage:
    """``open_image`` for a file on disk; reads at most ``max_bytes`` + 1 bytes.

    Raises:
        UserInputError: as ``open_image``, or the file cannot be read.
    """
    path = Path(path)
    try:
        with path.open("rb") as file:
            data = file.read(max_bytes + 1)
    except IsADirectoryError:
        raise UserInputError("{name} is a folder, not an image file.", name=str(path)) from None
    except OSError as error:
        raise UserInputError(
            "{name} cannot be read: {reason}.", name=str(path), reason=error.strerror or str(error)
        ) from None
    if len(data) > max_bytes:
        data_size = path.stat().st_size
        raise UserInputError(
            "{name} is {size:.1f} MB; image files up to {limit:g} MB are accepted. Save "
            "it smaller (for example as a JPEG) and try again.",
            name=str(path),
            size=data_size / 2**20,
            limit=round(max_bytes / 2**20, 2),
        )
    return open_image(data, name=str(path), max_bytes=max_bytes)


def from_array(array: np.ndarray, *, name: str = "image") -> OpenedImage:
    """A dataset image, (H, W), (H, W, 1) or (H, W, 3) uint8, as an ``OpenedImage``."""
    array = np.asarray(array)
    if array.ndim == 3 and array.shape[2] == 1:
        array = array[..., 0]
    image = Image.fromarray(
        np.ascontiguousarray(array.astype(np.uint8)), mode="L" if array.ndim == 2 else "RGB"
    )
    return OpenedImage(image, name, "array", image.size, image.mode)


def from_drawing(rgba: np.ndarray, *, name: str = "drawing") -> OpenedImage:
    """A canvas drawing (H, W, 4) uint8 as a grayscale image: the pen over a black background.

    Transparent parts become black (not white, as for photos): the canvas is a black board.
    """
    rgba = np.asarray(rgba, dtype=np.float32)
    if rgba.ndim != 3 or rgba.shape[2] not in (3, 4):
        raise UserInputError(
            "A drawing must be an RGBA image, got an array of shape {shape}.",
            shape=tuple(rgba.shape),
        )
    alpha = rgba[..., 3:4] / 255.0 if rgba.shape[2] == 4 else 1.0
    rgb = rgba[..., :3] * alpha  # over black
    luma = rgb @ np.array([0.299, 0.587, 0.114], dtype=np.float32)
    image = Image.fromarray(np.clip(np.rint(luma), 0, 255).astype(np.uint8), mode="L")
    return OpenedImage(image, name, "array", image.size, "RGBA")


DRAWING_INK = 40  # a canvas whose brightest pixel is darker than this holds no drawing yet


def is_blank_drawing(rgba: np.ndarray | None, *, ink: int = DRAWING_INK) -> bool:
    """Whether a canvas (H, W, 4) uint8 holds nothing drawn yet: no colour channel reaches
    ``ink``."""
    return rgba is None or np.asarray(rgba)[..., :3].max() < ink


# --- ZIP archives of images -----------------------------------------------------------------------


@dataclass(frozen=True)
class ZipEntry:
    """One image file of a ZIP: its bytes, or why it was not read."""

    name: str  # path inside the archive
    data: bytes | None
    error: UserInputError | None = None


@dataclass(frozen=True)
class ZipContents:
    entries: tuple[ZipEntry, ...]  # image files, in archive order
    skipped: tuple[str, ...]  # files that are not images (by their extension), left out
    left_out: int = 0  # image files beyond MAX_ZIP_IMAGES or MAX_ZIP_TOTAL_BYTES, not read


def is_zip(data: bytes) -> bool:
    return data[:4] in (b"PK\x03\x04", b"PK\x05\x06")


def read_zip(
    data: bytes,
    *,
    name: str = "archive.zip",
    max_images: int = MAX_ZIP_IMAGES,
    max_total_bytes: int = MAX_ZIP_TOTAL_BYTES,
    max_file_bytes: int = MAX_FILE_BYTES,
) -> ZipContents:
    """The image files of a ZIP archive, read in memory (nothing is written to disk).

    Entries are chosen by extension (others are listed in ``skipped``); each is read with a cap, so
    an entry that unpacks to more than its header says, or to more than ``max_file_bytes``, is
    refused without being unpacked in full. Folders inside the archive are kept in the names.

    Raises:
        UserInputError: the file is not a readable ZIP archive.
    """
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, *_DECODE_ERRORS):
        raise UserInputError(
            "{name} is not a readable ZIP archive (damaged or incomplete). Create it again "
            "and upload it.",
            name=name,
        ) from None
    entries: list[ZipEntry] = []
    skipped: list[str] = []
    left_out, total = 0, 0
    with archive:
        for info in infos:
            if info.is_dir() or folders.is_junk(PurePosixPath(info.filename).parts):
                continue
            if (
                info.filename.rsplit(".", 1)[-1].lower() not in EXTENSIONS
                or "." not in info.filename
            ):
                skipped.append(info.filename)
                continue
            if len(entries) >= max_images or total + info.file_size > max_total_bytes:
                left_out += 1
                continue
            if info.flag_bits & 0x1:
                entries.append(
                    ZipEntry(
                        info.filename,
                        None,
                        UserInputError(
                            "{name} is encrypted (password-protected) in the ZIP and cannot "
                            "be read.",
                            name=info.filename,
                        ),
                    )
                )
                continue
            if info.file_size > max_file_bytes:
                entries.append(
                    ZipEntry(
                        info.filename,
                        None,
                        UserInputError(
                            "{name} is {size:.1f} MB; image files up to {limit:g} MB are "
                            "accepted. Save it smaller (for example as a JPEG) and try "
                            "again.",
                            name=info.filename,
                            size=info.file_size / 2**20,
                            limit=round(max_file_bytes / 2**20, 2),
                        ),
                    )
                )
                continue
            try:
                with archive.open(info) as member:
                    # never more than the cap, whatever the header says
                    content = member.read(max_file_bytes + 1)
            except (zipfile.BadZipFile, NotImplementedError, RuntimeError, *_DECODE_ERRORS):
                entries.append(
                    ZipEntry(
                        info.filename,
                        None,
                        UserInputError(
                            "{name} is damaged inside the ZIP and cannot be unpacked.",
                            name=info.filename,
                        ),
                    )
                )
                continue
            total += len(content)
            entries.append(ZipEntry(info.filename, content))
    return ZipContents(tuple(entries), tuple(skipped), left_out)


def unpack_uploads(
    uploads: Iterable[tuple[str, bytes]],
) -> tuple[list[tuple[str, bytes | None, UserInputError | None]], list[str], int]:
    """Uploaded files, ZIP archives unpacked, as the files to classify.

    Args:
        uploads: ``(file name, bytes)`` per uploaded file; a ZIP's images are read with
            ``read_zip``.

    Returns:
        ``(files, skipped, left_out)``: ``(name, bytes, error)`` per image file (a ZIP entry is
        named ``archive.zip/path``; an unreadable ZIP is one file with its error and no bytes); the
        names of files in ZIPs that are not images; and how many images the ZIP limits left out.
    """
    files: list[tuple[str, bytes | None, UserInputError | None]] = []
    skipped: list[str] = []
    left_out = 0
    for name, data in uploads:
        if not is_zip(data):
            files.append((name, data, None))
            continue
        try:
            contents = read_zip(data, name=name)
        except UserInputError as error:
            files.append((name, None, error))
            continue
        files += [(f"{name}/{entry.name}", entry.data, entry.error) for entry in contents.entries]
        skipped += list(contents.skipped)
        left_out += contents.left_out
    return files, skipped, left_out
