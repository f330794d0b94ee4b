"""A trained model's answer for new images: loading the model safely, one image fast, or many at
once.

Example (a trained run and a photo of a handwritten 7)::

    classifier = load_run("runs/20261125-114210042-lenet-digits-3fa2")
    result = classify(classifier, imagefile.open_path("my_seven.jpg"))
    result.prediction.label, round(result.prediction.probability, 2), result.prediction.unsure
    # ('7', 0.93, '')

Models are always loaded with ``safe_mode=True``: a ``.keras`` file that would run Python code of
its own (a ``Lambda`` layer, custom classes) is refused with a message saying so. One image is
predicted by calling the model directly (``model(x, training=False)``, traced once into a graph):
``model.predict`` builds a data pipeline on every call and takes tens of times as long for a single
image.
"""

from __future__ import annotations

import csv
import importlib
import importlib.util
import io
import os
import re
import tempfile
import zipfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from clfcore.data import datasets
from clfcore.errors import UserInputError
from clfcore.inference import imagefile
from clfcore.inference.imagefile import OpenedImage
from clfcore.inference.preprocess import (
    PHOTO_STYLE,
    ImageStyle,
    ModelInput,
    Preprocessed,
    preprocess,
    style_for_dataset,
)
from clfcore.models.probabilities import probabilities_from_outputs
from clfcore.runs.folder import RunFolder, open_run

UNSURE_BELOW = 0.5  # the top class has less than this probability -> "unsure"
TIE_MARGIN = 0.10  # the top two classes are closer than this -> "unsure" (a near tie)
TOP_K = 5  # classes listed in a prediction
BATCH_SIZE = 64  # images per model call when classifying many
MAX_MODEL_BYTES = 200 * 1024 * 1024  # an uploaded .keras file
# what its ZIP may unpack to (weights are stored, not compressed)
MAX_MODEL_UNPACKED_BYTES = 1024 * 1024 * 1024


@dataclass(frozen=True)
class Guess:
    class_index: int
    label: str  # the class name as the dataset spells it (translate it for display)
    probability: float

    def to_json(self) -> dict:
        return {
            "label": self.label,
            "class_index": self.class_index,
            "probability": round(self.probability, 6),
        }


@dataclass(frozen=True)
class Prediction:
    """The model's answer for one image."""

    top_k: tuple[Guess, ...]  # most probable first
    # "" (sure), "tie" (the top two are within TIE_MARGIN) or "low" (top below UNSURE_BELOW)
    unsure: str = ""

    @property
    def best(self) -> Guess:
        return self.top_k[0]

    @property
    def label(self) -> str:
        return self.best.label

    @property
    def class_index(self) -> int:
        return self.best.class_index

    @property
    def probability(self) -> float:
        return self.best.probability

    @property
    def runner_up(self) -> Guess | None:
        """The second most probable class, or None when only one is listed."""
        return self.top_k[1] if len(self.top_k) > 1 else None

    def to_json(self) -> dict:
        return {
            "label": self.label,
            "class_index": self.class_index,
            "probability": round(self.probability, 6),
            "top_k": [guess.to_json() for guess in self.top_k],
            "unsure": bool(self.unsure),
        }


