"""The command line over Ray: ``python -m clfcore submit``, ``runs`` and ``stop`` with
``CLFCORE_JOBS=ray`` print what they print with the local backend (tests/test_cli.py)."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

from clfcore.runs.folder import RunFolder

ROOT = Path(__file__).resolve().parents[2]
QUICK = ["--dataset", "digits", "--arch", "mlp", "--epochs", "2", "--train-size", "200"]
LONG = ["--dataset", "digits", "--arch", "mlp", "--epochs", "100000", "--train-size", "400"]


def _clfcore(*argv: str) -> subprocess.CompletedProcess:
    """``python -m clfcore ARGV`` in a fresh process (its own connection to the cluster)."""
    return subprocess.run(
        [sys.executable, "-m", "clfcore", *argv],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=dict(os.environ),
        timeout=300,
    )


def _last_json(result: subprocess.CompletedProcess) -> dict:
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def _runs() -> dict[str, dict]:
    result = _clfcore("runs")
    assert result.returncode == 0, result.stderr[-3000:]
    return {line["run_id"]: line for line in map(json.loads, result.stdout.strip().splitlines())}


def _poll_runs(until, what: str, timeout: float = 300) -> dict[str, dict]:
    """``clfcore runs`` again and again (each one mirrors the jobs once) until ``until(lines)``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        lines = _runs()
        if until(lines):
            return lines
        time.sleep(0.5)
    raise AssertionError(f"still waiting for {what} after {timeout} s: {lines}")


def test_submit_runs_and_stop_on_the_cluster(on_ray, isolated_roots):
    out = _clfcore("submit", *QUICK)
    quick = _last_json(out)
    assert set(quick) == {"run_id", "status"} and quick["status"] in {"queued", "running"}
    assert out.stdout.strip().splitlines()[-2].startswith(f"run {quick['run_id']} ")
    long = _last_json(_clfcore("submit", *LONG))
    assert set(long) == {"run_id", "status"} and long["status"] in {"queued", "running"}
    quick_run = RunFolder(isolated_roots["runs"] / quick["run_id"])
    long_run = RunFolder(isolated_roots["runs"] / long["run_id"])
    assert quick_run.status()["backend"] == "ray"  # placed on the cluster, not started here

    lines = _poll_runs(
        lambda lines: lines[quick["run_id"]]["status"] == "completed", "the quick run to complete"
    )
    assert lines[quick["run_id"]] == {
        "run_id": quick["run_id"],
        "status": "completed",
        "test_accuracy": quick_run.metrics()["test_accuracy"],
    }
    assert str(on_ray["home"]) in quick_run.log_path.read_text()  # it trained on a worker

    _poll_runs(lambda _: long_run.history(), "a first epoch of the long run")
    assert _last_json(_clfcore("stop", long["run_id"])) == {
        "run_id": long["run_id"],
        "status": "stopping",
    }
    lines = _poll_runs(
        lambda lines: lines[long["run_id"]]["status"] not in {"queued", "running"},
        "the long run to stop",
    )
    assert lines[long["run_id"]]["status"] == "stopped"
    assert 1 <= len(long_run.history()) < 400
    again = _clfcore("stop", long["run_id"])
    assert again.returncode == 2 and "has already finished (stopped)" in again.stderr


def test_submit_to_an_unreachable_cluster_exits_2_with_one_line(
    on_ray, isolated_roots, monkeypatch
):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        address = f"127.0.0.1:{sock.getsockname()[1]}"  # nobody listens there once closed
    monkeypatch.setenv("CLFCORE_RAY_ADDRESS", address)
    result = _clfcore("submit", *QUICK)
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0 and address in result.stderr
    assert address in json.loads(result.stdout.strip().splitlines()[-1])["error"]
    assert not any(isolated_roots["runs"].iterdir())  # nothing was queued
