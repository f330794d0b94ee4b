"""Training runs on a Ray cluster: the same interface as ``clfcore.jobs.local``, other machines.

Chosen with ``CLFCORE_JOBS=ray``; the cluster is ``CLFCORE_RAY_ADDRESS`` (or Ray's own
``RAY_ADDRESS``), ``host:port`` as ``ray start --head`` prints it. Needs the optional extra
``clfcore[cluster]`` (``ray[default]``) on the web server and on every worker.

The run folder stays the contract, and it stays on the web server: workers share no disk with it.

- A job runs on a **slot**: a detached named actor (``slot-c<CPUs>-g<GPUs>-<id>`` in the namespace
  ``clfcore``) that holds one job's CPUs (``CLFCORE_RAY_CPUS``, default 2) and GPUs where the
  cluster has them (``CLFCORE_RAY_GPUS``, default 1; more train with MirroredStrategy) on a
  worker. It runs the usual entry point, ``python -m clfcore train --run-dir DIR``, in a
  worker-local temporary run folder (config.json sent from here), and when the run came back it
  waits, warm, for the next job (``CLFCORE_RAY_IDLE_SECONDS``, default 120, then it ends and gives
  its resources back). A built-in dataset is named (the worker has its own data root); a user's
  dataset folder travels as a ZIP through Ray's object store and is unpacked in a worker-local
  data root at the same relative path, so its id resolves.
- ``sync`` mirrors what the actor's ``poll`` returns (status, progress, history, metrics, the new
  tail of train.log, model.keras when it changed) into the web server's run folder, with atomic
  writes. It runs from ``dispatch`` (every page that watches runs calls it) and from a background
  thread of this process while jobs are active. status.json records
  ``{"backend": "ray", "actor": the slot's name}``.
- The queue is ``clfcore.jobs.policy``'s, applied here: at most as many jobs start as the cluster
  can place (``CLFCORE_MAX_TRAININGS`` if set), the others wait as "queued".
- Faults: an actor whose worker or node died -> "interrupted" with Ray's reason, keeping the last
  model that came back; a restarted web server finds the detached actors again by name; Ray
  unreachable -> a ``UserInputError`` saying which address was tried (nothing saved is touched).
"""

from __future__ import annotations

import contextlib
import io
import logging
import os
import socket
import threading
import time
import uuid
import zipfile
from pathlib import Path
from typing import Any

from clfcore.config import TrainConfig
from clfcore.data import datasets, tasks
from clfcore.errors import UserInputError
from clfcore.fileio import write_bytes_atomic, write_text_atomic
from clfcore.i18n import N_
from clfcore.jobs import local, policy
from clfcore.jobs.local import MAX_ENV
from clfcore.jobs.policy import PRIORITIES
from clfcore.jobs.queue import FINAL, dispatch_lock, queue_base, scan

# the worker side: Ray finds the actor class by this module's name
from clfcore.jobs.ray_worker import TrainingSlot
from clfcore.paths import data_root, runs_root
from clfcore.runs.folder import RunFolder, create_run
from clfcore.training import resume
from clfcore.training.trainer import check_config

__all__ = [
    "MAX_ENV",
    "PRIORITIES",
    "dispatch",
    "launch",
    "max_concurrent",
    "prewarm",
    "queue_order",
    "queue_position",
    "stop",
    "submit",
    "sync",
]

