"""In a real browser: the Evaluate page's export section exports a tiny trained run to int8 LiteRT,
compares it with the Keras model, downloads a file the LiteRT interpreter runs, and reads in
Spanish too (the MLP on digits that other tests train, so a test session trains it once)."""

import numpy as np
import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import serve_app

TIMEOUT = 60_000
EXPORT_TIMEOUT = 180_000  # conversion, calibration and scoring the test set on a busy CPU


def _open_export(page, wait_for_run, url: str, lang: str, title: str, section: str):
    """The export section, opened (and the rerun that draws it over); returns it."""
    page.goto(f"{url}/evaluate?lang={lang}")
    expect(page.locator("h1").first).to_have_text(title, timeout=TIMEOUT)
    wait_for_run(page)  # the whole page drawn: nothing moves under the click
    page.locator("[data-testid='stExpander'] summary").filter(has_text=section).click()
    wait_for_run(page)
    return page.locator("[data-testid='stExpander']").filter(has_text=section)


def _choose(selectbox, option: str, wait_for_run) -> None:
    """Pick ``option`` in a selectbox by typing it (its list may open over other widgets); again
    if a rerun redrew the widget meanwhile."""
    field = selectbox.get_by_role("combobox")
    for _ in range(3):
        field.click()
        field.fill(option)
        field.press("Enter")
        wait_for_run(selectbox.page)
        if field.input_value() == option:
            return
    expect(field).to_have_value(option)


def test_export_to_int8_litert_compare_download_and_run(
    tmp_path_factory, make_trained_run, page, wait_for_run
):
    interpreter = pytest.importorskip("ai_edge_litert.interpreter", reason="needs clfcore[export]")
    roots = tmp_path_factory.mktemp("export")
    (roots / "runs").mkdir()
    make_trained_run(roots / "runs", tmp_path_factory)
    with serve_app(roots) as url:
        section = _open_export(
            page, wait_for_run, url, "en", "Evaluate", "Export for phones and the web"
        )
        int8 = section.get_by_role("checkbox", name="int8")
        for _ in range(3):  # the format is chosen once int8 is offered (LiteRT only)
            _choose(
                section.locator("[data-testid='stSelectbox']").first,
                "LiteRT (TensorFlow Lite)",
                wait_for_run,
            )
            if int8.is_enabled():
                break
        expect(int8).to_be_enabled()
        section.get_by_text("int8", exact=True).click()
        wait_for_run(page)
        section.get_by_role("button", name="Export", exact=True).click()
        # the comparison: the Keras model's row and the int8 file's, then a download per export
        download = section.get_by_role("button", name="LiteRT int8")
        expect(download).to_be_visible(timeout=EXPORT_TIMEOUT)
        table = section.locator("[data-testid='stDataFrame']")
        expect(table).to_contain_text("Keras (model.keras)")
        expect(table).to_contain_text("LiteRT (TensorFlow Lite) · int8")
        with page.expect_download() as info:
            download.click()
        path = tmp_path_factory.mktemp("download") / info.value.suggested_filename
        info.value.save_as(path)
        expect(section.get_by_text("Usage for")).to_be_visible()
        expect(section.locator("code").filter(has_text=path.name).first).to_be_visible()
        wait_for_run(page)
        expect(page.locator("[data-testid='stException']")).to_have_count(0)

        # the downloaded file is a model the plain LiteRT interpreter runs: 8x8 digits in, 10 out
        model = interpreter.Interpreter(model_path=str(path))
        model.allocate_tensors()
        (given,), (answer,) = model.get_input_details(), model.get_output_details()
        model.set_tensor(given["index"], np.zeros(given["shape"], dtype=given["dtype"]))
        model.invoke()
        assert model.get_tensor(answer["index"]).shape[-1] == 10

        # in Spanish: the section, and the export already made, in a table of its own words
        section = _open_export(
            page, wait_for_run, url, "es", "Evaluar", "Exportar para móviles y la web"
        )
        table = section.locator("[data-testid='stDataFrame']")
        expect(table).to_contain_text("LiteRT (TensorFlow Lite) · int8", timeout=TIMEOUT)
        expect(section.get_by_role("button", name="Exportar", exact=True)).to_be_visible()
        expect(section.get_by_text("Uso de")).to_be_visible()
        wait_for_run(page)
        expect(page.locator("[data-testid='stException']")).to_have_count(0)
