"""Predictions: safe model loading (Lambda layers and custom code refused), direct calls, top-k,
unsure, batches."""

import csv
import io
import zipfile

import keras
import numpy as np
import pytest
from PIL import Image, ImageDraw

from clfcore.config import TrainConfig
from clfcore.errors import UserInputError
from clfcore.inference import imagefile, predict
from clfcore.inference.preprocess import DIGITS_STYLE, PHOTO_STYLE
from clfcore.models import architectures
from clfcore.runs.folder import create_run
from clfcore.runs.listing import RunSummary


def png(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def digit_on_paper() -> bytes:
    image = Image.new("RGB", (200, 160), (230, 228, 220))
    ImageDraw.Draw(image).line([(70, 30), (130, 30), (90, 140)], fill=(20, 20, 30), width=12)
    return png(image)


def saved(model, tmp_path, name="model.keras") -> bytes:
    path = tmp_path / name
    model.save(path)
    return path.read_bytes()


def small_model(units=3, activation="softmax", shape=(8, 8, 1)):
    inputs = keras.Input(shape)
    x = keras.layers.Conv2D(2, 3, padding="same")(inputs)
    x = keras.layers.Flatten()(x)
    return keras.Model(inputs, keras.layers.Dense(units, activation=activation)(x))


@pytest.fixture
def digits_run():
    """A run folder on the digits with an (untrained) LeNet saved as its model, as the trainer
    leaves it."""
    run = create_run(TrainConfig(dataset="digits", architecture="lenet", epochs=1))
    architectures.build_model("lenet", (8, 8, 1), 10).save(run.model_path)
    run.set_status("completed")
    return run


# --- decisions ------------------------------------------------------------------------------------


def test_decide_orders_the_top_k():
    prediction = predict.decide(np.array([0.1, 0.6, 0.05, 0.25]), ["a", "b", "c", "d"], top=3)
    assert [g.label for g in prediction.top_k] == ["b", "d", "a"] and prediction.class_index == 1
    assert prediction.probability == pytest.approx(0.6) and prediction.unsure == ""
    assert prediction.to_json()["top_k"][1] == {"label": "d", "class_index": 3, "probability": 0.25}


def test_unsure_on_a_near_tie_or_a_low_top_probability():
    assert predict.decide(np.array([0.48, 0.45, 0.07]), "abc").unsure == "tie"
    assert predict.decide(np.array([0.40, 0.25, 0.2, 0.15]), "abcd").unsure == "low"
    assert predict.decide(np.array([0.9, 0.1]), "ab").unsure == ""
    # multilabel: classes do not compete, two high scores are no tie
    assert predict.decide(np.array([0.9, 0.88, 0.1]), "abc", multilabel=True).unsure == ""


def test_default_run_is_the_best_on_the_latest_dataset(tmp_path):
    def summary(run_id, dataset, accuracy):
        return RunSummary(
            run_id, tmp_path / run_id, "completed", dataset=dataset, test_accuracy=accuracy
        )

    newest_first = [
        summary("r4", "digits", 0.80),
        summary("r3", "cifar10", 0.99),
        summary("r2", "digits", 0.95),
        summary("r1", "digits", 0.95),
    ]
    # best on digits; the newer of two equals
    assert predict.default_run(newest_first).run_id == "r2"
    assert predict.default_run([]) is None


# --- loading safely -------------------------------------------------------------------------------


def test_a_lambda_layer_is_refused(tmp_path):
    inputs = keras.Input((8, 8, 1))
    x = keras.layers.Lambda(lambda t: t * 2.0)(inputs)
    model = keras.Model(
        inputs, keras.layers.Dense(3, activation="softmax")(keras.layers.Flatten()(x))
    )
    with pytest.raises(UserInputError) as caught:
        predict.load_model_bytes(saved(model, tmp_path), name="lambda.keras")
    assert "Lambda layer" in str(caught.value) and "safe mode" in str(caught.value)
    assert "capa Lambda" in caught.value.message("es")


# not registered: a file using it needs code this app does not have
class SneakyLayer(keras.layers.Layer):
    def call(self, inputs):
        return inputs * 2.0


def test_an_unknown_custom_class_is_refused(tmp_path):
    inputs = keras.Input((8, 8, 1))
    x = keras.layers.Flatten()(SneakyLayer()(inputs))
    data = saved(keras.Model(inputs, keras.layers.Dense(3, activation="softmax")(x)), tmp_path)
    with pytest.raises(UserInputError) as caught:
        predict.load_model_bytes(data, name="custom.keras")
    assert "'SneakyLayer'" in str(caught.value) and "not part of Keras" in str(caught.value)


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"", "is empty"),
        (b"\x89HDF\r\n\x1a\n" + b"\0" * 100, "HDF5 (.h5)"),
        (b"just some text", "not a Keras model file"),
    ],
)
def test_files_that_are_no_keras_model(data, expected):
    with pytest.raises(UserInputError, match=expected.replace("(", r"\(").replace(")", r"\)")):
        predict.load_model_bytes(data, name="upload.keras")


