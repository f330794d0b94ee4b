"""Model: the architecture and its settings, its live summary, the loss it trains with, its Keras
code."""

import pandas as pd
import streamlit as st

from clfcore import experiment
from clfcore.config import OPTIMIZER_SPECS, OPTIMIZERS, TrainConfig
from clfcore.data import datasets
from clfcore.errors import UserInputError
from clfcore.export import codegen
from clfcore.models import architectures
from ui import lr_find_views, state, task_views
from ui.lang import current, number, t, translator
from ui.model_options import options_for
from ui.widgets import chosen_dataset_caption, controlled, show_error

LOSS_FORMULAS = {
    "binary_crossentropy": r"\mathcal{L} = -\frac{1}{n}\sum_{i=1}^{n}\left[y_i \log \hat{y}_i "
    r"+ (1-y_i)\log(1-\hat{y}_i)\right]",
    "categorical_crossentropy": r"\mathcal{L} = -\frac{1}{n}\sum_{i=1}^{n}\sum_{j=1}^{K} "
    r"t_{ij}\log y_{ij}",
    "sparse_categorical_crossentropy": r"\mathcal{L} = -\frac{1}{n}\sum_{i=1}^{n}\log y_{i,c_i}",
    # hierarchical: the two heads' cross-entropies, weighted and summed
    "hierarchical": r"\mathcal{L} = \lambda_{c}\,\mathcal{L}_{\text{coarse}} + "
    r"\lambda_{f}\,\mathcal{L}_{\text{fine}},\quad "
    r"\mathcal{L}_{\text{level}} = -\frac{1}{n}\sum_{i=1}^{n}\log y_{i,c_i}^{\text{level}}",
}
ACTIVATION_FORMULAS = {
    "softmax": r"y_j = \frac{e^{z_j}}{\sum_{k=1}^{K} e^{z_k}}",
    "sigmoid": r"y = \frac{1}{1 + e^{-z}}",
}


@st.cache_data(show_spinner=False, max_entries=32)
def _describe(
    arch_id: str,
    shape: tuple,
    num_classes: int,
    task: str,
    options_json: str,
    coarse_classes: int = 0,
) -> dict:
    import json

    return architectures.describe(
        arch_id,
        shape,
        num_classes,
        task=task,
        options=json.loads(options_json),
        coarse_classes=coarse_classes or None,
    )


def _pick_architecture(choice: dict) -> architectures.Architecture:
    archs = {arch.id: arch for arch in architectures.list_architectures()}
    arch_id = controlled(
        st.selectbox,
        t("Architecture"),
        list(archs),
        key="model_architecture",
        value=choice["architecture"],
        format_func=lambda a, tr=translator(): tr(archs[a].name),
    )
    arch = archs[arch_id]
    st.markdown(t(arch.summary))
    source = t("Source")  # outside the f-string, where pybabel extract finds it
    st.caption(f"{source}: {arch.cited_source(current())}")
    if arch_id != choice["architecture"]:  # a new architecture starts from its own preset
        choice.update(
            {
                "lr_schedule": TrainConfig.lr_schedule,  # presets that set none keep the default
                **arch.preset,
                "architecture": arch_id,
                "arch_options": dict(arch.options),
            }
        )
        state.set_training_choice(
            {k: v for k, v in state.training_choice().items() if k != "lr_schedule"}
        )
    return arch


def _settings(choice: dict) -> None:
    c1, c2, c3, c4 = st.columns(4)
    choice["optimizer"] = controlled(
        c1.selectbox,
        t("Optimizer"),
        OPTIMIZERS,
        key="model_optimizer",
        value=choice["optimizer"],
        format_func=lambda o: OPTIMIZER_SPECS[o].keras_class,
    )
    choice["learning_rate"] = controlled(
        c2.number_input,
        t("Learning rate"),
        min_value=0.0,
        max_value=experiment.MAX_LEARNING_RATE,
        key="model_learning_rate",
        value=float(choice["learning_rate"]),
        step=0.0001,
        format="%.5f",
    )
    choice["batch_size"] = controlled(
        c3.select_slider,
        t("Batch size"),
        experiment.BATCH_SIZES,
        key="model_batch_size",
        value=int(choice["batch_size"]),
    )
    choice["epochs"] = int(
        controlled(
            c4.number_input,
            t("Epochs"),
            min_value=0,
            max_value=experiment.MAX_EPOCHS,
            key="model_epochs",
            value=int(choice["epochs"]),
        )
    )
    if OPTIMIZER_SPECS[choice["optimizer"]].uses_momentum:
        choice["momentum"] = controlled(
            st.slider,
            t("Momentum (SGD)"),
            0.0,
            0.99,
            key="model_momentum",
            value=float(state.chosen(choice, "momentum")),
            step=0.01,
        )
    labels = controlled(
        st.radio,
        t("Labels"),
        [True, False],
        key="model_one_hot",
        value=bool(state.chosen(choice, "one_hot")),
        horizontal=True,
        format_func=lambda h, tr=translator(): (
            tr("one-hot (to_categorical)") if h else tr("integers")
        ),
    )
    choice["one_hot"] = labels


