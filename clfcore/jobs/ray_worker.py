"""The worker side of the Ray backend (``clfcore.jobs.cluster``): the actor that runs trainings on
a cluster node, one at a time, and stays warm for the next.

Nothing here runs on the web server: ``cluster.launch`` creates ``TrainingSlot`` actors and the
web server only calls their methods through Ray. Ray itself is imported inside the methods (the
optional extra clfcore[cluster]), so importing this module needs no Ray.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from pathlib import Path

from clfcore import tfenv
from clfcore.fileio import write_bytes_atomic, write_text_atomic
from clfcore.jobs.queue import FINAL
from clfcore.paths import DATA_ENV, RUNS_ENV, data_root
from clfcore.runs.folder import RunFolder
from clfcore.training import resume

JOBS_ENV = "CLFCORE_JOBS"  # the worker's own training runs with the local backend
# A training that wrote its final status prints its last line, then exits (TensorFlow's teardown,
# which the next job on the slot overlaps, as locally): ``poll`` waits at most this long for the
# last line, so the whole log comes back with the end.
_EXIT_WAIT_SECONDS = 10.0
_LOG_CHUNK = 1 << 20  # at most this much of train.log comes back per poll
_LAST_LINE_BYTES = 1 << 16  # a training's last line (its JSON summary) fits in this
_FINISH_WAIT_SECONDS = 2.0  # a slot asked for a new job waits this long for the last one's finish
_ORPHAN_SECONDS = 120.0  # an ended job nobody took back for this long: its web server is gone
_MIRRORED = ("progress.json", "history.csv", "metrics.json")  # copied as they are


# --- the job -----------------------------------------------------------------------

# Run by the worker's training process before it becomes `python -m clfcore train`: it dies with
# its actor (PR_SET_PDEATHSIG survives exec), so a killed worker leaves no training behind.
_CHILD = (
    "import ctypes, os, signal, sys\n"
    "parent = int(sys.argv[1])\n"
    "try:\n"
    "    ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)\n"
    "except (OSError, AttributeError):\n"
    "    pass\n"
    "if os.getppid() != parent:\n"
    "    sys.exit(1)\n"
    "command = ['-m', 'clfcore', 'train', '--run-dir', sys.argv[2]]\n"
    "os.execv(sys.executable, [sys.executable, *command])\n"
)


class _Job:
    """One training on a worker: its temporary run folder and its process."""

    def __init__(
        self,
        run_id: str,
        config_text: str,
        dataset_path: str | None,
        dataset_zip,
        start_model: bytes | None = None,
    ):
        self.home = Path(tempfile.mkdtemp(prefix="clfcore-job-"))
        runs = self.home / "runs"
        self.run = RunFolder(runs / run_id)
        self.run.path.mkdir(parents=True)
        write_text_atomic(self.run.config_path, config_text)
        if start_model is not None:  # a continued run: its parent's model, shipped with the job
            write_bytes_atomic(self.run.path / resume.START_MODEL, start_model)
        self.run.set_status("running")
        data = data_root()  # a built-in dataset: the worker's own data root
        if dataset_zip is not None and dataset_path is not None:
            data = self.home / "data"
            with zipfile.ZipFile(io.BytesIO(dataset_zip)) as archive:
                archive.extractall(data / dataset_path)  # drops ".." and absolute names
        env = {**os.environ, RUNS_ENV: str(runs), DATA_ENV: str(data), JOBS_ENV: "local"}
        with open(self.run.log_path, "ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-c", _CHILD, str(os.getpid()), str(self.run.path)],
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                env=tfenv.child_environment(env),
                cwd=self.home,
            )

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        shutil.rmtree(self.home, ignore_errors=True)

    def close_when_ended(self) -> None:
        """Let the process end by itself (TensorFlow's teardown), then remove the folder."""
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=_EXIT_WAIT_SECONDS)
        self.close()

    def ended(self) -> bool:
        """Its status is final: the training is over, its process may still be exiting."""
        return self.run.status().get("status") in FINAL

    def orphaned(self) -> bool:
        """Ended so long ago that its web server, which would have taken it back, is gone."""
        try:
            age = time.time() - self.run.path.joinpath("status.json").stat().st_mtime
        except OSError:
            return False
        return self.ended() and age > _ORPHAN_SECONDS

    def said_its_last_word(self) -> bool:
        """The training printed its last line: one JSON object (the command line's contract), so
        the log is whole though the process may still be exiting."""
        try:
            with open(self.run.log_path, "rb") as file:
                file.seek(max(0, file.seek(0, os.SEEK_END) - _LAST_LINE_BYTES))
                lines = [line for line in file.read().splitlines() if line.strip()]
            return bool(lines) and isinstance(json.loads(lines[-1]), dict)
        except (OSError, ValueError):
            return False


