"""A run's model for phones and the web: TensorFlow SavedModel, ONNX and LiteRT (TensorFlow Lite),
each checked in its own runtime against the Keras model.

Example (a finished run of the runs root)::

    from clfcore.evaluation.run_predictions import resolve_run
    from clfcore.export.formats import export_run
    run = resolve_run("20261125-114210042-cnn-fashion_mnist-3fa2")
    result = export_run(run, "litert", int8=True)
    result.path, result.bytes, result.test_accuracy, result.keras_test_accuracy, result.ms_per_image

Every export is written by Keras 3's ``model.export(path, format=...)`` into the run folder
(``exports/<format>[-int8]/``, next to an ``export.json`` holding its figures), then loaded back
with its own runtime - ``tf.saved_model.load``, ``onnxruntime``, the LiteRT interpreter of
``ai-edge-litert`` - and run on the run's whole test set: its test accuracy sits next to the Keras
model's, with the file size and the time per image, as Edge Impulse compares int8 with float32.

int8 (LiteRT only) is full-integer post-training quantization: weights and activations in int8,
calibrated on ``REPRESENTATIVE_IMAGES`` training images of the run's own split; the model's input
and output stay float32 (a quantize op on the way in, a dequantize op on the way out), so the
same preprocessing (pixels scaled to 0-1) feeds both files.

ONNX and LiteRT need the optional extra ``pip install 'clfcore[export]'``; without it an export
says so (``UserInputError``) instead of failing inside an import. A layer a format cannot hold (a
custom layer, an op the converter lacks) is found by converting the model layer by layer, and
the message names it. TensorFlow, ONNX Runtime and LiteRT are imported inside the functions only:
``import clfcore`` stays free of them.
"""

from __future__ import annotations

import contextlib
import importlib.util
import io
import json
import os
import shutil
import tempfile
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from clfcore.data import datasets, splits
from clfcore.errors import UserInputError
from clfcore.evaluation import run_predictions
from clfcore.fileio import write_text_atomic
from clfcore.i18n import N_
from clfcore.models.probabilities import probabilities_from_outputs
from clfcore.runs.folder import RunFolder
from clfcore.workspace.quota import folder_bytes

FORMATS = ("saved_model", "onnx", "litert")
FORMAT_NAMES = {  # shown in the app and the messages
    "saved_model": N_("TensorFlow SavedModel"),
    "onnx": N_("ONNX"),
    "litert": N_("LiteRT (TensorFlow Lite)"),
}
INT8_FORMATS = ("litert",)  # formats with full-integer post-training quantization
SUPPORTED_TASKS = ("multiclass", "binary")  # one softmax, or one sigmoid unit
EXPORTS_DIR = "exports"  # inside the run folder: the app reads nothing outside the runs root
RESULT_FILE = "export.json"  # beside each export: its figures, for the comparison table
ARTIFACTS = {"saved_model": "saved_model", "onnx": "model.onnx", "litert": "model.tflite"}
REPRESENTATIVE_IMAGES = 200  # training images that calibrate the int8 ranges
TIMED_IMAGES = 50  # test images classified one at a time for the time per image
WARM_UP = 3  # calls before timing: the first ones build graphs and allocate buffers
EVAL_CHUNK = 256  # test images per runtime call when measuring the accuracy
# the packages each format needs beyond TensorFlow: (module to look for, pip name)
_NEEDS = {
    "saved_model": (),
    "onnx": (("tf2onnx", "tf2onnx"), ("onnx", "onnx"), ("onnxruntime", "onnxruntime")),
    "litert": (("ai_edge_litert", "ai-edge-litert"),),
}


