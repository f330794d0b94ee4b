"""The Evaluate page through AppTest, on a tiny real run (the trainer on digits, 2 epochs)."""

from collections import Counter
from pathlib import Path

import numpy as np
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from clfcore.config import TrainConfig
from clfcore.evaluation import roc_pr, run_predictions, scoring
from clfcore.inference import insight
from clfcore.runs.folder import create_run, open_run
from tests.catalogue import ES
from ui import charts, insight_views

ROOT = Path(__file__).resolve().parents[2]
TABS = [
    "Learning curves",
    "Confusion matrix",
    "Per-class metrics",
    "ROC and PR curves",
    "Test images",
    "Inside the network",
    "Feature space",
]


def open_evaluate(*, lang: str = "en", tab: str | None = None, **state) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app_pages" / "evaluate.py"), default_timeout=120)
    at.session_state["lang"] = lang
    if tab is not None:
        at.session_state["evaluate_tab"] = TABS.index(tab)  # the open tab, by position
    for key, value in state.items():
        at.session_state[key] = value
    at.run()
    assert not at.exception, at.exception
    return at


@pytest.fixture
def run_id(isolated_roots, tmp_path_factory, make_trained_run):
    return make_trained_run(isolated_roots["runs"], tmp_path_factory)


def _report(run_id):
    return scoring.evaluate(run_predictions.predict_run(open_run(run_id)))


def _markdown(at) -> str:
    return "\n".join(m.value for m in at.markdown)


def test_the_metrics_shown_are_the_core_s_and_the_curves_mark_the_best_epoch(run_id):
    at = open_evaluate()
    report = _report(run_id)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Test accuracy"] == f"{report.accuracy:.2%}"
    assert (
        metrics["Top-3 accuracy"] == f"{report.top_k[3]:.2%}"
        and metrics["Top-5 accuracy"] == f"{report.top_k[5]:.2%}"
    )
    assert metrics["Test loss"] == f"{report.loss:.4f}"
    assert [tab.label for tab in at.tabs] == TABS
    assert "the best by val_accuracy" in "\n".join(c.value for c in at.caption)
    downloads = at.get("download_button")
    assert len(downloads) == 3
    assert (
        open_run(run_id).path / run_predictions.PREDICTIONS_FILE
    ).is_file()  # computed once, kept with the run


def test_the_page_speaks_spanish(run_id):
    at = open_evaluate(lang="es", tab="Per-class metrics")
    assert at.title[0].value == ES["Evaluate"]
    assert [tab.label for tab in at.tabs] == [ES[label] for label in TABS]
    assert ES["Test accuracy"] in [m.label for m in at.metric]
    assert "se confunde sobre todo con" in _markdown(at)


def test_a_confusion_cell_shows_its_test_images_most_confident_first(run_id):
    at = open_evaluate(tab="Confusion matrix")
    report = _report(run_id)
    errors = report.confusion.copy()
    np.fill_diagonal(errors, 0)
    i, j = np.unravel_index(np.argmax(errors), errors.shape)
    # starts on the most frequent mistake
    assert (at.selectbox[1].value, at.selectbox[2].value) == (
        i,
        j,
    )
    assert f"**{errors[i, j]}** test images of {i} were predicted as {j}" in _markdown(at)
    at.selectbox[1].select(3).run()
    at.selectbox[2].select(3).run()
    assert not at.exception
    count = int(report.confusion[3, 3])
    assert f"**{count}** test images of 3 were classified correctly" in _markdown(at)
    assert len([b for b in at.button if b.label == "Inspect"]) == min(count, 24)
    at.segmented_control[0].set_value("rows").run()
    assert not at.exception


