"""A real Ray cluster on this machine for the Ray tests and ``bench/cluster.py``: a head and a
second node on 127.0.0.1, each in its own session, stopped by their process group (never
``ray stop``, which ends every Ray process of the machine).

Ray on Linux replaces 127.0.0.1 with the machine's own address (ray-project/ray#26293), so this
works only in a loopback-only network namespace (``unshare --net``, ``ip link set lo up``), where
``ray start --node-ip-address 127.0.0.1`` keeps it: ``loopback_only()`` says whether this process
is in one.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path


def loopback_only() -> bool:
    # the process's own namespace (/sys/class/net shows the one sysfs was mounted in)
    return [name for _, name in socket.if_nameindex()] == ["lo"]


def free_port() -> int:
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


def end(process: subprocess.Popen) -> None:
    """Stop a node: its process group (ray start --block and every Ray process it started)."""
    for sig, grace in ((signal.SIGTERM, 15), (signal.SIGKILL, 5)):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            return
        try:
            process.wait(timeout=grace)
            time.sleep(0.5)  # its children get the signal too; let them go
            return
        except subprocess.TimeoutExpired:
            continue


def _until(check, what: str, log: Path, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise RuntimeError(f"{what} after {timeout} s:\n{log.read_text()[-3000:]}")
        time.sleep(0.3)


def start_cluster(
    home: Path, *, head_cpus: int, node_cpus: int, env: dict | None = None, attempts: int = 3
) -> tuple[str, list[subprocess.Popen]]:
    """Start a head (``head_cpus``) and a second node (``node_cpus``) on 127.0.0.1 and connect this
    process to them (namespace ``clfcore``). Returns the address and the nodes (stop them with
    ``end``, the last first).

    The nodes get their own folders under ``home`` (``tmp`` as TMPDIR, ``data`` as the data root,
    ``ray`` for Ray), nothing of the web server's; ``env`` adds to their environment. Ray picks
    several free ports of its own, and other tests (a browser test's server) may take one in the
    meantime: a start that fails is tried again, up to ``attempts`` times, on new ports.
    """
    for name in ("tmp", "data"):
        (home / name).mkdir()
    node_env = {k: v for k, v in os.environ.items() if not k.startswith(("CLFCORE_", "RAY_"))}
    node_env.update(env or {}, TMPDIR=str(home / "tmp"), CLFCORE_DATA_DIR=str(home / "data"))
    node_env["CLFCORE_RUNS_DIR"] = str(home / "tmp" / "runs")
    # a home of their own: a ~/.ray/auth_token left by another Ray on this machine would make the
    # head ask for a token this process does not send
    node_env["HOME"] = str(home)
    for attempt in range(1, attempts + 1):
        try:
            return _start_nodes(home, attempt, head_cpus, node_cpus, node_env)
        except Exception:
            if attempt == attempts:
                raise
    raise AssertionError("unreachable")


def _start_nodes(
    home: Path, attempt: int, head_cpus: int, node_cpus: int, node_env: dict
) -> tuple[str, list[subprocess.Popen]]:
    import ray  # the optional extra clfcore[cluster]

    port = free_port()
    address = f"127.0.0.1:{port}"
    common = ["--node-ip-address", "127.0.0.1", "--temp-dir", str(home / f"ray{attempt}")]
    head_log, log = home / f"ray-head-{attempt}.log", home / "ray-start.log"
    head = ["--head", "--port", str(port), "--num-cpus", str(head_cpus)]
    nodes = [_ray_start([*head, "--include-dashboard=false", *common], node_env, head_log)]

    def started() -> bool:
        """The head said so (a port that answers may be another program's)."""
        text = head_log.read_text(errors="replace") if head_log.exists() else ""
        if nodes[0].poll() is not None:
            raise RuntimeError(f"ray start --head ended:\n{text[-3000:]}")
        return "Ray runtime started" in text

    try:
        _until(started, f"the Ray head did not start on {port}", head_log)
        second = ["--address", address, "--num-cpus", str(node_cpus), *common]
        nodes.append(_ray_start(second, node_env, log))
        ray.init(address=address, namespace="clfcore", log_to_driver=False)
        alive = lambda: sum(1 for node in ray.nodes() if node["Alive"]) >= 2  # noqa: E731
        _until(alive, "the second Ray node did not join", log)
    except BaseException:
        ray.shutdown()
        for node in reversed(nodes):
            end(node)
        raise
    return address, nodes
