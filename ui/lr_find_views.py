"""The Model page's learning-rate finder: start it, watch it, see the curve, use its suggestion.

The search is a short background job (``clfcore.jobs.lr_find``): the page starts it, polls its
folder in a fragment while it runs, and afterwards draws what it found. "Use this learning rate"
copies the suggestion into the model settings, so the Learning rate widget shows it.
"""

from __future__ import annotations

import plotly.graph_objects as go
import streamlit as st

from clfcore.config import TrainConfig
from clfcore.errors import UserInputError
from clfcore.jobs import lr_find
from ui import session, state
from ui.charts import BEST_COLOUR, MARGIN, TRAIN_COLOUR, VAL_COLOUR
from ui.lang import t
from ui.widgets import show_error

POLL_SECONDS = 1.0
# settings that do not change the curve: compared without them to tell whether it is still current
_IGNORED = ("learning_rate", "lr_schedule", "epochs", "run_name", "created")


def rounded(rate: float) -> float:
    """A suggestion to two significant digits, as a person would type it (0.00213 -> 0.0021)."""
    return float(f"{rate:.2g}")


def curve_figure(result: dict, *, height: int = 340) -> go.Figure:
    """The smoothed loss against the learning rate (log axis), the suggestion and the steepest
    point marked."""
    lrs, losses = result["lrs"], result["losses"]
    fig = go.Figure(
        go.Scatter(x=lrs, y=losses, mode="lines", name=t("Loss"), line={"color": TRAIN_COLOUR})
    )
    for rate, label, colour, symbol in (
        (result["suggested_lr"], t("Suggestion"), BEST_COLOUR, "circle"),
        (result["steepest_lr"], t("Steepest descent"), VAL_COLOUR, "diamond"),
    ):
        index = min(range(len(lrs)), key=lambda i: abs(lrs[i] - rate))
        fig.add_trace(
            go.Scatter(
                x=[lrs[index]],
                y=[losses[index]],
                mode="markers",
                name=f"{label}: {rate:.2g}",
                marker={"color": colour, "size": 12, "symbol": symbol},
            )
        )
    fig.update_xaxes(type="log", title=t("Learning rate (log scale)"), exponentformat="power")
    # the divergence at the end would squash the descent, the part worth seeing: cut it off
    low, first = min(losses), losses[0]
    top = min(max(losses), max(first, 1.1 * low) * 1.15)
    fig.update_yaxes(title=t("Training loss (smoothed)"), range=[low - 0.05 * (top - low), top])
    fig.update_layout(height=height, margin=MARGIN, legend={"orientation": "h", "y": 1.12})
    return fig


def _start(config: TrainConfig) -> None:
    try:
        lr_find.start(config, runs_dir=session.workspace().runs_dir)
    except UserInputError as error:
        st.session_state["_lr_find_error"] = error


def _stop() -> None:
    lr_find.stop(session.workspace().runs_dir)


def _use(rate: float) -> None:
    # a callback: it runs before the page draws the Learning rate widget, which then shows it
    state.set_model_choice({**state.model_choice(), "learning_rate": rate})


def _progress() -> None:
    job = lr_find.read_job(session.workspace().runs_dir)
    if job is None or not job.running:
        st.rerun()  # the whole page, which now draws the result
        return
    fraction = job.batch / job.batches if job.batches else 0.0
    text = (
        t(
            "Batch {batch} of {batches}: learning rate {rate}, loss {loss}",
            batch=job.batch,
            batches=job.batches,
            rate=f"{job.learning_rate:.2g}",
            loss=f"{job.loss:.3f}",
        )
        if job.batch and job.learning_rate is not None and job.loss is not None
        else t("Preparing the data and the model...")
    )
    st.progress(min(fraction, 1.0), text=text)
    st.button(t("Stop the search"), icon=":material/stop:", on_click=_stop, key="lr_find_stop")


def _result(job: lr_find.LRFindJob, config: TrainConfig) -> None:
    result = job.result or {}
    suggested = rounded(result["suggested_lr"])
    c1, c2, c3 = st.columns(3)
    c1.metric(t("Suggested learning rate"), f"{suggested:g}")
    c2.metric(t("Steepest descent"), f"{rounded(result['steepest_lr']):g}")
    c3.metric(t("Current learning rate"), f"{config.learning_rate:g}")
    st.plotly_chart(curve_figure(result), width="stretch", key="lr_find_curve")
    searched = {k: v for k, v in job.config.items() if k not in _IGNORED}
    current = {k: v for k, v in config.to_json().items() if k not in _IGNORED}
    if searched != current:
        st.warning(
            t("The settings changed since this search: search again for a curve of these."),
            icon=":material/warning:",
        )
    st.button(
        t("Use this learning rate"),
        type="primary",
        icon=":material/check:",
        on_click=_use,
        args=(suggested,),
        key="lr_find_use",
    )
    if config.learning_rate == suggested:
        st.caption(t("The model settings use this learning rate."))


def finder(config: TrainConfig) -> None:
    """The section: what the finder does, its button, and its progress or result."""
    st.subheader(t("Find a learning rate"))
    st.caption(
        t(
            "Trains a copy of this model for about 100 batches while the learning rate grows "
            "from 1e-7 to 10, and stops when the loss explodes. The suggestion sits where the "
            "loss falls steadily, before it turns up. Nothing is saved."
        )
    )
    job = lr_find.read_job(session.workspace().runs_dir)
    if job is not None and job.running:
        st.fragment(run_every=POLL_SECONDS)(_progress)()
        return
    st.button(
        t("Search again") if job is not None else t("Find a learning rate"),
        icon=":material/search:",
        on_click=_start,
        args=(config,),
        key="lr_find_start",
    )
    error = st.session_state.pop("_lr_find_error", None)
    if error is not None:
        show_error(error)
    elif job is None:
        return
    elif job.status == "completed" and job.result:
        _result(job, config)
    elif job.status == "stopped":
        st.info(t("The search was stopped."), icon=":material/info:")
    elif job.message:
        show_error(UserInputError(job.message, **job.params))
