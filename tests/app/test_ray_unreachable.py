"""The Train page with CLFCORE_JOBS=ray and nobody at the cluster's address: a clear message at
load, on Start training and for a queued run, never a traceback (no cluster needed: it fails fast).
"""

import socket

import pytest

from clfcore.config import TrainConfig
from clfcore.data.splits import SplitConfig
from clfcore.runs import listing
from clfcore.runs.folder import create_run


@pytest.fixture
def unreachable_ray(monkeypatch):
    """``CLFCORE_JOBS=ray`` at a loopback address nobody listens on; returns that address."""
    pytest.importorskip("ray", reason="needs clfcore[cluster] (ray[default])")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        address = f"127.0.0.1:{sock.getsockname()[1]}"  # closed again: nobody listens there
    monkeypatch.setenv("CLFCORE_JOBS", "ray")
    monkeypatch.setenv("CLFCORE_RAY_ADDRESS", address)
    monkeypatch.delenv("CLFCORE_MAX_TRAININGS", raising=False)
    return address


def _unreachable_errors(at, address: str) -> list[str]:
    return [e.value for e in at.error if address in e.value and "ray start --head" in e.value]


def test_an_unreachable_ray_cluster_is_a_message_on_the_train_page(
    isolated_roots, unreachable_ray, open_page, all_text
):
    waiting = create_run(TrainConfig(dataset="digits", architecture="mlp", train_size=200))
    waiting.set_status("queued", priority="personal")  # queued before the cluster went away

    at = open_page("train", "en")
    assert not at.exception
    assert _unreachable_errors(at, unreachable_ray)  # at load: the page's dispatch

    at.session_state["followed_run"] = waiting.run_id  # the page follows the queued run
    at.run()
    assert not at.exception
    assert "Queued: position 1. It starts once the training backend can be reached" in all_text(at)

    at.session_state["chosen_dataset"] = "digits"
    at.session_state["chosen_split"] = SplitConfig(train_size=200, seed=1)
    at.run()
    next(b for b in at.button if b.label == "Start training").click().run()
    assert not at.exception
    assert len(_unreachable_errors(at, unreachable_ray)) == 2  # at load and on Start training
    assert [run.run_id for run in listing.list_runs()] == [waiting.run_id]  # nothing new queued
    assert waiting.status()["status"] == "queued"  # and nothing saved was touched


def test_the_unreachable_message_is_in_spanish_too(isolated_roots, unreachable_ray, open_page):
    at = open_page("train", "es")
    assert not at.exception
    (error,) = [e.value for e in at.error if unreachable_ray in e.value]
    assert error.startswith(f"No se puede conectar con el clúster de Ray en {unreachable_ray} (")
