"""Hierarchical classification (seed 000): every image has a coarse class and, inside it, a fine class.

    >>> from clfcore import hierarchy
    >>> hierarchy.FASHION_COARSE
    ('tops', 'bottoms', 'footwear', 'bags')
    >>> [hierarchy.FASHION_COARSE[c] for c in hierarchy.FASHION_FINE_TO_COARSE][:3]
    ['tops', 'bottoms', 'tops']

Two built-in datasets: ``cifar100_hierarchy`` (CIFAR-100's 20 superclasses over its 100 classes,
both read from the same files) and ``fashion_mnist_hierarchy`` (Fashion-MNIST's 10 classes in
four groups, below). Their labels are stored as (N, 2) arrays ``[coarse, fine]``.

The model has one shared body (the chosen architecture's layers) and two softmax heads, named
"coarse" and "fine", trained together on the weighted sum of their two cross-entropies. It is
evaluated at both levels; "coarse right but fine wrong" counts the images put in the right group
but the wrong class, the mistakes a hierarchy makes less costly.

The Fashion-MNIST grouping: **tops** = T-shirt/top, Pullover, Coat, Shirt and Dress (a dress is
worn on the upper body too, and the four tops are the classes it is most often confused with);
**bottoms** = Trouser; **footwear** = Sandal, Sneaker, Ankle boot; **bags** = Bag.
"""

from __future__ import annotations

import io
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from clfcore.errors import DatasetError, UserInputError
from clfcore.i18n import N_

FASHION_COARSE = (N_("tops"), N_("bottoms"), N_("footwear"), N_("bags"))
# Fashion-MNIST classes in their order: T-shirt/top, Trouser, Pullover, Dress, Coat, Sandal, Shirt, Sneaker, Bag, Ankle boot
FASHION_FINE_TO_COARSE = (0, 1, 0, 0, 0, 2, 0, 2, 3, 2)

CIFAR100_GROUPS = {  # the superclasses of the CIFAR-100 paper, each with its 5 classes
    "aquatic_mammals": "beaver dolphin otter seal whale",
    "fish": "aquarium_fish flatfish ray shark trout",
    "flowers": "orchid poppy rose sunflower tulip",
    "food_containers": "bottle bowl can cup plate",
    "fruit_and_vegetables": "apple mushroom orange pear sweet_pepper",
    "household_electrical_devices": "clock keyboard lamp telephone television",
    "household_furniture": "bed chair couch table wardrobe",
    "insects": "bee beetle butterfly caterpillar cockroach",
    "large_carnivores": "bear leopard lion tiger wolf",
    "large_man-made_outdoor_things": "bridge castle house road skyscraper",
    "large_natural_outdoor_scenes": "cloud forest mountain plain sea",
    "large_omnivores_and_herbivores": "camel cattle chimpanzee elephant kangaroo",
    "medium_mammals": "fox porcupine possum raccoon skunk",
    "non-insect_invertebrates": "crab lobster snail spider worm",
    "people": "baby boy girl man woman",
    "reptiles": "crocodile dinosaur lizard snake turtle",
    "small_mammals": "hamster mouse rabbit shrew squirrel",
    "trees": "maple_tree oak_tree palm_tree pine_tree willow_tree",
    "vehicles_1": "bicycle bus motorcycle pickup_truck train",
    "vehicles_2": "lawn_mower rocket streetcar tank tractor",
}

PREDICTIONS_FILE = "predictions_levels.npz"
LEVELS = ("coarse", "fine")


def fine_to_coarse(fine_names: tuple[str, ...], coarse_names: tuple[str, ...], groups: dict[str, str]) -> tuple[int, ...]:
    """The coarse class index of every fine class, from ``{coarse name: "fine names separated by spaces"}``."""
    parent = {fine: coarse_names.index(coarse) for coarse, members in groups.items() for fine in members.split()}
    return tuple(parent[name] for name in fine_names)


def coarse_labels(fine: np.ndarray, mapping: tuple[int, ...]) -> np.ndarray:
    """Coarse class of each fine label."""
    return np.asarray(mapping, dtype=np.int64)[np.asarray(fine, dtype=np.int64)]


def members(mapping: tuple[int, ...], coarse: int) -> list[int]:
    """The fine classes inside coarse class ``coarse``."""
    return [fine for fine, parent in enumerate(mapping) if parent == coarse]


# --- Reading the two built-in hierarchies ----------------------------------------------------------


def read_fashion_hierarchy(location: Path):
    """Fashion-MNIST with labels ``[group, class]`` (the grouping above)."""
    from clfcore import sources

    raw = sources.read_idx_folder(location)

    def levels(fine: np.ndarray) -> np.ndarray:
        return np.stack([coarse_labels(fine, FASHION_FINE_TO_COARSE), fine], axis=1)

    return sources.RawData(raw.x_train, levels(raw.y_train), raw.x_test, levels(raw.y_test))


