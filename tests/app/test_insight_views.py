"""The Grad-CAM, inside-the-network and feature-space views through AppTest, on tiny untrained
models."""

import pytest
from streamlit.testing.v1 import AppTest

from clfcore.inference import gradcam
from tests.catalogue import ES


def insight_app(arch: str, size: int, channels: int, views: str) -> None:
    import numpy as np
    import streamlit as st

    from clfcore.models import architectures
    from ui.insight_views import render_feature_space, render_gradcam, render_inside_network

    @st.cache_resource
    def tiny_model(arch: str, size: int, channels: int):
        import keras

        keras.utils.set_random_seed(0)
        return architectures.build_model(arch, (size, size, channels), 3)

    model = tiny_model(arch, size, channels)
    images = np.random.default_rng(0).uniform(0, 1, (24, size, size, channels)).astype("float32")
    labels = np.arange(24) % 3
    names = ["circle", "square", "triangle"]
    if "g" in views:
        render_gradcam(model, images[0], names, key="g")
    if "i" in views:
        render_inside_network(model, images, labels, names, key="i", indices=np.arange(100, 124))
    if "f" in views:
        render_feature_space(model, images, labels, names, key="f")


def open_app(arch: str, lang: str, views: str = "gif", size: int = 8, channels: int = 1) -> AppTest:
    at = AppTest.from_function(insight_app, args=(arch, size, channels, views), default_timeout=120)
    at.session_state["lang"] = lang
    at.run()
    assert not at.exception, at.exception
    return at


def texts(at: AppTest) -> str:
    """Every text on the page, including the captions under images."""
    parts = [
        str(el.value)
        for kind in ("markdown", "caption", "info", "error")
        for el in getattr(at, kind)
    ]
    return "\n".join(parts + [caption for image in at.get("image") for caption in image.captions])


def tr(text: str, lang: str) -> str:
    return ES[text] if lang == "es" else text


@pytest.mark.parametrize("lang", ["en", "es"])
def test_a_cnn_shows_gradcam_feature_maps_filters_and_the_pca_scatter(lang):
    at = open_app("lenet", lang)
    text = texts(at)
    assert (
        tr("Feature maps", lang) in text
        and tr("Filters of the first convolution layer", lang) in text
    )
    assert len(at.get("image")) == 3  # Grad-CAM's image and overlay, the chosen test image
    assert len(at.get("plotly_chart")) == 3  # feature maps, filters, the scatter
    # the caller's test-set numbers
    assert "Grad-CAM: " in text and tr("Test image #{index}", lang).format(index=100) in text
    if lang == "es":
        assert "Feature maps" not in text and "Each square is one feature map" not in text


@pytest.mark.parametrize("lang", ["en", "es"])
def test_an_mlp_gets_explanations_and_weight_templates_instead(lang):
    at = open_app("mlp", lang)
    text = texts(at)
    assert tr(gradcam.NO_CONV_MESSAGE, lang) in [info.value for info in at.info]
    assert tr("What the first layer's units look for", lang) in text
    assert len(at.get("plotly_chart")) == 2  # the templates and the scatter
    assert len(at.get("image")) == 0 and not any(
        box.key and box.key.startswith("g-") for box in at.selectbox
    )


def test_picking_another_class_and_layer_redraws_gradcam():
    at = open_app("lenet", "en", views="g")
    picker = next(box for box in at.selectbox if box.key.startswith("g-class-"))
    other = (picker.value + 1) % 3
    picker.set_value(other).run()
    assert not at.exception, at.exception
    names = ["circle", "square", "triangle"]
    assert any(f"score of {names[other]}" in caption.value for caption in at.caption) or any(
        "map is empty" in c.value for c in at.caption
    )
    at.selectbox(key="g-layer").set_value(at.selectbox(key="g-layer").options[0]).run()
    assert not at.exception, at.exception


def test_choosing_a_class_an_image_and_a_layer_in_the_inside_view():
    at = open_app("lenet", "en", views="i")
    at.selectbox(key="i-class").set_value(2).run()
    at.slider(key="i-image-2").set_value(3).run()
    assert not at.exception, at.exception
    assert "#108" in texts(at)  # the third image of class 2 is image 8 -> test image #108
    at.selectbox(key="i-layer").set_value(at.selectbox(key="i-layer").options[-1]).run()
    assert not at.exception, at.exception
    assert any("(10x10" in c.value or "10x10 values" in c.value for c in at.caption)


@pytest.mark.parametrize("lang", ["en", "es"])
def test_tsne_waits_for_its_button_then_stays(lang):
    at = open_app("mlp", lang, views="f")
    at.radio(key="f-method").set_value("tsne").run()
    assert not at.exception, at.exception
    assert len(at.get("plotly_chart")) == 0 and at.button(key="f-tsne-button")
    at.button(key="f-tsne-button").click().run()
    assert not at.exception, at.exception
    assert len(at.get("plotly_chart")) == 1
    assert tr(
        "t-SNE keeps neighbours together, but the distances between clusters and their "
        "sizes mean little.",
        lang,
    ) in texts(at)
    at.run()  # a later rerun shows the cached t-SNE without asking again
    assert len(at.get("plotly_chart")) == 1


def test_rgb_models_show_colour_filters():
    at = open_app("course_cifar_cnn", "en", views="i", size=32, channels=3)
    assert any("in colour" in c.value for c in at.caption)
