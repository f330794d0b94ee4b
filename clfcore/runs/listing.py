"""The runs root as a list: one summary per run folder, for the Runs, Train and Home pages.

Listing also notices runs whose training process is gone (``clfcore.runs.liveness``), so a run
killed by a server restart shows as "interrupted" rather than "running" forever.
"""

from __future__ import annotations

import os
import shutil
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from clfcore.errors import UserInputError
from clfcore.i18n import N_
from clfcore.paths import USERS_DIR, runs_root
from clfcore.runs import figures
from clfcore.runs.folder import RunFolder, open_run, read_json
from clfcore.runs.liveness import effective_status

STATUSES = (
    N_("queued"),
    N_("running"),
    N_("completed"),
    N_("stopped"),
    N_("failed"),
    N_("interrupted"),
)
UNKNOWN = N_("unknown")  # a folder without a readable status.json
FINISHED = ("completed", "stopped", "interrupted")  # runs that may have a model to evaluate
ACTIVE = ("queued", "running")


@dataclass(frozen=True)
class RunSummary:
    """One run folder as listed on the pages."""

    run_id: str  # the folder's name
    path: Path
    status: str  # one of STATUSES, or UNKNOWN
    name: str = ""  # the optional name the user gave
    dataset: str | None = None
    architecture: str | None = None
    test_accuracy: float | None = None  # the headline accuracy (multi-label: the label accuracy)
    task: str = "multiclass"
    test_figures: dict[str, float] = field(default_factory=dict)  # clfcore.runs.figures, by name
    train_seconds: float | None = None
    total_params: int | None = None
    created: str | None = None  # ISO timestamp from config.json
    owner: str = ""  # class server: the user whose workspace holds it; "" in personal mode
    shared: bool = False  # a teacher shared it with the class

    @property
    def has_model(self) -> bool:
        return (self.path / "model.keras").is_file()


def summarize(run: RunFolder) -> RunSummary:
    config = read_json(run.config_path)
    metrics = run.metrics()
    status = effective_status(run)
    task = figures.task_of(metrics, config)
    found = figures.figures_of(metrics, task)
    return RunSummary(
        run_id=run.run_id,
        path=run.path,
        status=status if status in STATUSES else UNKNOWN,
        name=config.get("run_name") or "",
        dataset=config.get("dataset"),
        architecture=config.get("architecture"),
        test_accuracy=found.get(figures.HEADLINE[task]),
        task=task,
        test_figures=found,
        train_seconds=metrics.get("train_seconds"),
        total_params=metrics.get("total_params"),
        created=config.get("created"),
        owner=run.owner,
        shared=run.is_shared(),
    )


def list_runs(root: Path | None = None) -> list[RunSummary]:
    """Every run folder under ``root`` (default: the runs root), newest first. Unreadable files are
    tolerated."""
    root = Path(root) if root is not None else runs_root()
    if not root.is_dir():
        return []
    found = [
        summarize(RunFolder(folder))
        for folder in root.iterdir()
        if folder.is_dir() and (folder / "config.json").is_file()
    ]
    return sorted(found, key=lambda run: (run.created or "", run.run_id), reverse=True)


def run_roots(root: Path | None = None) -> list[Path]:
    """Every folder that holds run folders: the runs root ``root`` (default: ``runs_root()``;
    personal mode) and, on a class server, each user's ``<root>/users/<name>``."""
    root = Path(root) if root is not None else runs_root()
    users = root / USERS_DIR
    found = [root]
    if users.is_dir():
        found += sorted(p for p in users.iterdir() if p.is_dir() and not p.name.startswith("."))
    return found


def list_all_runs() -> list[RunSummary]:
    """The runs of every workspace, newest first (a teacher's view; the queue's)."""
    found = [run for root in run_roots() for run in list_runs(root)]
    return sorted(found, key=lambda run: (run.created or "", run.run_id), reverse=True)


def delete_run(run_id: str, *, root: Path | None = None) -> None:
    """Delete the folder of run ``run_id`` (model, history, everything). Refuses runs that are
    queued or training."""
    run = open_run(run_id, root=root)
    status = effective_status(run)
    if status in ACTIVE:
        raise UserInputError(
            "The run {run} is still training or waiting in the queue. Stop it on the Train "
            "page first, then delete it.",
            run=run.run_id,
        )
    shutil.rmtree(run.path)


class SettledRuns:
    """``list_all_runs()`` for a page that lists many runs every few seconds (the teacher's Class
    page): the summary of a run that has settled is kept and reused until its folder changes.

    Every file of a run folder is written by renaming a temporary file into it (``clfcore.fileio``),
    so any change to a run moves its folder's modification time; a run folder whose time is as it
    was is read from memory. Only finished runs older than ``settle_seconds`` are kept: a run that
    trains is read every time (its liveness is a process check, not a file), and a folder changed
    within the file system's timestamp granularity of the last read could look unchanged.

    Example:
        >>> runs = SettledRuns()
        >>> runs.list() == list_all_runs()
        True
    """

    def __init__(self, *, settle_seconds: float = 2.0) -> None:
        self.settle_ns = int(settle_seconds * 1e9)
        self._kept: dict[str, tuple[int, RunSummary]] = {}  # folder -> (its mtime, the summary)
        self._lock = threading.Lock()  # one instance serves every session of the server

    def list(self) -> list[RunSummary]:
        """Every workspace's runs, newest first, as ``list_all_runs()``."""
        now = time.time_ns()
        found, kept = [], {}
        for root in run_roots():
            try:
                entries = list(os.scandir(root))
            except OSError:
                continue
            for entry in entries:
                if entry.name.startswith(".") or not entry.is_dir():
                    continue
                try:
                    stamp = entry.stat().st_mtime_ns
                except OSError:
                    continue
                with self._lock:
                    known = self._kept.get(entry.path)
                if known is not None and known[0] == stamp:
                    run = known[1]
                elif os.path.isfile(os.path.join(entry.path, "config.json")):
                    run = summarize(RunFolder(Path(entry.path)))
                else:
                    continue
                if run.status not in ACTIVE and now - stamp > self.settle_ns:
                    kept[entry.path] = (stamp, run)
                found.append(run)
        with self._lock:
            self._kept = kept  # deleted runs go
        return sorted(found, key=lambda run: (run.created or "", run.run_id), reverse=True)
