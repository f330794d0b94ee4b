"""Classify: a trained model's prediction for an uploaded photo, a camera shot or a drawing."""

import streamlit as st

from ui.lang import t
from ui.widgets import finished_runs_or_prompt

st.title(t("Classify your own image"))
st.markdown(t("Upload a photo, take one with the camera or draw a digit, and see what a trained model predicts."))
if finished_runs_or_prompt():
    st.info(t("Classifying your own images with a trained run is the next feature of this page."), icon=":material/info:")
