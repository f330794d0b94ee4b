"""Through the pages: choose a model, start a run on the Train page, follow it to the end."""

import json
import os
import signal
import time

from clfcore.data.splits import SplitConfig
from clfcore.jobs import warm
from clfcore.runs import listing
from clfcore.runs.folder import RunFolder


def _prepare(at, **model):
    at.session_state["chosen_split"] = SplitConfig(train_size=200, seed=1)
    at.session_state["chosen_model"] = {
        "architecture": "mlp",
        "arch_options": {"hidden_layers": 1, "units": 64, "dropout": 0.0},
        "optimizer": "adam",
        "learning_rate": 0.001,
        "batch_size": 32,
        "epochs": 2,
        "one_hot": True,
        "momentum": 0.9,
        **model,
    }


def _warm_pids(runs) -> list[int]:
    return [json.loads(p.read_text())["pid"] for p in (runs / warm.FOLDER).glob("*/pid.json")]


def test_start_a_run_and_follow_it_until_it_completes(
    isolated_roots, monkeypatch, open_page, all_text
):
    monkeypatch.setenv(warm.SECONDS_ENV, "60")  # as outside the tests: a process kept warm
    at = open_page("train", "en")
    _prepare(at)
    at.run()
    # the page got a training process loading for its Start
    [loading] = _warm_pids(isolated_roots["runs"])
    at.text_input[0].input("first try").run()
    next(b for b in at.button if b.label == "Start training").click().run()
    assert not at.exception
    (run,) = listing.list_runs()
    assert run.name == "first try" and run.status in ("running", "completed")
    assert RunFolder(run.path).status()["pid"] == loading  # Start handed the run to it
    deadline = time.monotonic() + 180
    while listing.list_runs()[0].status in listing.ACTIVE and time.monotonic() < deadline:
        time.sleep(0.5)
    at.run()
    assert listing.list_runs()[0].status == "completed"
    text = all_text(at)
    assert "test accuracy" in text and "after 2 epochs" in text
    assert not at.exception
    for pid in _warm_pids(isolated_roots["runs"]):  # the one left for the next run
        os.kill(pid, signal.SIGTERM)


def test_bad_settings_show_a_message_and_start_nothing(isolated_roots, open_page):
    at = open_page("train", "es")
    _prepare(at, batch_size=1024)
    at.run()
    next(b for b in at.button if b.label == "Empezar el entrenamiento").click().run()
    assert not at.exception
    assert at.error and "1024" in at.error[0].value
    assert listing.list_runs() == []


def test_epochs_zero_is_refused_on_the_page(isolated_roots, open_page):
    at = open_page("train", "en")
    _prepare(at, epochs=0)
    at.run()
    assert not at.exception
    assert "Epochs must be at least 1" in at.error[0].value


def test_the_live_view_says_how_long_the_run_took_to_start(isolated_roots, open_page, all_text):
    import os

    from clfcore.config import TrainConfig
    from clfcore.runs.folder import create_run
    from clfcore.runs.liveness import _process_start_ticks

    run = create_run(TrainConfig(dataset="digits", architecture="mlp", epochs=2))
    queued_at = run.status()["queued_at"]
    # a run "training" in this very process (alive), 2.5 s after it was queued
    run.set_status("running", pid=os.getpid(), pid_start=_process_start_ticks(os.getpid()))
    progress = {"epoch": 1, "epochs": 2, "batch": 1, "batches": 10, "fraction": 0.05}
    extra = {"elapsed": 0.1, "eta": 2.0, "learning_rate": 0.001, "stopping": False}
    run.write_progress({**progress, **extra, "first_batch_at": queued_at + 2.5})
    for lang, expected in (("en", "Started in 2.5 s"), ("es", "Arrancó en 2.5 s")):
        at = open_page("train", lang)
        at.session_state["followed_run"] = run.run_id
        at.run()
        assert not at.exception
        assert expected in all_text(at)
