"""The course as guided lessons: what to do, why, the setup to do it with, and what to notice.

Every text is an English msgid (translated where it is shown). A step's :class:`Setup` names the
datasets it can use, best first (``("cifar10", "fashion_mnist")``: CIFAR-10 if it is on this
machine, else Fashion-MNIST), and the architecture and settings; :func:`choose_dataset` picks the
dataset and :func:`train_config` makes the TrainConfig the app is set up with. Once the student has
trained it, :func:`latest_run` finds their newest finished run of that setup and the step's
``rules`` (``clfcore.teaching.observations``) turn its history into what to notice. The course's
lessons themselves are in ``clfcore.teaching.course_lessons``.

    >>> train_config(Setup(("digits",), "mlp", settings={"epochs": 10}), "digits").epochs
    10
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from clfcore.config import TrainConfig
from clfcore.data import datasets
from clfcore.data.augment import COURSE_DEFAULTS, settings_for_run
from clfcore.models.architectures import get_architecture
from clfcore.runs.folder import RunFolder, read_json
from clfcore.runs.listing import FINISHED, RunSummary
from clfcore.teaching.observations import RunRecord
from clfcore.workspace import access
from clfcore.workspace.workspace import Workspace

# the TrainConfig fields the Model page chooses (the rest are the Train page's, or the split's)
MODEL_FIELDS = (
    "architecture",
    "arch_options",
    "optimizer",
    "learning_rate",
    "batch_size",
    "epochs",
    "momentum",
    "one_hot",
    "lr_schedule",
)
SPLIT_FIELDS = ("validation_split", "train_size", "seed")


@dataclass(frozen=True)
class Setup:
    """How the app is set up for a step: dataset, architecture, settings, augmentation."""

    datasets: tuple[str, ...]  # dataset ids, best first: the first on this machine is used
    architecture: str = "mlp"
    arch_options: dict[str, Any] = field(default_factory=dict, hash=False)  # over its defaults
    settings: dict[str, Any] = field(default_factory=dict, hash=False)  # other TrainConfig fields
    augment: bool = False  # the course's augmentation (clfcore.data.augment.COURSE_DEFAULTS)


@dataclass(frozen=True)
class Step:
    """One thing to do in a lesson."""

    id: str
    title: str
    what: str  # what to do
    why: str  # why it matters
    setup: Setup | None = None  # None: nothing to set up (the button only opens ``page``)
    page: str = "train"  # the page to go to: app_pages/<page>.py
    notice: str = ""  # what to look at; shown before a run exists and beside its numbers
    rules: tuple[str, ...] = ()  # observations on the student's run of ``setup``
    compare: Setup | None = None  # the other run the paired rules compare with
    formulas: tuple[tuple[str, str], ...] = ()  # (name msgid, LaTeX)
    tool: str = ""  # a widget the page draws with the step: "metrics_calculator"

    @property
    def ticks_itself(self) -> bool:
        """Whether a finished run of its setup marks the step done (steps that ask for a run)."""
        return self.setup is not None and bool(self.rules)


@dataclass(frozen=True)
class Lesson:
    id: str
    title: str
    summary: str
    steps: tuple[Step, ...]


@dataclass(frozen=True)
class DatasetChoice:
    """The dataset a setup uses on this machine."""

    dataset: str | None  # None: none of the setup's datasets is here
    wanted: str  # the setup's first choice

    @property
    def substitute(self) -> bool:
        """A dataset other than the lesson's first choice stands in for it."""
        return self.dataset is not None and self.dataset != self.wanted


def _available(dataset_id: str) -> bool:
    return datasets.availability(dataset_id).available


def choose_dataset(setup: Setup, *, available: Callable[[str], bool] = _available) -> DatasetChoice:
    """The first of ``setup.datasets`` that ``available`` accepts (default: on this machine)."""
    found = next((d for d in setup.datasets if available(d)), None)
    return DatasetChoice(found, setup.datasets[0])


def train_config(setup: Setup, dataset: str) -> TrainConfig:
    """The TrainConfig of ``setup`` on ``dataset``: the architecture's preset, then the setup's
    settings. Raises UserInputError if the setup is not valid."""
    arch = get_architecture(setup.architecture)
    info = datasets.get_dataset(dataset)
    return TrainConfig.for_architecture(
        arch.id,
        dataset=dataset,
        task=info.task,
        arch_options={**arch.options, **setup.arch_options},
        augmentation=settings_for_run(COURSE_DEFAULTS, enabled=setup.augment),
        **setup.settings,
    )


def split_choices(config: TrainConfig) -> dict[str, dict[str, Any]]:
    """``config`` cut the way the app keeps its choices: the Model page's, the split's and the
    Train page's (TrainConfig field names; augmentation is the Augment page's own)."""
    values = config.to_json()
    model = {k: values[k] for k in MODEL_FIELDS}
    split = {k: values[k] for k in SPLIT_FIELDS}
    rest = set(values) - set(MODEL_FIELDS) - set(SPLIT_FIELDS) - {"dataset", "task", "augmentation"}
    return {"model": model, "split": split, "training": {k: values[k] for k in sorted(rest)}}


def matches(setup: Setup, config: dict) -> bool:
    """Whether a run's config.json is a run of ``setup``: one of its datasets, its architecture,
    its training-set size, with or without augmentation as it says. Epochs and the other settings
    may differ (a student who trained longer still did the step)."""
    return (
        config.get("dataset") in setup.datasets
        and config.get("architecture") == setup.architecture
        and config.get("train_size") == setup.settings.get("train_size")
        and bool(config.get("augmentation")) == setup.augment
    )


def latest_run(
    workspace: Workspace, setup: Setup, *, dataset: str | None = None
) -> RunSummary | None:
    """The newest finished run of ``setup`` among the workspace's own runs (on ``dataset`` only,
    when given), or None."""
    for run in access.own_runs(workspace):  # newest first
        if run.status not in FINISHED:
            continue
        config = read_json(run.path / "config.json")
        if matches(setup, config) and (dataset is None or config.get("dataset") == dataset):
            return run
    return None


def record(run: RunSummary) -> RunRecord:
    """What the observation rules read of ``run``."""
    folder = RunFolder(run.path)
    return RunRecord(tuple(folder.history()), folder.metrics(), run.task)
