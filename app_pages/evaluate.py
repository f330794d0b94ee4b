"""Evaluate: what a trained run learned and where it fails - curves, test metrics, confusion matrix,
per-class scores, ROC / PR, the test images themselves, and a look inside the network."""

import streamlit as st

from clfcore.errors import UserInputError
from clfcore.evaluation import exports, run_predictions
from clfcore.evaluation.run_predictions import Predictions
from clfcore.evaluation.scoring import Report
from clfcore.inference.preprocess import style_for_dataset
from clfcore.runs import listing
from clfcore.runs.folder import RunFolder
from ui import continue_views, eval_data, eval_tabs, state, task_views, workspace_views
from ui.export_views import render_export
from ui.insight_views import render_feature_space, render_inside_network
from ui.lang import current as current_language
from ui.lang import number, t, translator
from ui.layer_views import render_layer_walk
from ui.widgets import (
    class_label,
    finished_runs_or_prompt,
    linked_run_or_stop,
    show_error,
    translated_status,
)

_PICKER = "evaluate_run_picker"


# what is computed once per run and kept: ui.eval_data; the tabs: ui.eval_tabs


# --- the run --------------------------------------------------------------------------------------


def _pick_run(candidates: list, linked: RunFolder | None) -> str:
    """The run chosen in the picker (first: the one the page's link opens, if new)."""
    ids = [r.run_id for r in candidates]
    by_id = {r.run_id: r for r in candidates}
    if linked is not None:
        if linked.run_id not in by_id:  # the run is the user's to see, but not to evaluate yet
            try:
                run_predictions.evaluable_run(linked.run_id, root=linked.path.parent)
            except UserInputError as error:
                show_error(error)
                st.stop()
        st.session_state[_PICKER] = linked.run_id
        state.set_evaluated_run(linked.run_id)
    preferred = next(
        (r for r in (state.evaluated_run(), state.followed_run()) if r in by_id), ids[0]
    )
    if st.session_state.get(_PICKER) not in by_id:
        st.session_state.pop(_PICKER, None)  # e.g. a run deleted meanwhile
    tr = translator()
    choice = st.selectbox(
        t("Run"),
        ids,
        index=ids.index(preferred),
        key=_PICKER,
        format_func=lambda r: " · ".join(
            (
                workspace_views.label(by_id[r]),
                str(by_id[r].architecture),
                str(by_id[r].dataset),
                tr(by_id[r].status),
            )
        ),
    )
    state.set_evaluated_run(choice)
    workspace_views.follow_link("evaluate", choice)
    return choice


def _summary(run: RunFolder, summary, report: Report) -> None:
    metrics = run.metrics()
    st.caption(
        t(
            "{arch} on {dataset} · {status} · {epochs} epochs in {seconds} s · {params} "
            "parameters · evaluated on {count} test images",
            arch=summary.architecture,
            dataset=summary.dataset,
            status=translated_status(summary.status),
            epochs=metrics.get("epochs_run", "?"),
            seconds=f"{metrics.get('train_seconds', 0):.0f}",
            params=number(int(metrics.get("total_params") or 0)),
            count=number(report.num_images),
        )
    )
    cols = st.columns(5)
    if report.task == "multilabel":  # names: clfcore.runs.figures
        cols[0].metric(
            t("Label accuracy"),
            f"{report.label_accuracy:.2%}",
            help=t("Right yes/no decisions, one per image and label: the accuracy Keras reports."),
        )
        cols[1].metric(
            t("Subset accuracy"),
            f"{report.accuracy:.2%}",
            help=t("Images whose every label is right."),
        )
        cols[2].metric(
            t("Hamming loss"),
            f"{report.hamming_loss:.4f}",
            help=t("Share of wrong (image, label) decisions."),
        )
    else:
        cols[0].metric(t("Test accuracy"), f"{report.accuracy:.2%}")
        for col, (k, value) in zip(cols[1:3], report.top_k.items()):
            col.metric(
                t("Top-{k} accuracy", k=k),
                f"{value:.2%}",
                help=t("The true class is among the {k} most probable ones.", k=k),
            )
    if report.task == "hierarchical":
        cols[3].metric(
            t("Fine loss"),
            f"{report.loss:.4f}",
            help=t("Mean cross-entropy of the fine head; training minimised the combined loss."),
        )
    else:
        cols[3].metric(
            t("Test loss"),
            f"{report.loss:.4f}",
            help=t("Mean cross-entropy on the test images, the loss the model was trained on."),
        )
    cols[4].metric(
        t("Macro F1"),
        f"{report.averages['macro']['f1']:.3f}",
        help=t("The mean of the per-class F1 scores: every class counts the same."),
    )


def _downloads(run: RunFolder, report: Report, names: list[str]) -> None:
    tr = translator()
    cols = st.columns(3)
    cols[0].download_button(
        t("Metrics (CSV)"),
        exports.metrics_csv(report, tuple(names), tr=tr),
        file_name=f"{run.run_id}-metrics.csv",
        mime="text/csv",
        icon=":material/download:",
        on_click="ignore",
    )
    cols[1].download_button(
        t("Classification report"),
        exports.classification_report(report, tuple(names), title=run.run_id, tr=tr),
        file_name=f"{run.run_id}-report.txt",
        mime="text/plain",
        icon=":material/download:",
        on_click="ignore",
    )
    if report.confusion is not None:
        cols[2].download_button(
            t("Confusion matrix (CSV)"),
            exports.confusion_csv(report, tuple(names)),
            file_name=f"{run.run_id}-confusion.csv",
            mime="text/csv",
            icon=":material/download:",
            on_click="ignore",
        )


