"""The learning-rate finder as a short background job: one per workspace, in a hidden folder.

Example (the Model page)::

    start(config, runs_dir=workspace.runs_dir)     # returns at once
    job = read_job(workspace.runs_dir)             # poll: job.status, job.batch, job.result
    stop(workspace.runs_dir)

The search runs in its own process, ``python -m clfcore lr-find --job-dir DIR`` (as trainings do:
TensorFlow stays out of the web server, and its memory goes back when the search ends). DIR is
``<runs dir>/.lr-find``: under the workspace's runs folder, so every user of a class server has
their own, and hidden, so no listing takes it for a run. It holds config.json, status.json,
progress.json, result.json (``LRFindResult.to_json()``) and log.txt; never a model.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from clfcore.config import TrainConfig
from clfcore.errors import UserInputError
from clfcore.fileio import write_text_atomic
from clfcore.i18n import N_
from clfcore.jobs import process
from clfcore.paths import runs_root
from clfcore.runs.liveness import process_alive
from clfcore.training.trainer import OUT_OF_MEMORY, check_config

FOLDER = ".lr-find"
PROGRESS_EVERY_SECONDS = 0.3  # the page polls about once a second
ALREADY_RUNNING = N_(
    "A learning-rate search is already running for you. Wait for it to end or stop it first."
)
CRASHED = N_("The learning-rate search failed: {reason}")
ENDED = N_("The learning-rate search ended without a result (the process stopped). Start it again.")


@dataclass(frozen=True)
class LRFindJob:
    """A search as its folder tells it."""

    status: str  # "running", "completed", "failed" or "stopped"
    batch: int = 0  # batches trained so far
    batches: int = 0  # batches the search trains at most
    learning_rate: float | None = None  # of the last batch
    loss: float | None = None  # smoothed, after the last batch
    result: dict | None = None  # LRFindResult.to_json() once completed
    message: str | None = None  # a failure's English template (clfcore.i18n), with its params
    params: dict = field(default_factory=dict)
    config: dict = field(default_factory=dict)  # the TrainConfig searched for (to_json())

    @property
    def running(self) -> bool:
        return self.status == "running"


def job_dir(runs_dir: Path | None = None) -> Path:
    """The finder's folder of the workspace whose runs are in ``runs_dir`` (default: the runs
    root)."""
    return Path(runs_dir if runs_dir is not None else runs_root()) / FOLDER


def _read(path: Path) -> dict:
    try:
        value = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return value if isinstance(value, dict) else {}


def _write(path: Path, value: dict) -> None:
    write_text_atomic(path, json.dumps(value))


def _set_status(folder: Path, status: str, **extra) -> None:
    _write(folder / "status.json", {**_read(folder / "status.json"), "status": status, **extra})


def read_job(runs_dir: Path | None = None) -> LRFindJob | None:
    """The workspace's last search, or None if it never ran one. A search whose process is gone
    while it says "running" is "failed" (``ENDED``)."""
    folder = job_dir(runs_dir)
    state = _read(folder / "status.json")
    if not state:
        return None
    status = state.get("status", "failed")
    if status == "running" and not process_alive(state.get("pid"), state.get("pid_start")):
        # the process may have written its last status while we looked
        state = _read(folder / "status.json")
        status = state.get("status", "failed")
        if status == "running":
            _set_status(folder, "failed", message=ENDED, params={})
            state, status = _read(folder / "status.json"), "failed"
    progress = _read(folder / "progress.json")
    return LRFindJob(
        status=status,
        batch=int(progress.get("batch", 0)),
        batches=int(progress.get("batches", 0)),
        learning_rate=progress.get("learning_rate"),
        loss=progress.get("loss"),
        result=_read(folder / "result.json") or None if status == "completed" else None,
        message=state.get("message"),
        params=state.get("params") or {},
        config=_read(folder / "config.json"),
    )


def start(config: TrainConfig, *, runs_dir: Path | None = None) -> None:
    """Check ``config`` and start its search in a new process; refuses a second one at once.

    Raises:
        UserInputError: settings that cannot train, or a search of this workspace still running.
    """
    check_config(config)
    folder = job_dir(runs_dir)
    job = read_job(runs_dir)
    if job is not None and job.running:
        raise UserInputError(ALREADY_RUNNING)
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    _write(folder / "config.json", config.to_json())
    _write(folder / "status.json", {"status": "running"})
    child = process.spawn(["lr-find", "--job-dir", str(folder)], log=folder / "log.txt")
    _set_status(folder, "running", pid=child.pid, pid_start=child.pid_start)


def stop(runs_dir: Path | None = None) -> None:
    """End the workspace's running search now (it saves nothing, so nothing is lost but the
    curve)."""
    folder = job_dir(runs_dir)
    state = _read(folder / "status.json")
    if state.get("status") != "running":
        return
    _set_status(folder, "stopped")
    pid = state.get("pid")
    if pid and process_alive(pid, state.get("pid_start")):
        os.kill(pid, signal.SIGTERM)


def run_job(folder: Path, *, progress: Callable[[int, int, float, float], None] | None = None):
    """The search of ``folder`` (in its own process: ``python -m clfcore lr-find --job-dir``).

    Writes progress.json while it trains, then result.json and the status; a failure is recorded
    as the status's message and raised again. Returns the ``LRFindResult``.
    """
    # here, not at the top: the finder loads TensorFlow, which only the search's process needs
    from clfcore.training import lr_finder

    folder = Path(folder)
    config = TrainConfig.from_json(_read(folder / "config.json"))
    last = 0.0

    def report(batch: int, batches: int, rate: float, loss: float) -> None:
        nonlocal last
        now = time.monotonic()
        if now - last >= PROGRESS_EVERY_SECONDS or batch == batches:
            last = now
            _write(
                folder / "progress.json",
                {"batch": batch, "batches": batches, "learning_rate": rate, "loss": loss},
            )
        if progress is not None:
            progress(batch, batches, rate, loss)

    try:
        result = lr_finder.find_lr(config, progress=report)
    except UserInputError as error:
        _set_status(
            folder,
            "failed",
            message=error.template,
            params={k: str(v) for k, v in error.params.items()},
        )
        raise
    except MemoryError:
        _set_status(folder, "failed", message=OUT_OF_MEMORY, params={})
        raise
    # any other crash is recorded as the search's failure reason, then re-raised
    except Exception as error:
        name = type(error).__name__
        message = OUT_OF_MEMORY if name == "ResourceExhaustedError" else CRASHED
        params = {} if message == OUT_OF_MEMORY else {"reason": f"{name}: {error}"[:500]}
        _set_status(folder, "failed", message=message, params=params)
        raise
    _write(folder / "result.json", result.to_json())
    _set_status(folder, "completed")
    return result
