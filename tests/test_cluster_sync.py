"""The Ray backend's background sync thread, without a cluster: a root handed to it while it is
ending is still watched (the thread's end and ``_watch`` are decided under one lock)."""

from __future__ import annotations

import sys
import threading
import time

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
