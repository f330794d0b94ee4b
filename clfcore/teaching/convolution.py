"""The convolution lab's arithmetic: the same Keras layers a model uses, on one small image.

Example (a Sobel filter on a 28x28 image, stride 2, one pixel of zero padding)::

    result = convolve2d(image, kernel_named("sobel_x"), stride=2, padding=1)
    result.output.shape                   # (14, 14)
    size_rule(28, 3, 2, result.pads[1])   # "W' = ⌊(28 - 3 + 2*1) / 2⌋ + 1 = ⌊13.5⌋ + 1 = 14"
    step = result.step(5)                 # the 6th window: patch, products, sum, output cell

The output comes from ``keras.layers.Conv2D`` (``Conv1D``, ``MaxPooling2D``,
``AveragePooling2D``) with the kernel set as the layer's weights and no bias; the padded input is
kept as a numpy array, so a step view only slices arrays and never calls Keras again. Like Keras
(and CNN Explainer), the kernel is not flipped: a "convolution" in a CNN is a cross-correlation.

Padding: ``"valid"`` (none), ``"same"`` (Keras's own: as many zeros as make the output
ceil(size / stride), the odd one after) or a number P of zeros on every side, added here with
numpy before a ``"valid"`` layer.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from PIL import ImageOps

from clfcore.data import sources
from clfcore.errors import UserInputError
from clfcore.i18n import N_
from clfcore.inference import imagefile

# name -> (label, kernel); the labels are translated where they are shown
KERNELS: dict[str, tuple[str, tuple[tuple[float, ...], ...]]] = {
    "identity": (N_("Identity"), ((0, 0, 0), (0, 1, 0), (0, 0, 0))),
    "box_blur": (N_("Box blur"), ((1 / 9,) * 3,) * 3),
    "gaussian_blur": (
        N_("Gaussian blur"),
        ((1 / 16, 2 / 16, 1 / 16), (2 / 16, 4 / 16, 2 / 16), (1 / 16, 2 / 16, 1 / 16)),
    ),
    "sharpen": (N_("Sharpen"), ((0, -1, 0), (-1, 5, -1), (0, -1, 0))),
    "sobel_x": (N_("Sobel horizontal (sobel_x)"), ((1, 0, -1), (2, 0, -2), (1, 0, -1))),
    "sobel_y": (N_("Sobel vertical (sobel_y)"), ((1, 2, 1), (0, 0, 0), (-1, -2, -1))),
    "laplacian": (N_("Laplacian"), ((0, 1, 0), (1, -4, 1), (0, 1, 0))),
    "emboss": (N_("Emboss"), ((-2, -1, 0), (-1, 1, 1), (0, 1, 2))),
}
KERNEL_SIZES = (3, 5)  # an own kernel is 3x3 or 5x5
MAX_STRIDE = 4
MAX_PADDING = 4  # zeros on each side, for a numeric padding
POOL_KINDS = {"max": N_("Max pooling"), "average": N_("Average pooling")}
# the course's 2-D example (notes 004) and a short sequence for the 1-D convolution
COURSE_IMAGE = (
    (1, 1, 1, 0, 0),
    (0, 1, 1, 1, 0),
    (0, 0, 1, 1, 1),
    (0, 0, 1, 1, 0),
    (0, 1, 1, 0, 0),
)
COURSE_KERNEL = ((1, 0, 1), (0, 1, 0), (1, 0, 1))
SEQUENCE = (0, 1, 2, 3, 2, 1, 0, 1, 3, 5, 3, 1)
WEIGHTS_1D = (1, 0, -1)
SYNTHETIC = {
    "course": N_("The course's 5x5 example"),
    "square": N_("A square (12x12)"),
    "line": N_("A diagonal line (12x12)"),
    "digit": N_("A handwritten digit (8x8, scikit-learn)"),
}


def kernel_named(name: str) -> np.ndarray:
    """One of ``KERNELS`` as a float32 array.

    Raises:
        UserInputError: an unknown name.
    """
    if name not in KERNELS:
        raise UserInputError(
            "Unknown kernel {name!r}. Choose one of {names}, or give your own as rows of "
            "numbers such as '1,0,-1;2,0,-2;1,0,-1'.",
            name=name,
            names=", ".join(KERNELS),
        )
    return np.asarray(KERNELS[name][1], dtype=np.float32)


def check_kernel(values) -> np.ndarray:
    """An own kernel (a square grid of numbers, 3x3 or 5x5) as a float32 array.

    Raises:
        UserInputError: empty cells or non-numbers, not square, or not 3x3 / 5x5.
    """
    try:
        kernel = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError):
        raise UserInputError(
            "Every cell of the kernel must be a number, such as 1, -2 or 0.25. Fill in or fix "
            "the cells that are not."
        ) from None
    if kernel.ndim != 2 or kernel.shape[0] != kernel.shape[1]:
        raise UserInputError(
            "A kernel must be square (as many rows as columns), got {shape}. Give 3 rows of 3 "
            "numbers or 5 rows of 5.",
            shape="x".join(map(str, kernel.shape)) if kernel.ndim else "one number",
        )
    if kernel.shape[0] not in KERNEL_SIZES:
        raise UserInputError(
            "A kernel must be 3x3 or 5x5, got {size}x{size}.", size=kernel.shape[0]
        )
    if not np.isfinite(kernel).all():
        raise UserInputError(
            "Every cell of the kernel must be a number, such as 1, -2 or 0.25. Fill in or fix "
            "the cells that are not."
        )
    return kernel.astype(np.float32)


def parse_kernel(text: str) -> np.ndarray:
    """A kernel given by name (``"sobel_x"``) or as rows of numbers (``"1,0,-1;2,0,-2;1,0,-1"``).

    Raises:
        UserInputError: an unknown name or a bad grid (``check_kernel``).
    """
    text = text.strip()
    if text in KERNELS:
        return kernel_named(text)
    if not any(ch.isdigit() for ch in text):
        return kernel_named(text)  # a name, but not one we know: say which ones are
    rows = [row.replace(" ", "").split(",") for row in text.split(";")]
    if len({len(row) for row in rows}) != 1:
        raise UserInputError(
            "Every row of the kernel needs as many numbers, got rows of {lengths}. Separate "
            "numbers with ',' and rows with ';', e.g. '1,0,-1;2,0,-2;1,0,-1'.",
            lengths=", ".join(str(len(row)) for row in rows),
        )
    try:
        numbers = [[float(cell) for cell in row] for row in rows]
    except ValueError:
        raise UserInputError(
            "The kernel {text!r} holds something that is not a number. Separate numbers with "
            "',' and rows with ';', e.g. '1,0,-1;2,0,-2;1,0,-1'.",
            text=text,
        ) from None
    return check_kernel(numbers)


def parse_padding(text: str | int) -> str | int:
    """``"valid"``, ``"same"`` or a number of zeros 0-``MAX_PADDING`` on every side.

    Raises:
        UserInputError: anything else.
    """
    if isinstance(text, str):
        text = text.strip().lower()
        if text in ("valid", "same"):
            return text
    value = int(text) if isinstance(text, int) or str(text).isdigit() else -1
    if not 0 <= value <= MAX_PADDING:
        raise UserInputError(
            "The padding must be valid, same or a number of zeros from 0 to {top}, got {value!r}.",
            top=MAX_PADDING,
            value=text,
        )
    return value


def check_stride(stride: int, size: int) -> int:
    """Raises UserInputError for a stride below 1, above ``MAX_STRIDE`` or larger than the
    image."""
    if not 1 <= stride <= MAX_STRIDE:
        raise UserInputError(
            "The stride must be from 1 to {top}, got {stride}.", top=MAX_STRIDE, stride=stride
        )
    if stride > size:
        raise UserInputError(
            "The stride {stride} is larger than the image ({size} pixels): the window would "
            "jump past it. Choose a stride of at most {size}.",
            stride=stride,
            size=size,
        )
    return stride


def same_pads(size: int, window: int, stride: int) -> tuple[int, int]:
    """The zeros Keras's ``padding="same"`` adds (before, after): enough for ceil(size / stride)
    outputs, the odd one after (TensorFlow's rule)."""
    total = max((math.ceil(size / stride) - 1) * stride + window - size, 0)
    return total // 2, total - total // 2


def pads_for(size: int, window: int, stride: int, padding: str | int) -> tuple[int, int]:
    if padding == "valid":
        return 0, 0
    if padding == "same":
        return same_pads(size, window, stride)
    return int(padding), int(padding)


def output_size(size: int, window: int, stride: int, pads: tuple[int, int]) -> int:
    """floor((size - window + pads) / stride) + 1, the course's W' rule."""
    return (size - window + pads[0] + pads[1]) // stride + 1


def _number(value: float) -> str:
    return f"{round(value, 2):g}"


def size_rule(
    size: int, window: int, stride: int, pads: tuple[int, int] = (0, 0), *, name: str = "W"
) -> str:
    """The output-size rule with the numbers filled in, floor shown when it does not divide.

    Example:
        >>> size_rule(28, 3, 2, (1, 1))
        "W' = ⌊(28 - 3 + 2*1) / 2⌋ + 1 = ⌊13.5⌋ + 1 = 14"
        >>> size_rule(28, 2, 2, name="H")
        "H' = (28 - 2) / 2 + 1 = 14"
    """
    before, after = pads
    if before == after == 0:
        padded = ""
    elif before == after:
        padded = f" + 2*{before}"
    else:
        padded = f" + {before} + {after}"
    numerator = size - window + before + after
    result = output_size(size, window, stride, pads)
    fraction = f"({size} - {window}{padded})"
    if stride == 1:
        return f"{name}' = {fraction} + 1 = {result}"
    if numerator % stride == 0:
        return f"{name}' = {fraction} / {stride} + 1 = {result}"
    return f"{name}' = ⌊{fraction} / {stride}⌋ + 1 = ⌊{_number(numerator / stride)}⌋ + 1 = {result}"


@dataclass(frozen=True, eq=False)
class Step:
    """One window position: where it is and what it computes."""

    index: int  # 0 .. positions - 1, row by row
    out_row: int  # the output cell it fills
    out_col: int
    row: int  # top-left corner of the window in the padded input
    col: int
    patch: np.ndarray  # the covered input values (padded input coordinates)
    products: np.ndarray | None  # patch * kernel (convolution); None for pooling
    value: float  # sum of the products (convolution), max or mean (pooling)


@dataclass(frozen=True, eq=False)
class Result:
    """A 2-D convolution or pooling of one image, and the data of every window position.

    ``padded`` is the input with its zeros, as the window sees it; ``output`` is the layer's.
    """

    image: np.ndarray  # (H, W) float32
    padded: np.ndarray  # (H + pads, W + pads)
    kernel: np.ndarray | None  # (K, K) for a convolution; None for pooling
    window: int  # K, or the pool size
    stride: int
    padding: str | int
    pads: tuple[tuple[int, int], tuple[int, int]]  # ((top, bottom), (left, right))
    output: np.ndarray  # (H', W') float32
    pool: str | None = None  # "max" / "average" for pooling

    @property
    def positions(self) -> int:
        return int(self.output.size)

    def rules(self) -> list[str]:
        """The size rule for W, and for H when the image is not square."""
        height, width = self.image.shape
        rules = [size_rule(width, self.window, self.stride, self.pads[1], name="W")]
        if height != width or self.pads[0] != self.pads[1]:
            rules.insert(0, size_rule(height, self.window, self.stride, self.pads[0], name="H"))
        return rules

    def step(self, index: int) -> Step:
        """The window at position ``index`` (row by row), clipped to the valid range. Slices
        arrays only."""
        index = min(max(int(index), 0), self.positions - 1)
        out_row, out_col = divmod(index, self.output.shape[1])
        row, col = out_row * self.stride, out_col * self.stride
        patch = self.padded[row : row + self.window, col : col + self.window]
        if self.kernel is not None:
            products = patch * self.kernel
            return Step(index, out_row, out_col, row, col, patch, products, float(products.sum()))
        value = float(patch.max() if self.pool == "max" else patch.mean())
        return Step(index, out_row, out_col, row, col, patch, None, value)


def _check_image(image) -> np.ndarray:
    image = np.asarray(image, dtype=np.float32)
    if image.ndim != 2 or min(image.shape) < 1:
        raise UserInputError(
            "The lab takes one grayscale image (a 2-D grid of pixels), got an array of shape "
            "{shape}.",
            shape=tuple(image.shape),
        )
    return image


def _check_fits(size: int, window: int, pads: tuple[int, int], what: str) -> None:
    if size + pads[0] + pads[1] >= window:
        return
    params = {"window": window, "size": size + pads[0] + pads[1]}
    if what == "pool":
        raise UserInputError(
            "The pool ({window}x{window}) is larger than the image ({size} pixels a side). "
            "Choose a smaller pool size or a larger image.",
            **params,
        )
    raise UserInputError(
        "The kernel ({window}x{window}) is larger than the padded image ({size} pixels a "
        "side): there is no position for it. Choose a larger image, more padding or a "
        "smaller kernel.",
        **params,
    )


def convolve2d(image, kernel, *, stride: int = 1, padding: str | int = "valid") -> Result:
    """``image`` (H, W) convolved with ``kernel`` (K, K) by a ``keras.layers.Conv2D``.

    Args:
        image: one channel, any numbers (the lab uses 0-1).
        kernel: a square grid, 3x3 or 5x5 (``check_kernel``).
        stride: 1 to ``MAX_STRIDE``, at most the image's side. Defaults to 1.
        padding: "valid", "same" or a number of zeros on every side. Defaults to "valid".

    Raises:
        UserInputError: a bad kernel, stride or padding, or a kernel that does not fit.
    """
    image, kernel = _check_image(image), check_kernel(kernel)
    padding = parse_padding(padding)
    check_stride(stride, min(image.shape))
    window = kernel.shape[0]
    pads = tuple(pads_for(n, window, stride, padding) for n in image.shape)
    for n, pad in zip(image.shape, pads):
        _check_fits(n, window, pad, "kernel")
    padded = np.pad(image, pads)
    import keras  # here, not at the top: keep TensorFlow out of `import clfcore`

    layer = keras.layers.Conv2D(
        1,
        kernel.shape,
        strides=stride,
        padding="same" if padding == "same" else "valid",
        use_bias=False,
    )
    source = image if padding == "same" else padded  # "same": Keras pads, as in a model
    layer.build((1, *source.shape, 1))
    layer.set_weights([kernel[:, :, None, None]])
    output = keras.ops.convert_to_numpy(layer(source[None, :, :, None]))[0, :, :, 0]
    return Result(image, padded, kernel, window, stride, padding, pads, output)  # type: ignore[arg-type]


def pool2d(image, *, kind: str = "max", size: int = 2, stride: int | None = None) -> Result:
    """``image`` (H, W) through ``keras.layers.MaxPooling2D`` or ``AveragePooling2D`` ("valid").

    Args:
        kind: "max" or "average". Defaults to "max".
        size: the pool size, 2 to 5. Defaults to 2.
        stride: defaults to ``size``, as in Keras (strides=None).

    Raises:
        UserInputError: an unknown kind, a bad size or stride, or a pool larger than the image.
    """
    image = _check_image(image)
    if kind not in POOL_KINDS:
        raise UserInputError("Unknown pooling {kind!r}: choose max or average.", kind=kind)
    if not 2 <= size <= 5:
        raise UserInputError("The pool size must be from 2 to 5, got {size}.", size=size)
    stride = size if stride is None else stride
    check_stride(stride, min(image.shape))
    for n in image.shape:
        _check_fits(n, size, (0, 0), "pool")
    import keras  # here, not at the top: keep TensorFlow out of `import clfcore`

    layer_class = keras.layers.MaxPooling2D if kind == "max" else keras.layers.AveragePooling2D
    layer = layer_class(pool_size=size, strides=stride, padding="valid")
    output = keras.ops.convert_to_numpy(layer(image[None, :, :, None]))[0, :, :, 0]
    return Result(image, image, None, size, stride, "valid", ((0, 0), (0, 0)), output, kind)


@dataclass(frozen=True, eq=False)
class Result1D:
    """A 1-D convolution of a sequence by a ``keras.layers.Conv1D``."""

    sequence: np.ndarray  # (m,)
    padded: np.ndarray
    weights: np.ndarray  # (n,)
    stride: int
    padding: str | int
    pads: tuple[int, int]
    output: np.ndarray

    @property
    def positions(self) -> int:
        return int(self.output.size)

    def rule(self) -> str:
        return size_rule(len(self.sequence), len(self.weights), self.stride, self.pads, name="m")

    def step(self, index: int) -> Step:
        index = min(max(int(index), 0), self.positions - 1)
        start = index * self.stride
        patch = self.padded[start : start + len(self.weights)]
        products = patch * self.weights
        return Step(index, 0, index, 0, start, patch, products, float(products.sum()))


def parse_numbers(text: str) -> np.ndarray:
    """Numbers separated by commas or spaces (``"0, 1, 2"``) as a float32 array.

    Raises:
        UserInputError: empty, or something that is not a number.
    """
    parts = [part for part in text.replace(",", " ").replace(";", " ").split() if part]
    try:
        values = np.asarray([float(part) for part in parts], dtype=np.float32)
    except ValueError:
        raise UserInputError(
            "{text!r} holds something that is not a number. Write numbers separated by "
            "commas, e.g. 0, 1, 2, 3.",
            text=text,
        ) from None
    if not len(values) or not np.isfinite(values).all():
        raise UserInputError("Write at least one number, e.g. 0, 1, 2, 3.")
    return values


def convolve1d(sequence, weights, *, stride: int = 1, padding: str | int = "valid") -> Result1D:
    """``sequence`` (m,) convolved with ``weights`` (n,) by a ``keras.layers.Conv1D``: the course's
    c_k = sum_t s_(k+t) w_t.

    Raises:
        UserInputError: weights longer than the (padded) sequence, a bad stride or padding.
    """
    sequence = np.asarray(sequence, dtype=np.float32).reshape(-1)
    weights = np.asarray(weights, dtype=np.float32).reshape(-1)
    if not 1 <= len(weights) <= 9:
        raise UserInputError("The weights must be 1 to 9 numbers, got {count}.", count=len(weights))
    padding = parse_padding(padding)
    check_stride(stride, len(sequence))
    pads = pads_for(len(sequence), len(weights), stride, padding)
    if len(sequence) + sum(pads) < len(weights):
        raise UserInputError(
            "The weights ({n} numbers) are longer than the padded sequence ({m}): there is no "
            "position for them. Give fewer weights, a longer sequence or more padding.",
            n=len(weights),
            m=len(sequence) + sum(pads),
        )
    padded = np.pad(sequence, pads)
    import keras  # here, not at the top: keep TensorFlow out of `import clfcore`

    layer = keras.layers.Conv1D(
        1,
        len(weights),
        strides=stride,
        padding="same" if padding == "same" else "valid",
        use_bias=False,
    )
    source = sequence if padding == "same" else padded
    layer.build((1, len(source), 1))
    layer.set_weights([weights[:, None, None]])
    output = keras.ops.convert_to_numpy(layer(source[None, :, None]))[0, :, 0]
    return Result1D(sequence, padded, weights, stride, padding, pads, output)


# --- the lab's images --------------------------------------------------------------------------

MAX_SIDE = 64  # larger uploads are reduced: a heatmap of more cells is unreadable and slow


def synthetic_image(name: str) -> np.ndarray:
    """One of ``SYNTHETIC``, values 0-1 (H, W) float32.

    Raises:
        UserInputError: an unknown name.
    """
    if name == "course":
        return np.asarray(COURSE_IMAGE, dtype=np.float32)
    if name == "square":
        image = np.zeros((12, 12), dtype=np.float32)
        image[3:9, 3:9] = 1.0
        return image
    if name == "line":
        return np.eye(12, dtype=np.float32)[::-1].copy()
    if name == "digit":
        return sources.read_digits().x_train[0, :, :, 0].astype(np.float32) / 255.0
    raise UserInputError(
        "Unknown example image {name!r}: choose one of {names}.",
        name=name,
        names=", ".join(SYNTHETIC),
    )


def one_channel(pixels, *, channel: int | None = None) -> np.ndarray:
    """An image (H, W), (H, W, 1) or (H, W, 3) uint8 as one channel with values 0-1: the grayscale
    (luma) by default, or colour channel ``channel`` (0 red, 1 green, 2 blue)."""
    pixels = np.asarray(pixels, dtype=np.float32)
    if pixels.ndim == 3 and pixels.shape[2] == 1:
        pixels = pixels[..., 0]
    if pixels.ndim == 3:
        if channel is None:
            pixels = pixels[..., :3] @ np.array([0.299, 0.587, 0.114], dtype=np.float32)
        else:
            pixels = pixels[..., channel]
    return pixels / 255.0


def _lab_pixels(opened: imagefile.OpenedImage, channel: int | None) -> np.ndarray:
    picture = ImageOps.exif_transpose(opened.image).convert("RGB")
    picture.thumbnail((MAX_SIDE, MAX_SIDE))
    return one_channel(np.asarray(picture), channel=channel)


def image_from_file(data: bytes, *, name: str = "image", channel: int | None = None) -> np.ndarray:
    """An uploaded image file as one channel (0-1), reduced to at most ``MAX_SIDE`` pixels a
    side; ``channel`` as in ``one_channel``.

    Raises:
        UserInputError: not an image, damaged, too large (``clfcore.inference.imagefile``).
    """
    return _lab_pixels(imagefile.open_image(data, name=name), channel)


def image_from_path(path, *, channel: int | None = None) -> np.ndarray:
    """``image_from_file`` for a file on disk.

    Raises:
        UserInputError: the file cannot be read, or as ``image_from_file``.
    """
    return _lab_pixels(imagefile.open_path(path), channel)
