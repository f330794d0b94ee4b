"""Runs: every training run saved on this server."""

import pandas as pd
import streamlit as st

from clfcore import runs
from clfcore.paths import runs_root
from ui.lang import t
from ui.widgets import needs_first, translated_status

st.title(t("Runs"))
st.caption(t("Every training run is a folder in {root}.", root=str(runs_root())))
saved = runs.list_runs()
if not saved:
    needs_first(t("No training runs yet. Train a first model to see it here."), "app_pages/train.py", t("Go to Train"), ":material/model_training:")
else:
    st.dataframe(
        pd.DataFrame(
            {
                t("Run"): [run.name or run.run_id for run in saved],
                t("Status"): [translated_status(run.status) for run in saved],
                t("Dataset"): [run.dataset for run in saved],
                t("Architecture"): [run.architecture for run in saved],
                t("Parameters"): [run.total_params for run in saved],
                t("Training time (s)"): [run.train_seconds for run in saved],
                t("Test accuracy"): [run.test_accuracy for run in saved],
                t("Created"): [run.created for run in saved],
            }
        ),
        hide_index=True,
        width="stretch",
        column_config={t("Test accuracy"): st.column_config.NumberColumn(format="percent")},
    )
    if any(run.status in runs.ACTIVE for run in saved):
        st.page_link("app_pages/train.py", label=t("Follow the runs in progress on the Train page"), icon=":material/model_training:")
