"""Grad-CAM: the layers it can explain, heatmaps that point at the evidence, and a shared model left
untouched."""

import gc
import weakref

import keras
import numpy as np
import pytest

from clfcore.errors import UserInputError
from clfcore.inference import gradcam
from clfcore.models import architectures

SIZE = 20
SQUARE = np.ones((5, 5), np.float32)
CROSS = np.clip(np.eye(5, dtype=np.float32) + np.eye(5, dtype=np.float32)[::-1], 0, 1)  # an X


def shapes_task(count: int, seed: int):
    """Class 0: a filled square, class 1: an X, at random places; every image also has a bright bar
    that says nothing about the class. Returns images, labels, the shapes' and the bars' corners."""
    rng = np.random.default_rng(seed)
    images = rng.uniform(0, 0.2, (count, SIZE, SIZE, 1)).astype(np.float32)
    labels = np.arange(count) % 2
    shapes, bars = [], []
    for i in range(count):
        while True:  # the bar must not touch the shape
            r, c = rng.integers(0, SIZE - 5, 2)
            br, bc = rng.integers(0, SIZE - 1), rng.integers(0, SIZE - 8)
            if not (r - 1 <= br <= r + 5 and bc <= c + 5 and bc + 8 >= c - 1):
                break
        images[i, r : r + 5, c : c + 5, 0] = np.maximum(
            images[i, r : r + 5, c : c + 5, 0], (SQUARE, CROSS)[labels[i]]
        )
        images[i, br, bc : bc + 8, 0] = 1.0
        shapes.append((r, c))
        bars.append((br, bc))
    return images, labels, shapes, bars


