"""The Classify page's live mode (ui.camera_live): a prediction every few tenths of a second, the
latest answer written on every frame."""

import importlib.util
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from ui.camera_live import LiveLabeller

ROOT = Path(__file__).resolve().parents[1]


def test_the_label_is_drawn_and_the_model_runs_at_most_every_interval():
    now, calls = [0.0], []

    def classify(frame):
        calls.append(now[0])
        return "thumbs up", 0.87

    labeller = LiveLabeller(classify, every=0.3, clock=lambda: now[0])
    frame = np.full((120, 160, 3), 200, dtype=np.uint8)
    for step in range(30):  # one second at 30 frames a second
        now[0] = step / 30
        labelled = labeller.label(frame)
    assert len(calls) == 4  # at 0, 0.3, 0.6 and 0.9 s
    assert labeller.text == "thumbs up  87%"
    assert labelled.shape == frame.shape
    assert (labelled[:5] == 0).all()  # the dark band with the answer across the top
    assert (labelled[-5:] == 200).all()  # the rest of the picture untouched


@pytest.mark.skipif(
    importlib.util.find_spec("streamlit_webrtc") is None, reason="needs the camera extra"
)
def test_streamlit_webrtc_loads_after_tensorflow():
    # pylibsrtp's own OpenSSL symbols bound to TensorFlow's BoringSSL: a segmentation fault
    code = "import tensorflow\nfrom ui import camera_views\ncamera_views.import_webrtc()\n"
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr[-2000:]


def test_a_camera_frame_is_resized_to_the_model_input():
    import keras

    from clfcore.inference import predict
    from ui.camera_live import frame_classifier

    model = keras.Sequential(
        [
            keras.Input((8, 8, 1)),
            keras.layers.Flatten(),
            keras.layers.Dense(3, activation="softmax"),
        ]
    )
    classifier = predict.classifier_for_model(model, name="tiny", class_names=["a", "b", "c"])
    frame = np.random.default_rng(0).integers(0, 256, (480, 640, 3), dtype=np.uint8)
    label, probability = frame_classifier(classifier)(frame)
    assert label in {"a", "b", "c"} and 1 / 3 <= probability <= 1
