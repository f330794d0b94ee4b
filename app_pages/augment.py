"""Augmentation: a slider or switch per transform, the course's defaults, and a live preview
grid."""

import numpy as np
import streamlit as st

from clfcore.data import augment, datasets, explore
from clfcore.data.augment import COURSE_DEFAULTS, RANGES, AugmentConfig
from clfcore.errors import UserInputError
from clfcore.i18n import N_
from ui import state
from ui.lang import t, translator
from ui.widgets import chosen_dataset_caption, class_label, show_error

# field -> (label, one-line explanation, slider step); ranges come from clfcore.data.augment.RANGES
GROUPS = {
    N_("Geometry"): {
        "rotation_range": (
            N_("Rotation (degrees)"),
            N_(
                "Turns each image by a random angle of up to this many degrees, either "
                "way. Course: 10."
            ),
            1.0,
        ),
        "width_shift_range": (
            N_("Horizontal shift (fraction of the width)"),
            N_("Moves each image left or right by up to this fraction of its width. Course: 0.1."),
            0.01,
        ),
        "height_shift_range": (
            N_("Vertical shift (fraction of the height)"),
            N_("Moves each image up or down by up to this fraction of its height. Course: 0.1."),
            0.01,
        ),
        "zoom_range": (
            N_("Zoom (fraction)"),
            N_(
                "Zooms in or out by up to this fraction: 0.2 gives sizes from 80 % to 120 "
                "%. Course: 0.2 (0.1 in its illustration)."
            ),
            0.05,
        ),
        "shear_range": (
            N_("Shear (degrees)"),
            N_(
                "Slants each image sideways by up to this angle, like pushing the top of "
                "a deck of cards. Course: 0."
            ),
            1.0,
        ),
        "horizontal_flip": (
            N_("Horizontal flip"),
            N_(
                "Mirrors half of the images left to right: a car facing left is still a "
                "car. Course: on."
            ),
            None,
        ),
        "vertical_flip": (
            N_("Vertical flip"),
            N_("Turns half of the images upside down. Course: off (its illustration had it on)."),
            None,
        ),
        "fill_mode": (
            N_("Fill mode"),
            N_(
                "How the corners a rotation or shift uncovers are filled: nearest edge "
                "pixel (course), black, mirror or wrap around."
            ),
            None,
        ),
    },
    N_("Light and noise"): {
        "brightness": (
            N_("Brightness"),
            N_("Adds or removes up to this much light on every pixel (pixels go from 0 to 1)."),
            0.05,
        ),
        "contrast": (
            N_("Contrast"),
            N_(
                "Stretches or flattens the difference between light and dark by up to this "
                "fraction."
            ),
            0.05,
        ),
        "noise": (
            N_("Gaussian noise (standard deviation)"),
            N_("Adds random grain: every pixel moves by a random amount of about this size."),
            0.01,
        ),
        "blur": (
            N_("Blur (sigma in pixels)"),
            N_("Softens each image with a Gaussian blur of random strength, up to this sigma."),
            0.1,
        ),
    },
    N_("Hiding and cropping"): {
        "erasing": (
            N_("Random erasing (probability)"),
            N_(
                "Hides a random rectangle in this share of the images, so the network cannot "
                "rely on one small detail."
            ),
            0.05,
        ),
        "erasing_size": (
            N_("Erased rectangle (fraction of the side)"),
            N_("The largest side of that rectangle, as a fraction of the image side."),
            0.05,
        ),
        "crop_padding": (
            N_("Random crop (padding in pixels)"),
            N_(
                "Pads the image with black by this many pixels, then cuts a random window "
                "of the original size (CIFAR-10 recipe: 4)."
            ),
            1,
        ),
    },
}
FORMATS = {
    "rotation_range": "%.0f°",
    "shear_range": "%.0f°",
    "blur": "%.1f px",
    "crop_padding": "%d px",
}
FILL_MODES = {
    "nearest": N_("nearest edge pixel"),
    "constant": N_("black"),
    "reflect": N_("mirror"),
    "wrap": N_("wrap around"),
}
SOURCES = {
    "random": N_("Random images"),
    "per_class": N_("One per class"),
    "upload": N_("Your image"),
}
PREVIEW_ROWS = 4  # random images shown
MAX_CLASS_ROWS = 10
_KEY = "aug_"  # widget keys: aug_<field>


