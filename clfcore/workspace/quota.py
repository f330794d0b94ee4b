"""Storage per student on a class server: their runs plus their datasets, against a quota."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

from clfcore.errors import UserInputError
from clfcore.workspace.workspace import Workspace


def folder_bytes(folder: Path) -> int:
    """The size of every file under ``folder`` (0 if it does not exist)."""
    total = 0
    for dirpath, _, filenames in os.walk(folder):
        for filename in filenames:
            with contextlib.suppress(OSError):  # a file removed while we walked
                total += os.lstat(os.path.join(dirpath, filename)).st_size
    return total


def usage_bytes(workspace: Workspace) -> int:
    """What this workspace's runs and datasets take on disk."""
    return folder_bytes(workspace.runs_dir) + folder_bytes(workspace.data_dir)


def storage_size(count: int) -> str:
    """``count`` bytes as the pages write it: megabytes below a gigabyte, else gigabytes.

    Example:
        >>> storage_size(1_250_000_000), storage_size(48_300_000), storage_size(2_400_000)
        ('1.25 GB', '48 MB', '2.4 MB')
    """
    if count >= 10**9:
        return f"{count / 1e9:.2f} GB"
    megabytes = count / 1e6
    return f"{megabytes:.1f} MB" if megabytes < 10 else f"{megabytes:.0f} MB"


def check_quota(workspace: Workspace, quota_bytes: int, *, adding: int = 0) -> None:
    """Refuse new work (a training, an import of ``adding`` bytes) when a student's workspace
    would go over ``quota_bytes``. Teachers and personal mode have no quota.

    Raises:
        UserInputError: saying how much is used and how to free space.
    """
    if workspace.sees_everything:
        return
    used = usage_bytes(workspace)
    if used + adding <= quota_bytes:
        return
    if adding:
        raise UserInputError(
            "Your workspace uses {used} of your {quota}, and this needs {adding} more. Delete runs "
            "you no longer need on the Runs page, or datasets on the Dataset page, then try again; "
            "or ask the teacher for a larger quota.",
            used=storage_size(used),
            quota=storage_size(quota_bytes),
            adding=storage_size(adding),
        )
    raise UserInputError(
        "Your workspace uses {used} of your {quota}. Delete runs you no longer need on the Runs "
        "page, or datasets on the Dataset page, then try again; or ask the teacher for a larger "
        "quota.",
        used=storage_size(used),
        quota=storage_size(quota_bytes),
    )
