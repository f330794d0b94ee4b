"""The user's language: from ``?lang=``, else the sidebar choice, else the browser locale, else English."""

from __future__ import annotations

import streamlit as st

from clfcore.errors import UserInputError
from clfcore.i18n import LANGUAGES, pick_language, translate

_KEY = "lang"  # session key of the language radio in the sidebar
_URL_SEEN = "_lang_from_url"  # the last ?lang= value adopted, so a later sidebar choice wins


def current() -> str:
    """The language of this browser session ("en" or "es")."""
    return st.session_state.get(_KEY) or pick_language(None, st.context.locale)


def t(text: str, /, **params: object) -> str:
    """Translate ``text`` (English, the catalogue key) into the session's language."""
    return translate(text, current(), **params)


def error_message(error: UserInputError) -> str:
    """A clfcore error in the session's language."""
    return error.message(current())


def selector() -> None:
    """The language radio in the sidebar; keeps ``?lang=`` in the URL so a link can be shared."""
    requested = st.query_params.get("lang")
    if requested in LANGUAGES and requested != st.session_state.get(_URL_SEEN):
        st.session_state[_URL_SEEN] = requested
        st.session_state[_KEY] = requested
    if st.session_state.get(_KEY) not in LANGUAGES:
        st.session_state[_KEY] = pick_language(requested, st.context.locale)
    st.sidebar.radio(
        "Language / Idioma",
        options=list(LANGUAGES),
        format_func=LANGUAGES.get,
        key=_KEY,
        horizontal=True,
    )
    if st.query_params.get("lang") != st.session_state[_KEY]:
        st.query_params["lang"] = st.session_state[_KEY]
        st.session_state[_URL_SEEN] = st.session_state[_KEY]
