"""The architecture registry: the course's models exactly as printed, any image shape, clear
refusals."""

import subprocess
import sys

import numpy as np
import pytest

from clfcore.config import TrainConfig
from clfcore.errors import UserInputError
from clfcore.models import architectures
from clfcore.models.custom_layers import DEFAULT_CUSTOM_LAYERS, check_custom_layers

IDS = ["mlp", "lenet", "course_cifar_cnn", "course_bn_cnn", "recommended", "custom"]
SHAPES = [(8, 8, 1), (28, 28, 1), (32, 32, 3), (64, 64, 3)]
TRANSFER = ["mobilenetv2", "resnet50", "efficientnetb0"]

# Seed 002, the printed summary of the 6-convolution CIFAR-10 model (layer type, output shape,
# params).
COURSE_CIFAR_SUMMARY = [
    ("Conv2D", (32, 32, 32), 896),
    ("Conv2D", (30, 30, 32), 9248),
    ("MaxPooling2D", (15, 15, 32), 0),
    ("Dropout", (15, 15, 32), 0),
    ("Conv2D", (15, 15, 64), 18496),
    ("Conv2D", (13, 13, 64), 36928),
    ("MaxPooling2D", (6, 6, 64), 0),
    ("Dropout", (6, 6, 64), 0),
    ("Conv2D", (6, 6, 64), 36928),
    ("Conv2D", (4, 4, 64), 36928),
    ("MaxPooling2D", (2, 2, 64), 0),
    ("Dropout", (2, 2, 64), 0),
    ("Flatten", (256,), 0),
    ("Dense", (512,), 131584),
    ("Dropout", (512,), 0),
    ("Dense", (10,), 5130),
]
# Seed 003, the printed summary of the Conv / Dropout / BatchNormalization model.
COURSE_BN_SUMMARY = [
    ("Conv2D", (32, 32, 32), 896),
    ("Dropout", (32, 32, 32), 0),
    ("BatchNormalization", (32, 32, 32), 128),
    ("Conv2D", (32, 32, 64), 18496),
    ("MaxPooling2D", (16, 16, 64), 0),
    ("Dropout", (16, 16, 64), 0),
    ("BatchNormalization", (16, 16, 64), 256),
    ("Conv2D", (16, 16, 64), 36928),
    ("MaxPooling2D", (8, 8, 64), 0),
    ("Dropout", (8, 8, 64), 0),
    ("BatchNormalization", (8, 8, 64), 256),
    ("Conv2D", (8, 8, 128), 73856),
    ("Dropout", (8, 8, 128), 0),
    ("BatchNormalization", (8, 8, 128), 512),
    ("Flatten", (8192,), 0),
    ("Dropout", (8192,), 0),
    ("Dense", (32,), 262176),
    ("Dropout", (32,), 0),
    ("BatchNormalization", (32,), 128),
    ("Dense", (10,), 330),
]


def _keras_rows(model):
    return [
        (type(layer).__name__, tuple(layer.output.shape[1:]), layer.count_params())
        for layer in model.layers[1:]
    ]


def test_registry_ids_presets_and_lookup():
    assert [a.id for a in architectures.list_architectures()] == [*IDS[:-1], *TRANSFER, "custom"]
    for arch in architectures.list_architectures():
        assert {"optimizer", "learning_rate", "batch_size", "epochs"} <= set(arch.preset)
        TrainConfig.for_architecture(arch.id)  # every preset key is a valid training setting
        assert arch.summary and arch.name and arch.source
    assert architectures.get_architecture("mlp").convolutional is False
    assert architectures.get_architecture("course_cifar_cnn").preset["optimizer"] == "rmsprop"
    assert architectures.get_architecture("course_bn_cnn").preset == {
        "optimizer": "adam",
        "learning_rate": 0.001,
        "batch_size": 64,
        "epochs": 25,
    }
    with pytest.raises(UserInputError, match="Choose one of: mlp, lenet"):
        architectures.get_architecture("resnet")
    assert architectures.get_architecture("resnet50").convolutional


