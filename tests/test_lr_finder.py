"""The learning-rate finder: the suggestion rules on made-up curves, and the search on digits."""

import json

import numpy as np
import pytest

from clfcore.config import TrainConfig
from clfcore.errors import UserInputError
from clfcore.jobs import lr_find as lr_find_job
from clfcore.training import lr_finder

DIGITS = dict(dataset="digits", train_size=400, batch_size=32, seed=1)


def _curve(count=100):
    """A finder's typical curve: flat, a descent to a minimum near lr 0.03, then divergence."""
    lrs = lr_finder.learning_rates(1e-7, 10, count)
    x = np.log10(lrs)
    losses = 2.3 - 1.5 / (1 + np.exp(-2.5 * (x + 3))) + 0.02 * np.maximum(x + 1.5, 0) ** 4 * 40
    return lrs, losses


def test_learning_rates_grow_by_one_factor_from_start_to_end():
    lrs = lr_finder.learning_rates(1e-7, 10, 100)
    assert lrs[0] == pytest.approx(1e-7) and lrs[-1] == pytest.approx(10)
    ratios = lrs[1:] / lrs[:-1]
    assert np.allclose(ratios, ratios[0]) and ratios[0] > 1


def test_valley_is_two_thirds_down_the_longest_decrease():
    # the whole curve is used when trimming would leave too little; fastai's index arithmetic:
    # the valley ends at 6 with length 7, starts at -1, 7/3 -> -1 + 2 + 1 = 2
    losses = [3.0, 2.9, 2.5, 2.0, 1.5, 1.0, 0.9, 2.0, 5.0]
    lrs = lr_finder.learning_rates(1e-4, 1, len(losses))
    assert lr_finder.valley(lrs, losses) == 2


def test_suggestions_on_a_typical_curve_sit_in_the_descent():
    lrs, losses = _curve()
    lowest = int(np.argmin(losses))
    index = lr_finder.valley(lrs, losses)
    steepest = lr_finder.steep(lrs, losses)
    descent = np.flatnonzero(np.diff(losses) < -1e-3)  # where the loss clearly falls
    assert descent[0] <= index < lowest and descent[0] <= steepest < lowest
    # the steepest point is where the slope against log(lr) is most negative (the sigmoid's middle)
    assert lrs[steepest] == pytest.approx(1e-3, rel=0.3)
    suggested, steep_lr = lr_finder.suggest(lrs, losses)
    assert (suggested, steep_lr) == (lrs[index], lrs[steepest])


def test_steepest_point_ignores_the_wiggles_after_the_minimum():
    lrs, losses = _curve()
    losses = losses.copy()
    lowest = int(np.argmin(losses))
    # a sharp drop while diverging (a plateau's wiggle), still above the minimum
    losses[lowest + 8] = (losses[lowest + 7] + losses[lowest]) / 2
    slopes = np.diff(losses) / np.diff(np.log(lrs))
    assert int(np.argmin(slopes[10:-5])) + 10 > lowest  # fastai's steep would pick the wiggle
    assert lr_finder.steep(lrs, losses) < lowest


def test_a_curve_that_only_rises_suggests_its_start():
    lrs = lr_finder.learning_rates(1e-3, 1, 20)
    losses = np.linspace(1, 3, 20)
    assert lr_finder.steep(lrs, losses) == lr_finder.valley(lrs, losses) == 2  # the first kept


@pytest.mark.parametrize(
    "options", [dict(start_lr=1, end_lr=0.1), dict(start_lr=0, end_lr=1), dict(num_batches=2)]
)
def test_a_bad_range_is_refused(options):
    with pytest.raises(UserInputError):
        lr_finder.check_range(**{"start_lr": 1e-7, "end_lr": 10, "num_batches": 100, **options})


