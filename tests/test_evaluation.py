"""Evaluation metrics against scikit-learn and hand-computed examples."""

import csv
import io
import json

import numpy as np
import pytest
from sklearn import metrics as skm

from clfcore.evaluation import commentary, exports, roc_pr, run_predictions, scoring
from clfcore.evaluation.run_predictions import Predictions

# --- hand-made predictions ------------------------------------------------------------------------


def softmax_like(labels, num_classes, *, accuracy=0.7, seed=0):
    """Random probabilities whose arg-max is right for about ``accuracy`` of the images."""
    rng = np.random.default_rng(seed)
    probs = rng.random((len(labels), num_classes)) + 0.05
    right = rng.random(len(labels)) < accuracy
    probs[right, labels[right]] += 2.0
    return (probs / probs.sum(axis=1, keepdims=True)).astype(np.float32)


def test_confusion_matrix_and_per_class_scores_match_scikit_learn():
    rng = np.random.default_rng(1)
    labels = rng.integers(0, 6, 500)
    preds = Predictions(softmax_like(labels, 6), labels, tuple("abcdef"))
    report = scoring.evaluate(preds)
    y_pred = preds.predicted
    np.testing.assert_array_equal(
        report.confusion, skm.confusion_matrix(labels, y_pred, labels=range(6))
    )
    p, r, f, s = skm.precision_recall_fscore_support(
        labels, y_pred, labels=range(6), zero_division=0
    )
    np.testing.assert_allclose(report.per_class["precision"], p)
    np.testing.assert_allclose(report.per_class["recall"], r)
    np.testing.assert_allclose(report.per_class["f1"], f)
    np.testing.assert_array_equal(report.per_class["support"], s)
    for average in ("macro", "micro", "weighted"):
        p, r, f, _ = skm.precision_recall_fscore_support(
            labels, y_pred, labels=range(6), average=average, zero_division=0
        )
        assert report.averages[average]["precision"] == pytest.approx(p)
        assert report.averages[average]["recall"] == pytest.approx(r)
        assert report.averages[average]["f1"] == pytest.approx(f)
    assert report.accuracy == pytest.approx(skm.accuracy_score(labels, y_pred))
    assert report.loss == pytest.approx(
        skm.log_loss(labels, preds.probabilities, labels=range(6)), rel=1e-5
    )
    assert report.top_k[3] == pytest.approx(
        skm.top_k_accuracy_score(labels, preds.probabilities, k=3, labels=range(6))
    )
    assert report.top_k[5] == pytest.approx(
        skm.top_k_accuracy_score(labels, preds.probabilities, k=5, labels=range(6))
    )


def test_hand_computed_specificity_and_npv():
    # rows true, columns predicted:   a  b  c
    #                            a  [ 3, 1, 0 ]
    #                            b  [ 2, 2, 0 ]
    #                            c  [ 0, 1, 1 ]
    truth = np.array([0, 0, 0, 0, 1, 1, 1, 1, 2, 2])
    guess = np.array([0, 0, 0, 1, 0, 0, 1, 1, 1, 2])
    report = scoring.evaluate(
        Predictions(np.eye(3, dtype=np.float32)[guess], truth, ("a", "b", "c"))
    )
    np.testing.assert_array_equal(report.confusion, [[3, 1, 0], [2, 2, 0], [0, 1, 1]])
    # class a: TP 3, FP 2, FN 1, TN 4 -> specificity 4/6, NPV 4/5 (the course slide's TN/(TN+TP)
    # would give 4/7)
    assert report.per_class["specificity"][0] == pytest.approx(4 / 6)
    assert report.per_class["npv"][0] == pytest.approx(4 / 5)
    # class b: TP 2, FP 2, FN 2, TN 4 -> specificity 4/6, NPV 4/6
    assert report.per_class["specificity"][1] == pytest.approx(4 / 6)
    assert report.per_class["npv"][1] == pytest.approx(4 / 6)
    # class c: TP 1, FP 0, FN 1, TN 8 -> specificity 1, NPV 8/9, precision 1, recall 1/2, F1 2/3
    assert report.per_class["specificity"][2] == 1.0
    assert report.per_class["npv"][2] == pytest.approx(8 / 9)
    assert report.per_class["f1"][2] == pytest.approx(2 / 3)
    # micro specificity: sum TN / (sum TN + sum FP) = 16 / (16 + 4)
    assert report.averages["micro"]["specificity"] == pytest.approx(16 / 20)
    assert report.averages["weighted"]["npv"] == pytest.approx(
        (4 * 4 / 5 + 4 * 4 / 6 + 2 * 8 / 9) / 10
    )
    assert report.accuracy == pytest.approx(0.6)


