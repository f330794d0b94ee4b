"""A real server started the way README says, and a real headless Chromium driven by Playwright."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def serve_app(roots: Path, *, env: dict[str, str] | None = None, args: tuple[str, ...] = ()):
    """``streamlit run app.py`` on a free port with its runs and data roots under ``roots`` (and
    more ``env`` and command-line ``args``); yields its URL, stops it afterwards."""
    port = _free_port()
    env = {
        **os.environ,
        "CLFCORE_RUNS_DIR": str(roots / "runs"),
        "CLFCORE_DATA_DIR": str(roots / "data"),
        **(env or {}),
    }
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            "app.py",
            "--server.port",
            str(port),
            "--server.headless",
            "true",
            "--server.fileWatcherType",
            "none",
            *args,
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while True:
        try:
            if urllib.request.urlopen(f"{url}/_stcore/health", timeout=2).status == 200:
                break
        except OSError:
            pass
        if server.poll() is not None or time.monotonic() > deadline:
            server.kill()
            pytest.fail(
                "the app did not start:\n" + server.stdout.read().decode(errors="replace")[-3000:]
            )
        time.sleep(0.3)
    try:
        yield url
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()


@pytest.fixture(scope="session")
def app_url(tmp_path_factory):
    """``streamlit run app.py`` on a free port, with empty runs and data roots; stopped after the
    tests."""
    with serve_app(tmp_path_factory.mktemp("e2e")) as url:
        yield url
