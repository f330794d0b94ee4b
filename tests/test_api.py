"""The public Python API (clfcore.api, exported lazily by clfcore) and README's example of it."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import threading
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

import clfcore
from clfcore.config import TrainConfig
from clfcore.data import datasets
from clfcore.data.datasets import DatasetError
from clfcore.errors import UserInputError
from clfcore.runs.folder import create_run

ROOT = Path(__file__).resolve().parents[1]
TINY = dict(dataset="digits", epochs=2, train_size=200, batch_size=32)


def _python(code: str, *, cwd: Path, env: dict[str, str] | None = None):
    environment = {**os.environ, **(env or {})}
    environment["PYTHONPATH"] = os.pathsep.join(
        [str(ROOT), *filter(None, [environment.get("PYTHONPATH")])]
    )
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=cwd,
        env=environment,
        capture_output=True,
        text=True,
        timeout=600,
    )


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """One tiny run trained through clfcore.train, shared by the tests that only read it."""
    runs_dir = tmp_path_factory.mktemp("api-runs")
    epochs = []
    before = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    run = clfcore.train(
        clfcore.TrainConfig.for_architecture("mlp", **TINY),
        runs_dir=runs_dir,
        on_epoch=lambda epoch, logs: epochs.append((epoch, dict(logs))),
    )
    after = {sig: signal.getsignal(sig) for sig in before}
    return {"run": run, "runs_dir": runs_dir, "epochs": epochs, "handlers": (before, after)}


# --- the package --------------------------------------------------------------------------------


def test_import_clfcore_and_its_config_do_not_load_tensorflow(tmp_path):
    code = """
import sys
import clfcore
assert "tensorflow" not in sys.modules and "keras" not in sys.modules, "import clfcore"
clfcore.TrainConfig(dataset="digits", epochs=1)
assert "tensorflow" not in sys.modules and "keras" not in sys.modules, "clfcore.TrainConfig"
clfcore.train, clfcore.predict, clfcore.list_runs()
assert "tensorflow" not in sys.modules and "keras" not in sys.modules, "clfcore.api"
print("ok")
"""
    result = _python(code, cwd=tmp_path, env={"CLFCORE_RUNS_DIR": str(tmp_path)})
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"


def test_the_package_lists_its_public_names_and_refuses_others():
    assert set(clfcore.__all__) <= set(dir(clfcore))
    for name in clfcore.__all__:
        assert getattr(clfcore, name) is not None
    assert clfcore.TrainConfig is TrainConfig
    assert clfcore.UserInputError is UserInputError
    with pytest.raises(AttributeError, match="no attribute 'trian'"):
        clfcore.trian  # noqa: B018 - the attribute access is the test
    from clfcore import jobs  # a subpackage still imports through the lazy __getattr__

    assert jobs.__name__ == "clfcore.jobs"


# --- README ---------------------------------------------------------------------------------------


def readme_example() -> str:
    """The first python code block of README's "Use clfcore from Python" section."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("\n## Use clfcore from Python\n", 1)[1].split("\n## ", 1)[0]
    found = re.search(r"```python\n(.*?)```", section, re.S)
    assert found, "README's section 'Use clfcore from Python' has no ```python block"
    return found.group(1)


def test_readme_example_runs_as_written(tmp_path):
    runs = tmp_path / "runs"
    env = {"CLFCORE_RUNS_DIR": str(runs), "CLFCORE_DATA_DIR": str(tmp_path / "data")}
    result = _python(readme_example(), cwd=tmp_path, env=env)
    assert result.returncode == 0, result.stderr[-3000:]
    folders = [folder for folder in runs.iterdir() if folder.is_dir()]
    assert len(folders) == 1  # it trained, in $CLFCORE_RUNS_DIR
    assert json.loads((folders[0] / "status.json").read_text())["status"] == "completed"
    assert folders[0].name in result.stdout


# --- load_dataset ---------------------------------------------------------------------------------


def test_load_dataset_gives_the_splits_and_class_names():
    data = clfcore.load_dataset("digits", train_size=300, seed=1)
    assert data.class_names == tuple(str(d) for d in range(10))
    assert abs(len(data.x_train) + len(data.x_val) - 300) <= 10  # stratified: rounded per class
    same = datasets.load_splits(
        "digits", TrainConfig(dataset="digits", train_size=300, seed=1).split
    )
    assert np.array_equal(data.x_train, same.x_train)  # the arrays training uses
    assert data.x_train.shape[1:] == (8, 8, 1) and data.x_train.dtype == np.float32
    assert data.x_train.min() >= 0.0 and data.x_train.max() <= 1.0
    assert data.y_train.ndim == 1
    assert clfcore.load_dataset("digits", one_hot=True).y_test.shape[1] == 10


