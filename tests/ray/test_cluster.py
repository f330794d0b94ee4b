"""The Ray backend (clfcore.jobs.cluster) on a real two-node cluster: jobs train on workers that
share no folder with the web server, and their run folders come back through Ray."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

from clfcore import jobs
from clfcore.config import TrainConfig
from clfcore.errors import UserInputError
from clfcore.jobs import cluster
from clfcore.runs.folder import RunFolder, create_run

TINY = dict(dataset="digits", architecture="mlp", train_size=120, batch_size=32, epochs=2, seed=1)
LONG = {**TINY, "epochs": 100_000, "train_size": 400}  # always stopped or killed before it ends
WEB_FILES = {"config.json", "status.json", "progress.json", "history.csv", "metrics.json"}
WEB_FILES |= {"model.keras", "train.log", "stop-requested"}
ENDED = {"completed", "stopped", "failed", "interrupted"}


def _until(check, what: str, timeout: float = 180):
    """Wait for ``check()`` to return something true (a state, not a time)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.3)
    raise AssertionError(f"still waiting for {what} after {timeout} s")


def _worker_runs(home) -> list[str]:
    """The run ids with a temporary folder on the workers right now."""
    return [p.name for p in (home / "tmp").glob("clfcore-job-*/runs/*")]


def _only_web_files(runs_root) -> None:
    """The web server's runs root holds run folders with run files, nothing of a worker's."""
    for folder in runs_root.iterdir():
        if folder.name.startswith("."):
            continue
        assert set(os.listdir(folder)) <= WEB_FILES, folder


def test_a_run_trains_on_the_cluster_and_comes_back(on_ray, isolated_roots, wait_for):
    run = jobs.submit(TrainConfig(**TINY))
    assert run.status()["backend"] == "ray" and "pid" not in run.status()
    assert wait_for(run, ENDED) == "completed", run.log_path.read_text()
    assert [row["epoch"] for row in run.history()] == [1.0, 2.0]
    assert run.metrics()["test_accuracy"] > 0.2 and run.metrics()["epochs_run"] == 2
    assert zipfile.is_zipfile(run.model_path)
    assert "test accuracy" in run.log_path.read_text()
    assert str(on_ray["home"]) in run.log_path.read_text()  # it trained in the worker's folder
    _only_web_files(isolated_roots["runs"])
    assert not any(isolated_roots["data"].iterdir())  # a built-in: nothing shipped, nothing read
    # the worker removes its temporary run folder once the run came back
    _until(lambda: run.run_id not in _worker_runs(on_ray["home"]), "the worker's cleanup")


def test_a_continued_run_trains_on_the_cluster_from_its_parents_model(
    on_ray, isolated_roots, wait_for
):
    from clfcore.training import resume

    parent = jobs.submit(TrainConfig(**TINY))
    assert wait_for(parent, ENDED) == "completed", parent.log_path.read_text()
    child = jobs.submit(resume.continued_config(parent, epochs=2), root=parent.path.parent)
    assert wait_for(child, ENDED) == "completed", child.log_path.read_text()
    assert [row["epoch"] for row in child.history()] == [3.0, 4.0]  # numbered on
    assert child.metrics()["epochs_run"] == 2 and zipfile.is_zipfile(child.model_path)
    _only_web_files(isolated_roots["runs"])  # the start model stayed on the worker


def test_stop_a_running_job_keeps_the_model_and_history(on_ray, isolated_roots, wait_for):
    run = jobs.submit(TrainConfig(**LONG))
    _until(run.history, "a first epoch")
    jobs.stop(run)
    assert wait_for(run, ENDED) == "stopped"
    assert zipfile.is_zipfile(run.model_path) and 1 <= len(run.history()) < 400
    assert run.metrics()["stopped"] is True


def _actor_process(run: RunFolder) -> dict:
    """The worker's process ids of ``run``, asked from its actor (the test's own view)."""
    ray = cluster._ray()
    actor = ray.get_actor(run.status()["actor"], namespace=cluster.NAMESPACE)
    return ray.get(actor.poll.remote(run.run_id, 0, None))


def test_a_killed_worker_leaves_the_run_interrupted_with_its_last_model(
    on_ray, isolated_roots, wait_for
):
    run = jobs.submit(TrainConfig(**LONG))
    _until(lambda: run.history() and run.model_path.is_file(), "a model that came back")
    answer = _actor_process(run)
    os.kill(answer["pid"], signal.SIGKILL)  # the worker process running the actor dies
    assert wait_for(run, ENDED) == "interrupted"
    state = run.status()
    assert state["message"] == cluster.WORKER_LOST and state["params"]["reason"]
    assert zipfile.is_zipfile(run.model_path) and run.history()

    def child_gone():
        try:
            os.kill(answer["child"], 0)
        except ProcessLookupError:
            return True
        return False

    _until(child_gone, "the training process to end with its worker", timeout=60)


_FIRST_SERVER = """
import json, sys, time
from clfcore import jobs
from clfcore.config import TrainConfig
run = jobs.submit(TrainConfig(**json.loads(sys.argv[1])))
while not run.history():  # its sync thread mirrors the job
    time.sleep(0.3)
print(run.path, flush=True)
time.sleep(600)  # killed here, mirroring, with no chance to clean up
"""


