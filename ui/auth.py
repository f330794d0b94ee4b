"""The sign-in gate of a class server, run by app.py before any page; and whether the page is a
secure context (what the camera needs).

Personal mode: nothing to do. ``CLFCORE_AUTH=roster``: a name and password form checked against
the class roster, then a signed, expiring token in the browser's cookie so a reload stays signed
in. ``CLFCORE_AUTH=oidc``: Streamlit's own ``st.login()`` with the school's OpenID Connect
provider, configured in ``.streamlit/secrets.toml``. Either way the signed-in user ends up in
``ui.session`` and every page works in their workspace.
"""

from __future__ import annotations

import ipaddress
import json
import sys
from urllib.parse import urlencode, urlsplit

import streamlit as st
from streamlit.errors import StreamlitAuthError

from clfcore.accounts import roster, sessions
from clfcore.accounts.identity import STUDENT, TEACHER, User, name_for_email
from clfcore.accounts.settings import OIDC, ClassSettings
from clfcore.accounts.throttle import SignInThrottle
from clfcore.errors import UserInputError
from ui import session
from ui.lang import error_message, t

_NAME = "_sign_in_name"
_PASSWORD = "_sign_in_password"  # emptied by the sign-in callback: the password is never kept
_PROBLEM = "_sign_in_problem"  # the last failed sign-in's message, shown above the form
_COOKIE_TOKEN = "_sign_in_cookie_token"  # a token this session must still write to the cookie
_RETURN_TO = "_sign_in_return_to"  # the page (path and query) the visitor opened before signing in
_SIGNED_OUT = "_signed_out"  # this session signed out: the browser's cookie must go

# what the [auth] section of secrets.toml needs for the default provider (Streamlit's docs)
_OIDC_KEYS = ("redirect_uri", "cookie_secret", "client_id", "client_secret", "server_metadata_url")


def gate() -> None:
    """Let the page run only for a signed-in user on a class server; personal mode passes.

    Shows the sign-in (or what is wrong with the server's settings) and stops the script run
    otherwise.
    """
    try:
        settings = session.settings()
    except UserInputError as error:
        st.error(error_message(error), icon=":material/error:")
        st.stop()
    if not settings.is_class:
        return
    _warn_plain_http_once()
    if settings.auth == OIDC:
        _oidc_gate(settings)
    else:
        _roster_gate(settings)


# --- roster: the form and the cookie ------------------------------------------------------------


@st.cache_resource(show_spinner=False)
def _sign_in_throttle() -> SignInThrottle:
    """One throttle for the whole server: many browser sessions share its count per name."""
    return SignInThrottle()


def _roster_gate(settings: ClassSettings) -> None:
    user = session.current_user()
    if user is None and not st.session_state.get(_SIGNED_OUT):
        # (st.context.cookies is the cookie the session began with: after a sign-out it is stale)
        try:
            user = sessions.verify(
                st.context.cookies.get(sessions.COOKIE), max_age_seconds=settings.session_seconds
            )
        except UserInputError as error:  # a roster that cannot be read
            st.error(error_message(error), icon=":material/error:")
            st.stop()
        session.set_user(user)
    if user is None:
        _sign_in_form()
        st.stop()
    token = st.session_state.pop(_COOKIE_TOKEN, None)
    if token:
        # Just signed in: into the cookie, then reopen the page the link named (?run=...), which
        # now signs in from the cookie - the same way every later visit does.
        _write_cookie(
            token,
            max_age_seconds=settings.session_seconds,
            then_open=st.session_state.pop(_RETURN_TO, "/"),
        )
        st.caption(t("Signing in..."))
        st.stop()
    _signed_in_sidebar(user, on_sign_out=_roster_sign_out)