@dataclass(frozen=True, eq=False)
class Classifier:
    """A loaded model with what is needed to use it: class names, input format, output kind."""

    model: Any  # keras.Model, shared and never modified
    class_names: tuple[str, ...]
    input: ModelInput
    output: str  # "softmax", "binary" (one sigmoid unit) or "multilabel" (independent sigmoids)
    name: str  # the run id or the uploaded file's name
    logits: bool = False  # the last layer has no activation: apply softmax/sigmoid here
    dataset: str | None = None  # the dataset it was trained on, when known
    architecture: str | None = None
    convolutional: bool = False  # has Conv2D layers (Grad-CAM can explain it)
    # model(x, training=False), traced once into a graph (see direct_call)
    call: Callable | None = None
    # hierarchical runs: the coarse head (this classifier is the fine head)
    coarse: Classifier | None = None

    def probabilities(self, images: np.ndarray) -> np.ndarray:
        """Class probabilities (N, num_classes) for images (N, H, W, C) float32, by calling the
        model directly."""
        import keras

        call = self.call or (lambda x: self.model(x, training=False))
        outputs = []
        for start in range(0, len(images), BATCH_SIZE):
            batch = np.ascontiguousarray(images[start : start + BATCH_SIZE], dtype=np.float32)
            outputs.append(keras.ops.convert_to_numpy(call(batch)).astype(np.float64))
        raw = np.concatenate(outputs).reshape(len(images), -1)
        if self.output == "softmax":
            if self.logits:
                raw = np.exp(raw - raw.max(axis=1, keepdims=True))
                raw /= raw.sum(axis=1, keepdims=True)
            return raw
        if self.logits:
            raw = 1.0 / (1.0 + np.exp(-raw))
        if self.output == "binary":
            return probabilities_from_outputs(raw[:, :1], dtype=np.float64)
        return raw


@dataclass(frozen=True, eq=False)
class Classification:
    """One image through preprocessing and the model."""

    preprocessed: Preprocessed
    prediction: Prediction


def decide(
    probabilities: np.ndarray,
    class_names: Sequence[str],
    *,
    top: int = TOP_K,
    multilabel: bool = False,
) -> Prediction:
    """The top ``top`` classes of one probability vector, and whether the model is unsure.

    Unsure means a near tie (the two best within ``TIE_MARGIN``) or a low top probability (under
    ``UNSURE_BELOW``). For multilabel outputs, where classes do not compete, only the second counts.
    """
    probabilities = np.asarray(probabilities, dtype=np.float64).ravel()
    order = np.argsort(-probabilities, kind="stable")[: max(1, min(top, len(probabilities)))]
    guesses = tuple(Guess(int(i), str(class_names[i]), float(probabilities[i])) for i in order)
    unsure = ""
    if (
        not multilabel
        and len(guesses) > 1
        and guesses[0].probability - guesses[1].probability < TIE_MARGIN
    ):
        unsure = "tie"
    elif guesses[0].probability < UNSURE_BELOW:
        unsure = "low"
    return Prediction(guesses, unsure)


# --- Loading models -------------------------------------------------------------------------------


def _walk_layers(model) -> Iterable:
    for layer in getattr(model, "layers", []):
        yield layer
        yield from _walk_layers(layer)


def _activation_name(layer) -> str:
    activation = getattr(layer, "activation", None)
    return getattr(activation, "__name__", "") if activation is not None else ""


def direct_call(model, input_shape: tuple[int, int, int]) -> Callable:
    """``model(x, training=False)`` as a function traced once for any batch size.

    Called eagerly, a Keras model runs its layers one Python call at a time: 20-60 ms for the
    course's CNNs on a busy 2-core CPU. Traced into a TensorFlow graph the same call takes 1-5 ms
    (and ``model.predict``, which builds a data pipeline on every call, 200-350 ms). Other Keras
    backends call the model eagerly.
    """
    import keras

    if keras.backend.backend() != "tensorflow":
        return lambda x: model(x, training=False)
    import tensorflow as tf

    signature = [tf.TensorSpec((None, *input_shape), tf.float32)]
    return tf.function(lambda x: model(x, training=False), input_signature=signature)


def _register_app_layers() -> None:
    """Import the app's own Keras layers (augmentation can sit inside a model) so that safe mode
    knows them."""
    if importlib.util.find_spec("clfcore.data.augment_layer") is not None:
        importlib.import_module("clfcore.data.augment_layer")


