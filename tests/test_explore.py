"""clfcore.data.explore: counts per split and class, random picks, on tiny hand-made labels."""

import numpy as np
import pandas as pd

from clfcore.data import explore
from clfcore.data.splits import SplitConfig


def test_random_indices_are_distinct_seeded_and_capped():
    picks = explore.random_indices(10, 4, seed=3)
    assert len(picks) == 4 and len(set(picks.tolist())) == 4 and picks.max() < 10
    np.testing.assert_array_equal(picks, explore.random_indices(10, 4, seed=3))
    assert sorted(explore.random_indices(3, 12, seed=0).tolist()) == [0, 1, 2]


def test_one_per_class_skips_empty_classes_and_stops_at_the_limit():
    labels = np.array([0, 0, 2, 2, 3])
    picks = explore.one_per_class(labels, 4, limit=3, seed=0)
    assert [c for _, c in picks] == [0, 2]  # class 1 has no image; class 3 is past the limit
    assert all(labels[i] == c for i, c in picks)


def test_multilabel_split_counts():
    y_train = np.array([[1, 0], [1, 1], [0, 0], [0, 1], [1, 0], [1, 1], [0, 1], [1, 0]])
    y_test = np.array([[1, 1], [0, 1]])
    images, per_label, per_image = explore.multilabel_split_counts(
        y_train, y_test, ("sky", "sea"), SplitConfig(validation_split=0.25, seed=0)
    )
    assert images.loc["images"].tolist() == [6, 2, 2]
    assert list(per_label.index) == ["sky", "sea"]
    assert per_label["test"].tolist() == [1, 2]
    assert (per_label["train"] + per_label["validation"]).tolist() == [5, 4]
    assert per_image["test"].tolist() == [0, 1, 1]  # one image with 1 label, one with 2
    assert per_image.sum().tolist() == [6, 2, 2]


def test_coarse_counts_sum_the_fine_classes_of_each_group():
    fine = pd.DataFrame(
        {"train": [1, 2, 3], "test": [4, 5, 6]},
        index=pd.Index(["oak", "rose", "pine"], name="class"),
    )
    coarse = explore.coarse_counts(fine, [0, 1, 0], ("trees", "flowers"))
    assert list(coarse.index) == ["trees", "flowers"] and coarse.index.name == "class"
    assert coarse["train"].tolist() == [4, 2]
    assert coarse["test"].tolist() == [10, 5]
