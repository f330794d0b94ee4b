"""The convolution lab's core: Keras's layers against a plain numpy computation, the size rule,
the step view's data, and the refusals."""

import numpy as np
import pytest

from clfcore.errors import UserInputError
from clfcore.teaching import convolution as conv


def _numpy_conv(image, kernel, stride, pads):
    padded = np.pad(image.astype(np.float64), pads)
    k = kernel.shape[0]
    rows = (padded.shape[0] - k) // stride + 1
    cols = (padded.shape[1] - k) // stride + 1
    out = np.zeros((rows, cols))
    for r in range(rows):
        for c in range(cols):
            window = padded[r * stride : r * stride + k, c * stride : c * stride + k]
            out[r, c] = np.sum(window * kernel)
    return out


def _numpy_pool(image, size, stride, reduce):
    rows = (image.shape[0] - size) // stride + 1
    cols = (image.shape[1] - size) // stride + 1
    return np.array(
        [
            [
                reduce(image[r * stride : r * stride + size, c * stride : c * stride + size])
                for c in range(cols)
            ]
            for r in range(rows)
        ]
    )


IMAGE = np.random.default_rng(0).random((9, 11)).astype(np.float32)


@pytest.mark.parametrize("name", list(conv.KERNELS))
@pytest.mark.parametrize(
    "stride, padding, pads",
    [
        (1, "valid", ((0, 0), (0, 0))),
        (2, 1, ((1, 1), (1, 1))),
        (3, 2, ((2, 2), (2, 2))),
        # Keras's "same": ceil(9/2) = 5 rows need 2 zeros (1 + 1); ceil(11/2) = 6 cols need 2
        (2, "same", ((1, 1), (1, 1))),
        # ceil(9/4) = 3 rows: (3-1)*4 + 3 - 9 = 2; ceil(11/4) = 3 cols: 8 + 3 - 11 = 0
        (4, "same", ((1, 1), (0, 0))),
    ],
)
def test_conv2d_is_keras_and_equals_numpy(name, stride, padding, pads):
    kernel = conv.kernel_named(name)
    result = conv.convolve2d(IMAGE, kernel, stride=stride, padding=padding)
    assert result.pads == pads
    np.testing.assert_allclose(
        result.output, _numpy_conv(IMAGE, kernel, stride, pads), rtol=1e-5, atol=1e-5
    )


def test_a_5x5_own_kernel_and_same_padding_keep_the_size():
    kernel = conv.check_kernel(np.arange(25).reshape(5, 5) - 12)
    result = conv.convolve2d(IMAGE, kernel, padding="same")
    assert result.output.shape == IMAGE.shape and result.pads == ((2, 2), (2, 2))
    np.testing.assert_allclose(result.output, _numpy_conv(IMAGE, kernel, 1, result.pads), atol=1e-4)


def test_the_course_example():
    result = conv.convolve2d(conv.COURSE_IMAGE, conv.COURSE_KERNEL)
    np.testing.assert_array_equal(result.output, [[4, 3, 4], [2, 4, 3], [2, 3, 4]])


@pytest.mark.parametrize("kind, reduce", [("max", np.max), ("average", np.mean)])
@pytest.mark.parametrize("size, stride", [(2, None), (3, 2), (2, 1)])
def test_pooling_is_keras_and_equals_numpy(kind, reduce, size, stride):
    result = conv.pool2d(IMAGE, kind=kind, size=size, stride=stride)
    expected = _numpy_pool(IMAGE, size, stride or size, reduce)
    np.testing.assert_allclose(result.output, expected, rtol=1e-6)
    step = result.step(result.positions - 1)
    assert step.products is None and step.value == pytest.approx(result.output[-1, -1])


@pytest.mark.parametrize("stride, padding", [(1, "valid"), (2, 1), (1, "same"), (3, "same")])
def test_conv1d_is_keras_and_equals_numpy(stride, padding):
    result = conv.convolve1d(conv.SEQUENCE, conv.WEIGHTS_1D, stride=stride, padding=padding)
    padded = np.pad(np.asarray(conv.SEQUENCE, dtype=float), result.pads)
    n = len(conv.WEIGHTS_1D)
    expected = [
        np.sum(padded[k : k + n] * conv.WEIGHTS_1D) for k in range(0, len(padded) - n + 1, stride)
    ]
    np.testing.assert_allclose(result.output, expected)
    for index in range(result.positions):
        assert result.step(index).value == pytest.approx(result.output[index])


def test_the_course_1d_formula_valid():
    # the notes' convolve(): len(s) - len(w) + 1 outputs, c_k = sum_t s_(k+t) w_t
    result = conv.convolve1d([1, 2, 3, 4], [1, 1])
    np.testing.assert_array_equal(result.output, [3, 5, 7])
    assert result.rule() == "m' = (4 - 2) + 1 = 3"


