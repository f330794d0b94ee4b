"""Fixtures of the AppTest page tests: a fresh cache, and helpers to open a page and read it.

The helpers are fixtures that return the function: a test takes ``open_page`` as an argument and
calls ``open_page("dataset", "es")``.
"""

from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def fresh_streamlit_caches():
    """st.cache_data lives for the whole process: start every app test without earlier tests'
    results."""
    st.cache_data.clear()
    yield
    st.cache_data.clear()


def _open_page(page: str, lang: str) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.query_params["lang"] = lang
    at.run()
    if page != "home":
        at.switch_page(f"app_pages/{page}.py")
        at.run()
    return at


def _widget(elements, label: str):
    """The element with this label among ``elements`` (e.g. ``at.number_input``)."""
    return next(w for w in elements if w.label == label)


def _all_text(at: AppTest) -> str:
    parts = [
        el.value
        for kind in (
            "title",
            "markdown",
            "info",
            "warning",
            "error",
            "success",
            "caption",
            "subheader",
        )
        for el in getattr(at, kind)
    ]
    return "\n".join(str(p) for p in parts)


@pytest.fixture(scope="session")
def open_page():
    """``open_page(page, lang)``: the app through its router (app.py), switched to ``page``, run."""
    return _open_page


@pytest.fixture(scope="session")
def widget():
    """``widget(elements, label)``: the element with this label among ``elements``."""
    return _widget


@pytest.fixture(scope="session")
def all_text():
    """``all_text(at)``: the text of every title, markdown, message and caption, one per line."""
    return _all_text
