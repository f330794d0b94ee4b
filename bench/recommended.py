"""The `recommended` preset on full Fashion-MNIST, headless, against the course MLP script.

Runs, in one go on this machine: the course's practice-1 MLP as plain Keras (Dense 256 + softmax,
rmsprop, batch 128, 10 epochs, 20 % validation) and then ``python -m clfcore train --arch
recommended`` with its preset. Prints test accuracy, seconds and the time ratio:

    recommended_test_accuracy: 0.9266 (goal >= 0.925; 15 epochs, fit 371 s)
    recommended_vs_course_mlp_time: 12.5x (goal <= 15x; 380 s vs 30.4 s, ...)

The course script runs as a student would run it, with TensorFlow's default kernels; ``python -m
clfcore train`` turns on oneDNN for convolutional models (clfcore.tfenv), which TensorFlow leaves
off on CPUs without AVX-512. So the MLP also runs a second time with oneDNN, and that ratio is
printed too.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

COURSE_MLP = """
import json, time
import keras
from clfcore.data import datasets
raw = datasets.load_raw("fashion_mnist")   # the same IDX files keras.datasets.fashion_mnist reads
x_train = raw.x_train.reshape(60000, 784).astype("float32") / 255
x_test = raw.x_test.reshape(10000, 784).astype("float32") / 255
y_train = keras.utils.to_categorical(raw.y_train, 10)
y_test = keras.utils.to_categorical(raw.y_test, 10)
start = time.monotonic()
model = keras.Sequential([
    keras.Input((784,)),
    keras.layers.Dense(256, activation="relu"),
    keras.layers.Dense(10, activation="softmax"),
])
model.compile(optimizer="rmsprop", loss="categorical_crossentropy", metrics=["accuracy"])
model.fit(x_train, y_train, epochs=10, batch_size=128, validation_split=0.2, verbose=0)
accuracy = model.evaluate(x_test, y_test, verbose=0)[1]
print(json.dumps({"seconds": time.monotonic() - start, "accuracy": accuracy}))
"""


def _course_mlp(onednn: bool) -> dict:
    env = {k: v for k, v in os.environ.items() if k != "TF_ENABLE_ONEDNN_OPTS"}
    if onednn:
        env["TF_ENABLE_ONEDNN_OPTS"] = "1"
    out = subprocess.run(
        [sys.executable, "-c", COURSE_MLP],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def main() -> None:
    mlp, mlp_onednn = _course_mlp(onednn=False), _course_mlp(onednn=True)
    with tempfile.TemporaryDirectory() as root:
        start = time.monotonic()
        out = subprocess.run(
            [
                sys.executable,
                "-m",
                "clfcore",
                "train",
                "--dataset",
                "fashion_mnist",
                "--arch",
                "recommended",
                "--out",
                root,
            ],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        seconds = time.monotonic() - start
    ours = json.loads(out.strip().splitlines()[-1])
    print(
        f"course_mlp_test_accuracy: {mlp['accuracy']:.4f} ({mlp['seconds']:.1f} s as shipped; "
        f"{mlp_onednn['seconds']:.1f} s with oneDNN)"
    )
    print(
        f"recommended_test_accuracy: {ours['test_accuracy']:.4f} "
        f"(goal >= 0.925; {ours['epochs_run']} epochs, fit {ours['train_seconds']:.0f} s)"
    )
    print(
        f"recommended_vs_course_mlp_time: {seconds / mlp['seconds']:.1f}x (goal <= 15x; "
        f"{seconds:.0f} s vs {mlp['seconds']:.1f} s, whole command vs the MLP script's "
        "fit and evaluate)"
    )
    print(
        f"recommended_vs_course_mlp_onednn_time: {seconds / mlp_onednn['seconds']:.1f}x "
        f"(the MLP script with oneDNN too: {mlp_onednn['seconds']:.1f} s)"
    )


if __name__ == "__main__":
    main()
