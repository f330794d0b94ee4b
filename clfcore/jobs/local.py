"""Training runs as separate OS processes: launch, queue, stop, and notice the ones that died.

Each training is its own process running ``python -m clfcore train --run-dir DIR`` - the same entry
point as the command line - so a crash or an out-of-memory only ends that run, TensorFlow's memory
goes back to the system after every run, and a run outlives the page and even the web server.
The app and the processes talk only through the run folder (clfcore.runs.folder) and signals.

At most ``max_concurrent()`` runs train at once (``$CLFCORE_MAX_TRAININGS``, default 1 on a CPU
server); the others wait as "queued" and start when a slot frees - also after a restart, since every
finishing training and every page that watches runs calls ``dispatch``. One queue covers the runs
root and every workspace under it (``runs/users/<name>``), under one lock; the order is
``clfcore.jobs.policy``'s: oldest first in personal mode; on a class server teachers first, round
robin across students, one active training per student.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from clfcore import tfenv
from clfcore.config import TrainConfig
from clfcore.fileio import exclusive_lock
from clfcore.jobs import policy
from clfcore.jobs.policy import PRIORITIES
from clfcore.paths import DATA_ENV, RUNS_ENV, USERS_DIR, data_root, runs_root
from clfcore.runs.folder import RunFolder, create_run
from clfcore.runs.listing import run_roots
from clfcore.runs.liveness import _process_start_ticks, effective_status, process_alive
from clfcore.training.trainer import check_config

MAX_ENV = "CLFCORE_MAX_TRAININGS"


def max_concurrent() -> int:
    """How many trainings may run at once on this server (default 1)."""
    try:
        return max(1, int(os.environ.get(MAX_ENV, "1")))
    except ValueError:
        return 1


def _queue_base(root: Path) -> Path:
    """The folder whose queue the runs in ``root`` wait in: a workspace ``<runs root>/users/<name>``
    waits in the runs root's queue; any other folder (``submit(root=...)`` elsewhere) is its own."""
    root, top = Path(root).resolve(), runs_root()
    return top if root.parent == top / USERS_DIR else root


def _dispatch_lock(root: Path):
    return exclusive_lock(_queue_base(root) / ".dispatch.lock")


def _folders(root: Path) -> list[str]:
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


def _runs(root: Path) -> list[RunFolder]:
    return [RunFolder(Path(path)) for path in _folders(root)]


def _entry(run: RunFolder, state: dict) -> policy.Entry:
    # a run created without ``submit`` (older runs, tests): the runs root's are personal, a
    # workspace's count as a student's (the stricter rule)
    default = policy.STUDENT if run.owner else policy.PERSONAL
    priority = state.get("priority")
    return policy.Entry(run.run_id, run.owner, priority if priority in PRIORITIES else default)


# run folder -> when its training started, for runs whose status is final (completed, stopped,
# failed, interrupted never change again): the queue reads only the live runs' status files
_SETTLED: dict[str, tuple[str, float | None]] = {}  # folder -> (owner, started)
_FINAL = ("completed", "stopped", "failed", "interrupted")


def _queue(root: Path) -> tuple[list, list, dict[str, float]]:
    """The queued and running runs of the queue ``root`` belongs to, as (RunFolder, Entry) pairs,
    and when each owner's latest training started."""
    queued: list = []
    running: list = []
    last_started: dict[str, float] = {}
    for folder in run_roots(_queue_base(root)):
        for key in _folders(folder):
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
                queued.append((run, _entry(run, state)))
            elif status == "running":
                running.append((run, _entry(run, state)))
            elif status in _FINAL:
                _SETTLED[key] = (
                    run.owner,
                    float(started) if isinstance(started, (int, float)) else None,
                )
    return queued, running, last_started


def launch(run: RunFolder) -> int:
    """Start the training process of ``run`` in its own session (it survives the server). Returns
    its pid."""
    log = open(run.log_path, "ab")  # noqa: SIM115  (the child writes to it; closed below, once started)
    # clfcore is an installed package (pip install -e .), so the child finds it without PYTHONPATH.
    # Both roots go as absolute paths: the child must read the same datasets and write the same
    # runs as this process, whatever its working folder. The runs root is the queue's (not the
    # workspace's), so the child's ``dispatch`` when it ends starts the next run of every workspace.
    queue = _queue_base(run.path.parent)
    env = {**os.environ, RUNS_ENV: str(queue), DATA_ENV: str(data_root())}
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
        "running",
        pid=process.pid,
        pid_start=_process_start_ticks(process.pid),
        message=None,
        started=time.time(),  # the queue's round robin serves whoever waited longest next
    )
    threading.Thread(target=process.wait, daemon=True).start()  # reap it when it ends: no zombie
    return process.pid


def dispatch(root: Path | None = None) -> list[str]:
    """Notice dead runs and start queued ones while slots are free, in the queue's order.

    Args:
        root: any folder of the queue: the runs root (default) or a workspace in it; the whole
            queue of that runs root is dispatched. Returns the ids started.
    """
    root = Path(root) if root is not None else runs_root()
    started = []
    with _dispatch_lock(root):
        queued, running, last_started = _queue(root)
        folders = {entry.run_id: run for run, entry in queued}
        chosen = policy.to_start(
            [entry for _, entry in queued],
            running=[entry for _, entry in running],
            slots=max_concurrent(),
            last_started=last_started,
        )
        for entry in chosen:
            launch(folders[entry.run_id])
            started.append(entry.run_id)
    return started


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


def queue_order(root: Path | None = None) -> list[str]:
    """The ids of the queued runs in the order they will start, in the whole queue ``root`` belongs
    to (default: the runs root, with every workspace under it). One scan of the run folders: for a
    page that shows the whole queue."""
    queued, _, last_started = _queue(Path(root) if root is not None else runs_root())
    order = policy.queue_order([entry for _, entry in queued], last_started=last_started)
    return [entry.run_id for entry in order]


def queue_position(run: RunFolder) -> int | None:
    """1 for the next queued run to start, 2 for the one after... in the whole queue (every
    workspace of the runs root); None if ``run`` is not queued."""
    ids = queue_order(run.path.parent)
    return ids.index(run.run_id) + 1 if run.run_id in ids else None


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
