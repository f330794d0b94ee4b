"""Layer specs: plain dicts that describe one Keras layer each, their shape arithmetic, and the
user's stack.

Every architecture is a list of specs such as ``{"type": "conv2d", "filters": 32, "kernel_size":
3}``. The same list builds the Keras model (``keras_call``), prints the standalone script
(``clfcore.export.codegen``) and gives the layer table with shapes and parameter counts by hand,
without importing Keras. The user's custom stack is checked here before anything is built:

    >>> conv, pool = {"type": "conv2d", "filters": 8}, {"type": "maxpool"}
    >>> stack = [conv, pool, {"type": "dense", "units": 16}]
    >>> check_custom_layers(stack, (28, 28, 1))
    [(28, 28, 8), (14, 14, 8), (16,)]

Output sizes follow the course's rule W' = (W - K + 2P) / S + 1, rounded down: padding="valid" has
P = 0, padding="same" pads so that W' = ceil(W / S). Pooling uses stride = pool size.
"""

from __future__ import annotations

import math
import numbers
import operator
from typing import Any

from clfcore.errors import UserInputError
from clfcore.models.backbones import IMAGENET_BGR_MEAN, find_weights, get_backbone

Shape = tuple[int, ...]  # (height, width, channels) for feature maps, (features,) once flattened

ACTIVATIONS = ("relu", "tanh", "sigmoid", "elu", "selu", "gelu", "swish", "linear")
PADDINGS = ("same", "valid")
MAX_LAYERS = 60  # more than any stack this app can train in reasonable time

# The settings a user may give each layer type, with their defaults.
CUSTOM_TYPES: dict[str, dict[str, Any]] = {
    "conv2d": {
        "filters": 32,
        "kernel_size": 3,
        "strides": 1,
        "padding": "same",
        "activation": "relu",
    },
    "maxpool": {"pool_size": 2},
    "avgpool": {"pool_size": 2},
    "dropout": {"rate": 0.25},
    "batchnorm": {},
    "flatten": {},
    "globalavgpool": {},
    "dense": {"units": 128, "activation": "relu"},
}
# need an (H, W, C) input
SPATIAL_TYPES = {
    "conv2d",
    "maxpool",
    "avgpool",
    "flatten",
    "globalavgpool",
}

# A small sensible CNN: two conv + pool blocks, then a dense layer (about 420k parameters on 28x28).
DEFAULT_CUSTOM_LAYERS: tuple[dict[str, Any], ...] = (
    {
        "type": "conv2d",
        "filters": 32,
        "kernel_size": 3,
        "strides": 1,
        "padding": "same",
        "activation": "relu",
    },
    {"type": "maxpool", "pool_size": 2},
    {
        "type": "conv2d",
        "filters": 64,
        "kernel_size": 3,
        "strides": 1,
        "padding": "same",
        "activation": "relu",
    },
    {"type": "maxpool", "pool_size": 2},
    {"type": "dropout", "rate": 0.25},
    {"type": "flatten"},
    {"type": "dense", "units": 128, "activation": "relu"},
    {"type": "dropout", "rate": 0.5},
)

_ALL_SETTINGS = {key for settings in CUSTOM_TYPES.values() for key in settings}
_INT_RANGES = {
    "filters": (1, 1024),
    "kernel_size": (1, 15),
    "strides": (1, 8),
    "pool_size": (1, 16),
    "units": (1, 8192),
}


# --- The user's custom stack ----------------------------------------------------------------------


