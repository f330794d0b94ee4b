"""The training queue as it stands on disk: which runs wait, which train, in every workspace.

Both job backends (``clfcore.jobs.local``, ``clfcore.jobs.cluster``) read the queue here and
order it with ``clfcore.jobs.policy``; one lock at the queue's base folder keeps two dispatchers
(two pages, a page and a finishing training) from starting the same run.
"""

from __future__ import annotations

import os
from pathlib import Path

from clfcore.fileio import exclusive_lock
from clfcore.jobs import policy
from clfcore.jobs.policy import PRIORITIES
from clfcore.paths import USERS_DIR, runs_root
from clfcore.runs.folder import RunFolder
from clfcore.runs.listing import run_roots
from clfcore.runs.liveness import effective_status


def queue_base(root: Path) -> Path:
    """The folder whose queue the runs in ``root`` wait in: a workspace ``<runs root>/users/<name>``
    waits in the runs root's queue; any other folder (``submit(root=...)`` elsewhere) is its own."""
    root, top = Path(root).resolve(), runs_root()
    return top if root.parent == top / USERS_DIR else root


def dispatch_lock(root: Path):
    return exclusive_lock(queue_base(root) / ".dispatch.lock")


def run_folders(root: Path) -> list[str]:
    """The paths of the run folders in ``root``, by run id (creation order)."""
    try:
        entries = sorted(os.scandir(root), key=lambda entry: entry.name)
    except OSError:  # no such folder yet
        return []
    return [
        entry.path
        for entry in entries
        if not entry.name.startswith(".")
        and entry.is_dir()
        and os.path.isfile(os.path.join(entry.path, "config.json"))
    ]


def runs_in(root: Path) -> list[RunFolder]:
    return [RunFolder(Path(path)) for path in run_folders(root)]


def entry_of(run: RunFolder, state: dict) -> policy.Entry:
    # a run created without ``submit`` (older runs, tests): the runs root's are personal, a
    # workspace's count as a student's (the stricter rule)
    default = policy.STUDENT if run.owner else policy.PERSONAL
    priority = state.get("priority")
    return policy.Entry(run.run_id, run.owner, priority if priority in PRIORITIES else default)


# run folder -> when its training started, for runs whose status is final (completed, stopped,
# failed, interrupted never change again): the queue reads only the live runs' status files
_SETTLED: dict[str, tuple[str, float | None]] = {}  # folder -> (owner, started)
FINAL = ("completed", "stopped", "failed", "interrupted")


def scan(root: Path) -> tuple[list, list, dict[str, float]]:
    """The queued and running runs of the queue ``root`` belongs to, as (RunFolder, Entry) pairs,
    and when each owner's latest training started."""
    queued: list = []
    running: list = []
    last_started: dict[str, float] = {}
    for folder in run_roots(queue_base(root)):
        for key in run_folders(folder):
            if key in _SETTLED:
                owner, started = _SETTLED[key]
                if started is not None:
                    last_started[owner] = max(started, last_started.get(owner, started))
                continue
            run = RunFolder(Path(key))
            state = run.status()
            started = state.get("started")
            if isinstance(started, (int, float)):
                last_started[run.owner] = max(started, last_started.get(run.owner, started))
            status = state.get("status")
            if status == "running":
                status = effective_status(run)  # notices a dead training (and says so on disk)
            if status == "queued":
                queued.append((run, entry_of(run, state)))
            elif status == "running":
                running.append((run, entry_of(run, state)))
            elif status in FINAL:
                _SETTLED[key] = (
                    run.owner,
                    float(started) if isinstance(started, (int, float)) else None,
                )
    return queued, running, last_started
