"""Model: the architecture to train and its settings."""

import streamlit as st

from ui.lang import t
from ui.widgets import chosen_dataset_caption

st.title(t("Model"))
chosen_dataset_caption()
st.markdown(
    t(
        "A convolution layer slides small filters over the image; each output size follows the rule below "
        "(W = input size, K = kernel size, P = padding, S = stride):"
    )
)
st.latex(r"W' = \frac{W - K + 2P}{S} + 1")
st.info(
    t(
        "Choosing an architecture (the course's MLP, LeNet and CIFAR CNNs, or your own stack of layers) with its "
        "live summary and Keras code is the next feature of this page."
    ),
    icon=":material/info:",
)
