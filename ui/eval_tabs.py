"""The Evaluate page's tabs: learning curves, confusion matrix, per-class metrics, ROC and PR
curves with the threshold, and the test images (gallery and one image's detail). The page draws
only the open one; the inside-the-network tabs are ui.layer_views and ui.insight_views."""

import numpy as np
import pandas as pd
import streamlit as st

from clfcore.evaluation import browse, commentary, exports, roc_pr, run_predictions, scoring
from clfcore.evaluation.run_predictions import Predictions
from clfcore.evaluation.scoring import Report
from clfcore.i18n import N_
from clfcore.inference.display import enlarged_uint8
from clfcore.runs.folder import RunFolder
from ui import eval_charts, eval_data
from ui.insight_views import render_gradcam
from ui.lang import current as current_language
from ui.lang import number, t, translator

PAGE_SIZE = 24  # images per gallery page
GALLERY_COLUMNS = 6
SORTS = {  # the labels of browse.SORTS
    "loss": N_("highest loss first (top losses)"),
    "least_confident": N_("least confident first"),
    "most_confident": N_("most confident first"),
    "index": N_("test-set order"),
}
SHOW = {"all": N_("all"), "wrong": N_("wrong only"), "correct": N_("correct only")}  # browse.SHOWS


def _reading(reading: commentary.Reading, names: list[str]) -> str:
    # 1,000 / 1.000
    params = {k: number(v) if isinstance(v, int) else v for k, v in reading.params.items()}
    return t(reading.template, **params, **{k: names[v] for k, v in reading.classes.items()})


def curves_tab(run: RunFolder) -> None:
    history = run.history()
    if not history:
        st.info(t("This run saved no history."), icon=":material/info:")
        return
    config = run.config()
    best = run.metrics().get("best_epoch") or scoring.best_epoch(history, config.checkpoint_monitor)
    st.plotly_chart(
        eval_data.learning_curves(
            str(run.path), run_predictions.model_stamp(run), current_language(), best
        ),
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


def confusion_tab(run: RunFolder, preds: Predictions, report: Report, names: list[str]) -> None:
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


def per_class_tab(run: RunFolder, preds: Predictions, report: Report, names: list[str]) -> None:
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
        report = eval_data.report(str(run.path), run_predictions.model_stamp(run), threshold)
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


def roc_tab(run: RunFolder, preds: Predictions, names: list[str]) -> None:
    curves = eval_data.curves(str(run.path), run_predictions.model_stamp(run))
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


def predictions_tab(run: RunFolder, preds: Predictions, names: list[str]) -> None:
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
    images = eval_data.images(run, shown)
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
    image = eval_data.images(run, [index])[0]
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
            eval_data.model(str(run.path), run_predictions.model_stamp(run)),
            image,
            names,
            key=f"{key}-gradcam-{index}",
        )
