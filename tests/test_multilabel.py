"""clfcore.data.multilabel: label statistics and the threshold decision, on hand-made rows."""

import pytest

from clfcore.data import multilabel


def test_mean_labels_per_image():
    # 2 images without a label, 1 with one, 1 with three
    assert multilabel.mean_labels_per_image([2, 1, 0, 1]) == pytest.approx(1.0)
    assert multilabel.mean_labels_per_image([0, 0, 0]) == 0.0


def test_labels_at_threshold_most_probable_first():
    assert multilabel.labels_at_threshold([0.6, 0.1, 0.9, 0.5], 0.5) == [2, 0, 3]
    assert multilabel.labels_at_threshold([0.2, 0.3], 0.5) == []
