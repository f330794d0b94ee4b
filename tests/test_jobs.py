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


# --- one queue for every workspace of a class server ----------------------------------------------


def _workspace_run(owner: str, priority: str, **config) -> RunFolder:
    from clfcore.paths import user_runs_dir

    run = create_run(TrainConfig(**{**QUICK, **config}), root=user_runs_dir(owner))
    run.set_status("queued", priority=priority)
    return run


def test_dispatch_orders_every_workspace_fairly(isolated_roots, monkeypatch):
    """Teachers first, round robin across students, one training per student - over the folders
    of every workspace. ``launch`` is replaced by a stand-in that marks the run running as this
    (alive) process, so the order is checked without training."""
    from clfcore.jobs import local
    from clfcore.runs.liveness import _process_start_ticks

    launched = []

    def pretend_launch(run):
        launched.append(run.run_id)
        run.set_status(
            "running", pid=os.getpid(), pid_start=_process_start_ticks(os.getpid()),
            started=float(len(launched)),
        )  # fmt: skip
        return os.getpid()

    monkeypatch.setattr(local, "launch", pretend_launch)
    monkeypatch.setenv(jobs.MAX_ENV, "3")
    ana = [_workspace_run("ana", "student") for _ in range(3)]
    ben = [_workspace_run("ben", "student") for _ in range(2)]
    eva = _workspace_run("eva", "teacher")
    assert [jobs.queue_position(r) for r in (eva, ana[0], ben[0], ana[1], ben[1], ana[2])] == [
        1, 2, 3, 4, 5, 6,
    ]  # fmt: skip
    # any folder of the queue dispatches the whole queue; a free slot stays free rather than
    # start Ana's or Ben's second run beside their first
    assert jobs.dispatch(ana[0].path.parent) == [eva.run_id, ana[0].run_id, ben[0].run_id]
    assert jobs.dispatch() == []
    assert [jobs.queue_position(r) for r in (ana[1], ben[1], ana[2])] == [1, 2, 3]
    for run in (eva, ana[0]):
        run.set_status("completed")
    # two slots free: Ana's second and Ben's second (Ben is still training his first: he waits)
    assert jobs.dispatch() == [ana[1].run_id]
    assert jobs.queue_position(ben[1]) == 1 and jobs.queue_position(ana[1]) is None
    assert (isolated_roots["runs"] / ".dispatch.lock").is_file()
    assert not (isolated_roots["runs"] / "users" / "ana" / ".dispatch.lock").exists()


def test_two_students_train_one_run_at_a_time_each(isolated_roots, monkeypatch, wait_for):
    """Real training processes: Ana's second run waits behind her first even though a slot is
    free, Ben's starts beside it, and Ana's first process starts her second when it ends."""
    monkeypatch.setenv(jobs.MAX_ENV, "2")
    from clfcore.paths import user_runs_dir

    ana_first = jobs.submit(TrainConfig(**QUICK), root=user_runs_dir("ana"), priority="student")
    ana_second = jobs.submit(
        TrainConfig(**{**QUICK, "run_name": "second"}),
        root=user_runs_dir("ana"),
        priority="student",
    )
    ben_first = jobs.submit(TrainConfig(**QUICK), root=user_runs_dir("ben"), priority="student")
    assert ana_first.status()["status"] == "running" and ben_first.status()["status"] == "running"
    assert ana_second.status()["status"] == "queued" and jobs.queue_position(ana_second) == 1
    for run in (ana_first, ben_first, ana_second):
        assert wait_for(run, {"completed", "failed"}) == "completed", run.log_path.read_text()
    assert ana_second.status()["started"] >= ana_first.status()["started"]
    assert {r.owner for r in listing.list_all_runs()} == {"ana", "ben"}


def test_the_backend_is_chosen_by_clfcore_jobs_and_a_bad_one_is_refused(
    isolated_roots, monkeypatch
):
    from clfcore.errors import UserInputError
    from clfcore.jobs import local

    assert jobs.backend() is local
    monkeypatch.setenv(jobs.JOBS_ENV, "slurm")
    with pytest.raises(UserInputError, match="local, ray.*'slurm'"):
        jobs.submit(TrainConfig(**QUICK))
    assert not any(isolated_roots["runs"].iterdir())


def test_the_local_backend_never_imports_ray(isolated_roots):
    code = (
        "import sys, clfcore; from clfcore import jobs; jobs.dispatch(); jobs.queue_order(); "
        "assert 'ray' not in sys.modules, 'ray imported'"
    )
    subprocess.run([sys.executable, "-c", code], check=True, env={**os.environ, "CLFCORE_JOBS": ""})


def test_without_an_address_the_ray_backend_says_how_to_name_the_cluster(
    isolated_roots, monkeypatch
):
    pytest.importorskip("ray")
    from clfcore.errors import UserInputError
    from clfcore.jobs import cluster

    monkeypatch.setenv(jobs.JOBS_ENV, "ray")
    for name in (cluster.ADDRESS_ENV, "RAY_ADDRESS"):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(UserInputError) as error:
        jobs.dispatch()
    assert error.value.template == cluster.NO_ADDRESS and "CLFCORE_RAY_ADDRESS" in str(error.value)
