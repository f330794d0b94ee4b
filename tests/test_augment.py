"""Augmentation settings (defaults, checks, warnings, config.json) and the Keras layer they
become."""

import io
import json

import numpy as np
import pytest
from PIL import Image

from clfcore.config import TrainConfig
from clfcore.data import augment, datasets
from clfcore.data.augment import COURSE_DEFAULTS, AugmentConfig
from clfcore.errors import UserInputError
from clfcore.runs.folder import create_run

DIGITS = tuple(str(d) for d in range(10))
CIFAR10 = datasets.CIFAR10_CLASSES
OFF = AugmentConfig.off()


def _images(n=8, shape=(12, 16, 3), seed=0) -> np.ndarray:
    return np.random.default_rng(seed).random((n, *shape), dtype=np.float32)


def _apply(config: AugmentConfig, images: np.ndarray, seed=(1, 2)) -> np.ndarray:
    return np.asarray(
        augment.build_augmentation(config)(
            images, training=True, seed=np.array(seed, dtype="int64")
        )
    )


# --- settings


def test_defaults_are_the_course_settings():
    # seed 002: rotation_range=10, width/height_shift_range=0.1, zoom_range=0.2,
    # horizontal_flip=True, vertical_flip=False, shear 0
    c = COURSE_DEFAULTS
    assert (
        c.rotation_range,
        c.width_shift_range,
        c.height_shift_range,
        c.zoom_range,
        c.shear_range,
    ) == (10, 0.1, 0.1, 0.2, 0)
    assert c.horizontal_flip and not c.vertical_flip and c.fill_mode == "nearest"
    assert not any((c.brightness, c.contrast, c.noise, c.blur, c.erasing, c.crop_padding))
    assert c.active and c.geometric
    assert not OFF.active and not OFF.geometric


def test_to_dict_and_from_dict_round_trip_through_json():
    config = AugmentConfig(
        rotation_range=25, vertical_flip=True, fill_mode="reflect", noise=0.05, crop_padding=4
    )
    data = json.loads(json.dumps(config.to_dict()))
    assert AugmentConfig.from_dict(data) == config
    assert (
        data["rotation_range"] == 25.0
        and data["crop_padding"] == 4
        and data["vertical_flip"] is True
    )
    assert AugmentConfig.from_dict({}) == COURSE_DEFAULTS
    # JSON may turn ints into floats
    assert AugmentConfig.from_dict({"crop_padding": 2.0}).crop_padding == 2
    assert hash(config) == hash(AugmentConfig.from_dict(data))  # frozen: usable as a cache key


def test_the_run_config_json_records_every_setting(isolated_roots):
    settings = augment.settings_for_run(AugmentConfig(shear_range=5))
    run = create_run(TrainConfig(dataset="digits", augmentation=settings))
    saved = json.loads((run.path / "config.json").read_text())["augmentation"]
    assert (
        saved == AugmentConfig(shear_range=5).to_dict()
        and saved["shear_range"] == 5.0
        and saved["rotation_range"] == 10.0
    )
    assert AugmentConfig.from_dict(run.config().augmentation) == AugmentConfig(shear_range=5)
    assert augment.settings_for_run(COURSE_DEFAULTS, enabled=False) == {}
    assert augment.settings_for_run(OFF) == {}  # everything off is no augmentation


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"rotation_range": 181}, "rotation_range must be between 0 and 180, got 181"),
        ({"rotation_range": -5}, "rotation_range must be between 0 and 180, got -5"),
        ({"width_shift_range": 0.6}, "width_shift_range must be between 0 and 0.5, got 0.6"),
        ({"zoom_range": 1.0}, "zoom_range must be between 0 and 0.9"),
        ({"noise": 2}, "noise must be between 0 and 0.5"),
        ({"erasing_size": 0}, "erasing_size must be between 0.05 and 0.8"),
        ({"crop_padding": 40}, "crop_padding must be between 0 and 16"),
        ({"crop_padding": 2.5}, "crop_padding is a whole number of pixels"),
        ({"rotation_range": "10"}, "must be a number between 0 and 180, got '10'"),
        ({"rotation_range": float("nan")}, "must be a number between 0 and 180"),
        ({"horizontal_flip": "yes"}, "horizontal_flip must be true or false"),
        (
            {"fill_mode": "mirror"},
            "Unknown fill_mode 'mirror'. Choose one of: nearest, constant, reflect, wrap",
        ),
        ({"rotation": 10}, "Unknown augmentation setting rotation. Known settings: rotation_range"),
    ],
)
def test_bad_settings_are_refused_with_the_allowed_range(settings, message):
    with pytest.raises(UserInputError, match=message.replace("(", r"\(").replace(")", r"\)")):
        AugmentConfig.from_dict(settings)


