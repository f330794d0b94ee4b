"""Speed of the layer-by-layer walk: every layer's output for one image of the recommended CNN.

The recommended CNN, untrained (speed does not depend on the weights), built for Fashion-MNIST's
28x28x1 images: one walk to warm up (it builds the multi-output model once per model), then the
median of several, with the receptive field and strongest input channels of the map the page
opens by default.

Prints ``layer_walk_ms: 14.2 (first 120.3 ms; goal <= 500 ms)``.
"""

from __future__ import annotations

import statistics
import time

import numpy as np

from clfcore.inference import layers
from clfcore.models import architectures

GOAL_MS = 500  # the walk must redraw while a student clicks through images
REPEATS = 15


def timed(call) -> float:
    start = time.perf_counter()
    call()
    return (time.perf_counter() - start) * 1000


def walk_once(model, image) -> None:
    walk = layers.layer_walk(model, image)
    first = next(step for step in walk if step.kind == layers.MAPS)
    row, col = layers.strongest_unit(first.activation[:, :, 0])
    layers.receptive_box(model, first.name, row, col)
    layers.strongest_input_channels(model, first.name, 0)


def main() -> None:
    model = architectures.build_model("recommended", (28, 28, 1), 10)
    image = np.random.default_rng(0).uniform(0, 1, (28, 28, 1)).astype(np.float32)
    first = timed(lambda: walk_once(model, image))
    median = statistics.median(timed(lambda: walk_once(model, image)) for _ in range(REPEATS))
    print(
        f"layer_walk_ms: {median:.1f} (first {first:.1f} ms; recommended CNN, 28x28x1, "
        f"{len(layers.layer_walk(model, image))} layers; goal <= {GOAL_MS} ms)"
    )


if __name__ == "__main__":
    main()