# --- tabs -----------------------------------------------------------------------------------------


def _runs_with_a_model() -> list:
    """The finished runs that saved a model; stops the page (with a note) when there is none."""
    finished = finished_runs_or_prompt()
    candidates = [r for r in finished if r.has_model]
    if not candidates:
        if finished:
            st.info(
                t(
                    "None of the finished runs saved a model (they ended before their first "
                    "epoch). Train a model to evaluate it."
                ),
                icon=":material/info:",
            )
        st.stop()
    return candidates


def _evaluated(summary: listing.RunSummary) -> tuple[RunFolder, int, Predictions, Report]:
    """The run, its model's stamp, its test predictions and report; stops the page on bad input."""
    try:
        run = eval_data.evaluable(str(summary.path))
        stamp = run_predictions.model_stamp(run)
        with st.spinner(t("Running the model on the test images (once per model)...")):
            preds = eval_data.predictions(str(run.path), stamp)
        # a multi-label run is judged at the threshold it was trained and tested with
        report = eval_data.report(str(run.path), stamp, run.config().threshold)
    except UserInputError as error:
        show_error(error)
        st.stop()
    return run, stamp, preds, report


# the open tab's position: kept when the language (and so every tab label) changes
_TAB = "evaluate_tab"


def _remember_tab(labels: list[str], key: str) -> None:
    st.session_state[_TAB] = labels.index(st.session_state[key])


def _tabs(run: RunFolder, stamp: int, preds: Predictions, report: Report, names: list[str]) -> None:
    """The seven tabs; only the open ones run."""
    labels = [
        t("Learning curves"),
        t("Confusion matrix"),
        t("Per-class metrics"),
        t("ROC and PR curves"),
        t("Test images"),
        t("Inside the network"),
        t("Feature space"),
    ]
    tab_key = f"evaluate-tabs-{current_language()}"
    tabs = st.tabs(
        labels,
        default=labels[st.session_state.get(_TAB, 0)],
        key=tab_key,
        on_change=_remember_tab,
        args=(labels, tab_key),
    )
    if tabs[0].open:
        with tabs[0]:
            eval_tabs.curves_tab(run)
    if tabs[1].open:
        with tabs[1]:
            eval_tabs.confusion_tab(run, preds, report, names)
    if tabs[2].open:
        with tabs[2]:
            eval_tabs.per_class_tab(run, preds, report, names)
    if tabs[3].open:
        with tabs[3]:
            eval_tabs.roc_tab(run, preds, names)
    if tabs[4].open:
        with tabs[4]:
            st.fragment(eval_tabs.predictions_tab)(run, preds, names)
    if tabs[5].open or tabs[6].open:
        run_id = run.run_id
        sample, labels, images = eval_data.insight_images(str(run.path), stamp)
        model = eval_data.model(str(run.path), stamp)
        if tabs[5].open:
            with tabs[5]:
                render_layer_walk(
                    model,
                    images,
                    labels,
                    names,
                    key=f"walk-{run_id}",
                    indices=sample,
                    style=style_for_dataset(run.config().dataset),
                    similar_index=lambda: eval_data.similar_index(str(run.path), stamp),
                )
                render_inside_network(
                    model,
                    images,
                    labels,
                    names,
                    key=f"inside-{run_id}",
                    indices=sample,
                    feature_maps=False,  # the layer walk above shows every layer's maps
                )
        if tabs[6].open:
            with tabs[6]:
                render_feature_space(
                    model,
                    images,
                    labels,
                    names,
                    key=f"features-{run_id}",
                    indices=sample,
                )


# --- the page -------------------------------------------------------------------------------------

st.title(t("Evaluate"))
st.markdown(
    t(
        "What a trained model learned and where it fails: learning curves, test metrics, "
        "the confusion matrix, per-class scores, ROC curves, the test images themselves "
        "and a look inside the network."
    )
)
linked = linked_run_or_stop("evaluate")  # before anything else: a forbidden link shows nothing
candidates = _runs_with_a_model()
run_id = _pick_run(candidates, linked)
summary = next(r for r in candidates if r.run_id == run_id)
run, stamp, preds, report = _evaluated(summary)
names = [class_label(name) for name in preds.class_names]
_summary(run, summary, report)
_downloads(run, report, names)
st.caption(t("Link to this run:"))
st.code(workspace_views.link_url("evaluate", run_id), language=None)
continue_views.parent_caption(run)
if preds.task == "hierarchical":  # both levels here; the tabs below show the fine level
    task_views.hierarchy_section(str(run.path), stamp)
_tabs(run, stamp, preds, report, names)
# what comes after a first run, below what it shows
continue_views.continue_training(run, key="evaluate-continue")
export = st.expander(  # drawn only while open
    t("Export for phones and the web"),
    icon=":material/ios_share:",
    key=f"export-open-{run_id}",
    on_change="rerun",
)
if export.open:
    with export:
        render_export(run)
