"""Looking inside a trained model: Grad-CAM, feature maps, learned filters and the feature space.

Pages call these with a model and test images; the computing is in ``clfcore.inference.gradcam`` and
``clfcore.inference.insight``. The model is never modified (every view reads it through a separate
model built from its layers). Images are float32 in [0, 1], ``(N, H, W, C)``; labels are class
indices; class names are already translated.
"""

from __future__ import annotations

import hashlib

import numpy as np
import plotly.graph_objects as go
import streamlit as st

from clfcore.errors import UserInputError
from clfcore.inference import gradcam, insight
from clfcore.inference.display import enlarge_pixels, to_uint8, unit_range
from clfcore.models.probabilities import probabilities_from_outputs
from ui.lang import current as current_language
from ui.lang import error_message, number, t, translator
from ui.widgets import show_error

MAX_MAPS = 64  # feature maps / filters drawn at once; more make the tiles too small to read
MAX_TEMPLATES = 32  # Dense units drawn as images: each is a whole image, so fewer and larger
DISPLAY_SIZE = 224  # pixels a side for the Grad-CAM pictures
# Images t-SNE places (a stratified sample): on 2 CPU cores shared with other work, 1,000 took 16 s
# where 2,000 took 26 to 35 s.
TSNE_SAMPLE = min(1000, insight.TSNE_MAX_POINTS)
# plotly's qualitative "Plotly" then "Dark24" colours, enough for CIFAR-100's 20 coarse classes
PALETTE = (
    "#636EFA",
    "#EF553B",
    "#00CC96",
    "#AB63FA",
    "#FFA15A",
    "#19D3F3",
    "#FF6692",
    "#B6E880",
    "#FF97FF",
    "#FECB52",
    "#2E91E5",
    "#E15F99",
    "#1CA71C",
    "#FB0D0D",
    "#DA16FF",
    "#222A2A",
    "#B68100",
    "#750D86",
    "#EB663B",
    "#511CFB",
)


# --- small helpers --------------------------------------------------------------------------------


def _fingerprint(key: str, model, images: np.ndarray) -> str:
    """A hashable stand-in for (model, images) in st.cache_data keys: the caller's key, the model
    object and the image bytes (hashing 2,000 CIFAR images takes a few milliseconds)."""
    digest = hashlib.blake2b(np.ascontiguousarray(images).data, digest_size=8).hexdigest()
    return f"{key}|{id(model)}|{images.shape}|{digest}"


def _probabilities(model, image: np.ndarray) -> np.ndarray:
    """One probability per class; a single sigmoid output becomes [P(class 0), P(class 1)]."""
    return probabilities_from_outputs(model(image[None], training=False))[0]


def padded_names(class_names, count: int) -> list[str]:
    """``count`` names: the given ones, then "class n" for outputs without a name."""
    names = [str(name) for name in class_names][:count]
    return names + [t("class {n}", n=n) for n in range(len(names), count)]


def mosaic_figure(
    tiles: np.ndarray,
    *,
    colorscale: str,
    zmid: float | None = None,
    hover: str,
    values: np.ndarray | None = None,
    columns: int | None = None,
    height: int | None = None,
) -> go.Figure:
    """A grid of single-channel tiles (n, h, w) as one plotly heatmap; hovering shows the tile
    number and value."""
    count, _tile_h, _tile_w = tiles.shape
    columns = columns or int(np.ceil(np.sqrt(count)))
    grid = insight.mosaic(tiles, columns=columns)
    numbers = insight.mosaic(
        np.broadcast_to(np.arange(1, count + 1, dtype=np.float32)[:, None, None], tiles.shape),
        columns=columns,
    )
    raw = insight.mosaic(values if values is not None else tiles, columns=columns)
    fig = go.Figure(
        go.Heatmap(
            z=grid,
            customdata=np.stack([numbers, raw], axis=-1),
            colorscale=colorscale,
            zmid=zmid,
            showscale=False,
            hoverongaps=False,
            hovertemplate=hover
            + " %{customdata[0]:.0f}<br>"
            + t("value")
            + " %{customdata[1]:.3f}<extra></extra>",
        )
    )
    fig.update_yaxes(autorange="reversed", scaleanchor="x", visible=False)
    fig.update_xaxes(visible=False, constrain="domain")
    if height is None:  # about 700 px wide on a wide page; keep the pixels square
        height = int(min(700, max(160, 700 * grid.shape[0] / grid.shape[1])))
    fig.update_layout(height=height, margin=dict(t=5, b=5, l=5, r=5), plot_bgcolor="rgba(0,0,0,0)")
    return fig


