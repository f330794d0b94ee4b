"""The architecture registry: the course's models, our recommended CNN and the user's own stack.

    >>> from clfcore.models import architectures
    >>> [a.id for a in architectures.list_architectures()]  # doctest: +NORMALIZE_WHITESPACE
    ['mlp', 'lenet', 'course_cifar_cnn', 'course_bn_cnn', 'recommended', 'mobilenetv2', 'resnet50',
    'efficientnetb0', 'custom']
    >>> architectures.describe("course_cifar_cnn", (32, 32, 3), 10)["total_params"]
    276138
    >>> model = architectures.build_model("lenet", (28, 28, 1), 10)   # imports Keras

Every architecture is first written as a list of layer specs (``clfcore.models.custom_layers``). The
specs give ``describe`` its shapes and parameter counts without Keras, build the model, and print
the standalone script of ``clfcore.export.codegen``. Importing this module does not import Keras.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from clfcore import course
from clfcore.data.tasks import TASKS
from clfcore.errors import UserInputError
from clfcore.i18n import N_, translate
from clfcore.models import custom_layers
from clfcore.models.backbones import find_weights, get_backbone

# part of this module's API
from clfcore.models.custom_layers import check_custom_layers  # noqa: F401
from clfcore.models.heads import head_specs

Shape = tuple[int, ...]

MAX_PARAMS = (
    50_000_000  # beyond this a model does not fit in memory or train in reasonable time on a CPU
)
COURSE_CNN_MIN_SIZE = (
    32  # the CIFAR-10 models were designed for 32x32: smaller images are resized up
)
LENET_MIN_SIZE = 28  # LeNet-5 as on MNIST
# the backbones halve the size 5 times; 32 is their minimum
TRANSFER_IMAGE_SIZES = (
    32,
    64,
    96,
    128,
    160,
    192,
    224,
)
TRANSFER_IDS = ("mobilenetv2", "resnet50", "efficientnetb0")


@dataclass(frozen=True)
class Architecture:
    """What an architecture is and how the course trains it. Build it with ``build_model``."""

    id: str  # stable id used in run configs, URLs and the command line
    name: str  # display name (translate with clfcore.i18n)
    summary: (
        str  # one English paragraph: what it is and when to use it (translate with clfcore.i18n)
    )
    source: (
        str  # what in the course document it comes from, or where it comes from if not the course
    )
    preset: dict  # default training settings: optimizer, learning_rate, batch_size, epochs
    options: dict  # default builder options; {} if it has none
    convolutional: bool  # has Conv2D layers, so Grad-CAM can explain it
    document: str | None = None  # the course document it comes from (clfcore.course.DOCUMENTS)

    def cited_source(self, lang: str = "en") -> str:
        """Where it comes from, e.g. "Course notes on CNNs: the LeNet architecture", in ``lang``."""
        if self.document is None:
            return translate(self.source, lang)
        return course.cite(self.document, self.source, lang)


_ARCHITECTURES = (
    Architecture(
        "mlp",
        N_("MLP (course practice 1)"),
        N_(
            "The course's first deep network: the image is flattened into one long vector "
            "and goes through fully connected (Dense) layers, by default one hidden layer "
            "of 256 ReLU units, then the output layer. It trains in seconds and is a good "
            "baseline for MNIST and Fashion-MNIST, but it ignores where each pixel is, "
            "so it does poorly on colour photos. Add hidden layers, units or dropout as "
            "in the practice's exercise 2."
        ),
        N_("the MLP on MNIST"),
        {"optimizer": "rmsprop", "learning_rate": 0.001, "batch_size": 128, "epochs": 10},
        {"hidden_layers": 1, "units": 256, "dropout": 0.0},
        False,
        document="001",
    ),
    Architecture(
        "lenet",
        N_("LeNet"),
        N_(
            "The classic convolutional network of Yann LeCun: two 5x5 convolutions (6 then "
            "16 filters) alternating with 2x2 average pooling, then Dense layers of 120 "
            "and 84 units. Made for small grayscale images such as digits and clothes; "
            "images smaller than 28x28 are first resized to 28x28."
        ),
        N_("the LeNet architecture"),
        {"optimizer": "adam", "learning_rate": 0.001, "batch_size": 128, "epochs": 10},
        {"dense_layers": 2, "activation": "relu"},
        True,
        document="004",
    ),
    Architecture(
        "course_cifar_cnn",
        N_("Course CIFAR-10 CNN (6 convolutions)"),
        N_(
            "The course's CIFAR-10 network: three blocks of two 3x3 convolutions (32, 64 "
            "and 64 filters) with max pooling and dropout, then a Dense layer of 512 units; "
            "276,138 parameters on CIFAR-10. The course trains it with RMSprop, batch 256, "
            "for 100 epochs, and adds data augmentation to reduce overfitting. Images smaller "
            "than 32x32 are first resized to 32x32."
        ),
        N_("the 6-convolution network"),
        {"optimizer": "rmsprop", "learning_rate": 0.001, "batch_size": 256, "epochs": 100},
        {},
        True,
        document="002",
    ),
    Architecture(
        "course_bn_cnn",
        N_("Course CNN with batch normalisation"),
        N_(
            "The CIFAR-10 guide's network: 3x3 convolutions with 32, 64, 64 and 128 filters, "
            "each followed by dropout and batch normalisation, two max poolings, then a "
            "small Dense layer of 32 units; 393,962 parameters on CIFAR-10, 82 % test accuracy "
            "after 25 epochs with Adam, batch 64. Images smaller than 32x32 are first resized "
            "to 32x32."
        ),
        N_("the CIFAR-10 network with dropout and batch normalisation"),
        {"optimizer": "adam", "learning_rate": 0.001, "batch_size": 64, "epochs": 25},
        {},
        True,
        document="003",
    ),
    Architecture(
        "recommended",
        N_("Recommended CNN"),
        N_(
            "Our own preset for small images on a CPU: two blocks of a 3x3 convolution "
            "with ReLU, 2x2 max pooling and batch normalisation (24 then 48 filters; larger "
            "images get more blocks), then dropout and a Dense layer of 128 units, about "
            "310,000 parameters on 28x28 images. It needs few computations per image, so "
            "it trains in about 5 minutes on a 2-core CPU; with Adam and a cosine learning-rate "
            "decay over 15 epochs it reached 92.66 % test accuracy on Fashion-MNIST. Start "
            "here for your own small images."
        ),
        N_("Not in the course: our recommendation, built from the course's blocks"),
        {
            "optimizer": "adam",
            "learning_rate": 0.001,
            "batch_size": 128,
            "epochs": 15,
            "lr_schedule": "cosine",
        },
        {},
        True,
    ),
    *(
        Architecture(
            backbone_id,
            name,
            summary,
            N_("transfer learning with ResNet50"),
            {"optimizer": "adam", "learning_rate": 0.001, "batch_size": 32, "epochs": 5},
            {
                "image_size": 96,
                "weights": "imagenet",
                "dense_units": 0,
                "dropout": 0.2,
                "fine_tune_layers": 0,
                "fine_tune_epochs": 3,
                "fine_tune_lr_factor": 0.1,
            },
            True,
            document="004",
        )
        for backbone_id, name, summary in (
            (
                "mobilenetv2",
                N_("Transfer learning: MobileNetV2"),
                N_(
                    "A network trained on the 1.2 million photos of ImageNet, reused: its "
                    "convolutional part (the backbone, 2.3 million parameters) is frozen "
                    "and only a new output layer on top of its 1,280 averaged features "
                    "learns your classes. Small and fast, the best start for your own photos "
                    "on a CPU. Images are resized (96x96 by default) and grey images copied "
                    "to three channels inside the model. Optionally a second stage unfreezes "
                    "the top layers and fine-tunes them with a lower learning rate."
                ),
            ),
            (
                "resnet50",
                N_("Transfer learning: ResNet50"),
                N_(
                    "The course's transfer-learning example: ResNet50 (50 layers, 23.6 "
                    "million parameters, trained on ImageNet) without its top, frozen, "
                    "then global average pooling of its 2,048 feature maps and a new output "
                    "layer. Freezing keeps it from overfitting a small dataset and makes "
                    "training much faster. About 10 times slower than MobileNetV2 on a "
                    "CPU: use small images and few epochs."
                ),
            ),
            (
                "efficientnetb0",
                N_("Transfer learning: EfficientNetB0"),
                N_(
                    "EfficientNetB0 (4 million parameters, trained on ImageNet) without "
                    "its top, frozen, with a new output layer on its 1,280 averaged features. "
                    "More accurate than MobileNetV2 on photos for a little more computation. "
                    "It normalises its input itself."
                ),
            ),
        )
    ),
    Architecture(
        "custom",
        N_("Your own stack of layers"),
        N_(
            "Stack your own layers: convolutions, max or average pooling, dropout, batch "
            "normalisation, flatten and dense layers, in the order you choose. The size "
            "after each layer is checked before building with the course's rule W' = (W "
            "- K + 2P)/S + 1, and a flatten is added before the first dense layer if missing."
        ),
        N_("convolution, padding, stride and pooling"),
        {"optimizer": "adam", "learning_rate": 0.001, "batch_size": 128, "epochs": 10},
        {"layers": [dict(layer) for layer in custom_layers.DEFAULT_CUSTOM_LAYERS]},
        True,
        document="004",
    ),
)
_BY_ID = {arch.id: arch for arch in _ARCHITECTURES}

# Allowed option values: ("int", low, high), ("float", low, high) or ("choice", values).
_OPTION_RULES: dict[str, dict[str, tuple]] = {
    "mlp": {
        "hidden_layers": ("int", 1, 5),
        "units": ("int", 1, 4096),
        "dropout": ("float", 0.0, 0.9),
    },
    "lenet": {"dense_layers": ("choice", (1, 2)), "activation": ("choice", ("relu", "tanh"))},
    "custom": {"layers": ("layers",)},
    **{
        backbone_id: {
            "image_size": ("choice", TRANSFER_IMAGE_SIZES),
            "weights": ("choice", ("imagenet", "random")),
            "dense_units": ("int", 0, 2048),
            "dropout": ("float", 0.0, 0.9),
            "fine_tune_layers": ("int", 0, layers),
            "fine_tune_epochs": ("int", 0, 100),
            "fine_tune_lr_factor": ("float", 0.001, 1.0),
        }
        for backbone_id, layers in (
            ("mobilenetv2", 154),
            ("resnet50", 175),
            ("efficientnetb0", 237),
        )
    },
}


def list_architectures() -> list[Architecture]:
    """Every architecture, in the order the course meets them, then ours and the custom stack."""
    return list(_ARCHITECTURES)


@dataclass(frozen=True)
class CameraPreset:
    """What "Train a camera classifier" trains: an architecture, its options and the training
    settings (``TrainConfig`` field names). Build it with ``camera_preset()``."""

    architecture: str
    options: dict
    settings: dict  # optimizer, learning_rate, batch_size, epochs (and lr_schedule)
    pretrained: bool  # False: the ImageNet weights were not on this machine


CAMERA_BACKBONE = "mobilenetv2"
CAMERA_IMAGE_SIZE = 96  # a camera recording's shots (clfcore.data.recording) and the model's input


def camera_preset(*, weights_found: bool | None = None) -> CameraPreset:
    """Transfer learning on small images with few epochs, so a class goes from nothing to a live
    camera classifier in a few minutes on a CPU.

    MobileNetV2 at 96x96 with its ImageNet weights, frozen, and a new output layer: 5 epochs of a
    few dozen shots take seconds. The weights cannot be downloaded on a machine without internet,
    so when they are not on this machine (``backbones.find_weights``) the preset is the
    recommended CNN from random weights instead, for 12 epochs: it still tells a few camera classes
    apart when they look different enough; ``pretrained`` says which one it is (the app warns).

    Args:
        weights_found: whether the ImageNet weights are on this machine. Defaults to looking.
    """
    if weights_found is None:
        weights_found = find_weights(CAMERA_BACKBONE, CAMERA_IMAGE_SIZE) is not None
    if weights_found:
        return CameraPreset(
            CAMERA_BACKBONE,
            {
                **_BY_ID[CAMERA_BACKBONE].options,
                "image_size": CAMERA_IMAGE_SIZE,
                "weights": "imagenet",
                "fine_tune_layers": 0,
            },
            {"optimizer": "adam", "learning_rate": 0.001, "batch_size": 16, "epochs": 5},
            True,
        )
    return CameraPreset(
        "recommended",
        {},
        {
            "optimizer": "adam",
            "learning_rate": 0.001,
            "batch_size": 16,
            "epochs": 12,
            "lr_schedule": "cosine",
        },
        False,
    )


def get_architecture(arch_id: str) -> Architecture:
    """The architecture ``arch_id``. Raises UserInputError naming the known ids for an unknown
    one."""
    try:
        return _BY_ID[arch_id]
    except (KeyError, TypeError):
        raise UserInputError(
            "Unknown architecture {name!r}. Choose one of: {known}.",
            name=arch_id,
            known=", ".join(_BY_ID),
        ) from None


def has_convolutions(arch_id: str, options: dict | None = None) -> bool:
    """Whether the model has convolutions: a custom stack only when one of its layers is a
    conv2d."""
    arch = get_architecture(arch_id)
    if arch.id == "custom":
        layers = (options or {}).get("layers", arch.options["layers"])
        return any(isinstance(layer, dict) and layer.get("type") == "conv2d" for layer in layers)
    return arch.convolutional


def output_layer_and_loss(task: str, num_classes: int, *, one_hot: bool) -> tuple[int, str, str]:
    """The output layer and loss a task needs: ``(units, activation, loss name)``.

    - binary: 1 sigmoid unit, binary cross-entropy.
    - multiclass: ``num_classes`` softmax units with categorical (one-hot labels) or sparse
      categorical (integer labels) cross-entropy.
    - multilabel: ``num_classes`` independent sigmoid units, binary cross-entropy.
    - hierarchical: the fine head, ``num_classes`` softmax units with (sparse) categorical
      cross-entropy; the coarse head is the same with the coarse classes
      (``model_spec(..., coarse_classes=...)``), and the loss is the weighted sum of both heads'
      cross-entropies.
    """
    if task not in TASKS:
        raise UserInputError(
            "Unknown task {task!r}. Choose one of: {known}.", task=task, known=", ".join(TASKS)
        )
    if task == "binary":
        if num_classes not in (1, 2):
            raise UserInputError(
                "A binary task has 2 classes, got {count}. Choose the multiclass task for "
                "more classes.",
                count=num_classes,
            )
        return 1, "sigmoid", "binary_crossentropy"
    if num_classes < 2:
        raise UserInputError(
            "A {task} task needs at least 2 classes, got {count}.", task=task, count=num_classes
        )
    if task == "multilabel":
        return num_classes, "sigmoid", "binary_crossentropy"
    return (
        num_classes,
        "softmax",
        "categorical_crossentropy" if one_hot else "sparse_categorical_crossentropy",
    )


# --- Options and specs ----------------------------------------------------------------------------


def check_options(arch_id: str, options: dict | None) -> dict[str, Any]:
    """Every builder option of ``arch_id``: the default ones with ``options`` checked on top.

    Raises:
        UserInputError: an unknown architecture or option, or a value outside the option's rule.
    """
    return _checked_options(get_architecture(arch_id), options)


def _checked_options(arch: Architecture, options: dict | None) -> dict[str, Any]:
    rules = _OPTION_RULES.get(arch.id, {})
    options = dict(options or {})
    if options and not rules:
        raise UserInputError(
            "The {arch} architecture takes no options, got {options}. Remove them.",
            arch=arch.id,
            options=sorted(options),
        )
    for key, value in options.items():
        if key not in rules:
            raise UserInputError(
                "The {arch} architecture has no option {option!r}. Its options are: {known}.",
                arch=arch.id,
                option=key,
                known=", ".join(rules),
            )
        rule = rules[key]
        if rule[0] == "choice":
            if isinstance(value, bool) or value not in rule[1]:
                raise UserInputError(
                    "Option {option} of {arch} must be one of {known}, got {value!r}.",
                    option=key,
                    arch=arch.id,
                    known=", ".join(map(str, rule[1])),
                    value=value,
                )
            options[key] = rule[1][rule[1].index(value)]  # 2.0 from JSON -> 2
        if rule[0] in ("int", "float"):
            whole = isinstance(value, int) or (
                rule[0] == "int" and isinstance(value, float) and value.is_integer()
            )
            number = isinstance(value, (int, float)) and not isinstance(value, bool)
            if not number or (rule[0] == "int" and not whole) or not rule[1] <= value <= rule[2]:
                raise UserInputError(
                    "Option {option} of {arch} must be a number from {low} to {high}, got "
                    "{value!r}.",
                    option=key,
                    arch=arch.id,
                    low=rule[1],
                    high=rule[2],
                    value=value,
                )
            options[key] = int(value) if rule[0] == "int" else float(value)
    return {**arch.options, **options}


def _resize_to(input_shape: Shape, minimum: int) -> list[dict]:
    height, width = input_shape[:2]
    if height >= minimum and width >= minimum:
        return []
    return [{"type": "resizing", "height": max(height, minimum), "width": max(width, minimum)}]


def _conv(
    filters: int, kernel: int = 3, padding: str = "same", activation: str = "relu", **extra
) -> dict:
    return {
        "type": "conv2d",
        "filters": filters,
        "kernel_size": kernel,
        "strides": 1,
        "padding": padding,
        "activation": activation,
        **extra,
    }


def _pool(kind: str = "maxpool") -> dict:
    return {"type": kind, "pool_size": 2}


def _drop(rate: float) -> dict:
    return {"type": "dropout", "rate": rate}


def _dense(units: int, activation: str = "relu") -> dict:
    return {"type": "dense", "units": units, "activation": activation}


_BN, _FLATTEN = {"type": "batchnorm"}, {"type": "flatten"}


def _mlp(input_shape: Shape, options: dict) -> list[dict]:
    hidden = [_dense(options["units"])] + (
        [_drop(options["dropout"])] if options["dropout"] > 0 else []
    )
    return [_FLATTEN] + hidden * options["hidden_layers"]


def _lenet(input_shape: Shape, options: dict) -> list[dict]:
    act = options["activation"]
    head = [_dense(120, act), _dense(84, act)][: options["dense_layers"]]
    # padding="same" on the first convolution: 28 -> 28 -> 14 -> 10 -> 5, like LeNet-5, which padded
    # MNIST's 28x28 digits to 32x32 and convolved without padding (32 -> 28 -> 14 -> 10 -> 5).
    return [
        *_resize_to(input_shape, LENET_MIN_SIZE),
        _conv(6, 5, "same", act),
        _pool("avgpool"),
        _conv(16, 5, "valid", act),
        _pool("avgpool"),
        _FLATTEN,
        *head,
    ]


def _course_cifar_cnn(input_shape: Shape, options: dict) -> list[dict]:
    # The CIFAR-10 practice's printed summary (the code listing beside it has copy errors): "same"
    # then "valid" in each block.
    blocks = [
        [_conv(f, padding="same"), _conv(f, padding="valid"), _pool(), _drop(0.25)]
        for f in (32, 64, 64)
    ]
    return (
        _resize_to(input_shape, COURSE_CNN_MIN_SIZE)
        + [spec for block in blocks for spec in block]
        + [_FLATTEN, _dense(512), _drop(0.5)]
    )


def _course_bn_cnn(input_shape: Shape, options: dict) -> list[dict]:
    return [
        *_resize_to(input_shape, COURSE_CNN_MIN_SIZE),
        _conv(32),
        _drop(0.2),
        _BN,
        _conv(64),
        _pool(),
        _drop(0.2),
        _BN,
        _conv(64),
        _pool(),
        _drop(0.2),
        _BN,
        _conv(128),
        _drop(0.2),
        _BN,
        _FLATTEN,
        _drop(0.2),
        _dense(32),
        _drop(0.3),
        _BN,
    ]


def _recommended(input_shape: Shape, options: dict) -> list[dict]:
    # Conv -> ReLU -> 2x2 max pooling -> batch normalisation, 24 then 48 filters (64 in any later
    # block).
    # Measured on full Fashion-MNIST, 2 CPU cores (bench/recommended.py): 16/32 filters, 18 epochs,
    # cosine
    # decay: 92.2 % in 342 s; 24/48, 14 epochs, cosine: 92.47 % in 358 s, 15 epochs: 92.58 %; a
    # third 64-filter block:
    # 91.7 %; label smoothing 0.1: 92.3 %; random horizontal flips: 92.1 %. With oneDNN
    # (clfcore.tfenv), 15 epochs:
    # 92.66 % in 322 s, 11.2x the course MLP script.
    # Normalising after the pooling is 4x cheaper than before it.
    # Momentum 0.9 (Keras: 0.99) lets the moving statistics settle within the first epoch, even on a
    # small subset. Large images get more blocks until the map is at most 8x8, so the Dense layer
    # stays small.
    specs, (height, width) = [], input_shape[:2]
    for block in range(8):
        if block >= 2 and (max(height, width) <= 8 or min(height, width) < 2):
            break
        specs.append(_conv((24, 48)[block] if block < 2 else 64))
        if min(height, width) >= 2:
            specs.append(_pool())
            height, width = height // 2, width // 2
        specs.append({"type": "batchnorm", "momentum": 0.9})
    return [*specs, _FLATTEN, _drop(0.3), _dense(128), _drop(0.3)]


def _transfer(backbone_id: str) -> Callable[[Shape, dict], list[dict]]:
    def specs(input_shape: Shape, options: dict) -> list[dict]:
        # Everything the backbone expects happens inside the model, so a saved model takes [0, 1]
        # images of
        # the dataset's size like every other architecture: resize, grey -> RGB, then the backbone's
        # scaling.

        size, layers = options["image_size"], []
        if tuple(input_shape[:2]) != (size, size):
            layers.append({"type": "resizing", "height": size, "width": size})
        if input_shape[2] == 1:
            layers.append({"type": "to_rgb"})
        scaling = get_backbone(backbone_id).preprocessing
        if scaling == "tf":  # MobileNetV2 was trained on [-1, 1]
            layers.append({"type": "rescaling", "scale": 2.0, "offset": -1.0})
        # ResNet50 and EfficientNetB0 take [0, 255]; ResNet50 also wants BGR minus the ImageNet mean
        else:
            layers.append({"type": "rescaling", "scale": 255.0})
            if scaling == "caffe":
                layers.append({"type": "caffe"})
        weights = "imagenet" if options["weights"] == "imagenet" else None
        layers.append(
            {
                "type": "backbone",
                "backbone": backbone_id,
                "weights": weights,
                "input_shape": (size, size, 3),
            }
        )
        layers.append({"type": "globalavgpool"})
        if options["dense_units"]:
            layers += [_dense(options["dense_units"])]
        if options["dropout"]:
            layers.append(_drop(options["dropout"]))
        return layers

    return specs


def _custom(input_shape: Shape, options: dict) -> list[dict]:
    # refuses bad stacks with the layer number
    custom_layers.check_custom_layers(options["layers"], input_shape)
    specs: list[dict] = []
    for spec in custom_layers.normalize_custom_layers(options["layers"]):
        if spec["type"] == "dense" and not any(
            s["type"] in ("flatten", "globalavgpool", "dense") for s in specs
        ):
            specs.append(_FLATTEN)
        specs.append(spec)
    return specs


_BUILDERS: dict[str, Callable[[Shape, dict], list[dict]]] = {
    "mlp": _mlp,
    "lenet": _lenet,
    "course_cifar_cnn": _course_cifar_cnn,
    "course_bn_cnn": _course_bn_cnn,
    "recommended": _recommended,
    "custom": _custom,
    **{backbone_id: _transfer(backbone_id) for backbone_id in TRANSFER_IDS},
}


def _checked_input_shape(input_shape) -> Shape:
    try:  # plain and NumPy integers; not floats, not bools
        shape = tuple(operator.index(v) for v in input_shape if not isinstance(v, bool))
    except TypeError:
        shape = ()
    if len(shape) != 3 or len(tuple(input_shape)) != 3 or min(shape) < 1:
        raise UserInputError(
            "The input shape must be (height, width, channels) with whole numbers of at "
            "least 1, got {shape}.",
            shape=input_shape,
        )
    return shape


def _coarse_count(task: str, coarse_classes: int | None) -> int:
    if task != "hierarchical":
        return 0
    if coarse_classes is None or coarse_classes < 2:
        raise UserInputError(
            "A hierarchical task needs at least 2 coarse classes, got {count}.",
            count=coarse_classes or 0,
        )
    return int(coarse_classes)


def model_spec(
    arch_id: str,
    input_shape: Shape,
    num_classes: int,
    *,
    task: str = "multiclass",
    options: dict | None = None,
    coarse_classes: int | None = None,
) -> list[dict]:
    """The layer specs of the model, in order, each with a readable Keras name, output layer
    included.

    A hierarchical model ends in two heads marked ``"head": True``, "coarse" then "fine", both fed
    by the last layer of the shared body (``coarse_classes`` is then required).

    Raises:
        UserInputError: unknown architecture or task, bad options, or a model that cannot be built
            for this image size.
    """
    arch = get_architecture(arch_id)
    shape = _checked_input_shape(input_shape)
    units, activation, _ = output_layer_and_loss(task, num_classes, one_hot=True)
    coarse = _coarse_count(task, coarse_classes)
    specs = [dict(s) for s in _BUILDERS[arch.id](shape, _checked_options(arch, options))]
    if not any(s["type"] in ("flatten", "globalavgpool", "dense") for s in specs):
        specs.append(dict(_FLATTEN))  # the output is a Dense layer: flatten the feature map first
    if task == "hierarchical":
        return custom_layers.with_names(specs) + head_specs(coarse, num_classes)
    return [
        *custom_layers.with_names(specs),
        {"type": "dense", "units": units, "activation": activation, "name": "predictions"},
    ]


def describe(
    arch_id: str,
    input_shape: Shape,
    num_classes: int,
    *,
    task: str = "multiclass",
    options: dict | None = None,
    coarse_classes: int | None = None,
) -> dict:
    """The model's layer table and parameter counts, computed by hand (no Keras), as
    ``model.summary()``.

    Returns:
        ``{"total_params", "trainable_params", "non_trainable_params", "layers"}``; each layer is
        ``{"name", "type", "output_shape", "params"}`` with ``output_shape`` like ``(None, 32, 32,
        32)``.

    Raises:
        UserInputError: as ``model_spec``, or when the model would have more than ``MAX_PARAMS``
            parameters.
    """
    shape, rows, trainable, frozen = _checked_input_shape(input_shape), [], 0, 0
    body_shape = shape
    for spec in model_spec(
        arch_id, input_shape, num_classes, task=task, options=options, coarse_classes=coarse_classes
    ):
        # both heads of a hierarchical model read the body's output
        source = body_shape if spec.get("head") else shape
        learn, fixed = custom_layers.parameter_counts(spec, source)
        shape = custom_layers.output_shape(spec, source)
        if not spec.get("head"):
            body_shape = shape
        trainable, frozen = trainable + learn, frozen + fixed
        rows.append(
            {
                "name": spec["name"],
                "type": custom_layers.keras_class(spec),
                "output_shape": (None, *shape),
                "params": learn + fixed,
            }
        )
    if trainable + frozen > MAX_PARAMS:
        raise UserInputError(
            "The model would have {count} parameters, more than the {limit} this app allows: "
            "it would not fit in memory or train in reasonable time. Use smaller images, "
            "fewer units or filters, or more pooling layers.",
            count=f"{trainable + frozen:,}",
            limit=f"{MAX_PARAMS:,}",
        )
    return {
        "total_params": trainable + frozen,
        "trainable_params": trainable,
        "non_trainable_params": frozen,
        "layers": rows,
    }


def build_model(
    arch_id: str,
    input_shape: Shape,
    num_classes: int,
    *,
    task: str = "multiclass",
    options: dict | None = None,
    coarse_classes: int | None = None,
):
    """A new, uncompiled ``keras.Model`` named ``arch_id`` for images of ``input_shape`` (floats in
    [0, 1]).

    Args:
        arch_id: one of the ids of ``list_architectures()``.
        input_shape: ``(height, width, channels)``, grayscale or colour, e.g. ``(28, 28, 1)``.
        num_classes: number of classes; the output layer follows ``output_layer_and_loss``.
        task: one of ``TASKS``. Defaults to "multiclass". A "hierarchical" model has two named
            outputs, "coarse" and "fine" (a dict of two softmax outputs).
        options: builder options overriding ``get_architecture(arch_id).options``.
        coarse_classes: the number of coarse classes of a hierarchical task.

    Raises:
        UserInputError: the model cannot be built; the message says why and how to fix it.
    """
    # validates, refuses huge models
    describe(
        arch_id, input_shape, num_classes, task=task, options=options, coarse_classes=coarse_classes
    )
    import keras

    inputs = keras.Input(shape=_checked_input_shape(input_shape), name="image")
    x, heads = inputs, {}
    for spec in model_spec(
        arch_id, input_shape, num_classes, task=task, options=options, coarse_classes=coarse_classes
    ):
        if spec.get("head"):
            heads[spec["name"]] = custom_layers.build_layer(
                {k: v for k, v in spec.items() if k != "head"}
            )(x)
        else:
            x = custom_layers.build_layer(spec)(x)
    return keras.Model(inputs, heads or x, name=arch_id)
