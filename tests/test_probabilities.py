"""Model outputs to probabilities: the one conversion evaluation, Classify and the insight views
share."""

import numpy as np

from clfcore.models.probabilities import probabilities_from_outputs


def test_one_sigmoid_unit_becomes_two_columns():
    probabilities = probabilities_from_outputs(np.array([[0.8], [0.1]], dtype=np.float32))
    np.testing.assert_allclose(probabilities, [[0.2, 0.8], [0.9, 0.1]], rtol=1e-6)
    assert probabilities.dtype == np.float32


def test_a_flat_vector_is_one_unit_per_image():
    np.testing.assert_allclose(probabilities_from_outputs([0.25, 1.0]), [[0.75, 0.25], [0.0, 1.0]])


def test_several_units_pass_through_in_the_asked_precision():
    outputs = np.array([[0.7, 0.2, 0.1]])
    probabilities = probabilities_from_outputs(outputs, dtype=np.float64)
    assert probabilities.dtype == np.float64
    np.testing.assert_array_equal(probabilities, outputs)
    assert probabilities_from_outputs(outputs).dtype == np.float32
