"""Hyperparameter studies (clfcore.tuning): the search space, pruning from the epoch logs, a study
that resumes from its SQLite storage after its driver is killed, and ``python -m clfcore tune``."""

import json
import os
import signal
import time

import optuna
import pytest

from clfcore.cli import main
from clfcore.config import TrainConfig
from clfcore.errors import UserInputError
from clfcore.runs.folder import RunFolder
from clfcore.tuning import space, study
from clfcore.tuning.space import SearchSpace, trial_config
from clfcore.tuning.study import TuneConfig

QUICK = dict(dataset="digits", architecture="mlp", train_size=400, batch_size=32, seed=1)
TRAIN_ARGS = ["--dataset", "digits", "--train-size", "400", "--batch-size", "32", "--seed", "1"]


@pytest.fixture(autouse=True)
def _log_level_restored(monkeypatch):
    """``main`` sets TF_CPP_MIN_LOG_LEVEL for the processes it starts: undone after each test."""
    monkeypatch.setenv("TF_CPP_MIN_LOG_LEVEL", "")
    monkeypatch.delenv("TF_CPP_MIN_LOG_LEVEL")


# --- the search space -----------------------------------------------------------------------------


def test_a_trials_choices_become_the_train_settings():
    base = TrainConfig.for_architecture("mlp", dataset="digits")
    config = trial_config(
        base,
        {"lr": 0.02, "batch_size": 64, "optimizer": "adam", "dropout": 0.25, "units": 128},
        run_name="s #3",
    )
    assert (config.learning_rate, config.batch_size, config.optimizer) == (0.02, 64, "adam")
    assert config.arch_options["dropout"] == 0.25 and config.arch_options["units"] == 128
    assert config.run_name == "s #3" and config.epochs == base.epochs


def test_units_and_dropout_of_a_transfer_model_are_its_head():
    base = TrainConfig.for_architecture("mobilenetv2", dataset="digits")
    config = trial_config(base, {"units": 64, "dropout": 0.1})
    assert config.arch_options["dense_units"] == 64 and config.arch_options["dropout"] == 0.1


def test_an_architecture_without_the_setting_is_refused_before_the_study():
    with pytest.raises(UserInputError, match="has no dropout setting"):
        study.check_config_for_study(
            TuneConfig(
                base=TrainConfig.for_architecture("lenet", dataset="digits"),
                space=SearchSpace(names=("dropout",)),
            )
        )


@pytest.mark.parametrize(
    ("settings", "match"),
    [
        ({"names": ()}, "at least one setting"),
        ({"names": ("momentum",)}, "Unknown setting to search 'momentum'"),
        ({"lr_low": 0.1, "lr_high": 0.01}, "0 < low < high"),
        ({"optimizers": ("adam", "sgdx")}, "optimizers to try"),
        ({"epochs_low": 0}, "epochs range"),
    ],
)
def test_a_bad_search_space_is_refused_with_the_reason(settings, match):
    with pytest.raises(UserInputError, match=match):
        SearchSpace(**settings)


def test_the_space_round_trips_through_json():
    config = TuneConfig(
        base=TrainConfig(**QUICK), space=SearchSpace(names=("lr", "units")), study="a"
    )
    again = TuneConfig.from_json(json.loads(json.dumps(config.to_json())))
    assert again == config and again.space.names == ("lr", "units")
    assert space.parse_names(" lr, batch_size ") == ("lr", "batch_size")


# --- studies --------------------------------------------------------------------------------------


def test_the_pruner_stops_a_trial_far_below_the_median(isolated_roots):
    config = TuneConfig(
        base=TrainConfig(**QUICK, optimizer="adam"),
        space=SearchSpace(names=("lr", "epochs"), lr_low=1e-7, lr_high=0.1, epochs_high=200),
        trials=2,
        study="prune",
        startup_trials=1,  # compare from the second trial on, from its first epoch
        warmup_epochs=1,
    )
    folder = study.study_dir("prune")
    folder.mkdir(parents=True)
    stored = study.open_study(folder, config)
    stored.enqueue_trial({"lr": 0.01, "epochs": 3})  # learns digits in an epoch or two
    # learns nothing, far below the first at every epoch; so many epochs that it is still
    # training when the pruner's stop arrives
    stored.enqueue_trial({"lr": 1e-7, "epochs": 200})
    result = study.run_study(config)
    trials = optuna.load_study(study_name="prune", storage=study.storage(folder)).trials
    assert [t.state for t in trials] == [
        optuna.trial.TrialState.COMPLETE,
        optuna.trial.TrialState.PRUNED,
    ]
    assert result.pruned == 1 and result.trials == 2
    assert result.best_params == {"lr": 0.01, "epochs": 3}
    good, bad = (RunFolder(isolated_roots["runs"] / t.user_attrs["run_id"]) for t in trials)
    assert len(good.history()) == 3
    assert 1 <= len(bad.history()) < 200  # the pruned run was stopped, its epochs so far kept
    assert bad.status()["status"] == "stopped"
    assert set(trials[1].intermediate_values) >= {1}


def _first_trial_run(folder, deadline: float, *, ready) -> RunFolder:
    """The first trial's run once the driver has made it and ``ready(run)`` holds."""
    while time.monotonic() < deadline:
        stored = study.load(folder)
        run_id = stored.trials[0].user_attrs.get("run_id") if stored and stored.trials else None
        run = RunFolder(folder.parent.parent / run_id) if run_id else None
        if run is not None and ready(run):
            return run
        time.sleep(0.2)
    raise AssertionError("the first trial has no run yet:\n" + (folder / "driver.log").read_text())


