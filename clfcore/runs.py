"""The runs root: one folder per training run, and reading what each folder says about its run.

A run folder holds ``config.json`` (what was trained), ``status.json`` (queued, running, completed,
stopped, failed or interrupted, with a message), ``history.csv``, ``metrics.json`` and
``model.keras``. This module only reads; the trainer writes.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from clfcore.i18n import N_
from clfcore.paths import runs_root

STATUSES = (N_("queued"), N_("running"), N_("completed"), N_("stopped"), N_("failed"), N_("interrupted"))
UNKNOWN = N_("unknown")  # a folder without a readable status.json
FINISHED = ("completed", "stopped", "interrupted")  # runs with a model that can be evaluated


@dataclass(frozen=True)
class RunSummary:
    """One run folder as listed on the Runs and Home pages."""

    run_id: str  # the folder's name
    path: Path
    status: str  # one of STATUSES, or "unknown" for a folder without a readable status.json
    dataset: str | None = None
    architecture: str | None = None
    test_accuracy: float | None = None
    created: str | None = None  # ISO timestamp from config.json


def _read_json(path: Path) -> dict:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def list_runs(root: Path | None = None) -> list[RunSummary]:
    """Every run folder under ``root`` (default: the runs root), newest first. Unreadable files are tolerated."""
    root = Path(root) if root is not None else runs_root()
    if not root.is_dir():
        return []
    runs = []
    for folder in root.iterdir():
        if not folder.is_dir() or not (folder / "config.json").is_file():
            continue
        config = _read_json(folder / "config.json")
        status = _read_json(folder / "status.json").get("status")
        accuracy = _read_json(folder / "metrics.json").get("test_accuracy")
        runs.append(
            RunSummary(
                run_id=folder.name,
                path=folder,
                status=status if status in STATUSES else UNKNOWN,
                dataset=config.get("dataset"),
                architecture=config.get("architecture"),
                test_accuracy=float(accuracy) if isinstance(accuracy, (int, float)) else None,
                created=config.get("created"),
            )
        )
    return sorted(runs, key=lambda run: (run.created or "", run.run_id), reverse=True)
