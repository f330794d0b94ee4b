"""Grad-CAM: which parts of an image made a convolutional network choose a class.

Example (``images``: float32 test images of shape (N, 28, 28, 1))::

    from clfcore.inference import gradcam
    from clfcore.models import architectures
    model = architectures.build_model("lenet", (28, 28, 1), 10)
    gradcam.conv_layer_names(model)
    # ['conv2d', 'conv2d_1']  (Keras numbers the names: a second model gets conv2d_2, ...)
    heat = gradcam.gradcam(model, images)            # (N, 28, 28) floats in [0, 1]
    picture = gradcam.overlay(images[0], heat[0])    # (28, 28, 3) uint8 RGB

Grad-CAM (Selvaraju et al., 2017) weighs each feature map of a convolution layer by the mean
gradient of the class score with respect to it, sums the weighted maps and keeps the positive part:
the regions whose activation raises the class score. It runs on a separate *gradient model* made of
the trained model's own layers, so the model the app shares between pages is never edited (tutorials
often set the last layer's activation to None, which would silently change every other page's
predictions). The class score is the logit (the output layer's input times its weights, before
softmax or sigmoid), as in the paper, because a saturated softmax has vanishing gradients.

Layers of a nested model (a transfer-learning backbone inside the model) are named
``"backbone/layer"``; Keras layer names never contain "/".
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Sequence

import numpy as np

from clfcore.errors import UserInputError
from clfcore.i18n import N_

SEPARATOR = "/"  # between a nested model's name and its layer's name
# layers with spatial feature maps to explain
_CONV_CLASSES = (
    "Conv2D",
    "SeparableConv2D",
    "DepthwiseConv2D",
)
COMPILE_FROM = (
    16  # images per call from which Grad-CAM runs as a compiled tf.function (see _gradcam_steps)
)

NO_CONV_MESSAGE = N_(
    "This model has no convolution layer, so Grad-CAM cannot show where it looks: Grad-CAM "
    "needs the feature maps of a convolution. Train a convolutional architecture (LeNet, "
    "a course CNN or the recommended CNN) to use it."
)

_cache: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # model -> {key: gradient model}
_cache_lock = threading.Lock()  # Streamlit runs every browser session in its own thread


# --- Layers ---------------------------------------------------------------------------------------


def _is_container(layer) -> bool:
    """A nested model (Functional or Sequential) whose layers can be tapped."""
    import keras

    return isinstance(layer, keras.Model) and hasattr(layer, "layers")


def _is_conv(layer) -> bool:
    import keras

    return isinstance(layer, tuple(getattr(keras.layers, name) for name in _CONV_CLASSES))


def conv_layer_names(model) -> list[str]:
    """The convolution layers of ``model`` in order, from the input to the output.

    Layers of nested models come as ``"inner_model/layer_name"``. Empty for a model without
    convolutions, such as the MLP.
    """
    names: list[str] = []

    def walk(container, prefix: str) -> None:
        for layer in container.layers:
            if _is_container(layer):
                walk(layer, prefix + layer.name + SEPARATOR)
            elif _is_conv(layer):
                names.append(prefix + layer.name)

    walk(model, "")
    return names


def get_layer(model, path: str):
    """The layer at ``path`` ("name" or "inner_model/name"). Raises KeyError if there is none."""
    container = model
    *outer, last = path.split(SEPARATOR)
    try:
        for name in outer:
            container = container.get_layer(name)
            if not _is_container(container):
                raise KeyError(path)
        return container.get_layer(last)
    except ValueError:  # Keras: "No such layer"
        raise KeyError(path) from None


def check_conv_layer(model, layer_name: str | None) -> str:
    """``layer_name`` checked against the model's convolution layers; None -> the last one.

    Raises:
        UserInputError: the model has no convolution layer, or none of that name.
    """
    names = conv_layer_names(model)
    if not names:
        raise UserInputError(NO_CONV_MESSAGE)
    if layer_name is None:
        return names[-1]
    if layer_name not in names:
        raise UserInputError(
            "The model has no convolution layer named {name!r}. Choose one of: {known}.",
            name=layer_name,
            known=", ".join(names),
        )
    return layer_name


# --- Tapping a model without editing it -----------------------------------------------------------


def tap_model(model, taps: Sequence[tuple[str, str]]):
    """A new ``keras.Model`` on ``model``'s inputs whose outputs are the tapped tensors, in order.

    Args:
        model: a Functional (or built Sequential) Keras model; it is not modified and shares its
            weights.
        taps: ``(layer path, "output" | "input")`` pairs, e.g. ``[("conv2d_1", "output")]``; nested
            layers as ``"backbone/conv"``.

    Plain layers are read from the model's graph. Layers inside a nested model are reached by
    tracing the outer graph again with the same layer objects (``clone_model`` reusing the layers),
    where the nested model is replaced by a model that also returns the tapped tensors.
    """
    import keras

    nested: dict[str, list[tuple[int, str, str]]] = {}
    for index, (path, side) in enumerate(taps):
        head, _, rest = path.partition(SEPARATOR)
        if rest:
            nested.setdefault(head, []).append((index, rest, side))
    if not nested:
        outputs = [_node_tensor(model, path, side) for path, side in taps]
        return keras.Model(_inputs(model), outputs)

    direct: dict[str, list[tuple[int, str]]] = {
        path: [] for path, side in taps if SEPARATOR not in path and side != "model_output"
    }
    for index, (path, side) in enumerate(taps):
        if path in direct:
            direct[path].append((index, side))
    captured: dict[int, object] = {}

    def call(layer, *args, **kwargs):
        if layer.name in nested:
            inner_taps = nested[layer.name]
            inner = tap_model(
                layer, [(rest, side) for _, rest, side in inner_taps] + [("", "model_output")]
            )
            outs = inner(*args, **kwargs)
            for (index, _, _), tensor in zip(inner_taps, outs):
                captured[index] = tensor
            result = outs[len(inner_taps) :]
            return result[0] if len(result) == 1 else result
        out = layer(*args, **kwargs)
        for index, side in direct.get(layer.name, []):
            captured[index] = (
                (args[0] if args else next(iter(kwargs.values()))) if side == "input" else out
            )
        return out

    traced = keras.models.clone_model(model, clone_function=lambda layer: layer, call_function=call)
    for index, (_, side) in enumerate(taps):
        if side == "model_output":
            captured[index] = traced.outputs[0] if len(traced.outputs) == 1 else traced.outputs
    missing = [taps[i][0] for i in range(len(taps)) if i not in captured]
    if missing:
        raise KeyError(", ".join(missing))
    return keras.Model(_inputs(traced), [captured[i] for i in range(len(taps))])


def _inputs(model):
    # One input as a tensor, not a one-element list, so the tap model is called with a plain array.
    return model.inputs[0] if len(model.inputs) == 1 else model.inputs


def _node_tensor(model, path: str, side: str):
    """A tensor of ``model``'s graph: the input or output of its layer ``path``, or
    (``"model_output"``) the model's own output. A layer's tensors are those of its first call,
    which is the model's own graph for models built by clfcore.models.architectures or loaded from a
    .keras file."""
    if side == "model_output":
        return model.outputs[0] if len(model.outputs) == 1 else model.outputs
    layer = model.get_layer(path)
    return layer.input if side == "input" else layer.output


def _is_output_activation(layer) -> bool:
    """A separate softmax/sigmoid layer after the last Dense, as in ``Activation("softmax",
    dtype="float32")`` (Keras's advice for mixed precision)."""
    import keras

    if isinstance(layer, keras.layers.Softmax):
        return True
    return isinstance(layer, keras.layers.Activation) and getattr(
        layer.activation, "__name__", ""
    ) in ("softmax", "sigmoid")


def _classifier_path(model) -> tuple[str, bool]:
    """The path of the layer that computes the class scores (the last Dense, looking inside a nested
    model that ends the model), and whether a separate softmax/sigmoid layer follows it."""
    container, prefix = model, ""
    while True:
        layers = container.layers
        index = len(layers) - 1
        separate = _is_output_activation(layers[index]) and index > 0
        if separate:
            index -= 1
        layer = layers[index]
        if _is_container(layer) and not separate:
            container, prefix = layer, prefix + layer.name + SEPARATOR
            continue
        return prefix + layer.name, separate


def output_layer(model):
    """The layer that computes the class scores: the model's last Dense layer, before any separate
    softmax."""
    return get_layer(model, _classifier_path(model)[0])


def _head_path(model) -> str:
    """The path of the output layer, whose input is the penultimate features."""
    return _classifier_path(model)[0]


def _logit_head(model):
    """``(tap, to_logits)``: what to tap for the class scores and how to turn it into logits.

    A Dense output layer with softmax or sigmoid: tap its input and apply its weights without the
    activation. A Dense layer followed by a separate softmax/sigmoid layer: tap the Dense output.
    Anything else: tap the model's output and use it as the score.
    """
    import keras

    path, separate = _classifier_path(model)
    layer = get_layer(model, path)
    activation = getattr(getattr(layer, "activation", None), "__name__", "")
    if separate and activation == "linear":
        return (path, "output"), lambda x: x
    if (
        isinstance(layer, keras.layers.Dense)
        and activation in ("softmax", "sigmoid")
        and not separate
    ):
        kernel, bias = layer.kernel, layer.bias

        def to_logits(x):
            z = keras.ops.matmul(x, keras.ops.cast(kernel, x.dtype))
            return z + keras.ops.cast(bias, x.dtype) if bias is not None else z

        return (path, "input"), to_logits
    return ("", "model_output"), lambda x: x


def cached_tap_model(model, taps: Sequence[tuple[str, str]]):
    """``tap_model(model, taps)``, built once per model and taps (the cache forgets deleted
    models)."""
    key = tuple((str(path), str(side)) for path, side in taps)
    with _cache_lock:
        per_model = _cache.setdefault(model, {})
        if key not in per_model:
            per_model[key] = tap_model(model, key)
        return per_model[key]


def _gradient_model(model, layer_name: str):
    """The cached gradient model ``image -> (conv maps, output layer input or output)`` and
    ``to_logits``."""
    head_tap, to_logits = _logit_head(model)
    return cached_tap_model(model, [(layer_name, "output"), head_tap]), to_logits


# --- Grad-CAM -------------------------------------------------------------------------------------


def as_batch(model, images) -> np.ndarray:
    """``images`` as a float32 batch ``(N, H, W, C)`` that fits ``model``'s input.

    Accepts a batch, one image ``(H, W, C)``, or grayscale without the channel axis.

    Raises:
        UserInputError: the images do not have the size or channels the model expects.
    """
    expected = tuple(model.inputs[0].shape[1:])
    array = np.asarray(images, dtype=np.float32)
    if array.ndim == len(expected) - 1 and expected[-1] == 1:  # one grayscale image (H, W)
        array = array[None, ..., None]
    elif array.ndim == len(expected):  # one image (H, W, C), or a grayscale batch (N, H, W)
        array = array[None] if array.shape[-1] == expected[-1] else array[..., None]
    fits = array.ndim == len(expected) + 1 and all(
        e is None or e == a for e, a in zip(expected, array.shape[1:])
    )
    if not fits or array.shape[0] == 0:
        raise UserInputError(
            "The model expects images of shape {expected}, got {received}. Use images from "
            "the dataset the model was trained on.",
            expected=tuple("any" if e is None else e for e in expected),
            received=tuple(np.shape(images)),
        )
    return array


def _class_indices(class_indices, count: int) -> np.ndarray | None:
    if class_indices is None:
        return None
    indices = np.atleast_1d(np.asarray(class_indices))
    if indices.ndim != 1 or not np.issubdtype(indices.dtype, np.integer):
        raise UserInputError(
            "Class indices must be whole numbers, got {value!r}.", value=class_indices
        )
    if len(indices) == 1:
        return np.repeat(indices, count)
    if len(indices) != count:
        raise UserInputError(
            "Give one class index per image: {count} images, {given} class indices.",
            count=count,
            given=len(indices),
        )
    return indices


def gradcam(model, images, class_indices=None, *, layer_name: str | None = None) -> np.ndarray:
    """Grad-CAM heatmaps of ``images`` for ``class_indices``, at the images' size.

    Args:
        model: a trained Keras model with at least one convolution layer; it is not modified.
        images: float32 in [0, 1], ``(N, H, W, C)`` (or one image ``(H, W, C)``).
        class_indices: the class to explain per image (one int for all, or one per image).
            Defaults to None: the class the model predicts. For a single sigmoid output, class 1 is
            the positive class and class 0 explains the score of "not class 1".
        layer_name: a name from ``conv_layer_names(model)``. Defaults to the last convolution layer,
            whose maps have the most meaning and still some spatial detail.

    Returns:
        float32 array of shape (N, H, W) in [0, 1]; 1 is where the evidence for the class is
        strongest. An image with no positive evidence gets all zeros.

    Raises:
        UserInputError: no convolution layer, an unknown layer, images of the wrong shape or a class
            index out of range.
    """
    import tensorflow as tf

    layer_name = check_conv_layer(model, layer_name)
    batch = as_batch(model, images)
    count = batch.shape[0]
    indices = _class_indices(class_indices, count)
    _grad_model, _to_logits = _gradient_model(model, layer_name)

    outputs = _num_outputs(model)
    top = 2 if outputs == 1 else outputs
    if indices is not None and (np.any(indices < 0) or np.any(indices >= top)):
        raise UserInputError(
            "Class index {value} is out of range: the model has {count} classes (0 to {last}).",
            value=int(indices[(indices < 0) | (indices >= top)][0]),
            count=top,
            last=top - 1,
        )
    requested = np.full(count, -1, np.int32) if indices is None else indices.astype(np.int32)
    eager, compiled = _gradcam_steps(model, layer_name)
    step = compiled if count >= COMPILE_FROM else eager
    cam = step(tf.convert_to_tensor(batch), tf.convert_to_tensor(requested))
    cam = tf.image.resize(cam[..., None], batch.shape[1:3], method="bilinear")[..., 0].numpy()
    peak = cam.reshape(count, -1).max(axis=1)
    cam = np.where(peak[:, None, None] > 1e-12, cam / np.maximum(peak, 1e-12)[:, None, None], 0.0)
    return np.clip(cam, 0.0, 1.0).astype(np.float32)


def _num_outputs(model) -> int:
    return int(np.prod([d for d in model.outputs[0].shape[1:] if d is not None]))


def _gradcam_steps(model, layer_name: str):
    """The cached Grad-CAM of one layer, ``(images, class indices or -1 = predicted) -> (N, h, w)``,
    as ``(eager, compiled)``: the same function run as is and through ``tf.function``.

    Measured on 2 busy CPU cores: compiled, one image takes about 20 ms instead of 50-280 ms
    eagerly, but its first call traces the graph for 1-3 s. One image at a time (what the pages do)
    is quicker eagerly; batches of ``COMPILE_FROM`` images or more repay the tracing.
    """
    import tensorflow as tf

    key = (("gradcam-step", layer_name),)
    with _cache_lock:
        steps = _cache.setdefault(model, {}).get(key)
    if steps is not None:
        return steps
    grad_model, to_logits = _gradient_model(model, layer_name)
    single = _num_outputs(model) == 1

    def step(images, requested):
        with tf.GradientTape() as tape:
            conv_out, head = grad_model(images, training=False)
            conv_out = tf.cast(conv_out, tf.float32)
            tape.watch(conv_out)
            logits = tf.cast(tf.reshape(to_logits(head), (tf.shape(images)[0], -1)), tf.float32)
            if single:  # sigmoid: the logit speaks for class 1, its negative for class 0
                chosen = tf.where(requested < 0, tf.cast(logits[:, 0] > 0, tf.int32), requested)
                scores = logits[:, 0] * tf.where(chosen == 1, 1.0, -1.0)
            else:
                chosen = tf.where(
                    requested < 0, tf.argmax(logits, axis=-1, output_type=tf.int32), requested
                )
                scores = tf.gather(logits, chosen, axis=1, batch_dims=1)
            # images are independent, so one gradient serves the batch
            total = tf.reduce_sum(scores)
        grads = tape.gradient(total, conv_out)
        # (N, 1, 1, channels): importance of each map
        weights = tf.reduce_mean(grads, axis=(1, 2), keepdims=True)
        return tf.nn.relu(tf.reduce_sum(conv_out * weights, axis=-1))  # (N, h, w)

    with _cache_lock:
        return _cache.setdefault(model, {}).setdefault(
            key, (step, tf.function(step, reduce_retracing=True))
        )


# --- Drawing --------------------------------------------------------------------------------------


def jet(values: np.ndarray) -> np.ndarray:
    """The jet colormap (blue -> cyan -> yellow -> red) of values in [0, 1]: float RGB ``(..., 3)``.

    The same piecewise-linear ramps as matplotlib's "jet", without needing matplotlib.
    """
    x = np.clip(np.asarray(values, dtype=np.float32), 0.0, 1.0)[..., None]
    centres = np.array([0.75, 0.5, 0.25], dtype=np.float32)  # red, green, blue peaks
    return np.clip(1.5 - np.abs(4.0 * x - 4.0 * centres), 0.0, 1.0)


def _as_rgb(image) -> np.ndarray:
    array = np.asarray(image)
    if array.dtype == np.uint8:
        array = array.astype(np.float32) / 255.0
    array = np.asarray(array, dtype=np.float32)
    if array.ndim == 3 and array.shape[-1] == 1:
        array = array[..., 0]
    if array.ndim == 2:
        array = np.repeat(array[..., None], 3, axis=-1)
    if array.ndim != 3 or array.shape[-1] != 3:
        raise UserInputError(
            "Expected an image of shape (H, W), (H, W, 1) or (H, W, 3), got {shape}.",
            shape=tuple(np.shape(image)),
        )
    return np.clip(array, 0.0, 1.0)


def _resized(heatmap: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    if heatmap.shape == size:
        return heatmap
    from PIL import Image

    return np.asarray(
        Image.fromarray(heatmap.astype(np.float32), mode="F").resize(
            (size[1], size[0]), Image.Resampling.BILINEAR
        )
    )


def overlay(image, heatmap, *, alpha: float = 0.45) -> np.ndarray:
    """The heatmap in jet colours blended over the image: uint8 RGB ``(H, W, 3)``.

    Args:
        image: float in [0, 1] (or uint8), grayscale ``(H, W)`` / ``(H, W, 1)`` or RGB ``(H, W,
            3)``.
        heatmap: ``(h, w)`` values in [0, 1], e.g. one map from ``gradcam``; resized to the image if
            needed.
        alpha: weight of the heatmap colours, 0 (image only) to 1 (heatmap only). Defaults to 0.45.
    """
    if not 0.0 <= alpha <= 1.0:
        raise UserInputError(
            "The overlay opacity must be between 0 and 1, got {value}.", value=alpha
        )
    rgb = _as_rgb(image)
    heat = np.asarray(heatmap, dtype=np.float32)
    if heat.ndim == 3 and heat.shape[-1] == 1:
        heat = heat[..., 0]
    if heat.ndim != 2:
        raise UserInputError(
            "Expected a heatmap of shape (H, W), got {shape}.", shape=tuple(np.shape(heatmap))
        )
    colours = jet(_resized(heat, rgb.shape[:2]))
    blended = (1.0 - alpha) * rgb + alpha * colours
    return np.round(np.clip(blended, 0.0, 1.0) * 255.0).astype(np.uint8)
