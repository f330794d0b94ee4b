"""Export the current choices as a standalone Keras 3 training script, to read, run and change.

Example (writes train.py in the current folder)::

    from clfcore.export.codegen import keras_script
    config = TrainConfig(dataset="digits", architecture="mlp", epochs=1, train_size=200)
    source = keras_script(config)
    open("train.py", "w").write(source)  # then: python train.py -> the test accuracy, model.keras

The model is written layer by layer from the same specs ``clfcore.models.architectures.build_model`` uses,
so the script's model has the same layers and parameter count as the app's. The script needs only
numpy, keras and scikit-learn; it loads the data with ``keras.datasets``, scikit-learn's digits, or
``keras.utils.image_dataset_from_directory`` for the user's image folders.
"""

from __future__ import annotations

import inspect
import json

from clfcore.config import OPTIMIZER_SPECS, TrainConfig
from clfcore.data import datasets
from clfcore.data.augment import AugmentConfig
from clfcore.errors import UserInputError
from clfcore.models import architectures, custom_layers
from clfcore.training.trainer import fine_tune_settings

_KERAS_LOADERS = {
    "fashion_mnist": "keras.datasets.fashion_mnist.load_data()",
    "mnist": "keras.datasets.mnist.load_data()",
    "cifar10": "keras.datasets.cifar10.load_data()",
    "cifar100": 'keras.datasets.cifar100.load_data(label_mode="fine")',
    "cifar100_coarse": 'keras.datasets.cifar100.load_data(label_mode="coarse")',
}

_HEADER = '''"""Train {arch_name} on {dataset_name} with Keras 3: written by the clfcore dashboard.

Run it with `python {filename}` (needs numpy, keras with a backend such as tensorflow, and scikit-learn).
It prints the test accuracy and saves the trained model as model.keras.
"""

import os

# TensorFlow's oneDNN kernels: off by default on CPUs without AVX-512, and convolutions train much faster with them.
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "1")  # must come before keras loads TensorFlow

import numpy as np
import keras
from keras import layers
from sklearn.model_selection import train_test_split

# The settings chosen in the app: change them here.
SEED = {seed}  # same seed, same split and same starting weights
EPOCHS = {epochs}  # passes over the training set
BATCH_SIZE = {batch_size}  # images per gradient step
LEARNING_RATE = {learning_rate}
VALIDATION_SPLIT = {validation_split}  # fraction of the training images held out for validation
TRAIN_SIZE = {train_size}  # a stratified subset of N training images for a quick try; None = all
NUM_CLASSES = {num_classes}
INPUT_SHAPE = {input_shape}  # (height, width, channels)
'''

_LOAD_KERAS = '''

def load_data():
    """Training and test images as float32 in [0, 1], shape (N, height, width, channels); integer labels."""
    (x_train, y_train), (x_test, y_test) = {loader}  # downloads once into ~/.keras/datasets
{reshape}    x_train, x_test = x_train.astype("float32") / 255.0, x_test.astype("float32") / 255.0
    return x_train, y_train.reshape(-1), x_test, y_test.reshape(-1)
'''

_LOAD_DIGITS = '''

def load_data():
    """scikit-learn's 8x8 digits (values 0-16) scaled to [0, 1], with a stratified held-out 20 % test split."""
    from sklearn.datasets import load_digits

    digits = load_digits()
    images = (digits.images / 16.0).astype("float32")[..., np.newaxis]  # add the channel axis: (N, 8, 8, 1)
    x_train, x_test, y_train, y_test = train_test_split(
        images, digits.target, test_size=0.2, stratify=digits.target, random_state=0
    )
    return x_train, y_train, x_test, y_test
'''

_LOAD_FOLDER = '''
DATA_DIR = {data_dir!r}  # one sub-folder of images per class
CLASS_NAMES = {class_names!r}


def load_folder(folder):
    """Every image of ``folder``'s class sub-folders, resized to INPUT_SHAPE, as float32 in [0, 1]."""
    dataset = keras.utils.image_dataset_from_directory(
        folder,
        class_names=CLASS_NAMES,
        color_mode="{color_mode}",
        image_size=INPUT_SHAPE[:2],
        batch_size=256,
        shuffle=False,
    )
    batches = list(dataset.as_numpy_iterator())
    return np.concatenate([x for x, _ in batches]) / 255.0, np.concatenate([y for _, y in batches])


def load_data():
    """Training and test images as float32 in [0, 1], shape (N, height, width, channels); integer labels."""
{folder_body}'''

_FOLDER_WITH_TEST = """    x_train, y_train = load_folder(DATA_DIR + "/train")
    x_test, y_test = load_folder(DATA_DIR + "/test")
    return x_train, y_train, x_test, y_test
"""

