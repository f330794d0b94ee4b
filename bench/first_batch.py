"""Start to first batch: from ``jobs.submit`` (what the Train page's Start does) to the first
trained batch the run writes in its progress.json (``first_batch_at``), for the course MLP on
Fashion-MNIST.

Runs through the local job runner, as the app does, then a stop request once the first batch is in:

- ``start_to_first_batch_s``: what a student sees. The Train page asks for a warm training process
  as it opens (``jobs.prewarm``), and every run that starts leaves the next one warm
  (``clfcore.jobs.warm``): the run is handed to a process that already loaded TensorFlow. Each
  submit comes once that process is ready, as after the seconds a student spends on the page.
- ``start_to_first_batch_cold_s``: a new process for every run (``CLFCORE_WARM_SECONDS=0``), with
  the decoded dataset cached; and the very first run, without that cache, once.

Prints ``start_to_first_batch_s: 1.9 (goal < 4; ...)`` with the median of the warm runs.
"""

from __future__ import annotations

import json
import os
import signal
import statistics
import tempfile
import time
from pathlib import Path

# the same course-MLP run the overhead bench times (this script's folder is on sys.path)
from trainer_overhead import SETTINGS

REPEATS = 5  # runs of each kind; this VM varies by 20-30 % between identical runs: the median
TIMEOUT = 300.0  # seconds to wait for a first batch (or a warm process) before giving up


def _start_to_first_batch(jobs, config, root: Path) -> float:
    submitted = time.time()
    run = jobs.submit(config, root=root)
    deadline = time.monotonic() + TIMEOUT
    while (first := run.progress().get("first_batch_at")) is None:
        if run.status().get("status") in ("failed", "interrupted"):
            raise SystemExit(f"the run failed: {run.status().get('message')}; see {run.log_path}")
        if time.monotonic() > deadline:
            raise SystemExit(f"no first batch after {TIMEOUT:.0f} s; see {run.log_path}")
        time.sleep(0.02)
    jobs.stop(run)
    while run.status().get("status") == "running":  # the process ends before the next one starts
        time.sleep(0.1)
    return first - submitted


def _warm_ready(root: Path) -> None:
    """Wait until the queue's warm process has loaded (the page has been open that long)."""
    from clfcore.jobs import warm

    deadline = time.monotonic() + TIMEOUT
    while not any((root / warm.FOLDER).glob("*/ready")):
        if time.monotonic() > deadline:
            raise SystemExit(f"no warm process ready after {TIMEOUT:.0f} s in {root / warm.FOLDER}")
        time.sleep(0.05)


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        os.environ.update(
            CLFCORE_RUNS_DIR=str(Path(folder) / "runs"),
            CLFCORE_DATA_DIR=str(Path(folder) / "data"),  # Fashion-MNIST: the Debian copy
            CLFCORE_JOBS="local",
            CLFCORE_WARM_SECONDS="0",
        )
        from clfcore import jobs
        from clfcore.config import TrainConfig

        config = TrainConfig(**SETTINGS)
        root = Path(folder) / "runs"
        first = _start_to_first_batch(jobs, config, root)
        cold = [_start_to_first_batch(jobs, config, root) for _ in range(REPEATS)]
        os.environ["CLFCORE_WARM_SECONDS"] = "120"
        jobs.prewarm(config, root=root)
        warm = []
        for _ in range(REPEATS):
            _warm_ready(root)
            warm.append(_start_to_first_batch(jobs, config, root))
        _warm_ready(root)
        for started in (root / ".warm").glob("*/pid.json"):  # the one left waiting ends when asked
            os.kill(json.loads(started.read_text())["pid"], signal.SIGTERM)
    print(
        f"start_to_first_batch_s: {statistics.median(warm):.2f} (goal < 4; jobs.submit to the "
        f"first trained batch with the queue's warm training process, median of {REPEATS}: "
        f"{', '.join(f'{s:.2f}' for s in warm)}; MLP on Fashion-MNIST)"
    )
    print(
        f"start_to_first_batch_cold_s: {statistics.median(cold):.2f} (a new process every run, "
        f"median of {REPEATS}: {', '.join(f'{s:.2f}' for s in cold)}; {first:.2f} s the very "
        "first time, before the decoded dataset was cached)"
    )


if __name__ == "__main__":
    main()
