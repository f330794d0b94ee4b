"""Fixtures of the AppTest page tests."""

import pytest
import streamlit as st


@pytest.fixture(autouse=True)
def fresh_streamlit_caches():
    """st.cache_data lives for the whole process: start every app test without earlier tests' results."""
    st.cache_data.clear()
    yield
    st.cache_data.clear()