def _load_keras_file(path: Path, name: str):
    """keras.saving.load_model in safe mode; every way a file can fail becomes a UserInputError."""
    import keras

    _register_app_layers()
    try:
        return keras.saving.load_model(path, compile=False, safe_mode=True)
    except ValueError as error:
        text = str(error)
        if "Lambda" in text or "arbitrary code" in text or "safe_mode" in text:
            raise UserInputError(
                "{name} was refused: it contains a Lambda layer, whose Python code would "
                "run on this server when the model is loaded. Models are loaded in safe "
                "mode only. Replace the Lambda layer by built-in Keras layers, train again "
                "and save the model again.",
                name=name,
            ) from None
        raise _unreadable_model(name, error) from None
    except TypeError as error:
        found = re.search(r"Could not locate (class|function) '([^']+)'", str(error))
        if found:
            raise UserInputError(
                "{name} was refused: it needs the custom class or function {object!r}, "
                "which is not part of Keras. Custom code inside a model would have to run "
                "on this server, so only models made of built-in Keras layers are accepted. "
                "Rebuild it with built-in layers.",
                name=name,
                object=found.group(2),
            ) from None
        raise _unreadable_model(name, error) from None
    except (
        OSError,
        KeyError,
        AttributeError,
        IndexError,
        zipfile.BadZipFile,
        RuntimeError,
    ) as error:
        raise _unreadable_model(name, error) from None


def _unreadable_model(name: str, error: Exception) -> UserInputError:
    return UserInputError(
        "{name} could not be loaded as a Keras model ({detail}). "
        'Save it with model.save("model.keras") in Keras 3 and upload that file.',
        name=name,
        detail=f"{type(error).__name__}: {str(error)[:200]}",
    )


def load_model_bytes(data: bytes, *, name: str = "model.keras"):
    """A ``keras.Model`` from the bytes of a ``.keras`` file, loaded with ``safe_mode=True``.

    Raises:
        UserInputError: not a .keras file (an .h5 file, another ZIP, anything else), too large, or
            refused by safe mode (Lambda layers, custom classes), each with a message saying why.
    """
    if not data:
        raise UserInputError(
            '{name} is empty (0 bytes). Choose a model saved with model.save("model.keras").',
            name=name,
        )
    if len(data) > MAX_MODEL_BYTES:
        raise UserInputError(
            "{name} is {size:.0f} MB; model files up to {limit} MB are accepted.",
            name=name,
            size=len(data) / 2**20,
            limit=MAX_MODEL_BYTES // 2**20,
        )
    if data[:8] == b"\x89HDF\r\n\x1a\n":
        raise UserInputError(
            "{name} is an HDF5 (.h5) file, the legacy Keras format. Load it in Keras and "
            'save it again with model.save("model.keras").',
            name=name,
        )
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = {info.filename: info.file_size for info in archive.infolist()}
    except zipfile.BadZipFile:
        members = None
    if not members or "config.json" not in members:
        raise UserInputError(
            "{name} is not a Keras model file: a .keras file is a ZIP archive with config.json "
            "inside. Save the model with "
            'model.save("model.keras") and upload that file.',
            name=name,
        )
    if sum(members.values()) > MAX_MODEL_UNPACKED_BYTES:
        raise UserInputError(
            "{name} unpacks to more than {limit} MB, too large for this server.",
            name=name,
            limit=MAX_MODEL_UNPACKED_BYTES // (1024 * 1024),
        )
    handle, temporary = tempfile.mkstemp(suffix=".keras", prefix="clfcore-upload-")
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
        return _load_keras_file(Path(temporary), name)
    finally:
        Path(temporary).unlink(missing_ok=True)


def model_input_shape(model, *, name: str) -> tuple[int, int, int]:
    """(height, width, channels) of an image model. Raises UserInputError for any other kind of
    model."""
    inputs, outputs = getattr(model, "inputs", None) or [], getattr(model, "outputs", None) or []
    shape = tuple(inputs[0].shape) if len(inputs) == 1 else ()
    out_shape = tuple(outputs[0].shape) if len(outputs) == 1 else ()
    if (
        len(shape) != 4
        or shape[3] not in (1, 3)
        or not all(isinstance(v, int) and v > 0 for v in shape[1:])
        or len(out_shape) != 2
    ):
        raise UserInputError(
            "{name} is not an image classifier this page can use: it takes {inputs} and "
            "gives {outputs}. It needs one input of shape (height, width, 1 or 3 channels) "
            "and one output with a probability per class.",
            name=name,
            inputs=", ".join(str(tuple(i.shape)) for i in inputs) or "nothing",
            outputs=", ".join(str(tuple(o.shape)) for o in outputs) or "nothing",
        )
    return int(shape[1]), int(shape[2]), int(shape[3])


