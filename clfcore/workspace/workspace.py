"""One user's workspace: where their runs and imported datasets live, and what role they have."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from clfcore.accounts.identity import User
from clfcore.paths import data_root, runs_root, user_data_dir, user_runs_dir


@dataclass(frozen=True)
class Workspace:
    """The work of ``user`` on a class server, or (``user=None``) the single workspace of personal
    mode: the whole runs and data roots.

    Example:
        >>> Workspace().is_personal, Workspace(User("ana")).owner
        (True, 'ana')
    """

    user: User | None = None

    @property
    def is_personal(self) -> bool:
        return self.user is None

    @property
    def owner(self) -> str | None:
        """The user name that owns this workspace's runs and datasets; None in personal mode."""
        return None if self.user is None else self.user.name

    @property
    def sees_everything(self) -> bool:
        """Personal mode and teachers see and may change every run."""
        return self.user is None or self.user.is_teacher

    @property
    def runs_dir(self) -> Path:
        """Where this workspace's new runs go."""
        return runs_root() if self.user is None else user_runs_dir(self.user.name)

    @property
    def data_dir(self) -> Path:
        """Where this workspace's imported datasets go."""
        return data_root() if self.user is None else user_data_dir(self.user.name)

    def dataset_id(self, folder_name: str) -> str:
        """The dataset id of this workspace's dataset folder ``folder_name``."""
        return folder_name if self.user is None else f"{self.user.name}/{folder_name}"
