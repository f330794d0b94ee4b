"""Evaluate: what a trained run learned and where it fails - curves, test metrics, confusion matrix,
per-class scores, ROC / PR, the test images themselves, and a look inside the network."""

from pathlib import Path

import numpy as np
import pandas as pd
import streamlit as st

from clfcore.errors import UserInputError
from clfcore.evaluation import browse, commentary, exports, roc_pr, run_predictions, scoring
from clfcore.evaluation.run_predictions import Predictions
from clfcore.evaluation.scoring import Report
from clfcore.i18n import N_
from clfcore.inference import similar
from clfcore.inference.display import enlarged_uint8
from clfcore.inference.preprocess import style_for_dataset
from clfcore.runs import lineage, listing
from clfcore.runs.folder import RunFolder
from ui import charts, continue_views, eval_charts, state, task_views, workspace_views
from ui.export_views import render_export
from ui.heap import freeze_long_lived
from ui.insight_views import render_feature_space, render_gradcam, render_inside_network
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
PAGE_SIZE = 24  # images per gallery page
GALLERY_COLUMNS = 6
INSIGHT_IMAGES = (
    2000  # test images handed to the feature-space and inside-the-network views (stratified)
)
SORTS = {  # the labels of browse.SORTS
    "loss": N_("highest loss first (top losses)"),
    "least_confident": N_("least confident first"),
    "most_confident": N_("most confident first"),
    "index": N_("test-set order"),
}
SHOW = {"all": N_("all"), "wrong": N_("wrong only"), "correct": N_("correct only")}  # browse.SHOWS


# --- cached per run (keyed by the run's folder - runs of several workspaces may be open - and the
# model file's time, so a retrained model is evaluated again). Only a run the session may see
# (ui.workspace_views) is ever handed to them.


def _evaluable(run_dir: str) -> RunFolder:
    folder = Path(run_dir)
    return run_predictions.evaluable_run(folder.name, root=folder.parent)


@st.cache_data(show_spinner=False, max_entries=16)
def _predictions(run_dir: str, stamp: int) -> Predictions:
    predictions = run_predictions.predict_run(_evaluable(run_dir))
    freeze_long_lived()  # TensorFlow may just have loaded
    return predictions


@st.cache_data(show_spinner=False, max_entries=16)
def _report(run_dir: str, stamp: int, threshold: float = 0.5) -> Report:
    return scoring.evaluate(_predictions(run_dir, stamp), threshold=threshold)


@st.cache_data(show_spinner=False, max_entries=16)
def _curves(run_dir: str, stamp: int) -> dict:
    return roc_pr.one_vs_rest_curves(_predictions(run_dir, stamp))


@st.cache_resource(show_spinner=False, max_entries=4)
def _model(run_dir: str, stamp: int):
    model = run_predictions.load_model(_evaluable(run_dir))
    freeze_long_lived()  # the model and TensorFlow live as long as the server
    return model


# Figures every session of a run shows alike, built once (plotly's Figure construction is the
# costliest part of a view) and shared: st.plotly_chart only reads them (it copies the figure
# before serialising it). Never modify a returned figure.


@st.cache_resource(show_spinner=False, max_entries=16)
def _learning_curves(run_dir: str, stamp: int, language: str, best_epoch: int | None):
    history = lineage.continued_history(_evaluable(run_dir))  # a continued run: its parent's too
    return charts.learning_curves(
        history, best_epoch=best_epoch, continued_at=lineage.continued_at(history)
    )


