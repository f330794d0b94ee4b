"""Convolution lab: one image, one kernel, the output feature map and the output-size rule; the
window one position at a time (CNN Explainer's elastic view); pooling; a 1-D convolution.

The numbers come from the Keras layers a model uses (clfcore.teaching.convolution)."""

import numpy as np
import pandas as pd
import streamlit as st

from clfcore.data import datasets
from clfcore.errors import UserInputError
from clfcore.i18n import N_
from clfcore.teaching import convolution as conv
from ui import conv_views, state
from ui.lang import t, translator
from ui.widgets import show_error

SOURCES = {
    "dataset": N_("A dataset image"),
    "example": N_("A small example"),
    "upload": N_("Your image"),
}
CHANNELS = {None: N_("grayscale"), 0: N_("red"), 1: N_("green"), 2: N_("blue")}
OWN = "own"
PADDINGS = {
    "valid": N_("valid (no zeros)"),
    "same": N_("same (output as large as the input, with stride 1)"),
    "number": N_("a number P of zeros on every side"),
}


def _dataset_image() -> np.ndarray | None:
    info = datasets.get_dataset(state.dataset_id())
    try:
        raw = datasets.load_raw(info.id)
    except UserInputError as error:
        show_error(error)
        st.caption(t("Choose 'A small example' or 'Your image' instead."))
        return None
    c1, c2 = st.columns(2)
    number = c1.number_input(
        t("Image number in {name}'s training images", name=info.name),
        0,
        len(raw.x_train) - 1,
        key="conv_sample",
    )
    channel = None
    if info.channels == 3:
        channel = c2.selectbox(
            t("Channel"),
            list(CHANNELS),
            key="conv_channel",
            format_func=lambda c, tr=translator(): tr(CHANNELS[c]),
        )
    label = raw.y_train[number]
    st.caption(
        t(
            "Class: {name}. Pixels divided by 255, as the network sees them.",
            name=t(info.class_names[label]) if np.ndim(label) == 0 else "-",
        )
    )
    return conv.one_channel(raw.x_train[number], channel=channel)


def _image() -> np.ndarray | None:
    source = st.radio(
        t("Image"),
        list(SOURCES),
        horizontal=True,
        key="conv_source",
        format_func=lambda s, tr=translator(): tr(SOURCES[s]),
    )
    if source == "dataset":
        return _dataset_image()
    if source == "example":
        name = st.selectbox(
            t("Example"),
            list(conv.SYNTHETIC),
            key="conv_example",
            format_func=lambda s, tr=translator(): tr(conv.SYNTHETIC[s]),
        )
        return conv.synthetic_image(name)
    upload = st.file_uploader(
        t("Your image"),
        help=t(
            "Any photo or drawing; it is reduced to at most {side} pixels a side, in grayscale.",
            side=conv.MAX_SIDE,
        ),
        key="conv_upload",
    )
    if upload is None:
        st.info(t("Upload an image to convolve it."), icon=":material/upload:")
        return None
    try:
        return conv.image_from_file(upload.getvalue(), name=upload.name)
    except UserInputError as error:
        show_error(error)
        return None


