"""``python -m clfcore train --resume RUN --epochs N``: trains on in this process, the same JSON
last line as ``train``; every bad use exits 2 with one line."""

import json

import pytest

from clfcore.cli import main
from clfcore.runs.folder import RunFolder


@pytest.fixture(autouse=True)
def _log_level_restored(monkeypatch):
    """``main`` sets TF_CPP_MIN_LOG_LEVEL for the processes it starts: undone after each test."""
    monkeypatch.setenv("TF_CPP_MIN_LOG_LEVEL", "")
    monkeypatch.delenv("TF_CPP_MIN_LOG_LEVEL")


def test_train_resume_trains_on_and_ends_with_the_train_json(
    isolated_roots, tmp_path_factory, capsys, make_trained_run
):
    parent_id = make_trained_run(isolated_roots["runs"], tmp_path_factory)
    assert main(["train", "--resume", parent_id, "--epochs", "2", "--learning-rate", "0.0005"]) == 0
    out = capsys.readouterr().out.strip().splitlines()
    summary = json.loads(out[-1])
    assert summary["status"] == "completed" and summary["epochs_run"] == 2
    assert {"test_accuracy", "test_loss", "best_epoch", "train_seconds"} <= set(summary)
    assert "epoch 3/4" in "\n".join(out) and "epoch 4/4" in "\n".join(out)
    child = RunFolder(isolated_roots["runs"] / summary["run_dir"].rsplit("/", 1)[-1])
    assert child.path.parent == isolated_roots["runs"]  # beside its parent
    config = child.config()
    assert config.parent == parent_id and config.initial_epoch == 2
    assert config.learning_rate == 0.0005
    assert [row["epoch"] for row in child.history()] == [3.0, 4.0]


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--epochs", "2", "--arch", "cnn"], "--arch cannot be given with --resume"),
        (["--epochs", "2", "--dataset", "mnist"], "--dataset cannot be given with --resume"),
        ([], "--resume needs --epochs N"),
        (["--epochs", "0"], "Epochs must be at least 1"),
        (["--epochs", "2", "--out", "elsewhere"], "--out cannot be given with --resume"),
    ],
)
def test_bad_uses_of_resume_exit_2_with_one_line(
    isolated_roots, tmp_path_factory, capsys, make_trained_run, extra, message
):
    parent_id = make_trained_run(isolated_roots["runs"], tmp_path_factory)
    assert main(["train", "--resume", parent_id, *extra]) == 2
    captured = capsys.readouterr()
    assert captured.err.strip().count("\n") == 0 and message in captured.err
    assert message in json.loads(captured.out.strip().splitlines()[-1])["error"]
    assert len(list(isolated_roots["runs"].iterdir())) == 1  # no child run was made


def test_resume_of_an_unknown_or_unfinished_run_exits_2(
    isolated_roots, tmp_path_factory, capsys, make_trained_run
):
    assert main(["train", "--resume", "no-such-run", "--epochs", "2"]) == 2
    assert "no-such-run" in capsys.readouterr().err
    parent_id = make_trained_run(isolated_roots["runs"], tmp_path_factory)
    RunFolder(isolated_roots["runs"] / parent_id).set_status("failed")
    assert main(["submit", "--resume", parent_id, "--epochs", "2"]) == 2
    assert "is failed: only a completed, stopped or interrupted run" in capsys.readouterr().err