@st.cache_resource(show_spinner=False, max_entries=4)
def _insight_images(run_dir: str, stamp: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The stratified sample the feature-space and inside-the-network views show: positions in
    the test set, their labels, the images scaled; shared by every session, so read-only."""
    run = _evaluable(run_dir)
    preds = _predictions(run_dir, stamp)
    sample = browse.insight_sample(preds, INSIGHT_IMAGES)
    arrays = (sample, browse.single_labels(preds, sample), _images(run, sample))
    for array in arrays:
        array.setflags(write=False)
    return arrays


@st.cache_resource(show_spinner=False, max_entries=2)
def _similar_index(run_dir: str, stamp: int) -> tuple[similar.NeighbourIndex, np.ndarray]:
    """The nearest-neighbour index of a sample of the run's training images in its model's
    penultimate-layer space, and those images; shared by every session, so read-only."""
    positions, images, labels = run_predictions.training_sample(_evaluable(run_dir).config())
    images.setflags(write=False)
    index = similar.fit_index(_model(run_dir, stamp), images, labels, positions=positions)
    return index, images


def _images(run: RunFolder, indices) -> np.ndarray:
    return run_predictions.scaled_test_images(run.config(), indices)


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


def _reading(reading: commentary.Reading, names: list[str]) -> str:
    # 1,000 / 1.000
    params = {k: number(v) if isinstance(v, int) else v for k, v in reading.params.items()}
    return t(reading.template, **params, **{k: names[v] for k, v in reading.classes.items()})


# --- tabs -----------------------------------------------------------------------------------------


def _curves_tab(run: RunFolder) -> None:
    history = run.history()
    if not history:
        st.info(t("This run saved no history."), icon=":material/info:")
        return
    config = run.config()
    best = run.metrics().get("best_epoch") or scoring.best_epoch(history, config.checkpoint_monitor)
    st.plotly_chart(
        _learning_curves(str(run.path), run_predictions.model_stamp(run), current_language(), best),
        width="stretch",
        key=f"curves-{run.run_id}",
    )
    if best:
        st.caption(
            t(
                "The dashed line marks epoch {epoch}, the best by {monitor}: model.keras "
                "holds that epoch's weights, and it is the model evaluated here.",
                epoch=best,
                monitor=config.checkpoint_monitor,
            )
        )
    for reading in commentary.curves_reading(history):
        st.markdown("- " + _reading(reading, []))


def _cell_from_selection(event) -> tuple[int, int] | None:
    points = (event.selection.points if event and event.selection else []) or []
    for point in points:
        if point.get("x") is not None and point.get("y") is not None:
            return int(round(point["y"])), int(round(point["x"]))
    return None


def _confusion_tab(run: RunFolder, preds: Predictions, report: Report, names: list[str]) -> None:
    if report.confusion is None:
        st.info(
            t(
                "A multi-label model has no single confusion matrix: each label is a yes/no "
                "decision of its own. See the per-label metrics."
            ),
            icon=":material/info:",
        )
        return
    key = f"cm-{run.run_id}"
    if f"{key}-true" not in st.session_state:  # start on the most frequent mistake
        mistake = browse.most_frequent_mistake(report.confusion)
        st.session_state[f"{key}-true"], st.session_state[f"{key}-pred"] = mistake
    modes = {"counts": t("counts"), "rows": t("share of each true class (row-normalised)")}
    mode = (
        st.segmented_control(
            t("Show"),
            list(modes),
            format_func=modes.get,
            default="counts",
            key=f"{key}-mode",
            required=True,
            persist_state="page",
        )
        or "counts"
    )
    chosen = (st.session_state[f"{key}-true"], st.session_state[f"{key}-pred"])
    event = st.plotly_chart(
        eval_charts.confusion_heatmap(
            report.confusion, names, normalise=mode == "rows", chosen=chosen
        ),
        width="stretch",
        on_select="rerun",
        selection_mode="points",
        key=f"{key}-chart",
        config={"displayModeBar": False},
    )
    picked = _cell_from_selection(event)
    if picked is not None and picked != st.session_state.get(f"{key}-picked"):
        st.session_state[f"{key}-picked"] = picked
        st.session_state[f"{key}-true"], st.session_state[f"{key}-pred"] = picked
        st.rerun()
    st.caption(
        t(
            "Rows are the true classes, columns the predicted ones; the diagonal holds "
            "the correct predictions. Click a cell, or choose it below, to see its test "
            "images."
        )
    )
    c1, c2 = st.columns(2)
    classes = list(range(len(names)))
    true = c1.selectbox(
        t("True class"),
        classes,
        format_func=names.__getitem__,
        key=f"{key}-true",
        persist_state="page",
    )
    pred = c2.selectbox(
        t("Predicted class"),
        classes,
        format_func=names.__getitem__,
        key=f"{key}-pred",
        persist_state="page",
    )
    cell = browse.confusion_cell(preds, true, pred)
    if true == pred:
        st.markdown(
            t(
                "**{count}** test images of {name} were classified correctly, most confident "
                "first.",
                count=len(cell),
                name=names[true],
            )
        )
    else:
        st.markdown(
            t(
                "**{count}** test images of {true} were predicted as {pred}, most confident first.",
                count=len(cell),
                true=names[true],
                pred=names[pred],
            )
        )
    _gallery(run, preds, names, cell, key=f"{key}-gallery")


def _per_class_tab(run: RunFolder, preds: Predictions, report: Report, names: list[str]) -> None:
    if report.task == "multilabel":
        threshold = st.slider(
            t("Decision threshold"),
            0.05,
            0.95,
            run.config().threshold,
            0.05,
            key=f"ml-threshold-{run.run_id}",
            persist_state="page",
            help=t("A label is predicted when its probability is at least this."),
        )
        report = _report(str(run.path), run_predictions.model_stamp(run), threshold)
        st.markdown(
            t(
                "Subset accuracy {subset:.2%} · Hamming loss {hamming:.4f}",
                subset=report.accuracy,
                hamming=report.hamming_loss,
            )
        )
    readings = commentary.worst_classes_reading(report)
    if readings:
        st.markdown("\n".join("- " + _reading(r, names) for r in readings))
    columns = {
        "precision": t("Precision"),
        "recall": t("Recall"),
        "f1": t("F1"),
        "specificity": t("Specificity"),
        "npv": t("NPV"),
    }
    rows = exports.metrics_rows(report, tuple(names), tr=translator())
    table = pd.DataFrame(
        [
            {
                t("Class"): row["class"],
                **{columns[k]: row[k] for k in columns},
                t("Support"): row["support"],
            }
            for row in rows
        ]
    )
    percent = {
        label: st.column_config.ProgressColumn(
            label, format="percent", min_value=0.0, max_value=1.0
        )
        for label in columns.values()
    }
    st.dataframe(
        table.iloc[: report.num_classes], hide_index=True, width="stretch", column_config=percent
    )
    st.markdown(
        t(
            "**Averages** - macro: every class counts the same; micro: every image counts "
            "the same (for one label per image, micro precision = recall = F1 = accuracy); "
            "weighted: classes weighted by their number of test images."
        )
    )
    st.dataframe(
        table.iloc[report.num_classes :],
        hide_index=True,
        width="stretch",
        column_config={
            label: st.column_config.NumberColumn(label, format="percent")
            for label in columns.values()
        },
    )
    for note in report.notes:
        st.caption(t(note.template, classes=", ".join(names[c] for c in note.classes)))
    st.plotly_chart(
        eval_charts.per_class_bars(
            {columns[k]: report.per_class[k] for k in ("precision", "recall", "f1")}, names
        ),
        width="stretch",
        key=f"bars-{run.run_id}",
    )
    with st.expander(t("How these are computed"), icon=":material/function:"):
        st.markdown(
            t(
                "For each class, its test images are the positives and all others the negatives: "
                "TP are its images predicted as it, FP other images predicted as it, FN "
                "its images predicted as something else, TN the rest."
            )
        )
        st.latex(
            r"\text{precision}=\frac{TP}{TP+FP}\quad \text{recall}=\frac{TP}{TP+FN}\quad "
            r"F_1=\frac{2\,\text{precision}\cdot\text{recall}}{\text{precision}+\text{recall}}"
        )
        st.latex(r"\text{specificity}=\frac{TN}{TN+FP}\quad \text{NPV}=\frac{TN}{TN+FN}")
        st.caption(
            t(
                "The course slide prints the negative predictive value as TN/(TN+TP); the "
                "correct formula is TN/(TN+FN). A ratio whose denominator is 0 is shown "
                "as 0, as scikit-learn does with zero_division=0."
            )
        )


def _roc_tab(run: RunFolder, preds: Predictions, names: list[str]) -> None:
    curves = _curves(str(run.path), run_predictions.model_stamp(run))
    classes = list(range(len(names)))
    shown = st.multiselect(
        t("Classes"),
        classes,
        default=browse.default_curve_classes(curves["roc"], task=preds.task),
        format_func=names.__getitem__,
        key=f"roc-classes-{run.run_id}",
        persist_state="page",
    )
    mean_auc = browse.mean_area(curves["roc"])
    if mean_auc is not None:
        st.caption(
            t(
                "Each curve is one class against all the others (one-vs-rest). Mean AUC "
                "over classes: {auc:.3f}.",
                auc=mean_auc,
            )
        )
    c1, c2 = st.columns(2)
    c1.plotly_chart(
        eval_charts.roc_figure(curves["roc"], names, shown),
        width="stretch",
        key=f"roc-{run.run_id}",
    )
    c2.plotly_chart(
        eval_charts.pr_figure(curves["pr"], names, shown), width="stretch", key=f"pr-{run.run_id}"
    )
    missing = [names[c] for c in browse.classes_without_curve(curves["roc"])]
    if missing:
        st.caption(
            t(
                "No curve for classes with no test images (or only those): {classes}.",
                classes=", ".join(missing),
            )
        )
    st.divider()
    st.fragment(_threshold_view)(run, preds, names, curves)


def _threshold_view(run: RunFolder, preds: Predictions, names: list[str], curves: dict) -> None:
    st.subheader(t("Decision threshold"))
    if preds.task == "binary":
        positive = 1
        st.markdown(
            t(
                "An image is called **{name}** when its probability is above the threshold. "
                "Move it to trade false positives for false negatives.",
                name=names[1],
            )
        )
    else:
        st.markdown(
            t(
                "Treat one class as the positive one and all others as negative, as a binary "
                "classifier would: an image is called positive when that class's probability "
                "is above the threshold."
            )
        )
        positive = st.selectbox(
            t("Positive class"),
            list(range(len(names))),
            format_func=names.__getitem__,
            key=f"thr-class-{run.run_id}",
            persist_state="page",
        )
    threshold = st.slider(
        t("Threshold"), 0.0, 1.0, 0.5, 0.01, key=f"thr-{run.run_id}", persist_state="page"
    )
    truth, scores = roc_pr.positive_scores(preds, positive)
    result = roc_pr.threshold_metrics(truth, scores, threshold)
    cols = st.columns(6)
    for col, (label, value) in zip(
        cols,
        (
            (t("Accuracy"), result.accuracy),
            (t("Precision"), result.precision),
            (t("Recall"), result.recall),
            (t("F1"), result.f1),
            (t("Specificity"), result.specificity),
            (t("NPV"), result.npv),
        ),
    ):
        col.metric(label, f"{value:.1%}")
    c1, c2 = st.columns([2, 3])
    labels = (
        [t("not {name}", name=names[positive]), names[positive]]
        if preds.task != "binary"
        else [names[0], names[1]]
    )
    c1.plotly_chart(
        eval_charts.small_confusion(result.confusion, labels),
        width="stretch",
        key=f"thr-cm-{run.run_id}",
    )
    c2.plotly_chart(
        eval_charts.roc_figure(
            curves["roc"],
            names,
            [positive],
            point=(result.false_positive_rate, result.recall),
            height=300,
        ),
        width="stretch",
        key=f"thr-roc-{run.run_id}",
    )


def _predictions_tab(run: RunFolder, preds: Predictions, names: list[str]) -> None:
    tr = translator()
    c1, c2, c3 = st.columns(3)
    classes = [None, *range(len(names))]
    cls = c1.selectbox(
        t("True class"),
        classes,
        format_func=lambda c: tr("every class") if c is None else names[c],
        key=f"gal-class-{run.run_id}",
        persist_state="page",
    )
    show = (
        c2.segmented_control(
            t("Show"),
            list(SHOW),
            format_func=lambda k: tr(SHOW[k]),
            default="wrong",
            key=f"gal-show-{run.run_id}",
            required=True,
            persist_state="page",
        )
        or "all"
    )
    sort = c3.selectbox(
        t("Sort"),
        list(SORTS),
        format_func=lambda k: tr(SORTS[k]),
        key=f"gal-sort-{run.run_id}",
        persist_state="page",
    )
    indices = browse.filter_images(preds, true_class=cls, show=show, sort=sort)
    wrong = int(np.sum(~preds.correct))
    st.caption(
        t(
            "{count} of {total} test images match ({wrong} wrong in total). ✓ right, ✗ "
            "wrong: true class → predicted class (confidence).",
            count=number(len(indices)),
            total=number(preds.num_images),
            wrong=number(wrong),
        )
    )
    _gallery(run, preds, names, indices, key=f"gal-{run.run_id}")


def _gallery(
    run: RunFolder, preds: Predictions, names: list[str], indices: np.ndarray, *, key: str
) -> None:
    """A paged grid of test images; "Inspect" under an image shows its probabilities and
    Grad-CAM."""
    if len(indices) == 0:
        st.info(t("No test image matches."), icon=":material/info:")
        return
    pages = (len(indices) - 1) // PAGE_SIZE + 1
    if st.session_state.get(f"{key}-page", 1) > pages:  # fewer pages since the filter changed
        st.session_state[f"{key}-page"] = pages
    page = st.session_state.get(f"{key}-page", 1)
    shown = indices[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
    images = _images(run, shown)
    inspect_key = f"{key}-inspect"
    # a row of images, then a row of buttons: both stay aligned
    for start in range(0, len(shown), GALLERY_COLUMNS):
        row = list(
            zip(shown[start : start + GALLERY_COLUMNS], images[start : start + GALLERY_COLUMNS])
        )
        for col, (index, image) in zip(st.columns(GALLERY_COLUMNS), row):
            caption = browse.gallery_caption(preds, names, index)
            col.image(enlarged_uint8(image), caption=caption, width="stretch")
        for col, (index, _) in zip(st.columns(GALLERY_COLUMNS), row):
            chosen = st.session_state.get(inspect_key) == index
            if col.button(
                t("Inspect"),
                key=f"{key}-btn-{index}",
                width="stretch",
                type="primary" if chosen else "secondary",
            ):
                st.session_state[inspect_key] = int(index)
    if pages > 1:
        st.pagination(pages, key=f"{key}-page", persist_state="page")
    chosen = st.session_state.get(inspect_key)
    if chosen is not None:
        _image_detail(run, preds, names, int(chosen), key=key)


def _image_detail(
    run: RunFolder, preds: Predictions, names: list[str], index: int, *, key: str
) -> None:
    st.divider()
    image = _images(run, [index])[0]
    c1, c2, c3 = st.columns([1, 2, 2])
    c1.image(
        enlarged_uint8(image, size=160),
        caption=t("Test image #{index}", index=index),
        width="stretch",
    )
    c1.markdown(
        t(
            "True: **{true}**  \nPredicted: **{pred}** ({conf:.1%})  \nLoss: {loss:.3f}",
            true=browse.label_text(preds, names, index, which="true"),
            pred=browse.label_text(preds, names, index, which="predicted"),
            conf=float(preds.confidence[index]),
            loss=float(preds.losses[index]),
        )
    )
    true = None if preds.multilabel else int(preds.labels[index])
    c2.plotly_chart(
        eval_charts.probability_bars(
            preds.probabilities[index], names, true=true, predicted=int(preds.predicted[index])
        ),
        width="stretch",
        key=f"{key}-bars-{index}",
    )
    c2.caption(t("Green: the true class (in bold); red: a wrong prediction."))
    with c3:
        render_gradcam(
            _model(str(run.path), run_predictions.model_stamp(run)),
            image,
            names,
            key=f"{key}-gradcam-{index}",
        )


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
        run = _evaluable(str(summary.path))
        stamp = run_predictions.model_stamp(run)
        with st.spinner(t("Running the model on the test images (once per model)...")):
            preds = _predictions(str(run.path), stamp)
        # a multi-label run is judged at the threshold it was trained and tested with
        report = _report(str(run.path), stamp, run.config().threshold)
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
            _curves_tab(run)
    if tabs[1].open:
        with tabs[1]:
            _confusion_tab(run, preds, report, names)
    if tabs[2].open:
        with tabs[2]:
            _per_class_tab(run, preds, report, names)
    if tabs[3].open:
        with tabs[3]:
            _roc_tab(run, preds, names)
    if tabs[4].open:
        with tabs[4]:
            st.fragment(_predictions_tab)(run, preds, names)
    if tabs[5].open or tabs[6].open:
        run_id = run.run_id
        sample, labels, images = _insight_images(str(run.path), stamp)
        model = _model(str(run.path), stamp)
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
                    similar_index=lambda: _similar_index(str(run.path), stamp),
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
