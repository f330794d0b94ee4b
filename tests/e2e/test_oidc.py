"""OpenID Connect sign-in (CLFCORE_AUTH=oidc) in a real Chromium, through Streamlit's own st.login,
against a real local OpenID Connect provider (the ``oidc-provider-mock`` package) on a loopback
port: the provider's form, back to the app signed in with the e-mail's workspace; a teacher's
e-mail gets the teacher role."""

from __future__ import annotations

import json
import secrets
import urllib.parse
import urllib.request

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import serve_app

oidc_provider_mock = pytest.importorskip("oidc_provider_mock")

TEACHER = "tere@school.example"


@pytest.fixture(scope="module")
def provider():
    """The OpenID provider, http on localhost. It is authlib's server, which refuses plain http
    unless AUTHLIB_INSECURE_TRANSPORT is set (a real school provider is https)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("AUTHLIB_INSECURE_TRANSPORT", "1")
        with oidc_provider_mock.run_server_in_thread() as server:
            url = f"http://localhost:{server.server_port}"
            request = urllib.request.Request(
                f"{url}/users/{urllib.parse.quote(TEACHER)}",
                data=json.dumps({"email": TEACHER, "name": "Tere Docente"}).encode(),
                headers={"Content-Type": "application/json"},
                method="PUT",
            )
            assert urllib.request.urlopen(request).status == 204
            yield url


@pytest.fixture(scope="module")
def oidc_app_url(provider, tmp_path_factory):
    """The app with CLFCORE_AUTH=oidc and an [auth] section that names the provider, in a
    secrets.toml of its own (``--secrets.files``)."""
    roots = tmp_path_factory.mktemp("oidc")
    secrets_toml = roots / "secrets.toml"
    secrets_toml.write_text(
        "[auth]\n"
        # {port}: Streamlit puts in its own port
        'redirect_uri = "http://localhost:{port}/oauth2callback"\n'
        f'cookie_secret = "{secrets.token_hex(32)}"\n'
        'client_id = "clfcore-dashboard"\n'
        'client_secret = "any secret: the mock provider accepts every client"\n'
        f'server_metadata_url = "{provider}/.well-known/openid-configuration"\n',
        encoding="utf-8",
    )
    env = {"CLFCORE_AUTH": "oidc", "CLFCORE_TEACHERS": TEACHER.upper()}
    with serve_app(roots, env=env, args=("--secrets.files", str(secrets_toml))) as url:
        # the browser must use the host of redirect_uri, where Streamlit's cookie lives
        yield url.replace("127.0.0.1", "localhost")


def _sign_in_at_the_provider(page, app_url: str, email: str) -> None:
    page.goto(app_url)
    page.get_by_role("button", name="Sign in with the school account").click()
    page.get_by_placeholder("sub").fill(email)  # the provider's own form
    page.get_by_role("button", name="Authorize").click()


def _signed_in(page):
    return page.get_by_test_id("stSidebar").get_by_text("Signed in as")


@pytest.mark.parametrize(
    "email, shown",
    [
        ("ana.garcia@school.example", "ana.garcia@school.example (student)"),
        (TEACHER, "Tere Docente (teacher)"),
    ],
)
def test_oidc_sign_in_through_the_provider(oidc_app_url, page, wait_for_run, email, shown):
    _sign_in_at_the_provider(page, oidc_app_url, email)
    expect(_signed_in(page)).to_contain_text(shown, timeout=60_000)
    expect(page.get_by_role("heading", name="clfcore dashboard")).to_be_visible()
    wait_for_run(page)
    page.reload()  # Streamlit's identity cookie keeps the sign-in
    expect(_signed_in(page)).to_contain_text(shown, timeout=60_000)
    wait_for_run(page)


def test_oidc_sign_out_ends_the_session_at_the_provider_too(oidc_app_url, page, wait_for_run):
    _sign_in_at_the_provider(page, oidc_app_url, "ben@school.example")
    expect(_signed_in(page)).to_contain_text("ben@school.example (student)", timeout=60_000)
    wait_for_run(page)
    page.get_by_test_id("stSidebar").get_by_role("button", name="Sign out").click()
    page.get_by_role("button", name="End session").click()  # the provider's own page
    expect(page.get_by_role("button", name="Sign in with the school account")).to_be_visible(
        timeout=60_000
    )
    expect(_signed_in(page)).to_have_count(0)
