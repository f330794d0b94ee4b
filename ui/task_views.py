"""What each task type of the course adds to the pages: the binary task picker and the multi-label
and hierarchical explorers (Dataset page), the output layer, loss and task settings (Model page),
the two levels of a hierarchical run (Evaluate page) and the task-specific answer (Classify
page)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import plotly.express as px
import streamlit as st

from clfcore.data import datasets, explore, hierarchy, multilabel, tasks
from clfcore.data.splits import SplitConfig
from clfcore.evaluation import hierarchy_levels
from clfcore.i18n import N_
from ui import state
from ui.charts import split_bars
from ui.lang import number, t, translator
from ui.widgets import class_label, controlled

# the Model page's explanation comes from here
TASK_OUTPUTS = (
    "binary",
    "multilabel",
    "hierarchical",
)
OWN_EXPLORER = ("multilabel", "hierarchical")  # the Dataset page's explorer comes from here
SAMPLES = 12  # multi-label gallery
PER_GROUP = 10  # hierarchical samples per coarse class
MAX_GROUPS_SHOWN = 10

_MODES = {
    "all": N_("All classes (multi-class)"),
    "one_vs_rest": N_("One class against all the others (binary)"),
    "two_classes": N_("Two classes only (binary)"),
}


# --- Dataset page ---------------------------------------------------------------------------------


def current_base_id() -> str:
    """The dataset chosen in the picker: the base of a derived binary task."""
    return tasks.base_id(state.dataset_id())


def pick_task(info: datasets.DatasetInfo) -> datasets.DatasetInfo:
    """Under the dataset picker: the task. Multi-class datasets offer binary tasks derived from
    them.

    Returns the info of the dataset to explore and train on (the derived task when one is chosen).
    """
    if info.task != "multiclass":
        _task_note(info)
        return info
    current = tasks.parse_binary(state.dataset_id())
    if current is not None and current.base != info.id:
        current = None
    tr = translator()
    mode_now = tasks.binary_mode(current)
    mode = st.radio(
        t("Task"),
        list(_MODES),
        index=list(_MODES).index(mode_now),
        horizontal=True,
        format_func=lambda m: tr(_MODES[m]),
        key="task_mode",
    )
    classes = list(range(info.num_classes))
    if mode == "all":
        chosen_id = info.id
    else:
        c1, c2 = st.columns(2)
        positive = c1.selectbox(
            t("Positive class (label 1)"),
            classes,
            index=current.positive if current else 0,
            format_func=lambda c: tr(info.class_names[c]),
            key="task_positive",
        )
        negative = None
        if mode == "two_classes":
            others = [c for c in classes if c != positive]
            default = current.negative if current and current.negative in others else others[0]
            negative = c2.selectbox(
                t("Negative class (label 0)"),
                others,
                index=others.index(default),
                format_func=lambda c: tr(info.class_names[c]),
                key="task_negative",
            )
        chosen_id = tasks.binary_id(info.id, positive=positive, negative=negative)
    if chosen_id != state.dataset_id():
        state.set_dataset_id(chosen_id)
    derived = datasets.get_dataset(chosen_id)
    if derived.task == "binary":
        st.caption(
            t(
                "Binary classification, as in the course: one sigmoid unit gives the probability "
                "of the positive class, trained with binary cross-entropy."
            )
        )
    return derived


def _task_note(info: datasets.DatasetInfo) -> None:
    if info.task == "multilabel":
        st.info(
            t(
                "Multi-label: each image can have several labels at once. The model has "
                "one sigmoid unit per label and trains with binary cross-entropy; a label "
                "is predicted when its probability passes the decision threshold."
            ),
            icon=":material/label:",
        )
    elif info.task == "hierarchical":
        st.info(
            t(
                "Hierarchical: each image has a coarse class ({coarse} of them) and a fine "
                "class inside it ({fine}). The model shares one body and has two softmax "
                "heads, one per level.",
                coarse=len(info.coarse_names),
                fine=info.num_classes,
            ),
            icon=":material/account_tree:",
        )


def binary_balance(info: datasets.DatasetInfo, counts: pd.DataFrame) -> None:
    """Positive and negative images of a binary task, with the imbalance warning and the remedy."""
    if info.task != "binary":
        return
    train = counts["train"].to_numpy()
    total = max(int(train.sum()), 1)
    c1, c2, c3 = st.columns(3)
    c1.metric(
        t("Positive: {name}", name=class_label(info.class_names[1])),
        number(int(train[1])),
        f"{train[1] / total:.0%}",
        delta_color="off",
        delta_arrow="off",
    )
    c2.metric(
        t("Negative: {name}", name=class_label(info.class_names[0])),
        number(int(train[0])),
        f"{train[0] / total:.0%}",
        delta_color="off",
        delta_arrow="off",
    )
    c3.metric(t("Imbalance (largest / smallest)"), f"{explore.imbalance_ratio(train):.1f}")
    if explore.imbalance_ratio(train) > explore.IMBALANCE_WARNING_RATIO:
        st.warning(
            t(
                "Imbalanced: a model that always answers '{name}' is already right {share:.0%} "
                "of the time. Turn on balanced class weights on the Model page, and judge "
                "it by recall and F1, not accuracy.",
                name=class_label(info.class_names[int(np.argmax(train))]),
                share=train.max() / total,
            ),
            icon=":material/balance:",
        )


@st.cache_data(show_spinner=False, max_entries=8)
def _task_split_counts(
    dataset_id: str, version: str, config: SplitConfig
) -> tuple[pd.DataFrame, ...]:
    """Multi-label: (images per split, images per label per split, labels per image). Hierarchical:
    (fine, coarse)."""
    info, raw = datasets.get_dataset(dataset_id), datasets.load_raw(dataset_id)
    if info.task == "multilabel":
        return explore.multilabel_split_counts(raw.y_train, raw.y_test, info.class_names, config)
    fine = explore.split_counts(raw.y_train[:, 1], raw.y_test[:, 1], info.class_names, config)
    return fine, explore.coarse_counts(fine, info.fine_to_coarse, info.coarse_names)


def split_counts(info: datasets.DatasetInfo, config: SplitConfig) -> pd.DataFrame:
    """Images per split in the shape the Dataset page's overview takes (train / validation / test
    columns)."""
    return _task_split_counts(info.id, datasets.data_version(info.id), config)[0]


def explore_task(info: datasets.DatasetInfo, raw, config: SplitConfig, pixels) -> None:
    """The explorer of a multi-label or hierarchical dataset; ``pixels()`` draws the pixel
    histogram."""
    counts = _task_split_counts(info.id, datasets.data_version(info.id), config)
    if info.task == "multilabel":
        samples, frequency, histogram = st.tabs(
            [t("Samples"), t("Label frequency"), t("Pixel intensities")]
        )
        with samples:
            _multilabel_samples(info, raw)
        with frequency:
            _label_frequency(info, counts[1], counts[2])
    else:
        samples, levels, tree, histogram = st.tabs(
            [t("Samples"), t("Class distribution"), t("The hierarchy"), t("Pixel intensities")]
        )
        with samples:
            _hierarchy_samples(info, raw)
        with levels:
            _level_distribution(info, counts[1], counts[0])
        with tree:
            _hierarchy_tree(info, counts[0])
    with histogram:
        pixels()


def _shuffle_seed() -> int:
    seed = st.session_state.setdefault("sample_seed", 0)
    if st.button(t("Shuffle"), icon=":material/shuffle:"):
        seed = st.session_state["sample_seed"] = seed + 1
    return seed


def _multilabel_samples(info: datasets.DatasetInfo, raw) -> None:
    st.caption(t("Random training images with all their labels."))
    picks = multilabel.sample_indices(raw.y_train, SAMPLES, seed=_shuffle_seed())
    scale = explore.display_scale(info.image_shape[0], target=112)
    columns = st.columns(6)
    for position, index in enumerate(picks):
        names = [class_label(info.class_names[c]) for c in np.flatnonzero(raw.y_train[index])]
        columns[position % 6].image(
            explore.image_grid(raw.x_train[index : index + 1], columns=1, upscale=scale),
            caption=", ".join(names) or t("(no label)"),
            width="stretch",
        )


def _grouped_bars(frame: pd.DataFrame, *, x_title: str) -> None:
    st.plotly_chart(split_bars(frame, x_title=x_title), width="stretch")


def _imbalance(counts: np.ndarray, *, what: str) -> None:
    ratio = explore.imbalance_ratio(counts)
    if ratio > explore.IMBALANCE_WARNING_RATIO:
        st.warning(
            t(
                "The {what} are imbalanced: the most frequent has {ratio:.1f} times as "
                "many training images as the rarest. Check the per-class recall after training.",
                what=t(what),
                ratio=ratio,
            )
        )
    else:
        st.success(
            t(
                "The {what} are balanced (largest / smallest = {ratio:.2f}).",
                what=t(what),
                ratio=ratio,
            )
        )


def _label_frequency(
    info: datasets.DatasetInfo, per_label: pd.DataFrame, per_image: pd.DataFrame
) -> None:
    st.caption(
        t(
            "Images that carry each label, per split. An image with three labels counts "
            "once for each."
        )
    )
    _grouped_bars(per_label, x_title=t("Label"))
    _imbalance(per_label["train"].to_numpy(), what=N_("labels"))
    st.markdown(t("**Labels per image** (training split)"))
    cardinality = per_image["train"]
    frame = pd.DataFrame(
        {"labels": [str(k) for k in range(len(cardinality))], "images": cardinality.to_numpy()}
    )
    fig = px.bar(
        frame,
        x="labels",
        y="images",
        labels={"labels": t("Labels on the image"), "images": t("Images")},
    )
    fig.update_layout(height=280, margin=dict(t=10, b=10))
    st.plotly_chart(fig, width="stretch")
    mean = multilabel.mean_labels_per_image(cardinality.to_numpy())
    st.caption(t("On average {mean:.2f} labels per image.", mean=mean))


def _hierarchy_samples(info: datasets.DatasetInfo, raw) -> None:
    seed = _shuffle_seed()
    coarse = raw.y_train[:, 0]
    tr = translator()
    groups = list(range(len(info.coarse_names)))
    shown = groups
    if len(groups) > MAX_GROUPS_SHOWN:
        shown = (
            st.multiselect(
                t("Coarse classes to show"),
                groups,
                default=groups[:4],
                format_func=lambda c: tr(info.coarse_names[c]),
            )
            or groups[:1]
        )
    picks = explore.sample_indices(coarse, len(groups), PER_GROUP, seed=seed)
    scale = explore.display_scale(info.image_shape[0], target=56)
    for group in shown:
        row = picks[group][picks[group] >= 0]
        members = ", ".join(
            class_label(info.class_names[f]) for f in hierarchy.members(info.fine_to_coarse, group)
        )
        st.markdown(f"**{class_label(info.coarse_names[group])}** · {members}")
        st.image(
            explore.image_grid(raw.x_train[row], columns=PER_GROUP, upscale=scale, gap=2),
            clamp=True,
        )


def _level_distribution(
    info: datasets.DatasetInfo, coarse: pd.DataFrame, fine: pd.DataFrame
) -> None:
    st.markdown(t("**Coarse level**"))
    _grouped_bars(coarse, x_title=t("Coarse class"))
    _imbalance(coarse["train"].to_numpy(), what=N_("coarse classes"))
    st.markdown(t("**Fine level**"))
    _grouped_bars(fine, x_title=t("Fine class"))
    _imbalance(fine["train"].to_numpy(), what=N_("fine classes"))


def _hierarchy_tree(info: datasets.DatasetInfo, fine: pd.DataFrame) -> None:
    st.caption(t("Every fine class sits inside one coarse class. Click a coarse class to zoom in."))
    frame = pd.DataFrame(
        {
            "coarse": [class_label(info.coarse_names[c]) for c in info.fine_to_coarse],
            "fine": [class_label(name) for name in info.class_names],
            "images": fine["train"].to_numpy(),
        }
    )
    fig = px.sunburst(frame, path=["coarse", "fine"], values="images", color="coarse")
    fig.update_layout(height=520, margin=dict(t=10, b=10, l=10, r=10))
    st.plotly_chart(fig, width="stretch")


# --- Model page -----------------------------------------------------------------------------------


def output_and_loss(
    info: datasets.DatasetInfo, one_hot: bool, loss_formulas: dict, activation_formulas: dict
) -> None:
    """The output layer(s) and loss of a binary, multi-label or hierarchical task, with their
    formulas."""
    from clfcore.models import architectures

    units, _activation, loss = architectures.output_layer_and_loss(
        info.task, info.num_classes, one_hot=one_hot
    )
    c1, c2 = st.columns(2)
    if info.task == "binary":
        st.markdown(
            t(
                "Output layer: **1 sigmoid unit**, the probability of **{positive}**; loss: "
                "**binary_crossentropy**. Labels are 0 / 1.",
                positive=class_label(info.class_names[1]),
            )
        )
        c1.latex(activation_formulas["sigmoid"])
        c2.latex(loss_formulas["binary_crossentropy"])
        st.caption(
            t(
                "The label encoding does not apply: a binary task always uses labels 0 "
                "and 1 and one output unit (Dense(1, activation='sigmoid'))."
            )
        )
    elif info.task == "multilabel":
        st.markdown(
            t(
                "Output layer: **{units} sigmoid units**, one independent yes/no per label; "
                "loss: **binary_crossentropy**, averaged over the labels.",
                units=units,
            )
        )
        c1.latex(activation_formulas["sigmoid"])
        c2.latex(loss_formulas["binary_crossentropy"])
        st.caption(
            t(
                "Softmax would make the labels compete for one share of probability; with "
                "sigmoids each label is decided on its own, so an image can get several. "
                "'accuracy' while training is the share of right yes/no decisions."
            )
        )
    else:
        st.markdown(
            t(
                "Two output layers on one shared body: **coarse**, {coarse} softmax units, "
                "and **fine**, {fine} softmax units; each has its own {loss}, and the model "
                "minimises their weighted sum.",
                coarse=len(info.coarse_names),
                fine=info.num_classes,
                loss=loss,
            )
        )
        c1.latex(activation_formulas["softmax"])
        c2.latex(loss_formulas["hierarchical"])
        st.caption(
            t(
                "The weights λc and λf are set below. 'accuracy' while training is the "
                "fine level's; the coarse level's is logged next to it."
            )
        )


def task_settings(info: datasets.DatasetInfo) -> None:
    """The task's own training settings: class weights, decision threshold or loss weights
    (TrainConfig fields)."""
    choice = state.training_choice()
    changes: dict = {}
    if info.task in ("binary", "multiclass"):
        balanced = controlled(
            st.checkbox,
            t("Balanced class weights (class_weight='balanced')"),
            key="task_balanced",
            value=state.chosen(choice, "class_weight") == "balanced",
            help=t(
                "Each class weighs n_images / (n_classes x images of the class) in the "
                "loss, computed on the training split, so rare classes count as much as "
                "frequent ones."
            ),
        )
        changes["class_weight"] = "balanced" if balanced else "none"
    else:
        changes["class_weight"] = "none"
    if info.task == "multilabel":
        changes["threshold"] = controlled(
            st.slider,
            t("Decision threshold"),
            0.05,
            0.95,
            key="task_threshold",
            value=float(state.chosen(choice, "threshold")),
            step=0.05,
            help=t(
                "A label is predicted when its probability is at least this. Lower finds "
                "more labels (recall), higher makes fewer mistakes (precision)."
            ),
        )
    if info.task == "hierarchical":
        c1, c2 = st.columns(2)
        changes["coarse_loss_weight"] = controlled(
            c1.number_input,
            t("Coarse loss weight λc"),
            0.0,
            10.0,
            key="task_coarse_loss_weight",
            value=float(state.chosen(choice, "coarse_loss_weight")),
            step=0.1,
        )
        changes["fine_loss_weight"] = controlled(
            c2.number_input,
            t("Fine loss weight λf"),
            0.0,
            10.0,
            key="task_fine_loss_weight",
            value=float(state.chosen(choice, "fine_loss_weight")),
            step=0.1,
        )
    if any(choice.get(k) != v for k, v in changes.items()):
        state.set_training_choice({**choice, **changes})


# --- Evaluate page --------------------------------------------------------------------------------


@st.cache_data(show_spinner=False, max_entries=8)
def _levels(run_dir: str, stamp: int):
    from clfcore.evaluation import run_predictions

    folder = Path(run_dir)
    return hierarchy_levels.predict_run_levels(
        run_predictions.evaluable_run(folder.name, root=folder.parent)
    )


def hierarchy_section(run_dir: str, stamp: int) -> None:
    """Both levels of the hierarchical run in the folder ``run_dir``: accuracy per level, 'coarse
    right but fine wrong', confusion per level."""
    from clfcore.evaluation import scoring
    from ui import eval_charts

    levels = _levels(run_dir, stamp)
    run_id = Path(run_dir).name  # the charts' keys
    coarse, fine = scoring.evaluate(levels.coarse), scoring.evaluate(levels.fine)
    st.subheader(t("Both levels of the hierarchy"))
    c1, c2, c3, c4 = st.columns(4)
    c1.metric(t("Coarse accuracy"), f"{coarse.accuracy:.2%}")
    c2.metric(t("Fine accuracy"), f"{fine.accuracy:.2%}")
    c3.metric(t("Coarse right, fine wrong"), number(levels.coarse_right_fine_wrong))
    c4.metric(
        t("Heads agree"),
        f"{levels.fine_implies_coarse:.1%}",
        help=t(
            "Share of images whose predicted fine class lies inside the predicted coarse class."
        ),
    )
    st.caption(
        t(
            "{count} of the {total} test images were put in the right group but given the "
            "wrong class: mistakes between close relatives, cheaper than a wrong group.",
            count=number(levels.coarse_right_fine_wrong),
            total=number(fine.num_images),
        )
    )
    left, right = st.columns(2)
    with left:
        st.markdown(t("**Coarse level** confusion matrix"))
        st.plotly_chart(
            eval_charts.confusion_heatmap(
                coarse.confusion, [class_label(n) for n in coarse.class_names]
            ),
            width="stretch",
            key=f"coarse-cm-{run_id}",
        )
    with right:
        st.markdown(t("**Fine level** confusion matrix"))
        st.plotly_chart(
            eval_charts.confusion_heatmap(
                fine.confusion, [class_label(n) for n in fine.class_names]
            ),
            width="stretch",
            key=f"fine-cm-{run_id}",
        )