def test_train_config_refuses_bad_augmentation_before_training():
    with pytest.raises(UserInputError, match="rotation_range must be between 0 and 180"):
        TrainConfig(dataset="digits", augmentation={"rotation_range": 500})
    assert (
        TrainConfig(dataset="digits", augmentation=COURSE_DEFAULTS.to_dict()).augmentation[
            "zoom_range"
        ]
        == 0.2
    )


# --- words


def _templates(messages):
    return " | ".join(m.template.format(**m.params) for m in messages)


def test_flips_and_half_turns_warn_on_digits_6_vs_9():
    text = _templates(augment.warnings(OFF.replace(vertical_flip=True), class_names=DIGITS))
    assert "upside-down 6 looks like a 9" in text
    assert "Horizontal flips change digits" in _templates(
        augment.warnings(COURSE_DEFAULTS, class_names=DIGITS)
    )
    # legal: a warning, no error
    half_turn = augment.warnings(OFF.replace(rotation_range=180), class_names=DIGITS)
    assert "Rotations of 180° change digits: a 6 turned 180° is a 9" in _templates(half_turn)


def test_the_course_settings_on_cifar10_need_no_warning():
    assert augment.warnings(COURSE_DEFAULTS, class_names=CIFAR10, image_shape=(32, 32, 3)) == []
    assert (
        not augment.is_digits(CIFAR10)
        and augment.is_digits(DIGITS)
        and not augment.is_digits(("10", "20"))
    )


def test_extreme_but_legal_values_warn():
    extreme = AugmentConfig(
        rotation_range=180,
        width_shift_range=0.4,
        zoom_range=0.8,
        noise=0.4,
        vertical_flip=True,
        erasing=0.5,
        erasing_size=0.7,
    )
    text = _templates(augment.warnings(extreme, class_names=CIFAR10, image_shape=(32, 32, 3)))
    for expected in (
        "Rotations of up to 180° show objects sideways",
        "Shifts of up to 40%",
        "Zooming in or out by up to 80%",
        "standard deviation of 0.4",
        "Vertical flips show the images upside down",
        "Erased rectangles of up to 70%",
    ):
        assert expected in text
    assert text.count("Shifts of up to") == 1  # width and height shifts share one sentence
    small = _templates(
        augment.warnings(OFF.replace(crop_padding=4, blur=1.0), image_shape=(8, 8, 1))
    )
    assert "Padding 4 pixels on 8-pixel images" in small and "Try 1 pixels or fewer" in small
    assert "A blur of up to 1 pixels" in small


def test_summary_names_the_active_transforms():
    text = _templates(augment.summary(COURSE_DEFAULTS))
    assert text == "rotation ±10° | shift ±10% × ±10% | zoom ±20% | horizontal flip"
    assert augment.summary(OFF) == []
    everything = _templates(
        augment.summary(
            AugmentConfig(
                shear_range=5,
                vertical_flip=True,
                brightness=0.1,
                contrast=0.2,
                noise=0.03,
                blur=0.5,
                erasing=0.5,
                crop_padding=4,
            )
        )
    )
    for part in (
        "shear ±5°",
        "vertical flip",
        "brightness ±10%",
        "contrast ±20%",
        "noise σ 0.03",
        "blur up to σ 0.5 px",
        "erasing 50% (up to 30% of a side)",
        "random crop after 4 px padding",
    ):
        assert part in everything


def test_keras_call_names_what_is_on():
    assert augment.keras_call(COURSE_DEFAULTS) == (
        "Augmentation(rotation_range=10.0, width_shift_range=0.1, height_shift_range=0.1, "
        "zoom_range=0.2, horizontal_flip=True)"
    )
    assert augment.keras_call(OFF) == "Augmentation()"
    assert (
        augment.keras_call(OFF.replace(noise=0.1, vertical_flip=True), one_per_line=True)
        == "Augmentation(\n    vertical_flip=True,\n    noise=0.1,\n)"
    )


# --- the layer


def test_inactive_at_inference_and_when_everything_is_off():
    images = _images()
    layer = augment.build_augmentation(AugmentConfig(rotation_range=30, noise=0.2, erasing=1.0))
    np.testing.assert_array_equal(np.asarray(layer(images, training=False)), images)
    np.testing.assert_array_equal(_apply(OFF, images), images)


