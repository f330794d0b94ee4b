"""Continued training on the pages: the "Continue training" control (Evaluate and Runs pages) and
the "continues <parent>" line of a continued run (Runs and Train pages).

The rules (which runs, which settings) are ``clfcore.training.resume``'s; this only shows them.
"""

from __future__ import annotations

import streamlit as st

from clfcore import jobs
from clfcore.errors import UserInputError
from clfcore.runs import lineage, liveness
from clfcore.runs.folder import RunFolder, read_json
from clfcore.training import resume
from clfcore.workspace import access, quota
from ui import session, state
from ui.lang import t
from ui.widgets import show_error

DEFAULT_EPOCHS = 5  # the control's first offer of more epochs


def _name(run: RunFolder) -> str:
    return str(read_json(run.config_path).get("run_name") or run.run_id)


def parent_caption(run: RunFolder) -> None:
    """For a continued run: "Continues <parent> from epoch N." (the parent may be deleted)."""
    parent_id = lineage.parent_id(run)
    if not parent_id:
        return
    parent = RunFolder(run.path.parent / parent_id)
    st.caption(
        t(
            "Continues {parent} from epoch {epoch}.",
            parent=_name(parent) if parent.config_path.is_file() else parent_id,
            epoch=lineage.initial_epoch(run),
        )
        if parent.config_path.is_file()
        else t(
            "Continues {parent} (deleted) from epoch {epoch}.",
            parent=parent_id,
            epoch=lineage.initial_epoch(run),
        ),
        help=t("Its learning curves continue those of the run it continues."),
    )


def fixed_settings_text(run: RunFolder) -> str:
    """The settings a continued run keeps, e.g. "Dataset: digits · Architecture: mlp"."""
    config = run.config()
    return " · ".join(f"{t(label)}: {getattr(config, name)}" for name, label in resume.SHOWN_FIXED)


def continue_training(run: RunFolder, *, key: str) -> None:
    """The "Continue training" control for ``run``: shown when this session may change the run
    and the run can be continued; its button submits the child run and follows it on the Train
    page."""
    workspace = session.workspace()
    if not access.can_change(workspace, run) or not run.model_path.is_file():
        return
    if liveness.effective_status(run) not in resume.CONTINUABLE:
        return
    config = run.config()
    with st.expander(t("Continue training"), icon=":material/fast_forward:"):
        st.markdown(
            t(
                "Train this model on for more epochs, from its saved weights and optimizer "
                "state: a new run whose epochs are numbered on from epoch {epoch}.",
                epoch=resume.kept_epoch(run),
            )
        )
        st.caption(t("Kept from this run: {settings}", settings=fixed_settings_text(run)))
        c1, c2, c3 = st.columns(3)
        epochs = c1.number_input(
            t("More epochs"), min_value=1, max_value=1000, value=DEFAULT_EPOCHS, key=f"{key}-epochs"
        )
        rate = c2.number_input(
            t("Learning rate"),
            min_value=1e-7,
            max_value=1.0,
            value=float(config.learning_rate),
            format="%.6f",
            key=f"{key}-lr",
        )
        batch = c3.number_input(
            t("Batch size"),
            min_value=1,
            max_value=4096,
            value=int(config.batch_size),
            key=f"{key}-batch",
        )
        if not st.button(
            t("Continue training"), type="primary", icon=":material/play_arrow:", key=f"{key}-go"
        ):
            return
        try:
            parent = access.changeable_run(workspace, run.run_id)
            quota.check_quota(workspace, session.settings().quota_bytes)
            child = resume.continued_config(
                parent, epochs=int(epochs), learning_rate=float(rate), batch_size=int(batch)
            )
            new = jobs.submit(child, root=parent.path.parent, priority=session.queue_priority())
        except UserInputError as error:
            show_error(error)
            return
    state.follow_run(new.run_id)
    st.switch_page("app_pages/train.py")
