"""Runs: every training run this user may see (their own and the shared; a teacher's: the whole
class's, named); compare several, download, share or delete one."""

import json

import pandas as pd
import streamlit as st

from clfcore.errors import UserInputError
from clfcore.evaluation import run_predictions, scoring
from clfcore.models import architectures
from clfcore.paths import runs_root
from clfcore.runs import figures, lineage, listing
from clfcore.runs.folder import RunFolder, read_json
from clfcore.workspace import access
from ui import charts, continue_views, eval_charts, session, state, workspace_views
from ui.lang import number, t
from ui.widgets import (
    controlled,
    linked_run_or_stop,
    needs_first,
    show_error,
    translated_status,
)

_CONFIRM = "runs_confirm_delete"  # the run whose deletion waits for a confirmation
# bumped after a deletion: a new table key clears a selection whose rows moved
_TABLE = "runs_table_version"
_LINKED = "runs_linked"  # the run opened by the page's link, shown until the table selects others
HIDDEN_SETTINGS = {"created", "run_name"}  # shown elsewhere (table, column titles)


def _label(run: listing.RunSummary) -> str:
    return workspace_views.label(run)


def _flat(prefix: str, value, out: dict) -> dict:
    """config.json as flat "key" / "key.sub" entries (architecture options and augmentation settings
    are nested)."""
    if isinstance(value, dict):
        for key, sub in value.items():
            _flat(f"{prefix}.{key}" if prefix else key, sub, out)
    elif isinstance(value, list):
        out[prefix] = json.dumps(value)
    else:
        out[prefix] = value
    return out


def _settings(run: listing.RunSummary) -> dict:
    """config.json without what the table shows elsewhere; architecture options with their defaults
    filled in."""
    config = {
        k: v for k, v in read_json(run.path / "config.json").items() if k not in HIDDEN_SETTINGS
    }
    try:
        defaults = architectures.get_architecture(config.get("architecture")).options
    except UserInputError:
        defaults = {}
    config["arch_options"] = {**defaults, **(config.get("arch_options") or {})}
    return config


def _shown(value) -> str:
    if value is None or value == "":
        return "-"
    if isinstance(value, bool):
        return t("yes") if value else t("no")
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def _figure(name: str, value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value:.2%}" if name in figures.PERCENT else f"{value:.4f}"


def _metric_rows(run: listing.RunSummary) -> dict:
    folder = RunFolder(run.path)
    metrics = folder.metrics()
    shown = figures.FIGURES.get(run.task, figures.FIGURES["multiclass"])
    rows = {
        t("Status"): translated_status(run.status),
        **{t(figures.LABELS[n]): _figure(n, run.test_figures.get(n)) for n in shown},
        t("Epochs run"): _shown(metrics.get("epochs_run")),
        t("Best epoch"): _shown(metrics.get("best_epoch")),
        t("Training time (s)"): f"{run.train_seconds:.0f}"
        if isinstance(run.train_seconds, (int, float))
        else "-",
        t("Parameters"): number(int(run.total_params)) if run.total_params else "-",
    }
    predictions = run_predictions.cached_predictions(folder)
    report = scoring.evaluate(predictions) if predictions is not None else None
    rows[t("Macro F1")] = f"{report.averages['macro']['f1']:.3f}" if report else "-"
    rows[t("Top-3 accuracy")] = f"{report.top_k[3]:.2%}" if report and 3 in report.top_k else "-"
    return rows