def test_a_zip_that_is_no_keras_model(tmp_path):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("photo.png", b"x")
    with pytest.raises(UserInputError, match="not a Keras model file"):
        predict.load_model_bytes(buffer.getvalue(), name="photos.keras")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("config.json", b"{not json")
    with pytest.raises(UserInputError, match="could not be loaded as a Keras model"):
        predict.load_model_bytes(buffer.getvalue(), name="broken.keras")


def test_a_model_that_is_not_an_image_classifier(tmp_path):
    inputs = keras.Input((10,))
    model = keras.Model(inputs, keras.layers.Dense(2, activation="softmax")(inputs))
    loaded = predict.load_model_bytes(saved(model, tmp_path), name="table.keras")
    with pytest.raises(UserInputError, match="not an image classifier"):
        predict.classifier_for_model(loaded, name="table.keras")


def test_an_uploaded_model_round_trip(tmp_path):
    model = predict.load_model_bytes(saved(small_model(), tmp_path), name="mine.keras")
    classifier = predict.classifier_for_model(
        model, name="mine.keras", class_names=["cat", "dog", "bird"], style=PHOTO_STYLE
    )
    assert classifier.class_names == ("cat", "dog", "bird") and classifier.convolutional
    assert (classifier.input.height, classifier.input.width, classifier.input.channels) == (8, 8, 1)
    with pytest.raises(UserInputError, match="3 output classes, but 2 class names"):
        predict.classifier_for_model(model, name="mine.keras", class_names=["cat", "dog"])
    assert predict.classifier_for_model(model, name="mine.keras").class_names == ("0", "1", "2")


# --- outputs --------------------------------------------------------------------------------------


def test_direct_call_matches_model_predict():
    model = small_model(units=4)
    classifier = predict.classifier_for_model(model, name="m")
    images = np.random.default_rng(0).random((3, 8, 8, 1), dtype=np.float32)
    assert np.allclose(
        classifier.probabilities(images), model.predict(images, verbose=0), atol=1e-5
    )
    assert np.allclose(
        classifier.probabilities(images[:1]), model.predict(images[:1], verbose=0), atol=1e-5
    )


def test_binary_sigmoid_logits_and_rescaling_models():
    binary = predict.classifier_for_model(
        small_model(units=1, activation="sigmoid"), name="b", class_names=["no", "yes"]
    )
    probabilities = binary.probabilities(np.zeros((2, 8, 8, 1), np.float32))
    assert (
        binary.output == "binary"
        and probabilities.shape == (2, 2)
        and np.allclose(probabilities.sum(axis=1), 1)
    )
    logits = predict.classifier_for_model(small_model(units=3, activation=None), name="l")
    assert logits.logits and np.allclose(
        logits.probabilities(np.ones((1, 8, 8, 1), np.float32)).sum(), 1
    )
    multilabel = predict.classifier_for_model(small_model(units=3, activation="sigmoid"), name="m")
    assert multilabel.output == "multilabel"
    inputs = keras.Input((8, 8, 1))
    x = keras.layers.Flatten()(keras.layers.Rescaling(1 / 255)(inputs))
    raw = predict.classifier_for_model(
        keras.Model(inputs, keras.layers.Dense(2, activation="softmax")(x)), name="r"
    )
    assert raw.input.value_range == 255.0 and not raw.convolutional