def _try_sign_in() -> None:
    """The form's callback: check the name and password, then forget the password."""
    state = st.session_state
    name = (state.get(_NAME) or "").strip()
    password = state.get(_PASSWORD) or ""
    state[_PASSWORD] = ""
    state.pop(_PROBLEM, None)
    if not name or not password:
        state[_PROBLEM] = t("Type your user name and your password.")
        return
    throttle = _sign_in_throttle()
    wait = throttle.wait_seconds(name)
    if wait:
        state[_PROBLEM] = t(
            "Too many failed sign-ins for {name}. Wait {seconds} seconds, then try again "
            "(or ask your teacher to reset your password).",
            name=name,
            seconds=wait,
        )
        return
    try:
        user = roster.verify(name, password)
    except UserInputError as error:  # a roster that cannot be read
        state[_PROBLEM] = error_message(error)
        return
    if user is None:
        throttle.failed(name)
        state[_PROBLEM] = t(
            "Wrong user name or password. Check both and try again, or ask your teacher to reset "
            "your password."
        )
        return
    throttle.succeeded(name)
    session.set_user(user)
    state.pop(_SIGNED_OUT, None)
    state.pop(_NAME, None)
    state[_COOKIE_TOKEN] = sessions.issue(user)


def _sign_in_form() -> None:
    url = st.context.url or ""
    if url.startswith("http://") and not _is_loopback(urlsplit(url).hostname):
        st.warning(
            t(
                "This page is served over plain http: your password travels unencrypted over "
                "the network. Open the app at an https:// address, or ask your teacher to serve "
                "it over https (README, Class server)."
            ),
            icon=":material/lock_open:",
        )
    if _RETURN_TO not in st.session_state:
        st.session_state[_RETURN_TO] = _requested_page(url)
    if st.session_state.get(_SIGNED_OUT) or sessions.COOKIE in st.context.cookies:
        _write_cookie("", max_age_seconds=0)  # signed out, or a cookie that no longer signs in
    with st.form("sign_in", width=420):
        st.subheader(t("Sign in"))
        st.caption(t("Use the user name and password your teacher gave you."))
        problem = st.session_state.get(_PROBLEM)
        if problem:
            st.error(problem, icon=":material/error:")
        st.text_input(t("User name"), key=_NAME, autocomplete="username")
        st.text_input(
            t("Password"), key=_PASSWORD, type="password", autocomplete="current-password"
        )
        st.form_submit_button(t("Sign in"), type="primary", on_click=_try_sign_in)


def _requested_page(url: str) -> str:
    """The path and query of this page, to reopen after sign-in (always on this server: one
    leading slash, so never ``//other.host``)."""
    path = "/" + urlsplit(url).path.lstrip("/")
    query = urlencode(st.query_params.to_dict())
    return f"{path}?{query}" if query else path


def _write_cookie(token: str, *, max_age_seconds: int, then_open: str | None = None) -> None:
    """Put ``token`` in the browser's session cookie (an empty token with age 0 deletes it), then
    open the page ``then_open`` if given.

    Streamlit has no API to set a cookie, so a small script does it in the page (``st.html`` is not
    in an iframe). ``Secure`` when the page is https; ``SameSite=Strict``: no other site's page
    sends it along.
    """
    cookie = _js_string(
        f"{sessions.COOKIE}={token}; Path=/; Max-Age={int(max_age_seconds)}; SameSite=Strict"
    )
    script = f'document.cookie = {cookie} + (location.protocol === "https:" ? "; Secure" : "");'
    if then_open:
        script += f" location.replace({_js_string(then_open)});"
    st.html(f"<script>{script}</script>", unsafe_allow_javascript=True)


def _js_string(text: str) -> str:
    """``text`` as a JavaScript string literal that cannot end the <script> element."""
    return json.dumps(text).replace("<", "\\u003c")


def _roster_sign_out() -> None:
    session.set_user(None)
    st.session_state.pop(_COOKIE_TOKEN, None)
    st.session_state.pop(_PROBLEM, None)
    st.session_state[_SIGNED_OUT] = True


# --- OpenID Connect: st.login ---------------------------------------------------------------------


