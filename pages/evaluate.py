"""Evaluate: learning curves, confusion matrix and per-class metrics of a finished run."""

import streamlit as st

from ui.lang import t
from ui.widgets import finished_runs_or_prompt

st.title(t("Evaluate"))
st.markdown(t("Learning curves, the confusion matrix, precision, recall and F1 per class, and Grad-CAM for a trained model."))
runs = finished_runs_or_prompt()
if runs:
    st.selectbox(t("Run"), [run.run_id for run in runs])
