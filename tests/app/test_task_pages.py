"""The task types on the pages through AppTest: the Dataset page's multi-label, hierarchical and
binary explorers and the Model page's output layer, loss and task settings, in both languages."""

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from clfcore.i18n import translate

ROOT = Path(__file__).resolve().parents[2]


def page(name: str, dataset: str, lang: str) -> AppTest:
    if name == "model":  # it links to other pages: run it inside the app
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
        at.session_state["lang"] = lang
        at.session_state["chosen_dataset"] = dataset
        at.run()
        at.switch_page(f"app_pages/{name}.py")
        return at.run()
    at = AppTest.from_file(str(ROOT / "app_pages" / f"{name}.py"), default_timeout=90)
    at.session_state["lang"] = lang
    at.session_state["chosen_dataset"] = dataset
    return at.run()


@pytest.fixture
def fashion(isolated_roots, write_idx_dataset):
    return write_idx_dataset(isolated_roots["data"] / "fashion-mnist", train=60, test=20)


@pytest.mark.parametrize("lang", ["en", "es"])
def test_dataset_page_explores_a_multilabel_dataset(fashion, lang, all_text):
    at = page("dataset", "fashion_mnist_mosaic", lang)
    assert not at.exception, at.exception
    text = all_text(at)
    note = (
        "Multi-label: each image can have several labels at once. The model has one sigmoid "
        "unit per label and trains with binary cross-entropy; a label is predicted when "
        "its probability passes the decision threshold."
    )
    assert translate(note, lang) in [info.value for info in at.info]
    assert [tab.label for tab in at.tabs] == [
        translate(x, lang) for x in ("Samples", "Label frequency", "Pixel intensities")
    ]
    assert translate("Random training images with all their labels.", lang) in text
    # 12,000 mosaics, 20 % for validation
    assert at.metric[0].value.replace(".", ",").replace("\u202f", ",").replace(" ", ",") == "9,600"
    # no binary derivation of a multi-label set
    assert not at.radio or translate("Task", lang) not in [r.label for r in at.radio]


@pytest.mark.parametrize("lang", ["en", "es"])
def test_dataset_page_explores_a_hierarchical_dataset(fashion, lang, all_text):
    at = page("dataset", "fashion_mnist_hierarchy", lang)
    assert not at.exception, at.exception
    text = all_text(at)
    assert [tab.label for tab in at.tabs] == [
        translate(x, lang)
        for x in ("Samples", "Class distribution", "The hierarchy", "Pixel intensities")
    ]
    for group in ("tops", "bottoms", "footwear", "bags"):
        assert f"**{translate(group, lang)}**" in text
    assert translate("**Coarse level**", lang) in text and translate("**Fine level**", lang) in text


@pytest.mark.parametrize("lang", ["en", "es"])
def test_dataset_page_derives_a_binary_task_and_shows_its_balance(lang):
    at = page("dataset", "digits", lang)
    task = next(r for r in at.radio if r.label == translate("Task", lang))
    task.set_value("one_vs_rest").run()
    assert not at.exception, at.exception
    assert at.session_state["chosen_dataset"] == "digits:0-vs-rest"
    positive = next(
        s for s in at.selectbox if s.label == translate("Positive class (label 1)", lang)
    )
    positive.set_value(3).run()
    assert at.session_state["chosen_dataset"] == "digits:3-vs-rest"
    labels = [m.label for m in at.metric]
    assert (
        translate("Positive: {name}", lang, name="3") in labels
        and translate("Imbalance (largest / smallest)", lang) in labels
    )
    assert any(
        w.value.startswith(
            translate(
                "Imbalanced: a model that always answers '{name}' is already right {share:.0%} "
                "of the time. Turn on balanced class weights on the Model page, and judge "
                "it by recall and F1, not accuracy.",
                lang,
                name=translate("others", lang),
                share=0.9,
            )[:20]
        )
        for w in at.warning
    )


@pytest.mark.parametrize(
    "dataset", ["fashion_mnist_mosaic", "fashion_mnist_hierarchy", "fashion_mnist:8-vs-rest"]
)
def test_model_page_explains_each_task_and_keeps_its_settings(fashion, dataset, all_text):
    at = page("model", dataset, "en")
    assert not at.exception, at.exception
    formulas = [latex.value for latex in at.latex]
    if dataset.endswith("hierarchy"):
        assert any(r"\lambda_{c}" in f for f in formulas)
        weight = next(n for n in at.number_input if n.label == "Coarse loss weight λc")
        weight.set_value(0.5).run()
        assert at.session_state["chosen_training"]["coarse_loss_weight"] == 0.5
        assert "(None, 4)" in at.dataframe[0].value.to_string()  # the coarse head in the summary
    elif dataset.endswith("mosaic"):
        assert any(r"\frac{1}{1 + e^{-z}}" in f for f in formulas)
        next(s for s in at.slider if s.label == "Decision threshold").set_value(0.3).run()
        assert at.session_state["chosen_training"]["threshold"] == 0.3
    else:
        next(c for c in at.checkbox if c.label.startswith("Balanced class weights")).check().run()
        assert at.session_state["chosen_training"]["class_weight"] == "balanced"
        assert "1 sigmoid unit" in all_text(at)
