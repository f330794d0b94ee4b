"""The lessons as data, the rules that read a run's history, and the per-user progress file."""

import json
import threading

import pytest

from clfcore import fileio
from clfcore.accounts.identity import User
from clfcore.config import TrainConfig
from clfcore.data import datasets
from clfcore.errors import UserInputError
from clfcore.runs.folder import create_run
from clfcore.teaching import course_lessons, lessons, observations, progress
from clfcore.teaching.course_lessons import LESSONS
from clfcore.teaching.lessons import Setup
from clfcore.teaching.observations import RunRecord
from clfcore.workspace import Workspace


def _rows(train, val):
    return [
        {"epoch": e, "accuracy": a, "val_accuracy": v}
        for e, (a, v) in enumerate(zip(train, val), start=1)
    ]


# --- the lessons ---------------------------------------------------------------------------------


def test_seven_lessons_with_unique_ids_and_known_rules():
    assert len(LESSONS) == 7
    assert len({lesson.id for lesson in LESSONS}) == 7
    for lesson in LESSONS:
        assert lesson.steps
        assert len({s.id for s in lesson.steps}) == len(lesson.steps)
        for step in lesson.steps:
            assert set(step.rules) <= set(observations.RULES)
            assert step.what and step.why and step.title
            assert not (set(step.rules) & set(observations.PAIRED)) or step.compare is not None


@pytest.mark.parametrize(
    "step",
    [s for lesson in LESSONS for s in lesson.steps if s.setup is not None],
    ids=lambda s: s.id,
)
def test_every_setup_is_a_valid_train_config_on_each_named_dataset(step):
    for dataset in (*step.setup.datasets, *(step.compare.datasets if step.compare else ())):
        datasets.get_dataset(dataset)  # a known (named) dataset
        config = lessons.train_config(step.setup, dataset)
        assert isinstance(config, TrainConfig)
        assert config.architecture == step.setup.architecture
        assert bool(config.augmentation) == step.setup.augment
        assert config.task == datasets.get_dataset(dataset).task


def test_offline_every_setup_finds_a_dataset_or_says_how_to_get_one():
    """With nothing downloaded (only scikit-learn's digits), a setup falls back to a dataset that
    is here, or its first dataset's availability says how to get it: never an exception."""
    for lesson in LESSONS:
        for step in lesson.steps:
            if step.setup is None:
                continue
            choice = lessons.choose_dataset(step.setup)
            if choice.dataset is None:
                message = datasets.availability(choice.wanted).error().message("en")
                assert "not on this machine" in message, step.id
            else:
                lessons.train_config(step.setup, choice.dataset)
    assert lessons.choose_dataset(LESSONS[0].steps[0].setup).dataset == "digits"


def test_choose_dataset_takes_the_first_available_and_says_it_substitutes():
    setup = Setup(("cifar10", "fashion_mnist", "digits"), "recommended")
    choice = lessons.choose_dataset(setup, available=lambda d: d != "cifar10")
    assert (choice.dataset, choice.wanted, choice.substitute) == ("fashion_mnist", "cifar10", True)
    assert not lessons.choose_dataset(setup, available=lambda d: True).substitute
    nothing = lessons.choose_dataset(setup, available=lambda d: False)
    assert nothing.dataset is None and not nothing.substitute


def test_the_first_lesson_is_the_course_practice():
    train = course_lessons.get_lesson("first_network").steps[2]
    config = lessons.train_config(train.setup, "mnist")
    assert (config.architecture, config.epochs, config.batch_size) == ("mlp", 10, 128)
    assert config.one_hot and config.optimizer == "rmsprop"  # to_categorical, as in the practice
    assert config.arch_options["units"] == 256


def test_split_choices_cover_the_config():
    config = lessons.train_config(
        course_lessons.get_lesson("cnn_overfitting").steps[1].setup, "digits"
    )
    parts = lessons.split_choices(config)
    assert parts["split"]["train_size"] == 10_000
    assert parts["model"]["architecture"] == "course_cifar_cnn"
    rebuilt = TrainConfig(
        dataset="digits",
        task=config.task,
        augmentation=config.augmentation,
        **parts["model"],
        **parts["split"],
        **parts["training"],
    )
    assert rebuilt == config


