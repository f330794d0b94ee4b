"""Warm training processes: a training process started before its run, so that a run waits only
for its own data and graph, not for Python, TensorFlow and Keras to load.

Starting ``python -m clfcore train`` costs about 5 s of a 2-core machine before the first batch
(bench/first_batch.py), most of it importing TensorFlow and Keras. A study's trials and a class's
runs pay it every time. So the local runner keeps one process of the queue warm: started with
``python -m clfcore train --warm FOLDER``, it loads the training code, says it is ready, and waits.
The next run of the same kind is handed to it instead of a new process; it then is that run's
training process, exactly as if started for it (the same entry point, its pid in status.json, its
output in train.log), and another warm process is started for the run after.

- **One run each.** A warm process trains one run and ends, like any training process: a crash or
  an out-of-memory ends one run only, and TensorFlow's memory goes back to the system.
- **Its kind.** TensorFlow's kernels are chosen before it loads (``tfenv.prefer_onednn``), and the
  environment is read as the process starts: a warm process takes only a run with the same
  choice (convolutional or not) and the same environment; any other run starts cold.
- **Handing over.** In the queue's ``.warm/<id>/`` folder: the dispatcher claims the process by
  creating ``claimed`` (exclusive: of two claims, or a claim and the process retiring, exactly one
  wins), writes the run's status with the process's pid, then the run folder's path into ``job``.
  A process still loading can be claimed: it takes the run as soon as it has loaded, which is
  sooner than a new process would. It writes ``ready`` once loaded, and removes its folder as the
  run starts. It also reads the dataset the last run used (``warm.json``'s hint) while it waits.
- **Idle.** After ``CLFCORE_WARM_SECONDS`` (default 600) without a run it ends by itself; ``0``
  turns warm processes off (every run starts its own process).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import signal
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

from clfcore import tfenv
from clfcore.fileio import write_text_atomic
from clfcore.jobs import process
from clfcore.jobs.queue import queue_base
from clfcore.runs.folder import RunFolder, read_json
from clfcore.runs.liveness import _process_start_ticks, process_alive

SECONDS_ENV = "CLFCORE_WARM_SECONDS"
DEFAULT_SECONDS = 600.0
FOLDER = ".warm"  # in the queue's runs root
_POLL = 0.02  # seconds between the waiting process's looks at its folder: a stat, nothing more
_STARTING_GRACE = 60.0  # a folder without its process's pid yet is being started
_CLAIMED_WAIT = 30.0  # a claimed process waits this long for its run before it gives up
# variables that differ from one moment of the same server to the next and change nothing a
# training does (pytest names the test running)
_VOLATILE = frozenset({"PYTEST_CURRENT_TEST"})


@dataclass(frozen=True)
class Warm:
    """A warm process claimed for a run: its folder and its process."""

    folder: Path
    pid: int
    pid_start: str | None


def idle_seconds() -> float:
    """``CLFCORE_WARM_SECONDS``: how long a warm process waits for a run (0: no warm processes)."""
    try:
        return max(0.0, float(os.environ.get(SECONDS_ENV, DEFAULT_SECONDS)))
    except ValueError:
        return DEFAULT_SECONDS


def kind(env: dict[str, str], *, convolutional: bool) -> str:
    """What a run needs of a warm process: its kernel choice and its environment, as one key."""
    stable = sorted((k, v) for k, v in env.items() if k not in _VOLATILE)
    text = json.dumps([sys.executable, convolutional, stable])
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _folder(root: Path) -> Path:
    return queue_base(root) / FOLDER


def _entries(root: Path, key: str):
    """The warm folders of ``root``'s queue of kind ``key``, with their pid file (or None yet);
    the folders of processes that ended are removed on the way."""
    base = _folder(root)
    if not base.is_dir():
        return
    for folder in sorted(base.iterdir()):
        meta = read_json(folder / "warm.json")
        started = read_json(folder / "pid.json")
        if started and not process_alive(started.get("pid"), started.get("pid_start")):
            shutil.rmtree(folder, ignore_errors=True)  # it ended (idle, killed): nothing to keep
            continue
        if not started and _age(folder) > _STARTING_GRACE:
            shutil.rmtree(folder, ignore_errors=True)  # its starter died before writing the pid
            continue
        if meta.get("kind") == key and not (folder / "claimed").exists():
            yield folder, started  # loading, or ready


def _age(folder: Path) -> float:
    try:
        return time.time() - folder.stat().st_mtime
    except OSError:
        return 0.0


def _take(folder: Path) -> bool:
    """Claim the process of ``folder`` for a run, or for its own retirement: True for the one
    caller that wins."""
    try:
        os.close(os.open(folder / "claimed", os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644))
    except OSError:  # taken already (or the folder went)
        return False
    return True


def claim(root: Path, key: str) -> Warm | None:
    """A warm process of kind ``key`` for a run of ``root``'s queue, now reserved for it (the ready
    ones first, else one still loading); None if there is none. Call under the queue's dispatch
    lock, then ``hand_over``."""
    found = [(folder, started) for folder, started in _entries(root, key) if started]
    found.sort(key=lambda entry: not (entry[0] / "ready").exists())  # stable: else oldest first
    for folder, started in found:
        if _take(folder):
            return Warm(folder, int(started["pid"]), started.get("pid_start"))
    return None


def hand_over(warm: Warm, run: RunFolder) -> None:
    """Give ``run`` to the claimed ``warm`` process (its status already names the process)."""
    write_text_atomic(warm.folder / "job", str(run.path))


def ensure(
    root: Path, key: str, *, convolutional: bool, env: dict[str, str], dataset: str | None = None
) -> None:
    """Start a warm process of kind ``key`` for ``root``'s queue unless one is there (ready or
    loading). Call under the queue's dispatch lock.

    Args:
        dataset: the dataset the next run will likely use (the last run's): the process reads it
            while it waits, so the run finds it in memory.
    """
    seconds = idle_seconds()
    if seconds <= 0 or any(True for _ in _entries(root, key)):
        return
    folder = _folder(root) / uuid.uuid4().hex[:12]
    folder.mkdir(parents=True)
    write_text_atomic(
        folder / "warm.json",
        json.dumps(
            {
                "kind": key,
                "convolutional": convolutional,
                "idle_seconds": seconds,
                "dataset": dataset,
            }
        ),
    )
    child = process.spawn(["train", "--warm", str(folder)], log=folder / "warm.log", env=env)
    started = {"pid": child.pid, "pid_start": child.pid_start}
    write_text_atomic(folder / "pid.json", json.dumps(started))


# --- the warm process's side --------------------------------------------------------------------


def serve(folder: Path) -> Path | None:
    """In the warm process: load the training code, say so, and wait for a run. Returns the run
    folder handed over (its train.log now takes this process's output), or None when the process
    ended idle (nothing was handed over)."""
    folder = Path(folder)
    meta = read_json(folder / "warm.json")
    tfenv.prefer_onednn(convolutional=bool(meta.get("convolutional", True)))
    asked_to_end = []
    signal.signal(signal.SIGTERM, lambda *_: asked_to_end.append(True))
    _load_training()
    write_text_atomic(
        folder / "ready",
        json.dumps({"pid": os.getpid(), "pid_start": _process_start_ticks(os.getpid())}),
    )
    if meta.get("dataset") and not (folder / "job").is_file():
        _read_dataset(meta["dataset"])
    idle_until = time.monotonic() + float(meta.get("idle_seconds", DEFAULT_SECONDS))
    claimed_since = None
    while not (folder / "job").is_file():
        ending = asked_to_end or time.monotonic() > idle_until
        if claimed_since is None and ending and _take(folder):  # no claim can win from here on
            shutil.rmtree(folder, ignore_errors=True)
            return None
        if not folder.is_dir():  # the runs root went away
            return None
        if claimed_since is None and (folder / "claimed").exists():
            claimed_since = time.monotonic()  # its run is on the way
        if claimed_since is not None and time.monotonic() - claimed_since > _CLAIMED_WAIT:
            shutil.rmtree(folder, ignore_errors=True)  # its dispatcher died before handing over
            return None
        time.sleep(_POLL)
    run_dir = Path((folder / "job").read_text(encoding="utf-8"))
    shutil.rmtree(folder, ignore_errors=True)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # the trainer installs its own
    _output_to(RunFolder(run_dir).log_path)
    return run_dir


def _load_training() -> None:
    """Import what every training needs, and start TensorFlow's runtime (its thread pools)."""
    import keras  # noqa: F401
    import tensorflow as tf

    from clfcore.training import trainer  # noqa: F401

    tf.constant(1.0) + 1.0  # the eager context, made once


def _read_dataset(dataset_id: str) -> None:
    """Read ``dataset_id`` into this process's cache (``datasets.load_raw``); one that cannot be
    read is left to the run, which says why."""
    from clfcore.data import datasets
    from clfcore.errors import UserInputError

    with contextlib.suppress(UserInputError, OSError, ValueError):
        datasets.load_raw(dataset_id)


def _output_to(log: Path) -> None:
    """Send this process's stdout and stderr (Python's and C++'s) to ``log``, appended."""
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()
    descriptor = os.open(log, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    os.dup2(descriptor, 1)
    os.dup2(descriptor, 2)
    os.close(descriptor)
