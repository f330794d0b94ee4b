"""The choices a user makes on one page and other pages read: kept for the browser session.

Values live under plain (non-widget) session keys, because Streamlit forgets a widget's key when
the user moves to a page that does not draw that widget.
"""

from __future__ import annotations

import streamlit as st

from clfcore import datasets
from clfcore.splits import SplitConfig

_DATASET = "chosen_dataset"
_SPLIT = "chosen_split"


def dataset_id() -> str:
    """The dataset chosen in this session (default: the best one available on this machine)."""
    chosen = st.session_state.get(_DATASET)
    if chosen is None:
        chosen = st.session_state[_DATASET] = datasets.default_dataset_id()
    return chosen


def set_dataset_id(value: str) -> None:
    datasets.get_dataset(value)  # refuses unknown ids with a DatasetError
    st.session_state[_DATASET] = value


def split_config() -> SplitConfig:
    """How the chosen dataset is split into train / validation (the course's 20 % by default)."""
    return st.session_state.get(_SPLIT) or SplitConfig()


def set_split_config(config: SplitConfig) -> None:
    st.session_state[_SPLIT] = config




_MODEL = "chosen_model"
_TRAINING = "chosen_training"
_FOLLOWED = "followed_run"


def model_choice() -> dict:
    """Architecture, its options and the optimizer settings chosen on the Model page."""
    from clfcore.architectures import get_architecture

    choice = st.session_state.get(_MODEL)
    if choice is None:
        arch = get_architecture("mlp")
        choice = {"architecture": arch.id, "arch_options": dict(arch.options), "one_hot": True, "momentum": 0.9, **arch.preset}
        st.session_state[_MODEL] = choice
    return dict(choice)


def set_model_choice(choice: dict) -> None:
    st.session_state[_MODEL] = dict(choice)


def training_choice() -> dict:
    """Callbacks and options chosen on the Train page (TrainConfig field names)."""
    return dict(st.session_state.get(_TRAINING) or {})


def set_training_choice(choice: dict) -> None:
    st.session_state[_TRAINING] = dict(choice)


def train_config(**extra):
    """The TrainConfig for everything chosen so far in this session. Raises UserInputError if invalid."""
    from clfcore.config import TrainConfig

    split = split_config()
    return TrainConfig(
        dataset=dataset_id(),
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