def test_never_predicted_and_absent_classes_give_zeros_and_notes_not_nan():
    truth = np.array([0, 0, 1, 1, 1, 0])  # class 2 has no test images
    guess = np.array([0, 0, 0, 0, 0, 0])  # classes 1 and 2 are never predicted; 0 always
    probs = np.full((6, 3), 0.1, dtype=np.float32)
    probs[:, 0] = 0.8
    report = scoring.evaluate(Predictions(probs, truth, ("x", "y", "z")))
    for metric in scoring.METRICS:
        assert np.all(np.isfinite(report.per_class[metric])), metric
        assert all(np.isfinite(v) for v in (report.averages[a][metric] for a in scoring.AVERAGES))
    assert report.per_class["precision"][1] == 0 and report.per_class["recall"][2] == 0
    assert report.per_class["npv"][0] == 0  # class x is predicted for every image: TN + FN = 0
    p, r, f, _ = skm.precision_recall_fscore_support(truth, guess, labels=range(3), zero_division=0)
    np.testing.assert_allclose(report.per_class["precision"], p)
    np.testing.assert_allclose(report.per_class["recall"], r)
    np.testing.assert_allclose(report.per_class["f1"], f)
    notes = {note.template: note.classes for note in report.notes}
    assert notes[scoring.NEVER_PREDICTED] == (1, 2)
    assert notes[scoring.NO_TEST_IMAGES] == (2,)
    assert notes[scoring.ALWAYS_PREDICTED] == (0,)
    text = exports.classification_report(report)
    assert (
        "nan" not in text.lower()
        and "Never predicted, so precision is 0 (no division by zero): y, z." in text
    )


def test_one_vs_rest_roc_and_pr_match_scikit_learn():
    rng = np.random.default_rng(3)
    labels = rng.integers(0, 4, 300)
    probs = softmax_like(labels, 4, accuracy=0.5, seed=3)
    probs[:40] = np.round(probs[:40], 1)  # some tied scores
    curves = roc_pr.one_vs_rest_curves(Predictions(probs, labels, tuple("abcd")))
    for c in range(4):
        truth = labels == c
        roc, pr = curves["roc"][c], curves["pr"][c]
        assert roc.area == pytest.approx(skm.roc_auc_score(truth, probs[:, c]))
        fpr, tpr, _ = skm.roc_curve(truth, probs[:, c], drop_intermediate=False)
        np.testing.assert_allclose(roc.x, fpr)
        np.testing.assert_allclose(roc.y, tpr)
        assert pr.area == pytest.approx(skm.average_precision_score(truth, probs[:, c]))
        precision, recall, _ = skm.precision_recall_curve(
            truth, probs[:, c], drop_intermediate=False
        )
        np.testing.assert_allclose(pr.x, recall[::-1])
        np.testing.assert_allclose(pr.y, precision[::-1])
        thin = roc.thinned(20)
        assert len(thin.x) <= 20 and thin.x[0] == 0 and thin.x[-1] == 1 and thin.area == roc.area


def test_curves_are_none_when_a_class_has_no_positives():
    labels = np.array([0, 0, 1, 1])
    probs = np.array(
        [[0.8, 0.1, 0.1], [0.6, 0.3, 0.1], [0.2, 0.7, 0.1], [0.4, 0.5, 0.1]], dtype=np.float32
    )
    curves = roc_pr.one_vs_rest_curves(Predictions(probs, labels, tuple("abc")))
    assert curves["roc"][2] is None and curves["pr"][2] is None
    assert curves["roc"][0].area == 1.0


def test_threshold_metrics_by_hand_and_against_scikit_learn():
    truth = np.array([1, 1, 1, 0, 0, 0, 0, 1])
    scores = np.array([0.9, 0.6, 0.3, 0.7, 0.2, 0.1, 0.5, 0.5])
    result = roc_pr.threshold_metrics(truth, scores, 0.5)  # above 0.5 is positive: 0.9, 0.6, 0.7
    # rows true: negative, positive
    np.testing.assert_array_equal(result.confusion, [[3, 1], [2, 2]])
    assert (result.precision, result.recall, result.specificity, result.npv) == pytest.approx(
        (2 / 3, 2 / 4, 3 / 4, 3 / 5)
    )
    assert result.accuracy == pytest.approx(5 / 8) and result.false_positive_rate == pytest.approx(
        1 / 4
    )
    for threshold in (0.0, 0.25, 0.55, 0.95, 1.0):
        result = roc_pr.threshold_metrics(truth, scores, threshold)
        np.testing.assert_array_equal(
            result.confusion, skm.confusion_matrix(truth, scores > threshold, labels=[0, 1])
        )
        assert result.f1 == pytest.approx(skm.f1_score(truth, scores > threshold, zero_division=0))