# --- runs -----------------------------------------------------------------------------------------


def test_load_a_run(digits_run):
    classifier = predict.load_run(digits_run.path)
    assert classifier.class_names == tuple("0123456789") and classifier.dataset == "digits"
    assert classifier.input.style == DIGITS_STYLE and classifier.input.value_range == 1.0
    assert classifier.convolutional and classifier.architecture == "lenet"
    assert predict.load_run(digits_run.run_id).name == digits_run.run_id  # by id, in the runs root


def test_a_run_without_model_or_an_unknown_run(digits_run):
    digits_run.model_path.unlink()
    with pytest.raises(UserInputError, match="has no saved model yet"):
        predict.load_run(digits_run.path)
    with pytest.raises(UserInputError, match="There is no run"):
        predict.load_run("no-such-run")


def test_classify_one_image_end_to_end(digits_run):
    classifier = predict.load_run(digits_run.path)
    result = predict.classify(
        classifier, imagefile.open_image(digit_on_paper(), name="seven.png"), top=3
    )
    assert (
        result.preprocessed.array.shape == (8, 8, 1) and result.preprocessed.step("invert").applied
    )
    assert len(result.prediction.top_k) == 3
    assert sum(g.probability for g in result.prediction.top_k) <= 1.0 + 1e-6
    assert result.prediction.label in classifier.class_names


def test_classify_many_keeps_order_and_reports_refusals(digits_run):
    classifier = predict.load_run(digits_run.path)
    good = digit_on_paper()
    files = [
        ("a.png", good, None),
        ("notes.png", b"my shopping list", None),
        ("b.png", png(Image.new("L", (50, 50), 0)), None),
        (
            "huge.png",
            None,
            UserInputError(
                "{name} is empty (0 bytes). Choose an image file such as a PNG or JPEG photo.",
                name="huge.png",
            ),
        ),
    ]
    rows = predict.classify_many(classifier, files)
    assert [row.name for row in rows] == ["a.png", "notes.png", "b.png", "huge.png"]
    assert rows[0].prediction is not None and rows[2].prediction is not None and rows[2].blank
    assert (
        "contains text" in str(rows[1].error)
        and rows[3].error is files[3][2]
        and rows[1].prediction is None
    )
    assert max(rows[0].thumbnail.size) <= predict.THUMBNAIL_SIDE and rows[0].model_input.size == (
        8,
        8,
    )
    single = predict.classify(classifier, imagefile.open_image(good, name="a.png"))
    assert rows[0].prediction.probability == pytest.approx(single.prediction.probability, abs=1e-5)
    table = list(csv.DictReader(io.StringIO(predict.batch_csv(rows))))
    assert [row["file"] for row in table] == ["a.png", "notes.png", "b.png", "huge.png"]
    assert table[0]["label"] == rows[0].prediction.label and table[0]["error"] == ""
    assert table[1]["label"] == "" and "contains text" in table[1]["error"]
    assert predict.batch_csv(rows, message=lambda e: e.message("es")).count("contiene texto") == 1


def test_classify_path_for_the_command_line(digits_run, tmp_path):
    classifier = predict.load_run(digits_run.path)
    image = tmp_path / "seven.png"
    image.write_bytes(digit_on_paper())
    line = predict.classify_path(classifier, image, top=2)
    assert (
        set(line) >= {"file", "label", "class_index", "probability", "top_k"}
        and len(line["top_k"]) == 2
    )
    assert predict.classify_path(classifier, tmp_path / "missing.png") == {
        "file": str(tmp_path / "missing.png"),
        "error": f"{tmp_path / 'missing.png'} cannot be read: No such file or directory.",
    }


UNUSUAL_KINDS = [
    "16-bit grayscale PNG",
    "CMYK JPEG",
    "palette PNG with transparency",
    "animated GIF",
    "RGBA PNG",
    "tiny BMP",
    "12-megapixel JPEG",
    "EXIF-rotated JPEG",
]