def _load_widgets(config: AugmentConfig, enabled: bool) -> None:
    """Give every widget its value from the kept choice (Streamlit forgets widget keys between
    pages)."""
    for name, value in config.to_dict().items():
        st.session_state.setdefault(_KEY + name, value)
    st.session_state.setdefault(_KEY + "enabled", enabled)


def _set_widgets(config: AugmentConfig) -> None:
    for name, value in config.to_dict().items():
        st.session_state[_KEY + name] = value
    state.set_augment_choice(config, st.session_state.get(_KEY + "enabled", False))


def _control(name: str, label: str, explanation: str, step) -> None:
    key = _KEY + name
    if name in ("horizontal_flip", "vertical_flip"):
        st.toggle(t(label), key=key)
    elif name == "fill_mode":
        st.selectbox(
            t(label),
            list(FILL_MODES),
            key=key,
            format_func=lambda mode, tr=translator(): tr(FILL_MODES[mode]),
        )
    elif name == "crop_padding":
        st.slider(
            t(label),
            int(RANGES[name].low),
            int(RANGES[name].high),
            step=step,
            key=key,
            format=FORMATS[name],
        )
    else:
        st.slider(
            t(label),
            float(RANGES[name].low),
            float(RANGES[name].high),
            step=step,
            key=key,
            format=FORMATS.get(name, "%.2f"),
        )
    st.caption(t(explanation))


def _settings() -> AugmentConfig:
    for tab, (_group, controls) in zip(st.tabs([t(group) for group in GROUPS]), GROUPS.items()):
        with tab:
            for name, (label, explanation, step) in controls.items():
                _control(name, label, explanation, step)
    values = {
        name: st.session_state[_KEY + name] for controls in GROUPS.values() for name in controls
    }
    return AugmentConfig.from_dict(values)


def _source_images(info: datasets.DatasetInfo, source: str) -> tuple[np.ndarray, list[str]] | None:
    """The preview's originals (uint8, N x H x W x C) and a label for each row; None when there are
    none."""
    if source == "upload":
        upload = st.file_uploader(
            t("Your image"),
            help=t("Any photo or drawing: it is converted to the dataset's size and colours."),
        )
        if upload is None:
            st.info(t("Upload an image to see it augmented."), icon=":material/upload:")
            return None
        try:
            return augment.image_from_upload(upload.getvalue(), info.image_shape)[None], [
                upload.name
            ]
        except UserInputError as error:
            show_error(error)
            return None
    try:
        raw = datasets.load_raw(info.id)
    except UserInputError as error:
        show_error(error)
        st.caption(t("Choose 'Your image' to preview augmentation without the dataset's files."))
        return None
    picks_seed = st.session_state.setdefault("aug_images_seed", 0)
    if source == "per_class":
        kept = explore.one_per_class(
            raw.y_train, info.num_classes, limit=MAX_CLASS_ROWS, seed=picks_seed
        )
        if info.num_classes > MAX_CLASS_ROWS:
            st.caption(
                t(
                    "Showing the first {shown} of {total} classes.",
                    shown=MAX_CLASS_ROWS,
                    total=info.num_classes,
                )
            )
        return raw.x_train[[i for i, _ in kept]], [
            class_label(info.class_names[c]) for _, c in kept
        ]
    picks = explore.random_indices(len(raw.y_train), PREVIEW_ROWS, seed=picks_seed)
    return raw.x_train[picks], [class_label(info.class_names[raw.y_train[i]]) for i in picks]


def _preview(info: datasets.DatasetInfo, config: AugmentConfig) -> None:
    st.subheader(t("Live preview"))
    c1, c2 = st.columns([3, 2])
    source = c1.radio(
        t("Images"),
        list(SOURCES),
        horizontal=True,
        key="aug_source",
        format_func=lambda s, tr=translator(): tr(SOURCES[s]),
    )
    copies = c2.slider(t("Augmented versions per image"), 2, 10, 6, key="aug_copies")
    b1, b2 = st.columns(2)
    if b1.button(
        t("Re-roll"),
        icon=":material/casino:",
        help=t("New random changes for the same images."),
        width="stretch",
    ):
        st.session_state["aug_preview_seed"] = st.session_state.get("aug_preview_seed", 0) + 1
    if source != "upload" and b2.button(
        t("Other images"), icon=":material/shuffle:", width="stretch"
    ):
        st.session_state["aug_images_seed"] = st.session_state.get("aug_images_seed", 0) + 1
    found = _source_images(info, source)
    if found is None:
        return
    originals, labels = found
    if not config.active:
        st.info(
            t("Every transform is off: the augmented versions equal the original."),
            icon=":material/info:",
        )
    augmented = augment.preview(
        originals, config, copies=copies, seed=st.session_state.get("aug_preview_seed", 0)
    )
    scale = explore.display_scale(info.image_shape[0], target=56)
    st.caption(
        t(
            "Left: the original. Right: {copies} random augmented versions, as the network "
            "sees them during training.",
            copies=copies,
        )
    )
    for label, original, versions in zip(labels, originals, augmented):
        label_col, image_col = st.columns([1, 6], vertical_alignment="center")
        label_col.markdown(f"**{label}**")
        image_col.image(
            augment.preview_grid(original[None], versions[None], upscale=scale, separator=16),
            clamp=True,
        )


