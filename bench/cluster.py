"""What the Ray backend costs next to the local queue, on one machine (``make bench``).

One machine cannot show scaling across machines, so this measures what Ray adds and how well it
packs work, side by side in one run:

- ``cluster_vs_local``: the same 8 short trainings (Fashion-MNIST from /usr/share/datasets, else
  digits - the line says which) through the local queue with two slots
  (``CLFCORE_MAX_TRAININGS=2``) and through Ray on two one-CPU nodes (a head and a second node,
  ``--num-cpus 1`` each, ``CLFCORE_RAY_CPUS=1``). Every training uses one thread on both sides
  (``TF_NUM_INTRAOP_THREADS``, ``TF_NUM_INTEROP_THREADS``, ``OMP_NUM_THREADS`` = 1). Wall time from
  submitting the 8 to all 8 completed in the web server's run folders. Goal: Ray <= 1.10x local.
- ``ray_job_overhead_s``: submit -> the first finished batch in the web server's progress.json
  (mirrored from the worker for Ray), Ray minus local, median of a few. Goal <= 2 s.

Ray swaps 127.0.0.1 for the machine's address on Linux (ray-project/ray#26293), so this runs only
in a loopback-only network namespace (``make bench`` runs it so as root); elsewhere it prints why
and exits 0. The cluster's nodes are started here, each in its own session, and stopped by their
process group (never ``ray stop``, which ends every Ray process of the machine).
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from clfcore import jobs  # noqa: E402  (after the path: this checkout's clfcore)
from clfcore.config import TrainConfig  # noqa: E402
from clfcore.data import sources  # noqa: E402
from clfcore.runs.folder import RunFolder  # noqa: E402
from tests.ray_nodes import end, loopback_only, start_cluster  # noqa: E402

JOBS = 8
OVERHEAD_REPEATS = 3
ENDED = {"completed", "stopped", "failed", "interrupted"}
ONE_THREAD = {"TF_NUM_INTRAOP_THREADS": "1", "TF_NUM_INTEROP_THREADS": "1", "OMP_NUM_THREADS": "1"}
FASHION = dict(dataset="fashion_mnist", architecture="mlp", epochs=2, train_size=6000)
DIGITS = dict(dataset="digits", architecture="mlp", epochs=20, train_size=None)


def _why_not() -> str | None:
    """Why the Ray side cannot run here, or None."""
    if not loopback_only():
        return (
            "needs a loopback-only network namespace (Ray swaps 127.0.0.1 for the machine's "
            "address): run unshare --net sh -c 'ip link set lo up && python bench/cluster.py' "
            "as root, as make bench does"
        )
    try:
        import ray  # noqa: F401  (the optional extra clfcore[cluster])
    except ImportError:
        return "needs Ray: pip install 'clfcore[cluster]'"
    return None


def _until(check, what: str, timeout: float = 600, every: float = 0.05):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(every)
    raise RuntimeError(f"still waiting for {what} after {timeout} s")


def _use(backend: str, runs: Path, address: str | None = None) -> None:
    """Point this process (the web server) at ``backend`` with ``runs`` as its runs root."""
    runs.mkdir(parents=True)
    os.environ.update(CLFCORE_JOBS=backend, CLFCORE_RUNS_DIR=str(runs))
    if backend == "local":
        os.environ["CLFCORE_MAX_TRAININGS"] = "2"
    else:
        os.environ.pop("CLFCORE_MAX_TRAININGS", None)
        os.environ.update(CLFCORE_RAY_ADDRESS=str(address), CLFCORE_RAY_CPUS="1")


def _batch(run: RunFolder):
    try:
        return (run.progress().get("batch") or 0) >= 1 or run.status().get("status") in ENDED
    except (OSError, ValueError):
        return False


def _batch_of_all(settings: dict) -> float:
    """Seconds from submitting ``JOBS`` trainings to all of them completed."""
    start = time.monotonic()
    runs = [jobs.submit(TrainConfig(**settings, seed=seed)) for seed in range(JOBS)]
    _until(lambda: all(run.status().get("status") in ENDED for run in runs), "the trainings")
    seconds = time.monotonic() - start
    bad = [r.run_id for r in runs if r.status().get("status") != "completed"]
    if bad:
        raise RuntimeError(f"not completed: {bad}: {runs[0].log_path.read_text()[-2000:]}")
    return seconds


def _first_batch(settings: dict) -> float:
    """Seconds from submitting one training (nothing else queued) to its first finished batch."""
    start = time.monotonic()
    run = jobs.submit(TrainConfig(**settings, seed=0))
    _until(lambda: _batch(run), "a first batch")
    seconds = time.monotonic() - start
    jobs.stop(run)
    _until(lambda: run.status().get("status") in ENDED, "the stopped training")
    return seconds


def main() -> None:
    why = _why_not()
    if why:
        print(f"cluster_vs_local: skipped ({why})")
        print(f"ray_job_overhead_s: skipped ({why})")
        return
    fashion = sources.fashion_mnist_location() is not None
    settings = FASHION if fashion else DIGITS
    what = (
        f"Fashion-MNIST MLP, {settings['epochs']} epochs on {settings['train_size']} images"
        if fashion
        else f"digits MLP, {settings['epochs']} epochs (no Fashion-MNIST here)"
    )
    os.environ.update(ONE_THREAD)  # the local trainings inherit it
    home = Path(tempfile.mkdtemp(prefix="clfbench-"))  # short: Ray's socket paths
    nodes: list[subprocess.Popen] = []
    try:
        address, nodes = start_cluster(home, head_cpus=1, node_cpus=1, env=ONE_THREAD)
        _use("local", home / "local")
        local = _batch_of_all(settings)
        _use("ray", home / "ray-runs", address)
        ray = _batch_of_all(settings)
        print(
            f"cluster_vs_local: {ray / local:.3f} (goal <= 1.10; {JOBS} trainings, {what}, one "
            f"thread each: Ray on two one-CPU nodes {ray:.1f} s, local queue with two slots "
            f"{local:.1f} s)",
            flush=True,
        )
        first: dict[str, list[float]] = {"local": [], "ray": []}
        overhead = dict(settings, epochs=50)  # stopped after its first batch
        for repeat in range(OVERHEAD_REPEATS):
            _use("local", home / f"local-first-{repeat}")
            first["local"].append(_first_batch(overhead))
            _use("ray", home / f"ray-first-{repeat}", address)
            first["ray"].append(_first_batch(overhead))
        ray_s, local_s = statistics.median(first["ray"]), statistics.median(first["local"])
        print(
            f"ray_job_overhead_s: {ray_s - local_s:.2f} (goal <= 2; submit -> first batch in the "
            f"web server's progress.json, median of {OVERHEAD_REPEATS}: Ray {ray_s:.2f} s, local "
            f"{local_s:.2f} s; each: Ray {[round(s, 2) for s in first['ray']]}, local "
            f"{[round(s, 2) for s in first['local']]})",
            flush=True,
        )
    finally:
        if nodes:
            import ray as ray_module  # the optional extra clfcore[cluster]

            ray_module.shutdown()
        for node in reversed(nodes):
            end(node)
        shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    main()
