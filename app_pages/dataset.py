"""Dataset: pick one (availability shown) and explore it: splits, samples, balance, mean images,
pixels."""

import numpy as np
import pandas as pd
import plotly.express as px
import streamlit as st

from clfcore.data import datasets, explore
from clfcore.data.splits import SplitConfig
from clfcore.errors import DatasetError, UserInputError
from ui import camera_views, dataset_import, session, state, task_views
from ui.charts import split_bars
from ui.lang import number, t, translator
from ui.widgets import class_label, controlled, show_error

SAMPLES_PER_CLASS = 10
MAX_CLASSES_SHOWN = 10  # CIFAR-100 has 100: the user picks which to show


# Cached per dataset *and* file location, so replacing or downloading the files is never hidden by
# the cache.
@st.cache_data(show_spinner=False, max_entries=8)
def _split_counts(dataset_id: str, location: str, config: SplitConfig) -> pd.DataFrame:
    raw = datasets.load_raw(dataset_id)
    return explore.split_counts(
        raw.y_train, raw.y_test, datasets.get_dataset(dataset_id).class_names, config
    )


@st.cache_data(show_spinner=False, max_entries=8)
def _mean_images(dataset_id: str, location: str) -> np.ndarray:
    raw = datasets.load_raw(dataset_id)
    return explore.mean_images(
        raw.x_train, raw.y_train, datasets.get_dataset(dataset_id).num_classes
    )


@st.cache_data(show_spinner=False, max_entries=8)
def _pixel_histogram(dataset_id: str, location: str) -> pd.DataFrame:
    return explore.pixel_histogram(datasets.load_raw(dataset_id).x_train)


def _pick_dataset() -> datasets.DatasetInfo:
    infos = {info.id: info for info in datasets.list_datasets(owner=session.workspace().owner)}
    ready = {d: datasets.availability(d).available for d in infos}
    # a binary task derived from a dataset is picked below, under "Task"
    current = task_views.current_base_id()
    tr = translator()
    chosen = controlled(
        st.selectbox,
        t("Dataset"),
        options=list(infos),
        key="dataset_picker",
        value=current if current in infos else next(iter(infos)),
        format_func=lambda d: infos[d].name + ("" if ready[d] else "  -  " + tr("not downloaded")),
    )
    if chosen != current:
        state.set_dataset_id(chosen)
    info = infos[chosen]
    source = t("Source")  # outside the f-string, where pybabel extract finds it
    st.caption(f"{t(info.description)}  \n{source}: {info.source}")
    return info


def _offer_download(info: datasets.DatasetInfo) -> None:
    status = datasets.availability(info.id)
    st.warning(t(status.how_to_fix, **status.params), icon=":material/cloud_download:")
    # a user dataset that cannot be read (e.g. a wrong labels.csv): only the fix helps
    if info.download is None:
        return
    if st.button(t("Download {name} now", name=info.name), icon=":material/download:"):
        with st.spinner(t("Downloading {name} (this needs the internet)...", name=info.name)):
            try:
                datasets.download(info.id)
            except UserInputError as error:
                show_error(error)
                return
        st.success(t("{name} is ready.", name=info.name))
        st.rerun()


def _split_settings(info: datasets.DatasetInfo) -> SplitConfig:
    config = state.split_config()
    with st.expander(t("Validation split and quick-demo subset"), icon=":material/tune:"):
        st.caption(
            t(
                "The validation images are held out of training to watch for overfitting; "
                "the test set stays untouched until the final evaluation."
            )
        )
        c1, c2, c3 = st.columns(3)
        val_pct = controlled(
            c1.slider,
            t("Validation (%)"),
            5,
            50,
            key="split_validation",
            value=int(round(config.validation_split * 100)),
            step=5,
        )
        subset = controlled(
            c2.number_input,
            t("Training images (0 = all)"),
            min_value=0,
            max_value=info.train_count,
            key="split_train_size",
            value=min(config.train_size or 0, info.train_count),
            step=500,
            help=t(
                "A stratified subset keeps every class's share; small subsets train in "
                "seconds for a demo."
            ),
        )
        seed = controlled(
            c3.number_input,
            t("Seed"),
            min_value=0,
            max_value=2**31 - 1,
            key="split_seed",
            value=int(config.seed),
            help=t("The same seed always gives the same split."),
        )
    try:
        new = SplitConfig(
            validation_split=val_pct / 100,
            train_size=int(subset) or None,
            seed=int(seed),
            one_hot=config.one_hot,
        )
    except UserInputError as error:
        show_error(error)
        return config
    if new != config:
        state.set_split_config(new)
    return new


def _overview(info: datasets.DatasetInfo, counts: pd.DataFrame) -> None:
    totals = counts.sum()
    cols = st.columns(5)
    cols[0].metric(t("Training"), number(totals["train"]))
    cols[1].metric(t("Validation"), number(totals["validation"]))
    cols[2].metric(t("Test"), number(totals["test"]))
    cols[3].metric(t("Image size"), f"{info.image_shape[0]}x{info.image_shape[1]}")
    cols[4].metric(t("Colour"), t("gray") if info.channels == 1 else t("RGB"))
    if not info.has_own_test_split:
        st.caption(
            t(
                "This dataset has no test split of its own: the test set is a fixed, stratified "
                "20 %."
            )
        )


