"""Augmentation: the course's transforms and their defaults, for the chosen dataset."""

import pandas as pd
import streamlit as st

from ui.lang import t
from ui.widgets import chosen_dataset_caption

st.title(t("Data augmentation"))
chosen_dataset_caption()
st.markdown(
    t(
        "Data augmentation shows the network slightly changed copies of the training images (rotated, shifted, "
        "zoomed, flipped) so that it learns the object and not the exact pixels. It is applied to the training "
        "images only, never to validation or test images, and it usually narrows the gap between training and "
        "validation accuracy."
    )
)
st.subheader(t("The course's settings (CIFAR-10 practice)"))
st.dataframe(
    pd.DataFrame(
        [
            {t("Transform"): t("Rotation"), t("Course value"): "rotation_range=10", t("Effect"): t("turns the image up to 10 degrees either way")},
            {t("Transform"): t("Horizontal shift"), t("Course value"): "width_shift_range=0.1", t("Effect"): t("moves it up to 10 % of its width")},
            {t("Transform"): t("Vertical shift"), t("Course value"): "height_shift_range=0.1", t("Effect"): t("moves it up to 10 % of its height")},
            {t("Transform"): t("Zoom"), t("Course value"): "zoom_range=0.1-0.2", t("Effect"): t("zooms in or out by 10-20 %")},
            {t("Transform"): t("Horizontal flip"), t("Course value"): "horizontal_flip=True", t("Effect"): t("mirrors it left to right")},
        ]
    ),
    hide_index=True,
    width="stretch",
)
st.info(
    t("Sliders for every transform with a live preview grid are the next feature of this page. Until then, runs train without augmentation."),
    icon=":material/info:",
)
