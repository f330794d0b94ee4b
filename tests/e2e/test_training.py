"""In a real browser, as a student would: pick digits, keep the course MLP, train, watch, stop."""

from playwright.sync_api import expect

TIMEOUT = 60_000


def test_train_watch_and_stop_in_the_browser(app_url, page, train_and_stop_digits):
    train_and_stop_digits(page, app_url)
    page.get_by_test_id("stSidebarNav").get_by_role("link", name="Runs", exact=True).click()
    expect(page.get_by_text("Every training run is a folder")).to_be_visible(timeout=TIMEOUT)
    expect(page.locator("[data-testid='stException']")).to_have_count(0)
