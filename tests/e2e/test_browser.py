"""In a real browser: every page URL in both languages renders without an exception box.

Assertions use Playwright's ``expect``, which retries until the page shows what is expected (or
times out): a Streamlit rerun is asynchronous, so a single look right after a click can be too
early.
"""

import pytest
from playwright.sync_api import expect

from clfcore.i18n import translate

TIMEOUT = 30_000


def test_a_shared_page_link_works_on_a_freshly_started_server(app_url, page):
    """The first request of a new server is for /dataset (a teacher's link): the router must serve
    it."""
    page.goto(f"{app_url}/dataset?lang=es")
    expect(page.locator("h1").first).to_have_text(translate("Dataset", "es"), timeout=TIMEOUT)
    nav = page.get_by_test_id("stSidebarNav")
    expect(nav.get_by_role("link", name=translate("Home", "es"), exact=True)).to_be_visible()
    expect(page.get_by_text("Language / Idioma")).to_be_visible()


@pytest.mark.parametrize("lang", ["en", "es"])
def test_every_page_url_renders_in_both_languages(app_url, page, lang, page_titles, wait_for_run):
    for name, title in page_titles.items():
        page.goto(f"{app_url}/{'' if name == 'home' else name}?lang={lang}")
        expect(page.locator("h1").first).to_have_text(translate(title, lang), timeout=TIMEOUT)
        wait_for_run(page)
        expect(page.locator("[data-testid='stException']")).to_have_count(0)


def test_language_switch_and_navigation_keep_the_language(app_url, page):
    page.goto(f"{app_url}/?lang=en")
    expect(page.get_by_text("Quick start")).to_be_visible(timeout=TIMEOUT)
    page.get_by_text("Español", exact=True).click()
    expect(page.get_by_text(translate("Quick start", "es"))).to_be_visible(timeout=TIMEOUT)
    expect(page).to_have_url(f"{app_url}/?lang=es")
    page.get_by_test_id("stSidebarNav").get_by_role(
        "link", name=translate("Dataset", "es"), exact=True
    ).click()
    expect(page.locator("h1").first).to_have_text(translate("Dataset", "es"), timeout=TIMEOUT)
    expect(page).to_have_url(f"{app_url}/dataset?lang=es")


def test_browser_locale_picks_spanish_without_a_query_parameter(app_url, browser):
    context = browser.new_context(locale="es-ES")
    page = context.new_page()
    page.goto(app_url)
    expect(page.get_by_text(translate("Quick start", "es"))).to_be_visible(timeout=TIMEOUT)
    context.close()


def test_dataset_page_shows_the_default_dataset_and_an_unavailable_one(app_url, page, wait_for_run):
    page.goto(f"{app_url}/dataset?lang=en")
    expect(page.locator("[data-testid='stMetric']")).to_have_count(5, timeout=TIMEOUT)
    expect(page.locator("[data-testid='stImage']").first).to_be_visible()
    page.locator("[data-testid='stSelectbox']").first.click()
    page.get_by_role("option", name="CIFAR-10  -  not downloaded").click()
    expect(page.get_by_text("python -m clfcore download cifar10")).to_be_visible(timeout=TIMEOUT)
    wait_for_run(page)
    expect(page.locator("[data-testid='stException']")).to_have_count(0)
