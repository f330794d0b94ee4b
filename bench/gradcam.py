"""Speed of the "inside the network" views: one Grad-CAM, one image's feature maps, the
feature-space projections.

For LeNet (28x28x1), the course CIFAR-10 CNN (32x32x3) and the recommended CNN (28x28x1), untrained
(speed does not depend on the weights): the first Grad-CAM of one image (which builds the gradient
model), then the median of 20 more, against the baseline of one plain forward pass of the same
image in the same run. Then PCA and t-SNE of 2,000 penultimate-feature vectors of the course CNN.

Prints ``name: value`` lines, e.g. ``gradcam_lenet_28x28x1_ms: 45.1 (first 180.2 ms; 3.1x a forward
pass; goal <= 300 ms)``.
"""

from __future__ import annotations

import statistics
import time
from pathlib import Path

import numpy as np

from clfcore.inference import gradcam, insight
from clfcore.models import architectures

ROOT = Path(__file__).resolve().parents[1]

GOAL_MS = 300  # one Grad-CAM must feel instant when the user picks another class or image
REPEATS = 20


def timed(call) -> float:
    start = time.perf_counter()
    call()
    return (time.perf_counter() - start) * 1000


def main() -> None:
    rng = np.random.default_rng(0)
    for arch, shape in (
        ("lenet", (28, 28, 1)),
        ("course_cifar_cnn", (32, 32, 3)),
        ("recommended", (28, 28, 1)),
    ):
        model = architectures.build_model(arch, shape, 10)
        image = rng.uniform(0, 1, (1, *shape)).astype(np.float32)
        model(image, training=False)  # the model's own first call is not Grad-CAM's cost
        forward = statistics.median(
            timed(lambda: model(image, training=False)) for _ in range(REPEATS)
        )
        first = timed(lambda: gradcam.gradcam(model, image))
        median = statistics.median(
            timed(lambda: gradcam.gradcam(model, image)) for _ in range(REPEATS)
        )
        maps = statistics.median(
            timed(lambda: insight.feature_maps(model, image[0], gradcam.conv_layer_names(model)[0]))
            for _ in range(5)
        )
        name = f"{arch}_{'x'.join(map(str, shape))}"
        print(
            f"gradcam_{name}_ms: {median:.1f} (first {first:.1f} ms; {median / forward:.1f}x "
            f"a forward pass of {forward:.1f} ms; goal <= {GOAL_MS} ms)",
            flush=True,
        )
        print(f"feature_maps_{name}_ms: {maps:.1f}", flush=True)

    model = architectures.build_model("course_cifar_cnn", (32, 32, 3), 10)
    images = rng.uniform(0, 1, (insight.TSNE_MAX_POINTS, 32, 32, 3)).astype(np.float32)
    start = time.perf_counter()
    features = insight.penultimate_features(model, images)
    print(
        f"penultimate_features_2000_course_cifar_cnn_s: {time.perf_counter() - start:.2f}",
        flush=True,
    )
    start = time.perf_counter()
    insight.project_2d(features, "pca")
    print(f"pca_2000x{features.shape[1]}_s: {time.perf_counter() - start:.2f}", flush=True)
    start = time.perf_counter()
    insight.project_2d(features, "tsne")
    print(
        f"tsne_2000x{features.shape[1]}_s: {time.perf_counter() - start:.2f} (one thread; "
        "slower while other processes use the CPU)",
        flush=True,
    )


if __name__ == "__main__":
    main()
