"""The Train page in a real Chromium with ``CLFCORE_JOBS=ray``: the web server (its own runs and
data roots, which the cluster's workers are not given) trains on the session's two-node cluster;
the progress bar, the learning curves and Stop work as with the local backend."""

from __future__ import annotations

import json
import os

from playwright.sync_api import expect

from tests.e2e.conftest import serve_app

ON_RAY = 180_000  # a job's actor starts on a worker, then TensorFlow there: give it room
WEB_FILES = {"config.json", "status.json", "progress.json", "history.csv", "metrics.json"}
WEB_FILES |= {"model.keras", "train.log", "stop-requested"}


def test_train_watch_and_stop_on_the_cluster_in_the_browser(
    on_ray,
    tmp_path,
    page,
    train_and_stop_digits,
):
    web = tmp_path / "web"  # the web server's roots: no worker is given them
    env = {"CLFCORE_JOBS": "ray", "CLFCORE_RAY_ADDRESS": on_ray["address"], "CLFCORE_RAY_CPUS": "1"}
    with serve_app(web, env=env) as app_url:
        train_and_stop_digits(page, app_url, timeout_ms=ON_RAY)
        expect(page.locator("[data-testid='stException']")).to_have_count(0)
        expect(page.get_by_text("Cannot reach the Ray cluster")).to_have_count(0)

    (run,) = [p for p in (web / "runs").iterdir() if not p.name.startswith(".")]
    state = json.loads((run / "status.json").read_text())
    assert state["backend"] == "ray" and state["status"] == "stopped"  # it ran on the cluster
    assert set(os.listdir(run)) <= WEB_FILES  # only what came back through Ray
    assert str(on_ray["home"]) in (run / "train.log").read_text()  # trained in a worker's folder
