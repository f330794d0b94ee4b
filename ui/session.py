"""Who is using this browser session, and so which workspace every page acts on.

Personal mode (no ``CLFCORE_AUTH``): nobody signs in and the workspace is the whole runs and data
roots. On a class server the sign-in gate (``ui.auth``, called by app.py before any page) puts the
signed-in user here; pages ask ``workspace()`` and hand it to ``clfcore.workspace.access``.
"""

from __future__ import annotations

import streamlit as st

from clfcore.accounts.identity import User
from clfcore.accounts.settings import ClassSettings
from clfcore.workspace import Workspace

_USER = "signed_in_user"


def settings() -> ClassSettings:
    """The server's class settings, read from the environment (cheap: a few variables)."""
    return ClassSettings.from_env()


def current_user() -> User | None:
    """The signed-in user; None in personal mode or before sign-in."""
    return st.session_state.get(_USER)


def set_user(user: User | None) -> None:
    if user is None:
        st.session_state.pop(_USER, None)
    else:
        st.session_state[_USER] = user


def workspace() -> Workspace:
    """The workspace this session works in (personal mode: the one workspace).

    On a class server the sign-in gate runs before every page, so a page never runs signed out;
    if one did, this refuses rather than hand it personal mode's view of everything.
    """
    if not settings().is_class:
        return Workspace()
    user = current_user()
    if user is None:
        raise RuntimeError("a page ran on a class server before anyone signed in")
    return Workspace(user)


def queue_priority() -> str:
    """How this session's trainings queue (``clfcore.jobs.PRIORITIES``)."""
    user = current_user() if settings().is_class else None
    if user is None:
        return "personal"
    return "teacher" if user.is_teacher else "student"


def sees_the_class() -> bool:
    """Whether this session may open the Class page: a signed-in teacher on a class server, and in
    personal mode the one user, who is the teacher of their own class (the same rule as
    ``Workspace.sees_everything``)."""
    if settings().is_class and current_user() is None:
        return False
    return workspace().sees_everything