# --- Classify page --------------------------------------------------------------------------------


def show_answer(classifier, image_array: np.ndarray, *, key: str) -> None:
    """Multi-label models: every label at or above a threshold the user sets, for one preprocessed
    image (H, W, C)."""
    if classifier.output == "multilabel":
        probabilities = classifier.probabilities(image_array[None])[0]
        threshold = st.slider(
            t("Decision threshold"), 0.05, 0.95, 0.5, step=0.05, key=f"{key}-threshold"
        )
        chosen = multilabel.labels_at_threshold(probabilities, threshold)
        if chosen:
            st.markdown(t("Labels at or above {threshold:.2f}:", threshold=threshold))
            st.markdown(
                "\n".join(
                    f"- **{class_label(classifier.class_names[i])}** {probabilities[i]:.1%}"
                    for i in chosen
                )
            )
        else:
            st.info(
                t(
                    "No label reaches the threshold {threshold:.2f}: lower it to see the "
                    "most likely ones.",
                    threshold=threshold,
                )
            )


def show_coarse(classifier, image_array: np.ndarray) -> None:
    """The coarse level of a hierarchical run for one preprocessed image (H, W, C) in [0, 1]."""
    coarse = getattr(classifier, "coarse", None)
    if coarse is None:
        return
    probabilities = coarse.probabilities(image_array[None])[0]
    best = int(np.argmax(probabilities))
    st.metric(
        t("Coarse class"),
        class_label(coarse.class_names[best]),
        f"{probabilities[best]:.1%}",
        delta_color="off",
        delta_arrow="off",
    )


def true_label_caption(info: datasets.DatasetInfo, label) -> str:
    """The caption of a test image: its class, its labels (multi-label) or its group and class
    (hierarchical)."""
    label = np.asarray(label)
    if info.task == "multilabel":
        return ", ".join(class_label(info.class_names[c]) for c in np.flatnonzero(label)) or t(
            "(no label)"
        )
    if info.task == "hierarchical":
        coarse, fine = info.coarse_names[int(label[0])], info.class_names[int(label[1])]
        return f"{class_label(coarse)} / {class_label(fine)}"
    return class_label(info.class_names[int(label)])


def true_index(info: datasets.DatasetInfo, label) -> int | None:
    """The single true class of a test image to compare with the prediction (fine class; none for
    multi-label)."""
    return tasks.true_class_index(info.task, label)
