"""Exports of a run's model (clfcore.export.formats): each format round-trips in its own runtime on
the digits test set, int8 is smaller, a layer a format cannot hold is named, snippets fit the run.

Tiny runs (the trainer on digits, 2 epochs): an MLP and a small CNN. No network.
"""

import io
import json
import zipfile
from pathlib import Path

import keras
import numpy as np
import pytest
import tensorflow as tf

from clfcore.errors import UserInputError
from clfcore.export import formats, snippets
from clfcore.runs.folder import open_run

pytestmark = pytest.mark.xdist_group("export")  # the trained runs are shared within a worker


@pytest.fixture
def mlp_run(isolated_roots, tmp_path_factory, make_trained_run):
    return open_run(make_trained_run(isolated_roots["runs"], tmp_path_factory))


@pytest.fixture
def cnn_run(isolated_roots, tmp_path_factory, make_trained_run):
    return open_run(
        make_trained_run(isolated_roots["runs"], tmp_path_factory, architecture="lenet")
    )


@pytest.mark.parametrize(
    ("fmt", "int8"), [("saved_model", False), ("onnx", False), ("litert", False), ("litert", True)]
)
def test_each_format_runs_in_its_runtime_like_keras(mlp_run, fmt, int8):
    result = formats.export_run(mlp_run, fmt, int8=int8)
    assert result.path.exists() and result.path.is_relative_to(mlp_run.path / "exports")
    assert result.bytes > 0 and result.ms_per_image > 0 and result.int8 is int8
    # float exports compute what Keras computes; int8 stays within a few test images
    tolerance = 0.03 if int8 else 0.003
    assert abs(result.test_accuracy - result.keras_test_accuracy) <= tolerance
    assert result.keras_test_accuracy > 0.5  # the run learned something: the check means something
    # loaded again, from where it now lies, it still classifies
    runner = formats.load_runtime(fmt, result.path)
    outputs = runner(np.zeros((3, 8, 8, 1), dtype=np.float32))
    assert outputs.shape == (3, 10)
    assert [e.key for e in formats.list_exports(mlp_run)] == [result.key]


def test_cnn_litert_int8_is_smaller_and_close(cnn_run):
    float32 = formats.export_run(cnn_run, "litert")
    int8 = formats.export_run(cnn_run, "litert", int8=True)
    assert int8.bytes < 0.5 * float32.bytes
    assert abs(int8.test_accuracy - float32.test_accuracy) <= 0.05
    assert float32.test_accuracy == pytest.approx(float32.keras_test_accuracy, abs=0.003)
    assert [e.key for e in formats.list_exports(cnn_run)] == ["litert", "litert-int8"]
    # the int8 file really is integer inside, with float32 at its edges
    details = formats._litert_tensors(int8.path)
    assert details["input"] == np.float32 and details["output"] == np.float32
    assert np.int8 in details["inside"]


def test_export_again_replaces_and_downloads(mlp_run):
    formats.export_run(mlp_run, "saved_model")
    result = formats.export_run(mlp_run, "saved_model")
    assert len(formats.list_exports(mlp_run)) == 1
    data, name = formats.download(result)
    assert name == "saved_model.zip" and data[:2] == b"PK"
    assert not [p for p in (mlp_run.path / "exports").iterdir() if p.name.startswith(".")]
    # the snippets load what the download gives: the folder the zip unpacks to
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert {Path(n).parts[0] for n in archive.namelist()} == {formats.loaded_name(result)}


def test_the_snippets_load_the_downloaded_files_name(mlp_run):
    result = formats.export_run(mlp_run, "litert", int8=True)
    _, name = formats.download(result)
    assert name == formats.loaded_name(result) == "litert-int8.tflite"


@keras.saving.register_keras_serializable(package="tests")
class LogGamma(keras.layers.Layer):
    """A custom layer with an op (Lgamma) neither ONNX nor LiteRT's builtin ops have."""

    def call(self, inputs):
        return tf.math.lgamma(inputs + 1.0)