@dataclass(frozen=True)
class ExportResult:
    """One export of a run's model and how it did in its own runtime on the run's test set."""

    path: Path  # the file (a folder for a SavedModel)
    format: str  # one of FORMATS
    bytes: int  # its size on disk
    test_accuracy: float  # in its own runtime, on the whole test set
    keras_test_accuracy: float  # the Keras model's on the same images
    ms_per_image: float  # median time to classify one image, in its runtime
    int8: bool = False  # full-integer post-training quantization
    keras_ms_per_image: float | None = None  # the Keras model's, measured the same way

    @property
    def key(self) -> str:
        """``litert-int8``, ``onnx``, ...: the folder under ``exports/`` and the table's row."""
        return export_key(self.format, int8=self.int8)

    def to_json(self) -> dict:
        """The figures ``python -m clfcore export`` prints as its last line."""
        return {
            "path": str(self.path),
            "format": self.format,
            "bytes": self.bytes,
            "test_accuracy": round(self.test_accuracy, 6),
            "keras_test_accuracy": round(self.keras_test_accuracy, 6),
            "ms_per_image": round(self.ms_per_image, 4),
            "int8": self.int8,
            "keras_ms_per_image": None
            if self.keras_ms_per_image is None
            else round(self.keras_ms_per_image, 4),
        }


def export_key(fmt: str, *, int8: bool = False) -> str:
    return f"{fmt}-int8" if int8 else fmt


# --- checks before any work -----------------------------------------------------------------------


def missing_packages(fmt: str) -> tuple[str, ...]:
    """The pip names of the packages ``fmt`` needs that are not installed (none: ready)."""
    return tuple(pip for module, pip in _NEEDS[fmt] if importlib.util.find_spec(module) is None)


def check_request(fmt: str, *, int8: bool = False, task: str | None = None) -> None:
    """Refuse an unknown format, int8 where it is not offered, a task no export supports, or a
    missing extra - before the model is loaded.

    Raises:
        UserInputError: saying what to choose or install instead.
    """
    if fmt not in FORMATS:
        raise UserInputError(
            "Unknown export format {format!r}. Choose one of: {known}.",
            format=fmt,
            known=", ".join(FORMATS),
        )
    if int8 and fmt not in INT8_FORMATS:
        raise UserInputError(
            "int8 quantization is offered for LiteRT only, not for {format}. Export "
            "litert with int8, or {format} without it.",
            format=fmt,
        )
    if task is not None and task not in SUPPORTED_TASKS:
        raise UserInputError(
            "Exports support single-label classifiers (one class per image, or yes/no); this "
            "run's task is {task}. Use the run's model.keras with Keras for it.",
            task=task,
        )
    missing = missing_packages(fmt)
    if missing:
        raise UserInputError(
            "Exporting to {format} needs {packages}, which is not installed. Install it with: "
            "pip install 'clfcore[export]' (or pip install {packages}), then restart the app.",
            format=fmt,
            packages=" ".join(missing),
        )


# --- writing --------------------------------------------------------------------------------------


def _representative_images(run: RunFolder, count: int = REPRESENTATIVE_IMAGES) -> np.ndarray:
    """``count`` training images of the run's own training split (not validation, not test),
    spread over it, scaled to [0, 1]: what the int8 ranges are calibrated on."""
    config = run.config()
    raw = datasets.load_raw(config.dataset)
    train, _ = splits.split_indices(np.asarray(raw.y_train), config.split)
    chosen = np.random.default_rng(config.seed).permutation(train)[:count]
    return splits.scale_images(raw.x_train[np.sort(chosen)])


def _litert_options(*, int8: bool, representative: np.ndarray | None) -> dict:
    """The TFLite converter settings ``model.export(format="litert")`` passes on.

    Builtin ops only: Keras would also allow TensorFlow ("select") ops, which the plain LiteRT
    runtime on a phone or a Raspberry Pi cannot run; a layer that needs them is named instead.
    """
    import tensorflow as tf  # only an export needs TensorFlow

    if not int8:
        return {"target_spec": {"supported_ops": [tf.lite.OpsSet.TFLITE_BUILTINS]}}

    def samples():
        for image in representative:
            yield [image[None].astype(np.float32)]

    return {
        "optimizations": [tf.lite.Optimize.DEFAULT],
        "representative_dataset": samples,
        "target_spec": {"supported_ops": [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]},
        # float32 in and out: the same preprocessing as the float model; int8 inside
        "inference_input_type": tf.float32,
        "inference_output_type": tf.float32,
    }