_LOG = logging.getLogger(__name__)
ADDRESS_ENV = "CLFCORE_RAY_ADDRESS"
# Ray starts a cluster of its own on this machine when one of its APIs is called while this process
# is not connected (the sync thread's next call after ``ray.shutdown``, as the process exits). That
# cluster turns token auth on and writes ~/.ray/auth_token, which every later ``ray start`` on the
# machine then asks for. This process is only ever a client of the cluster at ADDRESS_ENV: such a
# call raises instead (ray reads the variable when it is imported; ``_ray`` imports it later).
os.environ.setdefault("RAY_ENABLE_AUTO_CONNECT", "0")
CPUS_ENV = "CLFCORE_RAY_CPUS"
GPUS_ENV = "CLFCORE_RAY_GPUS"
DEFAULT_GPUS = 1
NAMESPACE = "clfcore"
DEFAULT_CPUS = 2
SLOT_PREFIX = "slot-"  # the jobs' actors: slot-c<CPUs>-g<GPUs>-<id>
IDLE_ENV = "CLFCORE_RAY_IDLE_SECONDS"
# A slot waits this long for its next job before it gives its CPUs back: a class trains in bursts,
# and a new actor costs a second or more (bench/cluster.py).
DEFAULT_IDLE_SECONDS = 120.0
_START_SECONDS = 10.0  # an idle slot answers "start" at once; one that does not is skipped
# How often the background thread mirrors the active jobs: a poll is one small message while
# nothing changed, and a finished job's CPUs go to the next queued one only once its end came back
# here (bench/cluster.py, 8 short trainings against the local queue's wall time: 1.56x with 1 s
# and the end taking a second poll; 1.26x with this, a new actor per job and waiting for each
# training's exit; 1.14x with warm slots).
SYNC_SECONDS = 0.25
# status.json fields of the worker's that stay there (its process ids, its clock's times)
_WORKER_ONLY = ("pid", "pid_start", "priority", "updated", "started")

NEEDS_RAY = N_(
    "CLFCORE_JOBS=ray needs Ray, which is not installed here. Install it with "
    "pip install 'clfcore[cluster]', or unset CLFCORE_JOBS to train on this machine."
)
NO_ADDRESS = N_(
    "CLFCORE_JOBS=ray needs the address of a Ray cluster. Start one with ray start --head and set "
    "CLFCORE_RAY_ADDRESS to the host:port it prints, or unset CLFCORE_JOBS to train on this "
    "machine."
)
UNREACHABLE = N_(
    "Cannot reach the Ray cluster at {address} ({reason}). Check that its head is running "
    "(ray start --head prints the address) and that CLFCORE_RAY_ADDRESS names it, or unset "
    "CLFCORE_JOBS to train on this machine. Runs already saved are kept."
)
WORKER_LOST = N_(
    "The cluster worker running this training ended without finishing ({reason}). The last model "
    "that came back is kept."
)
PROCESS_ENDED = N_(
    "The training process on the cluster worker ended without finishing (exit code {code}). The "
    "last model that came back is kept."
)


# --- connecting ---------------------------------------------------------------------------------


def address() -> str | None:
    """The cluster's address: ``CLFCORE_RAY_ADDRESS``, else Ray's ``RAY_ADDRESS``; None if unset."""
    return os.environ.get(ADDRESS_ENV) or os.environ.get("RAY_ADDRESS") or None


def _check_reachable(where: str) -> None:
    """Fail fast when nobody listens at ``host:port`` (``ray.init`` would retry for a minute)."""
    if "://" in where:  # ray://host:port (Ray Client) and the like: ray.init checks those
        return
    host, _, port = where.rpartition(":")
    try:
        socket.create_connection((host or "127.0.0.1", int(port)), timeout=5).close()
    except ValueError:
        raise UserInputError(UNREACHABLE, address=where, reason="not host:port") from None
    except OSError as error:
        raise UserInputError(
            UNREACHABLE, address=where, reason=error.strerror or type(error).__name__
        ) from None


def _ray():
    """The ``ray`` module, connected to the cluster (once per process)."""
    try:
        import ray  # the optional extra clfcore[cluster]: only this backend needs it
    except ImportError:
        raise UserInputError(NEEDS_RAY) from None
    where = address()
    if not where:
        raise UserInputError(NO_ADDRESS)
    if ray.is_initialized():
        if ray.get_runtime_context().gcs_address == where:
            return ray
        _check_reachable(where)
        ray.shutdown()  # the address changed: connect to the new one
    _check_reachable(where)
    try:
        ray.init(
            address=where,
            namespace=NAMESPACE,
            log_to_driver=False,  # the training's output comes back in train.log
            logging_level=logging.WARNING,
        )
    except (ConnectionError, RuntimeError, TimeoutError) as error:
        raise UserInputError(UNREACHABLE, address=where, reason=str(error)[:300]) from None
    return ray


