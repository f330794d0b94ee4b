"""Continued training: the rules (clfcore.training.resume), the trainer training on from a parent's
model and optimizer state, and the lineage whose history the curves show."""

import json
import shutil
import typing

import pytest

from clfcore.config import TrainConfig
from clfcore.errors import UserInputError
from clfcore.jobs import local
from clfcore.runs import lineage
from clfcore.runs.folder import RunFolder, create_run
from clfcore.training import resume, trainer

TINY = dict(dataset="digits", architecture="mlp", train_size=300, batch_size=32, epochs=3, seed=3)


@pytest.fixture(scope="module")
def parent_dir(tmp_path_factory):
    """One finished tiny digits run (3 epochs), trained once for the module; each test copies
    it."""
    root = tmp_path_factory.mktemp("parent")
    run = create_run(TrainConfig(**TINY), root=root)
    trainer.train(run)
    return run.path


@pytest.fixture
def parent(parent_dir, isolated_roots):
    """A copy of the finished run in this test's runs root."""
    target = isolated_roots["runs"] / parent_dir.name
    shutil.copytree(parent_dir, target)
    return RunFolder(target)


def _fake_run(root, status: str, *, model: bool = True, **config) -> RunFolder:
    run = create_run(TrainConfig(**{**TINY, **config}), root=root)
    run.set_status(status)
    if model:
        run.model_path.write_bytes(b"not a model")
    return run


# --- the config -------------------------------------------------------------------------------


def test_old_config_files_load_and_the_new_fields_are_checked():
    old = {k: v for k, v in TrainConfig().to_json().items() if k not in ("parent", "initial_epoch")}
    assert TrainConfig.from_json(old).parent == "" and TrainConfig.from_json(old).initial_epoch == 0
    with pytest.raises(UserInputError, match="0 or more"):
        TrainConfig(parent="x", initial_epoch=-1)
    with pytest.raises(UserInputError, match="must name the run it continues"):
        TrainConfig(initial_epoch=3)


def test_continued_config_numbers_on_and_keeps_the_fixed_settings(parent):
    child = resume.continued_config(parent, epochs=4, learning_rate=0.0005)
    base = parent.config()
    assert child.parent == parent.run_id and child.initial_epoch == 3 and child.epochs == 4
    assert child.learning_rate == 0.0005 and child.run_name == "mlp-digits +4"
    for name in resume.FIXED:
        assert getattr(child, name) == getattr(base, name), name
    # the same value of a fixed setting is no change; None is no change either
    assert resume.continued_config(parent, epochs=1, dataset="digits", batch_size=None).epochs == 1


def test_the_kept_epoch_is_the_best_one(parent):
    metrics = {**parent.metrics(), "best_epoch": 2}
    parent.write_metrics(metrics)
    assert resume.continued_config(parent, epochs=1).initial_epoch == 2
    parent.write_metrics({})  # no metrics (an interrupted run): the last epoch of its history
    assert resume.kept_epoch(parent) == 3


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"dataset": "mnist"}, "keeps the dataset of the run it continues"),
        ({"architecture": "cnn"}, "keeps the architecture"),
        ({"seed": 7}, "keeps the seed"),
        ({"augmentation": {"noise": 0.1}}, "keeps the augmentation"),
    ],
)
def test_a_fixed_setting_cannot_change(parent, change, message):
    with pytest.raises(UserInputError, match=message) as error:
        resume.continued_config(parent, epochs=2, **change)
    assert "Start a new training on the Train page" in str(error.value)


@pytest.mark.parametrize("status", ["queued", "failed"])
def test_only_a_finished_run_can_be_continued(isolated_roots, status):
    run = _fake_run(isolated_roots["runs"], status)
    with pytest.raises(UserInputError, match=f"is {status}: only a completed, stopped or interr"):
        resume.continued_config(run, epochs=2)


