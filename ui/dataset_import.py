"""The Dataset page's "Import your own images" section, and the settings and deletion of your own
datasets.

Everything is computed by ``clfcore.data.archive``; this module only draws it. The app never reads a
server path outside the data root: a dataset arrives as an uploaded ZIP, or is a folder someone
already put under the data root (listed in the picker without importing). An import goes into the
session's workspace (``ui.session.workspace().data_dir``: the data root in personal mode), within a
student's storage quota on a class server.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from clfcore.data import archive, datasets, folders
from clfcore.data.datasets import dataset_owner, user_folder
from clfcore.data.folders import FolderSettings
from clfcore.data.splits import SplitConfig
from clfcore.errors import UserInputError
from clfcore.workspace import quota
from ui import session, state
from ui.lang import number, t, translator
from ui.widgets import show_error

# what the last import or deletion did, shown once after the rerun that reveals it
_DONE = "_import_done"
_ROUND = "_import_round"  # bumped after an import so the file uploaders start empty again
SHOWN_NAMES = 8  # file names listed before "and N more"
PLAIN_LAYOUT = """pets.zip
├── cat/
│   ├── 001.jpg
│   └── ...
└── dog/
    ├── 001.jpg
    └── ..."""
SPLIT_LAYOUT = """pets.zip
├── train/
│   ├── cat/ ...
│   └── dog/ ...
└── test/
    ├── cat/ ...
    └── dog/ ..."""


def render(info: datasets.DatasetInfo) -> None:
    """The import section; for a dataset of the user's own, also its settings and (if imported)
    Delete."""
    _last_action()
    if info.id not in datasets.builtin_ids() and _may_manage(info.id):
        _manage(info)
    _import_section()


def _may_manage(dataset_id: str) -> bool:
    """Its settings and deletion are for the workspace that holds it (every dataset in personal
    mode; a class-wide folder in the data root is the teacher's to manage)."""
    workspace = session.workspace()
    return workspace.sees_everything or dataset_owner(dataset_id) == workspace.owner


def _folder_of(dataset_id: str) -> tuple[str, str]:
    """(name, folder that holds it) of a user dataset: "flowers", ".../users/ana"."""
    folder = user_folder(dataset_id)
    if folder is None:  # not a user dataset id: archive refuses the name with its message
        return dataset_id, str(session.workspace().data_dir)
    return folder.name, str(folder.parent)


def _names(names: list[str]) -> str:
    """'a, b, c' or 'a, b, c and 12 more'."""
    shown = ", ".join(names[:SHOWN_NAMES])
    return (
        shown
        if len(names) <= SHOWN_NAMES
        else t("{files} and {count} more", files=shown, count=number(len(names) - SHOWN_NAMES))
    )


def _skipped_text(skipped) -> str:
    tr = translator()
    return _names([f"{item.name} ({tr(item.reason)})" for item in skipped])


def _last_action() -> None:
    done = st.session_state.pop(_DONE, None)
    if done is None:
        return
    if isinstance(done, str):
        st.success(t("Deleted the dataset {name}.", name=done), icon=":material/delete:")
        return
    st.success(
        t(
            "Imported {name}: {images} images in {classes} classes ({size} {colour}). It "
            "is now the chosen dataset: explore it below.",
            name=done.name,
            images=number(done.images),
            classes=len(done.class_names),
            size="x".join(map(str, done.settings.image_size)),
            colour=t("grayscale") if done.settings.color_mode == "grayscale" else t("RGB"),
        ),
        icon=":material/check_circle:",
    )
    if done.skipped:
        files = _skipped_text(done.skipped)
        st.warning(
            t("1 image was left out: {files}.", files=files)
            if len(done.skipped) == 1
            else t(
                "{count} images were left out: {files}.",
                count=number(len(done.skipped)),
                files=files,
            ),
            icon=":material/broken_image:",
        )
    if done.non_images:
        files = _names(list(done.non_images))
        st.caption(
            t("1 file that is not an image was skipped: {files}.", files=files)
            if len(done.non_images) == 1
            else t(
                "{count} files that are not images were skipped: {files}.",
                count=number(len(done.non_images)),
                files=files,
            )
        )


def _import_section() -> None:
    round_ = st.session_state.get(_ROUND, 0)
    with st.expander(t("Import your own images"), icon=":material/upload_file:"):
        st.markdown(
            t(
                "Upload a ZIP file with one folder of images per class: the folder names "
                "become the class names, as with `keras.utils.image_dataset_from_directory`. "
                "Optionally put the class folders in `train/` and `test/` folders for a "
                "separate test set. PNG, JPEG, BMP, GIF, WebP and TIFF images are read; "
                "other files are skipped."
            )
        )
        plain, split = st.columns(2)
        plain.caption(t("One folder per class:"))
        plain.code(PLAIN_LAYOUT, language=None)
        split.caption(t("Or with a separate test set:"))
        split.code(SPLIT_LAYOUT, language=None)
        left, right = st.columns(2)
        upload = left.file_uploader(
            t("ZIP of class folders (at most {mb} MB)", mb=st.get_option("server.maxUploadSize")),
            type="zip",
            key=f"import_zip_{round_}",
        )
        test_upload = right.file_uploader(
            t("Separate test images (optional ZIP with the same class folders)"),
            type="zip",
            key=f"import_test_zip_{round_}",
        )
        if upload is None:
            st.caption(
                t(
                    "A folder with one sub-folder of images per class that is already in "
                    "{root} appears in the dataset picker without importing.",
                    root=str(session.workspace().data_dir),
                )
            )
            return
        try:
            plan = archive.inspect(upload, test_source=test_upload)
        except UserInputError as error:
            show_error(error)
            return
        _preview(plan)
        _import_form(plan, upload, test_upload)


def _preview(plan: archive.ImportPlan) -> None:
    st.markdown(
        t(
            "**{file}**: {classes} classes, {images} images.",
            file=plan.source_name,
            classes=len(plan.class_names),
            images=number(plan.images),
        )
        + " "
        + t(
            "Every image is checked when you import: those that cannot be read are left "
            "out and listed."
        )
    )
    if plan.unwrapped:
        st.caption(
            t(
                "The folder {folder}/ that wraps the class folders is left out of the names.",
                folder=plan.unwrapped,
            )
        )
    if plan.merged_validation:
        st.caption(
            t(
                "The images in {folder}/ are added to the training images; the validation "
                "split below takes its share from all of them.",
                folder=plan.merged_validation,
            )
        )
    if plan.has_test_set:
        st.caption(
            t("The test folder is the test set: it stays untouched until the final evaluation.")
        )
    else:
        st.caption(
            t(
                "There is no test folder: 20 %, fixed and stratified, of the images will "
                "be held out as the test set."
            )
        )
    table = {t("Class"): list(plan.class_names), t("Training images"): list(plan.train_counts)}
    if plan.has_test_set:
        table[t("Test images")] = list(plan.test_counts)
    # rows are 35 px
    st.dataframe(
        pd.DataFrame(table),
        hide_index=True,
        width="stretch",
        height=min(35 * (len(plan.class_names) + 1) + 3, 320),
    )
    if plan.non_images:
        files = _names(list(plan.non_images))
        st.info(
            t("1 file that is not an image will be skipped: {files}.", files=files)
            if len(plan.non_images) == 1
            else t(
                "{count} files that are not images will be skipped: {files}.",
                count=number(len(plan.non_images)),
                files=files,
            ),
            icon=":material/description:",
        )
    if plan.left_out:
        files = _skipped_text(plan.left_out)
        st.warning(
            t("1 image will be left out: {files}.", files=files)
            if len(plan.left_out) == 1
            else t(
                "{count} images will be left out: {files}.",
                count=number(len(plan.left_out)),
                files=files,
            ),
            icon=":material/block:",
        )


def _settings_inputs(current: FolderSettings, key: str) -> FolderSettings | None:
    """Size, colour, validation split and seed inputs; the settings, or None (with the error shown)
    if invalid."""
    tr = translator()
    size = current.image_size or (folders.MAX_SIDE, folders.MAX_SIDE)
    low, high = folders.SIZE_RANGE
    c1, c2, c3 = st.columns(3)
    size_help = t(
        "Every image is resized to this size. Small images train fast on a CPU; the first "
        "image decides by default (at most {side} pixels a side).",
        side=folders.MAX_SIDE,
    )
    height = c1.number_input(
        t("Height (pixels)"),
        min_value=low,
        max_value=high,
        value=min(max(size[0], low), high),
        help=size_help,
        key=f"{key}_height",
    )
    width = c2.number_input(
        t("Width (pixels)"),
        min_value=low,
        max_value=high,
        value=min(max(size[1], low), high),
        help=size_help,
        key=f"{key}_width",
    )
    colour = c3.radio(
        t("Colour mode"),
        folders.COLOR_MODES,
        index=folders.COLOR_MODES.index(current.color_mode or "rgb"),
        format_func=lambda mode: tr("grayscale") if mode == "grayscale" else tr("RGB"),
        horizontal=True,
        key=f"{key}_colour",
        help=t("Grayscale images have 1 channel, RGB colour images 3."),
    )
    c4, c5 = st.columns(2)
    validation = c4.slider(
        t("Validation (%)"),
        5,
        50,
        int(round((current.validation_split or archive.DEFAULT_VALIDATION_SPLIT) * 100)),
        step=5,
        key=f"{key}_validation",
        help=t(
            "Share of the training images held out for validation whenever this dataset "
            "is chosen (as validation_split in Keras)."
        ),
    )
    seed = c5.number_input(
        t("Seed"),
        min_value=0,
        max_value=2**31 - 1,
        value=current.seed if current.seed is not None else archive.DEFAULT_SEED,
        key=f"{key}_seed",
        help=t("The same seed always gives the same split."),
    )
    try:
        return FolderSettings(
            image_size=(int(height), int(width)),
            color_mode=colour,
            validation_split=validation / 100,
            seed=int(seed),
        )
    except UserInputError as error:
        show_error(error)
        return None


def _import_form(plan: archive.ImportPlan, upload, test_upload) -> None:
    # fresh defaults for every new upload
    key = f"import_{upload.file_id}_{getattr(test_upload, 'file_id', '')}"
    workspace = session.workspace()
    st.markdown("**" + t("Import settings") + "**")
    name = st.text_input(
        t("Dataset name"),
        value=archive.suggest_name(plan.source_name, root=workspace.data_dir),
        max_chars=40,
        key=f"{key}_name",
        help=t(
            "Letters, digits, - and _. The dataset's id in the picker, in run settings "
            "and on the command line."
        ),
    ).strip()
    settings = _settings_inputs(plan.suggested_settings(), key)
    replace = False
    if name and archive.import_record(name, root=workspace.data_dir) is not None:
        replace = st.checkbox(
            t("Replace the dataset {name} imported before", name=name), key=f"{key}_replace"
        )
    if not st.button(
        t("Import"),
        type="primary",
        icon=":material/upload:",
        key=f"{key}_go",
        disabled=settings is None,
    ):
        return
    progress = st.progress(0.0, text=t("Checking the images..."))
    step = max(1, plan.images // 50)

    def report(done: int, total: int) -> None:
        if done % step == 0 or done == total:
            progress.progress(
                done / total,
                text=t(
                    "Checking the images: {done} of {total}", done=number(done), total=number(total)
                ),
            )

    try:
        quota.check_quota(workspace, session.settings().quota_bytes, adding=plan.total_bytes)
        result = archive.import_dataset(
            upload,
            name,
            test_source=test_upload,
            settings=settings,
            replace=replace,
            on_progress=report,
            root=workspace.data_dir,
        )
    except UserInputError as error:
        progress.empty()
        show_error(error)
        return
    state.set_dataset_id(workspace.dataset_id(result.name))
    st.session_state[_DONE] = result
    st.session_state[_ROUND] = st.session_state.get(_ROUND, 0) + 1
    st.rerun()


def _manage(info: datasets.DatasetInfo) -> None:
    name, root = _folder_of(info.id)
    record = archive.import_record(name, root=root)
    with st.expander(t("Settings of {name}", name=info.name), icon=":material/settings:"):
        if record is not None:
            st.caption(
                t(
                    "Imported from {source} on {date}. Stored in {path}.",
                    source=record["source"],
                    date=record["date"][:10],
                    path=info.source,
                )
            )
        else:
            st.caption(
                t(
                    "A folder put in the data root by hand: {path}. Its settings are stored "
                    "in its dataset.json.",
                    path=info.source,
                )
            )
        current = archive.current_settings(info)
        # saved values become the new defaults
        key = f"settings_{info.id}_{info.image_shape}_{info.validation_split}_{info.seed}"
        with st.form(key=key, border=False):
            settings = _settings_inputs(current, key)
            saved = st.form_submit_button(t("Save settings"), icon=":material/save:")
        if saved and settings is not None:
            try:
                archive.save_settings(name, settings, root=root)
            except UserInputError as error:
                show_error(error)
                return
            old = state.split_config()
            state.set_split_config(
                SplitConfig(
                    validation_split=settings.validation_split,
                    seed=settings.seed,
                    one_hot=old.one_hot,
                )
            )
            st.rerun()
        if record is not None:
            _delete_button(info, name, root)


def _delete_button(info: datasets.DatasetInfo, name: str, root: str) -> None:
    with st.popover(t("Delete {name}...", name=info.name), icon=":material/delete:"):
        images = number(info.train_count + info.test_count)
        st.warning(
            t(
                "This deletes {name} and its {images} images from your workspace. It cannot be "
                "undone.",
                name=info.name,
                images=images,
            )
            if session.settings().is_class
            else t(
                "This deletes {name} and its {images} images from the server, for everyone "
                "who uses this app. It cannot be undone.",
                name=info.name,
                images=images,
            )
        )
        if st.button(
            t("Yes, delete {name}", name=info.name), type="primary", key=f"delete_{info.id}"
        ):
            try:
                archive.delete_dataset(name, root=root)
            except UserInputError as error:
                show_error(error)
                return
            state.set_dataset_id(datasets.default_dataset_id())
            st.session_state[_DONE] = info.name
            st.rerun()
