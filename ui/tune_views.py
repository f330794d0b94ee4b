"""The Tune page's parts: the search choices, Start / Stop / Resume, and a study's live figures and
trials table (Optuna's own plotly figures, read from the study's SQLite storage).

The study runs in a process of its own (``clfcore.tuning.study.start``), so it outlives the page;
the page only reads the study's folder and storage, in a fragment that polls while it runs.
"""

from __future__ import annotations

import optuna
import pandas as pd
import streamlit as st
from optuna.trial import TrialState

from clfcore.config import OPTIMIZERS, TrainConfig
from clfcore.data import datasets
from clfcore.errors import UserInputError
from clfcore.i18n import N_
from clfcore.models import architectures
from clfcore.tuning import space, study
from clfcore.workspace import quota
from ui import session, state, workspace_views
from ui.lang import t, translator
from ui.widgets import show_error

POLL_SECONDS = 2.0
_FOLLOWED = "tuned_study"  # the study this session looks at
_ERROR = "_tune_error"
STATE_NAMES = {  # Optuna's trial states as the table shows them
    TrialState.RUNNING: N_("running"),
    TrialState.COMPLETE: N_("completed"),
    TrialState.PRUNED: N_("pruned"),
    TrialState.FAIL: N_("failed"),
    TrialState.WAITING: N_("queued"),
}
DRIVER_NAMES = {  # the driver's status (clfcore.tuning.study) as the page says it
    "running": N_("running"),
    "completed": N_("completed"),
    "timeout": N_("time budget spent"),
    "stopped": N_("stopped"),
    "failed": N_("failed"),
    "interrupted": N_("interrupted"),
}


def followed_study() -> str | None:
    return st.session_state.get(_FOLLOWED)


def follow_study(name: str | None) -> None:
    st.session_state[_FOLLOWED] = name


def _folder(name: str):
    return study.study_dir(name, session.workspace().runs_dir)


# --- the choices ---------------------------------------------------------------------------------


def search_choices(base: TrainConfig) -> tuple[space.SearchSpace, int, float | None, bool, str]:
    """The search space, trials, time budget (seconds or None), pruning and study name chosen."""
    tr = translator()
    names = st.multiselect(
        t("Settings to search"),
        list(space.SEARCHABLE),
        default=["lr"],
        format_func=lambda name: tr(space.SEARCHABLE[name]),
        key="tune_search",
    )
    ranges: dict = {}
    c1, c2 = st.columns(2)
    if "lr" in names:
        low = c1.number_input(
            t("Learning rate from"), 1e-7, 1.0, 1e-4, format="%.0e", key="tune_lr_low"
        )
        high = c2.number_input(t("to"), 1e-7, 10.0, 1e-1, format="%.0e", key="tune_lr_high")
        ranges.update(lr_low=low, lr_high=high)
    if "batch_size" in names:
        ranges["batch_sizes"] = c1.multiselect(
            t("Batch sizes to try"),
            [16, 32, 64, 128, 256, 512],
            default=[32, 64, 128, 256],
            key="tune_batch_sizes",
        )
    if "optimizer" in names:
        ranges["optimizers"] = c2.multiselect(
            t("Optimizers to try"),
            list(OPTIMIZERS),
            default=["adam", "rmsprop", "sgd"],
            key="tune_optimizers",
        )
    if "dropout" in names:
        low, high = c1.slider(t("Dropout from / to"), 0.0, 0.9, (0.0, 0.5), 0.05, key="tune_drop")
        ranges.update(dropout_low=low, dropout_high=high)
    if "units" in names:
        ranges["units"] = c2.multiselect(
            t("Units to try"),
            [16, 32, 64, 128, 256, 512, 1024],
            default=[64, 128, 256, 512],
            key="tune_units",
        )
    if "epochs" in names:
        low, high = c1.slider(t("Epochs from / to"), 1, 50, (2, 10), key="tune_epochs")
        ranges.update(epochs_low=low, epochs_high=high)
    s1, s2, s3 = st.columns(3)
    trials = int(s1.number_input(t("Trials"), 1, 500, 20, key="tune_trials"))
    minutes = s2.number_input(
        t("Time budget (minutes, 0 = none)"), 0, 10_000, 0, key="tune_minutes"
    )
    pruning = s3.toggle(
        t("Stop weak trials early (median pruner)"),
        value=True,
        key="tune_pruning",
        help=t(
            "After each epoch a trial whose validation accuracy is below the median of the "
            "finished trials at that epoch is stopped."
        ),
    )
    name = st.text_input(
        t("Study name (the same name again resumes it)"),
        placeholder=t("e.g. mlp-learning-rate"),
        key="tune_name",
    )
    chosen = space.SearchSpace(names=tuple(names), **ranges)  # UserInputError: shown by the caller
    return chosen, trials, (minutes * 60.0 or None), pruning, name.strip()


