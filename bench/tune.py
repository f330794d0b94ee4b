"""Pruning's worth: a 20-trial study with the median pruner against the same study without it.

The course MLP on full Fashion-MNIST (the Debian copy in /usr/share/datasets/fashion-mnist, as the
other benches), 5 epochs a trial, searching the learning rate (log range 1e-4 to 1e-1) and the
dropout with the same TPE seed; every trial is a run of the job runner (its own process), as the
Tune page's are. The pruned study runs first, then the full one, each in a fresh runs folder.
Prints ``tune_pruned_vs_full_time: 0.xx (goal <= 0.6)`` and
``tune_best_value_gap: x.xx points (goal <= 0.5)`` (best validation accuracy, full minus pruned).
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from clfcore.config import TrainConfig  # noqa: E402
from clfcore.data import datasets  # noqa: E402
from clfcore.paths import RUNS_ENV  # noqa: E402
from clfcore.tuning.space import SearchSpace  # noqa: E402
from clfcore.tuning.study import TuneConfig, run_study  # noqa: E402

TRIALS = 20
BASE = TrainConfig.for_architecture("mlp", dataset="fashion_mnist", epochs=5, seed=1)
SPACE = SearchSpace(names=("lr", "dropout"))


def _study(pruning: bool) -> tuple[float, float, int]:
    with tempfile.TemporaryDirectory() as root:
        os.environ[RUNS_ENV] = root  # the trial runs' queue is this folder's
        config = TuneConfig(base=BASE, space=SPACE, trials=TRIALS, study="bench", pruning=pruning)
        start = time.monotonic()
        result = run_study(config, runs_dir=Path(root))
        return time.monotonic() - start, float(result.best_value or 0.0), result.pruned


def main() -> None:
    if not datasets.availability(BASE.dataset).available:
        print("tune_pruned_vs_full_time: skipped (Fashion-MNIST is not on this machine)")
        return
    pruned_s, pruned_best, pruned = _study(pruning=True)
    full_s, full_best, _ = _study(pruning=False)
    print(
        f"tune_pruned_vs_full_time: {pruned_s / full_s:.2f} (goal <= 0.6; {pruned_s:.0f} s with "
        f"pruning, {pruned} of {TRIALS} trials pruned, vs {full_s:.0f} s without; course MLP on "
        f"Fashion-MNIST, 5 epochs a trial)"
    )
    print(
        f"tune_best_value_gap: {100 * (full_best - pruned_best):.2f} points (goal <= 0.5; best "
        f"val_accuracy {pruned_best:.4f} with pruning, {full_best:.4f} without)"
    )


if __name__ == "__main__":
    main()