def _with_custom_layer(run) -> None:
    inputs = keras.Input((8, 8, 1))
    x = LogGamma(name="log_gamma")(inputs)
    x = keras.layers.Flatten()(x)
    outputs = keras.layers.Dense(10, activation="softmax")(x)
    keras.Model(inputs, outputs).save(run.model_path)


@pytest.mark.parametrize("fmt", ["onnx", "litert"])
def test_a_layer_the_format_cannot_hold_is_named(mlp_run, fmt):
    _with_custom_layer(mlp_run)
    with pytest.raises(UserInputError, match=r"cannot hold the layer log_gamma \(LogGamma\)"):
        formats.export_run(mlp_run, fmt)
    assert formats.list_exports(mlp_run) == []


def test_a_savedmodel_holds_a_custom_layer(mlp_run):
    _with_custom_layer(mlp_run)
    result = formats.export_run(mlp_run, "saved_model")
    assert result.test_accuracy == pytest.approx(result.keras_test_accuracy, abs=0.003)


def test_requests_refused_before_any_work(monkeypatch):
    with pytest.raises(UserInputError, match="Unknown export format 'tflite'"):
        formats.check_request("tflite")
    with pytest.raises(UserInputError, match="int8 quantization is offered for LiteRT only"):
        formats.check_request("onnx", int8=True)
    with pytest.raises(UserInputError, match="this run's task is multilabel"):
        formats.check_request("litert", task="multilabel")
    real = formats.importlib.util.find_spec
    monkeypatch.setattr(
        formats.importlib.util,
        "find_spec",
        lambda name: None if name == "onnxruntime" else real(name),
    )
    assert formats.missing_packages("onnx") == ("onnxruntime",)
    with pytest.raises(UserInputError, match=r"pip install 'clfcore\[export\]'"):
        formats.check_request("onnx")
    formats.check_request("saved_model")  # needs TensorFlow only


def test_export_json_is_what_the_table_reads(mlp_run):
    result = formats.export_run(mlp_run, "onnx")
    stored = json.loads((result.path.parent / formats.RESULT_FILE).read_text())
    assert stored["path"] == "model.onnx"
    assert formats.list_exports(mlp_run)[0].to_json() == result.to_json()


def test_snippets_use_the_runs_shape_and_class_names(mlp_run):
    facts = snippets.facts_for_run(mlp_run)
    assert facts.input_shape == (8, 8, 1) and facts.class_names[0] == "0"
    assert facts.dark_background
    found = snippets.snippets("litert", facts, file_name="model.tflite")
    assert [target for target, _, _ in found] == ["python", "android", "raspberry_pi"]
    names = json.dumps(list(facts.class_names))
    for _, _, code in found:
        assert "model.tflite" in code
        assert "8, 8" in code
    assert names in found[0][2] and names in found[2][2]
    assert "org.tensorflow.lite.Interpreter" in found[1][2]
    assert '"9"' in found[1][2] and "FloatArray(10)" in found[1][2]
    onnx = snippets.snippets("onnx", facts, file_name="model.onnx")
    assert len(onnx) == 1 and "onnxruntime.InferenceSession" in onnx[0][2]
    assert "reshape(1, 8, 8, 1)" in onnx[0][2]


def test_python_snippet_runs_against_the_export(mlp_run, tmp_path, monkeypatch):
    """The Python snippet of each format, run as written, classifies a picture."""
    from PIL import Image

    facts = snippets.facts_for_run(mlp_run)
    Image.fromarray(np.zeros((8, 8), dtype=np.uint8)).save(tmp_path / "photo.png")
    monkeypatch.chdir(tmp_path)
    for fmt in ("onnx", "litert"):
        result = formats.export_run(mlp_run, fmt)
        code = snippets.python_snippet(fmt, facts, file_name=str(result.path))
        printed: list = []
        exec(compile(code, "snippet", "exec"), {"print": lambda *a, out=printed: out.append(a)})
        assert printed and printed[0][0] in facts.class_names
