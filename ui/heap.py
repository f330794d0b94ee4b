"""Keeping Streamlit's garbage collections cheap once TensorFlow is loaded.

After every script run Streamlit calls ``gc.collect()`` twice (its ``runner.postScriptGC`` and
``keras.backend.clear_session()``, which it calls whenever Keras is imported). With TensorFlow and a
model loaded, each walks millions of long-lived objects: measured 0.3 to 0.6 s of server CPU per
page view, the largest part of an Evaluate view. ``gc.freeze()`` (Python's documented remedy for
long-lived objects) moves everything alive now out of the collector's reach; later collections
walk only what was allocated after.
"""

from __future__ import annotations

import gc


def freeze_long_lived() -> None:
    """Collects once, then freezes every surviving object; call after loading what lives for the
    whole server process (TensorFlow, a model kept by ``st.cache_resource``)."""
    gc.collect()
    gc.freeze()
