"""One real Ray cluster for the session: a head (2 CPUs) and a second node (1 CPU) on loopback.

Ray on Linux replaces 127.0.0.1 with the machine's own address (ray-project/ray#26293), and these
machines allow loopback only, so the tests run in a loopback-only network namespace, where
``ray start --node-ip-address 127.0.0.1`` keeps it (``make test`` runs them so when root):

    unshare --net sh -c 'ip link set lo up && python -m pytest tests/ray'

The cluster's processes get their own temporary and data folders, never the web server's runs or
data root (each test's, from ``isolated_roots``): what a worker writes stays in ``worker_home``.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from pathlib import Path

import pytest

from tests.ray_nodes import end, loopback_only, start_cluster

HEAD_CPUS, NODE_CPUS = 2, 1


@pytest.fixture(scope="session")
def ray_cluster():
    """``{"address", "home", "log"}`` of a running two-node Ray cluster on 127.0.0.1."""
    if not loopback_only():
        pytest.skip(
            "the Ray tests need a loopback-only network namespace (Ray swaps 127.0.0.1 for the "
            "machine's address): run them with "
            "unshare --net sh -c 'ip link set lo up && python -m pytest tests/ray' (as root)"
        )
    ray = pytest.importorskip("ray", reason="the Ray tests need clfcore[cluster] (ray[default])")
    home = Path(tempfile.mkdtemp(prefix="clfray-"))  # short: Ray's socket paths must fit 107 bytes
    nodes = []
    try:
        address, nodes = start_cluster(home, head_cpus=HEAD_CPUS, node_cpus=NODE_CPUS)
        yield {"address": address, "home": home, "log": home / "ray-start.log"}
    finally:
        ray.shutdown()
        for node in reversed(nodes):
            end(node)
        shutil.rmtree(home, ignore_errors=True)


@pytest.fixture
def on_ray(ray_cluster, isolated_roots, monkeypatch):
    """This test's jobs go to the session's cluster (``CLFCORE_JOBS=ray``), one CPU each, so the
    cluster places three at once (2 on the head, 1 on the second node).

    At the end every job of the test still queued or running is stopped and waited for: a test
    that failed half-way must not leave a long training holding a CPU of the cluster the next
    tests count on."""
    monkeypatch.setenv("CLFCORE_JOBS", "ray")
    monkeypatch.setenv("CLFCORE_RAY_ADDRESS", ray_cluster["address"])
    monkeypatch.setenv("CLFCORE_RAY_CPUS", "1")
    monkeypatch.delenv("CLFCORE_MAX_TRAININGS", raising=False)
    yield ray_cluster
    _stop_what_is_left(isolated_roots["runs"])


def _stop_what_is_left(runs_root: Path, timeout: float = 120) -> None:
    from clfcore import jobs
    from clfcore.runs.folder import RunFolder

    left = []
    for status_file in runs_root.rglob("status.json"):
        run = RunFolder(status_file.parent)
        if run.status().get("status") in {"queued", "running"}:
            jobs.stop(run)
            left.append(run)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and any(
        run.status().get("status") in {"queued", "running"} for run in left
    ):
        jobs.dispatch(runs_root)  # mirrors their end even when no sync thread runs
        time.sleep(0.5)


def pytest_collection_modifyitems(config, items):
    """With pytest-xdist (``make test`` runs two workers), every Ray test goes to one worker, so
    the session starts one cluster, not one per worker (``--dist loadgroup``). They come first:
    that worker starts the long group at once while the other takes the rest, instead of it
    being handed out last and running alone at the end."""
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.fspath).parents:
            item.add_marker(pytest.mark.xdist_group("ray"))
    items.sort(key=lambda item: here not in Path(item.fspath).parents)  # stable: else as found
