"""Evaluate: learning curves, confusion matrix and per-class metrics of a finished run."""

import streamlit as st

from ui.lang import t
from ui.widgets import finished_runs_or_prompt

st.title(t("Evaluate"))
st.markdown(t("Learning curves, the confusion matrix, precision, recall and F1 per class, and Grad-CAM for a trained model."))
if finished_runs_or_prompt():
    st.info(t("Evaluating a run (curves, confusion matrix, per-class metrics) is the next feature of this page."), icon=":material/info:")