def test_a_restarted_web_server_finds_its_running_job_again(on_ray, isolated_roots, wait_for):
    # the first web server: a process of its own that submits the job, then is killed
    server = subprocess.Popen(
        [sys.executable, "-c", _FIRST_SERVER, json.dumps(LONG)],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        line = server.stdout.readline().strip()
        assert line, "the first web server ended before its job's first epoch"
    finally:
        server.kill()
        server.wait()
    run = RunFolder(Path(line))
    epochs = len(run.history())
    assert run.status()["status"] == "running" and run.status()["backend"] == "ray"
    # this process is the restarted server: it never saw the job, and finds its actor by name
    with cluster._STATE:
        assert str(run.path) not in cluster._HANDLES
    jobs.dispatch(run.path.parent)  # what every page that watches runs calls
    _until(lambda: len(run.history()) > epochs, "the job's next epoch, mirrored again")
    jobs.stop(run)  # and it still answers
    assert wait_for(run, ENDED) == "stopped"


def _free_address() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return f"127.0.0.1:{sock.getsockname()[1]}"  # nobody listens there once closed


def test_an_unreachable_cluster_says_so_and_the_local_backend_still_works(
    on_ray, isolated_roots, monkeypatch, wait_for
):
    kept = create_run(TrainConfig(**TINY))
    kept.set_status("completed")
    address = _free_address()
    monkeypatch.setenv("CLFCORE_RAY_ADDRESS", address)
    with pytest.raises(UserInputError) as error:
        jobs.submit(TrainConfig(**TINY))
    assert address in str(error.value) and "ray start --head" in str(error.value)
    assert error.value.template == cluster.UNREACHABLE
    assert [p.name for p in isolated_roots["runs"].iterdir() if not p.name.startswith(".")] == [
        kept.run_id
    ]
    assert kept.status()["status"] == "completed"
    monkeypatch.setenv("CLFCORE_JOBS", "local")
    run = jobs.submit(TrainConfig(**{**TINY, "epochs": 1}))
    assert "backend" not in run.status() and run.status()["pid"]
    assert wait_for(run, ENDED) == "completed"


def test_more_jobs_than_the_cluster_places_queue_and_all_complete(on_ray, isolated_roots, wait_for):
    # the cluster places 3 one-CPU jobs (2 on the head, 1 on the second node); the rest wait
    assert jobs.max_concurrent() == 3
    count = 6  # two rounds of the cluster's three places
    config = TrainConfig(**{**TINY, "epochs": 1, "train_size": 80})
    runs = [jobs.submit(config.replace(run_name=f"job-{i}")) for i in range(count)]
    statuses = [run.status()["status"] for run in runs]
    queued = [run for run, status in zip(runs, statuses) if status == "queued"]
    assert statuses.count("running") <= 3 and queued == runs[count - len(queued) :] and queued
    assert [jobs.queue_position(run) for run in queued] == list(range(1, len(queued) + 1))
    assert [wait_for(run, ENDED) for run in runs] == ["completed"] * count
    assert all(run.metrics()["epochs_run"] == 1 for run in runs)
    assert len({run.status()["node"] for run in runs}) == 2  # both machines trained
    _only_web_files(isolated_roots["runs"])


def test_a_user_dataset_travels_to_a_worker_that_never_sees_the_data_root(
    on_ray, isolated_roots, make_image_folder, wait_for
):
    make_image_folder(isolated_roots["data"] / "shapes", count=12, size=(12, 12))
    before = sorted(
        p.relative_to(isolated_roots["data"]) for p in isolated_roots["data"].rglob("*")
    )
    run = jobs.submit(TrainConfig(dataset="shapes", architecture="mlp", epochs=1, batch_size=8))
    assert wait_for(run, ENDED) == "completed", run.log_path.read_text()
    assert run.metrics()["epochs_run"] == 1
    after = sorted(p.relative_to(isolated_roots["data"]) for p in isolated_roots["data"].rglob("*"))
    assert after == before  # the web server's data root: read, never written
    assert not any((on_ray["home"] / "data").iterdir())  # the worker's own data root: untouched
    assert str(isolated_roots["data"]) not in run.log_path.read_text()


def _slots() -> set[str]:
    return {n for n in cluster._ray().util.list_named_actors() if n.startswith(cluster.SLOT_PREFIX)}


def test_the_next_job_reuses_the_warm_slot_of_the_last(on_ray, isolated_roots, wait_for):
    first = jobs.submit(TrainConfig(**TINY))
    assert wait_for(first, ENDED) == "completed"
    _until(lambda: first.run_id not in _worker_runs(on_ray["home"]), "the worker's cleanup")
    waiting = _slots()
    assert first.status()["actor"] in waiting  # it stays, warm, for the next job
    second = jobs.submit(TrainConfig(**{**TINY, "seed": 2}))
    assert wait_for(second, ENDED) == "completed", second.log_path.read_text()
    # one of the slots that were waiting took it: no new actor, no new Python process
    assert second.status()["actor"] in waiting
    assert len(_slots()) <= 3  # never more slots than the cluster places


def test_an_idle_slot_gives_its_cpus_back_and_a_new_size_gets_room(
    on_ray, isolated_roots, monkeypatch, wait_for
):
    # a job of another size (the head's 2 CPUs): the idle one-CPU slots end to make room
    monkeypatch.setenv("CLFCORE_RAY_CPUS", "2")
    monkeypatch.setenv("CLFCORE_RAY_IDLE_SECONDS", "2")
    run = jobs.submit(TrainConfig(**TINY))
    assert run.status()["actor"].startswith(cluster.SLOT_PREFIX + "c2-")
    assert wait_for(run, ENDED) == "completed", run.log_path.read_text()
    assert not any(name.startswith(cluster.SLOT_PREFIX + "c1-") for name in _slots())
    # with nothing to do for 2 s it ends, and its CPUs are the cluster's again
    _until(lambda: run.status()["actor"] not in _slots(), "the idle slot to end", timeout=60)
    ray = cluster._ray()
    _until(lambda: ray.available_resources().get("CPU", 0) >= 3, "the CPUs back", timeout=60)
