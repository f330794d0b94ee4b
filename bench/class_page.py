"""Class page cost: the teacher's board of a class of 30 students x 5 runs against the Runs page
with 5 runs.

Writes run folders without training (config.json, status.json, a 10-epoch history.csv,
metrics.json), in a temporary runs root: for the Class page 30 students' workspaces of 5 runs each
on one dataset, while the class trains (one running, three queued), on a roster class server with
a teacher signed in; for the Runs page 5 runs in personal mode. Each page is opened through the
router (app.py) in Streamlit's AppTest, once to warm up, then re-run REPEATS times, alternately;
a re-run executes the whole script as a refresh or a widget change does. Prints

    class_page_seconds: 0.12 (median of ... re-runs)
    runs_page_seconds: 0.10 (...)
    class_page_vs_runs_page: 1.2x (goal <= 1.5)
    class_page_with_5_ticked_seconds: ... (the overlay of 5 students' curves, for information)
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
STUDENTS, RUNS_EACH, EPOCHS = 30, 5, 10
REPEATS = 7
GOAL = 1.5


def _write_run(root: Path | None, index: int, *, status: str = "completed") -> None:
    from clfcore.config import TrainConfig
    from clfcore.runs.folder import create_run
    from clfcore.runs.liveness import _process_start_ticks

    config = TrainConfig(
        dataset="digits",
        architecture=("mlp", "lenet", "course_cifar_cnn")[index % 3],
        epochs=EPOCHS,
        augmentation={"zoom_range": 0.1} if index % 2 else {},
    )
    run = create_run(config, root=root)
    if status == "queued":
        run.set_status("queued", priority="student")
        return
    accuracy = 0.6 + (index * 37 % 100) / 300
    run.write_history(
        [
            {
                "epoch": e,
                "loss": 1.5 / e,
                "accuracy": accuracy - 0.2 / e,
                "val_loss": 1.7 / e,
                "val_accuracy": accuracy - 0.25 / e,
                "learning_rate": 0.001,
                "seconds": 2.0,
            }
            for e in range(1, EPOCHS + 1)
        ]
    )
    if status == "running":  # this process stands in for the training process
        pid = os.getpid()
        run.set_status("running", pid=pid, pid_start=_process_start_ticks(pid))
        run.write_progress({"epoch": 4, "epochs": EPOCHS, "fraction": 0.35, "eta": 40.0})
        return
    run.write_metrics({"test_accuracy": accuracy, "train_seconds": 20.0 + index % 7})
    run.set_status("completed")


def _class(root: Path) -> None:
    from clfcore.paths import user_runs_dir

    os.environ["CLFCORE_RUNS_DIR"] = str(root)
    for student in range(STUDENTS):
        for run in range(RUNS_EACH):
            last = run == RUNS_EACH - 1
            status = "running" if last and student == 0 else "completed"
            status = "queued" if last and 1 <= student <= 3 else status
            _write_run(
                user_runs_dir(f"student{student:02d}"), student * RUNS_EACH + run, status=status
            )


def _personal(root: Path) -> None:
    os.environ["CLFCORE_RUNS_DIR"] = str(root)
    for run in range(RUNS_EACH):
        _write_run(None, run)


def _app(page: str, *, runs: Path, auth: str | None, ticked: int = 0):
    from streamlit.testing.v1 import AppTest

    from clfcore.accounts.identity import User

    _environment(runs, auth)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.query_params["lang"] = "en"
    if auth:
        at.session_state["signed_in_user"] = User("teach", "teacher")
    if ticked:
        at.session_state["class_board-0"] = {
            "selection": {"rows": list(range(ticked)), "columns": [], "cells": []}
        }
    at.run()
    at.switch_page(page)
    at.run()  # warm-up: imports, the first render
    assert not at.exception, at.exception
    return at


def _environment(runs: Path, auth: str | None) -> None:
    os.environ["CLFCORE_RUNS_DIR"] = str(runs)
    if auth:
        os.environ["CLFCORE_AUTH"] = auth
    else:
        os.environ.pop("CLFCORE_AUTH", None)


def _time(at, runs: Path, auth: str | None) -> float:
    _environment(runs, auth)
    start = time.perf_counter()
    at.run()
    elapsed = time.perf_counter() - start
    assert not at.exception, at.exception
    return elapsed


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        os.environ["CLFCORE_DATA_DIR"] = str(tmp / "data")
        class_runs, personal_runs = tmp / "class-runs", tmp / "personal-runs"
        _class(class_runs)
        _personal(personal_runs)
        board = _app("app_pages/class.py", runs=class_runs, auth="roster")
        assert len(board.dataframe[0].value) == STUDENTS
        runs = _app("app_pages/runs.py", runs=personal_runs, auth=None)
        assert len(runs.dataframe[0].value) == RUNS_EACH
        ticked = _app("app_pages/class.py", runs=class_runs, auth="roster", ticked=5)
        assert ticked.get("plotly_chart")
        class_times, runs_times, ticked_times = [], [], []
        for _ in range(REPEATS):
            class_times.append(_time(board, class_runs, "roster"))
            runs_times.append(_time(runs, personal_runs, None))
            ticked_times.append(_time(ticked, class_runs, "roster"))
    class_s, runs_s = statistics.median(class_times), statistics.median(runs_times)
    print(
        f"class_page_seconds: {class_s:.3f} (median of {REPEATS} AppTest re-runs; "
        f"{STUDENTS} students x {RUNS_EACH} runs, 1 training, 3 queued)"
    )
    print(f"runs_page_seconds: {runs_s:.3f} (median of {REPEATS}; {RUNS_EACH} runs)")
    print(f"class_page_vs_runs_page: {class_s / runs_s:.2f}x (goal <= {GOAL})")
    print(
        f"class_page_with_5_ticked_seconds: {statistics.median(ticked_times):.3f} "
        "(5 students' curves overlaid; for information)"
    )


if __name__ == "__main__":
    main()
