"""The Classify page through AppTest, with a real LeNet trained for one epoch on the digits."""

import io
import shutil
import struct
import zipfile
import zlib
from pathlib import Path

import keras
import pytest
from PIL import Image, ImageDraw
from streamlit.testing.v1 import AppTest

from clfcore.config import TrainConfig
from clfcore.runs.folder import create_run
from clfcore.training import trainer

PAGE = str(Path(__file__).resolve().parents[2] / "app_pages" / "classify.py")


@pytest.fixture(scope="module")
def trained_run(tmp_path_factory):
    """A LeNet trained for 1 epoch on scikit-learn's digits (a few seconds), shared by the tests of
    this file."""
    root = tmp_path_factory.mktemp("classify-runs")
    run = create_run(
        TrainConfig(
            dataset="digits",
            architecture="lenet",
            epochs=1,
            batch_size=32,
            optimizer="adam",
            run_name="lenet 1 epoch",
        ),
        root=root,
    )
    trainer.train(run)
    return run.path


@pytest.fixture
def with_run(trained_run, isolated_roots):
    shutil.copytree(trained_run, isolated_roots["runs"] / trained_run.name)
    return trained_run.name


@pytest.fixture
def open_app_page(open_page):
    """The router's ``open_page`` fixture (this file's ``open_page`` opens Classify alone)."""
    return open_page


def open_page(lang: str = "en") -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=90)
    at.session_state["lang"] = lang
    at.run()
    assert not at.exception, at.exception
    return at


def encode(image: Image.Image, format_name: str = "PNG") -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=format_name)
    return buffer.getvalue()


def digit_photo() -> bytes:
    """A '7' in dark ink on greyish paper, photographed (JPEG)."""
    image = Image.new("RGB", (480, 360), (226, 222, 214))
    ImageDraw.Draw(image).line([(190, 80), (300, 80), (225, 290)], fill=(25, 25, 35), width=18)
    return encode(image, "JPEG")


def bomb() -> bytes:
    def chunk(kind, data):
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    header = struct.pack(">IIBBBBB", 30000, 30000, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\0" * 64))
        + chunk(b"IEND", b"")
    )


def upload(at: AppTest, *files) -> AppTest:
    uploader = next(u for u in at.file_uploader if u.label == "Images, or a ZIP of images")
    uploader.set_value(list(files)).run()
    assert not at.exception, at.exception
    return at


def test_the_best_recent_run_is_chosen_and_the_tabs_offer_four_inputs(with_run):
    at = open_page()
    assert [s.value for s in at.subheader] == ["1. The model", "2. The image"]
    assert at.selectbox[0].label == "Trained run" and at.selectbox[0].value == with_run
    assert "Input 8x8 grayscale, 10 classes" in at.caption[0].value
    assert [tab.label for tab in at.tabs] == ["Upload", "Camera", "Draw", "From the dataset"]


def test_a_photo_of_a_digit_on_paper_is_classified_step_by_step(with_run):
    at = upload(open_page(), ("seven.jpg", digit_photo(), "image/jpeg"))
    assert [toggle.label for toggle in at.toggle] == [
        "1. Upright",
        "2. Colour",
        "3. Invert",
        "4. Contrast",
        "5. Crop and centre",
        "6. Resize",
        "7. Scale to [0, 1]",
    ]
    assert [toggle.disabled for toggle in at.toggle] == [
        False,
        True,
        False,
        False,
        False,
        True,
        True,
    ]
    assert next(
        t for t in at.toggle if t.label == "3. Invert"
    ).value  # dark ink on paper: inverted automatically
    (metric,) = at.metric
    assert metric.label == "Prediction" and metric.value in "0123456789"
    assert len(at.get("plotly_chart")) == 1  # the top-k bars
    # LeNet is convolutional: Grad-CAM is shown
    assert any(s.label == "Explain the class" for s in at.selectbox)
    captions = "\n".join(c.value for c in at.caption)
    assert "box of" in captions or "pad it to a square" in captions


def test_switching_a_step_off_classifies_again(with_run):
    at = upload(open_page(), ("seven.jpg", digit_photo(), "image/jpeg"))
    next(t for t in at.toggle if t.label == "3. Invert").set_value(False).run()
    assert not at.exception
    assert not next(t for t in at.toggle if t.label == "3. Invert").value
    captions = "\n".join(c.value for c in at.caption)
    assert "Switched off." in captions and "switch Invert on" in captions


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("empty.png", b"", "is empty (0 bytes)"),
        ("notes.png", b"shopping list: milk, eggs", "contains text, not an image"),
        ("bomb.png", bomb(), "30000x30000 pixels"),
        ("logo.svg", b'<svg xmlns="http://www.w3.org/2000/svg"></svg>', "SVG drawing"),
    ],
)
def test_bad_files_get_a_clear_message_and_the_page_stays_usable(with_run, name, data, message):
    at = upload(open_page(), (name, data, "image/png"))
    assert message in at.error[0].value and not at.metric
    upload(at, ("seven.jpg", digit_photo(), "image/jpeg"))
    assert not at.error and at.metric[0].label == "Prediction"