def _write(model, fmt: str, target: Path, *, int8: bool, representative) -> None:
    """``model.export`` into ``target`` (quietly: the converters print a lot)."""
    # the ONNX exporter refuses a model that was loaded but never called
    model(np.zeros((1, *tuple(model.inputs[0].shape[1:])), dtype=np.float32), training=False)
    with _quiet():
        if fmt == "saved_model":
            model.export(str(target), format="tf_saved_model", verbose=False)
        elif fmt == "onnx":
            model.export(str(target), format="onnx", verbose=False)
        else:
            model.export(
                str(target),
                format="litert",
                verbose=False,
                **_litert_options(int8=int8, representative=representative),
            )


@contextlib.contextmanager
def _quiet():
    """Hide what the converters print on stdout/stderr (Python side; the C++ logs follow
    clfcore.tfenv)."""
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        yield


# --- reading back in each runtime -----------------------------------------------------------------


def load_runtime(fmt: str, path: Path) -> Callable[[np.ndarray], np.ndarray]:
    """A function from a float32 batch (N, H, W, C) in [0, 1] to the model's raw outputs, in
    ``fmt``'s own runtime."""
    if fmt == "saved_model":
        import tensorflow as tf  # only an export needs TensorFlow

        loaded = tf.saved_model.load(str(path))  # kept by the closure: it owns the variables
        return lambda batch: np.asarray(loaded.serve(tf.constant(batch, dtype=tf.float32)))
    if fmt == "onnx":
        import onnxruntime  # only an export needs ONNX Runtime

        session = onnxruntime.InferenceSession(str(path), providers=["CPUExecutionProvider"])
        name = session.get_inputs()[0].name
        return lambda batch: np.asarray(session.run(None, {name: batch.astype(np.float32)})[0])
    return _litert_runner(path)


def _litert_runner(path: Path) -> Callable[[np.ndarray], np.ndarray]:
    from ai_edge_litert.interpreter import Interpreter  # only an export needs LiteRT

    interpreter = Interpreter(model_path=str(path))
    source = interpreter.get_input_details()[0]
    target = interpreter.get_output_details()[0]
    shape: list[tuple] = [()]

    def run(batch: np.ndarray) -> np.ndarray:
        if tuple(batch.shape) != shape[0]:  # a new batch size: resize the input once
            interpreter.resize_tensor_input(source["index"], list(batch.shape))
            interpreter.allocate_tensors()
            shape[0] = tuple(batch.shape)
        data = batch.astype(np.float32)
        scale, zero = source["quantization"]
        if source["dtype"] != np.float32 and scale:  # an int8-in model: quantize as it expects
            data = np.round(data / scale + zero)
            info = np.iinfo(source["dtype"])
            data = np.clip(data, info.min, info.max)
        interpreter.set_tensor(source["index"], data.astype(source["dtype"]))
        interpreter.invoke()
        out = interpreter.get_tensor(target["index"]).astype(np.float32)
        scale, zero = target["quantization"]
        if target["dtype"] != np.float32 and scale:
            out = (out - zero) * scale
        return out

    return run


def _litert_tensors(path: Path) -> dict:
    """The dtypes of a LiteRT file's input, output and of every tensor inside (int8 or not)."""
    from ai_edge_litert.interpreter import Interpreter  # only an export needs LiteRT

    interpreter = Interpreter(model_path=str(path))
    return {
        "input": interpreter.get_input_details()[0]["dtype"],
        "output": interpreter.get_output_details()[0]["dtype"],
        "inside": {tensor["dtype"] for tensor in interpreter.get_tensor_details()},
    }


def _accuracy(runner, images: np.ndarray, labels: np.ndarray) -> float:
    """Share of ``images`` (uint8) whose most probable class is the label, a chunk at a time."""
    right = 0
    for start in range(0, len(images), EVAL_CHUNK):
        batch = splits.scale_images(images[start : start + EVAL_CHUNK])
        predicted = np.argmax(probabilities_from_outputs(runner(batch)), axis=1)
        right += int(np.sum(predicted == labels[start : start + EVAL_CHUNK]))
    return right / max(len(images), 1)


