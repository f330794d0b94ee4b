"""The exported Keras script runs on its own and builds exactly the app's model."""

import subprocess
import sys

import pytest
from PIL import Image

from clfcore.config import OPTIMIZER_SPECS, OPTIMIZERS, TrainConfig
from clfcore.data import datasets
from clfcore.errors import UserInputError
from clfcore.export.codegen import keras_script
from clfcore.models import architectures


def _script_namespace(source: str) -> dict:
    """The script's functions and constants, without running main() (which trains)."""
    namespace = {"__name__": "exported_script"}
    exec(compile(source, "exported_script.py", "exec"), namespace)
    return namespace


def test_the_digits_mlp_script_runs_to_completion(tmp_path):
    source = keras_script(
        TrainConfig(dataset="digits", architecture="mlp", epochs=1, train_size=200)
    )
    (tmp_path / "train.py").write_text(source, encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "train.py"], cwd=tmp_path, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "Test accuracy:" in result.stdout
    assert (tmp_path / "model.keras").is_file()


@pytest.mark.parametrize("arch_id", [a.id for a in architectures.list_architectures()])
def test_the_script_builds_the_same_model_as_the_app(arch_id):
    # no download
    options = (
        {"weights": "random", "image_size": 32} if arch_id in architectures.TRANSFER_IDS else None
    )
    config = TrainConfig.for_architecture(arch_id, dataset="digits", arch_options=options)
    model = _script_namespace(keras_script(config))["build_model"]()
    app_model = architectures.build_model(arch_id, (8, 8, 1), 10, options=options)
    assert model.count_params() == app_model.count_params()
    # a backbone is frozen in both
    assert len(model.trainable_weights) == len(app_model.trainable_weights)
    assert [type(layer).__name__ for layer in model.layers] == [
        type(layer).__name__ for layer in app_model.layers[1:]
    ]


def test_the_course_cnn_script_on_digits_compiles_and_keeps_its_settings():
    config = TrainConfig(
        dataset="digits",
        architecture="course_cifar_cnn",
        epochs=3,
        batch_size=64,
        optimizer="sgd",
        learning_rate=0.01,
        momentum=0.8,
        one_hot=False,
        seed=7,
        train_size=500,
    )
    source = keras_script(config)
    compile(source, "train.py", "exec")
    namespace = _script_namespace(source)
    assert (
        namespace["EPOCHS"],
        namespace["BATCH_SIZE"],
        namespace["LEARNING_RATE"],
        namespace["MOMENTUM"],
    ) == (3, 64, 0.01, 0.8)
    assert (namespace["SEED"], namespace["TRAIN_SIZE"], namespace["INPUT_SHAPE"]) == (
        7,
        500,
        (8, 8, 1),
    )
    assert (
        namespace["build_model"]().count_params()
        == architectures.build_model("course_cifar_cnn", (8, 8, 1), 10).count_params()
    )
    assert 'loss="sparse_categorical_crossentropy"' in source and "to_categorical" not in source
    assert "keras.optimizers.SGD(learning_rate=LEARNING_RATE, momentum=MOMENTUM)" in source
    assert "layers.Resizing(32, 32" in source


def test_custom_options_reach_the_script():
    stack = [{"type": "conv2d", "filters": 4}, {"type": "avgpool"}, {"type": "dense", "units": 12}]
    source = keras_script(
        TrainConfig(dataset="digits", architecture="custom", arch_options={"layers": stack})
    )
    model = _script_namespace(source)["build_model"]()
    assert (
        model.count_params()
        == architectures.describe("custom", (8, 8, 1), 10, options={"layers": stack})[
            "total_params"
        ]
    )


@pytest.mark.parametrize(
    ("dataset", "loader"),
    [
        ("fashion_mnist", "keras.datasets.fashion_mnist.load_data()"),
        ("mnist", "keras.datasets.mnist.load_data()"),
        ("cifar10", "keras.datasets.cifar10.load_data()"),
        ("cifar100", 'keras.datasets.cifar100.load_data(label_mode="fine")'),
        ("cifar100_coarse", 'keras.datasets.cifar100.load_data(label_mode="coarse")'),
    ],
)
def test_builtin_datasets_load_through_keras_datasets(dataset, loader):
    source = keras_script(TrainConfig.for_architecture("recommended", dataset=dataset))
    compile(source, "train.py", "exec")
    assert loader in source
    assert ("np.newaxis" in source) == (datasets.get_dataset(dataset).channels == 1)
    for outdated in ("tf.keras", "ImageDataGenerator", "lr=", "fit_generator"):
        assert outdated not in source
    assert f"NUM_CLASSES = {datasets.get_dataset(dataset).num_classes}" in source
    assert 'model.save("model.keras")' in source and "keras.utils.set_random_seed(SEED)" in source