def test_several_files_and_a_zip_give_a_table_and_a_csv(with_run):
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("digits/a.png", encode(Image.new("L", (28, 28), 255)))
        zipped.writestr("digits/b.jpg", digit_photo())
        zipped.writestr("digits/readme.txt", "about these images")
    at = upload(
        open_page(),
        ("seven.jpg", digit_photo(), "image/jpeg"),
        ("bad.png", b"not an image", "image/png"),
        ("more.zip", archive.getvalue(), "application/zip"),
    )
    table = at.dataframe[0].value
    assert list(table["file"]) == [
        "seven.jpg",
        "bad.png",
        "more.zip/digits/a.png",
        "more.zip/digits/b.jpg",
    ]
    assert table["error"][1].startswith("bad.png contains text") and table["error"][0] == ""
    markdown = "\n".join(m.value for m in at.markdown)
    assert (
        "3 of 4 images classified." in markdown
        and "1 files that are not images were skipped: digits/readme.txt" in markdown
    )
    assert any(
        button.label == "Download the predictions (CSV)" for button in at.get("download_button")
    )


def test_a_camera_shot(with_run):
    at = open_page()
    at.session_state["classify_input_tab"] = "Camera"
    at.run()
    at.camera_input[0].set_value(("shot.jpg", digit_photo(), "image/jpeg")).run()
    assert not at.exception and at.metric[0].label == "Prediction"


def test_the_drawing_tab_waits_for_a_drawing(with_run):
    at = open_page()
    at.session_state["classify_input_tab"] = "Draw"
    at.run()
    assert not at.exception
    assert any("Draw a digit with the mouse" in info.value for info in at.info)


def test_a_test_image_from_the_gallery_in_spanish(with_run):
    at = open_page("es")
    at.session_state["classify_input_tab"] = "Del conjunto de datos"
    at.run()
    buttons = [b for b in at.button if b.label == "Clasificar"]
    assert len(buttons) == 12
    buttons[0].click().run()
    assert not at.exception
    verdict = [e.value for e in at.success] + [e.value for e in at.error]
    assert len(verdict) == 1 and verdict[0].startswith(("Correcto", "Incorrecto"))
    assert at.metric[0].label == "Predicción"
    assert "Ya tiene el tamaño correcto." in "\n".join(c.value for c in at.caption)


def test_without_runs_a_keras_file_can_be_used_and_unsafe_ones_are_refused(
    isolated_roots, tmp_path, open_app_page
):
    at = open_app_page("classify", "en")  # through the router: the prompt links to the Train page
    assert "There is no trained model yet" in at.info[0].value
    inputs = keras.Input((8, 8, 1))
    x = keras.layers.Lambda(lambda t: t + 1.0)(inputs)
    keras.Model(
        inputs, keras.layers.Dense(10, activation="softmax")(keras.layers.Flatten()(x))
    ).save(tmp_path / "lambda.keras")
    at.file_uploader[0].set_value(
        ("lambda.keras", (tmp_path / "lambda.keras").read_bytes(), "application/octet-stream")
    ).run()
    assert not at.exception and "contains a Lambda layer" in at.error[0].value
    inputs = keras.Input((8, 8, 1))
    x = keras.layers.Flatten()(keras.layers.Conv2D(4, 3)(inputs))
    keras.Model(inputs, keras.layers.Dense(10, activation="softmax")(x)).save(
        tmp_path / "mine.keras"
    )
    at.file_uploader[0].set_value(
        ("mine.keras", (tmp_path / "mine.keras").read_bytes(), "application/octet-stream")
    ).run()
    assert not at.exception and not at.error
    trained_on = next(s for s in at.selectbox if s.label == "Trained on")
    assert "digits" in trained_on.options or "Digits 8x8" in trained_on.options
    assert [tab.label for tab in at.tabs] == ["Upload", "Camera", "Draw", "From the dataset"]


def test_the_camera_tab_says_why_the_camera_is_off_on_a_plain_http_page(with_run):
    at = AppTest.from_file(PAGE, default_timeout=90)
    at.context["url"] = "http://192.168.1.20:8501/classify"
    at.session_state["classify_input_tab"] = "Camera"
    at.run()
    assert not at.exception and not at.camera_input
    assert "only to secure pages" in at.warning[0].value
    assert "http://192.168.1.20:8501/classify" in at.warning[0].value
