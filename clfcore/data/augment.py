"""Data augmentation: the frozen settings of a run, their checks, and the one Keras layer they
become.

    >>> config = AugmentConfig()  # the course's settings (the course practice on CNNs for CIFAR-10)
    >>> config.to_dict()["rotation_range"]
    10.0

Then, with Keras (``images``: float32 in [0, 1], shape (N, H, W, C))::

    layer = build_augmentation(config)            # a Keras 3 preprocessing layer
    augmented = layer(images, training=True)      # the same shape, randomly transformed

The names follow the course's ``ImageDataGenerator`` (rotation_range, width_shift_range, ...), which
does not exist in Keras 3: ``build_augmentation`` is its replacement, and both the Augment page's
preview and the training pipeline (``clfcore.training.pipeline``) call it, so what the page shows is
exactly what the network is trained on. Only the training split is ever augmented.

This module imports neither Keras nor TensorFlow at import time (``TrainConfig`` validates its
``augmentation`` dict with it); ``build_augmentation`` and ``preview`` import them when called.
"""

from __future__ import annotations

import dataclasses
import functools
import io
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np

from clfcore.data.explore import image_grid
from clfcore.errors import UserInputError
from clfcore.i18n import N_

# how pixels moved in from outside the image are filled
FILL_MODES = (
    "nearest",
    "constant",
    "reflect",
    "wrap",
)


class Range(NamedTuple):
    """The allowed values of a numeric setting, and from where on it is extreme (legal, with a
    warning)."""

    low: float
    high: float
    extreme: float  # values above this get a warning


RANGES: dict[str, Range] = {
    "rotation_range": Range(0, 180, 45),  # degrees
    "width_shift_range": Range(0, 0.5, 0.25),  # fraction of the width
    "height_shift_range": Range(0, 0.5, 0.25),
    "zoom_range": Range(0, 0.9, 0.5),  # fraction
    "shear_range": Range(0, 60, 30),  # degrees
    "brightness": Range(0, 1, 0.5),  # fraction of the 0-1 pixel range
    "contrast": Range(0, 1, 0.7),  # fraction
    "noise": Range(0, 0.5, 0.2),  # standard deviation, in units of the 0-1 pixel range
    "blur": Range(0, 3, 1.5),  # largest Gaussian sigma, in pixels
    "erasing": Range(0, 1, 0.75),  # probability per image
    "erasing_size": Range(
        0.05, 0.8, 0.5
    ),  # largest side of the erased rectangle, fraction of the image side
    "crop_padding": Range(0, 16, 8),  # pixels
}