def _checked_setting(number: int, kind: str, key: str, value: Any) -> Any:
    if key in _INT_RANGES:
        low, high = _INT_RANGES[key]
        if isinstance(value, float) and value.is_integer():
            value = int(value)  # 32.0 from a JSON round trip
        try:  # plain and NumPy integers; not bools
            valid = not isinstance(value, bool) and low <= operator.index(value) <= high
        except TypeError:
            valid = False
        if not valid:
            raise UserInputError(
                "Layer {number} ({type}): {setting} must be a whole number from {low} to "
                "{high}, got {value!r}.",
                number=number,
                type=kind,
                setting=key,
                low=low,
                high=high,
                value=value,
            )
        return int(value)
    if key == "rate":
        if (
            isinstance(value, bool)
            or not isinstance(value, numbers.Real)
            or not 0 <= float(value) < 1
        ):
            raise UserInputError(
                "Layer {number} ({type}): the rate must be at least 0 and below 1 (for "
                "example 0.25), got {value!r}.",
                number=number,
                type=kind,
                value=value,
            )
        return float(value)
    allowed = PADDINGS if key == "padding" else ACTIVATIONS
    if value not in allowed:
        raise UserInputError(
            "Layer {number} ({type}): {setting} must be one of {known}, got {value!r}.",
            number=number,
            type=kind,
            setting=key,
            known=", ".join(allowed),
            value=value,
        )
    return value


def normalize_custom_layers(layers: Any) -> list[dict[str, Any]]:
    """The user's layers with every setting checked and every default filled in (no shapes yet).

    Raises:
        UserInputError: an empty stack, an unknown type or setting, or a value out of range; the
            message names the layer number (counting from 1).
    """
    if not isinstance(layers, (list, tuple)) or not layers:
        raise UserInputError(
            "The custom model has no layers. Add at least one layer, for example a conv2d "
            "or a dense layer."
        )
    if len(layers) > MAX_LAYERS:
        raise UserInputError(
            "The custom model has {count} layers; the limit is {limit}. Remove some layers.",
            count=len(layers),
            limit=MAX_LAYERS,
        )
    result = []
    for number, layer in enumerate(layers, start=1):
        if not isinstance(layer, dict) or "type" not in layer:
            raise UserInputError(
                "Layer {number} must be a mapping with a 'type' key, got {value!r}.",
                number=number,
                value=layer,
            )
        kind = layer["type"]
        if kind not in CUSTOM_TYPES:
            raise UserInputError(
                "Layer {number} has an unknown type {type!r}. Choose one of: {known}.",
                number=number,
                type=kind,
                known=", ".join(CUSTOM_TYPES),
            )
        defaults = CUSTOM_TYPES[kind]
        for key in layer:
            # Settings of other layer types are ignored (a table of layers has a column for each);
            # anything else is most likely a typo.
            if key != "type" and key not in _ALL_SETTINGS:
                raise UserInputError(
                    "Layer {number} ({type}) has an unknown setting {key!r}. Its settings "
                    "are: {known}.",
                    number=number,
                    type=kind,
                    key=key,
                    known=", ".join(defaults) or "-",
                )
        settings = {
            key: _checked_setting(number, kind, key, layer.get(key, default))
            for key, default in defaults.items()
        }
        result.append({"type": kind, **settings})
    return result


def check_custom_layers(layers: Any, input_shape: Shape) -> list[Shape]:
    """Check a user's stack against an input shape before building it; the shape after each layer.

    Args:
        layers: list of layer dicts, e.g. ``[{"type": "conv2d", "filters": 32}, {"type":
            "maxpool"}]``.
            Types: conv2d, maxpool, avgpool, dropout, batchnorm, flatten, globalavgpool, dense;
            missing settings take the defaults of ``CUSTOM_TYPES``.
        input_shape: ``(height, width, channels)`` of the images.

    Returns:
        One shape per user layer: ``(H, W, C)`` while the features are an image, ``(N,)`` after a
        flatten, globalavgpool or dense layer (a dense layer right after an image implies a
        flatten).

    Raises:
        UserInputError: the stack cannot be built; the message names the layer and how to fix it.
    """
    shape = tuple(input_shape)
    shapes = []
    for number, layer in enumerate(normalize_custom_layers(layers), start=1):
        if layer["type"] in SPATIAL_TYPES and len(shape) != 3:
            raise UserInputError(
                "Layer {number} ({type}) needs an image-shaped input, but the features "
                "were already flattened by an earlier layer. Move it before the first flatten "
                "or dense layer.",
                number=number,
                type=layer["type"],
            )
        if layer["type"] == "dense" and len(shape) == 3:
            shape = (math.prod(shape),)  # the automatic flatten
        shape = output_shape(layer, shape)
        if len(shape) == 3 and min(shape[:2]) < 1:
            raise UserInputError(
                "After layer {number} ({type}) the feature map is {height}x{width}: remove "
                "a pooling layer or use padding='same'.",
                number=number,
                type=layer["type"],
                height=max(shape[0], 0),
                width=max(shape[1], 0),
            )
        shapes.append(shape)
    return shapes


