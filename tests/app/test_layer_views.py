"""The layer-by-layer walk and the similar images on the Evaluate page, through AppTest, on a tiny
trained CNN (the recommended CNN on digits, 2 epochs)."""

import io
import re
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
from PIL import Image
from streamlit.testing.v1 import AppTest

from clfcore.evaluation import run_predictions
from clfcore.runs.folder import open_run
from tests.catalogue import ES
from ui import layer_views

ROOT = Path(__file__).resolve().parents[2]
INSIDE = 5  # the "Inside the network" tab's position


@pytest.fixture
def cnn_run(isolated_roots, tmp_path_factory, make_trained_run):
    return make_trained_run(isolated_roots["runs"], tmp_path_factory, architecture="recommended")


def open_walk(lang: str = "en", **state) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app_pages" / "evaluate.py"), default_timeout=180)
    at.session_state["lang"] = lang
    at.session_state["evaluate_tab"] = INSIDE
    for key, value in state.items():
        at.session_state[key] = value
    at.run()
    assert not at.exception, at.exception
    return at


def tr(text: str, lang: str) -> str:
    return ES[text] if lang == "es" else text


def model_layers(run_id: str) -> list:
    model = run_predictions.load_model(open_run(run_id))
    return [layer for layer in model.layers if layer.__class__.__name__ != "InputLayer"]


@pytest.mark.parametrize("lang", ["en", "es"])
def test_every_layer_is_listed_in_order_with_its_shape_and_parameters(cnn_run, lang):
    at = open_walk(lang)
    expected = model_layers(cnn_run)
    table = at.dataframe[0].value
    assert list(table[tr("Layer", lang)]) == [layer.name for layer in expected]
    assert list(table[tr("Type", lang)]) == [layer.__class__.__name__ for layer in expected]
    markdown = [m.value for m in at.markdown]
    assert "#### " + tr("Layer by layer", lang) in markdown
    truth = tr("True: **{true}**  \nPredicted: **{pred}** ({conf:.0%})", lang).split("{true}")[0]
    assert any(m.startswith(truth) for m in markdown)
    assert "#### " + tr("Similar images", lang) in markdown
    params = tr("**{number}. {name}** · {kind} · {shape} · {params} parameters", lang)
    first = expected[0]
    assert (
        params.format(
            number=1,
            name=first.name,
            kind="Conv2D",
            shape=" x ".join(str(d) for d in first.output.shape[1:]),
            params=first.count_params(),
        )
        in markdown
    )
    captions = "\n".join(c.value for c in at.caption)
    assert (
        tr("This layer {note}.", lang).format(
            note=tr("lays the values out in one long vector, for the Dense layers", lang)
        )
        in captions
    )
    # the filters of the first convolution still follow, without the single-layer map picker
    assert "#### " + tr("Filters of the first convolution layer", lang) in markdown
    assert "#### " + tr("Feature maps", lang) not in markdown


def test_opening_a_deeper_map_shows_its_receptive_field_and_strongest_input_channels(cnn_run):
    convs = [layer.name for layer in model_layers(cnn_run) if layer.__class__.__name__ == "Conv2D"]
    key = f"walk-{cnn_run}"
    at = open_walk(**{f"{key}-open-layer": convs[1], f"{key}-open-map": 3})
    captions = "\n".join(c.value for c in at.caption)
    assert f"Feature map 3 of {convs[1]}" in captions
    # conv 3x3 -> pool 2 -> (batch norm) -> conv 3x3: 3 + 1 + 2 * 2 = 8 pixels, fewer where the
    # window reaches over the border of the 8x8 digit
    h, w, top, bottom, left, right = (
        int(v)
        for v in re.search(
            r"receptive field, (\d+)x(\d+) pixels .*rows (\d+)-(\d+), columns (\d+)-(\d+)",
            captions,
        ).groups()
    )
    assert (h, w) == (bottom - top + 1, right - left + 1) and 5 <= h <= 8 and 5 <= w <= 8
    kernel = next(m.value for m in at.markdown if m.value.startswith("**The kernel**"))
    assert kernel.startswith("**The kernel** (3x3x24): the 4 input maps")
    assert len(re.findall(r"input map \d+ · L1 \d", captions)) == 4


def test_a_pooled_map_shows_the_kernel_of_the_convolution_before_it(cnn_run):
    names = [layer.name for layer in model_layers(cnn_run)]
    pool = next(n for n in names if n.startswith("max_pooling"))
    at = open_walk(**{f"walk-{cnn_run}-open-layer": pool, f"walk-{cnn_run}-open-map": 2})
    markdown = "\n".join(m.value for m in at.markdown)
    assert f"This map is map 2 of **{names[0]}**" in markdown
    assert "**The filter** (3x3) of the first convolution" in markdown