def test_the_search_on_digits_grows_the_rate_and_suggests_one_inside(isolated_roots):
    seen = []
    result = lr_finder.find_lr(
        TrainConfig.for_architecture("mlp", **DIGITS),
        progress=lambda *row: seen.append(row),
        num_batches=30,  # more than one epoch (13 batches of 32): goes on into the next
        start_lr=1e-5,
        end_lr=1.0,
    )
    lrs = np.array(result.lrs)
    assert len(lrs) == len(result.losses) == len(seen) and 5 <= len(lrs) <= 30
    assert lrs[0] == pytest.approx(1e-5) and np.allclose(lrs[1:] / lrs[:-1], 10 ** (5 / 29))
    assert [row[0] for row in seen] == list(range(1, len(lrs) + 1)) and seen[0][1] == 30
    assert lrs[0] <= result.suggested_lr <= lrs[-1] and lrs[0] <= result.steepest_lr <= lrs[-1]
    assert all(np.isfinite(result.losses))
    # the weights are never saved, no run folder is made
    assert list(isolated_roots["runs"].iterdir()) == []


def test_the_search_stops_when_the_loss_diverges(isolated_roots):
    result = lr_finder.find_lr(
        TrainConfig.for_architecture("mlp", **DIGITS), num_batches=60, start_lr=1e-4, end_lr=1e6
    )
    assert len(result.lrs) < 60  # ended early: the loss exploded at the huge rates
    assert max(result.losses) <= lr_finder.DIVERGENCE * min(result.losses)


def test_divergence_at_the_first_batches_is_a_clear_error(isolated_roots):
    with pytest.raises(UserInputError, match="diverged after"):
        lr_finder.find_lr(
            TrainConfig.for_architecture("mlp", **DIGITS), num_batches=20, start_lr=1e5, end_lr=1e7
        )


def test_the_job_writes_its_result_and_a_failure_as_a_message(isolated_roots, tmp_path):
    folder = tmp_path / lr_find_job.FOLDER
    folder.mkdir()
    config = TrainConfig.for_architecture("mlp", **DIGITS)
    (folder / "config.json").write_text(json.dumps(config.to_json()))
    (folder / "status.json").write_text(json.dumps({"status": "running"}))
    result = lr_find_job.run_job(folder)
    job = lr_find_job.read_job(tmp_path)
    assert job.status == "completed" and job.result == result.to_json()
    assert 0 < job.batch <= len(result.lrs) and job.batches == 100
    bad = config.replace(dataset="mnist")  # not on this machine
    (folder / "config.json").write_text(json.dumps(bad.to_json()))
    with pytest.raises(UserInputError):
        lr_find_job.run_job(folder)
    job = lr_find_job.read_job(tmp_path)
    assert job.status == "failed" and job.result is None and job.message
    assert "mnist" in str(UserInputError(job.message, **job.params))


def test_a_search_whose_process_is_gone_is_failed_not_running(tmp_path):
    folder = tmp_path / lr_find_job.FOLDER
    folder.mkdir()
    (folder / "status.json").write_text(json.dumps({"status": "running", "pid": 2**22 + 12345}))
    job = lr_find_job.read_job(tmp_path)
    assert job.status == "failed" and job.message == lr_find_job.ENDED
    lr_find_job.stop(tmp_path)  # nothing to stop: no error
    assert lr_find_job.read_job(tmp_path) is None or not lr_find_job.read_job(tmp_path).running


def test_one_search_at_a_time_per_workspace(isolated_roots):
    config = TrainConfig.for_architecture("mlp", **DIGITS)
    mine, theirs = isolated_roots["runs"] / "users" / "ana", isolated_roots["runs"] / "users" / "bo"
    lr_find_job.start(config, runs_dir=mine)
    try:
        with pytest.raises(UserInputError, match="already running"):
            lr_find_job.start(config, runs_dir=mine)
        lr_find_job.start(config, runs_dir=theirs)  # another user's search may run meanwhile
    finally:
        lr_find_job.stop(mine)
        lr_find_job.stop(theirs)
    assert lr_find_job.read_job(mine).status == lr_find_job.read_job(theirs).status == "stopped"
    assert lr_find_job.job_dir(mine) == mine / ".lr-find"