def test_unknown_lesson_is_a_clear_error():
    with pytest.raises(UserInputError, match="no lesson 'nope'"):
        course_lessons.get_lesson("nope")


def test_npv_formula_is_the_right_one():
    assert course_lessons.NPV[1].endswith(r"\frac{TN}{TN + FN}")


def test_latest_run_finds_the_newest_finished_run_of_the_setup():
    setup = course_lessons.get_lesson("first_network").steps[2].setup
    workspace = Workspace()
    assert lessons.latest_run(workspace, setup) is None
    old = create_run(TrainConfig(dataset="fashion_mnist", architecture="mlp"))
    old.set_status("completed")
    create_run(TrainConfig(dataset="fashion_mnist", architecture="lenet")).set_status("completed")
    rotated = {"rotation_range": 10.0}
    augmented = create_run(
        TrainConfig(dataset="fashion_mnist", architecture="mlp", augmentation=rotated)
    )
    augmented.set_status("completed")
    create_run(TrainConfig(dataset="fashion_mnist", architecture="mlp"))  # still queued
    assert lessons.latest_run(workspace, setup).run_id == old.run_id
    assert lessons.latest_run(workspace, setup, dataset="mnist") is None


def test_latest_run_reads_only_the_users_own_runs(monkeypatch):
    monkeypatch.setenv("CLFCORE_AUTH", "roster")
    setup = course_lessons.get_lesson("first_network").steps[2].setup
    ana, ben = Workspace(User("ana")), Workspace(User("ben"))
    run = create_run(TrainConfig(dataset="digits", architecture="mlp"), root=ana.runs_dir)
    run.set_status("completed")
    assert lessons.latest_run(ana, setup).run_id == run.run_id
    assert lessons.latest_run(ben, setup) is None


# --- the observation rules -----------------------------------------------------------------------


def test_overfitting_when_validation_stops_and_training_goes_on():
    rows = _rows([0.70, 0.80, 0.88, 0.93, 0.96], [0.68, 0.75, 0.79, 0.78, 0.785])
    found = observations.overfitting(rows)
    assert found.params == {"best_epoch": 3, "best_val": 79.0, "train": 96.0, "gap": 17.5}
    assert "stopped rising at epoch {best_epoch}" in found.text


def test_a_later_tie_is_not_a_rise():
    rows = _rows([0.70, 0.80, 0.90], [0.75, 0.80, 0.80])
    assert observations.overfitting(rows).params["best_epoch"] == 2


def test_a_large_final_gap_without_a_peak_is_overfitting_too():
    rows = _rows([0.80, 0.90, 0.95], [0.78, 0.84, 0.88])  # still rising, 7 points apart
    found = observations.overfitting(rows)
    assert found.params["gap"] == 7.0
    assert "points above validation" in found.text


def test_no_overfitting_when_the_curves_stay_together():
    rows = _rows([0.80, 0.85, 0.87], [0.80, 0.85, 0.86])
    assert "no clear overfitting" in observations.overfitting(rows).text


def test_rules_need_enough_history():
    assert observations.overfitting(_rows([0.8], [0.7])) is None
    assert observations.learning(RunRecord(tuple(_rows([0.8], [0.7])))) is None
    assert observations.overfitting([{"epoch": 1, "loss": 1.0}, {"epoch": 2, "loss": 0.5}]) is None


def test_learning_reports_first_and_last_validation_accuracy():
    found = observations.learning(RunRecord(tuple(_rows([0.8, 0.9, 0.95], [0.812, 0.85, 0.879]))))
    assert found.params == {"first": 81.2, "last": 87.9, "epochs": 3}


def test_test_accuracy_by_task():
    plain = observations.test_accuracy(RunRecord((), {"test_accuracy": 0.8789}))
    assert plain.params == {"accuracy": 87.9}
    multi = observations.test_accuracy(
        RunRecord((), {"test_label_accuracy": 0.95, "test_subset_accuracy": 0.6}, "multilabel")
    )
    assert multi.params == {"accuracy": 95.0, "subset": 60.0}
    tree = observations.test_accuracy(
        RunRecord((), {"test_accuracy": 0.8, "test_coarse_accuracy": 0.93}, "hierarchical")
    )
    assert tree.params == {"accuracy": 80.0, "coarse": 93.0}
    assert observations.test_accuracy(RunRecord((), {})) is None


