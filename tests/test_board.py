"""The class board (clfcore.workspace.board): leaderboard rows, training now, the queue."""

from __future__ import annotations

import json
import os
import time

import pytest

from clfcore import jobs
from clfcore.config import TrainConfig
from clfcore.paths import user_runs_dir
from clfcore.runs import listing
from clfcore.runs.folder import RunFolder, create_run
from clfcore.runs.liveness import _process_start_ticks
from clfcore.workspace import board


def _run(
    owner: str,
    *,
    dataset: str = "digits",
    accuracy: float | None = 0.5,
    status: str = "completed",
    **settings,
) -> RunFolder:
    """A run folder in ``owner``'s workspace ("" = personal mode's runs root), without training."""
    config = TrainConfig(dataset=dataset, architecture="mlp", epochs=3, **settings)
    run = create_run(config, root=user_runs_dir(owner) if owner else None)
    if accuracy is not None:
        run.write_metrics({"test_accuracy": accuracy, "train_seconds": 12.5})
    if status == "running":  # this test's own process stands in for the training process
        run.set_status("running", pid=os.getpid(), pid_start=_process_start_ticks(os.getpid()))
    else:
        run.set_status(status)
    return run


def test_each_students_latest_run_on_the_dataset_best_first():
    _run("ana", accuracy=0.70)
    ana_latest = _run("ana", accuracy=0.90, run_name="ana-cnn", augmentation={"zoom_range": 0.2})
    _run("ben", dataset="cifar10", accuracy=0.99)  # another dataset: not on this board
    ben = _run("ben", accuracy=0.80)
    rows = board.leaderboard(listing.list_all_runs(), "digits")
    assert [(row.owner, row.run_id) for row in rows] == [
        ("ana", ana_latest.run_id),
        ("ben", ben.run_id),
    ]
    top = rows[0]
    assert (top.rank, top.label, top.architecture, top.epochs) == (1, "ana-cnn", "mlp", 3)
    assert (top.test_accuracy, top.train_seconds, top.status) == (0.90, 12.5, "completed")
    assert "zoom ±{zoom:.0%}" in [part.template for part in top.augmentation]
    assert rows[1].augmentation == () and rows[1].rank == 2


def test_latest_n_per_student_and_all_of_them():
    ids = [_run("ana", accuracy=0.1 * i).run_id for i in range(1, 5)]
    runs = listing.list_all_runs()
    assert {row.run_id for row in board.leaderboard(runs, "digits", per_student=2)} == set(ids[2:])
    assert len(board.leaderboard(runs, "digits", per_student=None)) == 4


def test_ties_share_a_rank_and_runs_without_a_figure_come_last_unranked():
    _run("ana", accuracy=0.8)
    _run("ben", accuracy=0.8)
    _run("cleo", accuracy=0.6)
    _run("dan", accuracy=None, status="queued")
    rows = board.leaderboard(listing.list_all_runs(), "digits")
    assert [(row.owner, row.rank) for row in rows] == [
        ("ben", 1),  # equal accuracies: the newer first
        ("ana", 1),
        ("cleo", 3),
        ("dan", None),
    ]
    assert rows[-1].status == "queued"


def test_personal_mode_runs_have_no_owner():
    _run("", accuracy=0.4)
    rows = board.leaderboard(listing.list_all_runs(), "digits", per_student=None)
    assert [row.owner for row in rows] == [""]


def test_datasets_with_runs_newest_first():
    _run("ana", dataset="cifar10")
    _run("ben", dataset="digits")
    _run("ana", dataset="cifar10")
    assert board.datasets_with_runs(listing.list_all_runs()) == ["cifar10", "digits"]


def test_training_now_with_its_progress():
    running = _run("ana", accuracy=None, status="running")
    running.write_progress({"epoch": 2, "epochs": 3, "fraction": 0.5, "eta": 7.0})
    _run("ben")
    found = board.training_now(listing.list_all_runs())
    assert [(item.run.owner, item.epoch, item.epochs) for item in found] == [("ana", 2, 3)]
    assert (found[0].fraction, found[0].eta_seconds) == (0.5, 7.0)


def test_a_running_run_before_its_first_progress_has_no_epoch():
    _run("ana", accuracy=None, status="running")
    (item,) = board.training_now(listing.list_all_runs())
    assert (item.epoch, item.epochs, item.fraction, item.eta_seconds) == (None, None, 0.0, None)