# --- Grad-CAM -------------------------------------------------------------------------------------


@st.cache_data(show_spinner=False, max_entries=64)
def _gradcam(
    model_token: str, image: np.ndarray, class_index: int, layer: str, _model
) -> np.ndarray:
    return gradcam.gradcam(_model, image[None], [class_index], layer_name=layer)[0]


def render_gradcam(model, image, class_names, *, key: str) -> None:
    """The Grad-CAM overlay next to the image, for a class picker that starts at the predicted
    class.

    Args:
        model: the trained Keras model (not modified).
        image: one image, float32 in [0, 1], ``(H, W, C)`` (a batch of one is accepted).
        class_names: the class names, already translated, in class-index order.
        key: a unique widget key prefix.
    """
    layers = gradcam.conv_layer_names(model)
    if not layers:
        st.info(t(gradcam.NO_CONV_MESSAGE), icon=":material/info:")
        return
    try:
        array = gradcam.as_batch(model, image)[0]
    except UserInputError as error:
        show_error(error)
        return
    probabilities = _probabilities(model, array)
    names = padded_names(class_names, len(probabilities))
    choices = [f"{name} ({p:.0%})" for name, p in zip(names, probabilities)]
    predicted = int(np.argmax(probabilities))
    # The image's own fingerprint in the widget keys: a new image starts again at its predicted
    # class.
    image_id = hashlib.blake2b(np.ascontiguousarray(array).data, digest_size=4).hexdigest()
    left, right = st.columns([3, 2])
    class_index = left.selectbox(
        t("Explain the class"),
        options=list(range(len(choices))),
        index=predicted,
        format_func=choices.__getitem__,
        key=f"{key}-class-{image_id}",
        help=t(
            "Grad-CAM starts with the predicted class; pick another class to see what would "
            "speak for it."
        ),
    )
    layer = right.selectbox(
        t("Convolution layer"),
        options=layers,
        index=len(layers) - 1,
        key=f"{key}-layer",
        help=t(
            "The last convolution layer sees the largest parts of the image; earlier layers "
            "give finer but less meaningful maps."
        ),
    )
    if layer not in layers:  # the widget remembered a layer of another model
        layer = layers[-1]
    try:
        heat = _gradcam(f"{key}|{id(model)}", array, int(class_index), layer, _model=model)
    except UserInputError as error:
        show_error(error)
        return
    shown = enlarge_pixels(unit_range(array), size=DISPLAY_SIZE)
    picture, explained = st.columns(2)
    picture.image(to_uint8(shown), caption=t("Image"), width="stretch")
    explained.image(
        gradcam.overlay(shown, heat),
        caption=t("Grad-CAM: {name}", name=names[class_index]),
        width="stretch",
    )
    if float(heat.max()) == 0.0:
        st.caption(
            t(
                "Nothing in this image raises the score of {name}: the map is empty.",
                name=names[class_index],
            )
        )
    else:
        st.caption(
            t(
                "Red marks the parts of the image that raised the score of {name} the most "
                "(in layer {layer}); blue parts did not count for it.",
                name=names[class_index],
                layer=layer,
            )
        )


# --- Inside the network ---------------------------------------------------------------------------


def render_inside_network(
    model, images, labels, class_names, *, key: str, indices=None, feature_maps: bool = True
) -> None:
    """Feature maps of a chosen test image per convolution layer and the first layer's filters; for
    an MLP, its first Dense layer's weights drawn as images.

    Args:
        model: the trained Keras model (not modified).
        images: test images, float32 in [0, 1], ``(N, H, W, C)``.
        labels: their true class indices ``(N,)``.
        class_names: translated class names.
        key: a unique widget key prefix.
        indices: the images' numbers in the test set, shown to the user. Defaults to 0..N-1.
        feature_maps: show one chosen layer's feature maps before the filters. Defaults to True;
            False when ``ui.layer_views.render_layer_walk`` shows every layer's maps already.
    """
    st.fragment(_inside_network)(
        model, images, labels, class_names, key=key, indices=indices, feature_maps=feature_maps
    )


def _inside_network(
    model, images, labels, class_names, *, key: str, indices=None, feature_maps: bool = True
) -> None:
    images, labels = (
        np.asarray(images, dtype=np.float32),
        np.asarray(labels).astype(int).reshape(-1),
    )
    if len(images) == 0:
        st.info(t("There are no test images to look at."), icon=":material/info:")
        return
    indices = np.arange(len(images)) if indices is None else np.asarray(indices)
    names = padded_names(class_names, int(max(labels.max() + 1, len(class_names))))
    conv_layers = gradcam.conv_layer_names(model)
    if conv_layers:
        if feature_maps:
            _feature_maps_section(model, images, labels, names, indices, conv_layers, key=key)
        _filters_section(model, key=key)
    else:
        _templates_section(model, key=key)