def test_load_dataset_refuses_bad_input():
    with pytest.raises(DatasetError, match=r"Unknown dataset 'digts'\. Choose one of: .*digits"):
        clfcore.load_dataset("digts")
    with pytest.raises(UserInputError, match="validation split must be between 0 and 1"):
        clfcore.load_dataset("digits", validation_split=1.5)
    with pytest.raises(UserInputError, match='must be a string such as "digits", got int'):
        clfcore.load_dataset(3)


# --- train ----------------------------------------------------------------------------------------


def test_train_returns_the_finished_run(trained):
    run = trained["run"]
    assert run.status == "completed"
    assert run.path.parent == trained["runs_dir"]
    assert run.run_id == run.path.name
    assert run.config.epochs == 2 and run.config.architecture == "mlp"
    assert list(run.history["epoch"]) == [1, 2]
    assert {"loss", "val_loss", "val_accuracy"} <= set(run.history.columns)
    assert set(run.metrics) >= {"test_accuracy", "test_loss", "epochs_run"}
    assert run.metrics["epochs_run"] == 2
    assert run.model.output_shape == (None, 10)
    assert run.model is run.model  # loaded once
    assert run.run_id in repr(run) and "completed" in repr(run)


def test_train_calls_on_epoch_after_every_epoch_with_the_logs(trained):
    assert [epoch for epoch, _ in trained["epochs"]] == [1, 2]
    history = trained["run"].history
    for (_, logs), val_loss in zip(trained["epochs"], history["val_loss"], strict=True):
        assert logs["val_loss"] == pytest.approx(val_loss)


def test_train_gives_the_notebook_its_signal_handlers_back(trained):
    before, after = trained["handlers"]
    assert after == before  # Ctrl-C interrupts the next cell again


def test_train_refuses_bad_input_before_making_a_run_folder(tmp_path):
    out = tmp_path / "out"
    with pytest.raises(UserInputError, match=r"train takes a clfcore\.TrainConfig, got dict"):
        clfcore.train({"dataset": "digits"}, runs_dir=out)
    with pytest.raises(UserInputError, match=r"on_epoch must be a function of \(epoch, logs\)"):
        clfcore.train(clfcore.TrainConfig(**TINY), runs_dir=out, on_epoch="print")
    with pytest.raises(DatasetError, match="Unknown dataset 'nope'"):
        clfcore.train(clfcore.TrainConfig(dataset="nope"), runs_dir=out)
    with pytest.raises(UserInputError, match=r"batch size \(512\) is larger than the training set"):
        clfcore.train(TrainConfig(dataset="digits", batch_size=512, train_size=100), runs_dir=out)
    assert not out.exists()


def test_train_works_from_a_thread_other_than_the_main_one(tmp_path):
    outcome = {}

    def work():
        try:
            outcome["run"] = clfcore.train(
                clfcore.TrainConfig.for_architecture("mlp", **{**TINY, "epochs": 1}),
                runs_dir=tmp_path,
            )
        except Exception as error:  # reported by the assertion below
            outcome["error"] = error

    thread = threading.Thread(target=work)
    thread.start()
    thread.join()
    assert "error" not in outcome, outcome.get("error")
    assert outcome["run"].status == "completed"


# --- open_run, list_runs --------------------------------------------------------------------------


def test_open_run_by_id_path_or_run(trained):
    run, runs_dir = trained["run"], trained["runs_dir"]
    assert clfcore.open_run(run.run_id, runs_dir=runs_dir).path == run.path
    assert clfcore.open_run(run.path).path == run.path
    assert clfcore.open_run(str(run.path)).path == run.path
    assert clfcore.open_run(run) is run


def test_open_run_refuses_what_is_not_a_run(tmp_path, isolated_roots):
    with pytest.raises(UserInputError, match="There is no run 'nope' in"):
        clfcore.open_run("nope")
    (tmp_path / "empty").mkdir()
    with pytest.raises(UserInputError, match=r"is not a run folder: it has no config\.json"):
        clfcore.open_run(tmp_path / "empty")
    with pytest.raises(UserInputError, match=r"A run is given by its id, .* got int"):
        clfcore.open_run(3)


