"""Similar images: nearest training images in the model's penultimate-layer feature space."""

import keras
import numpy as np
import pytest

from clfcore.config import TrainConfig
from clfcore.data import datasets
from clfcore.data.splits import split_indices
from clfcore.errors import UserInputError
from clfcore.evaluation import run_predictions
from clfcore.inference import insight, similar
from clfcore.models import architectures


@pytest.fixture(scope="module")
def mlp():
    keras.utils.set_random_seed(4)
    return architectures.build_model("mlp", (8, 8, 1), 3, options={"units": 12})


def images(count=40, seed=0):
    return np.random.default_rng(seed).uniform(0, 1, (count, 8, 8, 1)).astype(np.float32)


def test_an_image_s_nearest_neighbour_in_a_set_holding_it_is_itself_at_distance_0(mlp):
    x, labels = images(), np.arange(40) % 3
    index = similar.fit_index(mlp, x, labels, positions=np.arange(1000, 1040))
    found = similar.nearest(index, mlp, x[7])
    assert len(found) == similar.NEIGHBOURS == 8
    assert found[0].position == 1007 and found[0].label == labels[7]
    assert found[0].distance == pytest.approx(0.0, abs=1e-5)
    assert all(n.label == labels[n.position - 1000] for n in found)


def test_neighbours_are_the_closest_features_in_order(mlp):
    x, labels = images(), np.arange(40) % 3
    index = similar.fit_index(mlp, x, labels)
    query = images(1, seed=9)[0]
    found = similar.nearest(index, mlp, query, count=5)
    features = insight.penultimate_features(mlp, x)
    distances = np.linalg.norm(features - insight.penultimate_features(mlp, query[None]), axis=1)
    assert [n.position for n in found] == list(np.argsort(distances)[:5])
    np.testing.assert_allclose([n.distance for n in found], np.sort(distances)[:5], rtol=1e-4)
    assert len(similar.nearest(index, mlp, query, count=100)) == 40  # no more than there are


def test_bad_input_gets_a_clear_message(mlp):
    with pytest.raises(UserInputError, match="one label each"):
        similar.fit_index(mlp, images(4), np.arange(3))
    index = similar.fit_index(mlp, images(4), np.arange(4))
    with pytest.raises(UserInputError, match="at least 1"):
        similar.nearest(index, mlp, images(1)[0], count=0)
    with pytest.raises(UserInputError, match="same model"):
        similar.nearest_to_features(index, np.zeros(5))


def test_multilabel_rows_are_kept_as_labels(mlp):
    labels = (np.arange(12)[:, None] % np.array([2, 3]) == 0).astype(np.float32)
    index = similar.fit_index(mlp, images(12), labels)
    found = similar.nearest(index, mlp, images(12)[3], count=2)
    np.testing.assert_array_equal(found[0].label, labels[3])


def test_the_training_sample_is_the_run_s_own_train_split_bounded_and_seeded():
    config = TrainConfig(dataset="digits", train_size=400, seed=1)
    positions, x, labels = run_predictions.training_sample(config, max_images=100)
    raw = datasets.load_raw("digits")
    train, val = split_indices(raw.y_train, config.split)
    assert len(positions) == 100 and set(positions) <= set(train) and not set(positions) & set(val)
    assert list(positions) == sorted(positions)
    np.testing.assert_array_equal(labels, raw.y_train[positions])
    np.testing.assert_allclose(x, raw.x_train[positions] / 255.0, atol=1e-6)
    assert len(np.unique(labels)) == 10  # stratified: every class kept
    again, *_ = run_predictions.training_sample(config, max_images=100)
    np.testing.assert_array_equal(positions, again)
    every, *_ = run_predictions.training_sample(config)
    np.testing.assert_array_equal(every, np.sort(train))
