"""The Model page's learning-rate finder: start it on digits, wait for the curve, use the
suggestion."""

import time

import pytest

from clfcore.i18n import translate
from clfcore.jobs import lr_find


def _button(at, label):
    return next((b for b in at.button if b.label == label), None)


def _run_until(at, label, timeout=180):
    """Rerun the page (as its polling fragment would) until a button ``label`` is drawn."""
    deadline = time.monotonic() + timeout
    while _button(at, label) is None:
        assert not at.exception, at.exception
        assert time.monotonic() < deadline, f"no {label!r} after {timeout} s"
        time.sleep(0.5)
        at.run()
    return _button(at, label)


@pytest.mark.parametrize("lang", ["en", "es"])
def test_find_a_learning_rate_and_use_it(lang, open_page, widget, isolated_roots):
    def tr(text):
        return translate(text, lang)

    at = open_page("model", lang)
    assert at.session_state["chosen_dataset"] == "digits"
    before = at.session_state["chosen_model"]["learning_rate"]
    _button(at, tr("Find a learning rate")).click().run()
    assert not at.exception, at.exception
    _run_until(at, tr("Use this learning rate")).click().run()
    assert not at.exception, at.exception
    job = lr_find.read_job(isolated_roots["runs"])
    assert job.status == "completed", job
    suggested = float(f"{job.result['suggested_lr']:.2g}")
    assert 1e-7 <= suggested <= 10
    chosen = at.session_state["chosen_model"]["learning_rate"]
    assert chosen == suggested and (chosen != before or suggested == before)
    # the Learning rate widget shows it
    assert widget(at.number_input, tr("Learning rate")).value == pytest.approx(suggested)
    assert tr("The model settings use this learning rate.") in [c.value for c in at.caption]
    # nothing but the hidden finder folder in the runs root: no run was created
    assert [p.name for p in isolated_roots["runs"].iterdir()] == [lr_find.FOLDER]


def test_bad_settings_show_a_message_not_a_traceback(open_page, isolated_roots):
    at = open_page("model", "en")
    at.session_state["chosen_dataset"] = "mnist"  # not on this machine: it cannot train
    at.run()
    _button(at, "Find a learning rate").click().run()
    assert not at.exception, at.exception
    assert any("python -m clfcore download mnist" in e.value for e in at.error), at.error
    assert lr_find.read_job(isolated_roots["runs"]) is None  # nothing was started


def test_the_search_can_be_stopped(open_page, isolated_roots):
    at = open_page("model", "en")
    _button(at, "Find a learning rate").click().run()
    _button(at, "Stop the search").click().run()
    assert not at.exception, at.exception
    assert lr_find.read_job(isolated_roots["runs"]).status == "stopped"
    assert "The search was stopped." in [i.value for i in at.info]
    assert _button(at, "Search again") is not None