def ms_per_image(runner, images: np.ndarray) -> float:
    """Median milliseconds to classify one image (a batch of one), after a few warm-up calls.

    Every runtime - Keras included - is timed this way on the same images: one image per call, as
    an app on a phone classifies a camera frame.
    """
    batches = [splits.scale_images(image[None]) for image in images]
    for batch in batches[:WARM_UP]:
        runner(batch)
    times = []
    for batch in batches:
        start = time.perf_counter()
        runner(batch)
        times.append(time.perf_counter() - start)
    return float(np.median(times) * 1000.0)


def _check_outputs(model, runner, batch: np.ndarray) -> None:
    """Raise when the runtime's outputs on ``batch`` do not have the Keras model's shape (a
    converter that dropped an op it could not hold leaves an empty or wrong output)."""
    expected = tuple(np.asarray(model(batch, training=False)).shape)
    got = tuple(np.asarray(runner(batch)).shape)
    if got != expected:
        raise RuntimeError(f"the runtime's outputs have shape {got}, the model's {expected}")


def keras_runner(model) -> Callable[[np.ndarray], np.ndarray]:
    """The Keras model as a runtime: a plain call with ``training=False``."""
    return lambda batch: np.asarray(model(batch, training=False))


# --- a layer the format cannot hold ---------------------------------------------------------------


def _layer_models(model):
    """(layer, a model of that layer alone) for each layer, nested models opened up."""
    import keras  # only an export needs Keras

    for layer in model.layers:
        if isinstance(layer, keras.layers.InputLayer):
            continue
        if isinstance(layer, keras.Model):
            yield from _layer_models(layer)
            continue
        try:
            shape = tuple(layer.input.shape[1:])
            inputs = keras.Input(shape=shape)
            yield layer, keras.Model(inputs, layer(inputs))
        except Exception:
            continue


def _failing_layer(model, fmt: str, *, int8: bool):
    """The first layer that does not convert (or run) by itself in ``fmt``, or None."""
    with tempfile.TemporaryDirectory() as scratch:
        for number, (layer, alone) in enumerate(_layer_models(model)):
            target = Path(scratch) / f"{number}-{ARTIFACTS[fmt]}"
            shape = (4, *tuple(alone.inputs[0].shape[1:]))
            sample = np.random.default_rng(0).random(shape, dtype=np.float32)
            try:
                _write(alone, fmt, target, int8=int8, representative=sample)
                _check_outputs(alone, load_runtime(fmt, target), sample[:2])
            except Exception:
                return layer
    return None


def _unsupported(model, fmt: str, *, int8: bool, error: Exception) -> UserInputError:
    layer = _failing_layer(model, fmt, int8=int8)
    if layer is not None:
        return UserInputError(
            "{format} cannot hold the layer {layer} ({kind}) of this model: its converter or "
            "runtime does not support what the layer computes. Export another format (a "
            "SavedModel holds every layer), or train a model without that layer.",
            format=fmt,
            layer=layer.name,
            kind=type(layer).__name__,
        )
    reason = (str(error).strip().splitlines() or [type(error).__name__])[-1][:300]
    return UserInputError(
        "The model could not be exported to {format}: {reason}. Try another format.",
        format=fmt,
        reason=reason,
    )


# --- the whole export -----------------------------------------------------------------------------


def exports_dir(run: RunFolder) -> Path:
    return run.path / EXPORTS_DIR


