"""Inside a trained network: feature maps, learned filters, Dense templates and the feature space.

Example (``model`` a trained CNN, ``images`` its test images)::

    from clfcore.inference import insight
    maps = insight.feature_maps(model, images[0], "conv2d_1")        # (h, w, channels)
    filters = insight.first_layer_filters(model)                     # (k, k, in, out) in [0, 1]
    features = insight.penultimate_features(model, images)           # (N, D)
    points = insight.project_2d(features, "pca")                     # (N, 2)

Every function reads the model through a separate model built from its layers
(``clfcore.inference.gradcam.tap_model``), so the shared model is never modified.
"""

from __future__ import annotations

import numpy as np

from clfcore.errors import UserInputError
from clfcore.i18n import N_
from clfcore.inference import gradcam

METHODS = ("pca", "tsne")
METHOD_NAMES = {"pca": N_("PCA (linear, instant)"), "tsne": N_("t-SNE (non-linear, a few seconds)")}
TSNE_MAX_POINTS = 2000  # t-SNE is quadratic-ish; 2,000 points take a few seconds on 2 CPU cores
TSNE_MIN_POINTS = 4


def spatial_layer_names(model) -> list[str]:
    """Layers with feature maps ``(h, w, channels)`` that ``feature_maps`` can show: convolutions,
    poolings, batch normalisation... (nested ones as ``"backbone/name"``), input to output."""
    names: list[str] = []

    def walk(container, prefix: str) -> None:
        for layer in container.layers:
            if gradcam._is_container(layer):
                walk(layer, prefix + layer.name + gradcam.SEPARATOR)
                continue
            shape = _output_shape(layer)
            if shape is not None and len(shape) == 4 and layer.__class__.__name__ != "InputLayer":
                names.append(prefix + layer.name)

    walk(model, "")
    return names


def _output_shape(layer):
    try:
        return tuple(layer.output.shape)
    except (AttributeError, ValueError):  # a layer never called on a symbolic input
        return None


def feature_maps(model, image, layer_name: str) -> np.ndarray:
    """What the layer ``layer_name`` outputs for one image: float32 ``(h, w, channels)``.

    Args:
        model: a trained Keras model; it is not modified.
        image: float32 in [0, 1], ``(H, W, C)`` (or ``(H, W)`` for grayscale).
        layer_name: a name from ``spatial_layer_names(model)``, e.g. from
            ``clfcore.inference.gradcam.conv_layer_names(model)``.

    Raises:
        UserInputError: the layer does not exist or has no spatial feature maps; the image does not
        fit.
    """
    known = spatial_layer_names(model)
    if layer_name not in known:
        if not known:
            raise UserInputError(gradcam.NO_CONV_MESSAGE)
        raise UserInputError(
            "The model has no layer with feature maps named {name!r}. Choose one of: {known}.",
            name=layer_name,
            known=", ".join(known),
        )
    batch = gradcam.as_batch(model, image)
    if batch.shape[0] != 1:
        raise UserInputError(
            "Give one image to show its feature maps, got {count}.", count=batch.shape[0]
        )
    tap = gradcam.cached_tap_model(model, [(layer_name, "output")])
    out = tap(batch, training=False)
    out = out[0] if isinstance(out, (list, tuple)) else out
    return np.asarray(out, dtype=np.float32)[0]


def _conv_kernel(layer) -> np.ndarray:
    kernel = (
        getattr(layer, "depthwise_kernel", None) if layer.__class__.__name__ != "Conv2D" else None
    )
    return np.asarray(kernel if kernel is not None else layer.kernel, dtype=np.float32)


def first_layer_filters(model) -> np.ndarray:
    """The learned filters of the first convolution layer, for display: float32 ``(k, k, in, out)``.

    Each filter (one per output channel) is scaled to [0, 1] on its own (its smallest weight -> 0,
    its largest -> 1), so small and large filters are equally visible; a constant filter is 0.5.

    Raises:
        UserInputError: the model has no convolution layer.
    """
    names = gradcam.conv_layer_names(model)
    if not names:
        raise UserInputError(gradcam.NO_CONV_MESSAGE)
    kernel = _conv_kernel(gradcam.get_layer(model, names[0]))
    low = kernel.min(axis=(0, 1, 2), keepdims=True)
    span = kernel.max(axis=(0, 1, 2), keepdims=True) - low
    return np.where(span > 0, (kernel - low) / np.where(span > 0, span, 1.0), 0.5).astype(
        np.float32
    )


