"""The Class page (/class) through the router: the teacher's leaderboard, the overlay of ticked
runs' curves, training now and the queue; a student is refused."""

import json
import os
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from clfcore.accounts.identity import User
from clfcore.config import TrainConfig
from clfcore.paths import user_runs_dir
from clfcore.runs.folder import RunFolder, create_run
from clfcore.runs.liveness import _process_start_ticks
from tests.catalogue import ES

ROOT = Path(__file__).resolve().parents[2]
TEACHER = User("teach", "teacher")


def _run(owner: str, accuracy: float | None, *, status: str = "completed", **settings) -> RunFolder:
    """A run folder with a 3-epoch history and a test accuracy, written without training."""
    config = TrainConfig(dataset="digits", architecture="mlp", epochs=3, **settings)
    run = create_run(config, root=user_runs_dir(owner) if owner else None)
    if accuracy is not None:
        run.write_history(
            [
                {"epoch": e, "loss": 1 / e, "accuracy": accuracy - 0.1 / e}
                | {"val_loss": 1.2 / e, "val_accuracy": accuracy - 0.2 / e}
                for e in (1, 2, 3)
            ]
        )
        run.write_metrics({"test_accuracy": accuracy, "train_seconds": 30.0})
    if status == "running":  # this test's process stands in for the training process
        run.set_status("running", pid=os.getpid(), pid_start=_process_start_ticks(os.getpid()))
        run.write_progress({"epoch": 2, "epochs": 3, "fraction": 0.5, "eta": 12.0})
    else:
        run.set_status(status)
    return run


@pytest.fixture
def roster_mode(monkeypatch):
    monkeypatch.setenv("CLFCORE_AUTH", "roster")


def open_class(user: User | None, *, lang: str = "en", rows: list[int] | None = None) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.query_params["lang"] = lang
    if user is not None:
        at.session_state["signed_in_user"] = user
    if rows is not None:
        at.session_state["class_board-0"] = {
            "selection": {"rows": rows, "columns": [], "cells": []}
        }
    at.run()
    at.switch_page("app_pages/class.py")
    at.run()
    assert not at.exception, at.exception
    return at


def _class_of_three():
    _run("ana", 0.70)
    _run("ana", 0.90, run_name="ana-cnn", augmentation={"zoom_range": 0.1})
    _run("ben", 0.80)
    _run("cleo", None, status="running")
    _run("dan", None, status="queued")


@pytest.mark.parametrize("lang", ["en", "es"])
def test_the_teacher_sees_each_students_latest_run_best_first(roster_mode, lang):
    _class_of_three()
    at = open_class(TEACHER, lang=lang)
    tr = (lambda text: ES[text]) if lang == "es" else (lambda text: text)
    assert at.title[0].value == tr("Class")
    board = at.dataframe[0].value
    # runs without a test accuracy last, newest first
    assert list(board[tr("Student")]) == ["ana", "ben", "dan", "cleo"]
    assert list(board["#"])[:2] == [1, 2]
    assert board[tr("Run")].iloc[0] == "ana-cnn"
    assert list(board[tr("Test accuracy")])[:2] == [90.0, 80.0]  # percentage points
    assert list(board[tr("Epochs")]) == [3, 3, 3, 3]
    assert list(board[tr("Augmentation")])[1] == tr("none")
    assert tr("zoom ±{zoom:.0%}").replace("{zoom:.0%}", "10") in board[tr("Augmentation")][0]
    assert list(board[tr("Status")])[2:] == [tr("queued"), tr("running")]
    metrics = {m.label: m.value for m in at.metric}
    assert metrics[tr("Students")] == "4"
    assert metrics[tr("Training now")] == "1" and metrics[tr("In the queue")] == "1"
    training, queue = at.dataframe[1].value, at.dataframe[2].value
    assert list(training[tr("Student")]) == ["cleo"] and list(training[tr("Epoch")]) == ["2/3"]
    assert list(queue[tr("Student")]) == ["dan"] and list(queue["#"]) == [1]
    assert not at.get("plotly_chart")
    assert at.caption[0].value == tr("Tick runs in the table to overlay their learning curves.")


def test_the_latest_five_runs_of_each_student(roster_mode):
    _class_of_three()
    at = open_class(TEACHER)
    at.radio(key="class_per_student").set_value(5).run()
    assert not at.exception
    assert list(at.dataframe[0].value["Student"]) == ["ana", "ben", "ana", "dan", "cleo"]


def test_ticking_runs_overlays_their_learning_curves(roster_mode):
    _class_of_three()
    at = open_class(TEACHER, rows=[0, 1])
    (chart,) = at.get("plotly_chart")
    names = {trace["name"] for trace in json.loads(chart.proto.spec)["data"]}
    ben = at.dataframe[0].value["Run"][1]
    assert {"ana · ana-cnn · validation", f"ben · {ben} · training"} <= names
    assert not any(name.startswith("cleo") for name in names)


def test_the_ticks_follow_the_runs_when_the_board_reorders(roster_mode):
    _class_of_three()
    at = open_class(TEACHER, rows=[1])  # ben
    ben = at.dataframe[0].value["Run"][1]
    assert at.session_state["class_chosen"] == [ben]
    _run("cleo", 0.95)  # cleo's newest run is the best: ben moves down a row
    at.run()
    assert not at.exception
    board = at.dataframe[0].value
    assert list(board["Student"])[:3] == ["cleo", "ana", "ben"]
    (chart,) = at.get("plotly_chart")
    names = {trace["name"] for trace in json.loads(chart.proto.spec)["data"]}
    assert f"ben · {ben} · validation" in names and not any("ana" in name for name in names)


def test_a_student_is_told_the_page_is_for_teachers_and_sees_nothing_else(roster_mode):
    _class_of_three()
    for lang in ("en", "es"):
        at = open_class(User("ben", "student"), lang=lang)
        message = (
            "The Class page is for teachers: it shows every student's work. Your own runs are "
            "on the Runs page."
        )
        assert [e.value for e in at.error] == [message if lang == "en" else ES[message]]
        assert not at.dataframe and not at.metric and not at.get("plotly_chart")


def test_personal_mode_the_one_user_sees_all_their_runs(isolated_roots):
    _run("", 0.6)
    _run("", 0.7)
    at = open_class(None)
    board = at.dataframe[0].value
    assert list(board["Student"]) == ["you", "you"]
    assert list(board["Test accuracy"]) == [70.0, 60.0]


def test_no_runs_yet_says_where_they_will_appear(roster_mode):
    at = open_class(TEACHER)
    assert "No student has trained a model yet" in at.info[0].value