def test_list_runs_newest_first(isolated_roots):
    assert clfcore.list_runs() == []
    first = create_run(clfcore.TrainConfig(dataset="digits"))
    second = create_run(clfcore.TrainConfig(dataset="digits"))
    assert [run.run_id for run in clfcore.list_runs()] == [second.run_id, first.run_id]
    assert clfcore.list_runs()[0].status == "queued"
    assert clfcore.list_runs(runs_dir=isolated_roots["runs"] / "missing") == []


# --- evaluate -------------------------------------------------------------------------------------


def test_evaluate_gives_the_report_of_the_test_set(trained):
    run = trained["run"]
    report = clfcore.evaluate(run)
    assert report.num_images == len(clfcore.load_dataset("digits").x_test)
    assert report.accuracy == pytest.approx(run.metrics["test_accuracy"], abs=1e-6)
    assert report.confusion.shape == (10, 10)
    assert report.confusion.sum() == report.num_images
    assert clfcore.evaluate(str(run.path)).accuracy == report.accuracy


def test_evaluate_refuses_a_run_that_has_not_trained():
    queued = create_run(clfcore.TrainConfig(dataset="digits"))
    with pytest.raises(UserInputError, match="still training or waiting in the queue"):
        clfcore.evaluate(queued.run_id)


# --- predict --------------------------------------------------------------------------------------


def test_predict_dataset_arrays_as_the_model_sees_them(trained):
    run = trained["run"]
    x_test = clfcore.load_dataset("digits").x_test[:6]
    predictions = clfcore.predict(run, x_test, top_k=3)
    expected = run.model.predict(x_test, verbose=0)
    assert [p.class_index for p in predictions] == list(expected.argmax(axis=1))
    for prediction, probabilities in zip(predictions, expected, strict=True):
        assert prediction.probability == pytest.approx(probabilities.max(), abs=1e-5)
        assert prediction.label == str(prediction.class_index)
        assert len(prediction.top_k) == 3 and prediction.top_k[0].label == prediction.label
    as_uint8 = np.rint(x_test * 255).astype(np.uint8)
    assert [p.probability for p in clfcore.predict(run, as_uint8)] == pytest.approx(
        [p.probability for p in predictions], abs=1e-6
    )
    grayscale_2d = clfcore.predict(run, [image[..., 0] for image in x_test])
    assert [p.class_index for p in grayscale_2d] == [p.class_index for p in predictions]


def test_predict_image_files(trained, tmp_path):
    x_test = clfcore.load_dataset("digits").x_test[:2]
    paths = []
    for index, image in enumerate(x_test):
        path = tmp_path / f"digit{index}.png"
        big = Image.fromarray(np.rint(image[..., 0] * 255).astype(np.uint8)).resize((64, 64))
        big.save(path)
        paths.append(path)
    predictions = clfcore.predict(trained["run"], [str(paths[0]), paths[1]])
    assert len(predictions) == 2
    assert all(0.0 <= p.probability <= 1.0 and p.label in "0123456789" for p in predictions)
    assert len(clfcore.predict(trained["run"], paths[0])) == 1  # one path alone


def test_predict_refuses_bad_images(trained, tmp_path):
    run = trained["run"]
    with pytest.raises(UserInputError, match="No images given"):
        clfcore.predict(run, [])
    with pytest.raises(UserInputError, match=r"must have shape \(N, height, width\).*got \(8, 8\)"):
        clfcore.predict(run, np.zeros((8, 8)))
    with pytest.raises(UserInputError, match="Image 0 has float pixels from 0 to 255"):
        clfcore.predict(run, np.linspace(0, 255, 64).reshape(1, 8, 8, 1))
    with pytest.raises(UserInputError, match=r"Image 1 has shape \(8, 8, 4\)"):
        clfcore.predict(run, [np.zeros((8, 8)), np.zeros((8, 8, 4))])
    with pytest.raises(UserInputError, match="top_k must be a whole number of at least 1, got 0"):
        clfcore.predict(run, np.zeros((1, 8, 8, 1)), top_k=0)
    text = tmp_path / "notes.png"
    text.write_text("not an image")
    with pytest.raises(UserInputError, match=r"notes\.png"):
        clfcore.predict(run, [text])
    with pytest.raises(UserInputError, match=r"Images are given as an array, .* got int"):
        clfcore.predict(run, 7)


def test_predict_refuses_a_run_without_a_model(isolated_roots):
    queued = create_run(clfcore.TrainConfig(dataset="digits"))
    with pytest.raises(UserInputError, match="has no saved model yet"):
        clfcore.predict(queued.run_id, np.zeros((1, 8, 8, 1)))
