"""Live classification of a camera stream (streamlit-webrtc): the model runs at most every few
tenths of a second on the stream's thread, and every frame shows its latest answer."""

from __future__ import annotations

import io
import threading
from collections.abc import Callable

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from clfcore.inference import imagefile, predict


def frame_classifier(classifier: predict.Classifier) -> Callable[[np.ndarray], tuple[str, float]]:
    """``classify(rgb_array) -> (top class, its probability)`` through the same preprocessing as
    a camera picture on the Classify page: a frame of any size is resized to the model's input."""

    def classify(frame: np.ndarray) -> tuple[str, float]:
        buffer = io.BytesIO()
        Image.fromarray(frame).save(buffer, format="PNG")
        image = imagefile.open_image(buffer.getvalue(), name="camera frame")
        best = predict.classify(classifier, image).prediction.top_k[0]
        return best.label, best.probability

    return classify


def draw_label(frame: np.ndarray, text: str) -> np.ndarray:
    """``frame`` (H, W, 3) with ``text`` on a dark band across its top."""
    picture = Image.fromarray(frame)
    draw = ImageDraw.Draw(picture)
    size = max(14, frame.shape[0] // 14)
    font = ImageFont.load_default(size=size)
    draw.rectangle((0, 0, frame.shape[1], int(size * 1.6)), fill=(0, 0, 0))
    draw.text((size // 2, size // 4), text, fill=(255, 255, 255), font=font)
    return np.asarray(picture)


class LiveLabeller:
    """The ``video_frame_callback`` of the live mode: classifies a frame every ``every`` seconds
    and writes the latest answer on every frame.

    Args:
        classify: ``classify(rgb_array) -> (label, probability)``.
        every: seconds between two predictions.
        clock: seconds as a float (``time.monotonic``).
    """

    def __init__(self, classify, *, every: float, clock) -> None:
        self._classify = classify
        self._every = every
        self._clock = clock
        self._lock = threading.Lock()
        self._last = float("-inf")
        self.answer: tuple[str, float] | None = None  # the latest (label, probability)
        self.text = ""  # the latest answer as drawn on the frames

    def label(self, frame: np.ndarray) -> np.ndarray:
        """``frame`` with the latest answer on it (classified again if it is time)."""
        now = self._clock()
        with self._lock:
            if now - self._last >= self._every:
                self._last = now
                label, probability = self._classify(frame)
                self.answer = (label, probability)
                self.text = f"{label}  {probability:.0%}"
        return draw_label(frame, self.text) if self.text else frame

    def on_frame(self, frame):
        import av  # streamlit-webrtc's dependency: only when the live mode runs

        labelled = self.label(frame.to_ndarray(format="rgb24"))
        return av.VideoFrame.from_ndarray(np.ascontiguousarray(labelled), format="rgb24")
