"""The layer-by-layer walk: every layer's output for one image, receptive fields, kernels."""

import keras
import numpy as np
import pytest

from clfcore.errors import UserInputError
from clfcore.inference import layers
from clfcore.models import architectures


@pytest.fixture(scope="module")
def small():
    """12x12x2 -> conv 3x3 valid (3) -> max pool 2 -> conv 3x3 same (4) -> flatten -> dropout ->
    dense 5 -> softmax 3."""
    keras.utils.set_random_seed(0)
    inputs = keras.Input((12, 12, 2))
    x = keras.layers.Conv2D(3, 3, activation="relu", name="c1")(inputs)
    x = keras.layers.MaxPooling2D(2, name="p1")(x)
    x = keras.layers.Conv2D(4, 3, padding="same", activation="relu", name="c2")(x)
    x = keras.layers.Flatten(name="flat")(x)
    x = keras.layers.Dropout(0.5, name="drop")(x)
    x = keras.layers.Dense(5, activation="relu", name="hidden")(x)
    outputs = keras.layers.Dense(3, activation="softmax", name="out")(x)
    return keras.Model(inputs, outputs)


def image(shape=(12, 12, 2), seed=0):
    return np.random.default_rng(seed).uniform(0, 1, shape).astype(np.float32)


def test_every_layer_in_order_with_its_type_shape_parameters_and_output(small):
    walk = layers.layer_walk(small, image())
    assert [(s.index, s.name, s.class_name) for s in walk] == [
        (0, "c1", "Conv2D"),
        (1, "p1", "MaxPooling2D"),
        (2, "c2", "Conv2D"),
        (3, "flat", "Flatten"),
        (4, "drop", "Dropout"),
        (5, "hidden", "Dense"),
        (6, "out", "Dense"),
    ]
    assert [s.output_shape for s in walk] == [
        (10, 10, 3),
        (5, 5, 3),
        (5, 5, 4),
        (100,),
        (100,),
        (5,),
        (3,),
    ]
    # by hand: k*k*in*out + out
    assert [s.params for s in walk] == [
        3 * 3 * 2 * 3 + 3,
        0,
        3 * 3 * 3 * 4 + 4,
        0,
        0,
        100 * 5 + 5,
        18,
    ]
    assert [s.kind for s in walk] == [
        "maps",
        "maps",
        "maps",
        "listed",
        "listed",
        "vector",
        "output",
    ]
    assert all(s.activation.shape == s.output_shape for s in walk)
    np.testing.assert_allclose(
        walk[0].activation, np.asarray(small.get_layer("c1")(image()[None]))[0], atol=1e-5
    )
    np.testing.assert_allclose(walk[-1].activation, np.asarray(small(image()[None]))[0], atol=1e-5)
    np.testing.assert_array_equal(walk[3].activation, walk[4].activation)  # dropout is off


def test_a_batch_of_two_or_a_wrong_size_is_refused(small):
    with pytest.raises(UserInputError, match="one image"):
        layers.layer_walk(small, np.stack([image(), image(seed=1)]))
    with pytest.raises(UserInputError):
        layers.layer_walk(small, image((9, 9, 2)))


# --- receptive fields -----------------------------------------------------------------------------


def test_receptive_field_sizes_follow_the_hand_arithmetic(small):
    # r = r_prev + (k - 1) * jump; jump = jump_prev * stride
    assert layers.receptive_field_size(small, "c1") == (3, 3)  # 1 + 2*1
    assert layers.receptive_field_size(small, "p1") == (4, 4)  # 3 + 1*1, jump 2
    assert layers.receptive_field_size(small, "c2") == (8, 8)  # 4 + 2*2


def test_the_receptive_box_of_a_unit_and_padding_clipped_at_the_border(small):
    # c2 unit (2, 3): p1 rows 1-3, cols 2-4 ("same" pads one) -> c1 rows 2-7, cols 4-9 -> the
    # image rows 2-9, cols 4-11
    assert layers.receptive_box(small, "c2", 2, 3) == (2, 4, 9, 11)
    # unit (0, 0): p1 rows -1..1 -> c1 -2..3 -> image -2..5, clipped to 0..5
    assert layers.receptive_box(small, "c2", 0, 0) == (0, 0, 5, 5)
    assert layers.receptive_box(small, "c1", 9, 9) == (9, 9, 11, 11)


def test_pixels_outside_the_box_do_not_change_the_unit_and_inside_they_do(small):
    top, left, bottom, right = layers.receptive_box(small, "c2", 2, 3)
    base = image()
    outside = image(seed=5)
    outside[top : bottom + 1, left : right + 1] = base[top : bottom + 1, left : right + 1]
    unit = [layers.layer_walk(small, x)[2].activation[2, 3] for x in (base, outside)]
    np.testing.assert_allclose(unit[0], unit[1], atol=1e-5)
    changed = base.copy()
    changed[top : bottom + 1, left : right + 1] = image(seed=6)[top : bottom + 1, left : right + 1]
    assert not np.allclose(layers.layer_walk(small, changed)[2].activation[2, 3], unit[0])


