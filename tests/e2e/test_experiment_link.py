"""In a real browser: a link's experiment fills the widgets, a reload keeps it, the Train page
shows it and copies its link; a bad parameter gives a note."""

import re
from urllib.parse import parse_qs, urlsplit

from playwright.sync_api import expect

TIMEOUT = 30_000


def _params(url: str) -> dict[str, str]:
    return {k: v[-1] for k, v in parse_qs(urlsplit(url).query).items()}


def test_a_link_fills_the_model_page_survives_a_reload_and_reaches_train(
    app_url, page, wait_for_run
):
    page.goto(f"{app_url}/model?lang=en&arch=lenet&lr=0.01&epochs=5")
    epochs = page.get_by_label("Epochs")
    expect(epochs).to_have_value("5", timeout=TIMEOUT)
    expect(page.get_by_role("spinbutton", name="Learning rate")).to_have_value("0.01000")
    wait_for_run(page)
    page.reload()
    expect(page.get_by_label("Epochs")).to_have_value("5", timeout=TIMEOUT)
    wait_for_run(page)
    assert {"arch": "lenet", "lr": "0.01", "epochs": "5"}.items() <= _params(page.url).items()

    page.get_by_test_id("stSidebarNav").get_by_role("link", name="Train", exact=True).click()
    expect(page.get_by_text("LeNet: adam, learning rate 0.01, batch 128, 5 epochs")).to_be_visible(
        timeout=TIMEOUT
    )
    wait_for_run(page)
    # the page switch dropped the parameters; the Train page puts them back
    expect(page).to_have_url(re.compile(r"/train\?.*epochs=5"))
    assert _params(page.url)["lang"] == "en"


def test_copy_link_puts_the_experiment_in_the_clipboard(app_url, browser, wait_for_run):
    context = browser.new_context(
        viewport={"width": 1400, "height": 1000},
        locale="en-US",
        permissions=["clipboard-read", "clipboard-write"],
    )
    page = context.new_page()
    try:
        page.goto(f"{app_url}/train?lang=en&arch=lenet&epochs=4&es=1")
        button = page.get_by_role("button", name="Copy link")
        expect(button).to_be_visible(timeout=TIMEOUT)
        wait_for_run(page)
        button.click()
        expect(page.get_by_text("Copied.")).to_be_visible()
        copied = page.evaluate("navigator.clipboard.readText()")
        assert copied.startswith(app_url + "/train?")
        assert {"arch": "lenet", "epochs": "4", "es": "1", "lang": "en"}.items() <= (
            _params(copied).items()
        )
    finally:
        context.close()


def test_a_bad_parameter_shows_a_note(app_url, page):
    page.goto(f"{app_url}/model?lang=es&epochs=abc&arch=lenet")
    note = page.get_by_test_id("stAlert").filter(has_text="Se ignoraron")
    expect(note).to_be_visible(timeout=TIMEOUT)
    expect(note).to_contain_text("epochs=abc")
