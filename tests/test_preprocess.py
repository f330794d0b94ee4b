"""The preprocessing steps: a digit on paper becomes an MNIST-style digit, photos keep their
colours, every step can be switched."""

import numpy as np
import pytest
from PIL import Image, ImageDraw

from clfcore.data import sources
from clfcore.i18n import translate
from clfcore.inference import imagefile, preprocess
from clfcore.inference.imagefile import OpenedImage
from clfcore.inference.preprocess import (
    DIGITS_STYLE,
    FASHION_STYLE,
    MNIST_STYLE,
    PHOTO_STYLE,
    ImageStyle,
    ModelInput,
)

MNIST_INPUT = ModelInput(28, 28, 1, MNIST_STYLE)
CIFAR_INPUT = ModelInput(32, 32, 3, PHOTO_STYLE)
STEP_IDS = ["orient", "colour", "invert", "contrast", "square", "resize", "scale"]


def opened(image: Image.Image, *, orientation: int = 1) -> OpenedImage:
    return OpenedImage(image, "test.png", "PNG", image.size, image.mode, orientation)


def ink_on_paper(
    size=(400, 300), box=(150, 60, 210, 240), paper=(228, 224, 215), ink=(35, 35, 45)
) -> Image.Image:
    """A photo-like '1': a dark bar on greyish paper, off centre."""
    image = Image.new("RGB", size, paper)
    ImageDraw.Draw(image).rectangle(box, fill=ink)
    return image


def content_box(array: np.ndarray, threshold: float = 0.2) -> tuple[int, int, int, int]:
    rows, cols = (
        np.flatnonzero((array > threshold).any(axis=1)),
        np.flatnonzero((array > threshold).any(axis=0)),
    )
    return rows[0], cols[0], rows[-1] + 1, cols[-1] + 1


def test_steps_and_output_array():
    result = preprocess.preprocess(opened(ink_on_paper()), MNIST_INPUT)
    assert [step.id for step in result.steps] == STEP_IDS
    assert result.array.shape == (28, 28, 1) and result.array.dtype == np.float32
    assert result.array.min() >= 0.0 and result.array.max() <= 1.0
    assert result.image.size == (28, 28) and result.image.mode == "L"
    for step in result.steps:
        assert translate(step.title, "es") != step.title or step.title == "Scale to [0, 1]"
        assert translate(step.reason, "es", **step.params) != translate(
            step.reason, "en", **step.params
        )
        assert step.image.mode in ("L", "RGB")
    assert [step.optional for step in result.steps] == [True, False, True, True, True, False, False]


def test_dark_ink_on_paper_becomes_an_mnist_digit():
    result = preprocess.preprocess(opened(ink_on_paper()), MNIST_INPUT)
    assert result.step("invert").automatic and result.step("invert").applied
    assert not result.blank
    digit = result.array[..., 0]
    assert digit[0, 0] == 0.0 and digit[-1, -1] == 0.0  # pure black background
    assert digit.max() == pytest.approx(1.0, abs=0.02)  # bright strokes
    top, left, bottom, right = content_box(digit)
    assert max(bottom - top, right - left) == pytest.approx(20, abs=1)  # the 20x20 box of MNIST
    mass = digit / digit.sum()
    centre_y, centre_x = (
        (mass.sum(axis=1) * np.arange(28)).sum(),
        (mass.sum(axis=0) * np.arange(28)).sum(),
    )
    # centre of mass in the middle
    assert centre_y == pytest.approx(13.5, abs=1.0) and centre_x == pytest.approx(13.5, abs=1.0)


def test_white_on_black_drawing_is_not_inverted():
    board = Image.new("L", (280, 280), 0)
    ImageDraw.Draw(board).line([(100, 60), (180, 60), (120, 220)], fill=255, width=20)
    result = preprocess.preprocess(opened(board), MNIST_INPUT)
    assert not result.step("invert").automatic and not result.step("invert").applied
    assert result.array[0, 0, 0] == 0.0 and result.array.max() > 0.9


def test_switching_steps_off_changes_the_result():
    source = opened(ink_on_paper())
    automatic = preprocess.preprocess(source, MNIST_INPUT)
    without = preprocess.preprocess(source, MNIST_INPUT, switches={"invert": False})
    step = without.step("invert")
    assert step.automatic and not step.applied and step.note == "Switched off."
    # the paper stays light: the model would see the reverse of MNIST
    assert without.array[0, 0, 0] > 0.5
    # contrast explains the strokes are the wrong way round
    assert "Invert" in without.step("contrast").note
    plain = preprocess.preprocess(
        source, MNIST_INPUT, switches={"contrast": False, "square": False}
    )
    assert not plain.step("square").applied and not plain.step("contrast").applied
    assert not np.allclose(plain.array, automatic.array)


def test_switching_a_step_on_that_was_not_needed():
    board = Image.new("L", (100, 100), 0)
    ImageDraw.Draw(board).ellipse((30, 30, 70, 70), fill=255)
    forced = preprocess.preprocess(opened(board), MNIST_INPUT, switches={"invert": True})
    assert forced.step("invert").applied and not forced.step("invert").automatic


def test_exif_orientation_turns_the_picture_upright():
    wide = ink_on_paper(size=(240, 160), box=(20, 20, 60, 140))
    turned = preprocess.preprocess(opened(wide, orientation=6), CIFAR_INPUT)
    assert turned.step("orient").applied and turned.step("orient").image.size == (160, 240)
    assert "EXIF orientation {orientation}" in turned.step("orient").note
    kept = preprocess.preprocess(
        opened(wide, orientation=6), CIFAR_INPUT, switches={"orient": False}
    )
    assert not kept.step("orient").applied and kept.step("orient").image.size == (240, 160)
    upright = preprocess.preprocess(opened(wide), CIFAR_INPUT)
    assert not upright.step("orient").applied and upright.step("orient").note.startswith(
        "Already upright"
    )