def _start(config: study.TuneConfig) -> None:
    workspace = session.workspace()
    try:
        quota.check_quota(workspace, session.settings().quota_bytes)
        study.start(config, runs_dir=workspace.runs_dir, priority=session.queue_priority())
    except UserInputError as error:
        st.session_state[_ERROR] = error
        return
    follow_study(config.study)


def start_button(base: TrainConfig) -> None:
    """The choices and Start."""
    try:
        chosen, trials, timeout, pruning, name = search_choices(base)
        config = study.TuneConfig(
            base=base,
            space=chosen,
            trials=trials,
            timeout_seconds=timeout,
            study=name,
            pruning=pruning,
        )
    except UserInputError as error:
        show_error(error)
        return
    st.button(
        t("Start the study"),
        type="primary",
        icon=":material/play_arrow:",
        on_click=_start,
        args=(config,),
        key="tune_start",
    )
    error = st.session_state.pop(_ERROR, None)
    if error is not None:
        show_error(error)


# --- a study -------------------------------------------------------------------------------------


def _stop(name: str) -> None:
    study.stop(_folder(name))


def _resume(name: str) -> None:
    folder = _folder(name)
    try:
        config = study.read_config(folder)
        _start(config)
    except UserInputError as error:
        st.session_state[_ERROR] = error


def trials_table(stored: optuna.Study) -> pd.DataFrame:
    """One row per trial: number, state, its settings, the value and a link to its run."""
    rows = []
    for trial in stored.trials:
        run_id = trial.user_attrs.get("run_id")
        rows.append(
            {
                t("Trial"): trial.number,
                t("State"): t(STATE_NAMES.get(trial.state, "unknown")),
                **{t(space.SEARCHABLE.get(k, k)): v for k, v in trial.params.items()},
                t("Validation accuracy"): trial.value,
                t("Run"): workspace_views.link_path("evaluate", run_id) if run_id else None,
            }
        )
    return pd.DataFrame(rows)


def _setting(name: str) -> str:
    """A searched setting's name as the page says it (Optuna's figures show the raw key)."""
    return t(space.SEARCHABLE.get(name, name))


def _in_words(fig, *, x: str | None = None, y: str | None = None):
    """One of Optuna's figures in the page's language: its axes, and its settings' names."""
    if x is not None:
        fig.update_layout(xaxis_title=x)
    if y is not None:
        fig.update_layout(yaxis_title=y)
    if fig.layout.xaxis.ticktext:  # parallel coordinates: one axis per setting
        fig.update_xaxes(ticktext=[_setting(name) for name in fig.layout.xaxis.ticktext])
    for trace in fig.data:
        if trace.name == "Best Value":
            trace.name = t("Best so far")
        if trace.type == "bar":  # importances: one bar per setting
            trace.y = [_setting(name) for name in trace.y]
        elif trace.customdata is not None and len(trace.customdata) and trace.type == "scatter":
            # parallel coordinates' hover: (name, value) per axis
            pairs = trace.customdata
            if all(len(pair) == 2 for pair in pairs):
                trace.customdata = [[_setting(str(name)), value] for name, value in pairs]
    return fig


