"""Evaluation speed: a 10,000-image test set, every metric, for the course MLP on the CPU.

Trains the course MLP for one epoch on Fashion-MNIST (the Debian package's copy when installed,
else generated images of the same size and count), then, in a fresh process with Keras already
imported, times what the Evaluate page does for a run it has not seen: load model.keras and the test
images, predict, and compute accuracy, top-k, loss, confusion matrix, per-class scores and averages,
one-vs-rest ROC and PR curves with their areas, the plain-language reading and the three exports.
The same again reads predictions.npz instead of running the model.

Prints ``evaluate_10k_seconds: 1.23 (goal <= 5 s ...)`` and ``evaluate_10k_cached_seconds: ...``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEBIAN = Path("/usr/share/datasets/fashion-mnist")

TIMED = """
import json, time
import keras, numpy as np
from clfcore.evaluation import scoring
from clfcore.evaluation import roc_pr
from clfcore.evaluation import exports
from clfcore.evaluation import commentary
from clfcore.evaluation import run_predictions

def everything(run_id):
    start = time.perf_counter()
    run = run_predictions.evaluable_run(run_id)
    predictions = run_predictions.predict_run(run)
    report = scoring.evaluate(predictions)
    curves = roc_pr.one_vs_rest_curves(predictions)
    commentary.worst_classes_reading(report)
    exports.metrics_csv(report)
    exports.confusion_csv(report)
    exports.classification_report(report)
    assert predictions.num_images == 10000 and all(c is not None for c in curves["roc"])
    return time.perf_counter() - start, report.accuracy

cold, accuracy = everything({run_id!r})
cached, _ = everything({run_id!r})
print(json.dumps({{"cold": cold, "cached": cached, "accuracy": accuracy}}))
"""


def _generated_fashion_mnist(data_root: Path) -> str:
    """The four IDX files with random images: 2,000 for training, 10,000 for test (the real test
    set's size)."""
    import numpy as np

    from clfcore.data.idx import write_idx

    folder = data_root / "fashion-mnist"
    folder.mkdir(parents=True)
    rng = np.random.default_rng(0)
    for prefix, count in (("train", 2000), ("t10k", 10000)):
        write_idx(
            folder / f"{prefix}-images-idx3-ubyte.gz",
            rng.integers(0, 256, size=(count, 28, 28), dtype=np.uint8),
        )
        write_idx(
            folder / f"{prefix}-labels-idx1-ubyte.gz", (np.arange(count) % 10).astype(np.uint8)
        )
    return "generated images (dataset-fashion-mnist is not installed)"


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        os.environ["CLFCORE_RUNS_DIR"] = str(tmp / "runs")
        os.environ["CLFCORE_DATA_DIR"] = str(tmp / "data")
        (tmp / "data").mkdir()
        source = (
            "Fashion-MNIST"
            if (DEBIAN / "t10k-images-idx3-ubyte.gz").is_file()
            else _generated_fashion_mnist(tmp / "data")
        )

        from clfcore.config import TrainConfig
        from clfcore.runs.folder import create_run
        from clfcore.training import trainer

        run = create_run(
            TrainConfig.for_architecture(
                "mlp", dataset="fashion_mnist", epochs=1, train_size=2000, seed=1
            )
        )
        trainer.train(run)
        out = subprocess.run(
            [sys.executable, "-c", TIMED.format(run_id=run.run_id)],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        ).stdout
        result = json.loads(out.strip().splitlines()[-1])
    print(
        f"evaluate_10k_seconds: {result['cold']:.2f} (goal <= 5 s; course MLP, 10,000 test "
        f"images of {source}: load model and images, predict, every metric, ROC/PR curves, "
        "exports)"
    )
    print(
        f"evaluate_10k_cached_seconds: {result['cached']:.2f} (the same with the predictions "
        "read from predictions.npz)"
    )


if __name__ == "__main__":
    main()
