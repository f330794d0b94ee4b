"""The sign-in gate of a class server through the router (app.py): the roster form, the throttle,
sign-out, the OpenID Connect set-up message; personal mode without any of it."""

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from clfcore.accounts import roster
from clfcore.i18n import translate
from ui import auth

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "correct horse battery"


@pytest.fixture
def roster_server(monkeypatch):
    """A class server with a roster of a student and a teacher; the shared throttle starts
    empty."""
    monkeypatch.setenv("CLFCORE_AUTH", "roster")
    roster.add_user("ana", PASSWORD, role="student")
    roster.add_user("tere", "teacher's own", role="teacher")
    auth._sign_in_throttle.clear()
    yield
    auth._sign_in_throttle.clear()


def _app(lang: str = "en", *, url: str | None = None) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.query_params["lang"] = lang
    if url:
        at.context["url"] = url
    return at.run()


def _labels(at: AppTest) -> list[str]:
    return [w.label for w in at.text_input]


def _sign_in(at: AppTest, name: str, password: str) -> AppTest:
    at.text_input(key=auth._NAME).input(name)
    at.text_input(key=auth._PASSWORD).input(password)
    at.button[0].click()  # the form's only button: Sign in
    return at.run()


def _errors(at: AppTest) -> list[str]:
    return [e.value for e in at.error]


@pytest.mark.parametrize("lang", ["en", "es"])
def test_a_class_server_shows_the_sign_in_form_and_no_page(roster_server, lang):
    at = _app(lang)
    assert not at.exception, at.exception
    assert _labels(at) == [translate("User name", lang), translate("Password", lang)]
    assert at.button[0].label == translate("Sign in", lang)
    assert not at.title  # no page ran
    if lang == "es":
        assert _labels(at) == ["Nombre de usuario", "Contraseña"]


def test_a_wrong_password_or_name_is_refused_with_one_message(roster_server):
    at = _sign_in(_app(), "ana", "wrong")
    wrong = _errors(at)
    assert len(wrong) == 1 and "Wrong user name or password" in wrong[0]
    assert at.text_input(key=auth._PASSWORD).value == ""  # the password is not kept
    at = _sign_in(at, "nobody", "wrong")
    assert _errors(at) == wrong  # an unknown name: the same message
    assert _labels(at) == ["User name", "Password"] and not at.title


def test_after_too_many_failures_the_name_is_locked_and_another_is_not(roster_server):
    at = _app()
    for _ in range(auth._sign_in_throttle().max_failures):
        at = _sign_in(at, "ana", "wrong")
    at = _sign_in(at, "ana", PASSWORD)  # even the right password waits
    assert "Too many failed sign-ins for ana" in _errors(at)[0]
    assert "seconds" in _errors(at)[0]
    assert not at.title
    at = _sign_in(at, "tere", "teacher's own").run()  # the browser reopens the page
    assert not at.exception and not at.error
    assert at.title  # the home page


def test_the_right_password_opens_the_pages_and_sign_out_closes_them(roster_server):
    at = _sign_in(_app(), "ana", PASSWORD)
    assert not at.exception, at.exception
    assert [c.value for c in at.caption] == ["Signing in..."]  # the cookie, then the page again
    at.run()
    assert not at.text_input or "User name" not in _labels(at)
    assert at.title  # the home page
    sidebar = [m.value for m in at.sidebar.markdown]
    assert "Signed in as **ana** (student)" in sidebar
    at.switch_page("app_pages/runs.py").run()
    assert not at.exception and at.title[0].value == "Runs"
    assert "Signed in as **ana** (student)" in [m.value for m in at.sidebar.markdown]
    at.sidebar.button(key="sign_out").click().run()
    assert _labels(at) == ["User name", "Password"]
    assert not at.title


def test_a_teacher_is_shown_with_the_role_in_spanish(roster_server):
    at = _sign_in(_app("es"), "tere", "teacher's own").run()
    assert "Sesión iniciada como **tere** (docente)" in [m.value for m in at.sidebar.markdown]


def test_a_plain_http_address_warns_on_the_form_and_localhost_does_not(roster_server):
    at = _app(url="http://192.168.1.20:8501/")
    assert "plain http" in at.warning[0].value
    assert not _app(url="http://localhost:8501/").warning
    assert not _app(url="https://class.school.example/").warning


def test_a_class_served_over_plain_http_warns_once_on_stderr(roster_server, capfd):
    auth._warn_plain_http_once.clear()
    _app()
    _app()
    assert capfd.readouterr().err.count("served over plain http to other machines") == 1


def test_personal_mode_shows_no_form(monkeypatch):
    monkeypatch.delenv("CLFCORE_AUTH", raising=False)
    at = _app()
    assert not at.exception
    assert "User name" not in _labels(at)
    assert at.title and not [b for b in at.sidebar.button if b.key == "sign_out"]


def test_a_bad_setting_is_a_message_not_a_traceback(monkeypatch):
    monkeypatch.setenv("CLFCORE_AUTH", "ldap")
    at = _app()
    assert not at.exception
    assert "CLFCORE_AUTH='ldap' is not a sign-in mode" in _errors(at)[0]
    assert not at.title


def test_oidc_without_auth_settings_says_what_to_put_in_secrets_toml(monkeypatch, tmp_path):
    monkeypatch.setenv("CLFCORE_AUTH", "oidc")
    monkeypatch.chdir(tmp_path)  # no .streamlit/secrets.toml here
    at = _app()
    assert not at.exception
    message = _errors(at)[0]
    assert "secrets.toml" in message and "server_metadata_url" in message
    assert not at.title


def test_oidc_user_gets_the_email_workspace_and_a_teacher_the_teacher_role(monkeypatch):
    monkeypatch.setenv("CLFCORE_AUTH", "oidc")
    monkeypatch.setenv("CLFCORE_TEACHERS", "Tere@School.example")
    for email, role in [("Ana@School.example", "student"), ("tere@school.example", "teacher")]:
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
        at.secrets["auth"] = {
            "redirect_uri": "http://localhost:8501/oauth2callback",
            "cookie_secret": "a long random secret for the test",
            "client_id": "clfcore",
            "client_secret": "secret",
            "server_metadata_url": "http://localhost:9/.well-known/openid-configuration",
        }
        at.user = {"is_logged_in": True, "email": email, "name": "Someone"}
        at.run()
        assert not at.exception, at.exception
        assert at.session_state["signed_in_user"].name == email.lower()
        assert at.session_state["signed_in_user"].role == role
        assert f"Signed in as **Someone** ({role})" in [m.value for m in at.sidebar.markdown]


def test_which_addresses_browsers_treat_as_secure_contexts():
    assert auth.is_secure_url("https://class.school.example/classify")
    assert auth.is_secure_url("http://127.0.0.1:8501/") and auth.is_secure_url("http://[::1]:85")
    assert not auth.is_secure_url("http://192.168.1.20:8501/classify")
    assert not auth.is_secure_url("http://class.school.example/")