def _oidc_gate(settings: ClassSettings) -> None:
    problem = _oidc_config_problem()
    if problem:
        _oidc_setup_message(problem)
        st.stop()
    if not st.user.is_logged_in:
        st.subheader(t("Sign in"))
        st.markdown(t("Sign in with your school account to use the dashboard."))
        if st.button(t("Sign in with the school account"), type="primary", icon=":material/login:"):
            try:
                st.login()
            except StreamlitAuthError as error:
                _oidc_setup_message(str(error))
        st.stop()
    try:
        name = name_for_email(str(st.user.get("email") or ""))
    except UserInputError as error:
        st.error(error_message(error), icon=":material/error:")
        if st.button(t("Sign out"), icon=":material/logout:"):
            st.logout()
        st.stop()
    role = TEACHER if name in settings.teachers else STUDENT
    user = User(name, role, display_name=str(st.user.get("name") or ""))
    session.set_user(user)
    _signed_in_sidebar(user, on_sign_out=None)


def _oidc_config_problem() -> str:
    """What is missing from ``[auth]`` in secrets.toml for st.login(); "" when nothing is."""
    try:
        section = st.secrets.get("auth") if st.secrets.load_if_toml_exists() else None
    except FileNotFoundError as error:  # a secrets.toml that does not parse
        return str(error)
    if not section:
        return t("no [auth] section was found in .streamlit/secrets.toml")
    missing = [key for key in _OIDC_KEYS if not section.get(key)]
    if missing:
        return t("[auth] in secrets.toml has no {keys}", keys=", ".join(missing))
    return ""


def _oidc_setup_message(problem: str) -> None:
    st.error(
        t(
            "Sign-in with the school's OpenID Connect provider is not set up: {problem}. Put an "
            "[auth] section in .streamlit/secrets.toml with redirect_uri (this server's address "
            "followed by /oauth2callback), cookie_secret (a long random string), client_id, "
            "client_secret and server_metadata_url (the provider's "
            ".well-known/openid-configuration address), then restart the app. README's Class "
            "server section has examples.",
            problem=problem,
        ),
        icon=":material/error:",
    )


# --- both: who is signed in -----------------------------------------------------------------------


def _signed_in_sidebar(user: User, *, on_sign_out) -> None:
    """Name and role in the sidebar, and Sign out (a callback for the roster; st.logout for
    OpenID Connect, which must run in the script)."""
    st.sidebar.markdown(
        t("Signed in as **{name}** ({role})", name=user.label, role=t(user.role)),
    )
    clicked = st.sidebar.button(
        t("Sign out"), icon=":material/logout:", key="sign_out", on_click=on_sign_out
    )
    if clicked and on_sign_out is None:
        st.logout()


# --- secure contexts: https, or this computer -----------------------------------------------------


def _is_loopback(host: str | None) -> bool:
    """True for localhost, *.localhost and loopback addresses: browsers trust them as secure."""
    if not host:
        return False
    host = host.strip("[]").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def is_secure_url(url: str) -> bool:
    """Whether a browser treats a page at ``url`` as a secure context (https, or loopback http).

    Example:
        >>> is_secure_url("http://192.168.1.20:8501/classify"), is_secure_url("http://[::1]:8501")
        (False, True)
    """
    parts = urlsplit(url)
    return parts.scheme == "https" or (parts.scheme == "http" and _is_loopback(parts.hostname))


def is_secure_context() -> bool:
    """Whether this page may use the camera. True when the URL is unknown (a test run)."""
    url = st.context.url
    return not url or is_secure_url(url)


@st.cache_resource(show_spinner=False)
def _warn_plain_http_once() -> bool:
    """One line on the server's stderr per process when a class is served over plain http."""
    address = st.get_option("server.address")
    if not st.get_option("server.sslCertFile") and not _is_loopback(address):
        print(
            "clfcore: WARNING: this class server is served over plain http to other machines: "
            "passwords travel unencrypted and browsers keep the camera off. Serve it over https "
            "(--server.sslCertFile/--server.sslKeyFile, or a reverse proxy; README, Class "
            "server).",
            file=sys.stderr,
            flush=True,
        )
    return True