def test_a_study_resumes_from_its_storage_after_its_driver_is_killed(isolated_roots):
    config = TuneConfig(
        base=TrainConfig(**QUICK, epochs=3),
        space=SearchSpace(names=("lr",)),
        trials=2,
        study="resume",
    )
    folder = study.start(config)
    deadline = time.monotonic() + 180
    run_id = _first_trial_run(folder, deadline, ready=lambda run: True).run_id
    os.kill(study.driver_status(folder)["pid"], signal.SIGKILL)  # the driver dies mid-trial
    while study.driver_status(folder)["status"] == "running" and time.monotonic() < deadline:
        time.sleep(0.1)
    assert study.driver_status(folder)["status"] == "interrupted"

    result = study.run_folder_job(folder)  # "Resume": the same study, loaded from study.db
    trials = study.load(folder).trials
    assert len(trials) == 2 and result.trials == 2
    assert all(t.state == optuna.trial.TrialState.COMPLETE for t in trials)
    assert trials[0].user_attrs["run_id"] == run_id  # the killed driver's trial was followed on
    assert study.driver_status(folder)["status"] == "completed"
    assert study.list_studies() == ["resume"]


def test_stopping_a_study_stops_its_trial_and_a_resume_runs_another(isolated_roots):
    config = TuneConfig(
        base=TrainConfig(**QUICK, epochs=400),
        space=SearchSpace(names=("lr",)),
        trials=1,
        study="stop",
    )
    folder = study.start(config)
    deadline = time.monotonic() + 180
    run = _first_trial_run(folder, deadline, ready=lambda run: bool(run.history()))
    study.stop(folder)
    while study.driver_status(folder)["status"] == "running" and time.monotonic() < deadline:
        time.sleep(0.2)
    assert study.driver_status(folder)["status"] == "stopped"
    (trial,) = study.load(folder).trials
    assert trial.state == optuna.trial.TrialState.FAIL and trial.user_attrs["stopped"] is True
    while run.status()["status"] == "running" and time.monotonic() < deadline:
        time.sleep(0.2)
    assert run.status()["status"] == "stopped" and len(run.history()) < 400
    # the stopped trial does not count: the study still has its 1 trial to run
    assert study.result_of(study.load(folder), folder).trials == 0


def test_a_started_study_is_in_its_storage_before_its_driver_runs(isolated_roots):
    # a reader polling the storage while the driver created it made one of them fail with
    # "table trial_heartbeats already exists": the storage is made before the driver starts
    folder = study.start(
        TuneConfig(base=TrainConfig(**QUICK, epochs=1), trials=1, study="made-first")
    )
    assert study.load(folder) is not None  # at once: the driver is still importing
    deadline = time.monotonic() + 180
    while study.driver_status(folder)["status"] == "running" and time.monotonic() < deadline:
        time.sleep(0.2)
    assert study.driver_status(folder)["status"] == "completed", (folder / "driver.log").read_text()
    assert len(study.load(folder).trials) == 1


def test_a_second_start_of_a_running_study_is_refused(isolated_roots):
    config = TuneConfig(base=TrainConfig(**QUICK, epochs=1), study="twice")
    folder = study.study_dir("twice")
    folder.mkdir(parents=True)
    (folder / "driver.json").write_text(
        json.dumps({"status": "running", "pid": os.getpid(), "pid_start": None})
    )
    with pytest.raises(UserInputError, match="already running"):
        study.start(config)


# --- the command line -----------------------------------------------------------------------------


def test_tune_prints_a_line_per_trial_then_the_json(capsys, isolated_roots):
    argv = ["tune", *TRAIN_ARGS, "--epochs", "2", "--search", "lr,dropout", "--trials", "2"]
    assert main([*argv, "--study", "cli"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    summary = json.loads(lines[-1])
    assert set(summary) == {"study", "best_params", "best_value", "trials", "pruned"}
    assert summary["study"] == "cli" and summary["trials"] == 2
    assert set(summary["best_params"]) == {"lr", "dropout"} and 0 < summary["best_value"] <= 1
    assert sum(line.startswith("trial ") for line in lines) == 2
    assert (isolated_roots["runs"] / ".studies" / "cli" / "study.db").is_file()


@pytest.mark.parametrize(
    ("options", "match"),
    [
        (["--search", "lr,colour"], "Unknown setting to search 'colour'"),
        (["--trials", "0"], "at least 1 trial"),
        (["--timeout", "0"], "time budget"),
        (["--study", "My Study"], "study name"),
        (["--arch", "lenet", "--search", "dropout"], "no dropout setting"),
        (["--train-size", "100", "--search", "batch_size"], "larger than the training set"),
    ],
)
def test_bad_tune_options_exit_2_with_one_line(capsys, isolated_roots, options, match):
    assert main(["tune", "--dataset", "digits", *options]) == 2
    captured = capsys.readouterr()
    assert captured.err.strip().count("\n") == 0 and match in captured.err
    assert "error" in json.loads(captured.out.strip().splitlines()[-1])
    assert list(isolated_roots["runs"].iterdir()) == []  # refused before anything was written
