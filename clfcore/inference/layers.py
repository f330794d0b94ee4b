"""The layer-by-layer walk through a model for one image (CNN Explainer's view, on your own model).

Example (``model`` a trained CNN, ``image`` one test image in [0, 1])::

    from clfcore.inference import layers
    walk = layers.layer_walk(model, image)
    [(step.name, step.class_name, step.output_shape, step.params) for step in walk]
    # [('conv2d', 'Conv2D', (28, 28, 24), 240), ('max_pooling2d', 'MaxPooling2D', (14, 14, 24), 0),
    #  ..., ('dense_1', 'Dense', (10,), 1290)]
    layers.receptive_box(model, "conv2d_1", row=3, col=5)   # (top, left, bottom, right) pixels
    layers.strongest_input_channels(model, "conv2d_1", 7)   # which maps feed map 7 the most

The walk taps every top-level layer's output with one multi-output model
(``clfcore.inference.gradcam.cached_tap_model``, built once per model), so the shared model is
never modified and the image goes through the network once. A nested model (a transfer-learning
backbone) is one step, with its output.
"""

from __future__ import annotations

import threading
import weakref
from dataclasses import dataclass

import numpy as np

from clfcore.errors import UserInputError
from clfcore.inference import gradcam, predict

# What a step's activation is drawn as: a grid of feature maps, bars, the class probabilities, or
# only its shape (Flatten, Dropout, Resizing, ... : nothing new to draw)
MAPS, VECTOR, OUTPUT, LISTED = "maps", "vector", "output", "listed"
# layers whose output is their input rearranged or untouched at inference
_LISTED_CLASSES = (
    "Flatten",
    "Reshape",
    "Dropout",
    "SpatialDropout2D",
    "GaussianNoise",
    "GaussianDropout",
    "AlphaDropout",
    "Resizing",
    "Rescaling",
    "Normalization",
    "RandomFlip",
    "RandomRotation",
    "RandomZoom",
    "RandomTranslation",
    "RandomContrast",
    "RandomBrightness",
    "RandomCrop",
    "CenterCrop",
    "InputLayer",
)
# layers that keep each channel apart (map c of the output comes from map c of the input), so the
# kernel behind a map is the one of the convolution before them
_PER_CHANNEL_CLASSES = (
    "MaxPooling2D",
    "AveragePooling2D",
    "BatchNormalization",
    "Activation",
    "ReLU",
    "LeakyReLU",
    "ELU",
    "PReLU",
    "Dropout",
    "SpatialDropout2D",
    "GaussianNoise",
    "GaussianDropout",
    "LayerNormalization",
)
_POOL_CLASSES = ("MaxPooling2D", "AveragePooling2D")
_CONV_CLASSES = ("Conv2D", "DepthwiseConv2D", "SeparableConv2D")
# layers that move no pixel (for the receptive field)
_POINTWISE_CLASSES = (*_PER_CHANNEL_CLASSES, "Rescaling", "Normalization", "InputLayer")
# model -> its traced walk; forgets deleted models (the sessions share models, hence the lock)
_walks: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_walk_lock = threading.Lock()


@dataclass(frozen=True, eq=False)
class LayerStep:
    """One layer of the walk and what it output for the image."""

    index: int  # position in the walk, 0 = the first layer after the input
    name: str  # the layer's name, e.g. "conv2d_1"
    class_name: str  # its Keras class, e.g. "Conv2D"; a nested model: "Functional"
    output_shape: tuple[int, ...]  # without the batch axis, e.g. (14, 14, 24)
    params: int  # weights it holds (trainable or not)
    activation: np.ndarray  # float32, of ``output_shape``: its output for the image
    kind: str  # MAPS, VECTOR, OUTPUT or LISTED
    nested: bool = False  # a whole model used as one layer (a transfer-learning backbone)


def _steps(model) -> list:
    """The top-level layers the walk shows, input to output (an InputLayer is no step)."""
    return [layer for layer in model.layers if layer.__class__.__name__ != "InputLayer"]


def _kind(layer, activation: np.ndarray, *, is_output: bool) -> str:
    if is_output:
        return OUTPUT
    if layer.__class__.__name__ in _LISTED_CLASSES:
        return LISTED
    if activation.ndim == 3:
        return MAPS
    if activation.ndim == 1:
        return VECTOR
    return LISTED