def _compare(selected: list[listing.RunSummary]) -> None:
    histories = [(_label(r), RunFolder(r.path).history()) for r in selected]
    if len(selected) == 1:
        if histories[0][1]:
            best = RunFolder(selected[0].path).metrics().get("best_epoch")
            history = lineage.continued_history(RunFolder(selected[0].path))  # with its parent's
            st.plotly_chart(
                charts.learning_curves(
                    history, best_epoch=best, continued_at=lineage.continued_at(history)
                ),
                width="stretch",
                key="runs-curves-one",
            )
    elif any(h for _, h in histories):
        st.plotly_chart(
            eval_charts.compare_curves([(label, h) for label, h in histories if h]),
            width="stretch",
            key="runs-curves",
        )
        st.caption(
            t(
                "Solid lines: validation; dotted: training. A smaller distance between "
                "a run's two lines means less overfitting."
            )
        )
    settings = {_label(r): _flat("", _settings(r), {}) for r in selected}
    metrics = {_label(r): _metric_rows(r) for r in selected}
    keys = list(dict.fromkeys(k for flat in settings.values() for k in flat))
    only_diff = len(selected) > 1 and st.toggle(
        t("Only the settings that differ"), value=True, key="runs_only_diff"
    )
    if only_diff:
        keys = [
            k
            for k in keys
            if len(
                {json.dumps(flat.get(k), sort_keys=True, default=str) for flat in settings.values()}
            )
            > 1
        ]
    names = list(dict.fromkeys(m for rows in metrics.values() for m in rows))  # runs of every task
    table = pd.DataFrame(
        {
            t("Setting"): names + keys,
            **{
                label: [metrics[label].get(m, "-") for m in names]
                + [_shown(settings[label].get(k)) for k in keys]
                for label in metrics
            },
        }
    )
    st.dataframe(
        table,
        width="stretch",
        hide_index=True,
        height=min(35 * (len(table) + 1) + 3, 700),
        column_config={t("Setting"): st.column_config.TextColumn(width="medium", pinned=True)},
    )
    missing = [
        r
        for r in selected
        if r.has_model and run_predictions.cached_predictions(RunFolder(r.path)) is None
    ]
    if missing and st.button(
        t("Compute macro F1 and top-3 accuracy for the selected runs"), icon=":material/calculate:"
    ):
        with st.spinner(t("Running each model on its test images...")):
            for run in missing:
                try:
                    run_predictions.predict_run(
                        run_predictions.evaluable_run(run.run_id, root=run.path.parent)
                    )
                except UserInputError as error:
                    show_error(error)
        st.rerun()


def _share(run: listing.RunSummary) -> None:
    """A teacher's switch: show this run to the whole class, or stop showing it."""
    # controlled: a change made in another session (another teacher) is shown, never undone
    shared = controlled(
        st.toggle,
        t("Shared with the class"),
        value=run.shared,
        key=f"runs_share_{run.run_id}",
        help=t("Every student can then open, evaluate and classify with it (not delete it)."),
    )
    if shared == run.shared:
        return
    try:
        access.set_shared(session.workspace(), run.run_id, shared)
    except UserInputError as error:
        show_error(error)
        return
    st.toast(
        t("Shared {run} with the class.", run=_label(run))
        if shared
        else t("{run} is no longer shared.", run=_label(run)),
        icon=":material/share:",
    )
    st.rerun()


def _actions(run: listing.RunSummary) -> None:
    folder = RunFolder(run.path)
    if workspace_views.shows_owners():
        _share(run)
    mine = workspace_views.can_change(run)
    cols = st.columns(4)
    if cols[0].button(
        t("Evaluate"),
        icon=":material/insights:",
        disabled=not (run.has_model and run.status in listing.FINISHED),
        key="runs_evaluate",
    ):
        state.set_evaluated_run(run.run_id)
        st.switch_page("app_pages/evaluate.py")
    cols[1].download_button(
        t("Model (.keras)"),
        data=folder.model_path.read_bytes if run.has_model else b"",
        file_name=f"{run.run_id}.keras",
        mime="application/octet-stream",
        icon=":material/download:",
        disabled=not run.has_model,
        on_click="ignore",
        key="runs_model",
    )
    cols[2].download_button(
        t("Settings (config.json)"),
        data=folder.config_path.read_text(encoding="utf-8"),
        file_name=f"{run.run_id}-config.json",
        mime="application/json",
        icon=":material/download:",
        on_click="ignore",
        key="runs_config",
    )
    active = run.status in listing.ACTIVE
    if cols[3].button(
        t("Delete"),
        icon=":material/delete:",
        key="runs_delete",
        disabled=active or not mine,
        help=t("Stop it on the Train page first.")
        if active
        else (None if mine else t("Only its owner or a teacher can delete it.")),
    ):
        st.session_state[_CONFIRM] = run.run_id
    if not mine:
        st.caption(t("This run is shared by the teacher: you can use it, not delete it."))
    elif active:
        st.caption(
            t(
                "This run is {status}: stop it on the Train page before deleting it.",
                status=translated_status(run.status),
            )
        )
    if mine and st.session_state.get(_CONFIRM) == run.run_id:
        st.warning(
            t(
                "Delete the run {run}? Its folder with the model, history and metrics is "
                "removed for good.",
                run=_label(run),
            ),
            icon=":material/warning:",
        )
        c1, c2 = st.columns([1, 5])
        if c1.button(t("Yes, delete it"), type="primary", key="runs_delete_yes"):
            st.session_state[_CONFIRM] = None
            try:
                access.delete_run(session.workspace(), run.run_id)
            except UserInputError as error:
                show_error(error)
            else:
                st.toast(t("Deleted {run}.", run=_label(run)), icon=":material/delete:")
                st.session_state[_TABLE] = st.session_state.get(_TABLE, 0) + 1
                st.session_state[_LINKED] = None
                st.rerun()
        if c2.button(t("Cancel"), key="runs_delete_no"):
            st.session_state[_CONFIRM] = None
            st.rerun()