@dataclass(frozen=True)
class AugmentConfig:
    """Every random change applied to the training images. Defaults: the course's settings (the
    course practice on CNNs for CIFAR-10).

    Geometric changes (rotation, shifts, zoom, shear, flips) are combined into one resampling per
    image, as ImageDataGenerator did. Values are "up to": each image gets its own random amount
    between -value and +value (flips: a coin toss each).
    """

    rotation_range: float = 10.0  # degrees either way (course: rotation_range=10)
    width_shift_range: float = 0.1  # fraction of the width, either way (course: 0.1)
    height_shift_range: float = 0.1  # fraction of the height, either way (course: 0.1)
    # zoom in or out by up to this fraction (course: 0.2; its illustration used 0.1)
    zoom_range: float = 0.2
    shear_range: float = 0.0  # shear angle in degrees (course: shear_range=0)
    horizontal_flip: bool = True  # mirror left-right half of the time (course: True)
    # mirror top-bottom half of the time (course: False; its illustration used True)
    vertical_flip: bool = False
    fill_mode: str = "nearest"  # one of FILL_MODES; ImageDataGenerator's default
    brightness: float = 0.0  # add up to this much (pixels are 0-1) to every pixel of an image
    contrast: float = 0.0  # scale the contrast by a factor between 1-value and 1+value
    noise: float = 0.0  # Gaussian noise of this standard deviation on every pixel
    blur: float = 0.0  # Gaussian blur with a sigma of up to this many pixels
    erasing: float = 0.0  # probability of erasing a random rectangle (cutout / random erasing)
    erasing_size: float = 0.3  # largest side of that rectangle, as a fraction of the image side
    crop_padding: int = 0  # pad by this many pixels, then crop a random window of the original size

    def __post_init__(self) -> None:
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if f.type == "bool":
                if not isinstance(value, (bool, np.bool_)):
                    raise UserInputError(
                        "The augmentation setting {name} must be true or false, got {value!r}.",
                        name=f.name,
                        value=value,
                    )
                object.__setattr__(self, f.name, bool(value))
            elif f.name == "fill_mode":
                if value not in FILL_MODES:
                    raise UserInputError(
                        "Unknown fill_mode {value!r}. Choose one of: {allowed}.",
                        value=value,
                        allowed=", ".join(FILL_MODES),
                    )
            else:
                allowed = RANGES[f.name]
                if (
                    isinstance(value, bool)
                    or not isinstance(value, (int, float, np.integer, np.floating))
                    or not np.isfinite(value)
                ):
                    raise UserInputError(
                        "The augmentation setting {name} must be a number between {low:g} "
                        "and {high:g}, got {value!r}.",
                        name=f.name,
                        low=allowed.low,
                        high=allowed.high,
                        value=value,
                    )
                if not allowed.low <= value <= allowed.high:
                    raise UserInputError(
                        "{name} must be between {low:g} and {high:g}, got {value:g}. Choose "
                        "a value in that range.",
                        name=f.name,
                        low=allowed.low,
                        high=allowed.high,
                        value=value,
                    )
                if f.name == "crop_padding":
                    if int(value) != value:
                        raise UserInputError(
                            "crop_padding is a whole number of pixels, got {value:g}.", value=value
                        )
                    object.__setattr__(self, f.name, int(value))
                else:
                    object.__setattr__(self, f.name, float(value))

    @classmethod
    def off(cls) -> AugmentConfig:
        """Every transform switched off (the other settings keep their defaults)."""
        return cls(
            rotation_range=0,
            width_shift_range=0,
            height_shift_range=0,
            zoom_range=0,
            horizontal_flip=False,
        )

    @property
    def geometric(self) -> bool:
        """True when at least one of rotation, shifts, zoom, shear or flips is on."""
        return any(
            (
                self.rotation_range,
                self.width_shift_range,
                self.height_shift_range,
                self.zoom_range,
                self.shear_range,
                self.horizontal_flip,
                self.vertical_flip,
            )
        )

    @property
    def active(self) -> bool:
        """True when any transform changes the images."""
        return self.geometric or any(
            (self.brightness, self.contrast, self.noise, self.blur, self.erasing, self.crop_padding)
        )

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON types, every setting spelled out: what a run's config.json records."""
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> AugmentConfig:
        """Rebuild from ``to_dict``'s output (e.g. a run's config.json). Missing keys take the
        defaults.

        Raises:
            UserInputError: unknown setting names, wrong types or values out of range.
        """
        data = dict(data or {})
        names = [f.name for f in dataclasses.fields(cls)]
        unknown = sorted(set(data) - set(names))
        if unknown:
            raise UserInputError(
                "Unknown augmentation setting {names}. Known settings: {known}.",
                names=", ".join(unknown),
                known=", ".join(names),
            )
        return cls(**data)

    def replace(self, **changes: Any) -> AugmentConfig:
        return dataclasses.replace(self, **changes)


COURSE_DEFAULTS = AugmentConfig()


def settings_for_run(config: AugmentConfig, *, enabled: bool = True) -> dict[str, Any]:
    """What goes into ``TrainConfig.augmentation``: every setting when on, ``{}`` for no
    augmentation."""
    return config.to_dict() if enabled and config.active else {}