def _own_kernel() -> np.ndarray:
    size = st.radio(t("Kernel size"), conv.KERNEL_SIZES, horizontal=True, key="conv_own_size")
    start = pd.DataFrame(
        np.pad([[1.0]], size // 2),  # the identity: change any cell
        columns=[str(c + 1) for c in range(size)],
    )
    edited = st.data_editor(start, key=f"conv_own_{size}", hide_index=True, num_rows="fixed")
    return conv.check_kernel(edited.to_numpy(dtype=object).tolist())


def _kernel() -> np.ndarray:
    choice = st.selectbox(
        t("Kernel"),
        [*conv.KERNELS, OWN],
        key="conv_kernel",
        format_func=lambda k, tr=translator(): (
            tr("Your own 3x3 or 5x5") if k == OWN else tr(conv.KERNELS[k][0])
        ),
    )
    if choice == OWN:
        return _own_kernel()
    return conv.kernel_named(choice)


def _padding(key: str) -> str | int:
    mode = st.selectbox(
        t("Padding"),
        list(PADDINGS),
        key=key,
        format_func=lambda p, tr=translator(): tr(PADDINGS[p]),
    )
    if mode != "number":
        return mode
    return int(st.number_input(t("P (zeros on each side)"), 0, conv.MAX_PADDING, 1, key=f"{key}_p"))


def _rules(result) -> None:
    rules = result.rules() if hasattr(result, "rules") else [result.rule()]
    st.markdown(t("**Output size**: {rules}", rules="; ".join(f"`{rule}`" for rule in rules)))


def _convolution(image: np.ndarray) -> None:
    c1, c2, c3 = st.columns([2, 1, 2])
    with c1:
        try:
            kernel = _kernel()
        except UserInputError as error:
            show_error(error)
            return
    stride = c2.slider(t("Stride"), 1, conv.MAX_STRIDE, 1, key="conv_stride")
    with c3:
        padding = _padding("conv_padding")
    st.caption(
        t(
            "The rule of the course: W' = (W - K + 2P) / S + 1, rounded down, for a W-pixel "
            "side, a KxK kernel, P zeros of padding on each side and a stride S."
        )
    )
    try:
        result = conv_views.convolved(image, kernel, stride, padding)
    except UserInputError as error:
        show_error(error)
        return
    _rules(result)
    conv_views.step_view_2d(result, key="conv_step")
    with st.expander(t("The Keras 3 code"), icon=":material/code:"):
        keras_padding = "same" if padding == "same" else "valid"
        pad = (
            ""
            if padding in ("valid", "same")
            else f"x = np.pad(x, [(0, 0), ({padding},) * 2, ({padding},) * 2, (0, 0)])\n"
        )
        st.code(
            f"layer = keras.layers.Conv2D(1, {kernel.shape}, strides={stride}, "
            f'padding="{keras_padding}", use_bias=False)\n'
            f"layer.build((1, H, W, 1))\n"
            f"layer.set_weights([kernel[:, :, None, None]])\n"
            f"{pad}feature_map = layer(x)  # x: (1, H, W, 1)",
            language="python",
        )


def _pooling(image: np.ndarray) -> None:
    c1, c2, c3 = st.columns(3)
    kind = c1.radio(
        t("Pooling"),
        list(conv.POOL_KINDS),
        key="conv_pool_kind",
        horizontal=True,
        format_func=lambda k, tr=translator(): tr(conv.POOL_KINDS[k]),
    )
    size = c2.slider(t("Pool size"), 2, 5, 2, key="conv_pool_size")
    stride = c3.slider(
        t("Stride"),
        1,
        conv.MAX_STRIDE,
        2,
        key="conv_pool_stride",
        help=t("Keras's default (strides=None) is the pool size."),
    )
    try:
        result = conv_views.pooled(image, kind, size, stride)
    except UserInputError as error:
        show_error(error)
        return
    st.caption(t("The rule for pooling (no padding): W' = (W - K) / S + 1, rounded down."))
    _rules(result)
    conv_views.step_view_2d(result, key="conv_pool_step")


def _one_d() -> None:
    st.caption(
        t(
            "The course starts here: the weights w move along the sequence s, and each "
            "position gives c[k] = s[k]·w[0] + s[k+1]·w[1] + ... (keras.layers.Conv1D)."
        )
    )
    c1, c2 = st.columns([3, 2])
    sequence_text = c1.text_input(
        t("Sequence s"), ", ".join(f"{v:g}" for v in conv.SEQUENCE), key="conv1d_sequence"
    )
    weights_text = c2.text_input(
        t("Weights w"), ", ".join(f"{v:g}" for v in conv.WEIGHTS_1D), key="conv1d_weights"
    )
    c3, c4 = st.columns(2)
    stride = c3.slider(t("Stride"), 1, conv.MAX_STRIDE, 1, key="conv1d_stride")
    with c4:
        padding = _padding("conv1d_padding")
    try:
        sequence = conv.parse_numbers(sequence_text)
        weights = conv.parse_numbers(weights_text)
        result = conv_views.convolved_1d(sequence, weights, stride, padding)
    except UserInputError as error:
        show_error(error)
        return
    _rules(result)
    conv_views.step_view_1d(result, key="conv1d_step")


st.title(t("Convolution lab"))
st.caption(
    t(
        "A kernel slides over the image; at each position the covered pixels are multiplied by "
        "the kernel's numbers and summed into one cell of the output feature map. The numbers "
        "come from the same Keras layers a model uses."
    )
)
image = _image()
# only the open tab runs: a slider move redraws one view, not three
convolution_tab, pooling_tab, one_d_tab = st.tabs(
    [t("2-D convolution"), t("Pooling"), t("1-D convolution")], key="conv_tab", on_change="rerun"
)
with convolution_tab:
    if convolution_tab.open and image is not None:
        _convolution(image)
with pooling_tab:
    if pooling_tab.open and image is not None:
        _pooling(image)
with one_d_tab:
    if one_d_tab.open:
        _one_d()
