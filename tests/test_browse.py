"""clfcore.evaluation.browse: which test images to show, in what order, on hand-made predictions."""

import numpy as np
import pytest

from clfcore.evaluation import browse
from clfcore.evaluation.outputs import Predictions
from clfcore.evaluation.roc_pr import Curve

NAMES = ("cat", "dog", "fox")


def three_classes() -> Predictions:
    # image: 0 right (0.9), 1 wrong 0->1 (0.6), 2 right (0.5), 3 wrong 2->1 (0.8), 4 wrong 0->1
    # (0.7)
    probabilities = np.array(
        [
            [0.9, 0.05, 0.05],
            [0.3, 0.6, 0.1],
            [0.2, 0.5, 0.3],
            [0.1, 0.8, 0.1],
            [0.2, 0.7, 0.1],
        ]
    )
    return Predictions(probabilities, np.array([0, 0, 1, 2, 0]), NAMES)


def multilabel() -> Predictions:
    probabilities = np.array([[0.9, 0.8, 0.1], [0.2, 0.1, 0.3], [0.7, 0.2, 0.6]])
    labels = np.array([[1, 1, 0], [0, 0, 1], [1, 0, 0]])
    return Predictions(probabilities, labels, NAMES, "multilabel")


def test_filter_keeps_a_class_and_the_wrong_ones_in_test_set_order():
    preds = three_classes()
    assert browse.filter_images(preds).tolist() == [0, 1, 2, 3, 4]
    assert browse.filter_images(preds, true_class=0).tolist() == [0, 1, 4]
    assert browse.filter_images(preds, show="wrong").tolist() == [1, 3, 4]
    assert browse.filter_images(preds, show="correct").tolist() == [0, 2]
    assert browse.filter_images(preds, true_class=0, show="wrong").tolist() == [1, 4]


def test_filter_sorts_by_loss_and_confidence():
    preds = three_classes()
    # loss = -log p(true): image 3 has p=0.1, 4 has 0.2, 1 has 0.3, 2 has 0.5, 0 has 0.9
    assert browse.filter_images(preds, sort="loss").tolist() == [3, 4, 1, 2, 0]
    assert browse.filter_images(preds, sort="least_confident").tolist() == [2, 1, 4, 3, 0]
    assert browse.filter_images(preds, sort="most_confident").tolist() == [0, 3, 4, 1, 2]


def test_filter_keeps_test_set_order_on_ties():
    preds = Predictions(np.array([[0.6, 0.4]] * 3), np.array([0, 0, 0]), ("a", "b"))
    for sort in browse.SORTS:
        assert browse.filter_images(preds, sort=sort).tolist() == [0, 1, 2]


def test_filter_by_label_for_multilabel_images():
    preds = multilabel()
    assert browse.filter_images(preds, true_class=0).tolist() == [0, 2]
    assert browse.filter_images(preds, show="wrong").tolist() == [1, 2]


def test_confusion_cell_most_confident_first():
    preds = three_classes()
    assert browse.confusion_cell(preds, 0, 1).tolist() == [4, 1]
    assert browse.confusion_cell(preds, 0, 0).tolist() == [0]
    assert browse.confusion_cell(preds, 1, 0).tolist() == []


def test_most_frequent_mistake_ignores_the_diagonal():
    confusion = np.array([[50, 1, 2], [3, 40, 0], [0, 7, 30]])
    assert browse.most_frequent_mistake(confusion) == (2, 1)
    assert browse.most_frequent_mistake(np.diag([5, 5])) == (0, 0)
    assert browse.most_frequent_mistake(np.array([[1, 2], [2, 1]])) == (0, 1)  # first on ties
    assert confusion[0, 0] == 50  # the matrix is not modified


def test_row_shares_leave_empty_rows_at_zero():
    shares = browse.row_shares(np.array([[3, 1], [0, 0]]))
    np.testing.assert_allclose(shares, [[0.75, 0.25], [0.0, 0.0]])


def test_label_text_and_gallery_caption():
    preds = three_classes()
    assert browse.label_text(preds, NAMES, 1, which="true") == "cat"
    assert browse.label_text(preds, NAMES, 1, which="predicted") == "dog"
    assert browse.gallery_caption(preds, NAMES, 0) == "✓ cat (90%)"
    assert browse.gallery_caption(preds, NAMES, 1) == "✗ cat → dog (60%)"


def test_label_text_of_multilabel_images():
    preds = multilabel()
    assert browse.label_text(preds, NAMES, 0, which="true") == "cat+dog"
    assert browse.label_text(preds, NAMES, 2, which="predicted") == "cat+fox"
    assert browse.label_text(preds, NAMES, 1, which="predicted") == "-"


def test_single_labels_and_insight_sample():
    preds = three_classes()
    np.testing.assert_array_equal(browse.single_labels(preds), [0, 0, 1, 2, 0])
    np.testing.assert_array_equal(browse.single_labels(multilabel(), np.array([1, 2])), [2, 0])
    assert browse.insight_sample(preds, 10).tolist() == [0, 1, 2, 3, 4]
    sample = browse.insight_sample(
        Predictions(np.full((40, 2), 0.5), np.repeat([0, 1], 20), ("a", "b")), 10
    )
    assert len(sample) == 10 and np.all(np.diff(sample) > 0)
    assert np.sum(sample < 20) == 5  # stratified: half of each class


def curve(area: float) -> Curve:
    return Curve(np.array([0.0, 1.0]), np.array([0.0, 1.0]), np.array([1.0, 0.0]), area)


def test_curve_defaults_every_class_up_to_ten_then_the_worst_five():
    few = [curve(0.9), None, curve(0.7)]
    assert browse.default_curve_classes(few) == [0, 1, 2]
    assert browse.default_curve_classes(few, task="binary") == [1]
    many = [curve(a) for a in (0.99, 0.5, 0.8, 0.6, 0.95, 0.7, 0.9, 0.55, 0.85, 0.97)] + [None]
    assert browse.default_curve_classes(many) == [1, 7, 3, 5, 2]
    assert browse.mean_area(few) == pytest.approx(0.8)
    assert browse.mean_area([None]) is None
    assert browse.classes_without_curve(few) == [1]


def test_top_classes_keep_the_true_class():
    probabilities = np.array([0.1, 0.4, 0.05, 0.3, 0.15])
    assert browse.top_classes(probabilities, top=3).tolist() == [1, 3, 4]
    assert browse.top_classes(probabilities, top=3, include=2).tolist() == [1, 3, 2]
    assert browse.top_classes(probabilities, top=3, include=3).tolist() == [1, 3, 4]
    assert browse.top_classes(np.array([0.5, 0.5]), top=1).tolist() == [0]
