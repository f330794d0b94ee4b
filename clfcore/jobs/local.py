"""Training runs as separate OS processes: launch, queue, stop, and notice the ones that died.

Each training is its own process running ``python -m clfcore train --run-dir DIR`` - the same entry
point as the command line - so a crash or an out-of-memory only ends that run, TensorFlow's memory
goes back to the system after every run, and a run outlives the page and even the web server.
The app and the processes talk only through the run folder (clfcore.runs.folder) and signals.

At most ``max_concurrent()`` runs train at once (``$CLFCORE_MAX_TRAININGS``, default 1 on a CPU
server); the others wait as "queued" and start, oldest first, when a slot frees - also after a
restart, since every finishing training and every page that watches runs calls ``dispatch``.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import threading
from pathlib import Path

from clfcore import tfenv
from clfcore.config import TrainConfig
from clfcore.fileio import exclusive_lock
from clfcore.paths import DATA_ENV, RUNS_ENV, data_root, runs_root
from clfcore.runs.folder import RunFolder, create_run
from clfcore.runs.liveness import _process_start_ticks, effective_status, process_alive
from clfcore.training.trainer import check_config

MAX_ENV = "CLFCORE_MAX_TRAININGS"


def max_concurrent() -> int:
    """How many trainings may run at once on this server (default 1)."""
    try:
        return max(1, int(os.environ.get(MAX_ENV, "1")))
    except ValueError:
        return 1


def _dispatch_lock(root: Path):
    return exclusive_lock(root / ".dispatch.lock")


def _runs(root: Path) -> list[RunFolder]:
    if not root.is_dir():
        return []
    return sorted(
        (RunFolder(p) for p in root.iterdir() if (p / "config.json").is_file()),
        key=lambda r: r.run_id,
    )


def launch(run: RunFolder) -> int:
    """Start the training process of ``run`` in its own session (it survives the server). Returns
    its pid."""
    log = open(run.log_path, "ab")  # noqa: SIM115  (the child writes to it; closed below, once started)
    # clfcore is an installed package (pip install -e .), so the child finds it without PYTHONPATH.
    # Both roots go as absolute paths: the child must read the same datasets and write the same
    # runs as this process, whatever its working folder.
    env = {**os.environ, RUNS_ENV: str(run.path.parent), DATA_ENV: str(data_root())}
    env = tfenv.child_environment(env)  # the run picks its TensorFlow kernels for its own model
    process = subprocess.Popen(
        [sys.executable, "-m", "clfcore", "train", "--run-dir", str(run.path)],
        stdin=subprocess.DEVNULL,
        stdout=log,
        stderr=subprocess.STDOUT,
        env=env,
        start_new_session=True,
    )
    log.close()
    run.set_status(
        "running", pid=process.pid, pid_start=_process_start_ticks(process.pid), message=None
    )
    threading.Thread(target=process.wait, daemon=True).start()  # reap it when it ends: no zombie
    return process.pid


def dispatch(root: Path | None = None) -> list[str]:
    """Notice dead runs and start queued ones while slots are free. Returns the ids started."""
    root = Path(root) if root is not None else runs_root()
    started = []
    with _dispatch_lock(root):
        runs = _runs(root)
        statuses = {run.run_id: effective_status(run) for run in runs}
        free = max_concurrent() - sum(status == "running" for status in statuses.values())
        for run in runs:
            if free <= 0:
                break
            if statuses[run.run_id] == "queued":
                launch(run)
                started.append(run.run_id)
                free -= 1
    return started


PRIORITIES = ("teacher", "student", "personal")  # who submitted: the queue's fairness rules


def submit(
    config: TrainConfig, *, root: Path | None = None, priority: str = "personal"
) -> RunFolder:
    """Check ``config``, create its run folder (queued) and start it if a slot is free.

    Args:
        root: the workspace's runs folder (default: the runs root, personal mode).
        priority: "teacher", "student" or "personal" - kept in status.json for the queue's rules.
    """
    if priority not in PRIORITIES:
        raise ValueError(f"priority must be one of {PRIORITIES}, got {priority!r}")
    check_config(config)
    run = create_run(config, root=root)
    run.set_status("queued", priority=priority)
    dispatch(run.path.parent)
    return run


def queue_position(run: RunFolder) -> int | None:
    """1 for the next queued run to start, 2 for the one after...; None if ``run`` is not queued."""
    queued = [r.run_id for r in _runs(run.path.parent) if r.status().get("status") == "queued"]
    return queued.index(run.run_id) + 1 if run.run_id in queued else None


def stop(run: RunFolder) -> None:
    """End training after the current batch (model and history are kept); a queued run is
    removed."""
    state = run.status()
    if state.get("status") == "queued":
        with _dispatch_lock(run.path.parent):
            if run.status().get("status") == "queued":
                shutil.rmtree(run.path)
                return
    run.stop_request_path.touch()
    pid = state.get("pid")
    if (
        state.get("status") == "running"
        and pid is not None
        and process_alive(pid, state.get("pid_start"))
    ):
        os.kill(pid, signal.SIGTERM)