def test_per_class_table_and_averages(run_id):
    at = open_evaluate(tab="Per-class metrics")
    report = _report(run_id)
    per_class, averages = at.dataframe[0].value, at.dataframe[1].value
    assert list(per_class["Class"]) == [str(d) for d in range(10)]
    np.testing.assert_allclose(per_class["Precision"], report.per_class["precision"])
    np.testing.assert_allclose(per_class["NPV"], report.per_class["npv"])
    assert list(per_class["Support"]) == list(report.per_class["support"])
    assert list(averages["Class"]) == ["macro avg", "micro avg", "weighted avg"]
    assert averages["Recall"].iloc[1] == pytest.approx(report.accuracy)
    assert not per_class.isna().any().any() and not averages.isna().any().any()


def test_the_threshold_slider_updates_the_binary_metrics(run_id):
    at = open_evaluate(tab="ROC and PR curves")
    predictions = run_predictions.predict_run(open_run(run_id))
    positive = at.selectbox[1]
    assert positive.label == "Positive class"
    positive.select(4).run()
    at.slider[0].set_value(0.9).run()
    assert not at.exception
    expected = roc_pr.threshold_metrics(
        predictions.labels == 4, predictions.probabilities[:, 4], 0.9
    )
    shown = {m.label: m.value for m in at.metric}
    assert (
        shown["Recall"] == f"{expected.recall:.1%}"
        and shown["Specificity"] == f"{expected.specificity:.1%}"
    )


def test_gallery_shows_top_losses_and_inspecting_an_image_shows_its_probabilities(run_id):
    at = open_evaluate(tab="Test images")
    predictions = run_predictions.predict_run(open_run(run_id))
    wrong = np.flatnonzero(~predictions.correct)
    worst = int(wrong[np.argmax(predictions.losses[wrong])])
    assert at.segmented_control[0].value == "wrong" and at.selectbox[2].value == "loss"
    inspect = [b for b in at.button if b.label == "Inspect"]
    assert len(inspect) == min(len(wrong), 24)
    inspect[0].click().run()
    assert not at.exception
    assert at.session_state[f"gal-{run_id}-inspect"] == worst
    assert f"Loss: {predictions.losses[worst]:.3f}" in _markdown(at)
    at.selectbox[1].select(7).run()  # only images of class 7
    assert not at.exception and at.selectbox[1].value == 7
    wrong_sevens = int(np.sum((predictions.labels == 7) & ~predictions.correct))
    assert len([b for b in at.button if b.label == "Inspect"]) == min(wrong_sevens, 24)


@pytest.mark.parametrize(
    ("tab", "shown"),
    [
        ("Inside the network", "What the first layer's units look for"),  # an MLP: no convolutions
        ("Feature space", "Each point is one test image"),
    ],
)
def test_insight_tabs_render(run_id, tab, shown, all_text):
    at = open_evaluate(tab=tab)  # fails on an exception
    assert shown in all_text(at)


def test_the_run_picker_defaults_to_the_newest_run_and_remembers_the_choice(
    isolated_roots, tmp_path_factory, make_trained_run
):
    older = make_trained_run(isolated_roots["runs"], tmp_path_factory)
    newer = make_trained_run(
        isolated_roots["runs"], tmp_path_factory, arch_options={"units": 32}, run_name="small"
    )
    at = open_evaluate()
    assert at.selectbox[0].value == newer
    at.selectbox[0].select(older).run()
    assert not at.exception and at.session_state["evaluated_run"] == older


def test_runs_without_a_model_are_explained(isolated_roots):
    run = create_run(TrainConfig(dataset="digits"))
    run.set_status("interrupted")
    at = open_evaluate()
    assert "None of the finished runs saved a model" in at.info[0].value


def _fake_run(
    root: Path, *, task: str, probabilities: np.ndarray, labels: np.ndarray, class_names: tuple
) -> str:
    """A finished digits run whose predictions.npz holds ``task`` predictions (the model file is
    never read)."""
    run = create_run(TrainConfig(dataset="digits"), root=root)
    run.model_path.write_bytes(b"placeholder: the cached predictions are used")
    run.set_status("completed")
    run.write_metrics(
        {"test_accuracy": 0.5, "epochs_run": 1, "train_seconds": 1.0, "total_params": 10}
    )
    run_predictions._write_cache(
        run.path / run_predictions.PREDICTIONS_FILE,
        run_predictions.Predictions(probabilities, labels, class_names, task),
        run.model_stamp(),
    )
    return run.run_id


