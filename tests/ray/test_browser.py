"""The Train page in a real Chromium with ``CLFCORE_JOBS=ray``: the web server (its own runs and
data roots, which the cluster's workers are not given) trains on the session's two-node cluster;
the progress bar, the learning curves and Stop work as with the local backend."""

from __future__ import annotations

import json
import os
import re

from playwright.sync_api import expect

from tests.e2e.conftest import serve_app

TIMEOUT = 60_000
ON_RAY = 180_000  # a job's actor starts on a worker, then TensorFlow there: give it room
WEB_FILES = {"config.json", "status.json", "progress.json", "history.csv", "metrics.json"}
WEB_FILES |= {"model.keras", "train.log", "stop-requested"}


def _choose_digits(page, app_url):
    page.goto(f"{app_url}/dataset?lang=en")
    expect(page.locator("[data-testid='stMetric']")).to_have_count(5, timeout=TIMEOUT)
    page.locator("[data-testid='stSelectbox']").first.click()
    page.get_by_role("option", name="Digits 8x8").click()
    expect(page.locator("[data-testid='stMetric']").first).to_contain_text("1,151", timeout=TIMEOUT)


def test_train_watch_and_stop_on_the_cluster_in_the_browser(
    on_ray,
    tmp_path,
    page,
    wait_for_run,
):
    web = tmp_path / "web"  # the web server's roots: no worker is given them
    env = {"CLFCORE_JOBS": "ray", "CLFCORE_RAY_ADDRESS": on_ray["address"], "CLFCORE_RAY_CPUS": "1"}
    with serve_app(web, env=env) as app_url:
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
        )
        page.get_by_role("button").filter(has_text="Start training").click()
        expect(page.get_by_test_id("stProgress")).to_be_visible(timeout=ON_RAY)
        # curves after the first epoch has come back from the worker
        expect(page.locator(".js-plotly-plot").last).to_be_visible(timeout=ON_RAY)
        page.get_by_role("button").filter(has_text="Stop").click()
        expect(page.get_by_text("stopped: test accuracy")).to_be_visible(timeout=ON_RAY)
        expect(page.get_by_role("link", name="Evaluate this model")).to_be_visible()
        expect(page.locator("[data-testid='stException']")).to_have_count(0)
        expect(page.get_by_text("Cannot reach the Ray cluster")).to_have_count(0)

    (run,) = [p for p in (web / "runs").iterdir() if not p.name.startswith(".")]
    state = json.loads((run / "status.json").read_text())
    assert state["backend"] == "ray" and state["status"] == "stopped"  # it ran on the cluster
    assert set(os.listdir(run)) <= WEB_FILES  # only what came back through Ray
    assert str(on_ray["home"]) in (run / "train.log").read_text()  # trained in a worker's folder