def _alive_nodes(ray) -> list[dict]:
    return [node.get("Resources", {}) for node in ray.nodes() if node.get("Alive")]


def _cpus_per_job(nodes: list[dict]) -> float:
    """``CLFCORE_RAY_CPUS`` (default 2), capped to the largest node, so every job can be placed."""
    try:
        wanted = max(1.0, float(os.environ.get(CPUS_ENV, DEFAULT_CPUS)))
    except ValueError:
        wanted = float(DEFAULT_CPUS)
    largest = max((node.get("CPU", 0.0) for node in nodes), default=0.0)
    return min(wanted, largest) if largest >= 1 else wanted


def _gpus_per_job(nodes: list[dict], config: TrainConfig | None = None) -> float:
    """GPUs for one job: none on a cluster without GPUs; else ``CLFCORE_RAY_GPUS`` (default 1, the
    most the person running the class allows per job), capped to the node with the most GPUs. With
    more than one the trainer's ``strategy="auto"`` trains with ``tf.distribute.MirroredStrategy``
    across them; a config with ``strategy="default"`` asks for one.

        >>> _gpus_per_job([{"CPU": 8.0, "GPU": 4.0}, {"CPU": 8.0}])
        1.0
        >>> _gpus_per_job([{"CPU": 8.0}])
        0.0
    """
    largest = max((node.get("GPU", 0.0) for node in nodes), default=0.0)
    if largest < 1:
        return 0.0
    try:
        allowed = max(1, int(os.environ.get(GPUS_ENV, DEFAULT_GPUS)))
    except ValueError:
        allowed = DEFAULT_GPUS
    if config is not None and config.strategy == "default":
        allowed = 1
    return float(min(allowed, int(largest)))


