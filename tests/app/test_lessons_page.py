"""The Lessons page: both languages, a step's button sets the app up, a run's numbers, ticks."""

import pytest

from clfcore.config import TrainConfig
from clfcore.runs.folder import create_run
from clfcore.teaching import progress
from clfcore.workspace import Workspace
from tests.catalogue import ES


def _finished_mlp_run(accuracy=0.879):
    run = create_run(TrainConfig(dataset="digits", architecture="mlp", epochs=3))
    run.write_history(
        [
            {"epoch": 1, "loss": 1.0, "accuracy": 0.80, "val_accuracy": 0.812},
            {"epoch": 2, "loss": 0.6, "accuracy": 0.90, "val_accuracy": 0.85},
            {"epoch": 3, "loss": 0.4, "accuracy": 0.95, "val_accuracy": 0.861},
        ]
    )
    run.write_metrics({"test_accuracy": accuracy, "train_seconds": 12.0})
    run.set_status("completed")
    return run


@pytest.mark.parametrize("lang", ["en", "es"])
def test_the_page_in_both_languages(open_page, all_text, lang):
    at = open_page("lessons", lang)
    assert not at.exception
    title = "Lessons" if lang == "en" else ES["Lessons"]
    assert at.title[0].value == title
    step = "Set up and open {page}" if lang == "en" else ES["Set up and open {page}"]
    assert any(b.label.startswith(step.split("{")[0]) for b in at.button)
    # offline in the tests: MNIST is not here, scikit-learn's digits stands in and the page says so
    assert "Digits 8x8" in all_text(at)


def test_a_steps_button_sets_the_app_up_and_opens_its_page(open_page):
    at = open_page("lessons", "en")
    train = next(b for b in at.button if b.label == "Set up and open Train")
    train.click().run()
    assert not at.exception
    assert at.session_state["chosen_dataset"] == "digits"
    model = at.session_state["chosen_model"]
    assert (model["architecture"], model["epochs"], model["batch_size"]) == ("mlp", 10, 128)
    assert at.title[0].value == "Train"  # st.switch_page went to the Train page
    assert progress.load(Workspace()).last == ("first_network", "train")


def test_what_to_notice_shows_the_students_own_numbers(open_page):
    run = _finished_mlp_run()
    at = open_page("lessons", "en")
    texts = [box.value for box in at.success]
    assert any("Your test accuracy is 87.9 %" in text for text in texts), texts
    assert any("from 81.2 % after epoch 1 to 86.1 % after epoch 3" in text for text in texts)
    assert any(run.run_id in caption.value for caption in at.caption)
    # a finished run ticks its step by itself
    assert progress.load(Workspace()).is_done("first_network", "train")


def test_the_numbers_in_spanish(open_page):
    _finished_mlp_run()
    at = open_page("lessons", "es")
    assert any("87,9 %" in box.value for box in at.success)


def test_ticking_a_step_persists(open_page):
    at = open_page("lessons", "en")
    at.checkbox[0].check().run()
    assert progress.load(Workspace()).is_done("first_network", "look")
    again = open_page("lessons", "en")  # a new session reads it back
    assert again.checkbox[0].value is True
    again.checkbox[0].uncheck().run()
    assert not progress.load(Workspace()).is_done("first_network", "look")


def test_home_shows_where_the_user_left_off(open_page):
    progress.visit(Workspace(), "cnn_overfitting", "train_cnn")
    at = open_page("home", "en")
    assert not at.exception
    assert any(
        "You left off at 2. A CNN, and overfitting, step 2" in str(link.label)
        for link in at.get("page_link")
    )