@pytest.fixture(scope="module")
def shapes_model():
    """A small CNN (convolutions, flatten, Dense, like the course's) trained to tell squares from
    Xs."""
    keras.utils.set_random_seed(0)
    layers = [
        {"type": "conv2d", "filters": 8, "kernel_size": 3},
        {"type": "maxpool", "pool_size": 2},
        {"type": "conv2d", "filters": 16, "kernel_size": 3},
        {"type": "flatten"},
        {"type": "dense", "units": 16},
    ]
    model = architectures.build_model("custom", (SIZE, SIZE, 1), 2, options={"layers": layers})
    images, labels, _, _ = shapes_task(320, seed=10)
    model.compile(
        optimizer=keras.optimizers.Adam(0.01),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    model.fit(images, labels, epochs=5, batch_size=32, verbose=0)
    return model


@pytest.fixture(scope="module")
def lenet():
    keras.utils.set_random_seed(1)
    return architectures.build_model("lenet", (8, 8, 1), 3)  # resized to 28x28 inside the model


def images_like(model, count=3, seed=0):
    return (
        np.random.default_rng(seed)
        .uniform(0, 1, (count, *model.inputs[0].shape[1:]))
        .astype(np.float32)
    )


# --- the layers -----------------------------------------------------------------------------------


def test_conv_layer_names_in_order_and_empty_for_the_mlp():
    lenet = architectures.build_model("lenet", (28, 28, 1), 10)
    names = gradcam.conv_layer_names(lenet)
    assert len(names) == 2 and [lenet.get_layer(n).filters for n in names] == [6, 16]
    cnn = architectures.build_model("course_cifar_cnn", (32, 32, 3), 10)
    assert [cnn.get_layer(n).filters for n in gradcam.conv_layer_names(cnn)] == [
        32,
        32,
        64,
        64,
        64,
        64,
    ]
    assert gradcam.conv_layer_names(architectures.build_model("mlp", (8, 8, 1), 10)) == []


def nested(flat):
    """The same function as ``flat`` with its convolutions inside a sub-model "backbone" (same layer
    objects)."""
    last_conv = gradcam.conv_layer_names(flat)[-1]
    backbone = keras.Model(flat.inputs[0], flat.get_layer(last_conv).output, name="backbone")
    inputs = keras.Input(flat.inputs[0].shape[1:])
    x = backbone(inputs)
    for layer in flat.layers[[layer.name for layer in flat.layers].index(last_conv) + 1 :]:
        x = layer(x)
    return keras.Model(inputs, x)


def test_nested_backbone_layers_are_named_with_their_model_and_explained_the_same(lenet):
    outer = nested(lenet)
    flat_names = gradcam.conv_layer_names(lenet)
    assert gradcam.conv_layer_names(outer) == [f"backbone/{name}" for name in flat_names]
    images = images_like(lenet, 4)
    np.testing.assert_allclose(
        outer.predict(images, verbose=0), lenet.predict(images, verbose=0), atol=1e-6
    )
    for name in flat_names:
        np.testing.assert_allclose(
            gradcam.gradcam(outer, images, layer_name=f"backbone/{name}"),
            gradcam.gradcam(lenet, images, layer_name=name),
            atol=1e-4,
        )


def test_a_keras_applications_backbone_is_explained():
    backbone = keras.applications.MobileNetV2(
        input_shape=(32, 32, 3), alpha=0.35, include_top=False, weights=None
    )
    inputs = keras.Input((32, 32, 3))
    x = keras.layers.GlobalAveragePooling2D()(backbone(inputs, training=False))
    model = keras.Model(inputs, keras.layers.Dense(4, activation="softmax")(x))
    names = gradcam.conv_layer_names(model)
    assert names[-1] == f"{backbone.name}/Conv_1" and all(
        n.startswith(backbone.name + "/") for n in names
    )
    heat = gradcam.gradcam(model, images_like(model, 2))
    assert heat.shape == (2, 32, 32) and heat.dtype == np.float32


# --- the heatmaps ---------------------------------------------------------------------------------


def test_heatmaps_have_the_images_size_and_range(lenet):
    images = images_like(lenet, 3)
    heat = gradcam.gradcam(lenet, images)
    assert heat.shape == (3, 8, 8) and heat.dtype == np.float32
    assert heat.min() >= 0 and heat.max() <= 1
    assert np.allclose(heat.reshape(3, -1).max(axis=1)[heat.reshape(3, -1).max(axis=1) > 0], 1.0)
    assert gradcam.gradcam(lenet, images[0]).shape == (1, 8, 8)  # one image without the batch axis
    # grayscale without the channel axis
    assert gradcam.gradcam(lenet, images[..., 0]).shape == (
        3,
        8,
        8,
    )
    first = gradcam.gradcam(lenet, images, layer_name=gradcam.conv_layer_names(lenet)[0])
    assert first.shape == (3, 8, 8)


def test_the_default_class_is_the_predicted_one(lenet):
    images = images_like(lenet, 4, seed=3)
    predicted = lenet.predict(images, verbose=0).argmax(axis=1)
    np.testing.assert_allclose(
        gradcam.gradcam(lenet, images), gradcam.gradcam(lenet, images, predicted), atol=1e-6
    )
    np.testing.assert_allclose(
        gradcam.gradcam(lenet, images, 2), gradcam.gradcam(lenet, images, [2, 2, 2, 2]), atol=1e-6
    )


def test_batches_run_compiled_and_give_the_same_maps_as_one_image_at_a_time(lenet):
    images = images_like(lenet, gradcam.COMPILE_FROM, seed=7)
    batch = gradcam.gradcam(lenet, images, np.arange(len(images)) % 3)  # the tf.function path
    # eager
    one_by_one = np.stack(
        [gradcam.gradcam(lenet, image, [i % 3])[0] for i, image in enumerate(images)]
    )
    np.testing.assert_allclose(batch, one_by_one, atol=1e-4)


def test_the_class_score_is_the_output_layers_logit(lenet):
    grad_model, to_logits = gradcam._gradient_model(lenet, gradcam.conv_layer_names(lenet)[-1])
    images = images_like(lenet, 5)
    _, head = grad_model(images, training=False)
    probabilities = keras.ops.softmax(to_logits(head))
    np.testing.assert_allclose(
        np.asarray(probabilities), lenet.predict(images, verbose=0), atol=1e-5
    )
    # built once
    assert gradcam._gradient_model(lenet, gradcam.conv_layer_names(lenet)[-1])[0] is grad_model


def test_a_separate_softmax_layer_is_skipped_for_the_logits():
    # Keras's mixed-precision advice: Dense(n) then Activation("softmax", dtype="float32").
    inputs = keras.Input((12, 12, 1))
    x = keras.layers.Flatten()(keras.layers.Conv2D(4, 3, activation="relu")(inputs))
    x = keras.layers.Dense(3)(keras.layers.Dense(6, activation="relu")(x))
    model = keras.Model(inputs, keras.layers.Activation("softmax", dtype="float32")(x))
    grad_model, to_logits = gradcam._gradient_model(model, gradcam.conv_layer_names(model)[-1])
    images = np.random.default_rng(0).uniform(0, 1, (4, 12, 12, 1)).astype(np.float32)
    np.testing.assert_allclose(
        np.asarray(keras.ops.softmax(to_logits(grad_model(images)[1]))),
        model.predict(images, verbose=0),
        atol=1e-5,
    )
    assert gradcam.gradcam(model, images).shape == (4, 12, 12)


def test_gradcam_points_at_the_shape_that_decides_the_class_not_at_the_distractor(shapes_model):
    images, labels, shapes, bars = shapes_task(40, seed=99)
    assert (shapes_model.predict(images, verbose=0).argmax(axis=1) == labels).mean() >= 0.95
    heat = gradcam.gradcam(shapes_model, images)
    peak_on_shape, shape_beats_bar = [], []
    for hm, (r, c), (br, bc) in zip(heat, shapes, bars):
        around_shape = np.zeros((SIZE, SIZE), bool)
        around_shape[max(0, r - 1) : r + 6, max(0, c - 1) : c + 6] = True
        row, col = np.unravel_index(hm.argmax(), hm.shape)
        peak_on_shape.append(around_shape[row, col])
        shape_beats_bar.append(hm[around_shape].mean() > hm[br, bc : bc + 8].mean())
    # The bar is as bright as the shape (a brightness map would favour it) but says nothing about
    # the class.
    assert np.mean(peak_on_shape) >= 0.8, np.mean(peak_on_shape)
    assert np.mean(shape_beats_bar) >= 0.9, np.mean(shape_beats_bar)


def test_binary_sigmoid_models_explain_both_classes():
    keras.utils.set_random_seed(2)
    model = architectures.build_model("lenet", (8, 8, 1), 2, task="binary")
    images = images_like(model, 3)
    heat1, heat0 = gradcam.gradcam(model, images, 1), gradcam.gradcam(model, images, 0)
    assert heat1.shape == heat0.shape == (3, 8, 8)
    predicted = (model.predict(images, verbose=0)[:, 0] > 0.5).astype(int)
    np.testing.assert_allclose(
        gradcam.gradcam(model, images),
        np.where(predicted[:, None, None] == 1, heat1, heat0),
        atol=1e-6,
    )


# --- the shared model stays as it was -------------------------------------------------------------


def test_the_model_is_not_changed(lenet):
    images = images_like(lenet, 4, seed=5)
    before_out = lenet.predict(images, verbose=0)
    before_weights = [w.copy() for w in lenet.get_weights()]
    before_layers = [(layer.name, layer.__class__.__name__) for layer in lenet.layers]
    activation = lenet.layers[-1].activation
    for name in gradcam.conv_layer_names(lenet):
        gradcam.gradcam(lenet, images, layer_name=name)
        gradcam.gradcam(lenet, images, [0, 1, 2, 0], layer_name=name)
    assert [(layer.name, layer.__class__.__name__) for layer in lenet.layers] == before_layers
    assert lenet.layers[-1].activation is activation and len(lenet.outputs) == 1
    for old, new in zip(before_weights, lenet.get_weights()):
        np.testing.assert_array_equal(old, new)
    np.testing.assert_array_equal(lenet.predict(images, verbose=0), before_out)


def test_the_nested_model_is_not_changed_either(lenet):
    outer = nested(lenet)
    images = images_like(lenet, 2)
    before = outer.predict(images, verbose=0)
    layers = list(outer.layers)
    gradcam.gradcam(outer, images, layer_name=gradcam.conv_layer_names(outer)[0])
    assert list(outer.layers) == layers
    np.testing.assert_array_equal(outer.predict(images, verbose=0), before)


def test_the_cache_forgets_a_deleted_model():
    model = architectures.build_model("lenet", (8, 8, 1), 3)
    gradcam.gradcam(model, images_like(model, 1))
    assert model in gradcam._cache
    gone = weakref.ref(model)
    del model
    gc.collect()
    assert gone() is None  # the cached gradient model did not keep the model alive


# --- refusals -------------------------------------------------------------------------------------


def test_a_model_without_convolutions_is_refused_with_a_clear_message():
    mlp = architectures.build_model("mlp", (8, 8, 1), 10)
    with pytest.raises(UserInputError, match="no convolution layer") as caught:
        gradcam.gradcam(mlp, np.zeros((1, 8, 8, 1), np.float32))
    assert caught.value.template == gradcam.NO_CONV_MESSAGE
    assert "Grad-CAM" in caught.value.message("es")


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (
            lambda m, x: gradcam.gradcam(m, x, layer_name="dense"),
            "no convolution layer named 'dense'",
        ),
        (
            lambda m, x: gradcam.gradcam(m, np.zeros((1, 9, 9, 1), np.float32)),
            r"expects images of shape \(8, 8, 1\)",
        ),
        (
            lambda m, x: gradcam.gradcam(m, np.zeros((1, 8, 8, 3), np.float32)),
            "expects images of shape",
        ),
        (lambda m, x: gradcam.gradcam(m, x, 3), "out of range: the model has 3 classes"),
        (lambda m, x: gradcam.gradcam(m, x, [0, 1]), "one class index per image: 3 images, 2"),
        (lambda m, x: gradcam.gradcam(m, x, 0.5), "whole numbers"),
    ],
)
def test_bad_requests_are_refused(lenet, call, match):
    with pytest.raises(UserInputError, match=match):
        call(lenet, images_like(lenet, 3))


