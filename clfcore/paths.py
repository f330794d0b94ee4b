"""Where the app keeps its files: the runs root and the data root.

The app never reads server paths outside these two roots (user datasets live under the data root,
training runs under the runs root); ``resolve_inside`` is the one gate for that rule.
"""

from __future__ import annotations

import os
from pathlib import Path

from clfcore.errors import UserInputError

RUNS_ENV = "CLFCORE_RUNS_DIR"
DATA_ENV = "CLFCORE_DATA_DIR"
USERS_DIR = "users"  # on a class server: runs/users/<name>/ and data/users/<name>/ per user
CLASS_DIR = ".class"  # under the data root: the roster, the session key (never a dataset)


def runs_root() -> Path:
    """The folder that holds one sub-folder per training run. Defaults to ``./runs``."""
    return Path(os.environ.get(RUNS_ENV) or "runs").expanduser().resolve()


def data_root() -> Path:
    """The folder that holds user datasets and local copies of downloads. Defaults to ``./data``."""
    return Path(os.environ.get(DATA_ENV) or "data").expanduser().resolve()


def user_runs_dir(user: str) -> Path:
    """The runs of one user of a class server (``user`` already checked by
    ``clfcore.accounts.identity.check_name``)."""
    return runs_root() / USERS_DIR / user


def user_data_dir(user: str) -> Path:
    """The datasets one user of a class server imported."""
    return data_root() / USERS_DIR / user


def class_dir() -> Path:
    """Where a class server keeps its roster and its session key: ``<data root>/.class``."""
    return data_root() / CLASS_DIR


def resolve_inside(root: Path, relative: str | os.PathLike) -> Path:
    """Resolve ``relative`` under ``root`` and refuse anything that escapes it.

    Raises:
        UserInputError: if the path is absolute or climbs out of ``root`` (``..``, symlinks).
    """
    root = Path(root).resolve()
    candidate = Path(relative)
    if candidate.is_absolute():
        raise UserInputError(
            "The path {path!r} is absolute. Give a path relative to {root}.",
            path=str(relative),
            root=str(root),
        )
    resolved = (root / candidate).resolve()
    if resolved != root and root not in resolved.parents:
        raise UserInputError(
            "The path {path!r} points outside {root}. Only files under that folder can be used.",
            path=str(relative),
            root=str(root),
        )
    return resolved