def max_concurrent() -> int:
    """How many trainings the cluster can run at once: ``CLFCORE_MAX_TRAININGS`` if set, else how
    many jobs fit on its nodes (each job on one node: its CPUs and, where there are GPUs, its
    GPUs)."""
    if os.environ.get(MAX_ENV):
        return local.max_concurrent()
    nodes = _alive_nodes(_ray())
    cpus, gpus = _cpus_per_job(nodes), _gpus_per_job(nodes)
    fits = 0
    for node in nodes:
        count = int(node.get("CPU", 0.0) // cpus)
        if gpus:
            count = min(count, int(node.get("GPU", 0.0) // gpus))
        fits += count
    return max(1, fits)


# --- the web server's side ----------------------------------------------------------------------

_STATE = threading.RLock()  # guards the three below (pages and the sync thread)
_HANDLES: dict[str, Any] = {}  # run folder -> its actor's handle (a ray.actor.ActorHandle)
_INFLIGHT: dict[str, object] = {}  # run folder -> the ObjectRef of a poll not yet answered
_ROOTS: set[Path] = set()  # the queues with active Ray jobs, for the sync thread
_THREAD: list[threading.Thread] = []


def _dataset_payload(dataset_id: str) -> tuple[str | None, bytes | None]:
    """A user dataset's folder relative to the data root and its files as a ZIP; (None, None) for a
    built-in, which the worker finds by name."""
    folder = datasets.user_folder(tasks.base_id(dataset_id))
    if folder is None or not folder.is_dir():
        return None, None
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:  # images are compressed
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                archive.write(path, path.relative_to(folder).as_posix())
    return folder.relative_to(data_root()).as_posix(), buffer.getvalue()


def _slot_kind(cpus: float, gpus: float) -> str:
    """The name prefix of the slots that hold ``cpus`` CPUs and ``gpus`` GPUs."""
    return f"{SLOT_PREFIX}c{cpus:g}-g{gpus:g}-"


def _idle_seconds() -> float:
    try:
        return max(1.0, float(os.environ.get(IDLE_ENV, DEFAULT_IDLE_SECONDS)))
    except ValueError:
        return DEFAULT_IDLE_SECONDS


def _start_on_a_warm_slot(ray, kind: str, busy: set[str], job: tuple) -> tuple[str, Any] | None:
    """Give ``job`` to an idle slot of ``kind`` that takes it; None if none does."""
    for name in sorted(ray.util.list_named_actors()):
        if not name.startswith(kind) or name in busy:
            continue
        try:
            handle = ray.get_actor(name, namespace=NAMESPACE)
            if ray.get(handle.start.remote(*job), timeout=_START_SECONDS):
                return name, handle
        except (ValueError, ray.exceptions.RayError):  # gone, ending, or busy elsewhere
            continue
    return None


def _free_other_slots(ray, kind: str, busy: set[str]) -> None:
    """Ask the idle slots of other sizes to end (the CPUs per job changed): a new slot may need
    their resources, and they would hold them until their idle time is over."""
    for name in ray.util.list_named_actors():
        if name.startswith(SLOT_PREFIX) and not name.startswith(kind) and name not in busy:
            with contextlib.suppress(ValueError, ray.exceptions.RayError):
                ray.get_actor(name, namespace=NAMESPACE).close_if_idle.remote()


def launch(run: RunFolder, *, busy: set[str] | None = None) -> str:
    """Start ``run`` on the cluster: on an idle slot of the same size when there is one, else on a
    new slot (Ray places it when resources free). Returns the slot's actor name.

    Args:
        busy: the slots known to run other jobs of this queue (not asked).
    """
    ray = _ray()
    nodes = _alive_nodes(ray)
    cpus, gpus = _cpus_per_job(nodes), _gpus_per_job(nodes, run.config())
    kind = _slot_kind(cpus, gpus)
    dataset_path, dataset_zip = _dataset_payload(run.config().dataset)
    # a continued run: its parent's model goes with the job (UserInputError if it is gone)
    start = resume.start_model_of(run).read_bytes() if run.config().parent else None
    job = (
        run.run_id,
        run.config_path.read_text(encoding="utf-8"),
        dataset_path,
        ray.put(dataset_zip) if dataset_zip is not None else None,
        ray.put(start) if start is not None else None,  # top-level: Ray resolves the ObjectRef
    )
    warm = _start_on_a_warm_slot(ray, kind, busy or set(), job)
    if warm is not None:
        name, handle = warm
    else:
        _free_other_slots(ray, kind, busy or set())
        name = kind + uuid.uuid4().hex[:12]
        handle = (
            ray.remote(TrainingSlot)
            .options(
                name=name,
                namespace=NAMESPACE,
                lifetime="detached",  # outlives this process: a restarted web server finds it
                max_restarts=0,  # a restarted actor would train again from scratch: interrupted
                max_concurrency=8,  # poll, stop and finish in threads
                num_cpus=cpus,
                num_gpus=gpus,
            )
            .remote(_idle_seconds(), *job)
        )
    with _STATE:
        _HANDLES[str(run.path)] = handle
    run.set_status(
        "running", backend="ray", actor=name, message=None, started=time.time(), worker_model=None
    )
    return name


def _short(error: BaseException) -> str:
    """Ray's reason for a dead actor, on one line (its message lists ids first)."""
    text = " ".join(str(error).split())
    marker = "The actor is dead because"
    return (text[text.index(marker) :] if marker in text else text)[:400]


def _interrupt(run: RunFolder, message: str, **params: object) -> None:
    run.set_status("interrupted", message=message, params={k: str(v) for k, v in params.items()})
    with _STATE:
        _HANDLES.pop(str(run.path), None)
        _INFLIGHT.pop(str(run.path), None)


def _handle(ray, run: RunFolder):
    """The run's actor: remembered, or found again by name (after a restart); None if it is gone."""
    key = str(run.path)
    with _STATE:
        if key in _HANDLES:
            return _HANDLES[key]
    try:
        handle = ray.get_actor(run.status().get("actor") or "", namespace=NAMESPACE)
    except ValueError:  # no such actor: the cluster restarted, or it ended
        return None
    with _STATE:
        return _HANDLES.setdefault(key, handle)


def _apply(ray, run: RunFolder, answer: dict) -> None:
    """Write what ``poll`` returned into the web server's run folder; the status last, so a reader
    that sees "completed" finds the metrics and the model."""
    if answer["log"]:
        with open(run.log_path, "ab") as log:
            log.write(answer["log"])
    if answer["model"] is not None:
        write_bytes_atomic(run.model_path, answer["model"])
    for name, text in answer["files"].items():
        path = run.path / name
        try:
            unchanged = path.read_text(encoding="utf-8") == text
        except OSError:
            unchanged = False
        if not unchanged:
            write_text_atomic(path, text)
    worker = {k: v for k, v in answer["status"].items() if k not in _WORKER_ONLY}
    status = worker.pop("status", "running")
    if run.status().get("status") != "running":
        return  # stopped while queued, or already settled by another writer
    if answer["exit"] is None and status not in FINAL:  # training
        run.set_status("running", worker_model=answer["model_stamp"], node=answer["node"])
        return
    if status not in FINAL:  # the process ended without saying how
        if not answer["stop_requested"]:
            _interrupt(run, PROCESS_ENDED, code=answer["exit"])
            return
        status = "stopped"
    run.set_status(status, **worker, worker_model=answer["model_stamp"])
    if status in FINAL:
        key = str(run.path)
        with _STATE:
            handle = _HANDLES.pop(key, None)
            _INFLIGHT.pop(key, None)
        if handle is not None:
            handle.finish.remote(run.run_id)  # the worker removes its temporary folder


def _sync_runs(ray, runs: list[RunFolder], *, wait: float) -> None:
    """Ask every run's actor for news (one poll in flight each) and apply the answers that come
    within ``wait`` seconds."""
    refs = {}
    for run in runs:
        key = str(run.path)
        with _STATE:
            ref = _INFLIGHT.get(key)
        if ref is None:
            handle = _handle(ray, run)
            if handle is None:
                _interrupt(
                    run,
                    WORKER_LOST,
                    reason=f"no actor {run.status().get('actor')} on the cluster any more",
                )
                continue
            state = run.status()
            try:
                offset = run.log_path.stat().st_size
            except OSError:
                offset = 0
            ref = handle.poll.remote(run.run_id, offset, state.get("worker_model"))
            with _STATE:
                _INFLIGHT[key] = ref
        refs[ref] = run
    if not refs:
        return
    ready, _ = ray.wait(list(refs), num_returns=len(refs), timeout=wait)
    for ref in ready:
        run = refs[ref]
        with _STATE:
            _INFLIGHT.pop(str(run.path), None)
        try:
            answer = ray.get(ref)
        except ray.exceptions.ActorUnavailableError:
            continue  # a passing network fault: ask again next time
        except ray.exceptions.RayActorError as error:  # its worker, node or process died
            _interrupt(run, WORKER_LOST, reason=_short(error))
            continue
        if answer.get("gone"):  # the slot runs another job now, or none
            _interrupt(run, WORKER_LOST, reason="the worker no longer runs this training")
            continue
        _apply(ray, run, answer)


def _ray_runs(running: list) -> list[RunFolder]:
    return [run for run, _ in running if run.status().get("backend") == "ray"]


def sync(root: Path | None = None, *, wait: float = 0.5) -> int:
    """Mirror the queue's Ray jobs into their run folders on this server.

    Args:
        root: any folder of the queue (default: the runs root).
        wait: how long to wait for the actors' answers, in seconds (a job still waiting for a
            worker answers later).

    Returns:
        how many Ray jobs are still running.
    """
    root = Path(root) if root is not None else runs_root()
    ray = _ray()
    with dispatch_lock(root):
        _sync_runs(ray, _ray_runs(scan(root)[1]), wait=wait)
        return len(_ray_runs(scan(root)[1]))


def dispatch(root: Path | None = None, *, wait: float = 0.2) -> list[str]:
    """Mirror the running Ray jobs, then start queued runs while the cluster has room, in the
    queue's order (``clfcore.jobs.policy``). Returns the ids started."""
    root = Path(root) if root is not None else runs_root()
    ray = _ray()
    started = []
    with dispatch_lock(root):
        _sync_runs(ray, _ray_runs(scan(root)[1]), wait=wait)
        queued, running, last_started = scan(root)
        folders = {entry.run_id: run for run, entry in queued}
        chosen = (
            policy.to_start(
                [entry for _, entry in queued],
                running=[entry for _, entry in running],
                slots=max_concurrent(),  # asks the cluster: only when something waits
                last_started=last_started,
            )
            if queued
            else []
        )
        busy = {str(run.status().get("actor")) for run in _ray_runs(running)}
        for entry in chosen:
            try:
                busy.add(launch(folders[entry.run_id], busy=busy))
            except UserInputError as error:  # a continued run whose parent was deleted meanwhile
                resume.fail(folders[entry.run_id], error)
                continue
            started.append(entry.run_id)
        active = bool(started or _ray_runs(running) or queued)
    if active:
        _watch(root)
    return started


def _watch(root: Path) -> None:
    """Keep mirroring ``root``'s queue from a background thread until its Ray jobs end."""
    with _STATE:
        _ROOTS.add(queue_base(root))
        if not _THREAD:  # the thread leaves the list, under this lock, as it ends
            _THREAD[:] = [
                threading.Thread(target=_watch_loop, name="clfcore-ray-sync", daemon=True)
            ]
            _THREAD[0].start()


def _watch_loop() -> None:
    while True:
        time.sleep(SYNC_SECONDS)
        with _STATE:
            roots = list(_ROOTS)
            if not roots:  # decided under the lock: a root _watch adds now starts a new thread
                _THREAD.clear()
                return
        for root in roots:
            try:
                dispatch(root)
            except (UserInputError, ConnectionError):  # the cluster went away: try again later
                continue
            except Exception as error:  # one bad round must not end the thread
                # (the thread stays in _THREAD while it lives: ended here, no root would ever be
                # mirrored again); e.g. Ray's "not started" while this process disconnects
                _LOG.warning("syncing the Ray jobs of %s failed: %s", root, error)
                continue
            queued, running, _ = scan(root)
            if not queued and not _ray_runs(running):
                with _STATE:
                    _ROOTS.discard(root)


def submit(
    config: TrainConfig, *, root: Path | None = None, priority: str = "personal"
) -> RunFolder:
    """Check ``config`` and the cluster, create its run folder (queued) and start it on the
    cluster if there is room.

    Args:
        root: the workspace's runs folder (default: the runs root, personal mode).
        priority: "teacher", "student" or "personal" - kept in status.json for the queue's rules.

    Raises:
        UserInputError: a bad config, or Ray not reachable (then no run folder is made).
    """
    if priority not in PRIORITIES:
        raise ValueError(f"priority must be one of {PRIORITIES}, got {priority!r}")
    check_config(config)
    _ray()  # unreachable: say so before anything is written
    run = create_run(config, root=root)
    run.set_status("queued", priority=priority)
    dispatch(run.path.parent)
    return run


queue_order = local.queue_order  # the queue reads only the run folders, mirrored here
queue_position = local.queue_position


def prewarm(config: TrainConfig, *, root: Path | None = None) -> None:
    """Nothing to do: a slot that trained stays warm for the next job by itself."""


def stop(run: RunFolder) -> None:
    """End training after the current batch (the model and history that came back are kept); a
    queued run is removed."""
    state = run.status()
    if state.get("status") == "queued" or state.get("backend") != "ray":
        local.stop(run)
        return
    if state.get("status") != "running":
        return
    ray = _ray()
    handle = _handle(ray, run)
    if handle is not None:
        handle.stop.remote(run.run_id)
        _watch(run.path.parent)