def test_gap_change_with_augmentation():
    plain = RunRecord(tuple(_rows([0.80, 0.95], [0.80, 0.859])))
    augmented = RunRecord(tuple(_rows([0.75, 0.88], [0.76, 0.857])))
    found = observations.gap_change(augmented, plain)
    assert found.params == {"before": 9.1, "after": 2.3}
    assert "shrank" in found.text
    assert "did not shrink" in observations.gap_change(plain, augmented).text


def test_accuracy_change_and_observe():
    now = RunRecord(tuple(_rows([0.8, 0.9], [0.8, 0.85])), {"test_accuracy": 0.9})
    before = RunRecord((), {"test_accuracy": 0.85})
    found = observations.observe(("test_accuracy", "accuracy_change"), now, before)
    assert [o.params.get("accuracy") for o in found] == [90.0, None]
    assert found[1].params == {"after": 90.0, "before": 85.0, "change": 5.0}
    # a paired rule without the other run says nothing
    assert len(observations.observe(("test_accuracy", "gap_change"), now)) == 1


# --- progress ------------------------------------------------------------------------------------


def test_progress_round_trip_in_personal_mode(isolated_roots):
    workspace = Workspace()
    assert progress.load(workspace) == progress.Progress()
    progress.mark(workspace, "first_network", "train", done=True)
    progress.mark(workspace, "first_network", "look", done=True)
    progress.mark(workspace, "first_network", "look", done=False)
    saved = progress.load(workspace)
    assert progress.progress_path(workspace) == isolated_roots["runs"] / ".lessons.json"
    assert saved.is_done("first_network", "train")
    assert not saved.is_done("first_network", "look")
    assert saved.was_unticked("first_network", "look")
    assert saved.last == ("first_network", "look")
    assert saved.done_count("first_network", ["look", "train", "build"]) == 1


def test_progress_is_per_user(isolated_roots, monkeypatch):
    monkeypatch.setenv("CLFCORE_AUTH", "roster")
    ana, ben = Workspace(User("ana")), Workspace(User("ben"))
    progress.mark(ana, "metrics", "matrix", done=True)
    assert progress.progress_path(ana) == isolated_roots["runs"] / "users" / "ana" / ".lessons.json"
    assert progress.load(ana).is_done("metrics", "matrix")
    assert progress.load(ben) == progress.Progress()


def test_mark_many_keeps_where_the_user_left_off():
    workspace = Workspace()
    progress.visit(workspace, "transfer", "transfer")
    saved = progress.mark_many(workspace, "first_network", ["train", "classify"])
    assert saved.last == ("transfer", "transfer")
    assert progress.load(workspace).done_count("first_network", ["train", "classify"]) == 2


def test_progress_writes_atomically(monkeypatch):
    """A failing write leaves the old file whole, and no temporary file behind."""
    workspace = Workspace()
    progress.mark(workspace, "first_network", "train", done=True)
    before = progress.progress_path(workspace).read_text()

    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(fileio.os, "replace", broken)  # the last step of the atomic write fails
    with pytest.raises(OSError):
        progress.mark(workspace, "first_network", "look", done=True)
    assert progress.progress_path(workspace).read_text() == before
    assert [p.name for p in workspace.runs_dir.iterdir() if p.name.endswith(".tmp")] == []


def test_concurrent_marks_lose_no_tick():
    workspace = Workspace()
    steps = [f"s{i}" for i in range(12)]
    threads = [
        threading.Thread(target=progress.mark, args=(workspace, "l", s), kwargs={"done": True})
        for s in steps
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert progress.load(workspace).done_count("l", steps) == 12


def test_a_garbled_progress_file_reads_as_empty():
    workspace = Workspace()
    path = progress.progress_path(workspace)
    path.write_text("{not json")
    assert progress.load(workspace) == progress.Progress()
    path.write_text(json.dumps({"done": {"a": "oops"}, "last": [1, 2]}))
    assert progress.load(workspace) == progress.Progress()
