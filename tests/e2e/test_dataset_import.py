"""In a real browser: upload a ZIP through the file uploader, import it, explore it, delete it."""

import re

from playwright.sync_api import expect

TIMEOUT = 30_000


def test_upload_import_explore_and_delete(app_url, page, zip_bytes, class_files, wait_for_run):
    page.goto(f"{app_url}/dataset?lang=en")
    expect(page.locator("[data-testid='stMetric']")).to_have_count(5, timeout=TIMEOUT)
    page.get_by_text("Import your own images").click()
    data = zip_bytes(
        class_files("garden/", classes=("cat", "dog", "bird"), count=5) | {"garden/notes.txt": b"x"}
    )
    page.get_by_test_id("stFileUploaderDropzoneInput").first.set_input_files(
        files=[{"name": "garden.zip", "mimeType": "application/zip", "buffer": data}]
    )
    expect(page.get_by_text("garden.zip: 3 classes, 15 images.")).to_be_visible(timeout=TIMEOUT)
    expect(
        page.get_by_text("1 file that is not an image will be skipped: garden/notes.txt.")
    ).to_be_visible()
    wait_for_run(page)
    page.get_by_test_id("stBaseButton-primary").filter(has_text=re.compile(r"Import$")).click()

    expect(page.get_by_text(re.compile(r"^Imported garden: 15 images in 3 classes"))).to_be_visible(
        timeout=TIMEOUT
    )
    expect(page.get_by_role("combobox", name="Dataset")).to_have_value("garden")
    expect(page.locator("[data-testid='stMetric']")).to_have_count(5)
    expect(page.locator("[data-testid='stMetricValue']").nth(3)).to_have_text("8x12")
    wait_for_run(page)
    expect(page.locator("[data-testid='stException']")).to_have_count(0)

    page.get_by_text("Settings of garden").click()
    _open_popover(page, "Delete garden...", "Yes, delete garden", wait_for_run).click()
    expect(page.get_by_text("Deleted the dataset garden.")).to_be_visible(timeout=TIMEOUT)
    expect(page.get_by_role("combobox", name="Dataset")).not_to_have_value("garden")


def _open_popover(page, label: str, inside: str, wait_for_run):
    """Open the popover ``label`` and return its button ``inside``; open it again if a late rerun
    closed it."""
    confirm = page.get_by_role("button").filter(has_text=inside)
    for _ in range(3):
        wait_for_run(page)
        page.get_by_test_id("stPopoverButton").filter(has_text=label).click()
        try:
            expect(confirm).to_be_visible(timeout=5_000)
            return confirm
        except AssertionError:
            continue
    expect(confirm).to_be_visible(timeout=TIMEOUT)
    return confirm
