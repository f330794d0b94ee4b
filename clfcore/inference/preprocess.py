"""From a user's image to the model's input array, step by step, as data the page can show.

Example (a photo of a digit on paper)::

    photo = Path("digit_on_paper.jpg")
    opened = imagefile.open_image(photo.read_bytes(), name=photo.name)
    result = preprocess(opened, ModelInput(28, 28, 1, style=MNIST_STYLE))
    [(step.id, step.applied) for step in result.steps]
    # [('orient', True), ('colour', True), ('invert', True), ('contrast', True), ('square', True),
    #  ('resize', True), ('scale', True)]
    result.array.shape, result.array.dtype
    # ((28, 28, 1), dtype('float32'))

Every step has an id, an English title and one-line reason (translation keys), whether it ran,
what the app would decide by itself, and the image after it (for thumbnails). ``switches`` turns
optional steps on or off by id, so a student can see what each one does to the prediction. The
Classify page and ``python -m clfcore predict`` both call ``preprocess``.

The steps follow how the training images were made: MNIST digits are white on black, cut to their
bounding box, scaled into a 20x20 box and centred by their centre of mass in 28x28; a digit written
in ink on paper and photographed needs exactly those steps to look like one.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
from PIL import Image

from clfcore.data import datasets
from clfcore.errors import UserInputError
from clfcore.i18n import N_
from clfcore.inference.imagefile import OpenedImage

BACKGROUNDS = ("dark", "light", "varied")


@dataclass(frozen=True)
class ImageStyle:
    """What a dataset's images look like, so that a new image can be made to look the same."""

    # "dark": light objects on black (MNIST); "light": dark ink on white; "varied": photos
    background: str = "varied"
    # the object's longest side over the image side, e.g. 20/28 for MNIST
    content_fraction: float = 1.0
    # MNIST centres the digit's centre of mass; otherwise the bounding box is centred
    centre_by_mass: bool = False

    @property
    def plain_background(self) -> bool:
        """Objects on a plain background (digits, clothes), rather than photos of scenes."""
        return self.background in ("dark", "light")


PHOTO_STYLE = ImageStyle()
# LeCun et al.: 20x20 box, centre of mass at the centre of 28x28
MNIST_STYLE = ImageStyle("dark", 20 / 28, True)
# Zalando: the longest side of the product fills the 28x28 image
FASHION_STYLE = ImageStyle("dark", 1.0, False)
# scikit-learn's 8x8 digits fill their frame top to bottom
DIGITS_STYLE = ImageStyle("dark", 1.0, False)
_BUILTIN_STYLES = {
    "mnist": MNIST_STYLE,
    "fashion_mnist": FASHION_STYLE,
    "digits": DIGITS_STYLE,
    "cifar10": PHOTO_STYLE,
    "cifar100": PHOTO_STYLE,
    "cifar100_coarse": PHOTO_STYLE,
}


@dataclass(frozen=True)
class ModelInput:
    """What the model takes: its input size and channels, and the style of its training images."""

    height: int
    width: int
    channels: int  # 1 grayscale, 3 RGB
    style: ImageStyle = PHOTO_STYLE
    # 1.0: pixels scaled to [0, 1] (every run of this app); 255.0: the model rescales itself
    value_range: float = 1.0

    @property
    def digit_like(self) -> bool:
        """Light strokes on black, one channel: something a student can draw on a black canvas."""
        return self.channels == 1 and self.style.background == "dark"


@dataclass(frozen=True, eq=False)
class Step:
    """One preprocessing step, as the page shows it: a thumbnail, a toggle and a one-line reason."""

    id: str  # "orient", "colour", "invert", "contrast", "square", "resize", "scale"
    title: str  # English (translation key)
    reason: str  # English one-line template (translation key), filled with ``params``
    applied: bool  # the step ran
    automatic: bool  # what the app decides by itself for this image (the toggle's default)
    optional: bool  # the user may switch it on or off
    image: Image.Image  # the image after this step (mode L or RGB)
    # English template: what the step did or why it did nothing, filled with ``params``
    note: str = ""
    params: dict = field(default_factory=dict)


