"""Training runs as separate OS processes: launch, queue, stop, and notice the ones that died.

Each training runs in a process of its own, not in the web server: ``python -m clfcore train
--run-dir DIR`` - the same entry point as the command line - or the queue's warm process, which
loaded TensorFlow before the run came and trains run after run (``clfcore.jobs.warm``). A crash or
an out-of-memory ends only that process's run, and a run outlives the page and even the web server.
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
import time
from pathlib import Path

from clfcore.config import TrainConfig
from clfcore.errors import UserInputError
from clfcore.jobs import policy, process, warm
from clfcore.jobs.policy import PRIORITIES
from clfcore.jobs.queue import dispatch_lock, queue_base, scan
from clfcore.models import architectures
from clfcore.paths import runs_root
from clfcore.runs.folder import RunFolder, create_run
from clfcore.runs.liveness import process_alive
from clfcore.training import resume
from clfcore.training.trainer import check_config

MAX_ENV = "CLFCORE_MAX_TRAININGS"


def max_concurrent() -> int:
    """How many trainings may run at once on this server (default 1)."""
    try:
        return max(1, int(os.environ.get(MAX_ENV, "1")))
    except ValueError:
        return 1


def _process_kind(config: TrainConfig, queue: Path) -> tuple[dict[str, str], str, bool]:
    """The environment of ``config``'s training process, its warm kind, and whether it trains
    convolutions (its TensorFlow kernels)."""
    env = process.child_environment(runs=queue)  # it picks its TensorFlow kernels for its model
    try:
        convolutional = architectures.has_convolutions(config.architecture, config.arch_options)
    except UserInputError:
        convolutional = True  # the training refuses an unknown architecture with the reason
    return env, warm.kind(env, convolutional=convolutional), convolutional


def prewarm(config: TrainConfig, *, root: Path | None = None) -> None:
    """Have a training process for runs like ``config`` loaded before one is submitted (the Train
    page asks as it opens), so its Start waits only for the data and the graph."""
    if warm.idle_seconds() <= 0:
        return
    queue = queue_base(Path(root) if root is not None else runs_root())
    env, kind, convolutional = _process_kind(config, queue)
    with dispatch_lock(queue):
        warm.ensure(queue, kind, convolutional=convolutional, env=env, dataset=config.dataset)


def launch(run: RunFolder) -> int:
    """Start the training process of ``run`` in its own session (it survives the server): the
    queue's warm process when one of its kind is ready (``clfcore.jobs.warm``), else a new one.
    Then one is made warm for the next run. Returns the process's pid."""
    resume.place_start_model(run)  # a continued run: its parent's model, or UserInputError if gone
    # The runs root is the queue's (not the workspace's), so the child's ``dispatch`` when it ends
    # starts the next run of every workspace.
    queue = queue_base(run.path.parent)
    env, kind, convolutional = _process_kind(run.config(), queue)
    ready = warm.claim(queue, kind) if warm.idle_seconds() > 0 else None
    if ready is not None:
        child = process.Child(ready.pid, ready.pid_start)
    else:
        child = process.spawn(["train", "--run-dir", str(run.path)], log=run.log_path, env=env)
    run.set_status(
        "running",
        pid=child.pid,
        pid_start=child.pid_start,
        message=None,
        started=time.time(),  # the queue's round robin serves whoever waited longest next
    )
    if ready is not None:
        warm.hand_over(ready, run)  # after the status: the run's process is known from the start
    warm.ensure(queue, kind, convolutional=convolutional, env=env, dataset=run.config().dataset)
    return child.pid


def dispatch(root: Path | None = None) -> list[str]:
    """Notice dead runs and start queued ones while slots are free, in the queue's order.

    Args:
        root: any folder of the queue: the runs root (default) or a workspace in it; the whole
            queue of that runs root is dispatched. Returns the ids started.
    """
    root = Path(root) if root is not None else runs_root()
    started = []
    with dispatch_lock(root):
        queued, running, last_started = scan(root)
        folders = {entry.run_id: run for run, entry in queued}
        chosen = policy.to_start(
            [entry for _, entry in queued],
            running=[entry for _, entry in running],
            slots=max_concurrent(),
            last_started=last_started,
        )
        for entry in chosen:
            try:
                launch(folders[entry.run_id])
            except UserInputError as error:  # a continued run whose parent was deleted meanwhile
                resume.fail(folders[entry.run_id], error)
                continue
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
    queued, _, last_started = scan(Path(root) if root is not None else runs_root())
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
        with dispatch_lock(run.path.parent):
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