st.title(t("Runs"))
workspace = session.workspace()
if workspace.is_personal:
    st.caption(t("Every training run is a folder in {root}.", root=str(workspace.runs_dir)))
elif workspace.sees_everything:
    st.caption(
        t(
            "Every student's runs, with their names. Each user's runs are folders in "
            "{root}/users/<name>.",
            root=str(runs_root()),
        )
    )
else:
    st.caption(t("Your runs, and the runs the teacher shared with the class."))
workspace_views.storage_caption()
linked = linked_run_or_stop("runs")
if linked is not None:
    st.session_state[_LINKED] = linked.run_id
saved = workspace_views.visible_runs()
if not saved:
    needs_first(
        t("No training runs yet. Train a first model to see it here."),
        "app_pages/train.py",
        t("Go to Train"),
        ":material/model_training:",
    )
    st.stop()
configs = [read_json(run.path / "config.json") for run in saved]
# a teacher on a class server: whose run it is, and whether the class sees it
owners = (
    {
        t("Student"): [run.owner for run in saved],
        t("Shared"): [t("yes") if run.shared else "" for run in saved],
    }
    if workspace_views.shows_owners()
    else {}
)
# a multi-label run's accuracies are not shares of images right: columns of their own
multilabel = {}
if any(run.task == "multilabel" for run in saved):
    multilabel = {
        t(figures.LABELS[name]): [run.test_figures.get(name) for run in saved]
        for name in ("label_accuracy", "subset_accuracy")
    }
event = st.dataframe(
    pd.DataFrame(
        {
            # a teacher reads the owner in a column of its own
            t("Run"): [run.name or run.run_id if owners else _label(run) for run in saved],
            **owners,
            t("Status"): [translated_status(run.status) for run in saved],
            t("Dataset"): [run.dataset for run in saved],
            t("Architecture"): [run.architecture for run in saved],
            t("Augmentation"): [
                t("on") if config.get("augmentation") else t("none") for config in configs
            ],
            t("Parameters"): [run.total_params for run in saved],
            t("Training time (s)"): [run.train_seconds for run in saved],
            t("Test accuracy"): [run.test_figures.get("accuracy") for run in saved],
            **multilabel,
            t("Created"): [run.created for run in saved],
        }
    ),
    hide_index=True,
    width="stretch",
    on_select="rerun",
    selection_mode="multi-row",
    key=f"runs_table-{st.session_state.get(_TABLE, 0)}",
    column_config={
        **{
            column: st.column_config.NumberColumn(format="percent")
            for column in (t("Test accuracy"), *multilabel)
        },
        t("Training time (s)"): st.column_config.NumberColumn(format="%.0f"),
        t("Parameters"): st.column_config.NumberColumn(format="localized"),
    },
)
if any(run.status in listing.ACTIVE for run in saved):
    st.page_link(
        "app_pages/train.py",
        label=t("Follow the runs in progress on the Train page"),
        icon=":material/model_training:",
    )
selected = [saved[i] for i in event.selection.rows if i < len(saved)]
if not selected and st.session_state.get(_LINKED):  # opened by its link: /runs?run=<run id>
    selected = [run for run in saved if run.run_id == st.session_state[_LINKED]]
elif selected:
    st.session_state[_LINKED] = None  # a selection in the table wins over the link
if not selected:
    st.info(
        t(
            "Select runs with the boxes at the left of the table: one to see its details, "
            "download or delete it; several to compare their curves, settings and metrics "
            "(for example MLP vs CNN vs transfer learning on the same data)."
        ),
        icon=":material/touch_app:",
    )
    st.stop()
st.subheader(
    t("Compare {count} runs", count=len(selected)) if len(selected) > 1 else _label(selected[0])
)
if len(selected) == 1:
    continue_views.parent_caption(RunFolder(selected[0].path))
_compare(selected)
st.subheader(t("Download or delete"))
chosen = selected[0]
if len(selected) > 1:
    by_id = {r.run_id: r for r in selected}
    chosen = by_id[
        st.selectbox(
            t("Run"), list(by_id), format_func=lambda r: _label(by_id[r]), key="runs_action_run"
        )
    ]
_actions(chosen)
continue_views.continue_training(RunFolder(chosen.path), key="runs-continue")