def layer_walk(model, image) -> tuple[LayerStep, ...]:
    """Every top-level layer of ``model`` in order, with its output for ``image``.

    Args:
        model: a Functional (or built Sequential) Keras model; it is not modified.
        image: one image, float32 in [0, 1], ``(H, W, C)`` (or ``(H, W)``, or a batch of one).

    Returns:
        one ``LayerStep`` per layer; the model's output layer(s) have kind OUTPUT.

    Raises:
        UserInputError: not one image, or an image that does not fit the model.
    """
    batch = gradcam.as_batch(model, image)
    if batch.shape[0] != 1:
        raise UserInputError(
            "Give one image to walk through the layers, got {count}.", count=batch.shape[0]
        )
    layers = _steps(model)
    if not layers:
        return ()
    outputs = _traced_walk(model, layers)(batch)
    outputs = outputs if isinstance(outputs, (list, tuple)) else [outputs]
    last = {id(tensor) for tensor in model.outputs}
    steps = []
    for index, (layer, output) in enumerate(zip(layers, outputs)):
        activation = np.asarray(output, dtype=np.float32)[0]
        is_output = id(layer.output) in last if _has_output(layer) else index == len(layers) - 1
        steps.append(
            LayerStep(
                index=index,
                name=layer.name,
                class_name=layer.__class__.__name__,
                output_shape=tuple(int(d) for d in activation.shape),
                params=int(layer.count_params()),
                activation=activation,
                kind=_kind(layer, activation, is_output=is_output),
                nested=gradcam._is_container(layer),
            )
        )
    return tuple(steps)


def _traced_walk(model, layers: list):
    """The multi-output model over every layer's output, traced once per model into a graph
    (``predict.direct_call``: an eager call of its layers one by one takes several times as
    long on a busy CPU)."""
    with _walk_lock:
        if model not in _walks:
            tap = gradcam.cached_tap_model(
                model, [(_output_path(layer), "output") for layer in layers]
            )
            height, width, channels = (int(d) for d in model.inputs[0].shape[1:])
            _walks[model] = predict.direct_call(tap, (height, width, channels))
        return _walks[model]


def _output_path(layer, prefix: str = "") -> str:
    """What to tap for a layer's output: its name, or for a nested model the path of the inner
    layer that makes the nested model's output (a nested model's own output tensor belongs to its
    inner graph, which the outer model's inputs do not reach)."""
    if not gradcam._is_container(layer):
        return prefix + layer.name
    inner = layer.outputs[0]._keras_history.operation
    return _output_path(inner, prefix + layer.name + gradcam.SEPARATOR)


def _has_output(layer) -> bool:
    try:
        _ = layer.output
    except (AttributeError, ValueError):  # a layer never called on a symbolic input
        return False
    return True


# --- Receptive fields -----------------------------------------------------------------------------


def _pair(value) -> tuple[int, int]:
    if isinstance(value, (int, np.integer)):  # a layer's config holds an int or a pair
        return int(value), int(value)
    return int(value[0]), int(value[1])


def _window(layer) -> tuple[tuple[int, int], tuple[int, int], str] | None:
    """``(kernel size, strides, padding)`` of a layer that slides a window, with the dilation folded
    into the kernel size; None for a layer that moves no pixel."""
    name = layer.__class__.__name__
    if name in _CONV_CLASSES:
        kernel, dilation = _pair(layer.kernel_size), _pair(layer.dilation_rate)
        size = (dilation[0] * (kernel[0] - 1) + 1, dilation[1] * (kernel[1] - 1) + 1)
        return size, _pair(layer.strides), layer.padding
    if name in _POOL_CLASSES:
        pool = _pair(layer.pool_size)
        return pool, _pair(layer.strides if layer.strides is not None else pool), layer.padding
    return None


def _spatial(shape) -> tuple[int, int]:
    return int(shape[1]), int(shape[2])