_FOLDER_HELD_OUT = """    images, labels = load_folder(DATA_DIR)
    # No test folder: hold out a stratified 20 % of the images for the final test.
    x_train, x_test, y_train, y_test = train_test_split(images, labels, test_size=0.2, stratify=labels, random_state=0)
    return x_train, y_train, x_test, y_test
"""

_MAIN = '''

def split_data(x_train, y_train):
    """The optional stratified subset, then the stratified validation split (both seeded)."""
    if TRAIN_SIZE is not None and TRAIN_SIZE < len(y_train):
        x_train, _, y_train, _ = train_test_split(
            x_train, y_train, train_size=TRAIN_SIZE, stratify=y_train, random_state=SEED
        )
    return train_test_split(x_train, y_train, test_size=VALIDATION_SPLIT, stratify=y_train, random_state=SEED)


def build_model():
    """{arch_name}: the same layers and parameters as in the app."""
    return keras.Sequential(
        [
            keras.Input(shape=INPUT_SHAPE),
{layers}
        ],
        name="{arch_id}",
    )


def main():
    keras.utils.set_random_seed(SEED)  # Python, NumPy and backend random numbers
    x_train, y_train, x_test, y_test = load_data()
    x_train, x_val, y_train, y_val = split_data(x_train, y_train)
{labels}
    model = build_model()
    model.summary()
    model.compile(
        optimizer=keras.optimizers.{optimizer}(learning_rate=LEARNING_RATE{momentum}),
        loss="{loss}",
        metrics=["accuracy"],
    )
{not_reproduced}{fit}

    test_loss, test_accuracy = model.evaluate(x_test, y_test, verbose=0)
    print(f"Test accuracy: {{test_accuracy:.4f}} (loss {{test_loss:.4f}})")
    model.save("model.keras")
    print("Saved the trained model to model.keras")


if __name__ == "__main__":
    main()
'''


def _python(value) -> str:
    """``value`` as Python source, with double-quoted strings."""
    return json.dumps(value) if isinstance(value, str) else repr(value)


def layer_lines(
    specs: list[dict], input_shape: tuple[int, ...], *, indent: str = " " * 12
) -> list[str]:
    """One ``layers.X(...)`` line per spec, each with the output shape as a comment."""
    lines, shape = [], tuple(input_shape)
    for spec in specs:
        class_name, args, kwargs = custom_layers.keras_call(spec)
        arguments = [_python(a) for a in args] + [
            f"{key}={_python(value)}" for key, value in kwargs.items()
        ]
        shape = custom_layers.output_shape(spec, shape)
        # a pretrained backbone, frozen (see frozen() in the script)
        if class_name.startswith("applications."):
            lines.append(
                f"{indent}frozen(keras.{class_name}({', '.join(arguments)})),  # -> {shape}"
            )
        else:
            lines.append(f"{indent}layers.{class_name}({', '.join(arguments)}),  # -> {shape}")
    return lines


def _data_source(info: datasets.DatasetInfo) -> str:
    if info.id in _KERAS_LOADERS:
        reshape = (
            "    x_train, x_test = x_train[..., np.newaxis], x_test[..., np.newaxis]  # "
            "add the channel axis\n"
        )
        return _LOAD_KERAS.format(
            loader=_KERAS_LOADERS[info.id], reshape=reshape if info.channels == 1 else ""
        )
    if info.id == "digits":
        return _LOAD_DIGITS
    return _LOAD_FOLDER.format(
        data_dir=info.source,
        class_names=list(info.class_names),
        color_mode="grayscale" if info.channels == 1 else "rgb",
        folder_body=_FOLDER_WITH_TEST if info.has_own_test_split else _FOLDER_HELD_OUT,
    )


def _not_reproduced(config: TrainConfig) -> str:
    missing = [
        name
        for name, used in (
            ("early stopping", config.early_stopping),
            ("learning-rate schedule", config.lr_schedule != "none"),
            ("TensorBoard logs", config.tensorboard),
            ("the fine-tuning stage", fine_tune_settings(config)[0] > 0),
        )
        if used
    ]
    return (
        f"    # Also set in the app, not reproduced here: {', '.join(missing)}.\n"
        if missing
        else ""
    )


