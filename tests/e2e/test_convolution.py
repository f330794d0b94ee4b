"""The Convolution lab in a real browser: moving the step slider moves the window, and the
products and their sum follow."""

import re

from playwright.sync_api import expect

TIMEOUT = 60_000


def test_the_step_slider_changes_the_products_and_their_sum(app_url, page, wait_for_run):
    page.goto(f"{app_url}/convolution?lang=en")
    sums = page.get_by_text(re.compile(r"^Sum of the products:"))
    expect(sums).to_be_visible(timeout=TIMEOUT)
    wait_for_run(page)
    page.get_by_text("A small example", exact=True).click()  # the course's 5x5, identity kernel
    expect(page.get_by_text("Window 1 of 9", exact=False)).to_be_visible(timeout=TIMEOUT)
    wait_for_run(page)
    expect(sums).to_have_text(re.compile(r"= 1\.000$"))  # the centre of the first window is 1
    slider = page.get_by_role("slider", name="Window position")
    slider.focus()
    for _ in range(3):  # window 4: row 1, column 0 of the output, whose centre pixel is 0
        slider.press("ArrowRight")
    expect(page.get_by_text("Window 4 of 9", exact=False)).to_be_visible(timeout=TIMEOUT)
    wait_for_run(page)
    expect(sums).to_have_text(re.compile(r"= 0\.000$"))
    expect(page.locator("[data-testid='stException']")).to_have_count(0)
