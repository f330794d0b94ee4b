"""Warm training processes: a training process started before its run, so that a run waits only
for its own data and graph, not for Python, TensorFlow and Keras to load.

Starting ``python -m clfcore train`` costs about 5 s of a 2-core machine before the first batch
(bench/first_batch.py), most of it importing TensorFlow and Keras. A study's trials and a class's
runs pay it every time. So the local runner keeps one process of the queue warm: started with
``python -m clfcore train --warm FOLDER``, it loads the training code, says it is ready, and waits.
The next run of the same kind is handed to it instead of a new process; it then is that run's
training process, exactly as if started for it (the same entry point, its pid in status.json, its
output in train.log). A new warm process is started only when the queue has none of the kind.

- **Run after run.** After its run it waits for the next one, in a new folder the dispatcher
  made for it when it handed the run over (so the queue never starts a second process meanwhile).
  The model and graph of the last run are cleared first (``keras.backend.clear_session``), and
  every run sets its own seeds, so a seeded run gives the same numbers as in a new process. A
  process that crashed ends (its run is failed or interrupted, as before), and one that grew past
  ``MAX_RSS_BYTES`` or trained ``MAX_RUNS`` runs ends after its run, so memory goes back to the
  system.
- **Its kind.** TensorFlow's kernels are chosen before it loads (``tfenv.prefer_onednn``), and the
  environment is read as the process starts: a warm process takes only a run with the same
  choice (convolutional or not) and the same environment; any other run starts cold.
- **Handing over.** In the queue's ``.warm/<id>/`` folder: the dispatcher claims the process by
  creating ``claimed`` (exclusive: of two claims, or a claim and the process retiring, exactly one
  wins), writes the run's status with the process's pid, then the run folder's path into ``job``.
  A process still loading can be claimed: it takes the run as soon as it has loaded, which is
  sooner than a new process would. It writes ``ready`` once loaded, and removes its folder as the
  run starts; the folder made for its next run holds ``busy`` (that run's path) until the run
  ended, and can be claimed once the run's status is final. It also reads the dataset the last
  run used (``warm.json``'s hint) while it waits.
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
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from clfcore import tfenv
from clfcore.fileio import write_text_atomic
from clfcore.jobs import process
from clfcore.jobs.queue import FINAL, queue_base
from clfcore.runs.folder import RunFolder, read_json
from clfcore.runs.liveness import process_alive

SECONDS_ENV = "CLFCORE_WARM_SECONDS"
DEFAULT_SECONDS = 600.0
FOLDER = ".warm"  # in the queue's runs root
_POLL = 0.02  # seconds between the waiting process's looks at its folder: a stat, nothing more
_STARTING_GRACE = 60.0  # a folder without its process's pid yet is being started
_CLAIMED_WAIT = 30.0  # a claimed process waits this long for its run before it gives up
# variables that differ from one moment of the same server to the next and change nothing a
# training does (pytest names the test running)
_VOLATILE = frozenset({"PYTEST_CURRENT_TEST"})
MAX_RUNS = 100  # runs one process trains before it ends and a new one takes over
MAX_RSS_BYTES = 3 * 1024**3  # a process that holds more memory than this after a run ends


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


def _free(folder: Path) -> bool:
    """Whether the process of ``folder`` is not training: loading, waiting, or its run ended."""
    try:
        busy = (folder / "busy").read_text(encoding="utf-8")
    except OSError:
        return True
    return RunFolder(Path(busy)).status().get("status") in FINAL


def claim(root: Path, key: str) -> Warm | None:
    """A warm process of kind ``key`` for a run of ``root``'s queue, now reserved for it (a ready
    one first, else one still loading); None if there is none. Call under the queue's dispatch
    lock, then ``hand_over``."""
    found = [(f, started) for f, started in _entries(root, key) if started and _free(f)]
    found.sort(key=lambda entry: not (entry[0] / "ready").exists())  # stable: else oldest first
    for folder, started in found:
        if _take(folder):
            return Warm(folder, int(started["pid"]), started.get("pid_start"))
    return None


def hand_over(warm: Warm, run: RunFolder) -> None:
    """Give ``run`` to the claimed ``warm`` process (its status already names the process), and
    make the folder it waits in for its next run, marked busy with this one."""
    meta = read_json(warm.folder / "warm.json")
    runs = int(meta.get("runs", 0)) + 1
    following = None
    if runs < MAX_RUNS:
        following = warm.folder.parent / uuid.uuid4().hex[:12]  # beside it, in the queue
        following.mkdir(parents=True)
        write_text_atomic(following / "busy", str(run.path))
        meta = {**meta, "runs": runs, "dataset": run.config().dataset}
        write_text_atomic(following / "warm.json", json.dumps(meta))
        started = {"pid": warm.pid, "pid_start": warm.pid_start}
        write_text_atomic(following / "pid.json", json.dumps(started))
    job = {"run": str(run.path), "next": str(following) if following else None}
    write_text_atomic(warm.folder / "job", json.dumps(job))


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


def serve(folder: Path, train: Callable[[Path], None]) -> None:
    """In the warm process: load the training code, say so, and train the runs handed over, one
    after another, with ``train(run_dir)`` (its output in the run's train.log). Returns when the
    process should end: idle, asked to, or after a run that left it too large.
    """
    folder = Path(folder)
    meta = read_json(folder / "warm.json")
    tfenv.prefer_onednn(convolutional=bool(meta.get("convolutional", True)))
    asked_to_end: list[bool] = []
    signal.signal(signal.SIGTERM, lambda *_: asked_to_end.append(True))
    _load_training()
    write_text_atomic(folder / "ready", "")
    if meta.get("dataset") and not (folder / "job").is_file():
        _read_dataset(meta["dataset"])
    while True:
        job = _wait_for_job(folder, float(meta.get("idle_seconds", DEFAULT_SECONDS)), asked_to_end)
        if job is None:
            return
        shutil.rmtree(folder, ignore_errors=True)
        run_dir, following = Path(job["run"]), job.get("next")
        signal.signal(signal.SIGTERM, signal.SIG_DFL)  # the trainer installs its own
        _output_to(RunFolder(run_dir).log_path)
        train(run_dir)  # a crash raises: the process ends, and its next folder with it
        _clear_session()
        if following is None:
            return
        folder = Path(following)
        signal.signal(signal.SIGTERM, lambda *_: asked_to_end.append(True))
        if _rss_bytes() > MAX_RSS_BYTES:
            asked_to_end.append(True)  # it retires below, unless a run was handed over already
        if folder.is_dir():
            _output_to(folder / "warm.log")
            write_text_atomic(folder / "ready", "")
            (folder / "busy").unlink(missing_ok=True)


def _wait_for_job(folder: Path, idle_seconds: float, asked_to_end: list) -> dict | None:
    """The job handed to this process in ``folder`` ({"run", "next"}), or None when it ends idle,
    asked to, or left without one."""
    idle_until = time.monotonic() + idle_seconds
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
    return json.loads((folder / "job").read_text(encoding="utf-8"))


def _clear_session() -> None:
    """Forget the last run's model, graph and layer names, and free what they held."""
    import gc

    import keras

    keras.backend.clear_session()
    gc.collect()


def _rss_bytes() -> int:
    """This process's resident memory (Linux; 0 where unknown)."""
    try:
        pages = int(Path("/proc/self/statm").read_text().split()[1])
    except (OSError, IndexError, ValueError):
        return 0
    return pages * os.sysconf("SC_PAGE_SIZE")


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