def export_run(
    run: RunFolder, fmt: str, *, int8: bool = False, out_dir: Path | None = None
) -> ExportResult:
    """Export ``run``'s model to ``fmt``, check it in its own runtime on the test set, and record
    the figures.

    Args:
        run: a finished run with a model.keras (``run_predictions.evaluable_run``).
        fmt: "saved_model", "onnx" or "litert".
        int8: full-integer post-training quantization (LiteRT only). Defaults to False.
        out_dir: where the export's folder goes. Defaults to the run's ``exports/<format>[-int8]``
            (replaced when it exists).

    Returns:
        the export's path, size, test accuracy in its runtime next to the Keras model's, and
        the median milliseconds per image of both.

    Raises:
        UserInputError: an unknown format, int8 where not offered, a task exports do not
            support, a missing extra, or a layer the format cannot hold (named).
    """
    config = run.config()
    check_request(fmt, int8=int8, task=datasets.get_dataset(config.dataset).task)
    model = run_predictions.load_model(run)
    keras_predictions = run_predictions.predict_run(run, model=model)
    keras_accuracy = float(np.mean(keras_predictions.correct))
    x_test, y_test, *_ = run_predictions.load_test_set(config)
    y_test = np.asarray(y_test).astype(np.int64)
    representative = _representative_images(run) if int8 else None

    final = Path(out_dir) if out_dir is not None else exports_dir(run) / export_key(fmt, int8=int8)
    final.parent.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix=f".{final.name}-", dir=final.parent))
    try:
        artifact = scratch / ARTIFACTS[fmt]
        try:
            _write(model, fmt, artifact, int8=int8, representative=representative)
            runner = load_runtime(fmt, artifact)
            _check_outputs(model, runner, splits.scale_images(x_test[:2]))
        except UserInputError:
            raise
        except Exception as error:
            raise _unsupported(model, fmt, int8=int8, error=error) from error
        accuracy = _accuracy(runner, x_test, y_test)
        timed = x_test[: WARM_UP + TIMED_IMAGES]
        result = ExportResult(
            path=final / ARTIFACTS[fmt],
            format=fmt,
            bytes=folder_bytes(artifact) if artifact.is_dir() else artifact.stat().st_size,
            test_accuracy=accuracy,
            keras_test_accuracy=keras_accuracy,
            ms_per_image=ms_per_image(runner, timed),
            int8=int8,
            keras_ms_per_image=ms_per_image(keras_runner(model), timed),
        )
        write_text_atomic(scratch / RESULT_FILE, json.dumps(_stored(result), indent=2))
        if final.exists():
            shutil.rmtree(final)
        os.replace(scratch, final)
    finally:
        if scratch.exists():
            shutil.rmtree(scratch, ignore_errors=True)
    return result


def _stored(result: ExportResult) -> dict:
    """export.json: the figures, with the artifact's name relative to its folder (runs move)."""
    return {**result.to_json(), "path": result.path.name}


def list_exports(run: RunFolder) -> list[ExportResult]:
    """Every export made so far for ``run`` (read from their export.json), in FORMATS order."""
    found = []
    for fmt in FORMATS:
        for int8 in (False, True):
            folder = exports_dir(run) / export_key(fmt, int8=int8)
            try:
                data = json.loads((folder / RESULT_FILE).read_text())
                path = folder / str(data["path"])
                if not path.exists():
                    continue
                found.append(
                    ExportResult(
                        path=path,
                        format=fmt,
                        bytes=int(data["bytes"]),
                        test_accuracy=float(data["test_accuracy"]),
                        keras_test_accuracy=float(data["keras_test_accuracy"]),
                        ms_per_image=float(data["ms_per_image"]),
                        int8=bool(data.get("int8", False)),
                        keras_ms_per_image=data.get("keras_ms_per_image"),
                    )
                )
            except (OSError, ValueError, KeyError, TypeError):
                continue  # none yet, or half written
    return found


def download_name(result: ExportResult) -> str:
    """The downloaded file's name (the usage snippets load that name): ``litert-int8.tflite``,
    ``onnx.onnx``, a SavedModel's ``saved_model.zip``."""
    return f"{result.key}{'.zip' if result.path.is_dir() else result.path.suffix}"


def loaded_name(result: ExportResult) -> str:
    """What the usage snippets load: the downloaded file, or the folder a SavedModel's zip unpacks
    to (``saved_model``)."""
    return result.path.name if result.path.is_dir() else download_name(result)


def download(result: ExportResult) -> tuple[bytes, str]:
    """The export as one file to download: a .onnx / .tflite as it is, a SavedModel folder zipped.

    Returns:
        the bytes and ``download_name``.
    """
    if not result.path.is_dir():
        return result.path.read_bytes(), download_name(result)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for file in sorted(result.path.rglob("*")):
            if file.is_file():
                archive.write(file, Path(result.path.name) / file.relative_to(result.path))
    return buffer.getvalue(), download_name(result)