def _code(config: AugmentConfig) -> None:
    with st.expander(t("The Keras 3 code"), icon=":material/code:"):
        st.markdown(
            t(
                "The course's `ImageDataGenerator` is gone from Keras 3. Its replacement "
                "here is one preprocessing layer with the same setting names, applied to "
                "each training batch in a `tf.data` pipeline:"
            )
        )
        st.code(
            f"augmentation = {augment.keras_call(config, one_per_line=True)}\n"
            "train_ds = training_dataset(\n"
            "    x_train, y_train, batch_size=BATCH_SIZE,\n"
            "    seed=SEED, augmentation=augmentation,\n"
            ")\n"
            "# the validation images are never augmented\n"
            "model.fit(train_ds, epochs=EPOCHS,\n          validation_data=(x_val, y_val))",
            language="python",
        )
        st.caption(
            t(
                "The script you download on the Model page contains this layer and the "
                "pipeline when augmentation is on."
            )
        )


def _header(kept: AugmentConfig, enabled: bool) -> bool:
    """The "Train with augmentation" switch and the two preset buttons; returns the switch."""
    _load_widgets(kept, enabled)
    top1, top2, top3 = st.columns([5, 3, 2], vertical_alignment="center")
    enabled = top1.toggle(
        t("Train with augmentation"),
        key=_KEY + "enabled",
        help=t(
            "Off: runs train on the images as they are. Train once without and once with "
            "it, then compare the two runs' curves on the Runs page."
        ),
    )
    top2.button(
        t("Reset to course defaults"),
        icon=":material/restart_alt:",
        on_click=_set_widgets,
        args=(COURSE_DEFAULTS,),
        width="stretch",
    )
    top3.button(
        t("All off"),
        icon=":material/block:",
        on_click=_set_widgets,
        args=(AugmentConfig.off(),),
        width="stretch",
    )
    return enabled


def _kept_settings(kept: AugmentConfig) -> AugmentConfig:
    """The settings widgets; the last good settings when the session holds invalid ones."""
    try:
        return _settings()
    except UserInputError as error:  # only reachable through a hand-edited session
        show_error(error)
        return kept


def _warnings(info: datasets.DatasetInfo, config: AugmentConfig, enabled: bool) -> None:
    """Augmentation switched on with nothing to do, and settings that may hurt this dataset."""
    if enabled and not config.active:
        st.info(
            t(
                "Augmentation is on but every transform is off: runs will train without "
                "augmentation."
            ),
            icon=":material/info:",
        )
    for message in augment.warnings(
        config, class_names=info.class_names, image_shape=info.image_shape
    ):
        st.warning(t(message.template, **message.params), icon=":material/warning:")


st.title(t("Data augmentation"))
chosen_dataset_caption()
info = datasets.get_dataset(state.dataset_id())
st.markdown(
    t(
        "Data augmentation shows the network slightly changed copies of the training images "
        "(rotated, shifted, zoomed, flipped) so that it learns the object and not the exact "
        "pixels. It is applied to the training images only, never to validation or test "
        "images, and it usually narrows the gap between training and validation accuracy."
    )
)
kept, enabled = state.augment_choice()
enabled = _header(kept, enabled)
warning_box = st.container()
settings_col, preview_col = st.columns([2, 3], gap="large")
with settings_col:
    config = _kept_settings(kept)
state.set_augment_choice(config, enabled)
with warning_box:
    _warnings(info, config, enabled)
with preview_col:
    _preview(info, config)
    _code(config)
st.page_link("app_pages/train.py", label=t("Go to Train"), icon=":material/model_training:")