@dataclass(frozen=True, eq=False)
class Preprocessed:
    """The result: every step, and the array to give the model."""

    steps: tuple[Step, ...]
    # (height, width, channels) float32, in [0, 1] (or [0, 255], see ModelInput.value_range)
    array: np.ndarray
    blank: bool  # nothing stands out from the background: there is nothing to classify

    @property
    def image(self) -> Image.Image:
        """The model's input as an image (uint8), e.g. 28x28 grayscale."""
        return self.steps[-1].image

    def step(self, step_id: str) -> Step:
        return next(step for step in self.steps if step.id == step_id)

    def is_automatic(self, switches: Mapping[str, bool]) -> bool:
        """Whether ``switches`` (optional step id -> on) keep every optional step as it was chosen
        automatically, so this result stands for them too."""
        return all(switches[s.id] == s.automatic for s in self.steps if s.optional)


OPTIONAL_STEPS = ("orient", "invert", "contrast", "square")

_TITLES = {
    "orient": N_("Upright"),
    "colour": N_("Colour"),
    "invert": N_("Invert"),
    "contrast": N_("Contrast"),
    "square": N_("Crop and centre"),
    "resize": N_("Resize"),
    "scale": N_("Scale to [0, 1]"),
}

# EXIF orientation -> the transposition that makes the picture upright (as ImageOps.exif_transpose)
_TRANSPOSE = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}


# --- Dataset styles -------------------------------------------------------------------------------


