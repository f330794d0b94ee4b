"""In a real browser, as a student would: pick digits, keep the course MLP, train, watch, stop."""

import re

from playwright.sync_api import expect

TIMEOUT = 60_000


def _choose_digits(page, app_url):
    page.goto(f"{app_url}/dataset?lang=en")
    expect(page.locator("[data-testid='stMetric']")).to_have_count(5, timeout=TIMEOUT)
    page.locator("[data-testid='stSelectbox']").first.click()
    page.get_by_role("option", name="Digits 8x8").click()
    expect(page.locator("[data-testid='stMetric']").first).to_contain_text("1,151", timeout=TIMEOUT)


def test_train_watch_and_stop_in_the_browser(app_url, page, wait_for_run):
    _choose_digits(page, app_url)
    page.get_by_test_id("stSidebarNav").get_by_role("link", name="Model", exact=True).click()
    expect(page.get_by_text("Total parameters")).to_be_visible(timeout=TIMEOUT)
    epochs = page.get_by_label("Epochs")
    epochs.fill("400")
    epochs.press("Enter")
    wait_for_run(page)
    page.get_by_test_id("stSidebarNav").get_by_role("link", name="Train", exact=True).click()
    expect(page.get_by_text("Digits 8x8: 1,438 training images")).to_be_visible(timeout=TIMEOUT)
    expect(page.get_by_text(re.compile(r"batch \d+, 400 epochs"))).to_be_visible(
        timeout=TIMEOUT
    )  # the change was kept
    page.get_by_role("button").filter(has_text="Start training").click()
    expect(page.get_by_test_id("stProgress")).to_be_visible(timeout=TIMEOUT)
    # curves after the first epoch
    expect(page.locator(".js-plotly-plot").last).to_be_visible(timeout=TIMEOUT)
    page.get_by_role("button").filter(has_text="Stop").click()
    expect(page.get_by_text("stopped: test accuracy")).to_be_visible(timeout=TIMEOUT)
    expect(page.get_by_role("link", name="Evaluate this model")).to_be_visible()
    page.get_by_test_id("stSidebarNav").get_by_role("link", name="Runs", exact=True).click()
    expect(page.get_by_text("Every training run is a folder")).to_be_visible(timeout=TIMEOUT)
    expect(page.locator("[data-testid='stException']")).to_have_count(0)