def _value_range(model) -> float:
    """255 when the model starts with a Rescaling layer (it expects raw 0-255 pixels), else 1."""
    for layer in _walk_layers(model):
        kind = type(layer).__name__
        if kind == "InputLayer":
            continue
        if kind == "Rescaling" and abs(float(np.ravel(layer.scale)[0]) * 255 - 1) < 0.05:
            return 255.0
        return 1.0
    return 1.0


def classifier_for_model(
    model,
    *,
    name: str,
    class_names: Sequence[str] | None = None,
    style: ImageStyle = PHOTO_STYLE,
    dataset: str | None = None,
    architecture: str | None = None,
    value_range: float | None = None,
) -> Classifier:
    """A ``Classifier`` around a loaded model; checks its shapes and warms it up (the first call is
    slow).

    Args:
        model: a ``keras.Model`` with one image input and one output.
        name: the run id or file name, for messages.
        class_names: one name per class. Defaults to the class numbers "0", "1", ...
        style: what the training images looked like
            (``clfcore.inference.preprocess.style_for_dataset``).
        value_range: 1.0 (pixels in [0, 1]) or 255.0; None: 255 when the model starts with a
            Rescaling(1/255) layer, else 1.

    Raises:
        UserInputError: not an image classifier, or the number of class names does not match its
        output.
    """
    height, width, channels = model_input_shape(model, name=name)
    units = int(model.outputs[0].shape[-1])
    activation = _activation_name(model.layers[-1]) if model.layers else ""
    logits = activation not in ("softmax", "sigmoid")
    if units == 1:
        output, num_classes = "binary", 2
    else:
        output, num_classes = ("multilabel" if activation == "sigmoid" else "softmax"), units
    names = (
        tuple(str(n) for n in class_names)
        if class_names
        else tuple(str(i) for i in range(num_classes))
    )
    if len(names) != num_classes:
        raise UserInputError(
            "{name} has {units} output classes, but {count} class names were given. Give "
            "exactly {units} names, or none.",
            name=name,
            units=num_classes,
            count=len(names),
        )
    convolutional = any(
        type(layer).__name__.startswith(("Conv2D", "SeparableConv2D", "DepthwiseConv2D"))
        for layer in _walk_layers(model)
    )
    classifier = Classifier(
        model,
        names,
        ModelInput(height, width, channels, style, value_range or _value_range(model)),
        output,
        name,
        logits,
        dataset,
        architecture,
        convolutional,
        direct_call(model, (height, width, channels)),
    )
    # build and warm up
    classifier.probabilities(np.zeros((1, height, width, channels), dtype=np.float32))
    return classifier


def load_run(run: RunFolder | str | Path) -> Classifier:
    """The model of a training run (its best epoch), with the run's class names and image style.

    Args:
        run: a ``RunFolder``, a run folder's path, or a run id in the runs root.

    Raises:
        UserInputError: no such run, no model saved yet, or a model file that cannot be loaded.
    """
    if not isinstance(run, RunFolder):
        path = Path(run)
        run = RunFolder(path.resolve()) if (path / "config.json").is_file() else open_run(str(run))
    config = run.config()
    if not run.model_path.is_file():
        raise UserInputError(
            "The run {run} has no saved model yet: it is saved when the first epoch ends. "
            "Wait for it, or choose another run.",
            run=run.run_id,
        )

    try:
        info = datasets.get_dataset(config.dataset)
        class_names: tuple[str, ...] | None = info.class_names
    # the user's dataset folder was removed: the model still works, with class numbers
    except UserInputError:
        class_names = None
    model = _load_keras_file(run.model_path, run.run_id)
    if len(getattr(model, "outputs", None) or ()) == 2 and getattr(model, "output_names", None) == [
        "coarse",
        "fine",
    ]:
        return _hierarchical_classifier(model, run, config, class_names)
    units = int(model.outputs[0].shape[-1]) if getattr(model, "outputs", None) else 0
    if class_names is not None and len(class_names) != max(units, 2 if units == 1 else units):
        class_names = None
    return classifier_for_model(
        model,
        name=run.run_id,
        class_names=class_names,
        style=style_for_dataset(config.dataset),
        dataset=config.dataset,
        architecture=config.architecture,
        value_range=1.0,  # every run of this app trains on pixels in [0, 1]
    )