def first_dense_templates(model) -> np.ndarray:
    """The first Dense layer's weights per unit, as images: float32 ``(units, H, W, C)`` in [-1, 1].

    For a network that flattens the image straight into a Dense layer (the MLP), unit ``j`` computes
    ``sum(weights_j * pixels)``, so its weights drawn as an image are the pattern it responds to
    most: positive where bright pixels raise its activation, negative where they lower it. Each unit
    is divided by its largest absolute weight.

    Raises:
        UserInputError: no Dense layer reads the flattened image directly (e.g. a CNN).
    """
    import keras

    image_shape = tuple(model.inputs[0].shape[1:])
    size = int(np.prod(image_shape)) if None not in image_shape else -1
    dense = next((layer for layer in model.layers if isinstance(layer, keras.layers.Dense)), None)
    kernel = None if dense is None else np.asarray(dense.kernel, dtype=np.float32)
    spatial_before = (
        any(
            gradcam._is_conv(layer) or gradcam._is_container(layer)
            for layer in model.layers[: model.layers.index(dense)]
        )
        if dense
        else True
    )
    if kernel is None or spatial_before or kernel.shape[0] != size:
        raise UserInputError(
            "This model does not connect the pixels straight to a Dense layer, so its weights "
            "cannot be drawn as images. Weight templates are for the MLP; for a convolutional "
            "model look at its filters and feature maps."
        )
    templates = kernel.T.reshape(kernel.shape[1], *image_shape)
    scale = np.abs(templates).reshape(len(templates), -1).max(axis=1)
    return (templates / np.where(scale > 0, scale, 1.0)[:, None, None, None]).astype(np.float32)


def penultimate_features(model, images, *, batch_size: int = 256) -> np.ndarray:
    """The input of the output layer for each image: float32 ``(N, D)``, what the last layer
    classifies.

    For the course CNN these are the 512 values of its Dense layer (after dropout, which is inactive
    here); for the MLP, the last hidden layer's units.
    """
    return features_and_outputs(model, images, batch_size=batch_size)[0]


def features_and_outputs(model, images, *, batch_size: int = 256) -> tuple[np.ndarray, np.ndarray]:
    """``(penultimate features (N, D), model outputs (N, outputs))`` from one pass over the
    images."""
    if batch_size < 1:
        raise UserInputError("The batch size must be at least 1, got {value}.", value=batch_size)
    tap = gradcam.cached_tap_model(
        model, [(gradcam._head_path(model), "input"), ("", "model_output")]
    )
    batch = gradcam.as_batch(model, images)
    features, outputs = [], []
    for start in range(0, len(batch), batch_size):
        feature, output = (
            np.asarray(out, dtype=np.float32)
            for out in tap(batch[start : start + batch_size], training=False)
        )
        features.append(feature.reshape(len(feature), -1))
        outputs.append(output.reshape(len(output), -1))
    return np.concatenate(features, axis=0), np.concatenate(outputs, axis=0)


def sample_indices(labels, max_points: int, *, seed: int = 0) -> np.ndarray:
    """At most ``max_points`` indices of ``labels``, stratified by class, sorted; all of them if few
    enough."""
    labels = np.asarray(labels)
    if len(labels) <= max_points:
        return np.arange(len(labels))
    rng = np.random.default_rng(seed)
    classes, counts = np.unique(labels, return_counts=True)
    quota = np.maximum(1, np.floor(counts * max_points / len(labels))).astype(int)
    picked = [
        rng.choice(np.flatnonzero(labels == c), size=min(q, n), replace=False)
        for c, q, n in zip(classes, quota, counts)
    ]
    chosen = np.concatenate(picked)
    if len(chosen) > max_points:  # many tiny classes each kept one point
        chosen = rng.choice(chosen, size=max_points, replace=False)
    return np.sort(chosen)


def project_2d(features, method: str = "pca", *, seed: int = 0) -> np.ndarray:
    """``features`` ``(N, D)`` projected to 2-D points ``(N, 2)`` with scikit-learn.

    Args:
        features: one row per image, e.g. from ``penultimate_features``.
        method: "pca" (linear, keeps the largest variance, instant) or "tsne" (non-linear, keeps
            neighbours close, takes seconds; at most ``TSNE_MAX_POINTS`` rows: sample first with
            ``sample_indices``).
        seed: random seed, so the same features give the same picture. Defaults to 0.

    Raises:
        UserInputError: an unknown method, too few or too many points for t-SNE.
    """
    if method not in METHODS:
        raise UserInputError(
            "Unknown projection {method!r}. Choose one of: {known}.",
            method=method,
            known=", ".join(METHODS),
        )
    x = np.asarray(features, dtype=np.float32)
    if x.ndim != 2 or len(x) == 0:
        raise UserInputError(
            "Expected features of shape (images, values), got {shape}.",
            shape=tuple(np.shape(features)),
        )
    x = np.nan_to_num(x)
    if method == "pca":
        return _pca(x, 2, seed)
    if len(x) < TSNE_MIN_POINTS:
        raise UserInputError(
            "t-SNE needs at least {minimum} images, got {count}.",
            minimum=TSNE_MIN_POINTS,
            count=len(x),
        )
    if len(x) > TSNE_MAX_POINTS:
        raise UserInputError(
            "t-SNE is limited to {limit} images here (it would take minutes), got {count}. "
            "Take a sample first.",
            limit=f"{TSNE_MAX_POINTS:,}",
            count=f"{len(x):,}",
        )
    from sklearn.manifold import TSNE
    from threadpoolctl import threadpool_limits  # installed with scikit-learn

    # the usual first step: faster, less noise
    reduced = _pca(x, 50, seed) if x.shape[1] > 50 else x
    # must stay below the number of points
    perplexity = float(min(30.0, max(1.0, (len(x) - 1) / 3.0)))
    # 500 iterations (250 of them with early exaggeration) settle the clusters of a few thousand
    # points.
    tsne = TSNE(
        n_components=2,
        perplexity=perplexity,
        init="pca",
        learning_rate="auto",
        max_iter=500,
        random_state=seed,
    )
    # One thread: on a busy CPU (a training process, other sessions) OpenMP threads that wait for
    # each
    # other made t-SNE 5 to 10 times slower in our measurements; one thread was always faster.
    with threadpool_limits(limits=1, user_api="openmp"):
        return tsne.fit_transform(reduced.astype(np.float32)).astype(np.float32)


