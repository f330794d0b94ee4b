"""The choices a user makes on one page and other pages read: kept for the browser session.

Values live under plain (non-widget) session keys, because Streamlit forgets a widget's key when
the user moves to a page that does not draw that widget.
"""

from __future__ import annotations

import streamlit as st

from clfcore.data import datasets
from clfcore.data.splits import SplitConfig
from clfcore.workspace import access
from ui import experiment_link, session

_DATASET = "chosen_dataset"
_SPLIT = "chosen_split"


def dataset_id() -> str:
    """The dataset chosen in this session (default: the best one available on this machine)."""
    chosen = st.session_state.get(_DATASET)
    if chosen is None:
        chosen = st.session_state[_DATASET] = datasets.default_dataset_id()
    return chosen


def set_dataset_id(value: str) -> None:
    """Choose the dataset ``value`` for this session. Raises DatasetError for an unknown id or one
    in someone else's workspace (``clfcore.workspace.access.check_dataset``)."""
    access.check_dataset(session.workspace(), value)
    info = datasets.get_dataset(value)  # refuses unknown ids with a DatasetError
    st.session_state[_DATASET] = value
    # an imported dataset brings its own split (its dataset.json)
    if info.validation_split is not None:
        old = split_config()
        seed = info.seed if info.seed is not None else old.seed
        st.session_state[_SPLIT] = SplitConfig(
            validation_split=info.validation_split, seed=seed, one_hot=old.one_hot
        )
    experiment_link.sync()  # every setter of the experiment keeps it in the URL


def split_config() -> SplitConfig:
    """How the chosen dataset is split into train / validation (the course's 20 % by default)."""
    return st.session_state.get(_SPLIT) or SplitConfig()


def set_split_config(config: SplitConfig) -> None:
    st.session_state[_SPLIT] = config
    experiment_link.sync()


_MODEL = "chosen_model"
_TRAINING = "chosen_training"
_FOLLOWED = "followed_run"


def model_choice() -> dict:
    """Architecture, its options and the optimizer settings chosen on the Model page."""
    from clfcore.config import TrainConfig
    from clfcore.models.architectures import get_architecture

    choice = st.session_state.get(_MODEL)
    if choice is None:
        arch = get_architecture("mlp")
        defaults = TrainConfig.for_architecture(arch.id)
        choice = {
            "architecture": arch.id,
            "arch_options": dict(arch.options),
            "one_hot": defaults.one_hot,
            "momentum": defaults.momentum,
            **arch.preset,
        }
        st.session_state[_MODEL] = choice
    return dict(choice)


def chosen(choice: dict, key: str):
    """``choice[key]``, or TrainConfig's default for ``key`` when nothing was chosen yet.

    The default includes the chosen architecture's preset (``TrainConfig.for_architecture``), so a
    widget starts where a run with no choice would, and a default is written once, in TrainConfig.

        >>> chosen({}, "early_stopping_patience")   # TrainConfig.early_stopping_patience
        3
    """
    if key in choice:
        return choice[key]
    from clfcore.config import TrainConfig

    return getattr(TrainConfig.for_architecture(model_choice()["architecture"]), key)


def set_model_choice(choice: dict) -> None:
    st.session_state[_MODEL] = dict(choice)
    experiment_link.sync()


def training_choice() -> dict:
    """Callbacks and options chosen on the Train page, plus the Augment page's augmentation
    (TrainConfig field names)."""
    return {**(st.session_state.get(_TRAINING) or {}), "augmentation": augmentation_settings()}


def set_training_choice(choice: dict) -> None:
    # the augmentation's one source is the Augment page's choice (augment_choice), not a copy kept
    # here
    st.session_state[_TRAINING] = {k: v for k, v in choice.items() if k != "augmentation"}
    experiment_link.sync()


def train_config(**extra):
    """The TrainConfig for everything chosen so far in this session. Raises UserInputError if
    invalid."""
    from clfcore.config import TrainConfig

    split = split_config()
    return TrainConfig(
        dataset=dataset_id(),
        task=datasets.get_dataset(
            dataset_id()
        ).task,  # recorded in config.json; the trainer checks it
        validation_split=split.validation_split,
        train_size=split.train_size,
        seed=split.seed,
        **{**model_choice(), **training_choice(), **extra},
    )


def followed_run() -> str | None:
    """The run this browser session started last (the Train page follows it)."""
    return st.session_state.get(_FOLLOWED)


def follow_run(run_id: str | None) -> None:
    st.session_state[_FOLLOWED] = run_id


_EVALUATED = "evaluated_run"


def evaluated_run() -> str | None:
    """The run chosen on the Evaluate page (or sent there from the Runs page)."""
    return st.session_state.get(_EVALUATED)


def set_evaluated_run(run_id: str | None) -> None:
    st.session_state[_EVALUATED] = run_id


_AUGMENT = "chosen_augmentation"


def augment_choice():
    """The Augment page's settings (``clfcore.data.augment.AugmentConfig``; the course's by default)
    and whether training uses them."""
    from clfcore.data.augment import COURSE_DEFAULTS

    chosen = st.session_state.get(_AUGMENT)
    if chosen is None:
        chosen = st.session_state[_AUGMENT] = (COURSE_DEFAULTS, False)
    return chosen


def set_augment_choice(config, enabled: bool) -> None:
    st.session_state[_AUGMENT] = (config, bool(enabled))
    experiment_link.sync()


def augmentation_settings() -> dict:
    """What ``TrainConfig.augmentation`` gets: every setting when augmentation is on, else
    ``{}``."""
    from clfcore.data.augment import settings_for_run

    config, enabled = augment_choice()
    return settings_for_run(config, enabled=enabled)
