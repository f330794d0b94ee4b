"""Where a backbone's ImageNet weights come from: the Keras cache, the data root, or a download."""

import numpy as np
import pytest

from clfcore.errors import UserInputError
from clfcore.models import architectures, backbones


def test_weights_file_names_are_the_ones_keras_downloads():
    assert (
        backbones.weights_file_name("mobilenetv2", 96)
        == "mobilenet_v2_weights_tf_dim_ordering_tf_kernels_1.0_96_no_top.h5"
    )
    assert (
        backbones.weights_file_name("mobilenetv2", 64)
        == "mobilenet_v2_weights_tf_dim_ordering_tf_kernels_1.0_224_no_top.h5"
    )
    assert (
        backbones.weights_file_name("resnet50", 32)
        == "resnet50_weights_tf_dim_ordering_tf_kernels_notop.h5"
    )
    assert backbones.weights_file_name("efficientnetb0", 224) == "efficientnetb0_notop.h5"
    assert backbones.weights_url("resnet50", 96).endswith(
        "/resnet/resnet50_weights_tf_dim_ordering_tf_kernels_notop.h5"
    )
    with pytest.raises(UserInputError, match="mobilenetv2, resnet50, efficientnetb0"):
        backbones.get_backbone("vgg16")


def test_weights_are_found_in_the_keras_cache_then_the_data_root(isolated_roots):
    assert backbones.find_weights("resnet50", 96) is None
    local = isolated_roots["data"] / "weights" / backbones.weights_file_name("resnet50", 96)
    local.parent.mkdir()
    local.write_bytes(b"x")
    assert backbones.find_weights("resnet50", 96) == local
    cached = isolated_roots["keras"] / "models" / local.name
    cached.parent.mkdir()
    cached.write_bytes(b"x")
    assert backbones.find_weights("resnet50", 96) == cached


def test_offline_download_says_how_to_get_the_file_by_hand(isolated_roots, monkeypatch):
    import keras

    def offline(*args, **kwargs):
        raise OSError("Temporary failure in name resolution")

    monkeypatch.setattr(keras.utils, "get_file", offline)
    with pytest.raises(UserInputError) as caught:
        backbones.download_weights("mobilenetv2", 96)
    message = str(caught.value)
    assert (
        "name resolution" in message
        and "mobilenet_v2_weights_tf_dim_ordering_tf_kernels_1.0_96_no_top.h5" in message
    )
    assert str(isolated_roots["data"] / "weights") in message and "random weights" in message
    assert "Tiene" not in caught.value.message("es") and "pesos" in caught.value.message("es")


def test_a_local_weights_file_is_loaded_into_the_backbone(isolated_roots):
    # A stand-in for the real ImageNet file: random weights saved in the legacy .h5 format Keras
    # downloads.
    import h5py
    import keras
    from keras.src.legacy.saving import legacy_h5_format

    source = keras.applications.MobileNetV2(
        include_top=False, weights=None, input_shape=(32, 32, 3)
    )
    path = isolated_roots["data"] / "weights" / backbones.weights_file_name("mobilenetv2", 32)
    path.parent.mkdir()
    with h5py.File(path, "w") as handle:
        legacy_h5_format.save_weights_to_hdf5_group(handle, source)
    model = architectures.build_model("mobilenetv2", (28, 28, 1), 10, options={"image_size": 32})
    for mine, theirs in zip(
        model.get_layer("mobilenetv2").get_weights(), source.get_weights(), strict=True
    ):
        np.testing.assert_array_equal(mine, theirs)