# --- drawing --------------------------------------------------------------------------------------


def test_jet_goes_from_dark_blue_through_green_to_dark_red():
    np.testing.assert_allclose(
        gradcam.jet(np.array([0.0, 0.5, 1.0])), [[0, 0, 0.5], [0.5, 1, 0.5], [0.5, 0, 0]], atol=1e-6
    )
    assert gradcam.jet(np.zeros((4, 5))).shape == (4, 5, 3)


@pytest.mark.parametrize("shape", [(8, 8), (8, 8, 1), (8, 8, 3)])
def test_overlay_is_uint8_rgb_at_the_images_size(shape):
    image = np.random.default_rng(0).uniform(0, 1, shape).astype(np.float32)
    heat = np.zeros((8, 8), np.float32)
    heat[2, 3] = 1.0
    out = gradcam.overlay(image, heat)
    assert out.shape == (8, 8, 3) and out.dtype == np.uint8
    rgb = np.broadcast_to(image.reshape(8, 8, -1), (8, 8, 3))
    np.testing.assert_array_equal(
        gradcam.overlay(image, heat, alpha=0.0), np.round(rgb * 255).astype(np.uint8)
    )
    np.testing.assert_array_equal(
        gradcam.overlay(image, heat, alpha=1.0), np.round(gradcam.jet(heat) * 255).astype(np.uint8)
    )
    assert out[2, 3, 0] > out[0, 0, 0] or rgb[0, 0, 0] > 0.9  # the hot pixel is redder


def test_overlay_resizes_a_smaller_heatmap_and_refuses_bad_shapes():
    out = gradcam.overlay(np.zeros((32, 32, 3), np.float32), np.ones((4, 4), np.float32), alpha=1.0)
    # jet(1) = (0.5, 0, 0) everywhere
    assert out.shape == (32, 32, 3) and (out[..., 0] == 128).all()
    with pytest.raises(UserInputError, match="image of shape"):
        gradcam.overlay(np.zeros((8, 8, 2)), np.zeros((8, 8)))
    with pytest.raises(UserInputError, match="heatmap of shape"):
        gradcam.overlay(np.zeros((8, 8)), np.zeros((2, 8, 8)))
    with pytest.raises(UserInputError, match="opacity"):
        gradcam.overlay(np.zeros((8, 8)), np.zeros((8, 8)), alpha=1.5)