def keras_script(config: TrainConfig) -> str:
    """A complete standalone Python script that trains ``config``'s architecture on its dataset.

    Args:
        config: the run settings; its dataset, architecture and options, epochs, batch size,
            optimizer, learning rate (and momentum for SGD), validation split, train_size, one_hot
            and seed are written into the script.

    Returns:
        The script's source code. Running it prints the test accuracy and writes model.keras.

    Raises:
        UserInputError: unknown dataset or architecture, options that cannot build, or a
            multilabel dataset (its labels cannot be read from class folders).
    """
    info = datasets.get_dataset(config.dataset)
    arch = architectures.get_architecture(config.architecture)
    # plain ints: NumPy 2 would print np.int64(28)
    input_shape = tuple(int(v) for v in info.image_shape)
    if info.task in ("multilabel", "hierarchical"):
        raise UserInputError(
            "The exported script supports binary and multiclass datasets, not {task} ones.",
            task=info.task,
        )
    if ":" in config.dataset:  # a binary task derived on the Dataset page (clfcore.data.tasks)
        raise UserInputError(
            "The exported script loads whole datasets; it cannot cut the binary task {name} "
            "out of one yet. Choose all classes on the Dataset page to export a script.",
            name=info.name,
        )

    augmentation = AugmentConfig.from_dict(config.augmentation) if config.augmentation else None
    augmentation = augmentation if augmentation is not None and augmentation.active else None
    _, _, loss = architectures.output_layer_and_loss(
        info.task, info.num_classes, one_hot=config.one_hot
    )
    specs = architectures.model_spec(
        arch.id, input_shape, info.num_classes, task=info.task, options=config.arch_options
    )
    # size check
    architectures.describe(
        arch.id, input_shape, info.num_classes, task=info.task, options=config.arch_options
    )

    if loss == "categorical_crossentropy":
        labels = (
            "    # One-hot labels for categorical cross-entropy: 3 -> [0, 0, 0, 1, 0, ...]\n"
            + "".join(
                f"    {y} = keras.utils.to_categorical({y}, NUM_CLASSES)\n"
                for y in ("y_train", "y_val", "y_test")
            )
        )
    else:
        labels = f"    # Integer labels, as {loss} expects.\n"
    header = _HEADER.format(
        arch_name=arch.name,
        dataset_name=info.name,
        filename=f"train_{arch.id}_{info.id}.py",
        seed=config.seed,
        epochs=config.epochs,
        batch_size=config.batch_size,
        learning_rate=config.learning_rate,
        validation_split=config.validation_split,
        train_size=config.train_size,
        num_classes=info.num_classes,
        input_shape=input_shape,
    )
    optimizer = OPTIMIZER_SPECS[config.optimizer]
    if optimizer.uses_momentum:
        header += f"MOMENTUM = {config.momentum}\n"
    main = _MAIN.format(
        arch_name=arch.name,
        arch_id=arch.id,
        layers="\n".join(layer_lines(specs, input_shape)),
        labels=labels,
        optimizer=optimizer.keras_class,
        momentum=", momentum=MOMENTUM" if optimizer.uses_momentum else "",
        loss=loss,
        not_reproduced=_not_reproduced(config),
        fit=_FIT_AUGMENTED if augmentation else _FIT,
    )
    if any(spec["type"] == "backbone" for spec in specs):
        main = _FROZEN_BACKBONE + main
    if augmentation:
        header = header.replace(
            "import numpy as np\n", "import math\n\nimport numpy as np\n"
        ).replace(
            "import keras\n",
            "import keras\nimport tensorflow as tf  # the tf.data input pipeline and the "
            "augmentation's image operations\n",
        )
        header += _augmentation_settings(augmentation)
        return header + _data_source(info) + _augmentation_source() + main
    return header + _data_source(info) + main


_FROZEN_BACKBONE = '''

def frozen(backbone):
    """A pretrained backbone (ImageNet weights, downloaded once) whose weights stay fixed while the new top learns."""
    backbone.trainable = False
    return backbone
'''
_FIT = (
    "    model.fit(x_train, y_train, epochs=EPOCHS, batch_size=BATCH_SIZE, validation_data=(x_val, "
    "y_val))"
)
_FIT_AUGMENTED = """    augmentation = Augmentation(**AUGMENTATION)
    train_ds = training_dataset(x_train, y_train, batch_size=BATCH_SIZE, seed=SEED, augmentation=augmentation)
    # train_ds shuffles itself (shuffle=False only silences Keras); the validation images are never augmented
    model.fit(train_ds, epochs=EPOCHS, validation_data=(x_val, y_val), shuffle=False)"""


def _augmentation_settings(config) -> str:
    lines = "".join(
        f"    {_python(name)}: {_python(value)},\n" for name, value in config.to_dict().items()
    )
    return (
        "# Data augmentation of the training images (the Augment page): the names of the "
        "course's ImageDataGenerator.\n"
        f"AUGMENTATION = {{\n{lines}}}\n"
    )


def _augmentation_source() -> str:
    """The app's own augmentation layer and tf.data pipeline, copied verbatim: the script trains
    exactly like the app."""

    # here, not at the top: both import Keras, and writing a script must not load TensorFlow
    from clfcore.data import augment_layer
    from clfcore.training import pipeline

    return (
        "\n\n"
        + inspect.getsource(augment_layer.Augmentation)
        + "\n\n"
        + inspect.getsource(pipeline.training_dataset)
    )
