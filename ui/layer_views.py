"""The layer-by-layer walk through a trained model for one image, and the training images it finds
most alike.

Pages call ``render_layer_walk`` with the model, some test images and (optionally) a loader for the
nearest-neighbour index of the run's training images; the computing is in
``clfcore.inference.layers`` and ``clfcore.inference.similar``. The model is never modified.
Images are float32 in [0, 1], ``(N, H, W, C)``; class names are already translated.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import plotly.graph_objects as go
import streamlit as st

from clfcore.errors import UserInputError
from clfcore.i18n import N_
from clfcore.inference import imagefile, insight, layers, similar
from clfcore.inference.display import enlarged_uint8, to_uint8, unit_range
from clfcore.inference.preprocess import ImageStyle, ModelInput, preprocess
from clfcore.models.probabilities import probabilities_from_outputs
from ui import eval_charts
from ui.insight_views import MAX_MAPS, mosaic_figure, padded_names, pick_image
from ui.lang import error_message, number, t, translator
from ui.widgets import show_error

MAP_COLUMNS = 16  # feature maps per row in the walk
MAX_UNITS = 256  # Dense units drawn as bars
STRONGEST = 4  # input channels shown for a deeper convolution's kernel
THUMB = 96  # pixels a side of a similar image
SOURCES = {"test": N_("A test image"), "upload": N_("Your own image")}
# Why a layer has nothing new to draw, by its Keras class (English: translation keys)
LISTED_NOTES = {
    "Flatten": N_("lays the values out in one long vector, for the Dense layers"),
    "Dropout": N_("is off when the model predicts: its output is its input"),
    "SpatialDropout2D": N_("is off when the model predicts: its output is its input"),
    "Resizing": N_("resizes the image to the size the next layers expect"),
    "Rescaling": N_("scales the pixel values"),
}
OTHER_NOTE = N_("prepares the values for the next layer")

# what the page hands over: () -> (the neighbour index, the indexed training images), cached
SimilarLoader = Callable[[], tuple[similar.NeighbourIndex, np.ndarray]]


def render_layer_walk(
    model,
    images,
    labels,
    class_names,
    *,
    key: str,
    indices=None,
    style: ImageStyle = ImageStyle(),
    similar_index: SimilarLoader | None = None,
) -> None:
    """One image through every layer: name, type, output shape, parameters and what it outputs;
    clicking a feature map opens it with its kernel and the region of the image it sees. Then the
    training images nearest to the image in the penultimate-layer space, if ``similar_index``.

    Args:
        model: the trained Keras model (not modified).
        images: test images, float32 in [0, 1], ``(N, H, W, C)``.
        labels: their true class indices ``(N,)``.
        class_names: translated class names.
        key: a unique widget key prefix.
        indices: the images' numbers in the test set, shown to the user. Defaults to 0..N-1.
        style: what the training images look like, to preprocess an uploaded image as the
            Classify page does.
        similar_index: returns the neighbour index of the training images and those images
            (called only when the view is shown; the page caches it).
    """
    st.fragment(_layer_walk)(
        model,
        images,
        labels,
        class_names,
        key=key,
        indices=indices,
        style=style,
        similar_index=similar_index,
    )


def _layer_walk(model, images, labels, class_names, *, key, indices, style, similar_index) -> None:
    images = np.asarray(images, dtype=np.float32)
    labels = np.asarray(labels).astype(int).reshape(-1)
    indices = np.arange(len(images)) if indices is None else np.asarray(indices)
    names = padded_names(class_names, int(max(labels.max(initial=-1) + 1, len(class_names))))
    st.markdown("#### " + t("Layer by layer"))
    chosen = _choose_image(model, images, labels, names, indices, style, key=key)
    if chosen is None:
        return
    image, caption, true = chosen
    try:
        walk = layers.layer_walk(model, image)
    except UserInputError as error:
        show_error(error)
        return
    _overview(image, caption, walk, names, true)
    _walk(model, image, walk, names, key=key)
    if similar_index is not None:
        st.divider()
        _similar_section(model, image, names, similar_index, key=key)


# --- the image ------------------------------------------------------------------------------------


def _choose_image(model, images, labels, names, indices, style, *, key: str):
    """``(image (H, W, C), caption, true class or None)`` from the test images or an upload;
    None: nothing chosen yet."""
    tr = translator()
    source = (
        st.segmented_control(
            t("Image"),
            list(SOURCES),
            format_func=lambda s: tr(SOURCES[s]),
            default="test",
            required=True,
            key=f"{key}-source",
        )
        or "test"
    )
    if source == "test":
        if len(images) == 0:
            st.info(t("There are no test images to look at."), icon=":material/info:")
            return None
        position = pick_image(labels, names, key=f"{key}-pick")
        caption = t("Test image #{index}", index=int(indices[position]))
        return images[position], caption, int(labels[position])
    upload = st.file_uploader(
        t("An image"),
        type=list(imagefile.EXTENSIONS),
        key=f"{key}-upload",
        help=t(
            "It is prepared as on the Classify page: turned, cropped, resized and scaled to "
            "what the model takes."
        ),
    )
    if upload is None:
        return None
    height, width, channels = (int(d) for d in model.inputs[0].shape[1:])
    try:
        opened = imagefile.open_image(upload.getvalue(), name=upload.name)
        prepared = preprocess(opened, ModelInput(height, width, channels, style))
    except UserInputError as error:
        show_error(error)
        return None
    return prepared.array, t("Your image, as the model sees it"), None


def _overview(image, caption: str, walk, names, true: int | None) -> None:
    left, right = st.columns([1, 4])
    left.image(enlarged_uint8(image, size=160), caption=caption, width="stretch")
    output = next((step for step in reversed(walk) if step.kind == layers.OUTPUT), None)
    if output is not None:
        probabilities = probabilities_from_outputs(output.activation[None])[0]
        predicted = int(np.argmax(probabilities))
        pred = names[predicted] if predicted < len(names) else str(predicted)
        conf = float(probabilities[predicted])
        left.markdown(
            t("Predicted: **{pred}** ({conf:.0%})", pred=pred, conf=conf)
            if true is None
            else t(
                "True: **{true}**  \nPredicted: **{pred}** ({conf:.0%})",
                true=names[true],
                pred=pred,
                conf=conf,
            )
        )
    rows = [
        {
            "#": step.index + 1,
            t("Layer"): step.name,
            t("Type"): step.class_name,
            t("Output shape"): _shape(step.output_shape),
            t("Parameters"): number(step.params),
        }
        for step in walk
    ]
    right.dataframe(rows, hide_index=True, width="stretch")
    right.caption(
        t(
            "{count} layers, {params} parameters. Below, each layer's output for this image, "
            "from the input to the prediction. Click a feature map to open it.",
            count=len(walk),
            params=number(sum(step.params for step in walk)),
        )
    )


def _shape(shape: tuple[int, ...]) -> str:
    return " x ".join(str(d) for d in shape)


# --- the walk -------------------------------------------------------------------------------------


def _walk(model, image, walk, names, *, key: str) -> None:
    spatial = [step for step in walk if step.kind == layers.MAPS]
    opened = _opened_map(spatial, key=key)
    for step in walk:
        title = t(
            "**{number}. {name}** · {kind} · {shape} · {params} parameters",
            number=step.index + 1,
            name=step.name,
            kind=step.class_name,
            shape=_shape(step.output_shape),
            params=number(step.params),
        )
        st.markdown(title)
        if step.kind == layers.MAPS:
            _maps_row(step, key=key)
            if opened is not None and opened[0] == step.name:
                with st.container(border=True):
                    _map_detail(model, image, walk, step, opened[1])
        elif step.kind == layers.VECTOR:
            _vector_row(step, key=key)
        elif step.kind == layers.OUTPUT:
            _output_row(step, names, key=key)
        else:
            note = LISTED_NOTES.get(step.class_name, OTHER_NOTE)
            if step.nested:
                note = N_("is a whole pre-trained network, shown as one layer")
            st.caption(t("This layer {note}.", note=t(note)))


def _opened_map(spatial, *, key: str) -> tuple[str, int] | None:
    """The feature map chosen by a click or by the two widgets: ``(layer name, channel)``."""
    if not spatial:
        return None
    layer_key, map_key, pending = f"{key}-open-layer", f"{key}-open-map", f"{key}-clicked"
    names = [step.name for step in spatial]
    if pending in st.session_state:  # a click in the last run: into the widgets before they exist
        st.session_state[layer_key], st.session_state[map_key] = st.session_state.pop(pending)
    if st.session_state.get(layer_key) not in names:
        st.session_state.pop(layer_key, None)  # another model's layer
    left, right = st.columns([3, 1])
    name = left.selectbox(
        t("Open a feature map of"),
        names,
        key=layer_key,
        help=t("Or click a feature map in the layers below."),
    )
    step = spatial[names.index(name)]
    count = min(step.output_shape[-1], MAX_MAPS)
    if st.session_state.get(map_key, 1) > count:
        st.session_state[map_key] = count
    number_shown = right.number_input(
        t("Feature map"), min_value=1, max_value=count, value=1, step=1, key=map_key
    )
    return name, int(number_shown) - 1


def _maps_row(step, *, key: str) -> None:
    shown, scaled, peaks = insight.feature_map_tiles(step.activation, limit=MAX_MAPS)
    columns = min(MAP_COLUMNS, len(shown))
    height, width = shown.shape[1:]
    rows = int(np.ceil(len(shown) / columns))
    fig = mosaic_figure(
        scaled,
        colorscale="Viridis",
        hover=t("Feature map"),
        values=shown,
        columns=columns,
        height=int(min(420, max(90, 700 * rows * (height + 1) / (columns * (width + 1))))),
    )
    _clickable(fig, len(shown), columns, height, width)
    event = st.plotly_chart(
        fig,
        width="stretch",
        on_select="rerun",
        selection_mode="points",
        key=f"{key}-maps-{step.name}",
        config={"displayModeBar": False},
    )
    channel = _clicked_tile(event, shown.shape, columns)
    last = f"{key}-maps-{step.name}-last"
    if channel is not None and st.session_state.get(last) != channel:
        st.session_state[last] = channel
        st.session_state[f"{key}-clicked"] = (step.name, channel + 1)
        st.rerun(scope="fragment")
    dead = int(np.sum(peaks == 0))
    text = t(
        "{shown} of {total} feature maps, {h}x{w} each, each scaled to its own maximum.",
        shown=len(shown),
        total=step.output_shape[-1],
        h=height,
        w=width,
    )
    if dead:
        text += " " + t(
            "{count} maps are all zero for this image (the ReLU cut them off).", count=dead
        )
    st.caption(text)


def _clickable(fig: go.Figure, count: int, columns: int, height: int, width: int) -> None:
    """An invisible marker at the centre of every map: plotly heatmaps send no selection events,
    markers do (as in ``eval_charts.confusion_heatmap``); a click selects the nearest one."""
    rows, cols = np.divmod(np.arange(count), columns)
    fig.add_trace(
        go.Scatter(
            x=cols * (width + 1) + (width - 1) / 2,
            y=rows * (height + 1) + (height - 1) / 2,
            mode="markers",
            marker=dict(size=12, opacity=0),
            customdata=np.arange(1, count + 1),
            showlegend=False,
            selected=dict(marker=dict(opacity=0)),
            unselected=dict(marker=dict(opacity=0)),
            hovertemplate=t("Feature map") + " %{customdata}<extra></extra>",
        )
    )
    fig.update_traces(hoverinfo="skip", hovertemplate=None, selector=dict(type="heatmap"))
    fig.update_layout(
        clickmode="event+select", dragmode=False, hovermode="closest", hoverdistance=-1
    )


def _clicked_tile(event, shape, columns: int) -> int | None:
    """The feature map a click on the mosaic landed on (None: none, or a gap between maps)."""
    points = (event.selection.points if event and event.selection else []) or []
    count, height, width = shape
    for point in points:
        x, y = point.get("x"), point.get("y")
        if x is None or y is None:
            continue
        col, x_in = divmod(int(round(x)), width + 1)
        row, y_in = divmod(int(round(y)), height + 1)
        channel = row * columns + col
        if x_in < width and y_in < height and channel < count:
            return channel
    return None


def _vector_row(step, *, key: str) -> None:
    values = step.activation[:MAX_UNITS]
    fig = go.Figure(
        go.Bar(
            x=np.arange(1, len(values) + 1),
            y=values,
            marker_color=np.where(values >= 0, "#636EFA", "#EF553B"),
            hovertemplate=t("Unit") + " %{x}<br>" + t("value") + " %{y:.3f}<extra></extra>",
        )
    )
    fig.update_layout(height=180, margin=dict(t=5, b=5, l=5, r=5), bargap=0.1)
    fig.update_xaxes(title=None)
    st.plotly_chart(
        fig, width="stretch", key=f"{key}-units-{step.name}", config={"displayModeBar": False}
    )
    active = int(np.sum(step.activation > 0))
    st.caption(
        t(
            "One bar per unit: {active} of {total} are above zero for this image.",
            active=active,
            total=len(step.activation),
        )
        + (
            " " + t("The first {shown} are drawn.", shown=len(values))
            if len(values) < len(step.activation)
            else ""
        )
    )


def _output_row(step, names, *, key: str) -> None:
    probabilities = probabilities_from_outputs(step.activation[None])[0]
    labels = names if len(names) == len(probabilities) else padded_names([], len(probabilities))
    predicted = int(np.argmax(probabilities))
    fig = eval_charts.probability_bars(probabilities, list(labels), true=None, predicted=predicted)
    fig.update_yaxes(type="category")  # class names such as "0".."9" are labels, not numbers
    st.plotly_chart(
        fig,
        width="stretch",
        key=f"{key}-output-{step.name}",
    )
    st.caption(
        t(
            "The output: one probability per class. The model answers **{name}** ({p:.0%}).",
            name=labels[predicted],
            p=float(probabilities[predicted]),
        )
    )


# --- one feature map, opened ----------------------------------------------------------------------


def _map_detail(model, image, walk, step, channel: int) -> None:
    maps = step.activation[:, :, channel]
    row, col = layers.strongest_unit(maps)
    picture, where = st.columns(2)
    fig = mosaic_figure(
        maps[None] / max(float(np.abs(maps).max()), 1e-12),
        colorscale="Viridis",
        hover=t("Feature map"),
        values=maps[None],
        height=300,
    )
    fig.add_shape(
        type="rect",
        x0=col - 0.5,
        x1=col + 0.5,
        y0=row - 0.5,
        y1=row + 0.5,
        line=dict(color="red", width=3),
    )
    picture.plotly_chart(fig, width="stretch", key=f"detail-{step.name}-{channel}")
    picture.caption(
        t(
            "Feature map {number} of {layer}; the red square is its strongest unit (row {row}, "
            "column {col}, value {value:.3f}).",
            number=channel + 1,
            layer=step.name,
            row=row + 1,
            col=col + 1,
            value=float(maps[row, col]),
        )
    )
    with where:
        _receptive_field(model, image, step.name, row, col)
    _kernel(model, walk, step, channel)


def _receptive_field(model, image, layer_name: str, row: int, col: int) -> None:
    try:
        top, left, bottom, right = layers.receptive_box(model, layer_name, row, col)
    except UserInputError as error:  # e.g. a pre-trained backbone: its geometry is not traced
        st.info(error_message(error), icon=":material/info:")
        return
    fig = go.Figure(go.Image(z=_rgb(image), hoverinfo="skip"))
    fig.add_shape(
        type="rect",
        x0=left - 0.5,
        x1=right + 0.5,
        y0=top - 0.5,
        y1=bottom + 0.5,
        line=dict(color="red", width=3),
    )
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    fig.update_layout(height=300, margin=dict(t=5, b=5, l=5, r=5))
    st.plotly_chart(fig, width="stretch", key=f"field-{layer_name}-{row}-{col}")
    st.caption(
        t(
            "What that unit sees: its receptive field, {h}x{w} pixels of the input (rows "
            "{top}-{bottom}, columns {left}-{right} inside the image). Each convolution or "
            "pooling before it widens the window.",
            h=bottom - top + 1,
            w=right - left + 1,
            top=top + 1,
            bottom=bottom + 1,
            left=left + 1,
            right=right + 1,
        )
    )


def _rgb(image) -> np.ndarray:
    pixels = to_uint8(unit_range(image))
    return np.repeat(pixels[..., None], 3, axis=-1) if pixels.ndim == 2 else pixels


def _kernel(model, walk, step, channel: int) -> None:
    conv = layers.producing_conv(model, step.name)
    if conv is None:
        st.caption(t("No single kernel made this map (the layer mixes its inputs)."))
        return
    try:
        view = layers.strongest_input_channels(model, conv, channel, count=STRONGEST)
    except UserInputError as error:
        show_error(error)
        return
    if conv != step.name:
        st.markdown(
            t(
                "This map is map {number} of **{conv}**, passed on channel by channel; its kernel:",
                number=channel + 1,
                conv=conv,
            )
        )
    size = view.slices.shape[1]
    if view.first:
        names = (
            [t("red"), t("green"), t("blue")][: view.total_in]
            if view.total_in == 3
            else [t("channel {n}", n=c + 1) for c in view.in_channels]
        )
        st.markdown(
            t(
                "**The filter** ({k}x{k}) of the first convolution, one slice per channel of "
                "the image: red weights raise the map where the pixels are bright, blue lower it.",
                k=size,
            )
        )
        inputs = None
    else:
        before = layers.input_layer_before(model, conv)
        by_name = {s.name: s for s in walk}
        inputs = by_name[before].activation if before in by_name else None
        names = [
            t("input map {n} · L1 {norm:.2f}", n=c + 1, norm=norm)
            for c, norm in zip(view.in_channels, view.norms)
        ]
        st.markdown(
            t(
                "**The kernel** ({k}x{k}x{total}): the {count} input maps (of {before}) with the "
                "largest weights (L1 norm) for this map, each above its slice of the kernel.",
                k=size,
                total=view.total_in,
                count=len(view.in_channels),
                before=before or t("the image"),
            )
        )
    columns = st.columns(max(len(view.in_channels), 1))
    limit = float(np.abs(view.slices).max()) or 1.0
    for column, slice_, label, c in zip(columns, view.slices, names, view.in_channels):
        with column:
            if inputs is not None and inputs.ndim == 3 and c < inputs.shape[-1]:
                source = inputs[:, :, c]
                st.plotly_chart(
                    mosaic_figure(
                        source[None] / max(float(np.abs(source).max()), 1e-12),
                        colorscale="Viridis",
                        hover=t("Feature map"),
                        values=source[None],
                        height=150,
                    ),
                    width="stretch",
                    key=f"in-{conv}-{channel}-{c}",
                )
            st.plotly_chart(
                _kernel_figure(slice_, limit),
                width="stretch",
                key=f"kernel-{conv}-{channel}-{c}",
            )
            st.caption(label)


def _kernel_figure(weights: np.ndarray, limit: float) -> go.Figure:
    fig = go.Figure(
        go.Heatmap(
            z=weights,
            zmin=-limit,
            zmax=limit,
            colorscale="RdBu_r",
            showscale=False,
            hovertemplate=t("weight") + " %{z:.3f}<extra></extra>",
        )
    )
    fig.update_yaxes(autorange="reversed", scaleanchor="x", visible=False)
    fig.update_xaxes(visible=False, constrain="domain")
    fig.update_layout(height=150, margin=dict(t=2, b=2, l=2, r=2))
    return fig


# --- similar images -------------------------------------------------------------------------------


def _similar_section(model, image, names, similar_index: SimilarLoader, *, key: str) -> None:
    st.markdown("#### " + t("Similar images"))
    try:
        with st.spinner(t("Computing the features of the training images (once per model)...")):
            index, train_images = similar_index()
        neighbours = similar.nearest(index, model, image, count=similar.NEIGHBOURS)
    except UserInputError as error:
        show_error(error)
        return
    st.caption(
        t(
            "The {count} training images nearest to this one in the network's penultimate "
            "layer (the values its output layer classifies), among {size} training images: "
            "what the network thinks looks alike. Under each: its label · its distance.",
            count=len(neighbours),
            size=number(index.size),
        )
    )
    columns = st.columns(len(neighbours) or 1)
    rows = {int(p): r for r, p in enumerate(index.positions)}
    for column, neighbour in zip(columns, neighbours):
        column.image(
            enlarged_uint8(train_images[rows[neighbour.position]], size=THUMB),
            caption=f"{_label_text(neighbour.label, names)} · {neighbour.distance:.2f}",
            width="stretch",
        )


def _label_text(label, names) -> str:
    if np.ndim(label) == 0:
        value = int(label)
        return names[value] if value < len(names) else str(value)
    on = [names[i] if i < len(names) else str(i) for i in np.flatnonzero(np.asarray(label) > 0.5)]
    return ", ".join(on) or t("no label")