def border_pixels(gray: np.ndarray) -> np.ndarray:
    """The outer ring of an (H, W) image, about 1/16 of each side deep (at least one pixel)."""
    height, width = gray.shape[:2]
    depth_y, depth_x = max(1, height // 16), max(1, width // 16)
    return np.concatenate(
        [
            gray[:depth_y].ravel(),
            gray[-depth_y:].ravel(),
            gray[:, :depth_x].ravel(),
            gray[:, -depth_x:].ravel(),
        ]
    )


def background_of(gray: np.ndarray) -> str:
    """ "dark", "light" or "varied" from the border of an (H, W) uint8 image."""
    border = border_pixels(gray).astype(np.float32)
    if np.percentile(border, 75) < 110:
        return "dark"
    if np.percentile(border, 25) > 145:
        return "light"
    return "varied"


def style_from_images(images: np.ndarray) -> ImageStyle:
    """Guess a dataset's style from a sample of its images (N, H, W, C) uint8.

    Plain dark or light backgrounds when most borders agree; photos otherwise. The content fraction
    is the median size of the objects' bounding boxes.
    """
    gray = images.mean(axis=3) if images.ndim == 4 else images
    kinds = [background_of(image) for image in gray]
    background = max(BACKGROUNDS, key=kinds.count)
    if background == "varied" or kinds.count(background) < 0.8 * len(kinds):
        return PHOTO_STYLE
    sizes = []
    for image in gray:
        box = _content_box(image if background == "dark" else 255 - image, 0.0)
        if box is not None:
            sizes.append(max(box[2] - box[0], box[3] - box[1]) / max(image.shape))
    fraction = float(np.clip(np.median(sizes), 0.5, 1.0)) if sizes else 1.0
    return ImageStyle(background, round(fraction, 2), False)


def style_for_background(background: str) -> ImageStyle:
    """The style of a model's training images known only by their background (an uploaded model).

    "varied" gives ``PHOTO_STYLE``; "dark" or "light" objects fill about 90 % of the image, centred
    by their bounding box.
    """
    return PHOTO_STYLE if background == "varied" else ImageStyle(background, 0.9, False)


@functools.lru_cache(maxsize=32)
def style_for_dataset(dataset_id: str | None) -> ImageStyle:
    """The style of a dataset's images: known for the built-in ones, measured on a sample for the
    user's own."""
    if dataset_id in _BUILTIN_STYLES:
        return _BUILTIN_STYLES[dataset_id]
    if not dataset_id:
        return PHOTO_STYLE

    try:
        raw = datasets.load_raw(dataset_id)
    except UserInputError:  # the folder is gone: treat its images as photos
        return PHOTO_STYLE
    sample = raw.x_train[np.random.default_rng(0).permutation(len(raw.x_train))[:200]]
    return style_from_images(sample)


# --- The steps ------------------------------------------------------------------------------------


def _luma(array: np.ndarray) -> np.ndarray:
    """(H, W) float32 brightness of an (H, W), (H, W, 1) or (H, W, 3) array."""
    if array.ndim == 3 and array.shape[2] == 1:
        array = array[..., 0]
    if array.ndim == 2:
        return array.astype(np.float32)
    return array.astype(np.float32) @ np.array([0.299, 0.587, 0.114], dtype=np.float32)


def _on_white(image: Image.Image, channels: int) -> Image.Image:
    """Alpha composited over white, then L or RGB."""
    if image.mode in ("LA", "RGBA"):
        rgba = image.convert("RGBA")
        image = Image.alpha_composite(Image.new("RGBA", rgba.size, (255, 255, 255, 255)), rgba)
    return image.convert("L" if channels == 1 else "RGB")


def _content_box(gray: np.ndarray, background: float) -> tuple[int, int, int, int] | None:
    """(top, left, bottom, right) of what stands out from ``background`` in an (H, W) image; None if
    nothing does."""
    deviation = np.abs(gray.astype(np.float32) - background)
    peak = float(deviation.max()) if deviation.size else 0.0
    if peak < 24:  # less than ~10 % of the range: noise, not an object
        return None
    mask = deviation > max(24.0, 0.25 * peak)
    rows, cols = np.flatnonzero(mask.any(axis=1)), np.flatnonzero(mask.any(axis=0))
    return int(rows[0]), int(cols[0]), int(rows[-1]) + 1, int(cols[-1]) + 1


def _stretch(array: np.ndarray, target: str) -> tuple[np.ndarray, str]:
    """Background to pure black (or white) and the strongest strokes to white (or black).

    Returns the new array and what was found: "object", "reversed" (the object is darker than the
    background where it should be lighter: left as it is) or "blank" (nothing stands out).
    """
    gray = _luma(array)
    flip = target == "light"
    if flip:  # work as on a dark background, flip back at the end
        array, gray = 255 - array.astype(np.float32), 255 - gray
    background = float(np.median(border_pixels(gray)))
    ink, shadow = np.percentile(gray, [99.5, 0.5])
    if ink - background < 24:
        out = array.astype(np.float32)
        return (255 - out if flip else out), "reversed" if background - shadow >= 24 else "blank"
    # paper texture and shadows under this become black
    low = background + 0.15 * (ink - background)
    out = np.clip((array.astype(np.float32) - low) * (255.0 / (ink - low)), 0, 255)
    return (255 - out if flip else out), "object"


def _square_around_content(array: np.ndarray, style: ImageStyle) -> tuple[np.ndarray, bool]:
    """Crop to the object and pad to a square where it fills ``content_fraction``, centred
    (MNIST-style)."""
    gray = _luma(array)
    border = border_pixels(gray)
    background = float(np.median(border))
    box = _content_box(gray, background)
    if box is None:
        return array, False
    top, left, bottom, right = box
    crop = array[top:bottom, left:right]
    height, width = bottom - top, right - left
    side = max(height, width, math.ceil(max(height, width) / style.content_fraction))
    fill = (
        np.median(array.reshape(-1, array.shape[2])[_border_mask(gray.shape).ravel()], axis=0)
        if array.ndim == 3
        else background
    )
    square = np.empty((side, side, *array.shape[2:]), dtype=np.float32)
    square[...] = fill
    if style.centre_by_mass:
        weights = np.abs(_luma(crop) - background)
        total = float(weights.sum()) or 1.0
        centre_y = float((weights.sum(axis=1) * np.arange(height)).sum()) / total
        centre_x = float((weights.sum(axis=0) * np.arange(width)).sum()) / total
        y0, x0 = round(side / 2 - centre_y - 0.5), round(side / 2 - centre_x - 0.5)
    else:
        y0, x0 = (side - height) // 2, (side - width) // 2
    # the whole object stays inside
    y0, x0 = (
        min(max(y0, 0), side - height),
        min(max(x0, 0), side - width),
    )
    square[y0 : y0 + height, x0 : x0 + width] = crop
    return square, True


def _border_mask(shape: tuple[int, int]) -> np.ndarray:
    mask = np.zeros(shape, dtype=bool)
    depth_y, depth_x = max(1, shape[0] // 16), max(1, shape[1] // 16)
    mask[:depth_y], mask[-depth_y:], mask[:, :depth_x], mask[:, -depth_x:] = True, True, True, True
    return mask


def _centre_square(array: np.ndarray) -> np.ndarray:
    height, width = array.shape[:2]
    side = min(height, width)
    top, left = (height - side) // 2, (width - side) // 2
    return array[top : top + side, left : left + side]


def _to_image(array: np.ndarray) -> Image.Image:
    array = np.clip(np.rint(array), 0, 255).astype(np.uint8)
    if array.ndim == 3 and array.shape[2] == 1:
        array = array[..., 0]
    return Image.fromarray(np.ascontiguousarray(array), mode="L" if array.ndim == 2 else "RGB")


def preprocess(
    source: OpenedImage,
    target: ModelInput,
    *,
    switches: Mapping[str, bool] | None = None,
    from_dataset: bool = False,
) -> Preprocessed:
    """Turn ``source`` into the model's input, keeping every intermediate image.

    Args:
        source: an image from ``clfcore.inference.imagefile`` (a file, a camera shot, a drawing, a
            dataset image).
        target: the model's input size, channels and its training images' style.
        switches: step id -> on/off for the optional steps (``OPTIONAL_STEPS``); steps not named
            keep their automatic choice.
        from_dataset: ``source`` is one of the dataset's own images, already in the training format:
            inversion, contrast and cropping are off unless switched on.

    Returns:
        ``Preprocessed`` with seven steps and the float32 array of shape (height, width, channels).
    """
    switches = dict(switches or {})
    style, steps = target.style, []

    def add(
        step_id: str,
        reason: str,
        *,
        applied: bool,
        automatic: bool,
        optional: bool,
        image: Image.Image,
        note: str = "",
        **params,
    ) -> None:
        if (
            from_dataset
            and step_id in ("invert", "contrast", "square")
            and not applied
            and step_id not in switches
        ):
            note = N_("Not needed: the dataset's own images are already in the training format.")
        steps.append(
            Step(
                step_id, _TITLES[step_id], reason, applied, automatic, optional, image, note, params
            )
        )

    # Work at a few times the model's size: every step below then takes a millisecond or two.
    image = source.image
    work_side = int(np.clip(8 * max(target.height, target.width), 256, 1024))
    if max(image.size) > work_side:
        scale = work_side / max(image.size)
        image = image.resize(
            (max(1, round(image.width * scale)), max(1, round(image.height * scale))),
            Image.Resampling.BOX,
        )

    # 1. EXIF orientation
    turn = _TRANSPOSE.get(source.orientation)
    on = switches.get("orient", True)
    if on and turn is not None:
        image = image.transpose(turn)
    add(
        "orient",
        N_(
            "Phones save photos sideways and note the turn in the EXIF data: turn the picture "
            "upright, as it was taken."
        ),
        applied=on and turn is not None,
        automatic=True,
        optional=True,
        image=_on_white(image, 3 if image.mode in ("RGB", "RGBA") else 1),
        note=(
            N_("Turned upright (EXIF orientation {orientation}).")
            if turn is not None
            else N_("Already upright: no EXIF turn to undo.")
        )
        if on
        else N_("Switched off."),
        orientation=source.orientation,
    )

    # 2. Colour: the channels the model expects, transparency on white
    image = _on_white(image, target.channels)
    add(
        "colour",
        N_(
            "The model was trained on grayscale images: keep one channel of brightness; "
            "transparent parts become white."
        )
        if target.channels == 1
        else N_(
            "The model was trained on colour images: use the three channels red, green "
            "and blue; transparent parts become white."
        ),
        applied=True,
        automatic=True,
        optional=False,
        image=image,
    )
    array = np.asarray(image, dtype=np.float32)
    if array.ndim == 2:
        array = array[..., None]

    # 3. Inversion: a light background where the training images have dark ones (or the reverse)
    seen = background_of(_luma(array).astype(np.uint8))
    wanted = style.background
    auto = (
        not from_dataset and style.plain_background and seen in ("dark", "light") and seen != wanted
    )
    on = switches.get("invert", auto)
    if on:
        array = 255.0 - array
    add(
        "invert",
        N_(
            "The training images show light objects on a dark background; a drawing in "
            "dark ink on white paper is the reverse: swap black and white."
        )
        if wanted == "dark"
        else N_(
            "The training images show dark objects on a light background: swap black and "
            "white when this image is the reverse."
        )
        if wanted == "light"
        else N_("The training images are photos: their colours are kept as they are."),
        applied=on,
        automatic=auto,
        optional=True,
        image=_to_image(array),
        note=N_("Inverted.")
        if on
        else N_("Switched off.")
        if auto
        else N_("Not needed: the background already matches."),
    )

    # 4. Contrast: the paper's grey becomes the training images' pure black
    auto = not from_dataset and style.plain_background
    on = switches.get("contrast", auto)
    found = ""
    if on:
        array, found = _stretch(array, wanted if wanted in ("dark", "light") else "dark")
    notes = {
        "blank": N_("Nothing stands out from the background: the image looks blank."),
        "reversed": N_(
            "The object is darker than the background, the reverse of the training images: "
            "switch Invert on."
        ),
        "object": "",
        "": N_("Not applied."),
    }
    add(
        "contrast",
        N_(
            "Make the background pure black and the strokes bright, as in the training "
            "images: paper is never perfectly white."
        ),
        applied=on,
        automatic=auto,
        optional=True,
        image=_to_image(array),
        note=notes[found],
    )
    blank = found == "blank"

    # 5. Crop and centre: MNIST-style for objects on a plain background, the central square for
    # photos
    auto = not from_dataset and (style.plain_background or array.shape[0] != array.shape[1])
    on = switches.get("square", auto)
    note = (
        ""
        if on
        else N_("Already square.")
        if array.shape[0] == array.shape[1] and not auto
        else N_("Not applied.")
    )
    if not style.plain_background:
        reason = N_(
            "Keep the largest square in the middle of the photo, so that resizing does "
            "not squash it."
        )
        if on:
            array = _centre_square(array)
    else:
        reason = (
            N_(
                "Crop to the digit, fit it in a {box}x{box} box of {side}x{side} and move "
                "its centre of mass to the centre, as MNIST was made."
            )
            if style.centre_by_mass
            else N_(
                "Crop to the object and pad it to a square with the object in the middle, "
                "as the training images were made."
            )
        )
        if on:
            array, centred = _square_around_content(array, style)
            note = "" if centred else N_("No object found: the image is used as it is.")
    side = target.height
    add(
        "square",
        reason,
        applied=on,
        automatic=auto,
        optional=True,
        image=_to_image(array),
        note=note,
        box=round(side * style.content_fraction),
        side=side,
    )

    # 6. Resize to the model's input
    image = _to_image(array)
    before = image.size
    if before != (target.width, target.height):
        image = image.resize(
            (target.width, target.height), Image.Resampling.LANCZOS, reducing_gap=3.0
        )
    add(
        "resize",
        N_("The model takes images of {height}x{width} pixels: resize to exactly that."),
        applied=True,
        automatic=True,
        optional=False,
        image=image,
        note=N_("From {from_width}x{from_height} pixels.")
        if before != image.size
        else N_("Already the right size."),
        height=target.height,
        width=target.width,
        from_width=before[0],
        from_height=before[1],
    )

    # 7. Scale to [0, 1]
    array = np.asarray(image, dtype=np.float32)
    if array.ndim == 2:
        array = array[..., None]
    if target.value_range == 1.0:
        array = array / 255.0
        reason = N_("Divide every pixel by 255: the model was trained on values between 0 and 1.")
    else:
        reason = N_(
            "This model rescales the pixels itself (its first layer is a Rescaling layer): "
            "keep the values 0-255."
        )
    add(
        "scale",
        reason,
        applied=target.value_range == 1.0,
        automatic=True,
        optional=False,
        image=image,
    )
    return Preprocessed(tuple(steps), array.astype(np.float32), blank)


def enlarged(image: Image.Image, *, size: int = 140) -> Image.Image:
    """A thumbnail about ``size`` pixels wide: tiny images (8x8, 28x28) are enlarged with visible
    pixels."""
    width, height = image.size
    if max(width, height) < size:
        factor = max(1, size // max(width, height))
        return image.resize((width * factor, height * factor), Image.Resampling.NEAREST)
    copy = image.copy()
    copy.thumbnail((size, size), Image.Resampling.LANCZOS)
    return copy