def test_a_user_image_folder_loads_with_image_dataset_from_directory(isolated_roots):
    root = isolated_roots["data"] / "shapes"
    for index, name in enumerate(("circle", "square")):
        (root / name).mkdir(parents=True)
        for i in range(6):
            Image.new("L", (12, 10), 40 * index + i).save(root / name / f"{i}.png")
    source = keras_script(TrainConfig(dataset="shapes", architecture="lenet"))
    assert "keras.utils.image_dataset_from_directory" in source
    namespace = _script_namespace(source)
    x_train, _y_train, x_test, y_test = namespace["load_data"]()
    assert x_train.shape[1:] == (10, 12, 1) and len(x_train) + len(x_test) == 12
    assert x_train.min() >= 0.0 and x_train.max() <= 1.0
    assert sorted(set(y_test.tolist())) == [0, 1]
    assert (
        namespace["build_model"]().count_params()
        == architectures.build_model("lenet", (10, 12, 1), 2).count_params()
    )


def test_settings_the_script_leaves_out_are_named():
    source = keras_script(TrainConfig(dataset="digits", early_stopping=True, lr_schedule="cosine"))
    assert "not reproduced here: early stopping, learning-rate schedule." in source
    with pytest.raises(UserInputError, match="Unknown architecture"):
        keras_script(TrainConfig(dataset="digits", architecture="vgg16"))


def test_the_script_reproduces_the_augmentation_layer_and_pipeline(tmp_path):
    import numpy as np

    from clfcore.data import augment
    from clfcore.data.augment import AugmentConfig
    from clfcore.training import pipeline

    chosen = AugmentConfig(
        horizontal_flip=False, shear_range=8, noise=0.05, erasing=0.5, crop_padding=1
    )
    source = keras_script(
        TrainConfig(
            dataset="digits",
            architecture="mlp",
            epochs=1,
            train_size=200,
            augmentation=chosen.to_dict(),
        )
    )
    assert "not reproduced here" not in source and "ImageDataGenerator(" not in source
    assert (
        "training_dataset(x_train, y_train, batch_size=BATCH_SIZE, seed=SEED, "
        "augmentation=augmentation)" in source
    )
    namespace = _script_namespace(source)
    assert AugmentConfig.from_dict(namespace["AUGMENTATION"]) == chosen
    # the script's layer and pipeline give exactly the app's pixels for the same seeds
    x = np.random.default_rng(0).random((20, 8, 8, 1), dtype=np.float32)
    y = np.arange(20)
    script_batches = list(
        namespace["training_dataset"](
            x,
            y,
            batch_size=8,
            seed=3,
            augmentation=namespace["Augmentation"](**namespace["AUGMENTATION"]),
        )
    )
    app_batches = list(
        pipeline.training_dataset(
            x, y, batch_size=8, seed=3, augmentation=augment.build_augmentation(chosen)
        )
    )
    for (xs, ys), (xa, ya) in zip(script_batches, app_batches):
        np.testing.assert_array_equal(ys, ya)
        np.testing.assert_allclose(xs, xa, atol=1e-6)
    # and it runs on its own
    (tmp_path / "train.py").write_text(source, encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "train.py"], cwd=tmp_path, capture_output=True, text=True, timeout=180
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "Test accuracy:" in result.stdout and (tmp_path / "model.keras").is_file()


def test_without_augmentation_the_script_has_no_pipeline():
    source = keras_script(TrainConfig(dataset="digits", architecture="mlp", augmentation={}))
    assert "class Augmentation" not in source and "import tensorflow" not in source
    assert (
        "model.fit(x_train, y_train, epochs=EPOCHS, batch_size=BATCH_SIZE, validation_data=(x_val, "
        "y_val))" in source
    )


@pytest.mark.parametrize("name", OPTIMIZERS)
def test_the_script_prints_the_optimizer_the_trainer_builds(name):
    spec = OPTIMIZER_SPECS[name]
    source = keras_script(TrainConfig(dataset="digits", architecture="mlp", optimizer=name))
    momentum = ", momentum=MOMENTUM" if spec.uses_momentum else ""
    assert f"keras.optimizers.{spec.keras_class}(learning_rate=LEARNING_RATE{momentum})" in source
    assert ("MOMENTUM = 0.9" in source) == spec.uses_momentum
