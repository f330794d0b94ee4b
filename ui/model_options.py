"""Widgets for each architecture's builder options (the Model page draws them)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from clfcore import experiment
from clfcore.errors import UserInputError
from clfcore.models import architectures
from clfcore.models.backbones import (
    download_weights,
    find_weights,
    get_backbone,
    missing_weights_error,
)
from ui.lang import error_message, t, translator
from ui.widgets import controlled, show_error

LAYER_TYPES = ["conv2d", "maxpool", "avgpool", "dropout", "batchnorm", "flatten", "dense"]
ACTIVATIONS = ["relu", "tanh", "sigmoid", "elu", "gelu", "linear"]
_EDITOR, _BASE = "custom_layers_editor", "custom_layers_base"
_COLUMNS = [
    "type",
    "filters",
    "kernel_size",
    "strides",
    "padding",
    "pool_size",
    "rate",
    "units",
    "activation",
]


def options_for(arch_id: str, current: dict) -> dict:
    """Draw the options of ``arch_id`` and return the chosen values.

    A widget starts from ``current``'s value, else the architecture's default option (one home:
    ``Architecture.options``).
    """
    chosen = {**architectures.get_architecture(arch_id).options, **current}
    if arch_id == "mlp":
        c1, c2, c3 = st.columns(3)
        return {
            "hidden_layers": controlled(
                c1.slider,
                t("Hidden layers"),
                1,
                5,
                key="mlp_hidden_layers",
                value=int(chosen["hidden_layers"]),
            ),
            "units": controlled(
                c2.select_slider,
                t("Neurons per hidden layer"),
                experiment.MLP_UNITS,
                key="mlp_units",
                value=int(chosen["units"]),
            ),
            "dropout": controlled(
                c3.slider,
                t("Dropout"),
                0.0,
                0.8,
                key="mlp_dropout",
                value=float(chosen["dropout"]),
                step=0.05,
                help=t(
                    "Fraction of neurons switched off at random while training, against "
                    "overfitting."
                ),
            ),
        }
    if arch_id == "lenet":
        c1, c2 = st.columns(2)
        activation = chosen["activation"]
        return {
            "activation": controlled(
                c1.radio,
                t("Activation"),
                ["relu", "tanh"],
                key="lenet_activation",
                value=activation,
                horizontal=True,
                help=t("The original LeNet-5 used tanh; ReLU usually trains faster."),
            ),
            "dense_layers": controlled(
                c2.radio,
                t("Dense layers before the output"),
                [1, 2],
                key="lenet_dense_layers",
                value=int(chosen["dense_layers"]),
                horizontal=True,
            ),
        }
    if arch_id == "custom":
        return {"layers": _layer_table(current.get("layers") or [])}
    if arch_id in architectures.TRANSFER_IDS:
        return _transfer_options(arch_id, chosen)
    return dict(current)


def _transfer_options(backbone_id: str, current: dict) -> dict:
    """The transfer options; ``current`` has every option (chosen or the default)."""
    tr = translator()
    c1, c2 = st.columns(2)
    size = controlled(
        c1.select_slider,
        t("Image size inside the model"),
        list(architectures.TRANSFER_IMAGE_SIZES),
        key=f"{backbone_id}_image_size",
        value=int(current["image_size"]),
        help=t(
            "Images are resized to this size before the backbone. Larger sees more detail "
            "but is slower: the time grows with the square of the size."
        ),
    )
    weights = controlled(
        c2.radio,
        t("Starting weights"),
        ["imagenet", "random"],
        key=f"{backbone_id}_weights",
        value="random" if current.get("weights") == "random" else "imagenet",
        horizontal=True,
        format_func=lambda w: (
            tr("ImageNet (transfer learning)") if w == "imagenet" else tr("random (no transfer)")
        ),
    )
    if weights == "imagenet":
        _weights_status(backbone_id, size)
    else:
        st.warning(
            t(
                "With random weights the backbone knows nothing yet and is frozen: this "
                "is not transfer learning, and the model will learn little. Use it only "
                "to try the pipeline."
            ),
            icon=":material/warning:",
        )
    c1, c2 = st.columns(2)
    dense_units = controlled(
        c1.select_slider,
        t("Dense layer before the output (neurons, 0 = none)"),
        experiment.DENSE_UNITS,
        key=f"{backbone_id}_dense_units",
        value=int(current["dense_units"]),
    )
    dropout = controlled(
        c2.slider,
        t("Dropout"),
        0.0,
        0.8,
        key=f"{backbone_id}_dropout",
        value=float(current["dropout"]),
        step=0.05,
        help=t("Fraction of neurons switched off at random while training, against overfitting."),
    )
    st.markdown(
        t(
            "**Second stage: fine-tuning** (optional). After the first stage trains the "
            "new top, unfreeze the backbone's last layers and train them too, with a lower "
            "learning rate so the ImageNet features are adjusted, not destroyed."
        )
    )
    c1, c2, c3 = st.columns(3)
    layers = get_backbone(backbone_id).layers
    fine_tune_layers = int(
        controlled(
            c1.number_input,
            t("Layers to unfreeze (0 = no second stage)"),
            0,
            layers,
            key=f"{backbone_id}_fine_tune_layers",
            value=int(current["fine_tune_layers"]),
            help=t(
                "Counted from the top of the backbone, which has {count} layers. Batch "
                "normalisation layers stay frozen.",
                count=layers,
            ),
        )
    )
    fine_tune_epochs = int(
        controlled(
            c2.number_input,
            t("Fine-tuning epochs"),
            0,
            100,
            key=f"{backbone_id}_fine_tune_epochs",
            value=int(current["fine_tune_epochs"]),
            disabled=not fine_tune_layers,
        )
    )
    factor = controlled(
        c3.select_slider,
        t("Learning rate factor"),
        experiment.FINE_TUNE_LR_FACTORS,
        key=f"{backbone_id}_fine_tune_lr_factor",
        value=float(current["fine_tune_lr_factor"]),
        disabled=not fine_tune_layers,
        help=t("The second stage's learning rate is the first one times this factor."),
    )
    return {
        "image_size": int(size),
        "weights": weights,
        "dense_units": int(dense_units),
        "dropout": float(dropout),
        "fine_tune_layers": fine_tune_layers,
        "fine_tune_epochs": fine_tune_epochs,
        "fine_tune_lr_factor": float(factor),
    }


def _weights_status(backbone_id: str, size: int) -> None:
    found = find_weights(backbone_id, size)
    if found is not None:
        st.success(
            t("ImageNet weights found: {path}", path=str(found)), icon=":material/check_circle:"
        )
        return
    st.info(
        error_message(missing_weights_error(backbone_id, size)), icon=":material/cloud_download:"
    )
    if st.button(
        t("Download weights"),
        icon=":material/download:",
        key=f"download_weights_{backbone_id}_{size}",
    ):
        try:
            with st.spinner(t("Downloading...")):
                download_weights(backbone_id, size)
        except UserInputError as error:
            show_error(error)
        else:
            st.rerun()


def _layer_table(layers: list[dict]) -> list[dict]:
    st.caption(
        t(
            "One row per layer, from the input to the output layer (added automatically). "
            "Add rows at the bottom of the table; select rows to delete them."
        )
    )
    # The editor keeps its edits as changes to the frame it was first given: give it the same frame
    # on every rerun, and take a fresh one (the saved stack) only when it is drawn anew.
    if _EDITOR not in st.session_state:
        st.session_state[_BASE] = layers
    frame = pd.DataFrame(
        [{column: layer.get(column) for column in _COLUMNS} for layer in st.session_state[_BASE]],
        columns=_COLUMNS,
    )
    edited = st.data_editor(
        frame,
        num_rows="dynamic",
        width="stretch",
        hide_index=False,
        key=_EDITOR,
        column_config={
            "type": st.column_config.SelectboxColumn(
                t("Layer"), options=LAYER_TYPES, required=True
            ),
            "filters": st.column_config.NumberColumn(
                t("Filters"), min_value=1, max_value=1024, step=1
            ),
            "kernel_size": st.column_config.NumberColumn(
                t("Kernel"), min_value=1, max_value=11, step=1
            ),
            "strides": st.column_config.NumberColumn(t("Stride"), min_value=1, max_value=4, step=1),
            "padding": st.column_config.SelectboxColumn(t("Padding"), options=["same", "valid"]),
            "pool_size": st.column_config.NumberColumn(
                t("Pool size"), min_value=1, max_value=8, step=1
            ),
            "rate": st.column_config.NumberColumn(
                t("Dropout rate"), min_value=0.0, max_value=0.95, step=0.05
            ),
            "units": st.column_config.NumberColumn(
                t("Neurons"), min_value=1, max_value=4096, step=1
            ),
            "activation": st.column_config.SelectboxColumn(t("Activation"), options=ACTIVATIONS),
        },
    )
    rows = []
    for record in edited.to_dict("records"):
        layer = {
            k: v
            for k, v in record.items()
            if v is not None and not (isinstance(v, float) and pd.isna(v))
        }
        for key in ("filters", "kernel_size", "strides", "pool_size", "units"):
            if key in layer:
                layer[key] = int(layer[key])
        if layer.get("type"):
            rows.append(layer)
    return rows