def read_cifar100_hierarchy(folder: Path, mapping: tuple[int, ...]):
    """CIFAR-100 with labels ``[coarse, fine]``, both read from the same files and checked against each other."""
    from clfcore import sources

    fine, coarse = sources.read_cifar100(folder, "fine"), sources.read_cifar100(folder, "coarse")
    for split, f, c in (("train", fine.y_train, coarse.y_train), ("test", fine.y_test, coarse.y_test)):
        if len(f) != len(c) or np.any(coarse_labels(f, mapping) != c):
            raise DatasetError(
                "The {split} file in {folder} has coarse labels that do not match its fine labels. Delete the folder and download CIFAR-100 again.",
                split=split, folder=str(folder),
            )
    return sources.RawData(fine.x_train, np.stack([coarse.y_train, fine.y_train], axis=1), fine.x_test, np.stack([coarse.y_test, fine.y_test], axis=1))


# --- The two-head model ------------------------------------------------------------------------------


def head_specs(coarse_classes: int, fine_classes: int) -> list[dict]:
    """The two output layers, both on the shared body's features: coarse softmax, fine softmax."""
    return [
        {"type": "dense", "units": coarse_classes, "activation": "softmax", "name": "coarse", "head": True},
        {"type": "dense", "units": fine_classes, "activation": "softmax", "name": "fine", "head": True},
    ]


# --- Evaluation at both levels -----------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class LevelPredictions:
    """A hierarchical model's test-set outputs at both levels (``clfcore.run_predictions.Predictions`` each)."""

    coarse: object
    fine: object
    fine_to_coarse: tuple[int, ...]

    @property
    def coarse_right_fine_wrong(self) -> int:
        """Images whose group was right but whose class was wrong."""
        return int(np.sum(self.coarse.correct & ~self.fine.correct))

    @property
    def fine_implies_coarse(self) -> float:
        """Share of images whose predicted fine class lies inside the predicted coarse class (the heads agree)."""
        return float(np.mean(coarse_labels(self.fine.predicted, self.fine_to_coarse) == self.coarse.predicted))


def split_outputs(outputs) -> tuple[np.ndarray, np.ndarray]:
    """(coarse, fine) probabilities from a two-head model's output (a dict by name, or a list in output order)."""
    if isinstance(outputs, dict):
        return np.asarray(outputs["coarse"]), np.asarray(outputs["fine"])
    coarse, fine = outputs
    return np.asarray(coarse), np.asarray(fine)


def predict_levels(model, images: np.ndarray, *, chunk: int = 2048) -> tuple[np.ndarray, np.ndarray]:
    """Coarse and fine probabilities for uint8 or [0, 1] images, a chunk at a time."""
    from clfcore.splits import scale_images

    coarse, fine = [], []
    for start in range(0, len(images), chunk):
        batch = images[start : start + chunk]
        batch = scale_images(batch) if batch.dtype == np.uint8 else batch.astype(np.float32)
        c, f = split_outputs(model.predict_on_batch(batch))
        coarse.append(c)
        fine.append(f)
    if not fine:
        raise UserInputError("The test set is empty: there is nothing to evaluate.")
    return np.concatenate(coarse).astype(np.float32), np.concatenate(fine).astype(np.float32)


def _stamp(run) -> tuple[int, int]:
    stat = run.model_path.stat()
    return stat.st_mtime_ns, stat.st_size


def predict_run_levels(run, *, model=None) -> LevelPredictions:
    """Both levels of a hierarchical run on its test split; cached in the run folder per model file."""
    from clfcore import datasets
    from clfcore.run_predictions import Predictions

    config = run.config()
    info = datasets.get_dataset(config.dataset)
    if info.task != "hierarchical":
        raise UserInputError("The run {run} was not trained on a hierarchical dataset.", run=run.run_id)
    raw = datasets.load_raw(config.dataset)
    cache, stamp = run.path / PREDICTIONS_FILE, _stamp(run)
    coarse = fine = None
    try:
        with np.load(cache, allow_pickle=False) as data:
            if tuple(int(v) for v in data["model_stamp"]) == stamp and len(data["fine"]) == len(raw.y_test):
                coarse, fine = data["coarse"], data["fine"]
    except (OSError, KeyError, ValueError):
        pass
    if fine is None:
        if model is None:
            import keras

            model = keras.saving.load_model(run.model_path, compile=False)
        coarse, fine = predict_levels(model, raw.x_test)
        buffer = io.BytesIO()
        np.savez(buffer, model_stamp=np.asarray(stamp, dtype=np.int64), coarse=coarse, fine=fine)
        fd, tmp = tempfile.mkstemp(dir=run.path, prefix=f".{PREDICTIONS_FILE}.", suffix=".tmp")
        with os.fdopen(fd, "wb") as f:
            f.write(buffer.getvalue())
        os.replace(tmp, cache)
    y = np.asarray(raw.y_test, dtype=np.int64)
    return LevelPredictions(
        Predictions(coarse, y[:, 0], tuple(info.coarse_names), "multiclass"),
        Predictions(fine, y[:, 1], tuple(info.class_names), "multiclass"),
        tuple(info.fine_to_coarse),
    )


def levels_json(levels: LevelPredictions) -> dict:
    """Accuracy per level and the "coarse right but fine wrong" count, as plain JSON types."""
    return {
        "coarse_accuracy": float(np.mean(levels.coarse.correct)),
        "fine_accuracy": float(np.mean(levels.fine.correct)),
        "coarse_right_fine_wrong": levels.coarse_right_fine_wrong,
        "heads_agree": levels.fine_implies_coarse,
    }
