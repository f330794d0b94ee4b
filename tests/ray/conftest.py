"""One real Ray cluster for the session: a head (2 CPUs) and a second node (1 CPU) on loopback.

Ray on Linux replaces 127.0.0.1 with the machine's own address (ray-project/ray#26293), and these
machines allow loopback only, so the tests run in a loopback-only network namespace, where
``ray start --node-ip-address 127.0.0.1`` keeps it (``make test`` runs them so when root):

    unshare --net sh -c 'ip link set lo up && python -m pytest tests/ray'

The cluster's processes get their own temporary and data folders, never the web server's runs or
data root (each test's, from ``isolated_roots``): what a worker writes stays in ``worker_home``.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

HEAD_CPUS, NODE_CPUS = 2, 1


def _loopback_only() -> bool:
    # the process's own namespace (/sys/class/net shows the one sysfs was mounted in)
    return [name for _, name in socket.if_nameindex()] == ["lo"]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _ray_start(args: list[str], env: dict, log: Path) -> subprocess.Popen:
    """``ray start --block ...`` in its own session, so the whole node stops with its group."""
    ray = Path(sys.executable).with_name("ray")
    with open(log, "ab") as out:
        return subprocess.Popen(
            [str(ray), "start", "--block", "--disable-usage-stats", *args],
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            env=env,
            start_new_session=True,
        )


def _end(process: subprocess.Popen) -> None:
    """Stop a node: its process group (ray start --block and every Ray process it started)."""
    for sig, grace in ((signal.SIGTERM, 15), (signal.SIGKILL, 5)):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            return
        try:
            process.wait(timeout=grace)
            time.sleep(0.5)  # its children get the signal too; let them go
        except subprocess.TimeoutExpired:
            continue


@pytest.fixture(scope="session")
def ray_cluster():
    """``{"address", "home", "log"}`` of a running two-node Ray cluster on 127.0.0.1."""
    if not _loopback_only():
        pytest.skip(
            "the Ray tests need a loopback-only network namespace (Ray swaps 127.0.0.1 for the "
            "machine's address): run them with "
            "unshare --net sh -c 'ip link set lo up && python -m pytest tests/ray' (as root)"
        )
    ray = pytest.importorskip("ray", reason="the Ray tests need clfcore[cluster] (ray[default])")
    home = Path(tempfile.mkdtemp(prefix="clfray-"))  # short: Ray's socket paths must fit 107 bytes
    for name in ("tmp", "data"):
        (home / name).mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CLFCORE_", "RAY_"))}
    # the workers' own folders: nothing of the web server's
    env.update(TMPDIR=str(home / "tmp"), CLFCORE_DATA_DIR=str(home / "data"))
    env["CLFCORE_RUNS_DIR"] = str(home / "tmp" / "runs")
    port = _free_port()
    address = f"127.0.0.1:{port}"
    common = ["--node-ip-address", "127.0.0.1", "--temp-dir", str(home / "ray")]
    log = home / "ray-start.log"
    nodes = [
        _ray_start(
            [
                "--head",
                "--port",
                str(port),
                "--num-cpus",
                str(HEAD_CPUS),
                "--include-dashboard=false",
                *common,
            ],
            env,
            log,
        )
    ]
    try:
        _wait_for_port(port, nodes[0], log)
        nodes.append(
            _ray_start(["--address", address, "--num-cpus", str(NODE_CPUS), *common], env, log)
        )
        ray.init(address=address, namespace="clfcore", log_to_driver=False)
        deadline = time.monotonic() + 120
        while sum(1 for node in ray.nodes() if node["Alive"]) < 2:
            if time.monotonic() > deadline:
                raise RuntimeError(f"the second Ray node did not join:\n{log.read_text()[-3000:]}")
            time.sleep(0.5)
        yield {"address": address, "home": home, "log": log}
    finally:
        ray.shutdown()
        for node in reversed(nodes):
            _end(node)
        shutil.rmtree(home, ignore_errors=True)


def _wait_for_port(port: int, process: subprocess.Popen, log: Path, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"ray start --head ended:\n{log.read_text()[-3000:]}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"the Ray head did not listen on {port}:\n{log.read_text()[-3000:]}")


@pytest.fixture
def on_ray(ray_cluster, monkeypatch):
    """This test's jobs go to the session's cluster (``CLFCORE_JOBS=ray``), one CPU each, so the
    cluster places three at once (2 on the head, 1 on the second node)."""
    monkeypatch.setenv("CLFCORE_JOBS", "ray")
    monkeypatch.setenv("CLFCORE_RAY_ADDRESS", ray_cluster["address"])
    monkeypatch.setenv("CLFCORE_RAY_CPUS", "1")
    monkeypatch.delenv("CLFCORE_MAX_TRAININGS", raising=False)
    return ray_cluster
