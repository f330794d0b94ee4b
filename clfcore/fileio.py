"""Atomic file writes: a reader sees the old file or the new one, never half of either.

Example::

    write_text_atomic(run / "status.json", json.dumps(status))
    with atomic_path(run / "model.keras") as temporary:
        model.save(temporary)          # renamed to model.keras only if save() returns

Each write goes to a temporary file with a unique name (created with ``O_EXCL``) in the target's own
folder, so that two writers at once never share a temporary file and the final ``os.replace`` is a
rename on one file system. On any failure the temporary file is removed and the old file is left
as it was.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import secrets
from collections.abc import Iterator
from pathlib import Path


@contextlib.contextmanager
def atomic_path(path: str | Path) -> Iterator[Path]:
    """A unique temporary path beside ``path``, renamed onto ``path`` when the block ends without
    error.

    For writers that want a file name rather than a file object, such as ``model.save``. The
    temporary file keeps ``path``'s suffix (Keras picks the format by it) and is removed if the
    block raises. It is created empty with the usual permissions (the umask applies, as for any
    new file), so the renamed file can be read as before by the other users allowed to.

    Yields:
        the temporary path: an empty file that the block overwrites.
    """
    path = Path(path)
    for _ in range(100):
        temporary = path.with_name(f".{path.name}.{secrets.token_hex(6)}.tmp{path.suffix}")
        try:  # O_EXCL: this name is ours alone, even with another writer at the same moment
            os.close(os.open(temporary, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o666))
            break
        except FileExistsError:
            continue
    else:  # pragma: no cover - 100 collisions of 48 random bits
        raise FileExistsError(f"no free temporary name beside {path}")
    try:
        yield temporary
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def write_bytes_atomic(path: str | Path, data: bytes) -> None:
    """Replace ``path`` with ``data`` in one step."""
    with atomic_path(path) as temporary, open(temporary, "wb") as file:
        file.write(data)


def write_text_atomic(path: str | Path, text: str) -> None:
    """Replace ``path`` with ``text`` (UTF-8) in one step."""
    write_bytes_atomic(path, text.encode("utf-8"))


@contextlib.contextmanager
def exclusive_lock(path: str | Path) -> Iterator[None]:
    """Hold an exclusive advisory lock on the file ``path`` (created if missing) for the block.

    For read-modify-write of a shared file (the roster, the training queue) by several processes
    or sessions at once; the lock goes when the block ends or the process dies.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