def _path_to(model, layer_name: str) -> list:
    layers = _steps(model)
    names = [layer.name for layer in layers]
    if layer_name not in names:
        raise UserInputError(
            "The model has no layer named {name!r}. Choose one of: {known}.",
            name=layer_name,
            known=", ".join(names),
        )
    path = layers[: names.index(layer_name) + 1]
    if len(tuple(path[-1].output.shape)) != 4:
        raise UserInputError(
            "The layer {name!r} has no feature maps, so its units have no region of the image.",
            name=layer_name,
        )
    return path


def receptive_box(model, layer_name: str, row: int, col: int) -> tuple[int, int, int, int]:
    """The region of the input image that the unit ``(row, col)`` of a layer's feature maps sees.

    Goes back through the layers from ``layer_name`` to the input: a window of size ``k``, stride
    ``s`` and padding ``p`` before the first row maps output rows ``a..b`` to input rows
    ``a*s - p .. b*s - p + k - 1``; a (bilinear) Resizing layer scales the rows, keeping both
    pixels each output pixel interpolates; other layers move no pixel.

    Returns:
        ``(top, left, bottom, right)``, inclusive pixel rows and columns of the input, clipped to
        the image (padding lies outside it).

    Raises:
        UserInputError: no such layer, a layer without feature maps, a unit outside its maps, or a
        layer whose geometry is unknown (e.g. a nested backbone).
    """
    path = _path_to(model, layer_name)
    height, width = _spatial(path[-1].output.shape)
    if not (0 <= row < height and 0 <= col < width):
        raise UserInputError(
            "The unit ({row}, {col}) is outside the {height}x{width} maps of {name}.",
            row=row,
            col=col,
            height=height,
            width=width,
            name=layer_name,
        )
    box = [[row, row], [col, col]]  # inclusive ranges per axis, in the current layer's grid
    for layer in reversed(path):
        box = _back_through(layer, box)
    in_height, in_width = _spatial(model.inputs[0].shape)
    top, bottom = max(0, box[0][0]), min(in_height - 1, box[0][1])
    left, right = max(0, box[1][0]), min(in_width - 1, box[1][1])
    return top, left, bottom, right


def receptive_field_size(model, layer_name: str) -> tuple[int, int]:
    """``(height, width)`` of the input window one unit of ``layer_name`` sees, padding included
    (the textbook receptive field: ``r = r_prev + (k - 1) * jump``)."""
    box = [[0, 0], [0, 0]]
    for layer in reversed(_path_to(model, layer_name)):
        box = _back_through(layer, box)
    return box[0][1] - box[0][0] + 1, box[1][1] - box[1][0] + 1


def _back_through(layer, box: list[list[int]]) -> list[list[int]]:
    name = layer.__class__.__name__
    window = _window(layer)
    if window is not None:
        (kernel, strides, padding), out = window, []
        in_size = _spatial(layer.input.shape)
        for axis, (first, last) in enumerate(box):
            k, s, n = kernel[axis], strides[axis], in_size[axis]
            before = 0
            if padding == "same":  # TensorFlow pads the extra row after, not before
                total = max((int(np.ceil(n / s)) - 1) * s + k - n, 0)
                before = total // 2
            out.append([first * s - before, last * s - before + k - 1])
        return out
    if name == "Resizing":
        (in_h, in_w), (out_h, out_w) = _spatial(layer.input.shape), _spatial(layer.output.shape)
        scales = (in_h / out_h, in_w / out_w)
        # bilinear: output pixel i reads the two input pixels around (i + 0.5) * scale - 0.5
        return [
            [
                int(np.floor((first + 0.5) * scale - 0.5)),
                int(np.floor((last + 0.5) * scale - 0.5)) + 1,
            ]
            for (first, last), scale in zip(box, scales)
        ]
    if name in _POINTWISE_CLASSES:
        return box
    raise UserInputError(
        "The region of the image seen by a unit cannot be traced through the layer {name} "
        "({kind}).",
        name=layer.name,
        kind=name,
    )


def strongest_unit(maps: np.ndarray) -> tuple[int, int]:
    """``(row, col)`` of the largest value of one feature map ``(h, w)``."""
    maps = np.asarray(maps)
    row, col = np.unravel_index(int(np.argmax(maps)), maps.shape)
    return int(row), int(col)