def pick_image(labels, names, *, key: str) -> int:
    """A class (or all) and an image of it; returns the position in ``images``."""
    tr = translator()
    classes = sorted(int(c) for c in np.unique(labels))
    left, right = st.columns(2)
    chosen = left.selectbox(
        t("Class"),
        options=[-1, *classes],
        format_func=lambda c: tr("All classes") if c < 0 else names[c],
        key=f"{key}-class",
    )
    pool = np.flatnonzero(labels == chosen) if chosen >= 0 else np.arange(len(labels))
    if len(pool) == 1:
        right.caption(t("The only test image of this class here."))
        return int(pool[0])
    position = right.slider(
        t("Image"),
        min_value=1,
        max_value=len(pool),
        value=1,
        key=f"{key}-image-{chosen}",
        help=t("{count} test images to choose from.", count=number(len(pool))),
    )
    return int(pool[position - 1])


def _feature_maps_section(model, images, labels, names, indices, conv_layers, *, key: str) -> None:
    st.markdown("#### " + t("Feature maps"))
    chosen = pick_image(labels, names, key=key)
    layer = st.selectbox(
        t("Convolution layer"),
        options=conv_layers,
        key=f"{key}-layer",
        help=t("From the first convolution (near the image) to the last one (near the output)."),
    )
    if layer not in conv_layers:
        layer = conv_layers[0]
    probabilities = _probabilities(model, images[chosen])
    predicted = int(np.argmax(probabilities))
    image_col, maps_col = st.columns([1, 4])
    image_col.image(
        to_uint8(enlarge_pixels(unit_range(images[chosen]), size=160)),
        width="stretch",
        caption=t("Test image #{index}", index=int(indices[chosen])),
    )
    image_col.markdown(
        t(
            "True: **{true}**  \nPredicted: **{pred}** ({conf:.0%})",
            true=names[labels[chosen]],
            pred=names[predicted] if predicted < len(names) else str(predicted),
            conf=float(probabilities[predicted]),
        )
    )
    try:
        maps = insight.feature_maps(model, images[chosen], layer)
    except UserInputError as error:
        show_error(error)
        return
    shown, scaled, peak = insight.feature_map_tiles(maps, limit=MAX_MAPS)
    maps_col.plotly_chart(
        mosaic_figure(scaled, colorscale="Viridis", hover=t("Feature map"), values=shown),
        width="stretch",
        key=f"{key}-maps",
    )
    dead = int(np.sum(peak == 0))
    maps_col.caption(
        t(
            "Each square is one feature map of {layer}: the output of one of its filters "
            "for this image, {h}x{w} values, bright where the filter's pattern is found. "
            "{shown} of {total} maps shown, each scaled to its own maximum. Early layers "
            "react to edges and strokes; deeper layers to larger parts, at a coarser resolution.",
            layer=layer,
            h=maps.shape[0],
            w=maps.shape[1],
            shown=len(shown),
            total=maps.shape[-1],
        )
        + (
            " " + t("{count} maps are all zero for this image (the ReLU cut them off).", count=dead)
            if dead
            else ""
        )
    )


def _filters_section(model, *, key: str) -> None:
    st.markdown("#### " + t("Filters of the first convolution layer"))
    filters = insight.first_layer_filters(model)  # (k, k, in, out) in [0, 1]
    size, channels, count = filters.shape[0], filters.shape[2], filters.shape[3]
    tiles = insight.filter_tiles(filters, limit=MAX_MAPS)  # (out, k, k, in)
    if channels == 3:
        grid = insight.mosaic(tiles, fill=1.0, columns=min(16, len(tiles)))
        fig = go.Figure(go.Image(z=(grid * 255).round().astype(np.uint8), hoverinfo="skip"))
        fig.update_xaxes(visible=False)
        fig.update_yaxes(visible=False)
        fig.update_layout(
            height=int(min(420, max(120, 60 * np.ceil(len(tiles) / 16)))),
            margin=dict(t=5, b=5, l=5, r=5),
        )
        note = t("in colour: the colour each filter looks for")
    else:
        gray = tiles.mean(axis=-1)
        fig = mosaic_figure(
            gray, colorscale="Greys_r", hover=t("Filter"), columns=min(16, len(tiles))
        )
        note = (
            t("light = positive weights, dark = negative")
            if channels == 1
            else t("averaged over the {n} input channels", n=channels)
        )
    st.plotly_chart(fig, width="stretch", key=f"{key}-filters")
    st.caption(
        t(
            "The {count} filters ({k}x{k}) the first convolution learned, each scaled to "
            "its own range ({note}). A filter that looks like an edge or a blob responds "
            "to that pattern wherever it appears in the image.",
            count=count,
            k=size,
            note=note,
        )
    )


