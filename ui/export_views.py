"""The Evaluate page's export section: a run's model as SavedModel, ONNX or LiteRT, each compared
with the Keras model (test accuracy, file size, time per image), a download and usage snippets.

The page shows only runs the session may see (ui.workspace_views), so whoever sees a run may export
it; the files go into the run folder and count against the workspace's storage quota.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from clfcore.errors import UserInputError
from clfcore.export import formats, snippets
from clfcore.i18n import N_
from clfcore.runs.folder import RunFolder
from clfcore.workspace import quota
from ui import session
from ui.lang import t, translator
from ui.widgets import show_error

TARGET_NAMES = {
    "python": N_("Python"),
    "android": N_("Android (Kotlin)"),
    "raspberry_pi": N_("Raspberry Pi"),
}


def _format_label(key: str) -> str:
    fmt, _, quantized = key.partition("-")
    name = t(formats.FORMAT_NAMES[fmt])
    return f"{name} · int8" if quantized else f"{name} · float32"


SHORT_NAMES = {"saved_model": "SavedModel", "onnx": "ONNX", "litert": "LiteRT"}  # the buttons


def _size(count: int) -> str:
    """A file's size: kilobytes below a megabyte (a tiny model's export is a few kB)."""
    return f"{count / 1e3:.0f} kB" if count < 10**6 else quota.storage_size(count)


def _export(run: RunFolder, fmt: str, int8: bool) -> None:
    try:
        formats.check_request(fmt, int8=int8)
        # an export is about the size of the model file: the quota must hold that much more
        quota.check_quota(
            session.workspace(),
            session.settings().quota_bytes,
            adding=run.model_path.stat().st_size,
        )
        with st.spinner(t("Exporting and checking the export on the test images...")):
            formats.export_run(run, fmt, int8=int8)
    except UserInputError as error:
        show_error(error)


def _table(run: RunFolder, exported: list[formats.ExportResult]) -> None:
    keras_ms = next(
        (e.keras_ms_per_image for e in reversed(exported) if e.keras_ms_per_image), None
    )
    rows = [
        {
            t("Model"): t("Keras (model.keras)"),
            t("Test accuracy"): exported[0].keras_test_accuracy,
            t("File size"): _size(run.model_path.stat().st_size),
            t("ms per image"): keras_ms,
        }
    ]
    rows += [
        {
            t("Model"): _format_label(e.key),
            t("Test accuracy"): e.test_accuracy,
            t("File size"): _size(e.bytes),
            t("ms per image"): e.ms_per_image,
        }
        for e in exported
    ]
    st.dataframe(
        pd.DataFrame(rows),
        hide_index=True,
        width="stretch",
        column_config={
            t("Test accuracy"): st.column_config.NumberColumn(format="percent"),
            t("ms per image"): st.column_config.NumberColumn(format="%.3f"),
        },
    )
    st.caption(
        t(
            "Each export was loaded back in its own runtime (TensorFlow, ONNX Runtime, the LiteRT "
            "interpreter) and run on the whole test set. The time is the median of classifying "
            "one image at a time on this server; a phone's differs."
        )
    )


def _downloads(exported: list[formats.ExportResult]) -> None:
    cols = st.columns(max(len(exported), 1))
    for col, result in zip(cols, exported):
        data, file_name = formats.download(result)
        label = SHORT_NAMES[result.format] + (" int8" if result.int8 else "")
        col.download_button(
            label,
            data,
            file_name=file_name,
            mime="application/octet-stream",
            icon=":material/download:",
            on_click="ignore",
            key=f"export-download-{result.key}",
        )


def _snippets(run: RunFolder, exported: list[formats.ExportResult]) -> None:
    facts = snippets.facts_for_run(run)
    shown = st.selectbox(
        t("Usage for"),
        [e.key for e in exported],
        format_func=_format_label,
        key=f"export-snippet-{run.run_id}",
    )
    result = next(e for e in exported if e.key == shown)
    found = snippets.snippets(result.format, facts, file_name=formats.loaded_name(result))
    tr = translator()
    tabs = st.tabs([tr(TARGET_NAMES[target]) for target, _, _ in found])
    for tab, (_, language, code) in zip(tabs, found):
        tab.code(code, language=language)


def render_export(run: RunFolder) -> None:
    """The export section for ``run``: choose a format, export, compare, download, use."""
    st.caption(
        t(
            "For phones and the web: the model as a TensorFlow SavedModel, ONNX or LiteRT file. "
            "int8 (LiteRT) quantizes weights and activations after training, calibrated on "
            "{count} training images: about a quarter of the size, for a small loss of accuracy.",
            count=formats.REPRESENTATIVE_IMAGES,
        )
    )
    key = f"export-{run.run_id}"
    c1, c2, c3 = st.columns([3, 1, 1], vertical_alignment="bottom")
    fmt = c1.selectbox(
        t("Format"),
        list(formats.FORMATS),
        format_func=lambda f: t(formats.FORMAT_NAMES[f]),
        key=f"{key}-format",
    )
    int8 = c2.checkbox(
        t("int8"),
        key=f"{key}-int8",
        disabled=fmt not in formats.INT8_FORMATS,
        help=t("Full-integer post-training quantization; LiteRT only."),
    )
    missing = formats.missing_packages(fmt)
    if missing:
        st.info(
            t(
                "Exporting to this format needs {packages}. Install the export extra with "
                "pip install 'clfcore[export]', then restart the app.",
                packages=", ".join(missing),
            ),
            icon=":material/extension:",
        )
    if c3.button(t("Export"), key=f"{key}-go", icon=":material/ios_share:", disabled=bool(missing)):
        _export(run, fmt, bool(int8 and fmt in formats.INT8_FORMATS))
    exported = formats.list_exports(run)
    if not exported:
        return
    _table(run, exported)
    _downloads(exported)
    _snippets(run, exported)
