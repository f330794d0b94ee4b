"""Warm training processes (clfcore.jobs.warm): a run handed to a process that loaded TensorFlow
before it was submitted trains as a new process would, and the queue keeps one ready."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import time

import pytest

from clfcore import jobs
from clfcore.config import TrainConfig
from clfcore.jobs import warm
from clfcore.runs.liveness import process_alive

QUICK = dict(dataset="digits", architecture="mlp", train_size=200, batch_size=32, epochs=2, seed=3)
ENDED = {"completed", "stopped", "failed", "interrupted"}


@pytest.fixture
def warm_on(isolated_roots, monkeypatch):
    """Warm processes on (the suite turns them off), each ending 60 s after its last look for a
    run; the test's runs root."""
    monkeypatch.setenv(warm.SECONDS_ENV, "60")
    yield isolated_roots["runs"]
    for started in (isolated_roots["runs"] / warm.FOLDER).glob("*/pid.json"):
        pid = json.loads(started.read_text())["pid"]
        if process_alive(pid):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM)  # an idle one retires at once


def _until(check, what: str, timeout: float = 120):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"still waiting for {what} after {timeout} s")


def _ready(runs) -> dict[str, int]:
    """{warm folder name: pid} of the queue's warm processes that are loaded and waiting."""
    return {
        ready.parent.name: json.loads((ready.parent / "pid.json").read_text())["pid"]
        for ready in (runs / warm.FOLDER).glob("*/ready")
    }


def _numbers(run) -> list[dict]:
    return [{k: v for k, v in row.items() if k != "seconds"} for row in run.history()]


def test_a_run_handed_to_a_warm_process_trains_as_a_new_process_would(warm_on, wait_for):
    cold = jobs.submit(TrainConfig(**QUICK))
    assert wait_for(cold, ENDED) == "completed", cold.log_path.read_text()
    # starting it left one loaded for the next run
    (name, pid), *others = _until(lambda: _ready(warm_on), "a warm process").items()
    assert not others and pid != cold.status()["pid"]

    handed = jobs.submit(TrainConfig(**QUICK))
    assert handed.status()["pid"] == pid  # no new process: the waiting one took it
    assert wait_for(handed, ENDED) == "completed", handed.log_path.read_text()
    assert _numbers(handed) == _numbers(cold)  # the same seed and kernels: the same numbers
    assert handed.metrics()["test_accuracy"] == cold.metrics()["test_accuracy"]
    log = handed.log_path.read_text()
    assert "test accuracy" in log and json.loads(log.splitlines()[-1])["status"] == "completed"
    assert handed.startup_seconds() is not None
    assert not (warm_on / warm.FOLDER / name).exists()  # its folder went as it took the run

    # then the same process waits for the next run, and trains it as a new process would
    [(again, same)] = _until(lambda: _ready(warm_on), "the process to wait again").items()
    assert same == pid and again != name
    second = jobs.submit(TrainConfig(**QUICK))
    assert second.status()["pid"] == pid
    assert wait_for(second, ENDED) == "completed", second.log_path.read_text()
    assert _numbers(second) == _numbers(cold)  # nothing of the last run's model or seeds left
    assert "error" not in json.loads(second.log_path.read_text().splitlines()[-1])

    # and a long run there: Stop reaches it
    _until(lambda: _ready(warm_on), "the process to wait again")
    long = jobs.submit(TrainConfig(**{**QUICK, "epochs": 400, "train_size": 400}))
    assert long.status()["pid"] == pid
    _until(long.history, "a first epoch")
    jobs.stop(long)
    assert wait_for(long, ENDED) == "stopped"
    assert long.model_path.is_file() and 1 <= len(long.history()) < 400


def test_a_run_goes_to_no_dead_process_and_no_process_of_another_kind(warm_on, wait_for):
    jobs.prewarm(TrainConfig(**QUICK))  # what the Train page does as it opens
    [(dead_name, dead)] = _until(lambda: _ready(warm_on), "a warm process").items()
    os.kill(dead, signal.SIGKILL)
    _until(lambda: not process_alive(dead), "the process to end", timeout=30)
    # a convolutional model's process (oneDNN kernels) is no dense model's
    jobs.prewarm(TrainConfig(**{**QUICK, "architecture": "lenet"}))
    [(other_name, other)] = _until(lambda: _ready(warm_on), "a warm process").items()
    run = jobs.submit(TrainConfig(**QUICK))
    assert run.status()["pid"] not in (dead, other)  # it started its own
    assert wait_for(run, ENDED) == "completed", run.log_path.read_text()
    assert not (warm_on / warm.FOLDER / dead_name).exists()  # cleared away on the way
    assert other in _ready(warm_on).values()  # still waiting for a run of its kind
    os.kill(other, signal.SIGTERM)  # a waiting process ends when asked, and leaves nothing
    _until(lambda: not process_alive(other), "the process to end", timeout=30)
    assert not (warm_on / warm.FOLDER / other_name).exists()


def test_an_idle_warm_process_ends_by_itself(warm_on, monkeypatch):
    monkeypatch.setenv(warm.SECONDS_ENV, "1")
    jobs.prewarm(TrainConfig(**QUICK))
    [folder] = (warm_on / warm.FOLDER).iterdir()
    pid = _until(lambda: json.loads((folder / "pid.json").read_text()), "its pid")["pid"]
    _until(lambda: not process_alive(pid), "the idle process to end")
    assert not folder.exists()


def test_a_warm_process_is_claimed_once(isolated_roots):
    folder = isolated_roots["runs"] / warm.FOLDER / "x"
    folder.mkdir(parents=True)
    (folder / "warm.json").write_text(json.dumps({"kind": "k"}))
    (folder / "pid.json").write_text(json.dumps({"pid": os.getpid(), "pid_start": None}))
    # no "ready" yet: a process still loading is claimed too, and takes the run once loaded
    assert warm.claim(isolated_roots["runs"], "other kind") is None
    first = warm.claim(isolated_roots["runs"], "k")
    assert first is not None and first.pid == os.getpid()
    assert warm.claim(isolated_roots["runs"], "k") is None  # taken: the next run starts cold


def test_with_no_warm_seconds_no_process_waits(isolated_roots, monkeypatch):
    monkeypatch.setenv(warm.SECONDS_ENV, "0")
    jobs.prewarm(TrainConfig(**QUICK))
    assert not (isolated_roots["runs"] / warm.FOLDER).exists()
