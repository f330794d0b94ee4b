"""The Runs page through AppTest: list, compare, download, delete (refused while training)."""

import os
from pathlib import Path

from streamlit.testing.v1 import AppTest

from clfcore.runs import listing
from clfcore.runs.folder import open_run
from tests.catalogue import ES

ROOT = Path(__file__).resolve().parents[2]


def open_runs(*, lang: str = "en", rows: list[int] | None = None) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app_pages" / "runs.py"), default_timeout=120)
    at.session_state["lang"] = lang
    if rows is not None:
        at.session_state["runs_table-0"] = {"selection": {"rows": rows, "columns": [], "cells": []}}
    at.run()
    assert not at.exception, at.exception
    return at


def _two_runs(isolated_roots, tmp_path_factory, make_trained_run):
    root = isolated_roots["runs"]
    first = make_trained_run(root, tmp_path_factory)
    second = make_trained_run(root, tmp_path_factory, arch_options={"units": 32}, run_name="small")
    return first, second  # listed newest first: second, first


def test_no_runs_points_to_the_train_page(open_page):
    at = open_page("runs", "en")  # through the router: the page links to the Train page
    assert "No training runs yet" in at.info[0].value


def test_every_run_is_listed_with_its_numbers(isolated_roots, tmp_path_factory, make_trained_run):
    first, _ = _two_runs(isolated_roots, tmp_path_factory, make_trained_run)
    at = open_runs()
    table = at.dataframe[0].value
    assert list(table["Run"]) == ["small", first]
    assert list(table["Status"]) == ["completed", "completed"]
    assert table["Test accuracy"].iloc[1] == open_run(first).metrics()["test_accuracy"]
    assert list(table["Augmentation"]) == ["none", "none"]
    assert "Select runs" in at.info[0].value


def test_selected_runs_are_compared_in_one_table(
    isolated_roots, tmp_path_factory, make_trained_run
):
    first, _second = _two_runs(isolated_roots, tmp_path_factory, make_trained_run)
    at = open_runs(rows=[0, 1])
    assert at.subheader[0].value == "Compare 2 runs"
    table = at.dataframe[1].value.set_index("Setting")
    assert list(table.columns) == ["small", first]
    assert table.loc["Test accuracy", first] == f"{open_run(first).metrics()['test_accuracy']:.2%}"
    assert (
        table.loc["arch_options.units", "small"] == "32"
        and table.loc["arch_options.units", first] == "256"
    )
    # the same in both: hidden while "only the settings that differ" is on
    assert "optimizer" not in table.index
    at.toggle[0].set_value(False).run()
    table = at.dataframe[1].value.set_index("Setting")
    assert "optimizer" in table.index and table.loc["Macro F1", "small"] == "-"
    next(b for b in at.button if b.label.startswith("Compute macro F1")).click().run()
    assert not at.exception
    assert at.dataframe[1].value.set_index("Setting").loc["Macro F1", "small"] != "-"


def test_a_run_can_be_downloaded_and_deleted_after_confirmation(
    isolated_roots, tmp_path_factory, make_trained_run
):
    first, second = _two_runs(isolated_roots, tmp_path_factory, make_trained_run)
    at = open_runs(rows=[1])
    assert [d.label for d in at.download_button] == ["Model (.keras)", "Settings (config.json)"]
    next(b for b in at.button if b.label == "Delete").click().run()
    assert "Delete the run" in at.warning[0].value
    assert (isolated_roots["runs"] / first).is_dir()
    next(b for b in at.button if b.label == "Yes, delete it").click().run()
    assert not at.exception
    assert [r.run_id for r in listing.list_runs()] == [second]
    assert "Select runs" in at.info[0].value  # the selection is cleared: its rows have moved


def test_cancel_keeps_the_run(isolated_roots, tmp_path_factory, make_trained_run):
    first, _ = _two_runs(isolated_roots, tmp_path_factory, make_trained_run)
    at = open_runs(rows=[1])
    next(b for b in at.button if b.label == "Delete").click().run()
    next(b for b in at.button if b.label == "Cancel").click().run()
    assert not at.warning and (isolated_roots["runs"] / first).is_dir()


def test_a_training_run_cannot_be_deleted(
    isolated_roots, tmp_path_factory, make_trained_run, open_page
):
    first, _ = _two_runs(isolated_roots, tmp_path_factory, make_trained_run)
    open_run(first).set_status("running", pid=os.getpid())
    # through the router: the page links to the Train page for runs in progress
    at = open_page("runs", "en")
    at.session_state["runs_table-0"] = {"selection": {"rows": [1], "columns": [], "cells": []}}
    at.run()
    assert next(b for b in at.button if b.label == "Delete").disabled
    assert "stop it on the Train page" in "\n".join(c.value for c in at.caption)


def test_evaluate_sends_the_run_to_the_evaluate_page(
    isolated_roots, tmp_path_factory, make_trained_run, open_page
):
    first, _ = _two_runs(isolated_roots, tmp_path_factory, make_trained_run)
    at = open_page("runs", "en")
    at.session_state["runs_table-0"] = {"selection": {"rows": [1], "columns": [], "cells": []}}
    at.run()
    next(b for b in at.button if b.label == "Evaluate").click().run()
    assert not at.exception
    assert at.title[0].value == "Evaluate"
    assert at.selectbox[0].value == first


def test_the_runs_page_in_spanish(isolated_roots, tmp_path_factory, make_trained_run):
    _two_runs(isolated_roots, tmp_path_factory, make_trained_run)
    at = open_runs(lang="es", rows=[0, 1])
    assert at.title[0].value == ES["Runs"]
    assert at.subheader[0].value == ES["Compare {count} runs"].format(count=2)
    assert ES["Test accuracy"] in list(at.dataframe[1].value[ES["Setting"]])
