"""Tune: search the model's settings with Optuna - what to search, how many trials, Start; then the
study's live figures and trials, and "Train with the best settings"."""

import contextlib

import streamlit as st

from clfcore import jobs
from clfcore.errors import UserInputError
from clfcore.tuning import study
from ui import session, state, tune_views
from ui.lang import t
from ui.widgets import chosen_dataset_caption, show_error

st.title(t("Tune"))
workspace = session.workspace()
try:  # trial runs queue with every training: start those whose slot freed
    jobs.dispatch(workspace.runs_dir)
except UserInputError as error:  # e.g. CLFCORE_JOBS=ray and the cluster is unreachable
    show_error(error)
st.caption(
    t(
        "Optuna's TPE sampler proposes settings, each trial trains as a run of its own, and a "
        "median pruner stops the trials that fall behind. The settings not searched are the "
        "Model and Train pages' ones."
    )
)
chosen_dataset_caption()
try:
    base = state.train_config()
except UserInputError as error:
    show_error(error)
    st.stop()
with contextlib.suppress(UserInputError):  # a backend that cannot start was shown above
    jobs.prewarm(base, root=workspace.runs_dir)  # the first trial finds a training process loaded
st.subheader(t("What to search"))
tune_views.start_button(base)

names = study.list_studies(workspace.runs_dir)
if not names:
    st.stop()
st.divider()
followed = tune_views.followed_study()
shown = st.selectbox(
    t("Study"),
    names,
    index=names.index(followed) if followed in names else 0,
    key=f"tune_study_{followed}",
)
tune_views.follow_study(shown)
tune_views.show_study(shown)