def test_has_convolutions_looks_inside_a_custom_stack():
    assert not architectures.has_convolutions("mlp")
    assert architectures.has_convolutions("recommended") and architectures.has_convolutions(
        "mobilenetv2"
    )
    assert architectures.has_convolutions("custom")  # the default stack starts with a conv2d
    assert not architectures.has_convolutions(
        "custom", {"layers": [{"type": "dense", "units": 32}, {"type": "dropout"}]}
    )
    assert architectures.has_convolutions(
        "custom", {"layers": [{"type": "dense", "units": 8}, {"type": "conv2d", "filters": 4}]}
    )


@pytest.mark.parametrize(
    ("arch_id", "expected", "total", "frozen"),
    [
        ("course_cifar_cnn", COURSE_CIFAR_SUMMARY, 276_138, 0),
        ("course_bn_cnn", COURSE_BN_SUMMARY, 393_962, 640),
    ],
)
def test_course_models_match_the_printed_summaries(arch_id, expected, total, frozen):
    info = architectures.describe(arch_id, (32, 32, 3), 10)
    assert [(r["type"], r["output_shape"][1:], r["params"]) for r in info["layers"]] == expected
    assert (info["total_params"], info["non_trainable_params"]) == (total, frozen)
    model = architectures.build_model(arch_id, (32, 32, 3), 10)
    assert _keras_rows(model) == expected
    assert model.count_params() == total
    assert sum(int(np.prod(w.shape)) for w in model.non_trainable_weights) == frozen


@pytest.mark.parametrize("arch_id", IDS)
@pytest.mark.parametrize("shape", SHAPES)
def test_every_architecture_builds_and_predicts_for_every_shape(arch_id, shape):
    model = architectures.build_model(arch_id, shape, 10)
    assert model.name == arch_id
    images = np.random.default_rng(0).random((2, *shape), dtype=np.float32)
    predictions = model.predict(images, verbose=0)
    assert predictions.shape == (2, 10)
    np.testing.assert_allclose(predictions.sum(axis=1), 1.0, rtol=1e-5)
    info = architectures.describe(arch_id, shape, 10)
    assert info["total_params"] == model.count_params()
    assert info["trainable_params"] == sum(int(np.prod(w.shape)) for w in model.trainable_weights)
    assert [r["output_shape"] for r in info["layers"]] == [
        tuple(layer.output.shape) for layer in model.layers[1:]
    ]


@pytest.mark.parametrize("arch_id", ["course_cifar_cnn", "course_bn_cnn", "lenet"])
def test_small_images_are_resized_up_first(arch_id):
    first = architectures.describe(arch_id, (8, 8, 1), 10)["layers"][0]
    assert first["type"] == "Resizing"
    assert architectures.describe(arch_id, (32, 32, 3), 10)["layers"][0]["type"] != "Resizing"


@pytest.mark.parametrize(
    ("task", "one_hot", "expected"),
    [
        ("binary", True, (1, "sigmoid", "binary_crossentropy")),
        ("binary", False, (1, "sigmoid", "binary_crossentropy")),
        ("multiclass", True, (10, "softmax", "categorical_crossentropy")),
        ("multiclass", False, (10, "softmax", "sparse_categorical_crossentropy")),
        ("multilabel", True, (10, "sigmoid", "binary_crossentropy")),
    ],
)
def test_output_layer_and_loss(task, one_hot, expected):
    classes = 2 if task == "binary" else 10
    assert architectures.output_layer_and_loss(task, classes, one_hot=one_hot) == expected


def test_output_layer_follows_the_task():
    binary = architectures.build_model("mlp", (8, 8, 1), 2, task="binary")
    assert binary.output.shape == (None, 1) and binary.layers[-1].activation.__name__ == "sigmoid"
    multilabel = architectures.describe("lenet", (28, 28, 1), 5, task="multilabel")
    assert multilabel["layers"][-1]["output_shape"] == (None, 5)
    assert architectures.output_layer_and_loss("hierarchical", 10, one_hot=False) == (
        10,
        "softmax",
        "sparse_categorical_crossentropy",
    )
    two_heads = architectures.describe("mlp", (8, 8, 1), 10, task="hierarchical", coarse_classes=3)[
        "layers"
    ][-2:]
    # tests/test_tasks.py builds it
    assert [(h["name"], h["output_shape"]) for h in two_heads] == [
        ("coarse", (None, 3)),
        ("fine", (None, 10)),
    ]
    with pytest.raises(UserInputError, match="binary task has 2 classes"):
        architectures.output_layer_and_loss("binary", 3, one_hot=True)


