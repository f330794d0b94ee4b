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


