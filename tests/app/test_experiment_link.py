"""The experiment in the URL: a link's parameters fill the state and the widgets, a bad one gives a
visible note and the default, a change is written back, and ``lang`` / ``run`` stay as they are."""

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[2]


def _open(page: str, **params: str) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    if page != "home":
        at.switch_page(f"app_pages/{page}.py")
        at.run()
    assert not at.exception
    return at


@pytest.mark.parametrize("lang", ["en", "es"])
def test_a_link_fills_the_model_page(lang):
    at = _open("model", lang=lang, arch="lenet", lr="0.01", epochs="5", batch="32", opt="sgd")
    assert at.selectbox(key="model_architecture").value == "lenet"
    assert at.selectbox(key="model_optimizer").value == "sgd"
    assert at.number_input(key="model_learning_rate").value == 0.01
    assert at.number_input(key="model_epochs").value == 5
    assert at.select_slider(key="model_batch_size").value == 32
    chosen = at.session_state["chosen_model"]
    assert (chosen["architecture"], chosen["epochs"]) == ("lenet", 5)
    assert not at.warning


def test_a_link_fills_the_train_and_augment_pages():
    at = _open("train", lang="en", es="1", patience="7", schedule="step", aug="rotation:20")
    assert at.toggle(key="train_early_stopping").value is True
    assert at.number_input(key="train_early_stopping_patience").value == 7
    assert at.selectbox(key="train_lr_schedule").value == "step"
    assert any("rotation ±20°" in m.value for m in at.markdown)
    at.switch_page("app_pages/augment.py").run()
    assert at.toggle(key="aug_enabled").value is True
    assert at.slider(key="aug_rotation_range").value == 20.0


@pytest.mark.parametrize("lang, words", [("en", "were ignored"), ("es", "Se ignoraron")])
def test_a_bad_parameter_shows_a_note_and_the_default(lang, words):
    at = _open("model", lang=lang, arch="lenet", epochs="abc", bogus="1")
    text = at.warning[0].value
    assert words in text and "epochs=abc" in text and "bogus=1" in text
    assert at.number_input(key="model_epochs").value == 10  # LeNet's preset
    assert at.selectbox(key="model_architecture").value == "lenet"
    assert "epochs" not in at.query_params and "bogus" not in at.query_params


def test_a_change_is_written_to_the_url_and_lang_stays():
    at = _open("model", lang="es", arch="lenet")
    at.number_input(key="model_epochs").set_value(7).run()
    assert at.query_params["epochs"] == ["7"] or at.query_params["epochs"] == "7"
    assert at.query_params["arch"] in ("lenet", ["lenet"])
    assert at.query_params["lang"] in ("es", ["es"])
    assert at.title[0].value == "Modelo"


def test_a_run_link_keeps_its_run():
    at = _open("home", lang="en", run="2026-some-run", arch="lenet")
    assert at.query_params["run"] in ("2026-some-run", ["2026-some-run"])
    at.switch_page("app_pages/model.py").run()
    assert at.query_params["run"] in ("2026-some-run", ["2026-some-run"])
    assert at.query_params["lang"] in ("en", ["en"])
    assert at.session_state["chosen_model"]["architecture"] == "lenet"


def test_the_copied_link_names_the_dataset_even_when_it_is_this_machines_default():
    # another machine's default dataset may differ: the link for someone else says which one
    at = _open("train", lang="en")
    link = next(c.value for c in at.code if "/train?" in c.value)
    assert link.startswith("/train?dataset=") and "lang=en" in link
