"""Helpers shared by the Streamlit pages: the language, the session's choices, common widgets.

The only place (besides app.py and app_pages/) that imports streamlit. Pages keep their session
state behind these functions rather than scattering ``st.session_state[...]`` keys.
"""
