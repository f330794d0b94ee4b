"""A real tiny run's test-set predictions: equal to Keras's, cached per model file, only for
finished runs in the runs root."""

import os
import shutil

import numpy as np
import pytest

from clfcore.errors import UserInputError
from clfcore.evaluation import run_predictions, scoring

# --- a real run, trained once per test session and copied into each test's runs root -------------


@pytest.fixture
def trained_run(isolated_roots, tmp_path_factory, make_trained_run):
    return run_predictions.evaluable_run(make_trained_run(isolated_roots["runs"], tmp_path_factory))


def test_predictions_of_a_real_run_match_keras_and_are_cached(trained_run, monkeypatch):
    predictions = run_predictions.predict_run(trained_run)
    assert predictions.num_images == 359 and predictions.num_classes == 10
    assert np.allclose(predictions.probabilities.sum(axis=1), 1, atol=1e-4)
    report = scoring.evaluate(predictions)
    saved = trained_run.metrics()
    assert report.accuracy == pytest.approx(saved["test_accuracy"], abs=1e-6)
    assert report.loss == pytest.approx(saved["test_loss"], rel=1e-3)
    cache = trained_run.path / run_predictions.PREDICTIONS_FILE
    assert cache.is_file()

    def no_model(_run):
        raise AssertionError("the cached predictions should have been used")

    monkeypatch.setattr(run_predictions, "load_model", no_model)
    again = run_predictions.predict_run(trained_run)
    np.testing.assert_array_equal(again.probabilities, predictions.probabilities)
    assert again.class_names == predictions.class_names and again.task == "multiclass"
    # a rewritten model (new mtime) is predicted again
    stat = trained_run.model_path.stat()
    os.utime(trained_run.model_path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))
    with pytest.raises(AssertionError, match="cached predictions"):
        run_predictions.predict_run(trained_run)


def test_a_corrupt_cache_is_recomputed(trained_run):
    (trained_run.path / run_predictions.PREDICTIONS_FILE).write_bytes(b"not an npz")
    assert run_predictions.predict_run(trained_run).num_images == 359


def test_only_finished_runs_with_a_model_inside_the_runs_root_are_evaluated(
    trained_run, isolated_roots, tmp_path
):
    trained_run.set_status("running", pid=os.getpid())
    with pytest.raises(UserInputError, match="still training"):
        run_predictions.evaluable_run(trained_run.run_id)
    trained_run.set_status("completed")
    trained_run.model_path.unlink()
    with pytest.raises(UserInputError, match="has no saved model"):
        run_predictions.evaluable_run(trained_run.run_id)
    for bad in ("../runs", "", ".hidden", "no-such-run"):
        with pytest.raises(UserInputError):
            run_predictions.evaluable_run(bad)
    outside = tmp_path / "elsewhere" / trained_run.run_id
    shutil.copytree(trained_run.path, outside)
    with pytest.raises(UserInputError, match="not inside the runs root"):
        run_predictions.resolve_run(str(outside))
    with pytest.raises(UserInputError, match="not inside the runs root"):
        run_predictions.resolve_run(
            str(isolated_roots["runs"] / ".." / "elsewhere" / trained_run.run_id)
        )


def test_resolve_run_accepts_an_id_or_its_folder(trained_run, isolated_roots):
    assert run_predictions.resolve_run(trained_run.run_id).path == trained_run.path
    assert (
        run_predictions.resolve_run(str(isolated_roots["runs"] / trained_run.run_id)).path
        == trained_run.path
    )