def _templates_section(model, *, key: str) -> None:
    st.markdown("#### " + t("What the first layer's units look for"))
    try:
        templates = insight.first_dense_templates(model)
    except UserInputError as error:
        st.info(error_message(error), icon=":material/info:")
        return
    shown = templates[:MAX_TEMPLATES].mean(axis=-1)
    st.plotly_chart(
        mosaic_figure(
            shown, colorscale="RdBu_r", zmid=0.0, hover=t("Unit"), columns=min(8, len(shown))
        ),
        width="stretch",
        key=f"{key}-templates",
    )
    st.caption(
        t(
            "This model has no convolution layers: it flattens the image into one long "
            "vector. Each square is the weights of one unit of the first Dense layer, laid "
            "out like the image: red pixels raise the unit's activation, blue pixels lower "
            "it, so the square is the template the unit matches. {shown} of {total} units "
            "shown. After a few epochs they still look much like their random start; shapes "
            "appear with longer training.",
            shown=len(shown),
            total=len(templates),
        )
    )


# --- Feature space --------------------------------------------------------------------------------


@st.cache_data(show_spinner=False, max_entries=8)
def _features(fingerprint: str, _model, _images) -> tuple[np.ndarray, np.ndarray]:
    return insight.features_and_outputs(_model, _images)


@st.cache_data(show_spinner=False, max_entries=16)
def _projection(fingerprint: str, method: str, _features) -> np.ndarray:
    return insight.project_2d(_features, method, seed=0)


@st.cache_data(show_spinner=False, max_entries=16)
def _variance(fingerprint: str, _features) -> tuple[float, float]:
    return insight.explained_variance(_features)


def render_feature_space(model, images, labels, class_names, *, key: str, indices=None) -> None:
    """The penultimate-layer features of the images projected to 2-D (PCA or t-SNE), coloured by
    class.

    Args:
        model: the trained Keras model (not modified).
        images: test images, float32 in [0, 1], ``(N, H, W, C)``; PCA shows them all, t-SNE a
            stratified sample of ``TSNE_SAMPLE``.
        labels: their true class indices ``(N,)``.
        class_names: translated class names.
        key: a unique widget key prefix; also part of the cache key of the results.
        indices: the images' numbers in the test set, shown on hover. Defaults to 0..N-1.
    """
    st.fragment(_feature_space)(model, images, labels, class_names, key=key, indices=indices)