def test_transparency_is_composited_on_white():
    image = Image.new("RGBA", (40, 40), (0, 0, 0, 0))  # transparent black ...
    # ... with an opaque red square
    ImageDraw.Draw(image).rectangle((10, 10, 30, 30), fill=(255, 0, 0, 255))
    result = preprocess.preprocess(opened(image), CIFAR_INPUT)
    colour = np.asarray(result.step("colour").image)
    assert tuple(colour[0, 0]) == (255, 255, 255) and tuple(colour[20, 20]) == (255, 0, 0)
    gray = preprocess.preprocess(opened(image), ModelInput(28, 28, 1, PHOTO_STYLE))
    assert gray.array.shape == (28, 28, 1) and gray.array[0, 0, 0] == 1.0


def test_photos_keep_colours_and_lose_the_sides():
    image = Image.new("RGB", (64, 32), (0, 0, 255))
    image.paste((255, 0, 0), (16, 0, 48, 32))  # red middle square, blue sides
    result = preprocess.preprocess(opened(image), CIFAR_INPUT)
    assert not result.step("invert").applied and not result.step("contrast").applied
    assert result.step("square").applied and result.step("square").image.size == (32, 32)
    assert result.array.shape == (32, 32, 3)
    assert np.allclose(result.array[..., 0], 1.0, atol=0.02) and np.allclose(
        result.array[..., 2], 0.0, atol=0.02
    )


def test_dataset_images_pass_unchanged():
    raw = sources.read_digits()
    image = imagefile.from_array(raw.x_test[0])
    result = preprocess.preprocess(image, ModelInput(8, 8, 1, DIGITS_STYLE), from_dataset=True)
    assert not any(result.step(s).applied for s in ("invert", "contrast", "square"))
    assert "already in the training format" in result.step("square").note
    assert np.array_equal(result.array, raw.x_test[0].astype(np.float32) / 255.0)


def test_models_that_rescale_themselves_get_0_to_255():
    result = preprocess.preprocess(
        opened(ink_on_paper()), ModelInput(28, 28, 1, MNIST_STYLE, value_range=255.0)
    )
    assert result.array.max() > 200 and not result.step("scale").applied


def test_a_blank_page_is_flagged():
    result = preprocess.preprocess(
        opened(Image.new("RGB", (200, 150), (230, 230, 225))), MNIST_INPUT
    )
    assert result.blank and "blank" in result.step("contrast").note


def test_light_background_datasets_get_the_reverse():
    board = Image.new("L", (120, 120), 0)
    ImageDraw.Draw(board).rectangle((50, 20, 70, 100), fill=255)
    style = ImageStyle("light", 0.8, False)
    result = preprocess.preprocess(opened(board), ModelInput(28, 28, 1, style))
    assert (
        result.step("invert").applied and result.array[0, 0, 0] == 1.0 and result.array.min() < 0.1
    )


def test_fashion_objects_fill_their_frame():
    shoe = ink_on_paper(size=(300, 300), box=(40, 130, 260, 200))
    result = preprocess.preprocess(opened(shoe), ModelInput(28, 28, 1, FASHION_STYLE))
    _top, left, _bottom, right = content_box(result.array[..., 0])
    assert right - left >= 27  # the longest side fills the 28 pixels, as in Fashion-MNIST


def test_dataset_styles():
    assert preprocess.style_for_dataset("mnist") == MNIST_STYLE
    assert preprocess.style_for_dataset("cifar10") == PHOTO_STYLE
    assert preprocess.style_for_dataset(None) == PHOTO_STYLE
    digits = sources.read_digits().x_train[:200]
    assert preprocess.style_from_images(digits).background == "dark"
    noise = np.random.default_rng(0).integers(0, 256, (50, 32, 32, 3), dtype=np.uint8)
    assert preprocess.style_from_images(noise) == PHOTO_STYLE
    paper = 255 - digits
    assert preprocess.style_from_images(paper).background == "light"


def test_user_dataset_style_is_measured(isolated_roots):
    for label in ("a", "b"):
        folder = isolated_roots["data"] / "shapes" / label
        folder.mkdir(parents=True)
        for i in range(6):
            image = Image.new("L", (32, 32), 0)
            ImageDraw.Draw(image).rectangle((8 + i, 8, 20 + i, 24), fill=255)
            image.save(folder / f"{i}.png")
    preprocess.style_for_dataset.cache_clear()
    style = preprocess.style_for_dataset("shapes")
    assert style.background == "dark" and 0.4 < style.content_fraction < 0.7
    assert preprocess.style_for_dataset("gone") == PHOTO_STYLE


def test_enlarged_keeps_pixels_visible():
    tiny = Image.fromarray(np.eye(8, dtype=np.uint8) * 255)
    big = preprocess.enlarged(tiny, size=140)
    assert big.size == (136, 136) and set(np.unique(np.asarray(big))) == {0, 255}
    assert preprocess.enlarged(Image.new("RGB", (1000, 500)), size=140).size == (140, 70)


def test_is_automatic_compares_the_optional_switches():
    automatic = preprocess.preprocess(opened(ink_on_paper()), MNIST_INPUT)
    switches = {step.id: step.automatic for step in automatic.steps if step.optional}
    assert automatic.is_automatic(switches)
    assert not automatic.is_automatic({**switches, "invert": not switches["invert"]})


def test_style_for_background():
    assert preprocess.style_for_background("varied") == PHOTO_STYLE
    assert preprocess.style_for_background("dark") == ImageStyle("dark", 0.9, False)
    assert preprocess.style_for_background("light").plain_background