def test_strided_same_padding_pads_the_extra_row_after():
    inputs = keras.Input((7, 7, 1))
    outputs = keras.layers.Conv2D(1, 3, strides=2, padding="same", name="c")(inputs)
    model = keras.Model(inputs, outputs)
    # 7 -> 4 units; total padding (4 - 1) * 2 + 3 - 7 = 2, one before: unit 0 sees rows -1..1
    assert layers.receptive_box(model, "c", 0, 0) == (0, 0, 1, 1)
    assert layers.receptive_box(model, "c", 3, 3) == (5, 5, 7 - 1, 7 - 1)
    assert layers.receptive_field_size(model, "c") == (3, 3)


def test_the_region_goes_back_through_a_resizing_layer():
    keras.utils.set_random_seed(2)
    lenet = architectures.build_model("lenet", (8, 8, 1), 3)  # resized to 28x28 first
    assert lenet.layers[1].__class__.__name__ == "Resizing"
    first = lenet.layers[2].name  # the first convolution, 5x5 "same" on 28x28
    top, left, bottom, right = layers.receptive_box(lenet, first, 14, 14)
    # rows 12..16 of 28 read rows 3.07..4.21 of 8 (bilinear): rows 3 to 5
    assert (top, left, bottom, right) == (3, 3, 5, 5)
    base = image((8, 8, 1))
    outside = image((8, 8, 1), seed=5)
    outside[top : bottom + 1, left : right + 1] = base[top : bottom + 1, left : right + 1]
    unit = [layers.layer_walk(lenet, x)[1].activation[14, 14] for x in (base, outside)]
    np.testing.assert_allclose(unit[0], unit[1], atol=1e-5)


def test_no_region_for_a_dense_layer_or_a_unit_outside_the_maps(small):
    with pytest.raises(UserInputError, match="no feature maps"):
        layers.receptive_box(small, "hidden", 0, 0)
    with pytest.raises(UserInputError, match="outside"):
        layers.receptive_box(small, "c2", 5, 0)
    with pytest.raises(UserInputError, match="no layer named"):
        layers.receptive_box(small, "nope", 0, 0)


def test_the_strongest_unit_is_the_largest_value():
    maps = np.zeros((4, 5))
    maps[2, 3] = 7.0
    assert layers.strongest_unit(maps) == (2, 3)


# --- kernels --------------------------------------------------------------------------------------


def test_strongest_input_channels_rank_the_kernel_slices_by_l1_norm(small):
    conv = small.get_layer("c2")
    kernel, bias = (np.asarray(w) for w in conv.get_weights())
    original = [kernel.copy(), bias]
    kernel[..., 1] = 0.0
    kernel[:, :, 2, 1] = 1.0  # L1 9
    kernel[:, :, 0, 1] = -0.5  # L1 4.5: the sign does not matter
    kernel[0, 0, 1, 1] = 0.1  # L1 0.1
    conv.set_weights([kernel, bias])
    try:
        view = layers.strongest_input_channels(small, "c2", 1, count=2)
        assert view.in_channels == (2, 0) and view.total_in == 3 and not view.first
        assert view.norms == pytest.approx((9.0, 4.5))
        np.testing.assert_array_equal(view.slices[1], kernel[:, :, 0, 1])
        every = layers.strongest_input_channels(small, "c2", 1, count=None)
        assert every.in_channels == (2, 0, 1)
    finally:
        conv.set_weights(original)


def test_the_first_convolution_shows_every_image_channel_in_order(small):
    view = layers.strongest_input_channels(small, "c1", 2)
    assert view.first and view.in_channels == (0, 1) and view.slices.shape == (2, 3, 3)
    np.testing.assert_array_equal(
        view.slices[1], np.asarray(small.get_layer("c1").kernel)[:, :, 1, 2]
    )
    with pytest.raises(UserInputError, match="0 to 2"):
        layers.strongest_input_channels(small, "c1", 3)
    with pytest.raises(UserInputError):
        layers.strongest_input_channels(small, "p1", 0)


def test_a_pooled_map_comes_from_the_convolution_before_it(small):
    assert layers.producing_conv(small, "c1") == "c1"
    assert layers.producing_conv(small, "p1") == "c1"
    assert layers.producing_conv(small, "flat") is None
    assert layers.input_layer_before(small, "c2") == "p1"
    assert layers.input_layer_before(small, "c1") is None


# --- nested models --------------------------------------------------------------------------------


def test_a_nested_backbone_is_one_row_with_its_output():
    keras.utils.set_random_seed(1)
    inner_in = keras.Input((8, 8, 1))
    inner_x = keras.layers.Conv2D(2, 3, padding="same", name="inner_conv")(inner_in)
    backbone = keras.Model(inner_in, keras.layers.MaxPooling2D(2)(inner_x), name="backbone")
    inputs = keras.Input((8, 8, 1))
    x = keras.layers.GlobalAveragePooling2D(name="gap")(backbone(inputs))
    model = keras.Model(inputs, keras.layers.Dense(2, activation="softmax", name="out")(x))
    walk = layers.layer_walk(model, image((8, 8, 1)))
    assert [(s.name, s.nested, s.output_shape) for s in walk] == [
        ("backbone", True, (4, 4, 2)),
        ("gap", False, (2,)),
        ("out", False, (2,)),
    ]
    assert walk[0].params == backbone.count_params() == 3 * 3 * 2 + 2
    with pytest.raises(UserInputError, match="cannot be traced"):
        layers.receptive_box(model, "backbone", 0, 0)