def test_binary_model_output_is_one_sigmoid_unit():
    p = np.array([[0.9], [0.2], [0.6], [0.4]], dtype=np.float32)
    probs = run_predictions.probabilities_from_outputs(p)
    np.testing.assert_allclose(probs, [[0.1, 0.9], [0.8, 0.2], [0.4, 0.6], [0.6, 0.4]], rtol=1e-6)
    labels = np.array([1, 0, 0, 1])
    report = scoring.evaluate(Predictions(probs, labels, ("cat", "dog"), task="binary"))
    assert report.accuracy == 0.5 and report.top_k == {}
    # binary cross-entropy
    assert report.loss == pytest.approx(skm.log_loss(labels, p[:, 0]), rel=1e-5)
    same = roc_pr.threshold_metrics(labels == 1, probs[:, 1], 0.5)
    np.testing.assert_array_equal(same.confusion, report.confusion)


def test_multilabel_metrics_match_scikit_learn():
    rng = np.random.default_rng(5)
    truth = (rng.random((200, 4)) < 0.35).astype(np.int8)
    truth[:, 3] = 0  # a label no image has
    probs = np.clip(truth * 0.5 + rng.random((200, 4)) * 0.6, 0, 1).astype(np.float32)
    report = scoring.evaluate(
        Predictions(probs, truth, tuple("abcd"), task="multilabel"), threshold=0.5
    )
    chosen = (probs >= 0.5).astype(np.int8)
    assert report.hamming_loss == pytest.approx(skm.hamming_loss(truth, chosen))
    assert report.accuracy == pytest.approx(skm.accuracy_score(truth, chosen))  # subset accuracy
    assert report.confusion is None
    p, r, f, s = skm.precision_recall_fscore_support(truth, chosen, zero_division=0)
    np.testing.assert_allclose(report.per_class["precision"], p)
    np.testing.assert_allclose(report.per_class["recall"], r)
    np.testing.assert_allclose(report.per_class["f1"], f)
    np.testing.assert_array_equal(report.per_class["support"], s)
    for average in ("macro", "micro", "weighted"):
        p, r, f, _ = skm.precision_recall_fscore_support(
            truth, chosen, average=average, zero_division=0
        )
        assert (
            report.averages[average]["precision"],
            report.averages[average]["recall"],
            report.averages[average]["f1"],
        ) == pytest.approx((p, r, f))
    assert report.loss == pytest.approx(
        np.mean([skm.log_loss(truth[:, j], probs[:, j], labels=[0, 1]) for j in range(4)]), rel=1e-4
    )
    assert scoring.NO_TEST_IMAGES in {note.template for note in report.notes}
    assert (
        roc_pr.one_vs_rest_curves(Predictions(probs, truth, tuple("abcd"), task="multilabel"))[
            "roc"
        ][3]
        is None
    )
    assert exports.report_json(report)["hamming_loss"] == report.hamming_loss


def test_worst_classes_are_read_in_plain_language():
    names = ("T-shirt/top", "Trouser", "Shirt")
    truth = np.array([0] * 10 + [1] * 10 + [2] * 10)
    guess = np.array([0] * 9 + [2] + [1] * 10 + [0] * 4 + [2] * 6)
    report = scoring.evaluate(Predictions(np.eye(3, dtype=np.float32)[guess], truth, names))
    first = commentary.worst_classes_reading(report)[0]
    assert first.template == commentary.CONFUSED_WITH
    text = first.template.format(**first.params, **{k: names[v] for k, v in first.classes.items()})
    assert text.startswith(
        "**Shirt** is most often confused with **T-shirt/top**: 4 of its 10 test images (40%)"
    )
    perfect = scoring.evaluate(Predictions(np.eye(3, dtype=np.float32)[truth], truth, names))
    assert [r.template for r in commentary.worst_classes_reading(perfect)] == [
        commentary.ALL_CORRECT
    ]