def test_every_step_matches_the_output_and_slices_the_padded_input():
    result = conv.convolve2d(IMAGE, conv.kernel_named("sobel_x"), stride=2, padding=1)
    for index in range(result.positions):
        step = result.step(index)
        assert step.value == pytest.approx(
            float(result.output[step.out_row, step.out_col]), abs=1e-5
        )
    step = result.step(7)  # output 5x6: row 1, col 1 -> top-left (2, 2) in the padded input
    assert (step.out_row, step.out_col, step.row, step.col) == (1, 1, 2, 2)
    np.testing.assert_array_equal(step.patch, result.padded[2:5, 2:5])
    np.testing.assert_array_equal(step.products, step.patch * result.kernel)
    first = result.step(0)
    assert first.patch[0].tolist() == [0, 0, 0]  # the zero padding is in the window
    assert result.step(10_000).index == result.positions - 1


def test_size_rule_text():
    assert conv.size_rule(28, 3, 2, (1, 1)) == "W' = ⌊(28 - 3 + 2*1) / 2⌋ + 1 = ⌊13.5⌋ + 1 = 14"
    assert conv.size_rule(28, 2, 2, name="H") == "H' = (28 - 2) / 2 + 1 = 14"
    assert conv.size_rule(28, 3, 1, (1, 1)) == "W' = (28 - 3 + 2*1) + 1 = 28"
    assert conv.size_rule(28, 3, 2, (0, 1)) == "W' = (28 - 3 + 0 + 1) / 2 + 1 = 14"
    wide = conv.convolve2d(np.zeros((10, 21)), conv.kernel_named("identity"), stride=3)
    assert wide.rules() == [
        "H' = ⌊(10 - 3) / 3⌋ + 1 = ⌊2.33⌋ + 1 = 3",
        "W' = (21 - 3) / 3 + 1 = 7",
    ]
    assert wide.output.shape == (3, 7)
    square = conv.convolve2d(np.zeros((8, 8)), conv.kernel_named("identity"))
    assert square.rules() == ["W' = (8 - 3) + 1 = 6"]


def test_parse_kernel():
    np.testing.assert_array_equal(conv.parse_kernel("sobel_x"), conv.kernel_named("sobel_x"))
    np.testing.assert_array_equal(
        conv.parse_kernel("1,0,-1; 2,0,-2; 1,0,-1"), conv.kernel_named("sobel_x")
    )
    assert conv.parse_kernel(";".join(["1,1,1,1,1"] * 5)).shape == (5, 5)


@pytest.mark.parametrize(
    "text, words",
    [
        ("sobel_z", "Unknown kernel 'sobel_z'"),
        ("1,2,3;4,5,6", "must be square"),
        ("1,2;3,4", "3x3 or 5x5, got 2x2"),
        ("1,2,3;4,5;6,7,8", "as many numbers"),
        ("1,a,3;4,5,6;7,8,9", "not a number"),
        ("1,nan,3;4,5,6;7,8,9", "must be a number"),
    ],
)
def test_bad_kernels_are_refused_with_a_reason(text, words):
    with pytest.raises(UserInputError, match=words):
        conv.parse_kernel(text)


def test_bad_kernel_grid_from_the_editor():
    with pytest.raises(UserInputError, match="must be a number"):
        conv.check_kernel([[1, None, 0], [0, 1, 0], [0, 0, 1]])


@pytest.mark.parametrize("value", ["full", "-1", "9", 5, "1.5"])
def test_bad_padding(value):
    with pytest.raises(UserInputError, match="padding must be valid, same or a number"):
        conv.parse_padding(value)


def test_padding_values():
    assert [conv.parse_padding(v) for v in ("valid", " SAME ", "2", 0)] == ["valid", "same", 2, 0]


def test_stride_larger_than_the_image_and_a_kernel_that_does_not_fit():
    with pytest.raises(UserInputError, match="larger than the image"):
        conv.convolve2d(np.zeros((3, 3)), conv.kernel_named("identity"), stride=4)
    with pytest.raises(UserInputError, match="from 1 to 4"):
        conv.convolve2d(IMAGE, conv.kernel_named("identity"), stride=5)
    with pytest.raises(UserInputError, match="larger than the padded image"):
        conv.convolve2d(np.zeros((4, 4)), np.ones((5, 5)))
    with pytest.raises(UserInputError, match="longer than the padded sequence"):
        conv.convolve1d([1, 2], [1, 2, 3])
    with pytest.raises(UserInputError, match="max or average"):
        conv.pool2d(IMAGE, kind="min")


def test_images_for_the_lab(png):
    for name in conv.SYNTHETIC:
        image = conv.synthetic_image(name)
        assert image.ndim == 2 and image.min() >= 0 and image.max() <= 1
    red = conv.image_from_file(png(colour=(200, 30, 30), size=(12, 8)), channel=0)
    assert red.shape == (8, 12) and red.max() == pytest.approx(200 / 255)
    gray = conv.image_from_file(png(colour=(200, 30, 30), size=(200, 100)))
    assert gray.shape == (32, 64)  # reduced to MAX_SIDE
    with pytest.raises(UserInputError, match="contains text"):
        conv.image_from_file(b"hello, this is not a picture", name="x.png")
    assert conv.one_channel(np.full((2, 2, 1), 255, np.uint8)).tolist() == [[1, 1], [1, 1]]


def test_parse_numbers():
    assert conv.parse_numbers("0, 1  2;3").tolist() == [0, 1, 2, 3]
    with pytest.raises(UserInputError, match="not a number"):
        conv.parse_numbers("1, x")
    with pytest.raises(UserInputError, match="at least one number"):
        conv.parse_numbers("  ")