def _pca(x: np.ndarray, components: int, seed: int) -> np.ndarray:
    from sklearn.decomposition import PCA

    n = min(components, len(x), x.shape[1])
    out = np.zeros((len(x), components), dtype=np.float32)
    if n >= 1 and len(x) >= 2:
        out[:, :n] = PCA(n_components=n, random_state=seed).fit_transform(x)
    return out


def explained_variance(features, *, seed: int = 0) -> tuple[float, float]:
    """The share of the variance the first two principal components keep (for the PCA caption)."""
    from sklearn.decomposition import PCA

    x = np.nan_to_num(np.asarray(features, dtype=np.float32))
    n = min(2, len(x), x.shape[1])
    if len(x) < 2 or n < 1:
        return (0.0, 0.0)
    ratios = PCA(n_components=n, random_state=seed).fit(x).explained_variance_ratio_
    first, second = np.pad(ratios, (0, 2 - n))
    return (float(first), float(second))


def mosaic(tiles, *, columns: int | None = None, gap: int = 1, fill: float = np.nan) -> np.ndarray:
    """Tiles ``(n, h, w)`` or ``(n, h, w, 3)`` laid out in a grid with ``gap`` pixels of ``fill``
    between them.

    Args:
        tiles: the images to lay out, e.g. feature maps moved to the first axis.
        columns: tiles per row. Defaults to about the square root of n (a roughly square grid).
        gap: pixels between tiles. Defaults to 1.
        fill: value of the gaps. Defaults to NaN (a plotly heatmap leaves NaN cells empty).

    Returns:
        float32 array ``(rows * (h + gap) - gap, columns * (w + gap) - gap[, 3])``.
    """
    tiles = np.asarray(tiles, dtype=np.float32)
    if tiles.ndim not in (3, 4) or len(tiles) == 0:
        raise UserInputError(
            "Expected tiles of shape (n, height, width) or (n, height, width, 3), got {shape}.",
            shape=tuple(np.shape(tiles)),
        )
    count, height, width = tiles.shape[:3]
    columns = max(1, min(count, columns or int(np.ceil(np.sqrt(count)))))
    rows = int(np.ceil(count / columns))
    out = np.full(
        (rows * (height + gap) - gap, columns * (width + gap) - gap, *tiles.shape[3:]),
        fill,
        dtype=np.float32,
    )
    for n, tile in enumerate(tiles):
        r, c = divmod(n, columns)
        out[
            r * (height + gap) : r * (height + gap) + height,
            c * (width + gap) : c * (width + gap) + width,
        ] = tile
    return out


def feature_map_tiles(maps, *, limit: int = 64) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The first ``limit`` feature maps of one image as tiles, each scaled to its own range.

    Each map is divided by its largest absolute value, so weak maps stay visible next to strong
    ones; a map that is all zero (a ReLU cut it off) stays zero.

    Args:
        maps: one image's feature maps ``(h, w, channels)`` (``feature_maps(...)``).
        limit: how many maps to keep. Defaults to 64.

    Returns:
        ``(values, scaled, peaks)``: the raw maps ``(n, h, w)``, the same maps in [-1, 1] ``(n, h,
        w)`` and each map's largest absolute value ``(n,)``, with ``n = min(limit, channels)``.
    """
    values = np.moveaxis(np.asarray(maps)[:, :, :limit], -1, 0)
    peaks = np.abs(values).reshape(len(values), -1).max(axis=1)
    scaled = values / np.where(peaks > 0, peaks, 1.0)[:, None, None]
    return values, scaled, peaks


def filter_tiles(filters, *, limit: int = 64) -> np.ndarray:
    """The first ``limit`` filters of ``first_layer_filters(...)`` as tiles.

    Args:
        filters: kernels ``(k, k, in_channels, out_channels)``.
        limit: how many filters to keep. Defaults to 64.

    Returns:
        array ``(n, k, k, in_channels)`` with ``n = min(limit, out_channels)``.
    """
    return np.moveaxis(np.asarray(filters)[..., :limit], -1, 0)
