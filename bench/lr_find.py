"""The learning-rate finder's cost, in epochs: ``find_lr`` against one training epoch.

On full Fashion-MNIST (the Debian copy in /usr/share/datasets/fashion-mnist, as the other benches)
with the course MLP and its preset (rmsprop, batch 128, 20 % validation), in one process: one
epoch of ``trainer.train`` (its fit, with validation, as ``train_seconds``) and a whole
``find_lr`` (100 batches; building the model and its pipeline included), alternately, a few times.
Prints ``lr_find_vs_epoch: 0.41 (goal <= 1.5; ...)`` from the medians.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from clfcore import tfenv  # noqa: E402

tfenv.quiet_logs(verbose=False)  # TensorFlow's own log lines stay hidden, as in `python -m clfcore`
tfenv.prefer_onednn(convolutional=False)  # a dense-only model: the kernels `train` would pick

from clfcore.config import TrainConfig  # noqa: E402
from clfcore.data import datasets  # noqa: E402
from clfcore.runs.folder import create_run  # noqa: E402
from clfcore.training import lr_finder, trainer  # noqa: E402

REPEATS = 3  # this VM varies by 20-30 % between identical runs: take the median of several
CONFIG = TrainConfig.for_architecture("mlp", dataset="fashion_mnist", seed=1)


def main() -> None:
    if not datasets.availability(CONFIG.dataset).available:
        print("lr_find_vs_epoch: skipped (Fashion-MNIST is not on this machine)")
        return
    datasets.load_splits(CONFIG.dataset, CONFIG.split)  # read the files once, for both sides
    epochs, searches, batches = [], [], 0
    with tempfile.TemporaryDirectory() as root:
        for _ in range(REPEATS):
            run = create_run(CONFIG.replace(epochs=1), root=Path(root))
            epochs.append(trainer.train(run)["train_seconds"])
            start = time.monotonic()
            result = lr_finder.find_lr(CONFIG)
            searches.append(time.monotonic() - start)
            batches = len(result.lrs)
    epoch, search = statistics.median(epochs), statistics.median(searches)
    print(
        f"lr_find_vs_epoch: {search / epoch:.2f} (goal <= 1.5; find_lr {search:.2f} s, "
        f"{batches} batches, vs one epoch {epoch:.2f} s, median of {REPEATS}, course MLP on "
        f"Fashion-MNIST, suggestion {result.suggested_lr:.2g})"
    )


if __name__ == "__main__":
    main()
