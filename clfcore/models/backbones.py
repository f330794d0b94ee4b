"""Pretrained backbones for transfer learning (course notes on CNNs): where their ImageNet weights
are.

``keras.applications`` downloads a backbone's ImageNet weights once into ``$KERAS_HOME/models``
(``~/.keras/models``). Offline, the same file can be put in the data root's ``weights/`` folder.
This module finds the file (without importing Keras), downloads it when asked, and says exactly
what to do when neither works:

    >>> from clfcore.models import backbones
    >>> backbones.weights_file_name("mobilenetv2", 96)
    'mobilenet_v2_weights_tf_dim_ordering_tf_kernels_1.0_96_no_top.h5'

and where it is on this machine, if anywhere::

    backbones.find_weights("resnet50", 96)     # None until downloaded or copied
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from clfcore.errors import UserInputError
from clfcore.paths import data_root


@dataclass(frozen=True)
class Backbone:
    """A ``keras.applications`` model used without its top, and what it expects as input."""

    id: str
    name: str  # as Keras spells it
    keras_class: str  # attribute of keras.applications
    params: int  # parameters without the top (independent of the image size)
    non_trainable_params: (
        int  # batch-normalisation moving statistics (and EfficientNet's fixed normalisation)
    )
    channels: int  # feature maps out of the last block
    layers: int  # layers in the Keras model (for "unfreeze the top N layers")
    # "tf" ([-1, 1]), "caffe" (BGR minus the ImageNet mean), "raw" ([0, 255], the model normalises)
    preprocessing: str
    base_url: str


BACKBONES: dict[str, Backbone] = {
    "mobilenetv2": Backbone(
        "mobilenetv2",
        "MobileNetV2",
        "MobileNetV2",
        2_257_984,
        34_112,
        1280,
        154,
        "tf",
        "https://storage.googleapis.com/tensorflow/keras-applications/mobilenet_v2/",
    ),
    "resnet50": Backbone(
        "resnet50",
        "ResNet50",
        "ResNet50",
        23_587_712,
        53_120,
        2048,
        175,
        "caffe",
        "https://storage.googleapis.com/tensorflow/keras-applications/resnet/",
    ),
    "efficientnetb0": Backbone(
        "efficientnetb0",
        "EfficientNetB0",
        "EfficientNetB0",
        4_049_571,
        42_023,
        1280,
        237,
        "raw",
        "https://storage.googleapis.com/keras-applications/",
    ),
}
# the input sizes MobileNetV2's ImageNet weights exist for
MOBILENET_WEIGHT_SIZES = (
    96,
    128,
    160,
    192,
    224,
)
IMAGENET_BGR_MEAN = (103.939, 116.779, 123.68)  # what "caffe" preprocessing subtracts (ResNet50)


def get_backbone(backbone_id: str) -> Backbone:
    try:
        return BACKBONES[backbone_id]
    except KeyError:
        raise UserInputError(
            "There is no backbone {backbone!r}. Choose one of: {choices}.",
            backbone=backbone_id,
            choices=", ".join(BACKBONES),
        ) from None


def weights_file_name(backbone_id: str, image_size: int) -> str:
    """The file name Keras downloads the ImageNet weights (without the top) into."""
    if backbone_id == "mobilenetv2":
        # Keras falls back to the 224 weights
        rows = image_size if image_size in MOBILENET_WEIGHT_SIZES else 224
        return f"mobilenet_v2_weights_tf_dim_ordering_tf_kernels_1.0_{rows}_no_top.h5"
    if backbone_id == "resnet50":
        return "resnet50_weights_tf_dim_ordering_tf_kernels_notop.h5"
    get_backbone(backbone_id)
    return f"{backbone_id}_notop.h5"


def keras_models_cache() -> Path:
    """Where ``keras.applications`` keeps downloaded weights (``$KERAS_HOME/models``)."""
    return Path(os.environ.get("KERAS_HOME") or Path.home() / ".keras") / "models"


def local_weights_folder() -> Path:
    """The data root's folder for weights files copied by hand (for machines without internet)."""
    return data_root() / "weights"


def find_weights(backbone_id: str, image_size: int) -> Path | None:
    """The ImageNet weights file on this machine (Keras cache, then the data root), or None."""
    name = weights_file_name(backbone_id, image_size)
    for folder in (keras_models_cache(), local_weights_folder()):
        if (folder / name).is_file() and (folder / name).stat().st_size > 0:
            return folder / name
    return None


def weights_url(backbone_id: str, image_size: int) -> str:
    return get_backbone(backbone_id).base_url + weights_file_name(backbone_id, image_size)


def missing_weights_error(
    backbone_id: str, image_size: int, reason: str | None = None
) -> UserInputError:
    """What to do when the ImageNet weights are neither on this machine nor downloadable."""
    backbone = get_backbone(backbone_id)
    params = dict(
        backbone=backbone.name,
        id=backbone_id,
        file=weights_file_name(backbone_id, image_size),
        url=weights_url(backbone_id, image_size),
        folder=str(local_weights_folder()),
    )
    if reason:
        return UserInputError(
            "Could not download the ImageNet weights of {backbone}: {reason}. Check the "
            "internet connection and try again, or copy {file} (from {url}) into {folder}. "
            "You can also start from random weights, but then it is not transfer learning.",
            reason=reason,
            **params,
        )
    return UserInputError(
        "The ImageNet weights of {backbone} are not on this machine. Connect to the internet "
        "and press 'Download weights' (or run: python -m clfcore download-weights {id}), "
        "or copy {file} (from {url}) into {folder}. You can also start from random weights, "
        "but then it is not transfer learning.",
        **params,
    )


def download_weights(backbone_id: str, image_size: int) -> Path:
    """Download the ImageNet weights into the Keras cache (needs the internet once); returns the
    file.

    Raises:
        UserInputError: offline, or the download failed; the message says how to get the file by
            hand.
    """
    found = find_weights(backbone_id, image_size)
    if found is not None:
        return found
    from keras.utils import get_file

    try:
        path = get_file(
            weights_file_name(backbone_id, image_size),
            weights_url(backbone_id, image_size),
            cache_subdir="models",
        )
    except Exception as exc:  # any network failure means the same thing to the user
        raise missing_weights_error(
            backbone_id, image_size, f"{type(exc).__name__}: {exc}".strip()[:200]
        ) from exc
    return Path(path)