# --- Kernels --------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class KernelView:
    """The kernel behind one feature map: per input channel, its slice and the slice's L1 norm."""

    layer: str  # the convolution whose kernel it is (the layer itself, or the one before a pooling)
    channel: int  # the output channel of that convolution
    in_channels: tuple[int, ...]  # input channels, strongest first (all of them, or ``count``)
    slices: np.ndarray  # float32 (len(in_channels), k, k): the kernel's weights for each
    norms: tuple[float, ...]  # L1 norm of each slice
    total_in: int  # how many input channels the kernel reads
    first: bool  # the model's first convolution: its inputs are the image's channels


def producing_conv(model, layer_name: str) -> str | None:
    """The convolution whose kernel made the feature maps of ``layer_name``: the layer itself when
    it is a convolution, else the nearest convolution before it through layers that keep each
    channel apart (pooling, batch normalisation, activations). None if there is none."""
    layers = _steps(model)
    names = [layer.name for layer in layers]
    if layer_name not in names:
        return None
    for layer in reversed(layers[: names.index(layer_name) + 1]):
        name = layer.__class__.__name__
        if name in ("Conv2D", "DepthwiseConv2D"):
            return layer.name
        if name not in _PER_CHANNEL_CLASSES:
            return None
    return None


def strongest_input_channels(
    model, layer_name: str, channel: int, *, count: int | None = 4
) -> KernelView:
    """The input channels whose kernel slices for output ``channel`` have the largest L1 norm.

    A Conv2D's output map ``channel`` sums one ``k x k`` slice of its kernel per input channel; the
    slices with the largest absolute weights say which input maps it draws on most. For the first
    convolution the inputs are the image's own channels, all of them returned in order.

    Args:
        model: a Keras model; not modified.
        layer_name: a top-level Conv2D or DepthwiseConv2D layer.
        channel: the output channel (feature map number, from 0).
        count: how many input channels to keep. Defaults to 4; None keeps all.

    Raises:
        UserInputError: not such a layer, or a channel it does not have.
    """
    layers = {layer.name: layer for layer in _steps(model)}
    layer = layers.get(layer_name)
    if layer is None or layer.__class__.__name__ not in ("Conv2D", "DepthwiseConv2D"):
        raise UserInputError(
            "The model has no convolution layer named {name!r} at its top level.",
            name=layer_name,
        )
    first = gradcam.conv_layer_names(model)[:1] == [layer_name]
    if layer.__class__.__name__ == "DepthwiseConv2D":  # one input channel per output channel
        kernel = np.asarray(layer.depthwise_kernel, dtype=np.float32)  # (k, k, in, multiplier)
        outputs, multiplier = kernel.shape[2] * kernel.shape[3], kernel.shape[3]
        _check_channel(layer_name, channel, outputs)
        source = channel // multiplier
        weights = kernel[:, :, source : source + 1, channel % multiplier]
        order = np.array([source])
        total = kernel.shape[2]
    else:
        kernel = np.asarray(layer.kernel, dtype=np.float32)  # (k, k, in, out)
        _check_channel(layer_name, channel, kernel.shape[3])
        weights = kernel[:, :, :, channel]
        total = kernel.shape[2]
        norms = np.abs(weights).sum(axis=(0, 1))
        # stable, so equal norms keep the channel order
        order = np.arange(total) if first else np.argsort(-norms, kind="stable")
        if count is not None and not first:
            order = order[:count]
        weights = weights[:, :, order]
    slices = np.moveaxis(weights, -1, 0).astype(np.float32)
    return KernelView(
        layer=layer_name,
        channel=int(channel),
        in_channels=tuple(int(c) for c in order),
        slices=slices,
        norms=tuple(float(n) for n in np.abs(slices).sum(axis=(1, 2))),
        total_in=int(total),
        first=first,
    )


def _check_channel(layer_name: str, channel: int, count: int) -> None:
    if not 0 <= channel < count:
        raise UserInputError(
            "{name} has feature maps 0 to {last}, not {channel}.",
            name=layer_name,
            last=count - 1,
            channel=channel,
        )


def input_layer_before(model, layer_name: str) -> str | None:
    """The name of the top-level layer whose output ``layer_name`` reads (None: the image)."""
    layers = _steps(model)
    names = [layer.name for layer in layers]
    position = names.index(layer_name) if layer_name in names else 0
    return names[position - 1] if position > 0 else None
