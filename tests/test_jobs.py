"""Training runs as separate processes: launch, queue, stop with a signal, notice dead processes."""

import json
import os
import subprocess
import sys
import time

import pytest

from clfcore import jobs
from clfcore.config import TrainConfig
from clfcore.runs import listing, liveness
from clfcore.runs.folder import RunFolder, create_run

QUICK = dict(dataset="digits", architecture="mlp", train_size=200, batch_size=32, epochs=1, seed=1)


def test_submitted_runs_train_in_their_own_process_and_the_queue_moves_on(
    isolated_roots, monkeypatch, wait_for
):
    monkeypatch.setenv(jobs.MAX_ENV, "1")
    first = jobs.submit(TrainConfig(**QUICK))
    second = jobs.submit(TrainConfig(**{**QUICK, "run_name": "second"}))
    assert first.status()["status"] == "running" and first.status()["pid"] != os.getpid()
    assert second.status()["status"] == "queued" and jobs.queue_position(second) == 1
    assert wait_for(first, {"completed", "failed"}) == "completed"
    # the first process starts the next queued run when it ends: no page needs to be open
    assert wait_for(second, {"completed", "failed"}) == "completed"
    assert second.metrics()["test_accuracy"] > 0.2
    assert "test accuracy" in first.log_path.read_text()
    assert [r.status for r in listing.list_runs()] == ["completed", "completed"]


def test_stop_a_running_process_keeps_model_and_history(isolated_roots, wait_for):
    run = jobs.submit(TrainConfig(**{**QUICK, "epochs": 400, "train_size": 400}))
    deadline = time.monotonic() + 120
    while not run.history() and time.monotonic() < deadline:  # let it finish an epoch first
        time.sleep(0.2)
    jobs.stop(run)
    assert wait_for(run, {"stopped", "completed", "failed"}) == "stopped"
    assert run.model_path.is_file() and 1 <= len(run.history()) < 400
    assert run.metrics()["stopped"] is True


def test_stopping_a_queued_run_removes_it(isolated_roots, monkeypatch):
    monkeypatch.setenv(jobs.MAX_ENV, "1")
    run = create_run(TrainConfig(**QUICK))  # queued, never dispatched
    jobs.stop(run)
    assert not run.path.exists()


def test_a_running_run_whose_process_is_gone_is_interrupted(isolated_roots):
    run = create_run(TrainConfig(**QUICK))
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    run.set_status("running", pid=dead.pid)
    assert liveness.effective_status(run) == "interrupted"
    assert run.status()["status"] == "interrupted"
    assert listing.list_runs()[0].status == "interrupted"


def test_queued_runs_start_on_dispatch_after_a_restart(isolated_roots, monkeypatch, wait_for):
    monkeypatch.setenv(jobs.MAX_ENV, "2")
    queued = [create_run(TrainConfig(**QUICK)) for _ in range(3)]
    started = jobs.dispatch()
    assert started == [queued[0].run_id, queued[1].run_id]
    for run in queued[:2]:
        jobs.stop(run)
        wait_for(run, {"stopped", "completed", "failed", "interrupted"})


def test_bad_settings_are_refused_before_a_process_starts(isolated_roots):
    from clfcore.errors import UserInputError

    with pytest.raises(UserInputError, match="larger than the training set"):
        jobs.submit(TrainConfig(**{**QUICK, "batch_size": 1000}))
    assert listing.list_runs() == []


def test_the_command_line_trains_headless_and_ends_with_json(isolated_roots):
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "clfcore",
            "train",
            "--dataset",
            "digits",
            "--arch",
            "mlp",
            "--epochs",
            "2",
            "--train-size",
            "300",
            "--batch-size",
            "32",
            "--out",
            str(isolated_roots["runs"]),
        ],
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    summary = json.loads(result.stdout.strip().splitlines()[-1])
    assert summary["status"] == "completed" and 0 < summary["test_accuracy"] <= 1
    assert "epoch 2/2" in result.stdout
    assert (
        RunFolder(__import__("pathlib").Path(summary["run_dir"])).config().optimizer
    ) == "rmsprop"  # the MLP preset


@pytest.mark.parametrize(
    "args",
    [
        ["--epochs", "0"],
        ["--lr", "0"],
        ["--dataset", "cifar10"],
        ["--arch", "transformer"],
        ["--batch-size", "100000"],
    ],
)
def test_the_command_line_refuses_bad_arguments_in_one_line(isolated_roots, args):
    result = subprocess.run(
        [sys.executable, "-m", "clfcore", "train", "--out", str(isolated_roots["runs"]), *args],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 2
    assert "Traceback" not in result.stderr and result.stderr.startswith("error: ")


def test_a_training_process_reads_the_data_root_of_the_app(
    isolated_roots, monkeypatch, tmp_path, make_image_folder, wait_for
):
    # the default data root is ./data, relative to the app's working folder: the training process
    # must find the same user datasets whatever its own working folder is
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("CLFCORE_DATA_DIR")
    make_image_folder(tmp_path / "data" / "tiny", count=12, size=(8, 8))
    run = jobs.submit(TrainConfig(dataset="tiny", architecture="mlp", epochs=1, batch_size=8))
    assert wait_for(run, {"completed", "failed"}) == "completed", run.log_path.read_text()