def test_the_queue_in_the_order_jobs_gives():
    first = _run("ana", accuracy=None, status="queued")
    second = _run("ana", accuracy=None, status="queued")
    other = _run("ben", accuracy=None, status="queued")
    _run("ben")
    runs = listing.list_all_runs()
    waiting = board.queue(runs, order=jobs.queue_order())
    assert {item.run.run_id for item in waiting} == {first.run_id, second.run_id, other.run_id}
    ana = [item.run.run_id for item in waiting if item.run.owner == "ana"]
    assert ana == [first.run_id, second.run_id]  # oldest first within a workspace
    assert [item.position for item in waiting] == sorted(item.position for item in waiting)
    # the order is the queue rule's, whatever it is: here, one that reverses the runs
    waiting = board.queue(runs, order=[other.run_id, second.run_id, first.run_id])
    assert [item.run.run_id for item in waiting] == [other.run_id, second.run_id, first.run_id]


def test_a_run_the_queue_does_not_know_is_left_out():
    _run("ana", accuracy=None, status="queued")
    assert board.queue(listing.list_all_runs(), order=[]) == []


def _set_augmentation(run: RunFolder, settings) -> None:
    data = json.loads(run.config_path.read_text())
    data["augmentation"] = settings
    run.config_path.write_text(json.dumps(data))


@pytest.mark.parametrize(
    "settings, shown",
    [
        ({}, []),
        # missing settings take their defaults, as the trainer reads them
        (
            {"rotation_range": 0.0, "width_shift_range": 0.0, "height_shift_range": 0.0},
            [
                "zoom ±{zoom:.0%}",
                "horizontal flip",
            ],
        ),
        ({"rotation_range": "lots"}, [board.UNREADABLE_AUGMENTATION]),
        ({"no_such_setting": 1}, [board.UNREADABLE_AUGMENTATION]),
    ],
)
def test_the_augmentation_a_run_trained_with(settings, shown):
    _set_augmentation(_run("ana"), settings)
    (row,) = board.leaderboard(listing.list_all_runs(), "digits")
    assert [part.template for part in row.augmentation] == shown


# --- listing.SettledRuns: the Class page's listing, which keeps finished runs between refreshes --


def _age(run: RunFolder, seconds: float = 60.0) -> None:
    """Date the run folder back, as a run that finished a while ago."""
    stamp = time.time_ns() - int(seconds * 1e9)
    os.utime(run.path, ns=(stamp, stamp))


def _counting_summaries(monkeypatch) -> list[str]:
    read = []
    real = listing.summarize

    def summarize(run):
        read.append(run.run_id)
        return real(run)

    monkeypatch.setattr(listing, "summarize", summarize)
    return read


def test_settled_runs_lists_what_list_all_runs_lists():
    _run("ana")
    _run("ben", accuracy=None, status="queued")
    _run("")
    assert listing.SettledRuns().list() == listing.list_all_runs()


def test_a_finished_run_is_read_once_and_an_active_one_every_time(monkeypatch):
    done = _run("ana")
    queued = _run("ben", accuracy=None, status="queued")
    for run in (done, queued):
        _age(run)
    read = _counting_summaries(monkeypatch)
    runs = listing.SettledRuns()
    runs.list()
    runs.list()
    assert sorted(read) == sorted([done.run_id, queued.run_id, queued.run_id])


def test_a_run_just_written_is_read_again_until_it_settles(monkeypatch):
    done = _run("ana")  # its folder changed a moment ago: maybe within one timestamp tick
    read = _counting_summaries(monkeypatch)
    runs = listing.SettledRuns(settle_seconds=3600)
    runs.list()
    runs.list()
    assert read == [done.run_id, done.run_id]


def test_a_change_to_a_kept_run_and_a_deleted_run_are_seen():
    shared, deleted = _run("ana"), _run("ben")
    for run in (shared, deleted):
        _age(run)
    runs = listing.SettledRuns()
    assert {run.shared for run in runs.list()} == {False}
    shared.set_shared(True, by="teach")
    listing.delete_run(deleted.run_id, root=deleted.path.parent)
    (only,) = runs.list()
    assert (only.run_id, only.shared) == (shared.run_id, True)