def test_options_change_the_model_and_bad_options_are_refused():
    deep = architectures.describe(
        "mlp", (28, 28, 1), 10, options={"hidden_layers": 2, "units": 64, "dropout": 0.2}
    )
    assert [r["type"] for r in deep["layers"]] == [
        "Flatten",
        "Dense",
        "Dropout",
        "Dense",
        "Dropout",
        "Dense",
    ]
    tanh = architectures.build_model(
        "lenet", (28, 28, 1), 10, options={"activation": "tanh", "dense_layers": 1}
    )
    assert [layer.name for layer in tanh.layers if type(layer).__name__ == "Dense"] == [
        "dense_1",
        "predictions",
    ]
    for arch_id, options, message in [
        ("mlp", {"hidden_layers": 9}, "must be a number from 1 to 5"),
        ("mlp", {"layers": 2}, "has no option 'layers'"),
        ("lenet", {"activation": "softmax"}, "must be one of relu, tanh"),
        ("course_cifar_cnn", {"units": 3}, "takes no options"),
    ]:
        with pytest.raises(UserInputError, match=message):
            architectures.build_model(arch_id, (28, 28, 1), 10, options=options)


def test_huge_models_are_refused_before_building():
    with pytest.raises(UserInputError, match="more than the 50,000,000 this app allows"):
        architectures.describe("mlp", (224, 224, 3), 10, options={"units": 4096})
    with pytest.raises(UserInputError, match="input shape must be"):
        architectures.describe("mlp", (28, 28), 10)


# --- The custom stack -----------------------------------------------------------------------------

STACK = [
    {
        "type": "conv2d",
        "filters": 8,
        "kernel_size": 5,
        "strides": 2,
        "padding": "valid",
        "activation": "relu",
    },
    {"type": "batchnorm"},
    {"type": "maxpool", "pool_size": 2},
    {"type": "conv2d", "filters": 16, "kernel_size": 3, "padding": "same"},
    {"type": "avgpool", "pool_size": 3},
    {"type": "dropout", "rate": 0.25},
    {"type": "dense", "units": 32, "activation": "tanh"},  # no flatten: one is added
]


def test_custom_shapes_are_computed_by_hand_and_match_keras():
    shapes = check_custom_layers(STACK, (64, 64, 3))
    assert shapes == [
        (30, 30, 8),
        (30, 30, 8),
        (15, 15, 8),
        (15, 15, 16),
        (5, 5, 16),
        (5, 5, 16),
        (32,),
    ]
    model = architectures.build_model("custom", (64, 64, 3), 4, options={"layers": STACK})
    keras_shapes = [
        tuple(layer.output.shape[1:])
        for layer in model.layers[1:]
        if type(layer).__name__ != "Flatten"
    ]
    assert keras_shapes[:-1] == shapes and keras_shapes[-1] == (4,)
    assert (
        architectures.describe("custom", (64, 64, 3), 4, options={"layers": STACK})["total_params"]
        == model.count_params()
    )


def test_settings_of_other_layer_types_are_ignored_as_in_a_table_of_layers():
    table_rows = [
        {"type": "conv2d", "filters": 8, "rate": 0.5},
        {"type": "maxpool", "pool_size": 2, "filters": 8, "units": 3},
    ]
    assert check_custom_layers(table_rows, (8, 8, 1)) == [(8, 8, 8), (4, 4, 8)]
    assert architectures.check_custom_layers is check_custom_layers


def test_default_custom_stack_is_a_small_cnn():
    assert architectures.get_architecture("custom").options == {
        "layers": [dict(layer) for layer in DEFAULT_CUSTOM_LAYERS]
    }
    assert check_custom_layers(list(DEFAULT_CUSTOM_LAYERS), (28, 28, 1))[-1] == (128,)


