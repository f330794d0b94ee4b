"""In a real browser: the Evaluate page's layer-by-layer walk of a tiny trained run (the MLP on
digits that other tests train too, so a whole test session trains it once)."""

from playwright.sync_api import expect

from clfcore.evaluation import run_predictions
from clfcore.runs.folder import open_run
from tests.e2e.conftest import serve_app

TIMEOUT = 60_000


def test_the_inside_tab_walks_every_layer(tmp_path_factory, make_trained_run, page, wait_for_run):
    roots = tmp_path_factory.mktemp("walk")
    (roots / "runs").mkdir()
    run_id = make_trained_run(roots / "runs", tmp_path_factory)
    model = run_predictions.load_model(open_run(run_id, root=roots / "runs"))
    names = [layer.name for layer in model.layers if layer.__class__.__name__ != "InputLayer"]
    with serve_app(roots) as url:
        page.goto(f"{url}/evaluate?lang=en")
        expect(page.locator("h1").first).to_have_text("Evaluate", timeout=TIMEOUT)
        page.get_by_role("tab", name="Inside the network").click()
        expect(page.get_by_text("Layer by layer", exact=True)).to_be_visible(timeout=TIMEOUT)
        for number, name in enumerate(names, start=1):
            expect(page.get_by_text(f"{number}. {name}", exact=True)).to_be_visible(timeout=TIMEOUT)
        expect(page.get_by_text("Similar images", exact=True)).to_be_visible(timeout=TIMEOUT)
        wait_for_run(page)
        expect(page.locator("[data-testid='stException']")).to_have_count(0)
