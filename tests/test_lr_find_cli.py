"""``python -m clfcore lr-find``: progress lines, then the curve as JSON; mistakes exit 2."""

import json
import subprocess
import sys

import pytest

from clfcore.cli import main


@pytest.fixture(autouse=True)
def _log_level_restored(monkeypatch):
    """``main`` sets TF_CPP_MIN_LOG_LEVEL for the processes it starts: undone after each test."""
    monkeypatch.setenv("TF_CPP_MIN_LOG_LEVEL", "")
    monkeypatch.delenv("TF_CPP_MIN_LOG_LEVEL")


def test_lr_find_prints_progress_then_the_curve(capsys, isolated_roots):
    argv = ["lr-find", "--dataset", "digits", "--train-size", "400", "--batch-size", "32"]
    assert main([*argv, "--batches", "20", "--start-lr", "1e-5", "--end-lr", "1"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    summary = json.loads(lines[-1])
    assert set(summary) == {"suggested_lr", "steepest_lr", "lrs", "losses"}
    assert len(summary["lrs"]) == len(summary["losses"]) <= 20
    assert summary["lrs"][0] == pytest.approx(1e-5)
    assert summary["lrs"][0] <= summary["suggested_lr"] <= summary["lrs"][-1]
    assert any(line.startswith("batch 10/20") for line in lines[:-1])
    assert "suggested learning rate" in lines[-2]
    assert list(isolated_roots["runs"].iterdir()) == []  # nothing written


def test_a_bad_range_exits_2_with_one_line(capsys):
    assert main(["lr-find", "--start-lr", "1", "--end-lr", "0.1"]) == 2
    captured = capsys.readouterr()
    assert captured.err.strip().count("\n") == 0 and "must grow" in captured.err
    assert "error" in json.loads(captured.out.strip().splitlines()[-1])


def test_a_bad_option_exits_2_without_a_traceback():
    result = subprocess.run(
        [sys.executable, "-m", "clfcore", "lr-find", "--batches", "many"],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 2
    assert "Traceback" not in result.stderr and "invalid int value" in result.stderr
