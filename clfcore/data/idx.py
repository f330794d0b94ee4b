"""Reader for the IDX files of MNIST and Fashion-MNIST (the same ``*-ubyte.gz`` files Keras
caches)."""

from __future__ import annotations

import gzip
import struct
import zlib
from pathlib import Path

import numpy as np

from clfcore.errors import DatasetError

_UBYTE = 0x08


def read_idx(path: str | Path) -> np.ndarray:
    """Read one IDX file (gzip-compressed or plain) of unsigned bytes.

    Returns:
        uint8 array whose shape is the one written in the file's header, e.g.
        ``(60000, 28, 28)`` for images or ``(60000,)`` for labels.

    Raises:
        DatasetError: if the file is missing, truncated, corrupt or not an IDX file of bytes.
    """
    path = Path(path)
    try:
        raw = path.read_bytes()
        if raw[:2] == b"\x1f\x8b":
            raw = gzip.decompress(raw)
    except FileNotFoundError:
        raise DatasetError(
            "The file {path} is missing. Restore it or download the dataset again.", path=str(path)
        ) from None
    except (EOFError, OSError, zlib.error):
        raise DatasetError(
            "The file {path} is truncated or corrupt (it could not be decompressed). Delete "
            "it and download the dataset again.",
            path=str(path),
        ) from None
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0 or raw[2] != _UBYTE or not 1 <= raw[3] <= 4:
        raise DatasetError(
            "The file {path} is not an IDX file of bytes (bad header). Delete it and download "
            "the dataset again.",
            path=str(path),
        )
    ndim = raw[3]
    header = 4 + 4 * ndim
    if len(raw) < header:
        raise DatasetError(
            "The file {path} is truncated: its header is incomplete. Delete it and download "
            "the dataset again.",
            path=str(path),
        )
    shape = struct.unpack(f">{ndim}I", raw[4:header])
    expected = int(np.prod(shape))
    found = len(raw) - header
    if found != expected:
        raise DatasetError(
            "The file {path} is truncated or corrupt: its header promises {expected} bytes "
            "of data, found {found}. Delete it and download the dataset again.",
            path=str(path),
            expected=expected,
            found=found,
        )
    return np.frombuffer(raw, dtype=np.uint8, offset=header).reshape(shape)


def write_idx(path: str | Path, array: np.ndarray) -> None:
    """Write a uint8 array as a gzip-compressed IDX file (used by tests and local copies)."""
    array = np.ascontiguousarray(array, dtype=np.uint8)
    header = bytes([0, 0, _UBYTE, array.ndim]) + struct.pack(f">{array.ndim}I", *array.shape)
    Path(path).write_bytes(gzip.compress(header + array.tobytes(), compresslevel=1))
