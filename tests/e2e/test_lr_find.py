"""In a real browser: on digits, find a learning rate on the Model page and use it."""

from playwright.sync_api import expect

TIMEOUT = 60_000


def test_find_a_learning_rate_and_use_it(app_url, page, wait_for_run):
    page.goto(f"{app_url}/dataset?lang=en")
    expect(page.locator("[data-testid='stMetric']")).to_have_count(5, timeout=TIMEOUT)
    page.locator("[data-testid='stSelectbox']").first.click()
    page.get_by_role("option", name="Digits 8x8").click()
    expect(page.locator("[data-testid='stMetric']").first).to_contain_text("1,151", timeout=TIMEOUT)
    page.get_by_test_id("stSidebarNav").get_by_role("link", name="Model", exact=True).click()
    rate = page.get_by_role("spinbutton", name="Learning rate")
    expect(rate).to_have_value("0.00100", timeout=TIMEOUT)
    page.get_by_role("button").filter(has_text="Find a learning rate").click()
    expect(page.get_by_test_id("stProgress")).to_be_visible(timeout=TIMEOUT)
    use = page.get_by_role("button").filter(has_text="Use this learning rate")
    expect(use).to_be_visible(timeout=TIMEOUT)
    expect(page.locator(".js-plotly-plot")).to_be_visible()
    suggested = page.get_by_test_id("stMetric").filter(has_text="Suggested learning rate")
    value = float(suggested.get_by_test_id("stMetricValue").inner_text())
    use.click()
    expect(page.get_by_text("The model settings use this learning rate.")).to_be_visible(
        timeout=TIMEOUT
    )
    wait_for_run(page)
    assert float(rate.input_value()) == round(value, 5)
    expect(page.locator("[data-testid='stException']")).to_have_count(0)