def test_curves_reading_spots_overfitting_and_best_epoch():
    history = [
        {"epoch": 1, "loss": 1.0, "val_loss": 0.9, "accuracy": 0.6, "val_accuracy": 0.65},
        {"epoch": 2, "loss": 0.6, "val_loss": 0.7, "accuracy": 0.8, "val_accuracy": 0.75},
        {"epoch": 3, "loss": 0.3, "val_loss": 0.8, "accuracy": 0.92, "val_accuracy": 0.75},
        {"epoch": 4, "loss": 0.2, "val_loss": 1.0, "accuracy": 0.95, "val_accuracy": 0.74},
    ]
    readings = commentary.curves_reading(history)
    assert readings[0].template == commentary.OVERFIT_AFTER and readings[0].params["best"] == 2
    assert readings[1].template == commentary.GAP_AT_END and readings[1].params[
        "gap"
    ] == pytest.approx(21.0)
    assert scoring.best_epoch(history) == 2 and scoring.best_epoch(history, "val_loss") == 2
    rising = [{**row, "accuracy": row["val_accuracy"]} for row in history[:2]]
    assert [r.template for r in commentary.curves_reading(rising)] == [commentary.STILL_IMPROVING]
    assert commentary.curves_reading(history[:1]) == []


def test_exports_read_back():
    truth = np.array([0, 0, 1, 1, 2, 2])
    guess = np.array([0, 1, 1, 1, 2, 0])
    report = scoring.evaluate(
        Predictions(np.eye(3, dtype=np.float32)[guess], truth, ("a", "b", "c"))
    )
    rows = list(csv.DictReader(io.StringIO(exports.metrics_csv(report))))
    assert [row["class"] for row in rows] == [
        "a",
        "b",
        "c",
        "macro avg",
        "micro avg",
        "weighted avg",
    ]
    assert float(rows[1]["precision"]) == pytest.approx(2 / 3) and rows[3]["support"] == "6"
    matrix = list(csv.reader(io.StringIO(exports.confusion_csv(report, ("A", "B", "C")))))
    assert matrix[0] == ["true \\ predicted", "A", "B", "C"] and matrix[1] == ["A", "1", "1", "0"]
    text = exports.classification_report(report, title="run x")
    assert (
        text.splitlines()[0] == "run x"
        and "6 test images · accuracy 66.67%" in text
        and "weighted avg" in text
    )
    data = exports.report_json(report)
    assert data["confusion_matrix"] == [[1, 1, 0], [0, 2, 0], [1, 0, 1]]
    assert set(data["per_class"][0]) == {
        "class",
        "precision",
        "recall",
        "f1",
        "specificity",
        "npv",
        "support",
    }
    json.dumps(data)


def test_the_best_epoch_is_the_first_of_equal_ones_like_keras_checkpoint():
    from clfcore.training import monitor

    history = [
        {"epoch": 1, "val_accuracy": 0.7, "val_loss": 0.5},
        {"epoch": 2, "val_accuracy": 0.8, "val_loss": 0.4},
        {"epoch": 3, "val_accuracy": 0.8, "val_loss": 0.4},
        {"epoch": 4, "val_accuracy": None, "val_loss": 0.6},
    ]
    assert scoring.best_epoch(history) == 2 and scoring.best_epoch(history, "val_loss") == 2
    assert (
        monitor.best_epoch(history, "val_accuracy") == 2 and monitor.best_epoch([], "loss") is None
    )
    assert monitor.is_improvement("val_loss", 0.3, 0.4) and not monitor.is_improvement(
        "val_loss", 0.4, 0.4
    )
    assert monitor.is_improvement("accuracy", 0.1, None) and not monitor.is_improvement(
        "accuracy", None, 0.1
    )


def test_report_json_names_each_figure_for_what_it_is():
    truth = np.array([[1, 0, 0, 0], [0, 1, 0, 0], [1, 0, 0, 1]])
    probs = np.array([[0.9, 0.1, 0.2, 0.1], [0.2, 0.3, 0.1, 0.0], [0.8, 0.1, 0.1, 0.7]])
    out = exports.report_json(
        scoring.evaluate(Predictions(probs, truth, tuple("abcd"), task="multilabel"))
    )
    assert out["subset_accuracy"] == pytest.approx(2 / 3)  # image 2 misses its label b
    assert out["label_accuracy"] == pytest.approx(11 / 12) == out["accuracy"]  # one wrong of 12
    assert out["hamming_loss"] == pytest.approx(1 / 12)
    fine = Predictions(
        np.eye(3, dtype=np.float32)[[0, 1, 1]] * 0.8 + 0.2 / 3,
        np.array([0, 1, 2]),
        tuple("xyz"),
        task="hierarchical",
    )
    out = exports.report_json(scoring.evaluate(fine))
    assert "loss" not in out and out["fine_loss"] > 0 and out["accuracy"] == pytest.approx(2 / 3)