def _hierarchical_classifier(
    model, run: RunFolder, config, class_names: tuple[str, ...] | None
) -> Classifier:
    """A two-head (hierarchical) model: a classifier of its fine head, with one of its coarse head
    as ``coarse``."""
    import keras

    try:
        coarse_names = datasets.get_dataset(config.dataset).coarse_names or None
    except UserInputError:
        coarse_names = None
    common = dict(
        name=run.run_id,
        style=style_for_dataset(config.dataset),
        dataset=config.dataset,
        architecture=config.architecture,
        value_range=1.0,
    )
    coarse_model, fine_model = (
        keras.Model(model.inputs, output, name=f"{model.name}_{level}")
        for level, output in zip(("coarse", "fine"), model.outputs)
    )
    if coarse_names is not None and len(coarse_names) != int(model.outputs[0].shape[-1]):
        coarse_names = None
    if class_names is not None and len(class_names) != int(model.outputs[1].shape[-1]):
        class_names = None
    coarse = classifier_for_model(coarse_model, class_names=coarse_names, **common)
    return replace(
        classifier_for_model(fine_model, class_names=class_names, **common), coarse=coarse
    )


def with_style(classifier: Classifier, style: ImageStyle) -> Classifier:
    """The same classifier with another image style (for an uploaded model, the user says what it
    was trained on)."""
    return replace(classifier, input=replace(classifier.input, style=style))


# --- Classifying ----------------------------------------------------------------------------------


def classify(
    classifier: Classifier,
    image: OpenedImage,
    *,
    switches: dict[str, bool] | None = None,
    from_dataset: bool = False,
    top: int = TOP_K,
) -> Classification:
    """Preprocess one image and predict it with a single direct model call."""
    prepared = preprocess(image, classifier.input, switches=switches, from_dataset=from_dataset)
    probabilities = classifier.probabilities(prepared.array[None])[0]
    return Classification(
        prepared,
        decide(
            probabilities,
            classifier.class_names,
            top=top,
            multilabel=classifier.output == "multilabel",
        ),
    )


THUMBNAIL_SIDE = 96  # pixels of the picture kept per file of a batch


@dataclass(frozen=True, eq=False)
class BatchRow:
    """One file of a batch: its prediction and two small pictures, or why it was refused.

    Kept small on purpose (a ZIP can hold hundreds of photos): the decoded image and the
    intermediate steps are dropped once the model input is made.
    """

    name: str
    prediction: Prediction | None = None
    thumbnail: Image.Image | None = None  # the file's picture, at most THUMBNAIL_SIDE pixels a side
    model_input: Image.Image | None = None  # what the model saw, e.g. 28x28 grayscale
    error: UserInputError | None = None
    blank: bool = False  # nothing stood out from the background

    @property
    def unsure(self) -> bool | None:
        """The answer means little (a near tie, a low top probability or a blank image); None if
        refused."""
        if self.prediction is None:
            return None
        return bool(self.prediction.unsure or self.blank)


