"""In a real browser: lesson 1's first setup button sets the dataset and opens the Dataset page."""

import re

from playwright.sync_api import expect

from clfcore.i18n import translate

TIMEOUT = 30_000


def test_a_lesson_button_sets_up_the_dataset_and_opens_its_page(app_url, page, wait_for_run):
    page.goto(f"{app_url}/lessons?lang=es")
    expect(page.locator("h1").first).to_have_text(translate("Lessons", "es"), timeout=TIMEOUT)
    wait_for_run(page)
    label = translate("Set up and open {page}", "es", page=translate("Dataset", "es"))
    page.get_by_role("button", name=label).first.click()
    expect(page.locator("h1").first).to_have_text(translate("Dataset", "es"), timeout=TIMEOUT)
    expect(page).to_have_url(f"{app_url}/dataset?lang=es")
    wait_for_run(page)
    # MNIST, else Fashion-MNIST (the Debian copy, if the machine has it), else the digits
    chosen = re.compile("MNIST|Digits 8x8")
    dataset = page.get_by_role("combobox", name=translate("Dataset", "es")).first
    expect(dataset).to_have_value(chosen, timeout=TIMEOUT)
    expect(page.locator("[data-testid='stException']")).to_have_count(0)
