"""The Classify page's live mode (ui.camera_live): a prediction every few tenths of a second, the
latest answer written on every frame."""

import numpy as np

from ui.camera_live import LiveLabeller


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
