"""The user's language: from ``?lang=``, else the sidebar choice, else the browser locale, else
English."""

from __future__ import annotations

import streamlit as st

from clfcore.errors import UserInputError
from clfcore.i18n import LANGUAGES, pick_language, translate

_KEY = (
    "lang"  # the session's language: a plain key, so it survives pages that do not draw the radio
)
_WIDGET = "_lang_radio"  # the sidebar radio's own key; its on_change copies the choice into _KEY
_URL_SEEN = "_lang_from_url"  # the last ?lang= value adopted, so a later sidebar choice wins


def current() -> str:
    """The language of this browser session ("en" or "es")."""
    return st.session_state.get(_KEY) or pick_language(None, st.context.locale)


def t(text: str, /, **params: object) -> str:
    """Translate ``text`` (English, the catalogue key) into the session's language."""
    return translate(text, current(), **params)


def translator():
    """``t`` bound to the language of this run, for ``format_func`` callbacks.

    Streamlit may call a widget's format_func outside the script run (where the session's language
    cannot be read), so widgets get a translator that already knows the language.
    """
    lang = current()
    return lambda text, **params: translate(text, lang, **params)


def number(value: int) -> str:
    """An integer with the thousands separator of the session's language (48,000 / 48.000)."""
    text = f"{value:,}"
    return text.replace(",", ".") if current() == "es" else text


def error_message(error: UserInputError) -> str:
    """A clfcore error in the session's language."""
    return error.message(current())


def _adopt_radio_choice() -> None:
    st.session_state[_KEY] = st.session_state[_WIDGET]


def selector() -> None:
    """The language radio in the sidebar; keeps ``?lang=`` in the URL so a link can be shared."""
    state = st.session_state
    requested = st.query_params.get("lang")
    if requested in LANGUAGES and requested != state.get(_URL_SEEN):
        state[_URL_SEEN] = requested
        state[_KEY] = requested
    if state.get(_KEY) not in LANGUAGES:
        state[_KEY] = pick_language(requested, st.context.locale)
    state[_WIDGET] = state[_KEY]
    # Bilingual on purpose: whoever cannot read the current language must still find the switch.
    st.sidebar.radio(
        "Language / Idioma",
        options=list(LANGUAGES),
        format_func=LANGUAGES.get,
        key=_WIDGET,
        horizontal=True,
        on_change=_adopt_radio_choice,
    )
    if st.query_params.get("lang") != state[_KEY]:
        st.query_params["lang"] = state[_KEY]
        state[_URL_SEEN] = state[_KEY]