def _samples(info: datasets.DatasetInfo, raw, shown: list[int]) -> None:
    seed = st.session_state.setdefault("sample_seed", 0)
    if st.button(t("Shuffle"), icon=":material/shuffle:"):
        seed = st.session_state["sample_seed"] = seed + 1
    picks = explore.sample_indices(raw.y_train, info.num_classes, SAMPLES_PER_CLASS, seed=seed)
    scale = explore.display_scale(info.image_shape[0], target=56)
    for cls in shown:
        row = picks[cls][picks[cls] >= 0]
        label_col, image_col = st.columns([1, 6], vertical_alignment="center")
        label_col.markdown(f"**{class_label(info.class_names[cls])}**")
        image_col.image(
            explore.image_grid(raw.x_train[row], columns=SAMPLES_PER_CLASS, upscale=scale, gap=2),
            clamp=True,
        )


def _distribution(info: datasets.DatasetInfo, counts: pd.DataFrame) -> None:
    st.plotly_chart(split_bars(counts, x_title=t("Class"), height=420), width="stretch")
    ratio = explore.imbalance_ratio(counts["train"].to_numpy())
    if ratio > explore.IMBALANCE_WARNING_RATIO:
        st.warning(
            t(
                "The classes are imbalanced: the largest has {ratio:.1f} times as many "
                "training images as the smallest. Accuracy can look good while rare classes "
                "are missed: check per-class recall, or use class weights.",
                ratio=ratio,
            )
        )
    else:
        st.success(t("The classes are balanced (largest / smallest = {ratio:.2f}).", ratio=ratio))


def _mean_image_grid(info: datasets.DatasetInfo, location: str, shown: list[int]) -> None:
    st.caption(
        t(
            "The average of every training image of a class: what the class looks like "
            "'on average'. Blurry means varied."
        )
    )
    means = _mean_images(info.id, location)
    scale = explore.display_scale(info.image_shape[0], target=96)
    cols = st.columns(min(len(shown), 10))
    for i, cls in enumerate(shown):
        cols[i % len(cols)].image(
            explore.image_grid(means[cls : cls + 1], columns=1, upscale=scale),
            caption=class_label(info.class_names[cls]),
        )


def _histogram(info: datasets.DatasetInfo, location: str) -> None:
    hist = _pixel_histogram(info.id, location)
    colors = {"gray": "#555555", "red": "#d62728", "green": "#2ca02c", "blue": "#1f77b4"}
    hist = hist.assign(channel=hist["channel"].map(t))
    fig = px.line(
        hist,
        x="intensity",
        y="fraction",
        color="channel",
        log_y=True,
        color_discrete_map={t(k): v for k, v in colors.items()},
        labels={
            "intensity": t("Pixel intensity (0 = black, 255 = white)"),
            "fraction": t("Fraction of pixels"),
            "channel": t("Channel"),
        },
    )
    fig.update_layout(height=380, margin=dict(t=20, b=10))
    # one tick per power of ten: 100 %, 10 %, 1 %, 0.1 %
    fig.update_yaxes(dtick=1, tickformat=".1%")
    st.plotly_chart(fig, width="stretch")
    st.caption(
        t(
            "Before training, pixels are scaled from 0-255 to 0-1 (divided by 255), as "
            "in the course."
        )
    )


def _loaded(info: datasets.DatasetInfo, location: str, config: SplitConfig):
    """The raw images and the images per split; stops the page (with the error) when unreadable."""
    try:
        raw = datasets.load_raw(info.id)
        counts = (
            task_views.split_counts(info, config)
            if info.task in task_views.OWN_EXPLORER
            else _split_counts(info.id, location, config)
        )
    except (DatasetError, UserInputError) as error:
        show_error(error)
        st.stop()
    return raw, counts


def _skipped(raw) -> None:
    if raw.skipped:
        st.warning(
            t(
                "{count} images could not be read and were left out: {files}.",
                count=len(raw.skipped),
                files=", ".join(raw.skipped[:10]),
            ),
            icon=":material/broken_image:",
        )


def _classes_to_show(info: datasets.DatasetInfo) -> list[int]:
    """Every class, or (past MAX_CLASSES_SHOWN) the ones the user picks."""
    classes = list(range(info.num_classes))
    if info.num_classes <= MAX_CLASSES_SHOWN:
        return classes
    tr = translator()
    return (
        st.multiselect(
            t("Classes to show"),
            classes,
            default=classes[:MAX_CLASSES_SHOWN],
            format_func=lambda c: tr(info.class_names[c]),
            max_selections=20,
        )
        or classes[:1]
    )


def _explorer(info: datasets.DatasetInfo, raw, counts: pd.DataFrame, location: str) -> None:
    """Samples, class distribution, mean images and pixel intensities, one tab each."""
    shown = _classes_to_show(info)
    samples, distribution, means, pixels = st.tabs(
        [t("Samples"), t("Class distribution"), t("Mean image per class"), t("Pixel intensities")]
    )
    with samples:
        _samples(info, raw, shown)
    with distribution:
        _distribution(info, counts)
    with means:
        _mean_image_grid(info, location, shown)
    with pixels:
        _histogram(info, location)


st.title(t("Dataset"))
info = _pick_dataset()
dataset_import.render(info)
camera_views.recording_section()
if datasets.availability(info.id).location is None:
    _offer_download(info)
    st.stop()
try:
    # multi-class datasets: all classes, or a binary task derived from them
    info = task_views.pick_task(info)
except (DatasetError, UserInputError) as error:
    show_error(error)
    st.stop()
# the cache key: also changes when a user dataset's files or settings do
location = datasets.data_version(info.id)
config = _split_settings(info)
raw, counts = _loaded(info, location, config)
_overview(info, counts)
task_views.binary_balance(info, counts)
_skipped(raw)
# multi-label and hierarchical datasets have their own explorer
if info.task in task_views.OWN_EXPLORER:
    task_views.explore_task(info, raw, config, lambda: _histogram(info, location))
else:
    _explorer(info, raw, counts, location)
