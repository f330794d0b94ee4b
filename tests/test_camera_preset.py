"""The camera preset (architectures.camera_preset): transfer learning when the ImageNet weights are
on this machine, else a small CNN from random weights that still learns a few camera classes."""

import numpy as np
from PIL import Image, ImageDraw

from clfcore.config import TrainConfig
from clfcore.data import recording
from clfcore.models import architectures, backbones


def camera_shot(kind: int, rng) -> Image.Image:
    """A 'webcam' picture: a noisy, unevenly lit room with one object whose shape and colour
    depend on the class, somewhere in the frame."""
    base = rng.integers(60, 140, size=(120, 160, 3), dtype=np.uint8)
    picture = Image.fromarray(base)
    draw = ImageDraw.Draw(picture)
    x, y = int(rng.integers(35, 95)), int(rng.integers(30, 60))
    colour = [(230, 40, 40), (40, 90, 230), (240, 230, 60)][kind]
    if kind == 0:
        draw.ellipse((x, y, x + 45, y + 45), fill=colour)
    elif kind == 1:
        draw.rectangle((x, y, x + 40, y + 40), fill=colour)
    else:
        draw.polygon([(x, y + 45), (x + 22, y), (x + 45, y + 45)], fill=colour)
    return picture


def test_without_weights_on_this_machine_it_is_a_small_cnn_that_learns(isolated_roots):
    from clfcore.runs.folder import create_run  # the trainer imports Keras: only here
    from clfcore.training import trainer

    assert backbones.find_weights("mobilenetv2", 96) is None  # the test's empty Keras cache
    preset = architectures.camera_preset()
    assert (preset.architecture, preset.pretrained) == ("recommended", False)
    rng = np.random.default_rng(0)
    draft = recording.Draft(isolated_roots["data"])
    for kind, name in enumerate(("ball", "box", "tent")):
        draft.add_class(name)
        for _ in range(20):
            draft.add_shot(name, camera_shot(kind, rng))
    draft.save_as_dataset("objects")
    config = TrainConfig.for_architecture(
        preset.architecture,
        dataset="objects",
        arch_options=preset.options,
        seed=1,
        **preset.settings,
    )
    summary = trainer.train(create_run(config, root=isolated_roots["runs"]))
    assert summary["epochs_run"] == preset.settings["epochs"]
    # 12 test pictures of 3 classes: chance is a third
    assert summary["test_accuracy"] >= 0.75, summary


def test_with_the_weights_on_this_machine_it_is_transfer_learning_at_96(isolated_roots):
    weights = backbones.keras_models_cache() / backbones.weights_file_name("mobilenetv2", 96)
    weights.parent.mkdir(parents=True)
    weights.write_bytes(b"stand-in: only its presence is read here")
    preset = architectures.camera_preset()
    assert (preset.architecture, preset.pretrained) == ("mobilenetv2", True)
    assert preset.options["weights"] == "imagenet" and preset.options["image_size"] == 96
    assert preset.settings["epochs"] <= 5
    config = TrainConfig.for_architecture(
        preset.architecture, arch_options=preset.options, **preset.settings
    )
    assert config.epochs == preset.settings["epochs"]
    # the shots are already the backbone's size: nothing resizes them
    layers = architectures.describe(preset.architecture, (96, 96, 3), 3, options=preset.options)[
        "layers"
    ]
    assert "Resizing" not in [row["type"] for row in layers]
    assert layers[-1]["output_shape"] == (None, 3)