def _feature_space(model, images, labels, class_names, *, key: str, indices=None) -> None:
    images, labels = (
        np.asarray(images, dtype=np.float32),
        np.asarray(labels).astype(int).reshape(-1),
    )
    if len(images) < 2:
        st.info(t("The feature space needs at least 2 test images."), icon=":material/info:")
        return
    indices = np.arange(len(images)) if indices is None else np.asarray(indices)
    fingerprint = _fingerprint(key, model, images)
    try:
        with st.spinner(
            t("Computing the features of {count} test images...", count=number(len(images)))
        ):
            features, outputs = _features(fingerprint, _model=model, _images=images)
    except UserInputError as error:
        show_error(error)
        return
    tr = translator()
    method = st.radio(
        t("Projection"),
        options=list(insight.METHODS),
        format_func=lambda m: tr(insight.METHOD_NAMES[m]),
        horizontal=True,
        key=f"{key}-method",
    )
    probabilities = probabilities_from_outputs(outputs)
    names = padded_names(
        class_names, int(max(labels.max() + 1, len(class_names), probabilities.shape[1]))
    )
    predicted = probabilities.argmax(axis=1)
    if method == "pca":
        rows = np.arange(len(images))
        points = _projection(fingerprint, "pca", _features=features)
        first, second = _variance(fingerprint, _features=features)
        axes = (
            t("principal component 1 ({share:.0%} of the variance)", share=first),
            t("principal component 2 ({share:.0%} of the variance)", share=second),
        )
    else:
        rows = insight.sample_indices(labels, TSNE_SAMPLE)
        done = st.session_state.setdefault(f"{key}-tsne-done", [])
        if fingerprint not in done:
            ask = st.empty()  # the note and the button, removed once t-SNE is computed
            with ask.container():
                st.info(
                    t(
                        "t-SNE places {count} images so that neighbours stay neighbours; "
                        "it takes some seconds (longer while a model is training).",
                        count=number(len(rows)),
                    ),
                    icon=":material/schedule:",
                )
                clicked = st.button(
                    t("Compute t-SNE"),
                    key=f"{key}-tsne-button",
                    icon=":material/scatter_plot:",
                    type="primary",
                )
            if not clicked:
                return
            with st.spinner(t("Computing t-SNE of {count} images...", count=number(len(rows)))):
                _projection(fingerprint + "|sample", "tsne", _features=features[rows])
            done.append(fingerprint)
            ask.empty()
        points = _projection(fingerprint + "|sample", "tsne", _features=features[rows])
        axes = ("t-SNE 1", "t-SNE 2")
    st.plotly_chart(
        _shared_scatter(
            fingerprint,
            method,
            current_language(),
            tuple(names),
            _points=points,
            _labels=labels[rows],
            _predicted=predicted[rows],
            _indices=indices[rows],
            _axes=axes,
        ),
        width="stretch",
        key=f"{key}-scatter-{method}",
    )
    wrong = int(np.sum(labels[rows] != predicted[rows]))
    text = t(
        "Each point is one test image, placed by the {dims} values the output layer "
        "receives for it (the penultimate layer), squeezed into two dimensions. Images "
        "the network finds similar lie close together: well-separated colours are classes "
        "it tells apart easily, mixed colours are classes it confuses. Crosses are "
        "the {wrong} misclassified images.",
        dims=number(features.shape[1]),
        wrong=number(wrong),
    )
    if method == "pca":
        text += " " + t(
            "PCA is a linear projection: it keeps the two directions of largest variance, "
            "{share:.0%} of the total here.",
            share=first + second,
        )
    else:
        text += " " + t(
            "t-SNE keeps neighbours together, but the distances between clusters and their "
            "sizes mean little."
        )
    st.caption(text)


@st.cache_resource(show_spinner=False, max_entries=16)
def _shared_scatter(
    fingerprint: str,
    method: str,
    language: str,
    names: tuple[str, ...],
    *,
    _points,
    _labels,
    _predicted,
    _indices,
    _axes: tuple[str, str],
) -> go.Figure:
    """The scatter of one projection, built once for every session that shows it (the fingerprint
    names the model and images, so the arrays follow from the key) and only read by
    st.plotly_chart: never modify it."""
    return _scatter(
        _points,
        _labels,
        _predicted,
        _indices,
        list(names),
        axes=_axes,
        tsne=method == "tsne",
    )


def _scatter(
    points, labels, predicted, indices, names, *, axes: tuple[str, str], tsne: bool
) -> go.Figure:
    tr = translator()
    fig = go.Figure()
    for c in sorted(int(v) for v in np.unique(labels)):
        colour = PALETTE[c % len(PALETTE)]
        # Right and wrong predictions as two traces of one legend entry, so the legend shows a dot.
        for right in (True, False):
            mask = (labels == c) & ((predicted == c) == right)
            if not mask.any():
                continue
            hover = [
                tr(
                    "Test image #{index}<br>True: {true}<br>Predicted: {pred}",
                    index=int(i),
                    true=names[c],
                    pred=names[p] if p < len(names) else str(p),
                )
                for i, p in zip(indices[mask], predicted[mask])
            ]
            fig.add_trace(
                go.Scattergl(
                    x=points[mask, 0],
                    y=points[mask, 1],
                    mode="markers",
                    name=names[c],
                    legendgroup=str(c),
                    showlegend=right or not (labels == predicted)[labels == c].any(),
                    text=hover,
                    hovertemplate="%{text}<extra></extra>",
                    marker=dict(
                        size=6 if right else 7,
                        color=colour,
                        opacity=0.75,
                        symbol="circle" if right else "x",
                        line=dict(width=0),
                    ),
                )
            )
    fig.update_layout(
        height=560,
        margin=dict(t=10, b=10, l=10, r=10),
        legend=dict(itemsizing="constant", title=tr("True class")),
        xaxis_title=axes[0],
        yaxis_title=axes[1],
    )
    if tsne:
        fig.update_xaxes(showticklabels=False)
        fig.update_yaxes(showticklabels=False)
    return fig
