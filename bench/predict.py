"""Single-image prediction on the CPU, as the Classify page does it: decode, preprocess, call the
model.

For the course's two CIFAR-10 CNNs and LeNet, a run folder is made with an (untrained: the time does
not depend on the weights) model and loaded with ``clfcore.inference.predict.load_run``, like the
page. Each figure is the median over many repetitions of one camera-sized photo (640x480 JPEG, what
``st.camera_input`` sends) going through ``imagefile.open_image`` + ``predict.classify``. Printed
next to it, on the same preprocessed image: ``model.predict`` per image, and the model called
eagerly without the traced graph.

    predict_ms_lenet: 6.1 (goal <= 50; ...)
"""

from __future__ import annotations

import io
import statistics
import tempfile
import time

import numpy as np
from PIL import Image, ImageDraw

GOAL_MS = 50.0
REPEATS = 60  # single predictions per model (median)
PREDICT_REPEATS = 15  # model.predict is slow: fewer repetitions
MODELS = (
    ("course_cifar_cnn", "cifar10", (32, 32, 3)),
    ("course_bn_cnn", "cifar10", (32, 32, 3)),
    ("lenet", "fashion_mnist", (28, 28, 1)),
)


def camera_photo(size=(640, 480), seed=0) -> bytes:
    """A photo-like JPEG: a lit background with a few coloured shapes."""
    rng = np.random.default_rng(seed)
    width, height = size
    ramp = (
        np.linspace(150, 230, width, dtype=np.float32)[None, :, None].repeat(height, 0).repeat(3, 2)
    )
    image = Image.fromarray(
        np.clip(ramp + rng.normal(0, 6, (height, width, 3)), 0, 255).astype(np.uint8)
    )
    draw = ImageDraw.Draw(image)
    for _ in range(6):
        x, y, r = (
            int(rng.integers(0, width)),
            int(rng.integers(0, height)),
            int(rng.integers(20, 120)),
        )
        draw.ellipse(
            (x - r, y - r, x + r, y + r), fill=tuple(int(v) for v in rng.integers(0, 255, 3))
        )
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=90)
    return buffer.getvalue()


def median_ms(function, repeats: int, warmup: int = 3) -> float:
    for _ in range(warmup):
        function()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def main() -> None:
    import os

    with tempfile.TemporaryDirectory() as root:
        os.environ["CLFCORE_RUNS_DIR"] = root
        from clfcore.config import TrainConfig
        from clfcore.inference import imagefile, predict
        from clfcore.models import architectures
        from clfcore.runs.folder import create_run

        photo = camera_photo()
        big_photo = camera_photo((4000, 3000), seed=1)
        for arch, dataset, shape in MODELS:
            run = create_run(TrainConfig(dataset=dataset, architecture=arch, epochs=1))
            architectures.build_model(arch, shape, 10).save(run.model_path)
            classifier = predict.load_run(run.path)

            def one_image(data=photo):
                return predict.classify(classifier, imagefile.open_image(data, name="photo.jpg"))

            ours = median_ms(one_image, REPEATS)
            x = one_image().preprocessed.array[None]
            keras_predict = median_ms(
                lambda: classifier.model.predict(x, verbose=0), PREDICT_REPEATS
            )
            eager = median_ms(lambda: classifier.model(x, training=False), REPEATS)
            twelve = median_ms(lambda: one_image(big_photo), 10, warmup=1)
            print(
                f"predict_ms_{arch}: {ours:.1f} (goal <= {GOAL_MS:.0f}; median of {REPEATS}, "
                "a 640x480 JPEG decoded, preprocessed and classified; model.predict per "
                f"image {keras_predict:.1f} ms ({keras_predict / ours:.0f}x slower), the "
                f"eager call model(x) alone {eager:.1f} ms; a 12-megapixel JPEG end to "
                f"end {twelve:.1f} ms)",
                flush=True,
            )


if __name__ == "__main__":
    main()