@pytest.fixture(scope="session")
def unusual_files(encode, gradient) -> dict[str, bytes]:
    """One file of each of ``UNUSUAL_KINDS``."""
    deep = Image.fromarray(
        (np.arange(64 * 48, dtype=np.uint32).reshape(48, 64) * 21).astype(np.uint16)
    )
    palette = Image.new("P", (30, 30), 0)
    palette.putpalette([255, 255, 255, 20, 20, 20] + [0] * 762)
    ImageDraw.Draw(palette).line([(8, 5), (20, 5), (12, 25)], fill=1, width=3)
    frames = [Image.new("L", (24, 24), 255) for _ in range(3)]
    ImageDraw.Draw(frames[0]).ellipse((6, 6, 18, 18), outline=0, width=3)
    rgba = gradient(mode="RGBA")
    rgba.putalpha(200)
    exif = Image.Exif()
    exif[0x0112] = 8
    return {
        "16-bit grayscale PNG": encode(deep, "PNG"),
        "CMYK JPEG": encode(Image.new("CMYK", (40, 30), (0, 0, 0, 200)), "JPEG"),
        "palette PNG with transparency": encode(palette, "PNG", transparency=0),
        "animated GIF": encode(frames[0], "GIF", save_all=True, append_images=frames[1:]),
        "RGBA PNG": encode(rgba, "PNG"),
        "tiny BMP": encode(Image.new("RGB", (2, 3), (0, 0, 0)), "BMP"),
        "12-megapixel JPEG": digit_photo_of_size((4000, 3000)),
        "EXIF-rotated JPEG": encode(gradient((60, 30)), "JPEG", exif=exif.tobytes()),
    }


def digit_photo_of_size(size) -> bytes:
    image = Image.new("RGB", size, (230, 228, 220))
    width, height = size
    ImageDraw.Draw(image).line(
        [(width * 0.35, height * 0.2), (width * 0.65, height * 0.2), (width * 0.45, height * 0.85)],
        fill=(20, 20, 30),
        width=width // 30,
    )
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=85)
    return buffer.getvalue()


@pytest.mark.parametrize("kind", UNUSUAL_KINDS)
def test_unusual_but_valid_images_are_classified(digits_run, kind, unusual_files):
    classifier = predict.load_run(digits_run.path)
    result = predict.classify(classifier, imagefile.open_image(unusual_files[kind], name=kind))
    assert (
        result.preprocessed.array.shape == (8, 8, 1)
        and np.isfinite(result.preprocessed.array).all()
    )
    assert (
        result.prediction.label in classifier.class_names
        and 0 <= result.prediction.probability <= 1
    )
    if kind == "EXIF-rotated JPEG":
        assert result.preprocessed.step("orient").applied and result.preprocessed.step(
            "orient"
        ).image.size == (30, 60)


def test_class_names_from_text():
    assert predict.class_names_from_text(" cat, dog ,, fox ") == ("cat", "dog", "fox")
    assert predict.class_names_from_text("") == ()


def test_output_class_count_and_matching_datasets():
    sigmoid = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1, activation="sigmoid")])
    ten = keras.Sequential([keras.Input((4,)), keras.layers.Dense(10, activation="softmax")])
    assert predict.output_class_count(sigmoid) == 2
    assert predict.output_class_count(ten) == 10
    assert predict.output_class_count(object()) == 0
    matching = predict.matching_datasets(ten)
    assert matching and all(info.num_classes == 10 for info in matching)


def test_runner_up_and_batch_row_unsure():
    first, second = predict.Guess(0, "cat", 0.6), predict.Guess(1, "dog", 0.4)
    assert predict.Prediction((first, second)).runner_up == second
    assert predict.Prediction((first,)).runner_up is None
    sure = predict.Prediction((first, second))
    assert predict.BatchRow("a.png", sure).unsure is False
    assert predict.BatchRow("a.png", sure, blank=True).unsure is True
    assert predict.BatchRow("a.png", predict.Prediction((first,), unsure="low")).unsure is True
    assert predict.BatchRow("a.png").unsure is None
