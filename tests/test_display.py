"""clfcore.inference.display: images scaled, enlarged by whole pixels, tiled and encoded for the
screen."""

import base64
import io

import numpy as np
from PIL import Image

from clfcore.inference import display


def test_unit_range_accepts_every_layout_and_scale():
    assert display.unit_range(np.zeros((4, 5))).shape == (4, 5, 1)
    assert display.unit_range(np.zeros((1, 4, 5, 3))).shape == (4, 5, 3)
    np.testing.assert_allclose(display.unit_range(np.array([[0.0, 255.0]])).ravel(), [0.0, 1.0])
    np.testing.assert_allclose(display.unit_range(np.array([[100.0, 600.0]])).ravel(), [0.0, 1.0])
    np.testing.assert_allclose(display.unit_range(np.array([[-0.5, 0.5]])).ravel(), [0.0, 0.5])
    assert display.unit_range(np.array([[0.2]])).dtype == np.float32


def test_enlarge_pixels_repeats_each_pixel():
    image = np.array([[0, 1], [2, 3]])
    big = display.enlarge_pixels(image, size=5)  # factor ceil(5 / 2) = 3
    assert big.shape == (6, 6)
    np.testing.assert_array_equal(big[:3, :3], 0)
    np.testing.assert_array_equal(big[3:, 3:], 3)
    assert display.enlarge_pixels(np.zeros((10, 4, 3)), size=8).shape == (10, 4, 3)


def test_to_uint8_and_enlarged_uint8():
    image = np.array([[[0.0], [0.5]], [[1.0], [2.0]]])  # (2, 2, 1), one value out of range
    np.testing.assert_array_equal(display.to_uint8(image), [[0, 128], [255, 255]])
    big = display.enlarged_uint8(image, size=4)
    assert big.shape == (4, 4) and big.dtype == np.uint8
    assert display.enlarged_uint8(np.zeros((8, 8, 3)), size=96).shape == (96, 96, 3)


def test_square_tile_centres_the_picture():
    tall = Image.new("L", (10, 20), 255)
    tile = display.square_tile(tall, size=150)  # enlarged 7 times: 70 x 140
    assert tile.size == (140, 140) and tile.mode == "RGB"
    assert tile.getpixel((0, 0)) == display.TILE_BACKGROUND
    assert tile.getpixel((70, 70)) == (255, 255, 255)


def test_png_data_url_round_trips():
    image = Image.new("RGB", (3, 2), (10, 20, 30))
    url = display.png_data_url(image)
    assert url.startswith("data:image/png;base64,")
    decoded = Image.open(io.BytesIO(base64.b64decode(url.split(",", 1)[1])))
    assert decoded.size == (3, 2) and decoded.getpixel((0, 0)) == (10, 20, 30)