class TrainingSlot:
    """A warm worker: a detached named actor that holds one job's resources on a node and runs one
    training at a time, then waits for the next (a new actor costs a second or more: a Python
    process, Ray, clfcore). It ends itself after ``idle_seconds`` without a job, giving its CPUs
    back to the cluster.

    Created by ``launch`` (``ray.remote(TrainingSlot).options(...)``), never on the web server.
    Its methods run in threads (``max_concurrency``): a poll that waits for a training's exit does
    not hold up ``stop``.
    """

    def __init__(self, idle_seconds: float, *first):
        import ray  # the optional extra clfcore[cluster]: this runs on a worker

        self.node = ray.get_runtime_context().get_node_id()  # which machine: shown in status.json
        self.idle_seconds = idle_seconds
        self.lock = threading.Lock()
        self.freed = threading.Condition(self.lock)  # notified when the slot lets its job go
        self.job: _Job | None = None
        self.job_id: str | None = None
        self.idle_since = time.monotonic()
        self.closing = False
        if first:  # its first job (top-level arguments: Ray resolves the dataset's ObjectRef)
            self.start(*first)
        threading.Thread(target=self._idle_watch, daemon=True).start()

    def start(
        self,
        run_id: str,
        config_text: str,
        dataset_path: str | None,
        dataset_zip,
        start_model: bytes | None = None,
    ) -> bool:
        """Start training ``run_id`` here; False if this slot is busy or ending (try another).

        Args:
            start_model: a continued run's start model (its parent's model.keras), else None.
        """
        with self.lock:
            if self.closing:
                return False
            if self.job is not None and self.job_id != run_id:
                # a run that ended: its web server takes it back with ``finish`` (sent before
                # this, but threads may take them out of order), or never, if it went away
                self.freed.wait_for(lambda: self.job is None, timeout=_FINISH_WAIT_SECONDS)
                if self.job is not None:
                    if not self.job.orphaned():
                        return False  # busy
                    self._let_go()
            if self.job is None:
                self.job = _Job(run_id, config_text, dataset_path, dataset_zip, start_model)
                self.job_id = run_id
            return True

    def _current(self, run_id: str) -> _Job | None:
        with self.lock:
            return self.job if self.job_id == run_id else None

    def poll(self, run_id: str, log_offset: int = 0, model_stamp: list | None = None) -> dict:
        """What the web server needs to mirror the run folder of ``run_id``.

        Args:
            log_offset: how much of train.log the web server already has.
            model_stamp: the ``[mtime_ns, size]`` of the model.keras it last got.

        Returns:
            {"status": status.json, "files": {name: text}, "log": the new bytes of train.log,
            "model": model.keras bytes if it changed (else None), "model_stamp",
            "exit": the training process's exit code (None while it runs), "stop_requested",
            "pid", "child": the worker's process ids, "node": the Ray node it runs on};
            ``{"gone": True}`` if this slot does not run ``run_id`` (any more).
        """
        job = self._current(run_id)
        if job is None:
            return {"gone": True, "pid": os.getpid(), "node": self.node}
        run, process = job.run, job.process
        if process.poll() is None and job.ended():
            # it is ending: wait for its last log line (or its exit), to send the whole log now;
            # TensorFlow's teardown goes on while the next job starts, as it does locally
            deadline = time.monotonic() + _EXIT_WAIT_SECONDS
            while process.poll() is None and not job.said_its_last_word():
                if time.monotonic() > deadline:
                    break
                time.sleep(0.02)
        files = {}
        for name in _MIRRORED:
            with contextlib.suppress(OSError):  # not written yet
                files[name] = (run.path / name).read_text(encoding="utf-8")
        log = b""
        try:
            with open(run.log_path, "rb") as file:
                file.seek(log_offset)
                log = file.read(_LOG_CHUNK)
        except OSError:
            pass
        model, stamp = None, None
        try:
            stamp = list(run.model_stamp())
            if stamp != model_stamp:
                model = run.model_path.read_bytes()
        except OSError:  # no model yet, or it was being replaced: next poll
            stamp = model_stamp
        return {
            "status": run.status(),
            "files": files,
            "log": log,
            "model": model,
            "model_stamp": stamp,
            "exit": process.poll(),
            "stop_requested": run.stop_request_path.exists(),
            "pid": os.getpid(),
            "child": process.pid,
            "node": self.node,
        }

    def stop(self, run_id: str) -> None:
        """End training after the current batch, as ``clfcore.jobs.local.stop`` does."""
        job = self._current(run_id)
        if job is None:
            return
        job.run.stop_request_path.touch()
        if job.process.poll() is None:
            job.process.send_signal(signal.SIGTERM)

    def finish(self, run_id: str) -> None:
        """The run came back: the slot is free for the next job; the run's process ends by itself
        and its temporary folder goes."""
        with self.lock:
            if self.job_id == run_id and self.job is not None:
                self._let_go()

    def _let_go(self) -> None:
        """(With the lock.) Free the slot of its ended job, cleaned up in the background."""
        if self.job is not None:
            threading.Thread(target=self.job.close_when_ended, daemon=True).start()
        self.job, self.job_id = None, None
        self.idle_since = time.monotonic()
        self.freed.notify_all()

    def close_if_idle(self) -> bool:
        """End this slot if it has no job (a job of another size needs its resources)."""
        import ray  # the optional extra clfcore[cluster]: this runs on a worker

        with self.lock:
            if self.job is not None or self.closing:
                return False
            self.closing = True
        ray.get_runtime_context().current_actor.close.remote()
        return True

    def _idle_watch(self) -> None:
        import ray  # the optional extra clfcore[cluster]: this runs on a worker

        while True:
            time.sleep(min(5.0, self.idle_seconds / 4))
            with self.lock:
                idle = self.job is None and time.monotonic() - self.idle_since > self.idle_seconds
                if idle:
                    self.closing = True
            if idle:
                ray.get_runtime_context().current_actor.close.remote()
                return

    def close(self) -> None:
        """End this slot (and a training it still runs)."""
        import ray  # the optional extra clfcore[cluster]: this runs on a worker

        with self.lock:
            self.closing = True
            job, self.job, self.job_id = self.job, None, None
        if job is not None:
            job.close()
        ray.actor.exit_actor()
