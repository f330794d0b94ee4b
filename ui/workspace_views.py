"""What the pages show of whose work is whose: the runs this session may see, a run opened by link
(``?run=<run id>``), owners' names for a teacher, the "shared" mark, the storage a student uses.

Every rule lives in ``clfcore.workspace.access``; this module only asks it for the session's
workspace (``ui.session.workspace()``) and draws the answer. Personal mode sees the runs root as
before, with no names and no marks.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import streamlit as st

from clfcore.runs.folder import RunFolder
from clfcore.runs.listing import RunSummary
from clfcore.workspace import access, quota
from ui import session
from ui.lang import t

LINK_PARAM = "run"  # /evaluate?run=<run id>, /classify?run=..., /runs?run=...
_APPLIED = "_linked_run_applied"  # per page: the link already put in the run picker


def visible_runs() -> list[RunSummary]:
    """The runs this session may see, newest first (its own plus the shared; all for a teacher)."""
    return access.visible_runs(session.workspace())


def find_run(run_id: str) -> RunFolder:
    """The run ``run_id`` if this session may see it. Raises ``access.RunAccessError``."""
    return access.find_run(session.workspace(), run_id)


def can_change(run: RunSummary | RunFolder) -> bool:
    """Whether this session may delete or stop ``run``."""
    folder = run if isinstance(run, RunFolder) else RunFolder(run.path)
    return access.can_change(session.workspace(), folder)


def shows_owners() -> bool:
    """A teacher on a class server: every run carries its owner's name."""
    user = session.current_user() if session.settings().is_class else None
    return user is not None and user.is_teacher


def mark(run: RunSummary) -> str:
    """What a run's label gains: its owner's name for a teacher, "shared by the teacher" for a
    student looking at someone else's shared run; nothing in personal mode or on one's own run."""
    workspace = session.workspace()
    if workspace.is_personal:
        return ""
    if shows_owners():
        return run.owner + (" · " + t("shared") if run.shared else "")
    if run.owner != workspace.owner and run.shared:
        return t("shared by the teacher")
    return ""


def label(run: RunSummary) -> str:
    """The run's name (or id) with its ``mark``: "cnn-aug (ana)"."""
    text, extra = run.name or run.run_id, mark(run)
    return f"{text} ({extra})" if extra else text


def linked_run(page: str) -> RunFolder | None:
    """The run named by this page's link (``?run=<run id>``) when it is new to this session, else
    None (no link, or the link was already followed and the user may have picked another run).

    Raises:
        access.RunAccessError: the link names a run this session may not see (or none at all):
            the page shows the message and nothing of the run (``ui.widgets.linked_run_or_stop``).
    """
    run_id = st.query_params.get(LINK_PARAM)
    if run_id is None:
        return None
    applied = st.session_state.setdefault(_APPLIED, {})
    run = find_run(run_id)
    if applied.get(page) == run_id:
        return None
    applied[page] = run_id
    return run


def follow_link(page: str, chosen: str) -> None:
    """Keep the page's link naming the run shown, once the user picked another in the picker."""
    if st.query_params.get(LINK_PARAM) not in (None, chosen):
        st.query_params[LINK_PARAM] = chosen
        st.session_state.setdefault(_APPLIED, {})[page] = chosen


def link_path(page: str, run_id: str) -> str:
    """The URL path that opens ``run_id`` on ``page``: "/evaluate?run=2026...-mlp-digits-3fa2"."""
    return f"/{page}?{LINK_PARAM}={run_id}"


def link_url(page: str, run_id: str) -> str:
    """The whole address that opens ``run_id`` on ``page``, as this browser reached the server
    (the path alone when the address is unknown, as in a test run)."""
    url = st.context.url
    if not url:
        return link_path(page, run_id)
    parts = urlsplit(url)
    base = (st.get_option("server.baseUrlPath") or "").strip("/")
    prefix = f"/{base}" if base else ""
    return f"{parts.scheme}://{parts.netloc}{prefix}{link_path(page, run_id)}"


def storage_caption() -> None:
    """A student's storage: "Your workspace uses 120 MB of 2.00 GB." (nothing for others)."""
    workspace = session.workspace()
    if workspace.sees_everything:
        return
    quota_bytes = session.settings().quota_bytes
    used = quota.usage_bytes(workspace)
    text = t(
        "Your workspace uses {used} of {quota}.",
        used=quota.storage_size(used),
        quota=quota.storage_size(quota_bytes),
    )
    st.progress(min(used / quota_bytes, 1.0), text=text)
