"""The class board: every student's latest runs on one dataset as a leaderboard, who is training now
and who waits in the queue - what the teacher's Class page shows, computed without Streamlit.

Built from one listing (``clfcore.runs.listing.list_all_runs()``), so a page that refreshes every
few seconds reads each run's files once per refresh: the summaries, then config.json of the rows
kept only, then progress.json of the runs training now.

Example (on a class server where ana and ben trained on digits)::

    runs = listing.list_all_runs()
    [(row.rank, row.owner, row.test_accuracy) for row in leaderboard(runs, "digits")]
    # [(1, 'ana', 0.93), (2, 'ben', 0.88)]
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from clfcore.data import augment
from clfcore.errors import UserInputError
from clfcore.i18n import N_
from clfcore.runs.folder import RunFolder, read_json
from clfcore.runs.listing import RunSummary

UNREADABLE_AUGMENTATION = N_("unreadable settings")  # config.json names no valid augmentation


@dataclass(frozen=True)
class BoardRow:
    """One run on the leaderboard."""

    rank: int | None  # 1 for the best test accuracy of the board; None without a test figure
    owner: str  # the student (run owner); "" for a run of personal mode's runs root
    run_id: str
    name: str  # the run's name, or "" when the student gave none
    architecture: str | None
    epochs: int | None  # the epochs asked for (config.json); early stopping may have run fewer
    # the transforms trained with ("rotation ±10°", ... to translate where shown); () = none
    augmentation: tuple[augment.Message, ...]
    train_seconds: float | None
    test_accuracy: float | None  # the headline figure (multi-label: the label accuracy)
    status: str
    created: str | None
    path: Path

    @property
    def label(self) -> str:
        return self.name or self.run_id


@dataclass(frozen=True)
class Training:
    """A run training right now, with where it is."""

    run: RunSummary
    epoch: int | None  # the epoch in progress (1-based), None before the first progress write
    epochs: int | None
    fraction: float  # of the whole training, 0-1
    eta_seconds: float | None


@dataclass(frozen=True)
class Waiting:
    """A queued run and its place in the queue (1 starts next)."""

    position: int
    run: RunSummary


def datasets_with_runs(runs: Iterable[RunSummary]) -> list[str]:
    """The datasets some run was trained on, the one of the newest run first (``runs`` newest
    first, as listed)."""
    return list(dict.fromkeys(run.dataset for run in runs if run.dataset))


def _augmentation(config: dict) -> tuple[augment.Message, ...]:
    """The transforms a run trained with, as the Train page words them; () for none."""
    settings = config.get("augmentation") or {}
    if not isinstance(settings, dict) or not settings:
        return ()
    try:  # the settings a run recorded, missing ones at their defaults - as the trainer reads them
        return tuple(augment.summary(augment.AugmentConfig.from_dict(settings)))
    except UserInputError:
        return (augment.Message(UNREADABLE_AUGMENTATION, {}),)


def _row(run: RunSummary, config: dict) -> dict:
    epochs = config.get("epochs")
    return dict(
        owner=run.owner,
        run_id=run.run_id,
        name=run.name,
        architecture=run.architecture,
        epochs=epochs if isinstance(epochs, int) else None,
        augmentation=_augmentation(config),
        train_seconds=run.train_seconds,
        test_accuracy=run.test_accuracy,
        status=run.status,
        created=run.created,
        path=run.path,
    )


def leaderboard(
    runs: Iterable[RunSummary], dataset: str, *, per_student: int | None = 1
) -> list[BoardRow]:
    """Each student's latest runs on ``dataset``, best test accuracy first.

    Args:
        runs: every run, newest first (``list_all_runs()``).
        dataset: the dataset id the runs were trained on.
        per_student: how many of each student's newest runs to keep; None keeps them all.
            Defaults to 1 (each student's latest run).

    Returns:
        rows ordered by test accuracy (highest first; runs without one - still training, failed -
        last, newest first), ranked 1, 2, ... (ties share a rank).
    """
    kept: list[RunSummary] = []
    count: dict[str, int] = {}
    for run in runs:
        if run.dataset != dataset:
            continue
        seen = count.get(run.owner, 0)
        if per_student is None or seen < per_student:
            kept.append(run)
        count[run.owner] = seen + 1
    # newest first stays the order among equals (sorted is stable)
    kept.sort(key=lambda run: -run.test_accuracy if run.test_accuracy is not None else 1.0)
    rows, rank, previous = [], 0, None
    for index, run in enumerate(kept):
        if run.test_accuracy is not None and run.test_accuracy != previous:
            rank, previous = index + 1, run.test_accuracy
        rows.append(
            BoardRow(
                rank=rank if run.test_accuracy is not None else None,
                **_row(run, read_json(RunFolder(run.path).config_path)),
            )
        )
    return rows


def training_now(runs: Iterable[RunSummary]) -> list[Training]:
    """The runs training right now (every dataset), each with its progress."""
    found = []
    for run in runs:
        if run.status != "running":
            continue
        progress = RunFolder(run.path).progress()
        epoch, epochs = progress.get("epoch"), progress.get("epochs")
        eta = progress.get("eta")
        found.append(
            Training(
                run=run,
                epoch=epoch if isinstance(epoch, int) else None,
                epochs=epochs if isinstance(epochs, int) else None,
                fraction=min(max(float(progress.get("fraction") or 0.0), 0.0), 1.0),
                eta_seconds=float(eta) if isinstance(eta, (int, float)) else None,
            )
        )
    return found


def queue(runs: Iterable[RunSummary], *, order: Sequence[str]) -> list[Waiting]:
    """The queued runs in the order they will start.

    Args:
        runs: every run (``list_all_runs()``).
        order: the queued run ids in the queue's order, ``clfcore.jobs.queue_order()`` (the jobs
            layer sits above this one, so the page hands it in).
    """
    place = {run_id: number for number, run_id in enumerate(order, start=1)}
    waiting = [
        Waiting(position=place[run.run_id], run=run)
        for run in runs
        if run.status == "queued" and run.run_id in place
    ]
    return sorted(
        waiting, key=lambda item: (item.position, item.run.created or "", item.run.run_id)
    )