def test_a_binary_run_gets_the_threshold_on_its_positive_class(isolated_roots):
    rng = np.random.default_rng(0)
    labels = rng.integers(0, 2, 359)
    p = np.clip(labels * 0.4 + rng.random(359) * 0.6, 0, 1).astype(np.float32)
    _fake_run(
        isolated_roots["runs"],
        task="binary",
        probabilities=np.stack([1 - p, p], axis=1),
        labels=labels,
        class_names=("cat", "dog"),
    )
    at = open_evaluate(tab="ROC and PR curves")
    assert [s.label for s in at.selectbox] == ["Run"]  # no positive-class choice: it is "dog"
    at.slider[0].set_value(0.7).run()
    expected = roc_pr.threshold_metrics(labels == 1, p, 0.7)
    assert {m.label: m.value for m in at.metric}["Precision"] == f"{expected.precision:.1%}"


def test_a_multilabel_run_shows_per_label_metrics_hamming_loss_and_subset_accuracy(isolated_roots):
    rng = np.random.default_rng(1)
    truth = (rng.random((359, 3)) < 0.4).astype(np.int8)
    probs = np.clip(truth * 0.45 + rng.random((359, 3)) * 0.6, 0, 1).astype(np.float32)
    _fake_run(
        isolated_roots["runs"],
        task="multilabel",
        probabilities=probs,
        labels=truth,
        class_names=("Bag", "Coat", "Dress"),
    )
    at = open_evaluate(tab="Per-class metrics")
    report = scoring.evaluate(
        run_predictions.Predictions(probs, truth, ("Bag", "Coat", "Dress"), task="multilabel")
    )
    metrics = {m.label: m.value for m in at.metric}
    assert (
        metrics["Subset accuracy"] == f"{report.accuracy:.2%}"
        and metrics["Hamming loss"] == f"{report.hamming_loss:.4f}"
    )
    assert list(at.dataframe[0].value["Class"]) == ["Bag", "Coat", "Dress"]
    at.slider[0].set_value(0.3).run()
    lower = scoring.evaluate(
        run_predictions.Predictions(probs, truth, ("Bag", "Coat", "Dress"), task="multilabel"),
        threshold=0.3,
    )
    np.testing.assert_allclose(at.dataframe[0].value["Recall"], lower.per_class["recall"])
    at = open_evaluate(tab="Confusion matrix")
    assert "no single confusion matrix" in at.info[0].value


def test_a_second_session_reuses_what_the_first_computed(run_id, monkeypatch):
    """A class opening one run: the predictions, the model, the figures and the feature-space
    projection are computed by the first session only (counted through the real functions)."""
    st.cache_resource.clear()  # earlier tests' copies of the same trained run share its id
    calls: Counter = Counter()

    def count(module, name: str) -> None:
        original = getattr(module, name)

        def counted(*args, **kwargs):
            calls[name] += 1
            return original(*args, **kwargs)

        monkeypatch.setattr(module, name, counted)

    count(run_predictions, "predict_run")
    count(run_predictions, "load_model")
    count(charts, "learning_curves")
    count(insight, "features_and_outputs")
    count(insight, "project_2d")
    count(insight_views, "_scatter")
    for _session in range(2):
        open_evaluate()  # a new AppTest: a new session
        open_evaluate(tab="Feature space")
        if _session == 0:
            first = dict(calls)
    assert set(first) == {
        "predict_run",
        "load_model",
        "learning_curves",
        "features_and_outputs",
        "project_2d",
        "_scatter",
    }, first
    assert dict(calls) == first