# --- words: a one-line summary and the warnings, as (English template, params) to translate where
# shown


class Message(NamedTuple):
    """A user-facing sentence: an English template (the translation key) and its placeholder
    values."""

    template: str
    params: dict


def summary(config: AugmentConfig) -> list[Message]:
    """The active transforms, one short phrase each, e.g. "rotation ±10°" (empty when none is
    on)."""
    parts: list[Message] = []
    if config.rotation_range:
        parts.append(Message(N_("rotation ±{degrees:g}°"), {"degrees": config.rotation_range}))
    if config.width_shift_range or config.height_shift_range:
        parts.append(
            Message(
                N_("shift ±{width:.0%} × ±{height:.0%}"),
                {"width": config.width_shift_range, "height": config.height_shift_range},
            )
        )
    if config.zoom_range:
        parts.append(Message(N_("zoom ±{zoom:.0%}"), {"zoom": config.zoom_range}))
    if config.shear_range:
        parts.append(Message(N_("shear ±{degrees:g}°"), {"degrees": config.shear_range}))
    if config.horizontal_flip:
        parts.append(Message(N_("horizontal flip"), {}))
    if config.vertical_flip:
        parts.append(Message(N_("vertical flip"), {}))
    if config.brightness:
        parts.append(Message(N_("brightness ±{value:.0%}"), {"value": config.brightness}))
    if config.contrast:
        parts.append(Message(N_("contrast ±{value:.0%}"), {"value": config.contrast}))
    if config.noise:
        parts.append(Message(N_("noise σ {value:g}"), {"value": config.noise}))
    if config.blur:
        parts.append(Message(N_("blur up to σ {value:g} px"), {"value": config.blur}))
    if config.erasing:
        parts.append(
            Message(
                N_("erasing {probability:.0%} (up to {size:.0%} of a side)"),
                {"probability": config.erasing, "size": config.erasing_size},
            )
        )
    if config.crop_padding:
        parts.append(
            Message(N_("random crop after {pixels} px padding"), {"pixels": config.crop_padding})
        )
    return parts


def is_digits(class_names: tuple[str, ...] | list[str]) -> bool:
    """True when the classes are the digits 0-9 (or some of them): flips and big rotations change
    them."""
    return len(class_names) > 1 and all(
        name.strip().isdigit() and len(name.strip()) == 1 for name in class_names
    )


