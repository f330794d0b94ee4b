"""Train: what will be trained, and the run that trains it."""

import streamlit as st

from clfcore import datasets
from ui import state
from ui.lang import t
from ui.widgets import chosen_dataset_caption, needs_first

st.title(t("Train"))
st.subheader(t("What will be trained"))
chosen_dataset_caption()
split = state.split_config()
info = datasets.get_dataset(state.dataset_id())
st.markdown(
    t(
        "Split: {val:.0%} of the training images for validation, {subset}, seed {seed}.",
        val=split.validation_split,
        subset=t("all training images") if split.train_size is None else t("a subset of {n} images", n=split.train_size),
        seed=split.seed,
    )
)
if not datasets.availability(info.id).available:
    needs_first(
        t("{name} is not on this machine yet: download it on the Dataset page or pick another dataset.", name=info.name),
        "pages/dataset.py",
        t("Go to Dataset"),
        ":material/photo_library:",
    )
needs_first(
    t("Training needs a model: choose an architecture and its settings on the Model page first."),
    "pages/model.py",
    t("Go to Model"),
    ":material/account_tree:",
)
