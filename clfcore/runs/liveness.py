"""Is a run's training process still alive? A "running" run whose process is gone is "interrupted".

A run killed by a server restart, a crash or the out-of-memory killer cannot say so itself: the
status file still says "running". Every reader of a run's status asks ``effective_status``, which
checks the recorded process (pid and its start time, so a recycled pid is not mistaken for it).
"""

from __future__ import annotations

import os
from pathlib import Path

from clfcore.i18n import N_
from clfcore.runs.folder import RunFolder

INTERRUPTED = N_(
    "The training process ended without finishing (server restart, crash or out of memory). "
    "The last saved model is kept."
)


def _process_start_ticks(pid: int) -> str | None:
    """The kernel's start time of ``pid`` (Linux), so a recycled pid is not mistaken for our run."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return None if fields[0] == "Z" else fields[19]  # a zombie has finished


def process_alive(pid: int | None, start_ticks: str | None = None) -> bool:
    if not pid:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    ticks = _process_start_ticks(pid)
    if Path("/proc").is_dir() and ticks is None:
        return False
    return start_ticks is None or ticks is None or ticks == start_ticks


def effective_status(run: RunFolder) -> str:
    """The run's status, with "running" runs whose process is gone turned into "interrupted".

    A run of another backend (status.json's "backend", e.g. "ray": its process is on a cluster
    worker) is watched by that backend, which writes "interrupted" itself (clfcore.jobs.cluster).
    """
    state = run.status()
    status = state.get("status", "unknown")
    if (
        status == "running"
        and state.get("backend", "local") == "local"
        and not process_alive(state.get("pid"), state.get("pid_start"))
    ):
        run.set_status("interrupted", message=INTERRUPTED, params={})
        return "interrupted"
    return status