# --- Shape and parameter arithmetic for any spec --------------------------------------------------


def _conv_size(size: int, kernel: int, stride: int, padding: str) -> int:
    if padding == "same":
        return math.ceil(size / stride)
    return (size - kernel) // stride + 1  # W' = (W - K + 2P) / S + 1 with P = 0


def output_shape(spec: dict[str, Any], shape: Shape) -> Shape:
    """The shape after the layer ``spec`` for an input of ``shape`` (batch dimension left out)."""
    kind = spec["type"]
    if kind == "resizing":
        return (spec["height"], spec["width"], shape[2])
    if kind == "conv2d":
        k, s, p = spec["kernel_size"], spec["strides"], spec["padding"]
        return (_conv_size(shape[0], k, s, p), _conv_size(shape[1], k, s, p), spec["filters"])
    if kind in ("maxpool", "avgpool"):
        size = spec["pool_size"]
        return (
            _conv_size(shape[0], size, size, "valid"),
            _conv_size(shape[1], size, size, "valid"),
            shape[2],
        )
    if kind == "flatten":
        return (math.prod(shape),)
    if kind == "globalavgpool":
        return (shape[2],)
    if kind == "dense":
        return (spec["units"],)
    if kind in ("to_rgb", "caffe"):
        return (shape[0], shape[1], 3)
    if kind == "backbone":  # five stride-2 stages, each rounding up
        return (
            math.ceil(shape[0] / 32),
            math.ceil(shape[1] / 32),
            get_backbone(spec["backbone"]).channels,
        )
    return shape  # dropout, batchnorm, rescaling


def parameter_counts(spec: dict[str, Any], shape: Shape) -> tuple[int, int]:
    """``(trainable, non_trainable)`` parameters of the layer ``spec`` given its input ``shape``."""
    kind = spec["type"]
    if kind == "conv2d":
        bias = spec["filters"] if spec.get("use_bias", True) else 0
        return spec["kernel_size"] ** 2 * shape[-1] * spec["filters"] + bias, 0
    if kind == "dense":
        return math.prod(shape) * spec["units"] + spec["units"], 0
    if kind == "batchnorm":
        # gamma, beta learn; the moving mean and variance do not
        return 2 * shape[-1], 2 * shape[-1]
    if kind == "to_rgb":
        return 0, 3  # a fixed 1x1 convolution copying the grey channel three times
    if kind == "caffe":
        return 0, 12  # a fixed 1x1 convolution: RGB -> BGR minus the ImageNet mean
    if kind == "backbone":
        backbone = get_backbone(spec["backbone"])
        if spec.get("trainable"):
            return backbone.params - backbone.non_trainable_params, backbone.non_trainable_params
        return 0, backbone.params  # frozen: nothing learns
    return 0, 0


_KERAS_NAMES = {
    "resizing": "resizing",
    "conv2d": "conv2d",
    "maxpool": "max_pooling2d",
    "avgpool": "average_pooling2d",
    "dropout": "dropout",
    "batchnorm": "batch_normalization",
    "flatten": "flatten",
    "globalavgpool": "global_average_pooling2d",
    "dense": "dense",
    "rescaling": "rescaling",
    "to_rgb": "to_rgb",
    "caffe": "bgr_minus_imagenet_mean",
}
_KERAS_CLASSES = {
    "resizing": "Resizing",
    "conv2d": "Conv2D",
    "maxpool": "MaxPooling2D",
    "avgpool": "AveragePooling2D",
    "dropout": "Dropout",
    "batchnorm": "BatchNormalization",
    "flatten": "Flatten",
    "globalavgpool": "GlobalAveragePooling2D",
    "dense": "Dense",
    "rescaling": "Rescaling",
    "to_rgb": "Conv2D",
    "caffe": "Conv2D",
}
# 1x1 kernel: output channel j = input channel 2 - j
_BGR_SWAP = [[[[0.0, 0.0, 1.0], [0.0, 1.0, 0.0], [1.0, 0.0, 0.0]]]]