def test_similar_images_are_eight_training_images_with_label_and_distance(cnn_run):
    at = open_walk()
    captions = [caption for image in at.get("image") for caption in image.captions]
    neighbours = [c for c in captions if re.fullmatch(r"\S+ · \d+\.\d\d", c)]
    assert len(neighbours) == 8
    distances = [float(c.split(" · ")[1]) for c in neighbours]
    assert distances == sorted(distances)
    indexed, *_ = run_predictions.training_sample(open_run(cnn_run).config())
    assert any(f"among {len(indexed)} training images" in c.value for c in at.caption)


def _png(size=(40, 30)) -> bytes:
    array = np.zeros((size[1], size[0]), dtype=np.uint8)
    array[5:25, 15:25] = 255  # a light bar on black, like a digit "1"
    buffer = io.BytesIO()
    Image.fromarray(array).save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.mark.parametrize("lang", ["en", "es"])
def test_an_uploaded_image_is_preprocessed_and_walked(cnn_run, lang):
    at = open_walk(lang, **{f"walk-{cnn_run}-source": "upload"})
    at.file_uploader[0].set_value(("one.png", _png(), "image/png")).run()
    assert not at.exception, at.exception
    captions = [caption for image in at.get("image") for caption in image.captions]
    assert tr("Your image, as the model sees it", lang) in captions
    answer = tr("Predicted: **{pred}** ({conf:.0%})", lang).split("{pred}")[0]
    assert any(m.value.startswith(answer) for m in at.markdown)  # no true class for an upload
    assert len(at.dataframe[0].value) == len(model_layers(cnn_run))


def test_a_file_that_is_not_an_image_gets_a_message_not_a_traceback(cnn_run):
    at = open_walk(**{f"walk-{cnn_run}-source": "upload"})
    at.file_uploader[0].set_value(("one.png", b"not a picture", "image/png")).run()
    assert not at.exception, at.exception
    assert at.error and "one.png" in at.error[0].value


def test_an_mlp_is_walked_too(isolated_roots, tmp_path_factory, make_trained_run):
    make_trained_run(isolated_roots["runs"], tmp_path_factory)  # the MLP
    at = open_walk()
    kinds = list(at.dataframe[0].value["Type"])
    assert kinds[0] == "Flatten" and "Dense" in kinds
    assert any(c.value.startswith("One bar per unit") for c in at.caption)
    assert any("What the first layer's units look for" in m.value for m in at.markdown)


def test_a_click_on_the_mosaic_names_the_map_under_it():
    def event(x, y):
        return SimpleNamespace(selection=SimpleNamespace(points=[{"x": x, "y": y}]))

    shape = (20, 4, 4)  # 20 maps of 4x4, 16 a row, one pixel between them
    assert layer_views._clicked_tile(event(0, 0), shape, 16) == 0
    assert layer_views._clicked_tile(event(5 * 3 + 2, 1), shape, 16) == 3
    assert layer_views._clicked_tile(event(5 * 2, 5 + 3), shape, 16) == 18
    assert layer_views._clicked_tile(event(4, 0), shape, 16) is None  # the gap
    assert layer_views._clicked_tile(event(5 * 5, 5), shape, 16) is None  # no map 21
    assert layer_views._clicked_tile(None, shape, 16) is None


def nested_app() -> None:
    import keras
    import numpy as np
    import streamlit as st

    from ui.layer_views import render_layer_walk

    @st.cache_resource
    def transfer_like():
        keras.utils.set_random_seed(0)
        inner_in = keras.Input((8, 8, 3))
        inner = keras.layers.Conv2D(4, 3, padding="same")(inner_in)
        backbone = keras.Model(inner_in, keras.layers.MaxPooling2D(2)(inner), name="backbone")
        inputs = keras.Input((8, 8, 3))
        x = keras.layers.GlobalAveragePooling2D(name="gap")(backbone(inputs))
        return keras.Model(inputs, keras.layers.Dense(2, activation="softmax", name="out")(x))

    images = np.random.default_rng(0).uniform(0, 1, (4, 8, 8, 3)).astype("float32")
    render_layer_walk(transfer_like(), images, np.array([0, 1, 0, 1]), ["cat", "dog"], key="n")


def test_a_nested_backbone_is_one_row_whose_maps_open_without_a_receptive_field():
    at = AppTest.from_function(nested_app, default_timeout=120)
    at.session_state["lang"] = "en"
    at.run()
    assert not at.exception, at.exception
    table = at.dataframe[0].value
    assert list(table["Layer"]) == ["backbone", "gap", "out"]
    assert list(table["Output shape"]) == ["4 x 4 x 4", "4", "2"]
    assert "Feature map 1 of backbone" in "\n".join(c.value for c in at.caption)
    assert any("cannot be traced through the layer backbone" in i.value for i in at.info)
    assert any("No single kernel made this map" in c.value for c in at.caption)
    assert not at.error
