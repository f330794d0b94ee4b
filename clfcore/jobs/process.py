"""Detached clfcore child processes: a training, a learning-rate search, a study's driver, a warm
training process.

Each is ``python -m clfcore <command> ...`` in its own session (it survives the page and the web
server), with its output appended to a log file and both roots in its environment as absolute
paths: the child reads the same datasets and writes the same runs as this process, whatever its
working folder. clfcore is an installed package (``pip install -e .``), so the child finds it
without PYTHONPATH.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from dataclasses import dataclass
from pathlib import Path

from clfcore import tfenv
from clfcore.paths import DATA_ENV, RUNS_ENV, data_root, runs_root
from clfcore.runs.liveness import _process_start_ticks


@dataclass(frozen=True)
class Child:
    """A started child: its pid and the kernel's start time of it (``liveness.process_alive``)."""

    pid: int
    pid_start: str | None


def child_environment(runs: Path | None = None) -> dict[str, str]:
    """The environment of a clfcore child: this process's, with the roots as absolute paths
    (``runs``: default the runs root) and without the TensorFlow kernel choice this process made
    for itself (the child makes its own)."""
    env = {**os.environ, RUNS_ENV: str(runs or runs_root()), DATA_ENV: str(data_root())}
    return tfenv.child_environment(env)


def spawn(args: list[str], *, log: Path, env: dict[str, str] | None = None) -> Child:
    """Start ``python -m clfcore *args`` detached, its stdout and stderr appended to ``log``.

    Args:
        env: the child's environment (default ``child_environment()``).

    A thread of this process reaps the child when it ends, so it leaves no zombie.
    """
    with open(log, "ab") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "clfcore", *args],
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            env=env if env is not None else child_environment(),
            start_new_session=True,
        )
    child = Child(process.pid, _process_start_ticks(process.pid))
    threading.Thread(target=process.wait, daemon=True).start()
    return child