def with_names(specs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """``specs`` with readable Keras-style names, numbered per kind as in the course's summaries:
    conv2d_1, ..."""
    counters: dict[str, int] = {}
    named = []
    for spec in specs:
        if spec["type"] == "backbone":  # one per model: named like the Keras application
            named.append({**spec, "name": spec["backbone"]})
            continue
        base = _KERAS_NAMES[spec["type"]]
        counters[base] = counters.get(base, 0) + 1
        named.append({**spec, "name": f"{base}_{counters[base]}"})
    return named


def keras_class(spec: dict[str, Any]) -> str:
    """The ``keras.layers`` class name of ``spec``, e.g. "Conv2D" ("applications.MobileNetV2" for a
    backbone)."""
    if spec["type"] == "backbone":
        return f"applications.{get_backbone(spec['backbone']).keras_class}"
    return _KERAS_CLASSES[spec["type"]]


def keras_call(spec: dict[str, Any]) -> tuple[str, tuple, dict[str, Any]]:
    """``(class name, positional args, keyword args)`` of the ``keras.layers`` call for ``spec``.

    The one translation from specs to Keras: ``build_layer`` calls it and ``clfcore.export.codegen``
    prints it, so the app's model and the exported script cannot drift apart.
    """
    kind, name = spec["type"], {"name": spec["name"]} if spec.get("name") else {}
    if kind == "resizing":
        return "Resizing", (spec["height"], spec["width"]), name
    if kind == "conv2d":
        kwargs = {"strides": spec["strides"]} if spec["strides"] != 1 else {}
        kwargs.update(padding=spec["padding"], activation=spec["activation"])
        if not spec.get("use_bias", True):
            kwargs["use_bias"] = False
        return "Conv2D", (spec["filters"], spec["kernel_size"]), {**kwargs, **name}
    if kind in ("maxpool", "avgpool"):
        return keras_class(spec), (spec["pool_size"],), name
    if kind == "dropout":
        return "Dropout", (spec["rate"],), name
    if kind == "dense":
        return "Dense", (spec["units"],), {"activation": spec["activation"], **name}
    if kind == "rescaling":
        return (
            "Rescaling",
            (spec["scale"],),
            ({"offset": spec["offset"]} if spec.get("offset") else {}) | name,
        )
    if kind == "to_rgb":
        return (
            "Conv2D",
            (3, 1),
            {"use_bias": False, "kernel_initializer": "ones", "trainable": False, **name},
        )
    if kind == "caffe":

        def constant(value):
            return {"class_name": "Constant", "config": {"value": value}}

        return (
            "Conv2D",
            (3, 1),
            {
                "kernel_initializer": constant(_BGR_SWAP),
                "bias_initializer": constant([-m for m in IMAGENET_BGR_MEAN]),
                "trainable": False,
                **name,
            },
        )
    if kind == "backbone":
        kwargs = {
            "include_top": False,
            "weights": spec.get("weights"),
            "input_shape": tuple(spec["input_shape"]),
            **name,
        }
        return keras_class(spec), (), kwargs
    if kind == "batchnorm" and "momentum" in spec:
        return "BatchNormalization", (), {"momentum": spec["momentum"], **name}
    return keras_class(spec), (), name  # batchnorm, flatten, globalavgpool


def build_layer(spec: dict[str, Any]):
    """A new ``keras.layers`` instance for ``spec`` (imports Keras)."""
    import keras

    class_name, args, kwargs = keras_call(spec)
    # a whole pretrained model used as one layer, frozen unless asked
    if spec["type"] == "backbone":
        # the file already on this machine, if any: no download attempt
        if kwargs["weights"] == "imagenet":
            found = find_weights(spec["backbone"], spec["input_shape"][0])
            kwargs["weights"] = str(found) if found else "imagenet"
        model = getattr(keras.applications, class_name.split(".")[1])(*args, **kwargs)
        model.trainable = bool(spec.get("trainable"))
        return model
    return getattr(keras.layers, class_name)(*args, **kwargs)
