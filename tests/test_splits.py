import numpy as np
import pytest

from clfcore.data.splits import (
    SplitConfig,
    make_splits,
    one_hot,
    split_indices,
    stratified_split,
    stratified_subset,
)
from clfcore.errors import UserInputError


def _labels(counts):
    return np.concatenate([np.full(n, cls) for cls, n in enumerate(counts)])


def test_stratified_split_keeps_each_class_share_and_is_disjoint():
    labels = _labels([100, 50, 10])
    kept, held = stratified_split(labels, 0.2, seed=0)
    assert set(kept).isdisjoint(held) and len(kept) + len(held) == len(labels)
    assert np.bincount(labels[held]).tolist() == [20, 10, 2]


def test_same_seed_same_split_other_seed_other_split():
    labels = _labels([30, 30])
    a = stratified_split(labels, 0.2, seed=7)[1]
    assert np.array_equal(a, stratified_split(labels, 0.2, seed=7)[1])
    assert not np.array_equal(a, stratified_split(labels, 0.2, seed=8)[1])


def test_every_class_keeps_at_least_one_training_image():
    labels = _labels([2, 1, 5])
    kept, _held = stratified_split(labels, 0.5, seed=0)
    assert set(labels[kept]) == {0, 1, 2}


def test_subset_is_stratified_and_sized():
    labels = _labels([600, 300, 100])
    chosen = stratified_subset(labels, 100, seed=0)
    assert len(chosen) == 100
    assert np.bincount(labels[chosen]).tolist() == [60, 30, 10]
    assert len(stratified_subset(labels, 5000, seed=0)) == 1000


def test_make_splits_scales_encodes_and_never_touches_test():
    x = np.full((50, 4, 4, 1), 255, np.uint8)
    y = np.arange(50) % 5
    x_test = np.zeros((10, 4, 4, 1), np.uint8)
    splits = make_splits(
        x,
        y,
        x_test,
        np.arange(10) % 5,
        tuple("abcde"),
        SplitConfig(validation_split=0.2, one_hot=True),
    )
    assert (
        splits.x_train.dtype == np.float32
        and splits.x_train.max() == 1.0
        and splits.x_test.max() == 0.0
    )
    assert splits.x_train.shape == (40, 4, 4, 1) and splits.x_val.shape == (10, 4, 4, 1)
    assert splits.y_train.shape == (40, 5) and splits.y_train.sum(axis=1).tolist() == [1.0] * 40
    assert len(splits.x_test) == 10


def test_split_indices_apply_subset_before_validation():
    y = np.arange(1000) % 10
    train, val = split_indices(y, SplitConfig(validation_split=0.2, train_size=100, seed=3))
    assert len(train) == 80 and len(val) == 20 and set(train).isdisjoint(val)


def test_one_hot_matches_keras_to_categorical_layout():
    np.testing.assert_array_equal(one_hot(np.array([2, 0]), 3), [[0, 0, 1], [1, 0, 0]])


@pytest.mark.parametrize(
    "kwargs",
    [
        {"validation_split": 0},
        {"validation_split": 1.0},
        {"validation_split": -0.1},
        {"train_size": 1},
    ],
)
def test_bad_split_settings_are_refused_with_the_allowed_range(kwargs):
    with pytest.raises(UserInputError):
        SplitConfig(**kwargs)
