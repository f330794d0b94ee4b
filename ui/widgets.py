"""Small drawing helpers several pages share."""

from __future__ import annotations

import streamlit as st

from clfcore.data import datasets
from clfcore.errors import UserInputError
from clfcore.runs.folder import RunFolder
from ui import state, workspace_views
from ui.lang import error_message, t


def show_error(error: UserInputError) -> None:
    """A clfcore error as a red box in the user's language (never a traceback)."""
    st.error(error_message(error), icon=":material/error:")


def class_label(name: str) -> str:
    """A class name in the user's language (dataset labels like 'Sneaker' are translated too)."""
    return t(name)


def chosen_dataset_caption() -> None:
    """One line naming the chosen dataset, with a link to change it."""
    info = datasets.get_dataset(state.dataset_id())
    col1, col2 = st.columns([4, 1])
    col1.markdown(
        t(
            "Dataset: **{name}** ({h}x{w} {colour}, {classes} classes).",
            name=info.name,
            h=info.image_shape[0],
            w=info.image_shape[1],
            colour=t("grayscale") if info.channels == 1 else t("RGB"),
            classes=info.num_classes,
        )
    )
    col2.page_link("app_pages/dataset.py", label=t("Change"), icon=":material/edit:")


def needs_first(message: str, page: str, label: str, icon: str) -> None:
    """Say what this page needs before it can work, with a link to the page that provides it."""
    st.info(message, icon=":material/info:")
    st.page_link(page, label=label, icon=icon)


def finished_runs_or_prompt() -> list:
    """The runs that have a model to use; when there are none, say so and link to the Train page."""
    from clfcore.runs import listing

    finished = [run for run in workspace_views.visible_runs() if run.status in listing.FINISHED]
    if not finished:
        needs_first(
            t("There is no trained model yet: train a model first, then come back here."),
            "app_pages/train.py",
            t("Go to Train"),
            ":material/model_training:",
        )
    return finished


def linked_run_or_stop(page: str) -> RunFolder | None:
    """The run this page's link (``?run=<run id>``) opens, new to this session (else None); a run
    the user may not see stops the page with the access message and nothing of the run."""
    try:
        return workspace_views.linked_run(page)
    except UserInputError as error:
        show_error(error)
        st.stop()


def translated_status(status: str) -> str:
    """A run status ("completed", "interrupted"...) in the user's language."""
    return t(status)


_UNSET = object()


def controlled(widget, *args, key: str, value, **kwargs):
    """Draw ``widget`` (e.g. ``st.slider`` or ``column.selectbox``) showing ``value``, the choice
    the app keeps.

    Only ``key`` identifies the widget, so a change made in the browser is never dropped because the
    value it is drawn from changed (a widget drawn with ``value=``/``index=`` and no key becomes a
    new widget when that value changes, and loses the user's next change). A change made elsewhere,
    such as an architecture's preset or another page, is shown: the widget is set to ``value``
    whenever ``value`` differs from what the widget last returned. Pass neither ``value=`` nor
    ``index=`` in ``kwargs``; ``value`` must be one of the options for a selectbox or radio.
    """
    shown = f"_shown_{key}"
    if key not in st.session_state or st.session_state.get(shown, _UNSET) != value:
        st.session_state[key] = value
    result = widget(*args, key=key, **kwargs)
    st.session_state[shown] = result
    return result