def test_horizontal_flip_mirrors_about_half_of_the_images_exactly():
    images = _images(64)
    out = _apply(OFF.replace(horizontal_flip=True), images)
    mirrored = [np.allclose(o, i[:, ::-1], atol=1e-6) for o, i in zip(out, images)]
    unchanged = [np.allclose(o, i, atol=1e-6) for o, i in zip(out, images)]
    assert all(m != u for m, u in zip(mirrored, unchanged))  # every image is one or the other
    assert 16 < sum(mirrored) < 48


def test_vertical_flip_mirrors_top_to_bottom():
    images = _images(32)
    out = _apply(OFF.replace(vertical_flip=True), images)
    assert all(
        np.allclose(o, i, atol=1e-6) or np.allclose(o, i[::-1], atol=1e-6)
        for o, i in zip(out, images)
    )
    assert any(np.allclose(o, i[::-1], atol=1e-6) for o, i in zip(out, images))


def test_same_seed_same_images_other_seed_other_images():
    images = _images()
    config = AugmentConfig(
        shear_range=10,
        brightness=0.2,
        contrast=0.3,
        noise=0.05,
        blur=1.0,
        erasing=0.5,
        crop_padding=2,
    )
    first = _apply(config, images, seed=(5, 0))
    np.testing.assert_array_equal(first, _apply(config, images, seed=(5, 0)))
    assert not np.allclose(first, _apply(config, images, seed=(6, 0)))


@pytest.mark.parametrize("shape", [(8, 8, 1), (28, 28, 1), (32, 32, 3), (12, 20, 3)])
def test_every_transform_keeps_the_shape_and_the_0_1_range(shape):
    config = AugmentConfig(
        rotation_range=180,
        shear_range=30,
        vertical_flip=True,
        fill_mode="reflect",
        brightness=0.5,
        contrast=0.5,
        noise=0.3,
        blur=2.0,
        erasing=1.0,
        erasing_size=0.5,
        crop_padding=2,
    )
    out = _apply(config, _images(6, shape))
    assert out.shape == (6, *shape) and out.dtype == np.float32
    assert out.min() >= 0.0 and out.max() <= 1.0 and np.isfinite(out).all()


def test_rotation_keeps_the_centre_and_moves_the_rest():
    images = np.zeros((4, 9, 9, 1), dtype=np.float32)
    images[:, 4, :] = 1.0  # a horizontal bar through the centre
    out = _apply(OFF.replace(rotation_range=45, fill_mode="constant"), images)
    assert np.allclose(out[:, 4, 4], 1.0, atol=1e-5)  # the centre pixel stays
    assert not np.allclose(out, images)


def test_crop_padding_shifts_by_whole_pixels():
    images = np.ones((16, 10, 10, 1), dtype=np.float32)
    out = _apply(OFF.replace(crop_padding=3), images)
    # no interpolation: every pixel is an original or the black border
    assert set(np.unique(out)) <= {
        0.0,
        1.0,
    }
    assert (out == 0).any() and (out.reshape(16, -1).min(axis=1) == 1).sum() < 16


def test_erasing_fills_a_rectangle_with_the_image_mean():
    images = _images(8, (16, 16, 1))
    out = _apply(OFF.replace(erasing=1.0, erasing_size=0.5), images)
    for original, erased in zip(images, out):
        changed = ~np.isclose(original, erased)
        assert changed.any()
        rows, cols = np.nonzero(changed[..., 0])
        assert np.allclose(erased[changed], original.mean(), atol=1e-5)
        assert rows.max() - rows.min() < 8 and cols.max() - cols.min() < 8  # at most half the side
    np.testing.assert_array_equal(_apply(OFF.replace(erasing=0.0001), images, seed=(3, 3)), images)


def test_brightness_contrast_and_noise_change_pixels_not_geometry():
    images = np.full((8, 6, 6, 1), 0.5, dtype=np.float32)
    brighter = _apply(OFF.replace(brightness=0.3), images)
    assert np.allclose(brighter, brighter[:, :1, :1])  # the whole image moves by one amount
    assert np.abs(brighter - 0.5).max() <= 0.3 + 1e-6
    noisy = _apply(OFF.replace(noise=0.1), images)
    assert 0.05 < np.std(noisy - 0.5) < 0.15


def test_the_layer_serialises_with_its_settings():
    import keras

    layer = augment.build_augmentation(AugmentConfig(noise=0.1), seed=3)
    clone = keras.layers.deserialize(keras.layers.serialize(layer))
    assert clone.settings == layer.settings and clone.seed == 3
    model = keras.Sequential(
        [keras.Input((8, 8, 1)), layer, keras.layers.Flatten(), keras.layers.Dense(2)]
    )
    assert model.predict(np.zeros((1, 8, 8, 1)), verbose=0).shape == (1, 2)