def classify_many(
    classifier: Classifier,
    files: Iterable[tuple[str, bytes | None, UserInputError | None]],
    *,
    top: int = TOP_K,
) -> list[BatchRow]:
    """Classify several image files at once: each is opened and preprocessed, then the model runs in
    batches.

    Args:
        files: (name, bytes, error) per file; a file whose error is set (e.g. too large in a ZIP) is
            reported as refused without being opened.

    Returns:
        One ``BatchRow`` per file, in order; refused files carry their ``UserInputError``.
    """
    rows: list[BatchRow] = []
    arrays: list[tuple[int, np.ndarray]] = []
    for name, data, error in files:
        if error is not None or data is None:
            rows.append(
                BatchRow(
                    name,
                    error=error
                    or UserInputError(
                        "{name} is empty (0 bytes). Choose an image file such as a PNG "
                        "or JPEG photo.",
                        name=name,
                    ),
                )
            )
            continue
        try:
            opened = imagefile.open_image(data, name=name)
        except UserInputError as refused:
            rows.append(BatchRow(name, error=refused))
            continue
        prepared = preprocess(opened, classifier.input)
        thumbnail = opened.image.copy()
        thumbnail.thumbnail((THUMBNAIL_SIDE, THUMBNAIL_SIDE))
        arrays.append((len(rows), prepared.array))
        rows.append(
            BatchRow(name, thumbnail=thumbnail, model_input=prepared.image, blank=prepared.blank)
        )
    if arrays:
        probabilities = classifier.probabilities(np.stack([array for _, array in arrays]))
        for (index, _), probs in zip(arrays, probabilities):
            prediction = decide(
                probs, classifier.class_names, top=top, multilabel=classifier.output == "multilabel"
            )
            rows[index] = replace(rows[index], prediction=prediction)
    return rows


def batch_csv(
    rows: Sequence[BatchRow],
    *,
    message: Callable[[UserInputError], str] = str,
    label: Callable[[str], str] = str,
) -> str:
    """The rows of ``classify_many`` as CSV: file, label, class_index, probability, unsure, top_k,
    error.

    Args:
        message: how to write a refusal (e.g. in the user's language). Defaults to English.
        label: how to write a class name. Defaults to the name itself.
    """
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["file", "label", "class_index", "probability", "unsure", "top_k", "error"])
    for row in rows:
        if row.prediction is None:
            writer.writerow([row.name, "", "", "", "", "", message(row.error) if row.error else ""])
            continue
        prediction = row.prediction
        top_k = "; ".join(f"{label(g.label)} {g.probability:.4f}" for g in prediction.top_k)
        writer.writerow(
            [
                row.name,
                label(prediction.label),
                prediction.class_index,
                f"{prediction.probability:.4f}",
                prediction.unsure or "",
                top_k,
                "",
            ]
        )
    return out.getvalue()


def classify_path(classifier: Classifier, path: str | Path, *, top: int = TOP_K) -> dict:
    """One file on disk as the command line reports it: the prediction's JSON, or ``{"file",
    "error"}``."""
    try:
        result = classify(classifier, imagefile.open_path(path), top=top)
    except UserInputError as error:
        return {"file": str(path), "error": str(error)}
    return {"file": str(path), **result.prediction.to_json()}


def class_names_from_text(text: str) -> tuple[str, ...]:
    """Class names typed as "cat, dog": split at commas, spaces trimmed, empty names dropped."""
    return tuple(name.strip() for name in text.split(",") if name.strip())


def output_class_count(model) -> int:
    """The classes a model tells apart: its output units, 2 for one sigmoid unit, 0 if unknown."""
    units = int(model.outputs[0].shape[-1]) if getattr(model, "outputs", None) else 0
    return 2 if units == 1 else units


def matching_datasets(model) -> list[datasets.DatasetInfo]:
    """The datasets with as many classes as ``model`` outputs: what an uploaded model may have been
    trained on, in ``datasets.list_datasets()`` order."""
    classes = output_class_count(model)
    return [info for info in datasets.list_datasets() if info.num_classes == classes]


def default_run(summaries: Sequence) -> Any:
    """The run the Classify page starts with: the best test accuracy on the dataset trained most
    recently.

    ``summaries`` are ``clfcore.runs.listing.RunSummary`` objects that have a model, newest first.
    Returns None if empty.
    """
    if not summaries:
        return None
    latest_dataset = summaries[0].dataset
    same = [run for run in summaries if run.dataset == latest_dataset]
    # max() keeps the first of equal scores: the newest among equally good runs
    return max(same, key=lambda run: run.test_accuracy if run.test_accuracy is not None else -1.0)