def figures(stored: optuna.Study) -> None:
    """Optuna's figures: the history and intermediate values, then (with two completed trials)
    the parallel coordinates and the importances."""
    complete = stored.get_trials(deepcopy=False, states=(TrialState.COMPLETE,))
    target = t("Validation accuracy")
    c1, c2 = st.columns(2)
    if complete:
        fig = optuna.visualization.plot_optimization_history(stored, target_name=target)
        fig.update_layout(title=t("Optimization history"), height=360)
        c1.plotly_chart(_in_words(fig, x=t("Trial"), y=target), width="stretch", key="tune_history")
    if any(trial.intermediate_values for trial in stored.trials):
        fig = optuna.visualization.plot_intermediate_values(stored)
        fig.update_layout(title=t("Validation accuracy per epoch"), height=360, showlegend=False)
        c2.plotly_chart(
            _in_words(fig, x=t("Epoch"), y=target), width="stretch", key="tune_intermediate"
        )
    if len(complete) >= 2:
        c3, c4 = st.columns(2)
        fig = optuna.visualization.plot_parallel_coordinate(stored, target_name=target)
        fig.update_layout(title=t("Parallel coordinates"), height=360)
        c3.plotly_chart(_in_words(fig), width="stretch", key="tune_parallel")
        fig = optuna.visualization.plot_param_importances(stored, target_name=target)
        fig.update_layout(title=t("Setting importances"), height=360)
        c4.plotly_chart(
            _in_words(fig, x=t("Importance"), y=t("Setting")),
            width="stretch",
            key="tune_importances",
        )


def _train_best(base: TrainConfig, params: dict) -> None:
    """The best settings into the session (dataset and model), then the Train page."""
    best = space.trial_config(base, params)
    try:
        if best.dataset != state.dataset_id():
            state.set_dataset_id(best.dataset)
    except UserInputError as error:
        show_error(error)
        return
    state.set_model_choice(
        {
            **state.model_choice(),
            "architecture": best.architecture,
            "arch_options": dict(best.arch_options),
            "optimizer": best.optimizer,
            "learning_rate": best.learning_rate,
            "batch_size": best.batch_size,
            "epochs": best.epochs,
        }
    )
    st.switch_page("app_pages/train.py")


def _live(name: str, polling: bool) -> None:
    folder = _folder(name)
    status = study.driver_status(folder).get("status", "running")
    if polling and status != "running":
        st.rerun()  # the driver just ended: redraw the whole page once, with its buttons
        return
    stored = study.load(folder)
    if stored is None or not stored.trials:
        st.caption(t("The first trial is starting..."))
        return
    figures(stored)
    table = trials_table(stored)
    st.dataframe(
        table,
        hide_index=True,
        width="stretch",
        column_config={
            t("Run"): st.column_config.LinkColumn(t("Run"), display_text=t("Evaluate")),
        },
        key=f"tune_table_{len(table)}",
    )


def show_study(name: str) -> None:
    """A study's state, its buttons (Stop, Resume, Train with the best settings) and its figures."""
    folder = _folder(name)
    driver = study.driver_status(folder)
    config = study.read_config(folder)
    status = driver.get("status", "running")
    stored = study.load(folder)
    result = study.result_of(stored, folder) if stored is not None else None
    done = result.trials if result else 0
    st.subheader(t("Study {study}", study=name))
    info = datasets.get_dataset(config.base.dataset)
    arch = architectures.get_architecture(config.base.architecture)
    st.caption(
        t(
            "{status}: {done} of {trials} trials ({pruned} pruned) · {model} on {dataset}",
            status=t(DRIVER_NAMES.get(status, status)).capitalize(),
            done=done,
            trials=config.trials,
            pruned=result.pruned if result else 0,
            model=t(arch.name),
            dataset=info.name,
        )
    )
    if driver.get("message"):
        st.warning(t(driver["message"], **driver.get("params", {})), icon=":material/warning:")
    if status == "running":
        st.button(t("Stop the study"), icon=":material/stop:", on_click=_stop, args=(name,))
    elif done < config.trials:
        st.button(
            t("Resume the study"), icon=":material/play_arrow:", on_click=_resume, args=(name,)
        )
    if result is not None and result.best_value is not None:
        st.success(
            t(
                "Best validation accuracy {value:.2%} with {params}",
                value=result.best_value,
                params=", ".join(
                    f"{t(space.SEARCHABLE[k])} {v:.4g}"
                    if isinstance(v, float)
                    else f"{t(space.SEARCHABLE[k])} {v}"
                    for k, v in result.best_params.items()
                ),
            )
        )
        if st.button(
            t("Train with the best settings"), type="primary", icon=":material/model_training:"
        ):
            _train_best(config.base, result.best_params)
    polling = status == "running"
    st.fragment(run_every=POLL_SECONDS if polling else None)(_live)(name, polling)