def test_a_run_without_a_model_cannot_be_continued(isolated_roots):
    run = _fake_run(isolated_roots["runs"], "stopped", model=False)
    with pytest.raises(UserInputError, match="saved no model"):
        resume.continued_config(run, epochs=2)


def test_a_deleted_parent_fails_the_queued_child_with_the_message(parent, monkeypatch):
    child = create_run(resume.continued_config(parent, epochs=2), root=parent.path.parent)
    shutil.rmtree(parent.path)
    with pytest.raises(UserInputError, match="is gone"):
        resume.start_model_of(child)
    started = local.dispatch(child.path.parent)  # the queue reaches it: it fails, nothing starts
    assert started == [] and child.status()["status"] == "failed"
    assert "is gone (deleted?)" in child.status()["message"]


# --- the trainer ---------------------------------------------------------------------------------


def test_a_continued_run_trains_on_from_the_parents_model_and_optimizer(parent):
    import keras

    class FirstIterations(keras.callbacks.Callback):
        seen: typing.ClassVar[list] = []

        def on_train_begin(self, logs=None):
            self.seen.append(int(self.model.optimizer.iterations.numpy()))

    saved = keras.saving.load_model(parent.model_path)
    saved_iterations = int(saved.optimizer.iterations.numpy())
    child = create_run(resume.continued_config(parent, epochs=2), root=parent.path.parent)
    local_copy = child.path / resume.START_MODEL
    resume.place_start_model(child)
    assert local_copy.is_file()
    summary = trainer.train(child, callbacks=(FirstIterations(),))

    rows, before = child.history(), parent.history()
    assert [row["epoch"] for row in rows] == [4.0, 5.0]  # numbered on from the parent's
    assert summary["epochs_run"] == 2 and summary["best_epoch"] in (4, 5)
    # not a fresh model: the first continued epoch is much nearer the parent's last than its first
    assert rows[0]["loss"] < (before[0]["loss"] + before[-1]["loss"]) / 2
    # the optimizer state came along: its step count goes on from the parent's
    assert saved_iterations > 0 and FirstIterations.seen == [saved_iterations]
    assert not local_copy.exists() and parent.model_path.is_file()  # the parent keeps its own
    progress = child.progress()
    assert progress["epoch"] == 5 and progress["epochs"] == 5 and progress["fraction"] == 1.0
    assert json.loads(child.config_path.read_text())["parent"] == parent.run_id

    # the lineage and the one history the curves show
    assert [r.run_id for r in lineage.lineage(child)] == [parent.run_id, child.run_id]
    history = lineage.continued_history(child)
    assert [row["epoch"] for row in history] == [1.0, 2.0, 3.0, 4.0, 5.0]
    assert [row["run_id"] for row in history] == [parent.run_id] * 3 + [child.run_id] * 2
    assert lineage.continued_at(history) == [3]


def test_continued_history_cuts_the_parent_at_the_kept_epoch_and_skips_deleted_ones(
    isolated_roots,
):
    root = isolated_roots["runs"]
    grand = _fake_run(root, "completed")
    grand.write_history([{"epoch": e, "loss": 1.0 / e} for e in range(1, 5)])
    mid = _fake_run(root, "completed", parent=grand.run_id, initial_epoch=2)
    mid.write_history([{"epoch": e, "loss": 0.1} for e in (3, 4, 5)])
    child = _fake_run(root, "running", parent=mid.run_id, initial_epoch=5)
    child.write_history([{"epoch": 6, "loss": 0.05}])
    history = lineage.continued_history(child)
    assert [row["epoch"] for row in history] == [1, 2, 3, 4, 5, 6]
    assert lineage.continued_at(history) == [2, 5]
    shutil.rmtree(grand.path)  # a deleted ancestor is simply not shown
    assert [row["epoch"] for row in lineage.continued_history(child)] == [3, 4, 5, 6]
    assert lineage.lineage(RunFolder(grand.path)) == [RunFolder(grand.path)]