# --- preview


def test_preview_is_the_training_layer_with_the_seed():
    images = (_images(3, (8, 8, 1)) * 255).astype(np.uint8)
    out = augment.preview(images, COURSE_DEFAULTS, copies=5, seed=7)
    assert out.shape == (3, 5, 8, 8, 1) and out.dtype == np.uint8
    expected = _apply(
        COURSE_DEFAULTS, np.repeat(images.astype("float32") / 255, 5, axis=0), seed=(7, 0)
    )
    np.testing.assert_array_equal(
        out.reshape(15, 8, 8, 1), np.rint(expected * 255).astype(np.uint8)
    )
    np.testing.assert_array_equal(out, augment.preview(images, COURSE_DEFAULTS, copies=5, seed=7))
    assert not np.array_equal(out, augment.preview(images, COURSE_DEFAULTS, copies=5, seed=8))
    with pytest.raises(UserInputError, match=r"shape \(N, height, width, channels\)"):
        augment.preview(images[0], COURSE_DEFAULTS)


def test_preview_grid_puts_the_original_first():
    originals = np.zeros((2, 4, 4, 1), dtype=np.uint8)
    augmented = np.full((2, 3, 4, 4, 1), 100, dtype=np.uint8)
    grid = augment.preview_grid(originals, augmented, upscale=2, gap=1, separator=5)
    assert grid.shape == (2 * 8 + 1, 8 + 5 + 3 * 8 + 2, 1)
    assert (
        (grid[:8, :8] == 0).all()
        and (grid[:8, 8:13] == 255).all()
        and (grid[:8, 13:21] == 100).all()
    )


def _png(mode: str, size=(20, 10), colour=128) -> bytes:
    buffer = io.BytesIO()
    Image.new(mode, size, colour).save(buffer, format="PNG")
    return buffer.getvalue()


def test_an_uploaded_image_is_converted_to_the_dataset_shape():
    grey = augment.image_from_upload(_png("RGB", colour=(200, 100, 50)), (8, 8, 1))
    assert grey.shape == (8, 8, 1) and grey.dtype == np.uint8
    colour = augment.image_from_upload(_png("L"), (32, 16, 3))
    assert colour.shape == (32, 16, 3) and (colour == 128).all()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "The uploaded file is empty"),
        (b"name,age\nada,36\n", "not an image that can be read"),
        (_png("L")[:40], "not an image that can be read"),
    ],
)
def test_a_file_that_is_not_an_image_gets_a_clear_message(data, message):
    with pytest.raises(UserInputError, match=message) as raised:
        augment.image_from_upload(data, (28, 28, 1))
    assert "Upload a PNG, JPEG" in str(raised.value)


# --- command line


def test_the_train_command_takes_augmentation_settings(isolated_roots, monkeypatch, capsys):
    from pathlib import Path

    from clfcore import cli
    from clfcore.cli import train_commands
    from clfcore.runs.folder import RunFolder
    from clfcore.training import trainer

    monkeypatch.setattr(
        train_commands, "_epoch_printer", lambda: None
    )  # only the run's config matters here
    monkeypatch.setattr(
        trainer,
        "run_in_this_process",
        lambda run, callbacks: {"test_accuracy": 1.0, "epochs_run": 1, "train_seconds": 0.0},
    )

    def saved(*options):
        assert cli.main(["train", "--dataset", "digits", *options]) == 0
        return (
            RunFolder(Path(json.loads(capsys.readouterr().out.strip().splitlines()[-1])["run_dir"]))
            .config()
            .augmentation
        )

    assert saved() == {}
    assert saved("--augmentation", "course") == COURSE_DEFAULTS.to_dict()
    assert (
        saved("--augmentation", '{"horizontal_flip": false, "rotation_range": 15}')
        == COURSE_DEFAULTS.replace(horizontal_flip=False, rotation_range=15).to_dict()
    )
    assert cli.main(["train", "--dataset", "digits", "--augmentation", "rotation=15"]) == 2
    assert "--augmentation takes 'course' or JSON settings" in capsys.readouterr().err
    assert (
        cli.main(["train", "--dataset", "digits", "--augmentation", '{"rotation_range": 400}']) == 2
    )
    assert "rotation_range must be between 0 and 180, got 400" in capsys.readouterr().err
