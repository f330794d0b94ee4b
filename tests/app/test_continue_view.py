"""The "Continue training" control on the Evaluate and Runs pages (ui.continue_views), through the
router: shown for a finished run, it submits a child run in the same workspace and follows it on
the Train page; a run this user may not change gets no control. Both languages."""

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from clfcore.accounts.identity import User
from clfcore.jobs import local
from clfcore.paths import user_runs_dir
from clfcore.runs.folder import RunFolder

ROOT = Path(__file__).resolve().parents[2]
LABEL = {"en": "Continue training", "es": "Continuar el entrenamiento"}


@pytest.fixture
def launches(monkeypatch):
    """The job runner's launches, recorded instead of started (the child stays queued)."""
    started: list[str] = []
    monkeypatch.setattr(local, "launch", lambda run: started.append(run.run_id) or 0)
    return started


def open_page(page: str, lang: str, *, user: User | None = None, rows=None) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.query_params["lang"] = lang
    if user is not None:
        at.session_state["signed_in_user"] = user
    if rows is not None:
        at.session_state["runs_table-0"] = {"selection": {"rows": rows, "columns": [], "cells": []}}
    at.run()
    at.switch_page(f"app_pages/{page}.py")
    at.run()
    assert not at.exception, at.exception
    return at


def _continue(at: AppTest, lang: str, epochs: int) -> AppTest:
    more = next(
        n for n in at.number_input if n.label == {"en": "More epochs", "es": "Épocas más"}[lang]
    )
    more.set_value(epochs)
    next(b for b in at.button if b.label == LABEL[lang]).click()
    at.run()
    assert not at.exception, at.exception
    return at


@pytest.mark.parametrize("lang", ["en", "es"])
@pytest.mark.parametrize("page", ["evaluate", "runs"])
def test_a_finished_run_can_be_continued_from_the_page(
    isolated_roots, tmp_path_factory, make_trained_run, launches, page, lang
):
    root = isolated_roots["runs"]
    parent_id = make_trained_run(root, tmp_path_factory)
    at = open_page(page, lang, rows=[0])
    assert [e.label for e in at.expander if e.label == LABEL[lang]] == [LABEL[lang]]
    kept = {"en": "Kept from this run:", "es": "Se conservan de esta ejecución:"}[lang]
    fixed = next(c.value for c in at.caption if c.value.startswith(kept))
    assert "digits" in fixed and "mlp" in fixed  # the fixed settings are shown, not offered
    at = _continue(at, lang, 3)
    children = [p for p in root.iterdir() if p.is_dir() and p.name != parent_id]
    assert len(children) == 1 and set(launches) == {children[0].name}
    child = RunFolder(children[0]).config()
    assert child.parent == parent_id and child.initial_epoch == 2 and child.epochs == 3
    assert at.session_state["followed_run"] == children[0].name  # followed on the Train page
    continues = {"en": "Continues", "es": "Continúa"}[lang]
    assert any(c.value.startswith(f"{continues} {parent_id}") for c in at.caption)


def test_the_runs_page_says_which_run_a_child_continues(
    isolated_roots, tmp_path_factory, make_trained_run, launches
):
    root = isolated_roots["runs"]
    parent_id = make_trained_run(root, tmp_path_factory)
    _continue(open_page("runs", "en", rows=[0]), "en", 2)
    at = open_page("runs", "en", rows=[0])  # the child, newest first
    assert any(c.value == f"Continues {parent_id} from epoch 2." for c in at.caption), [
        c.value for c in at.caption
    ]
    assert parent_id in {p.name for p in root.iterdir()}


def test_a_run_this_user_may_not_change_has_no_control(
    monkeypatch, isolated_roots, tmp_path_factory, make_trained_run, launches
):
    monkeypatch.setenv("CLFCORE_AUTH", "roster")
    ana_run = make_trained_run(user_runs_dir("ana"), tmp_path_factory, run_name="ana-model")
    RunFolder(user_runs_dir("ana") / ana_run).set_shared(True, by="teo")
    for page in ("evaluate", "runs"):
        at = open_page(page, "en", user=User("bea"), rows=[0])
        shown = [str(o) for box in at.selectbox for o in box.options]
        shown += [str(h.value) for h in at.subheader]
        assert any("ana-model" in text for text in shown), shown  # the shared run is open
        assert not [e for e in at.expander if e.label == LABEL["en"]]
        assert not [b for b in at.button if b.label == LABEL["en"]]
    assert launches == []
