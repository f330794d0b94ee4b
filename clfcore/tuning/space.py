"""What a study may search, and how one trial's choices become a ``TrainConfig``: the one home of
the search-space rule (the CLI, the driver and the Tune page all ask it).

    >>> space = SearchSpace(names=("lr", "batch_size"))
    >>> trial_config(TrainConfig(), {"lr": 0.01, "batch_size": 64}).batch_size
    64

Each name is one Optuna distribution: the learning rate on a log range, the batch size, optimizer
and units from a list, dropout on a linear range and the epochs as an integer range.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from clfcore.config import OPTIMIZERS, TrainConfig
from clfcore.errors import UserInputError
from clfcore.i18n import N_
from clfcore.models.architectures import get_architecture

# name -> what the Tune page calls it (the CLI's --search takes the names)
SEARCHABLE: dict[str, str] = {
    "lr": N_("learning rate"),
    "batch_size": N_("batch size"),
    "optimizer": N_("optimizer"),
    "dropout": N_("dropout"),
    "units": N_("units"),
    "epochs": N_("epochs"),
}
# the builder option each searchable architecture option is, in the order it is looked for
_ARCH_OPTIONS = {"dropout": ("dropout",), "units": ("units", "dense_units")}


@dataclass(frozen=True)
class SearchSpace:
    """Which settings a study searches, and over what. Plain types only, so it is JSON."""

    names: tuple[str, ...] = ("lr",)  # keys of SEARCHABLE
    lr_low: float = 1e-4  # the learning rate is drawn log-uniformly from [lr_low, lr_high]
    lr_high: float = 1e-1
    batch_sizes: tuple[int, ...] = (32, 64, 128, 256)
    optimizers: tuple[str, ...] = ("adam", "rmsprop", "sgd")
    dropout_low: float = 0.0  # dropout rate, uniform in [dropout_low, dropout_high]
    dropout_high: float = 0.5
    units: tuple[int, ...] = (64, 128, 256, 512)  # hidden units (MLP) or dense head units
    epochs_low: int = 2
    epochs_high: int = 10

    def __post_init__(self) -> None:
        # JSON brings lists: keep tuples, so the space stays hashable
        for name in ("names", "batch_sizes", "optimizers", "units"):
            object.__setattr__(self, name, tuple(getattr(self, name)))
        if not self.names:
            raise UserInputError(
                "Choose at least one setting to search: {known}.", known=", ".join(SEARCHABLE)
            )
        unknown = [name for name in self.names if name not in SEARCHABLE]
        if unknown:
            raise UserInputError(
                "Unknown setting to search {value!r}. Choose from: {known}.",
                value=unknown[0],
                known=", ".join(SEARCHABLE),
            )
        if not 0 < self.lr_low < self.lr_high:
            raise UserInputError(
                "The learning-rate range must be 0 < low < high, got {low} to {high}. "
                "For example 0.0001 to 0.1.",
                low=self.lr_low,
                high=self.lr_high,
            )
        if not 0 <= self.dropout_low <= self.dropout_high < 1:
            raise UserInputError(
                "The dropout range must be 0 <= low <= high < 1, got {low} to {high}.",
                low=self.dropout_low,
                high=self.dropout_high,
            )
        if not 1 <= self.epochs_low <= self.epochs_high:
            raise UserInputError(
                "The epochs range must be 1 <= low <= high, got {low} to {high}.",
                low=self.epochs_low,
                high=self.epochs_high,
            )
        for name, values in (("batch_sizes", self.batch_sizes), ("units", self.units)):
            if not values or min(values) < 1:
                raise UserInputError(
                    "The {name} to try must be one or more positive whole numbers, got {values}.",
                    name=name,
                    values=list(values),
                )
        bad = [name for name in self.optimizers if name not in OPTIMIZERS]
        if not self.optimizers or bad:
            raise UserInputError(
                "The optimizers to try must be some of: {known}, got {values}.",
                known=", ".join(OPTIMIZERS),
                values=list(self.optimizers),
            )

    def to_json(self) -> dict[str, Any]:
        return {k: list(v) if isinstance(v, tuple) else v for k, v in self.__dict__.items()}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> SearchSpace:
        names = {f.name for f in dataclasses.fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in names})


def parse_names(text: str) -> tuple[str, ...]:
    """``--search lr,batch_size``: the names, checked (SearchSpace refuses unknown ones)."""
    names = tuple(part.strip() for part in text.split(",") if part.strip())
    return SearchSpace(names=names).names


def arch_option(architecture: str, name: str) -> str:
    """The builder option of ``architecture`` that searching ``name`` (dropout, units) changes.

    Raises:
        UserInputError: the architecture has no such option (e.g. dropout of LeNet).
    """
    options = get_architecture(architecture).options
    for option in _ARCH_OPTIONS[name]:
        if option in options:
            return option
    raise UserInputError(
        "The {arch} architecture has no {name} setting to search. Leave {name} out of the "
        "search, or choose the MLP or a transfer-learning model.",
        arch=architecture,
        name=name,
    )


def check_space(space: SearchSpace, base: TrainConfig) -> None:
    """Refuse a space that cannot apply to ``base`` (an option its architecture lacks)."""
    for name in space.names:
        if name in _ARCH_OPTIONS:
            arch_option(base.architecture, name)


def suggest(trial, space: SearchSpace) -> dict[str, Any]:
    """One trial's choices, drawn through the Optuna ``trial`` (its sampler decides)."""
    draw = {
        "lr": lambda: trial.suggest_float("lr", space.lr_low, space.lr_high, log=True),
        "batch_size": lambda: trial.suggest_categorical("batch_size", list(space.batch_sizes)),
        "optimizer": lambda: trial.suggest_categorical("optimizer", list(space.optimizers)),
        "dropout": lambda: trial.suggest_float("dropout", space.dropout_low, space.dropout_high),
        "units": lambda: trial.suggest_categorical("units", list(space.units)),
        "epochs": lambda: trial.suggest_int("epochs", space.epochs_low, space.epochs_high),
    }
    return {name: draw[name]() for name in space.names}


def trial_config(base: TrainConfig, params: dict[str, Any], *, run_name: str = "") -> TrainConfig:
    """``base`` with a trial's ``params`` (names of SEARCHABLE) set; also what "Train with the best
    settings" trains."""
    changes: dict[str, Any] = {}
    options = dict(base.arch_options)
    for name, value in params.items():
        if name == "lr":
            changes["learning_rate"] = float(value)
        elif name in ("batch_size", "epochs"):
            changes[name] = int(value)
        elif name == "optimizer":
            changes["optimizer"] = str(value)
        elif name in _ARCH_OPTIONS:
            options[arch_option(base.architecture, name)] = (
                float(value) if name == "dropout" else int(value)
            )
    if run_name:
        changes["run_name"] = run_name
    return base.replace(arch_options=options, **changes)
