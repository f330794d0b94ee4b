"""The experiment in the page's URL, as in TensorFlow Playground: a reload keeps the choices, and a
copied link opens the same setup for someone else.

``follow(page)`` (app.py, before the page runs) reads a link's experiment into ``ui.state`` on the
session's first run and whenever the URL's experiment changes (a pasted link), and puts it back into
the URL of the experiment pages after a page switch (which drops query parameters). ``sync()``
(``ui.state``'s setters) writes the current experiment after every change. The URL's other
parameters (``lang``, ``run``) are left as they are. The names are ``clfcore.experiment``'s.
"""

from __future__ import annotations

import functools
import html
import json
from urllib.parse import urlencode, urlsplit

import streamlit as st

from clfcore import experiment
from clfcore.data import datasets
from clfcore.workspace import access
from ui import session, state, workspace_views
from ui.lang import current as current_language
from ui.lang import t

# the app's other query parameters: not the experiment's, never touched here
OTHER_PARAMS = ("lang", workspace_views.LINK_PARAM)
EXPERIMENT_PAGES = ("dataset", "augment", "model", "train")  # url paths that show the experiment
_WRITTEN = "_experiment_in_url"  # the experiment's parameters last read from or written to the URL
_NOTES = "_experiment_link_notes"  # the notes of the last link read, until the user changes it
_APPLYING = "_experiment_link_applying"  # True while a link's choices go into the state


def choices() -> experiment.Experiment:
    """This session's experiment, as ``ui.state`` keeps it."""
    config, enabled = state.augment_choice()
    training = {k: v for k, v in state.training_choice().items() if k != "augmentation"}
    return experiment.Experiment(
        dataset=state.dataset_id(),
        split=state.split_config(),
        model=state.model_choice(),
        training=training,
        augment=config,
        augment_enabled=enabled,
    )


def url_params() -> dict[str, str]:
    """The experiment's parameters in the URL (the app's others left out)."""
    return {k: v for k, v in st.query_params.to_dict().items() if k not in OTHER_PARAMS}


def sync() -> None:
    """Write the current experiment into the URL, replacing the experiment's old parameters and
    keeping the others. ``ui.state``'s setters call it after every change."""
    if st.session_state.get(_APPLYING):
        return  # a link is being read: written once, at the end
    wanted = experiment.to_params(choices(), default_dataset=datasets.default_dataset_id())
    if wanted != st.session_state.get(_WRITTEN):
        st.session_state.pop(_NOTES, None)  # a change of the user's own: the link's notes are old
    st.session_state[_WRITTEN] = wanted
    if url_params() == wanted:
        return
    for key in url_params():
        if key not in wanted:
            del st.query_params[key]
    st.query_params.update(wanted)


def apply(params: dict[str, str]) -> list[experiment.Note]:
    """Put the experiment ``params`` describe into the session (through ``ui.state``'s setters);
    the notes of the parameters left out."""
    found, notes = experiment.from_params(
        params,
        default_dataset=datasets.default_dataset_id(),
        check_dataset=functools.partial(access.check_dataset, session.workspace()),
    )
    st.session_state[_APPLYING] = True
    try:
        state.set_dataset_id(found.dataset)
        state.set_split_config(found.split)
        state.set_model_choice(dict(found.model))
        state.set_training_choice(dict(found.training))
        state.set_augment_choice(found.augment, found.augment_enabled)
    finally:
        st.session_state[_APPLYING] = False
    return notes


def follow(url_path: str) -> None:
    """Read a link's experiment, or keep the session's in the URL; show what a link had wrong
    until the user changes a setting.

    Called by app.py on every run, after ``st.navigation`` picked the page (``url_path``, "" for
    Home) and before it runs.
    """
    in_url, written = url_params(), st.session_state.get(_WRITTEN)
    if written is None or (in_url and in_url != written):  # a first visit, or a pasted link
        notes = apply(in_url) if in_url else []
        if in_url or url_path in EXPERIMENT_PAGES:
            sync()
        else:  # Home without a link: nothing to show in its URL
            st.session_state[_WRITTEN] = experiment.to_params(
                choices(), default_dataset=datasets.default_dataset_id()
            )
        st.session_state[_NOTES] = notes
    elif not in_url and url_path in EXPERIMENT_PAGES:  # a page switch dropped the parameters
        sync()
    notes = st.session_state.get(_NOTES)
    if notes:
        lang = current_language()
        st.warning(
            t("Some settings of this link were ignored; they keep their defaults:")
            + "\n"
            + "\n".join(f"- {note.message(lang)}" for note in notes),
            icon=":material/link_off:",
        )


def link_url(page: str = "train") -> str:
    """The whole address of this experiment on ``page`` (the path alone when the server's address
    is unknown, as in a test run), with the dataset - whose default differs between machines - and
    the language."""
    params = {k: v for k, v in st.query_params.to_dict().items() if k != workspace_views.LINK_PARAM}
    # the address bar leaves out this machine's default dataset; a link for someone else names it
    params = {"dataset": state.dataset_id(), **params}
    path = f"/{page}?{urlencode(params, safe=':,')}"
    url = st.context.url
    if not url:
        return path
    parts = urlsplit(url)
    base = (st.get_option("server.baseUrlPath") or "").strip("/")
    prefix = f"/{base}" if base else ""
    return f"{parts.scheme}://{parts.netloc}{prefix}{path}"


_COPY_BUTTON = """
<button id="copy-experiment-link" type="button" style="font: inherit; cursor: pointer;
  padding: 0.35rem 0.9rem; border-radius: 0.5rem; border: 1px solid rgba(49, 51, 63, 0.3);
  background: transparent; color: inherit;">{label}</button>
<span id="copy-experiment-link-done" style="margin-left: 0.6rem; visibility: hidden;">{done}</span>
<script>
(() => {{
  const url = {url};
  const button = document.getElementById("copy-experiment-link");
  const done = document.getElementById("copy-experiment-link-done");
  button.onclick = async () => {{
    try {{
      await navigator.clipboard.writeText(url);
    }} catch (error) {{  // no Clipboard API (plain http on another host): the old way
      const area = document.createElement("textarea");
      area.value = url;
      document.body.appendChild(area);
      area.select();
      document.execCommand("copy");
      area.remove();
    }}
    done.style.visibility = "visible";
  }};
}})();
</script>
"""


def copy_link() -> None:
    """The link to this experiment, with its copy button and a "Copy link" button."""
    url = link_url("train")
    with st.container(border=True):
        st.markdown(
            t(
                "**Link to this experiment**: whoever opens it gets the same dataset, model and "
                "settings."
            )
        )
        st.code(url, language=None, wrap_lines=True)
        # json.dumps makes the address a JavaScript string; "<" escaped so it cannot end the script
        st.html(
            _COPY_BUTTON.format(
                label=html.escape(t("Copy link")),
                done=html.escape(t("Copied.")),
                url=json.dumps(url).replace("<", "\\u003c"),
            ),
            unsafe_allow_javascript=True,
        )