def warnings(
    config: AugmentConfig,
    *,
    class_names: tuple[str, ...] | list[str] = (),
    image_shape: tuple[int, ...] | None = None,
) -> list[Message]:
    """Settings that are legal but may hurt: transforms that can change the class, or hide the
    object.

    Args:
        config: the settings to check.
        class_names: the dataset's classes; digits get the class-changing warnings (6 vs 9, mirrored
            2).
        image_shape: (height, width, channels); small images get the size-dependent warnings.
    """
    found: list[Message] = []
    digits = is_digits(class_names)
    if digits and config.vertical_flip:
        found.append(
            Message(
                N_(
                    "Vertical flips change digits: an upside-down 6 looks like a 9, and "
                    "a mirrored 2, 3, 4, 5 or 7 is no digit at all. The network learns "
                    "wrong labels: turn vertical flip off for digits."
                ),
                {},
            )
        )
    if digits and config.horizontal_flip:
        found.append(
            Message(
                N_(
                    "Horizontal flips change digits: a mirrored 2, 3, 4, 5, 6, 7 or 9 is "
                    "no longer that digit, and the test set never shows mirrored digits. "
                    "Turn horizontal flip off for digits (the course uses it for CIFAR-10 "
                    "photos)."
                ),
                {},
            )
        )
    if digits and config.rotation_range >= 90:
        found.append(
            Message(
                N_(
                    "Rotations of {degrees:g}° change digits: a 6 turned 180° is a 9. Keep "
                    "rotations of digits small (10-15°)."
                ),
                {"degrees": config.rotation_range},
            )
        )
    elif config.rotation_range > RANGES["rotation_range"].extreme:
        found.append(
            Message(
                N_(
                    "Rotations of up to {degrees:g}° show objects sideways or upside down, "
                    "which the test images never are. The course uses 10°."
                ),
                {"degrees": config.rotation_range},
            )
        )
    if config.vertical_flip and not digits:
        found.append(
            Message(
                N_(
                    "Vertical flips show the images upside down. Fine for photos taken "
                    "from above; for clothes, animals or vehicles the test set never looks "
                    "like that."
                ),
                {},
            )
        )
    extremes = {
        "width_shift_range": N_(
            "Shifts of up to {value:.0%} of the image can push the object out of the picture."
        ),
        "height_shift_range": N_(
            "Shifts of up to {value:.0%} of the image can push the object out of the picture."
        ),
        "zoom_range": N_(
            "Zooming in or out by up to {value:.0%} can crop the object or shrink it to "
            "a few pixels."
        ),
        "shear_range": N_("Shears of up to {value:g}° distort shapes strongly."),
        "brightness": N_(
            "Brightness changes of up to {value:.0%} can turn images almost black or white."
        ),
        "contrast": N_(
            "Contrast changes of up to {value:.0%} can flatten images to a single grey."
        ),
        "noise": N_(
            "Noise with a standard deviation of {value:g} can drown the image: most pixels "
            "change by more than the details you want learnt."
        ),
        "blur": N_("A blur of up to {value:g} pixels erases the details of small images."),
        "erasing_size": N_(
            "Erased rectangles of up to {value:.0%} of a side can hide the whole object."
        ),
    }
    shown = set()
    for name, template in extremes.items():
        value = getattr(config, name)
        if name == "erasing_size" and not config.erasing:
            continue
        if value > RANGES[name].extreme and template not in shown:
            shown.add(template)
            found.append(Message(template, {"value": value}))
    if image_shape is not None:
        side = min(image_shape[0], image_shape[1])
        if config.crop_padding and config.crop_padding > side / 4:
            found.append(
                Message(
                    N_(
                        "Padding {pixels} pixels on {side}-pixel images can crop away a "
                        "quarter of the image or more. Try {suggested} pixels or fewer."
                    ),
                    {"pixels": config.crop_padding, "side": side, "suggested": max(1, side // 8)},
                )
            )
        if config.blur and config.blur > side / 16 and config.blur <= RANGES["blur"].extreme:
            found.append(
                Message(
                    N_("A blur of up to {value:g} pixels erases the details of small images."),
                    {"value": config.blur},
                )
            )
    return found


# --- the one Keras implementation, and the preview that uses it


def build_augmentation(config: AugmentConfig, *, seed: int | None = None):
    """The Keras 3 preprocessing layer for ``config``: the preview and the training pipeline both
    use it.

    Args:
        config: the settings.
        seed: seed of the layer's own random generator, used when it runs inside a model (on a GPU).
            The tf.data pipeline and the preview pass an explicit seed per call instead.

    Returns:
        ``clfcore.data.augment_layer.Augmentation``: call it on float32 images in [0, 1] of shape
        (N, H, W, C) with ``training=True``; with ``training=False`` it returns them unchanged.
    """
    # here, not at the top: the layer imports Keras; the settings above stay free of TensorFlow
    from clfcore.data.augment_layer import Augmentation

    return Augmentation(**config.to_dict(), seed=seed)


def keras_call(config: AugmentConfig, *, one_per_line: bool = False) -> str:
    """The layer's constructor call as Python source, naming only what differs from "all off".

    >>> keras_call(AugmentConfig())  # doctest: +NORMALIZE_WHITESPACE
    'Augmentation(rotation_range=10.0, width_shift_range=0.1, height_shift_range=0.1,
    zoom_range=0.2, horizontal_flip=True)'
    """
    off = AugmentConfig.off().to_dict()
    changed = [
        f"{name}={value!r}" for name, value in config.to_dict().items() if value != off[name]
    ]
    if one_per_line and changed:
        return "Augmentation(\n" + "".join(f"    {argument},\n" for argument in changed) + ")"
    return f"Augmentation({', '.join(changed)})"


@functools.lru_cache(maxsize=8)
def _cached_layer(config: AugmentConfig):
    return build_augmentation(config)


def preview(
    images: np.ndarray, config: AugmentConfig, *, copies: int = 4, seed: int = 0
) -> np.ndarray:
    """``copies`` augmented versions of each image, through the same layer training uses.

    The same seed gives the same random draws, so moving one slider changes only that transform's
    strength in the grid; a new seed ("re-roll") draws new ones.

    Args:
        images: uint8 (N, H, W, C) or float32 in [0, 1].
        config: the settings.
        copies: augmented versions per image.
        seed: the random draws to use.

    Returns:
        uint8 array (N, copies, H, W, C).
    """
    images = np.asarray(images)
    if images.ndim != 4:
        raise UserInputError(
            "Preview images must have shape (N, height, width, channels), got {shape}.",
            shape=tuple(images.shape),
        )
    floats = (
        images.astype("float32") / 255.0 if images.dtype == np.uint8 else images.astype("float32")
    )
    n, h, w, c = floats.shape
    repeated = np.repeat(floats, copies, axis=0)  # image 0 copy 0, image 0 copy 1, ...
    out = _cached_layer(config)(repeated, training=True, seed=np.array([seed, 0], dtype="int64"))
    out = np.asarray(out)
    return np.clip(np.rint(out * 255.0), 0, 255).astype(np.uint8).reshape(n, copies, h, w, c)


def preview_grid(
    originals: np.ndarray,
    augmented: np.ndarray,
    *,
    upscale: int = 1,
    gap: int = 2,
    separator: int = 6,
) -> np.ndarray:
    """One picture: each row is an original, a wider gap, then its augmented versions.

    Args:
        originals: uint8 (N, H, W, C).
        augmented: uint8 (N, copies, H, W, C), from ``preview``.
        upscale: nearest-neighbour enlargement, so 8x8 or 28x28 images stay visible.
        gap: pixels between augmented versions; separator: pixels after the original.

    Returns:
        uint8 (rows, columns, C), background white.
    """
    n, copies = augmented.shape[:2]
    left = image_grid(originals, columns=1, upscale=upscale, gap=gap)
    right = image_grid(
        augmented.reshape(n * copies, *augmented.shape[2:]),
        columns=copies,
        upscale=upscale,
        gap=gap,
    )
    spacer = np.full((left.shape[0], separator, left.shape[2]), 255, dtype=np.uint8)
    return np.concatenate([left, spacer, right], axis=1)


def image_from_upload(data: bytes, image_shape: tuple[int, int, int]) -> np.ndarray:
    """An uploaded file as one uint8 image of ``image_shape`` (resized, converted to grey or RGB).

    Raises:
        UserInputError: the file is empty or not an image PIL can read.
    """
    from PIL import Image, UnidentifiedImageError

    if not data:
        raise UserInputError(
            "The uploaded file is empty. Upload a PNG, JPEG, GIF, BMP or WebP image."
        )
    try:
        with Image.open(io.BytesIO(data)) as image:
            image.load()
            converted = image.convert("L" if image_shape[2] == 1 else "RGB").resize(
                (image_shape[1], image_shape[0]), Image.Resampling.LANCZOS
            )
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError) as error:
        raise UserInputError(
            "The uploaded file is not an image that can be read: it is another kind of "
            "file, or a damaged image. Upload a PNG, JPEG, GIF, BMP or WebP image."
        ) from error
    array = np.asarray(converted, dtype=np.uint8)
    return array.reshape(image_shape[0], image_shape[1], image_shape[2])
