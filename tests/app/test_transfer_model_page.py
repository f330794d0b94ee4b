"""The Model page with a transfer-learning backbone: its options, the weights' status, frozen
parameters."""

import pytest


def _choose(at, **options):
    at.session_state["chosen_model"] = {
        "architecture": "mobilenetv2",
        "optimizer": "adam",
        "learning_rate": 0.001,
        "batch_size": 32,
        "epochs": 5,
        "one_hot": True,
        "momentum": 0.9,
        "arch_options": {
            "image_size": 96,
            "weights": "imagenet",
            "dense_units": 0,
            "dropout": 0.2,
            "fine_tune_layers": 0,
            "fine_tune_epochs": 3,
            "fine_tune_lr_factor": 0.1,
            **options,
        },
    }


@pytest.mark.parametrize("lang", ["en", "es"])
def test_missing_weights_say_where_to_put_the_file(isolated_roots, lang, open_page, all_text):
    at = open_page("model", lang)
    _choose(at)
    at.run()
    assert not at.exception
    text = all_text(at)
    assert "mobilenet_v2_weights_tf_dim_ordering_tf_kernels_1.0_96_no_top.h5" in text
    assert str(isolated_roots["data"] / "weights") in text
    frozen = next(m.value for m in at.metric if m.label in ("Non-trainable", "No entrenables"))
    # the frozen backbone and the grey-to-RGB copy
    assert frozen == ("2.257.987" if lang == "es" else "2,257,987")


def test_random_weights_warn_and_found_weights_are_named(isolated_roots, open_page):
    at = open_page("model", "en")
    _choose(at, weights="random")
    at.run()
    assert any("not transfer learning" in w.value for w in at.warning)
    local = (
        isolated_roots["data"]
        / "weights"
        / "mobilenet_v2_weights_tf_dim_ordering_tf_kernels_1.0_96_no_top.h5"
    )
    local.parent.mkdir()
    local.write_bytes(b"x")
    at = open_page("model", "en")
    _choose(at)
    at.run()
    assert any("ImageNet weights found" in s.value for s in at.success)
    assert not at.exception
