"""One training run on disk: a folder under the runs root that the trainer writes and the app reads.

    runs/20261125-114210042-mlp-digits-3fa2/
        config.json     what was trained (TrainConfig + "created")
        status.json     queued | running | completed | stopped | failed | interrupted, pid, message
        progress.json   the live position: epoch, batch, elapsed, ETA, learning rate, and
                        first_batch_at (time.time() when the first batch had trained)
        history.csv     one row per finished epoch: loss, accuracy, val_loss, val_accuracy,
                        learning_rate
        metrics.json    test metrics when training ends
        model.keras     the best epoch (ModelCheckpoint), or the last one
        train.log       what the training process printed
        predictions.npz the test-set predictions of model.keras (the cache of
                        clfcore.evaluation.run_predictions)

Every file is written atomically (write a temporary file, then rename), so a reader never sees
half a file, even if the trainer is killed mid-write (``clfcore.fileio``).
"""

from __future__ import annotations

import csv
import io
import json
import re
import secrets
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from clfcore.config import TrainConfig
from clfcore.errors import UserInputError
from clfcore.fileio import write_text_atomic
from clfcore.paths import USERS_DIR, runs_root

HISTORY_COLUMNS = (
    "epoch",
    "loss",
    "accuracy",
    "val_loss",
    "val_accuracy",
    "learning_rate",
    "seconds",
)


def read_json(path: Path) -> dict:
    """A JSON object from ``path``; {} when it is missing or unreadable."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _now() -> str:
    return datetime.now(UTC).astimezone().isoformat(timespec="seconds")


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:40] or "run"


@dataclass(frozen=True)
class RunFolder:
    """Paths and atomic reads/writes of one run's folder."""

    path: Path

    @property
    def run_id(self) -> str:
        return self.path.name

    @property
    def config_path(self) -> Path:
        return self.path / "config.json"

    @property
    def model_path(self) -> Path:
        return self.path / "model.keras"

    def model_stamp(self) -> tuple[int, int]:
        """``(modification time in ns, size)`` of model.keras: the key of every cache of its
        predictions, which changes whenever the model is rewritten."""
        stat = self.model_path.stat()
        return stat.st_mtime_ns, stat.st_size

    @property
    def owner(self) -> str:
        """The class-server user whose workspace holds this run (``runs/users/<owner>/<run>``);
        "" for a run in the runs root itself (personal mode)."""
        parent = self.path.parent
        return parent.name if parent.parent.name == USERS_DIR else ""

    # --- sharing: a teacher shows a run to the whole class ----------------------------------------
    @property
    def shared_path(self) -> Path:
        return self.path / "shared.json"

    def is_shared(self) -> bool:
        return self.shared_path.is_file()

    def set_shared(self, shared: bool, *, by: str = "") -> None:
        if shared:
            write_text_atomic(self.shared_path, json.dumps({"by": by, "at": _now()}))
        else:
            self.shared_path.unlink(missing_ok=True)

    @property
    def log_path(self) -> Path:
        return self.path / "train.log"

    # --- config ------------------------------------------------------------------------------
    def config(self) -> TrainConfig:
        data = read_json(self.config_path)
        if not data:
            raise UserInputError(
                "The run folder {path} has no readable config.json.", path=str(self.path)
            )
        return TrainConfig.from_json(data)

    def created(self) -> str | None:
        return read_json(self.config_path).get("created")

    # --- status ------------------------------------------------------------------------------
    def status(self) -> dict:
        return read_json(self.path / "status.json")

    def set_status(self, status: str, **fields: Any) -> None:
        """Write status.json: the new status plus ``fields`` (kept: earlier fields not
        overwritten)."""
        data = {**self.status(), **fields, "status": status, "updated": _now()}
        write_text_atomic(self.path / "status.json", json.dumps(data, indent=2))

    # --- progress, history, metrics ------------------------------------------------------------
    def progress(self) -> dict:
        return read_json(self.path / "progress.json")

    def write_progress(self, progress: dict) -> None:
        write_text_atomic(self.path / "progress.json", json.dumps(progress))

    def startup_seconds(self) -> float | None:
        """Seconds from the run's submission (status "queued_at", ``create_run``) to its first
        trained batch (progress "first_batch_at"); None before that batch or for an older run."""
        queued, first = self.status().get("queued_at"), self.progress().get("first_batch_at")
        if not isinstance(queued, (int, float)) or not isinstance(first, (int, float)):
            return None
        return max(first - queued, 0.0)

    def history(self) -> list[dict]:
        """One dict per finished epoch, numbers as floats (missing values as None)."""
        try:
            text = (self.path / "history.csv").read_text(encoding="utf-8")
        except OSError:
            return []
        rows = []
        for row in csv.DictReader(io.StringIO(text)):
            rows.append({k: (float(v) if v not in ("", None) else None) for k, v in row.items()})
        return rows

    def write_history(self, rows: list[dict]) -> None:
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=HISTORY_COLUMNS, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
        write_text_atomic(self.path / "history.csv", out.getvalue())

    def metrics(self) -> dict:
        return read_json(self.path / "metrics.json")

    def write_metrics(self, metrics: dict) -> None:
        write_text_atomic(self.path / "metrics.json", json.dumps(metrics, indent=2))

    # --- stop request --------------------------------------------------------------------------
    @property
    def stop_request_path(self) -> Path:
        return self.path / "stop-requested"


def _creation_stamp(root: Path) -> str:
    """Local time to the millisecond, later than every run already in ``root``, so ids sort by
    creation."""
    millis = time.time_ns() // 1_000_000
    newest = max((p.name[:18] for p in root.iterdir() if _STAMP.match(p.name)), default="")
    if newest and _format_stamp(millis) <= newest:  # same millisecond, or the clock went back
        millis = (
            int(time.mktime(time.strptime(newest[:15], "%Y%m%d-%H%M%S"))) * 1000
            + int(newest[15:])
            + 1
        )
    return _format_stamp(millis)


def _format_stamp(millis: int) -> str:
    seconds, ms = divmod(millis, 1000)
    return time.strftime("%Y%m%d-%H%M%S", time.localtime(seconds)) + f"{ms:03d}"


_STAMP = re.compile(r"^\d{8}-\d{9}-")


def create_run(config: TrainConfig, *, root: Path | None = None) -> RunFolder:
    """Make a new run folder with config.json and status "queued". The id sorts by creation time."""
    root = Path(root) if root is not None else runs_root()
    root.mkdir(parents=True, exist_ok=True)
    name = _slug(config.run_name or f"{config.architecture}-{config.dataset}")
    for _ in range(100):
        path = root / f"{_creation_stamp(root)}-{name}-{secrets.token_hex(2)}"
        try:
            path.mkdir()
            break
        except FileExistsError:
            continue
    run = RunFolder(path)
    write_text_atomic(
        run.config_path, json.dumps({**config.to_json(), "created": _now()}, indent=2)
    )
    run.set_status("queued", queued_at=time.time())  # where "started in X s" counts from
    return run


def open_run(run_id: str, *, root: Path | None = None) -> RunFolder:
    """An existing run by id (its folder name); refuses anything that is not a folder in the runs
    root."""
    root = Path(root) if root is not None else runs_root()
    if (
        not run_id
        or "/" in run_id
        or "\\" in run_id
        or run_id.startswith(".")
        or not (root / run_id / "config.json").is_file()
    ):
        raise UserInputError(
            "There is no run {run!r} in {root}. Check the run id on the Runs page "
            "(or with clfcore.list_runs()), or give the path of its folder.",
            run=run_id,
            root=str(root),
        )
    return RunFolder(root / run_id)
