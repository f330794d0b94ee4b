"""Roster sign-in on a class server, in a real Chromium: the form, the session cookie that keeps a
reload signed in, a tampered cookie refused, sign-out."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from clfcore.accounts import roster, sessions
from tests.e2e.conftest import serve_app

PASSWORD = "correct horse battery"


@pytest.fixture(scope="module")
def class_url(tmp_path_factory):
    """A class server (CLFCORE_AUTH=roster) with the student ana on its roster."""
    roots = tmp_path_factory.mktemp("class")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("CLFCORE_DATA_DIR", str(roots / "data"))
        roster.add_user("ana", PASSWORD, role="student")
    with serve_app(roots, env={"CLFCORE_AUTH": "roster"}) as url:
        yield url


def _sign_in(page, name: str, password: str) -> None:
    page.get_by_label("User name").fill(name)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()


def _signed_in(page):
    return page.get_by_test_id("stSidebar").get_by_text("Signed in as")


def test_sign_in_survives_a_reload_and_sign_out_ends_it(class_url, page, wait_for_run):
    page.goto(f"{class_url}/runs")
    expect(page.get_by_label("User name")).to_be_visible(timeout=60_000)
    expect(page.get_by_role("link", name="Runs")).to_have_count(0)  # no page before sign-in

    _sign_in(page, "ana", "not her password")
    expect(page.get_by_text("Wrong user name or password")).to_be_visible(timeout=60_000)

    _sign_in(page, "ana", PASSWORD)
    expect(_signed_in(page)).to_contain_text("ana (student)", timeout=60_000)
    # the link she opened: the Runs page
    expect(page.get_by_role("heading", name="Runs", exact=True)).to_be_visible(timeout=60_000)
    wait_for_run(page)
    cookie = next(c for c in page.context.cookies() if c["name"] == sessions.COOKIE)
    assert cookie["sameSite"] == "Strict" and cookie["path"] == "/"
    assert cookie["expires"] > 0  # Max-Age: it expires
    assert PASSWORD not in page.content()

    page.reload()
    expect(_signed_in(page)).to_contain_text("ana (student)", timeout=60_000)
    expect(page.get_by_label("User name")).to_have_count(0)
    wait_for_run(page)

    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_label("User name")).to_be_visible(timeout=60_000)
    wait_for_run(page)
    assert sessions.COOKIE not in {c["name"] for c in page.context.cookies()}
    page.reload()
    expect(page.get_by_label("User name")).to_be_visible(timeout=60_000)


def test_a_tampered_cookie_is_refused(class_url, page, wait_for_run):
    page.goto(class_url)
    _sign_in(page, "ana", PASSWORD)
    expect(_signed_in(page)).to_be_visible(timeout=60_000)
    wait_for_run(page)
    cookie = next(c for c in page.context.cookies() if c["name"] == sessions.COOKIE)
    # the same user and role, another signature; then a token naming someone else
    payload, rest = cookie["value"].split(".", 1)
    for forged in (f"{payload}.{rest[::-1]}", cookie["value"].replace(payload, payload[::-1])):
        page.context.clear_cookies()
        page.context.add_cookies([{**cookie, "value": forged}])
        page.reload()
        expect(page.get_by_label("User name")).to_be_visible(timeout=60_000)
        expect(_signed_in(page)).to_have_count(0)
        wait_for_run(page)