def _output_and_loss(info: datasets.DatasetInfo, one_hot: bool) -> None:
    # binary, multi-label and hierarchical tasks explain themselves
    if info.task in task_views.TASK_OUTPUTS:
        task_views.output_and_loss(info, one_hot, LOSS_FORMULAS, ACTIVATION_FORMULAS)
        return
    units, activation, loss = architectures.output_layer_and_loss(
        info.task, info.num_classes, one_hot=one_hot
    )
    st.markdown(
        t(
            "Output layer: **{units} {activation} unit(s)**, one per class; loss: **{loss}**.",
            units=units,
            activation=activation,
            loss=loss,
        )
    )
    c1, c2 = st.columns(2)
    c1.latex(ACTIVATION_FORMULAS[activation])
    c2.latex(LOSS_FORMULAS[loss])
    st.caption(
        t(
            "With one-hot labels each label is a vector with a single 1 (categorical "
            "cross-entropy); with integer labels it is the class number (sparse categorical "
            "cross-entropy). Both train the same model."
        )
        if info.task == "multiclass"
        else t(
            "Each output is an independent yes/no probability, so each uses a sigmoid and "
            "binary cross-entropy."
        )
    )


def _summary(arch, info: datasets.DatasetInfo, choice: dict) -> None:
    import json

    description = _describe(
        arch.id,
        info.image_shape,
        info.num_classes,
        info.task,
        json.dumps(choice["arch_options"], sort_keys=True),
        len(info.coarse_names),
    )
    left, right = st.columns([3, 2], gap="large")
    with left:
        st.dataframe(
            pd.DataFrame(
                {
                    t("Layer"): [layer["name"] for layer in description["layers"]],
                    t("Type"): [layer["type"] for layer in description["layers"]],
                    t("Output shape"): [
                        str(layer["output_shape"]) for layer in description["layers"]
                    ],
                    t("Parameters"): [layer["params"] for layer in description["layers"]],
                }
            ),
            hide_index=True,
            width="stretch",
        )
        c1, c2, c3 = st.columns(3)
        c1.metric(t("Total parameters"), number(description["total_params"]))
        c2.metric(t("Trainable"), number(description["trainable_params"]))
        c3.metric(t("Non-trainable"), number(description["non_trainable_params"]))
    with right:
        st.markdown(
            t(
                "Each convolution's output size follows (W = input size, K = kernel size, "
                "P = padding, S = stride):"
            )
        )
        st.latex(r"W' = \frac{W - K + 2P}{S} + 1")
        st.caption(
            t(
                "Example: a 32x32 image, a 3x3 kernel, no padding, stride 1: (32 - 3 + "
                "0)/1 + 1 = 30. With padding='same' the size stays 32."
            )
        )
        st.caption(
            t(
                "A Conv2D layer has (K x K x input channels + 1) x filters parameters; "
                "a Dense layer (inputs + 1) x neurons."
            )
        )


st.title(t("Model"))
chosen_dataset_caption()
info = datasets.get_dataset(state.dataset_id())
choice = state.model_choice()
arch = _pick_architecture(choice)
with st.container(border=True):
    st.subheader(t("Architecture options"))
    if arch.options:
        choice["arch_options"] = options_for(arch.id, choice["arch_options"])
    else:
        choice["arch_options"] = {}
        st.caption(
            t(
                "This architecture has no options: its layers are fixed, as shown in the "
                "summary below."
            )
        )
st.subheader(t("Training settings"))
_settings(choice)
state.set_model_choice(choice)

try:
    config = state.train_config()
    if arch.id == "custom":
        architectures.check_custom_layers(
            choice["arch_options"].get("layers") or [], info.image_shape
        )
except UserInputError as error:
    show_error(error)
    st.stop()
with st.container(border=True):
    lr_find_views.finder(config)

st.subheader(t("Output layer and loss"))
_output_and_loss(info, choice["one_hot"])
task_views.task_settings(info)
st.subheader(t("Summary"))
try:
    _summary(arch, info, choice)
except UserInputError as error:
    show_error(error)
    st.stop()
with st.expander(t("Keras code: a standalone script for these choices"), icon=":material/code:"):
    try:
        script = codegen.keras_script(config)
    # multi-label, hierarchical and derived binary tasks have no script yet
    except UserInputError as error:
        show_error(error)
    else:
        st.download_button(
            t("Download the script"),
            script,
            file_name=f"train_{config.architecture}_{config.dataset}.py",
            mime="text/x-python",
            icon=":material/download:",
        )
        st.code(script, language="python")
st.page_link(
    "app_pages/train.py", label=t("Next: train this model"), icon=":material/model_training:"
)