@pytest.mark.parametrize(
    ("layers", "message"),
    [
        (
            [{"type": "conv2d", "filters": 8}] + [{"type": "maxpool"}] * 3 + [{"type": "maxpool"}],
            r"After layer 5 \(maxpool\) the feature map is 0x0: remove a pooling layer "
            r"or use padding='same'.",
        ),
        (
            [{"type": "conv2d", "kernel_size": 9, "padding": "valid"}],
            r"After layer 1 \(conv2d\) the feature map is 0x0",
        ),
        (
            [{"type": "dense"}, {"type": "lstm"}],
            r"Layer 2 has an unknown type 'lstm'. Choose one of: conv2d, maxpool",
        ),
        (
            [{"type": "flatten"}, {"type": "conv2d"}],
            r"Layer 2 \(conv2d\) needs an image-shaped input",
        ),
        (
            [{"type": "dense", "units": 8}, {"type": "maxpool"}],
            r"Layer 2 \(maxpool\) needs an image-shaped input",
        ),
        (
            [{"type": "conv2d", "filters": 0}],
            r"Layer 1 \(conv2d\): filters must be a whole number from 1 to 1024, got 0",
        ),
        (
            [{"type": "dropout", "rate": 1.0}],
            r"Layer 1 \(dropout\): the rate must be at least 0 and below 1",
        ),
        (
            [{"type": "conv2d", "padding": "full"}],
            r"padding must be one of same, valid, got 'full'",
        ),
        ([{"type": "conv2d", "filter": 32}], r"Layer 1 \(conv2d\) has an unknown setting 'filter'"),
        ([], r"The custom model has no layers"),
        (["conv2d"], r"Layer 1 must be a mapping with a 'type' key"),
    ],
)
def test_custom_stack_refusals_name_the_layer(layers, message):
    with pytest.raises(UserInputError, match=message):
        check_custom_layers(layers, (8, 8, 1))
    with pytest.raises(UserInputError, match=message):
        architectures.describe("custom", (8, 8, 1), 10, options={"layers": layers})


def test_importing_architectures_does_not_import_keras():
    code = (
        "import sys, clfcore.models.architectures, clfcore.export.codegen; print(sorted({'keras', "
        "'tensorflow'} & set(sys.modules)))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"


@pytest.mark.parametrize("arch_id", TRANSFER)
@pytest.mark.parametrize(
    ("shape", "options"),
    [((8, 8, 1), {}), ((32, 32, 3), {"image_size": 64, "dense_units": 64, "dropout": 0.0})],
)
def test_transfer_models_resize_convert_and_freeze_the_backbone(arch_id, shape, options):
    options = {"weights": "random", **options}
    info = architectures.describe(arch_id, shape, 10, options=options)
    model = architectures.build_model(arch_id, shape, 10, options=options)
    trainable = sum(int(np.prod(w.shape)) for w in model.trainable_weights)
    assert (info["total_params"], info["trainable_params"]) == (model.count_params(), trainable)
    assert model.get_layer(arch_id).trainable is False
    features = 2048 if arch_id == "resnet50" else 1280
    head = (features + 1) * 64 + 65 * 10 if options.get("dense_units") else (features + 1) * 10
    assert trainable == head  # only the new top learns
    assert info["layers"][0]["type"] == "Resizing"
    # grey copied to 3 channels
    assert any(row["name"].startswith("to_rgb") for row in info["layers"]) == (shape[2] == 1)
    images = np.random.default_rng(0).random((2, *shape), dtype=np.float32)
    np.testing.assert_allclose(model(images).numpy().sum(axis=1), 1.0, rtol=1e-5)


def test_transfer_preprocessing_matches_keras_applications():
    import keras

    images = np.random.default_rng(0).random((2, 32, 32, 3), dtype=np.float32)
    for arch_id, reference in (
        ("mobilenetv2", keras.applications.mobilenet_v2.preprocess_input),
        ("resnet50", keras.applications.resnet50.preprocess_input),
    ):
        model = architectures.build_model(
            arch_id, (32, 32, 3), 10, options={"weights": "random", "image_size": 32}
        )
        before = model.layers[model.layers.index(model.get_layer(arch_id)) - 1]
        backbone_input = keras.Model(model.inputs, before.output)
        np.testing.assert_allclose(
            backbone_input(images).numpy(), reference(images * 255.0), atol=1e-3
        )


def test_transfer_options_are_checked():
    with pytest.raises(UserInputError, match="image_size"):
        architectures.describe("mobilenetv2", (28, 28, 1), 10, options={"image_size": 100})
    with pytest.raises(UserInputError, match="fine_tune_layers"):
        architectures.describe("mobilenetv2", (28, 28, 1), 10, options={"fine_tune_layers": 1000})
