"""The Ray backend's background sync thread, without a cluster: a root handed to it while it is
ending is still watched (the thread's end and ``_watch`` are decided under one lock), a failed
round does not end it, and a Ray call made while disconnected never starts a local cluster."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time

import pytest

from clfcore.jobs import cluster


class _HookedLock:
    """``cluster._STATE`` with a hook that runs (once, in another thread) right after the sync
    thread released the lock having found no root to watch: the moment it is about to end."""

    def __init__(self, hook):
        self.lock, self.hook, self.fired = threading.RLock(), hook, False

    def __enter__(self):
        self.lock.__enter__()
        return self

    def __exit__(self, *exc):
        self.lock.__exit__(*exc)
        in_loop = threading.current_thread().name == "clfcore-ray-sync"
        # the loop's own view: it has just read the roots, and there were none
        if in_loop and sys._getframe(1).f_locals.get("roots") == [] and not self.fired:
            self.fired = True
            other = threading.Thread(target=self.hook)
            other.start()
            other.join()
        return False


def test_a_root_watched_while_the_sync_thread_ends_is_dispatched(monkeypatch, tmp_path):
    dispatched: list = []
    monkeypatch.setattr(cluster, "SYNC_SECONDS", 0.01)
    monkeypatch.setattr(cluster, "dispatch", lambda root: dispatched.append(root))
    monkeypatch.setattr(cluster, "scan", lambda root: ([], [], None))  # nothing left to watch
    first, second = tmp_path / "first", tmp_path / "second"
    monkeypatch.setattr(cluster, "_STATE", _HookedLock(lambda: cluster._watch(second)))
    monkeypatch.setattr(cluster, "_ROOTS", set())
    monkeypatch.setattr(cluster, "_THREAD", [])
    cluster._watch(first)
    deadline = time.monotonic() + 10
    while second not in dispatched and time.monotonic() < deadline:
        time.sleep(0.01)
    assert dispatched[0] == first and second in dispatched


def test_one_failed_round_does_not_end_the_sync_thread(monkeypatch, tmp_path):
    rounds: list = []

    def dispatch(root):
        rounds.append(root)
        if len(rounds) == 1:  # e.g. Ray's "not started yet" while this process disconnects
            raise RuntimeError("Ray has not been started yet")

    monkeypatch.setattr(cluster, "SYNC_SECONDS", 0.01)
    monkeypatch.setattr(cluster, "dispatch", dispatch)
    monkeypatch.setattr(cluster, "scan", lambda root: ([], [], None))
    monkeypatch.setattr(cluster, "_ROOTS", set())
    monkeypatch.setattr(cluster, "_THREAD", [])
    cluster._watch(tmp_path)
    deadline = time.monotonic() + 10
    while cluster._THREAD and time.monotonic() < deadline:
        time.sleep(0.01)
    assert rounds == [tmp_path, tmp_path]  # tried again, then nothing left to watch: it ended
    assert not cluster._THREAD


def test_ray_never_starts_a_cluster_of_its_own_in_a_process_that_imported_the_backend(tmp_path):
    pytest.importorskip("ray", reason="needs clfcore[cluster] (ray[default])")
    # a Ray API called while not connected: without the guard it starts a local cluster (and
    # writes ~/.ray/auth_token, which later `ray start`s ask for)
    script = (
        "import clfcore.jobs.cluster, ray\n"
        "try:\n"
        "    ray.util.list_named_actors()\n"
        "except ray.exceptions.RaySystemError:\n"
        "    print('refused')\n"
        "print('initialized' if ray.is_initialized() else 'not connected')\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "RAY_ENABLE_AUTO_CONNECT"}
    env["HOME"] = str(tmp_path)  # a local cluster would write its token here, not in ~
    done = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.stdout.split() == ["refused", "not", "connected"], done.stderr[-2000:]
    assert not (tmp_path / ".ray").exists()
