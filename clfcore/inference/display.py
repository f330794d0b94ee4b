"""Images made ready for the screen: scaled to [0, 1], enlarged by whole pixels, tiled, encoded.

A dataset image is 8x8 or 28x28 pixels; shown as it is, it is a dot on a projector. These functions
enlarge such images by repeating pixels (crisp, not blurred) and convert them to what image widgets
take. No TensorFlow here.
"""

from __future__ import annotations

import base64
import io

import numpy as np
from PIL import Image

from clfcore.inference.preprocess import enlarged

TILE_BACKGROUND = (238, 242, 248)  # the light blue-grey behind a preprocessing step's thumbnail


def unit_range(image) -> np.ndarray:
    """One image as float32 (H, W, C) in [0, 1], from (H, W), (H, W, C) or a batch of one.

    Pixels in [0, 255] (a model that takes them unscaled) are divided by 255; anything larger is
    stretched from its minimum to its maximum.
    """
    array = np.asarray(image, dtype=np.float32)
    if array.ndim == 4 and array.shape[0] == 1:
        array = array[0]
    if array.ndim == 2:
        array = array[..., None]
    high = float(array.max()) if array.size else 0.0
    if high > 1.0:
        array = (
            array / 255.0
            if high <= 255.0
            else (array - array.min()) / max(high - float(array.min()), 1e-6)
        )
    return np.clip(array, 0.0, 1.0)


def enlarge_pixels(image: np.ndarray, *, size: int) -> np.ndarray:
    """Enlarged by a whole factor (each pixel repeated) to at least ``size`` pixels on its longer
    side.

    Args:
        image: array of shape (H, W) or (H, W, C).
        size: the smallest longer side wanted; an image already that large is returned unchanged.

    Returns:
        array of shape (H * f, W * f[, C]) with the same dtype.
    """
    factor = max(1, int(np.ceil(size / max(image.shape[0], image.shape[1]))))
    return np.repeat(np.repeat(image, factor, axis=0), factor, axis=1)


def to_uint8(image: np.ndarray) -> np.ndarray:
    """A [0, 1] image as uint8 in [0, 255]; a single channel (H, W, 1) becomes (H, W)."""
    image = image[..., 0] if image.ndim == 3 and image.shape[-1] == 1 else image
    return (np.clip(image, 0.0, 1.0) * 255.0).round().astype(np.uint8)


def enlarged_uint8(image, *, size: int = 96) -> np.ndarray:
    """A [0, 1] float image (H, W[, C]) as uint8, enlarged by whole pixels to at least ``size`` a
    side."""
    return to_uint8(enlarge_pixels(np.asarray(image), size=size))


def square_tile(image: Image.Image, *, size: int = 150) -> Image.Image:
    """The image enlarged (``preprocess.enlarged``) and centred on a square RGB tile.

    Every preprocessing step's thumbnail then has the same height, whatever its aspect ratio.
    Returns: an RGB image whose side is the enlarged image's longer side.
    """
    picture = enlarged(image, size=size).convert("RGB")
    tile = Image.new("RGB", (max(picture.size),) * 2, TILE_BACKGROUND)
    tile.paste(picture, ((tile.width - picture.width) // 2, (tile.height - picture.height) // 2))
    return tile


def png_data_url(image: Image.Image) -> str:
    """The image as a ``data:image/png;base64,...`` URL, for image columns of a table."""
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")
