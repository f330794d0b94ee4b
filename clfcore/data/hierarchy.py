"""Hierarchical classification (course notes on classification): every image has a coarse class and,
inside it, a fine class.

    >>> from clfcore.data import hierarchy
    >>> hierarchy.FASHION_COARSE
    ('tops', 'bottoms', 'footwear', 'bags')
    >>> [hierarchy.FASHION_COARSE[c] for c in hierarchy.FASHION_FINE_TO_COARSE][:3]
    ['tops', 'bottoms', 'tops']

Two built-in datasets: ``cifar100_hierarchy`` (CIFAR-100's 20 superclasses over its 100 classes,
both read from the same files) and ``fashion_mnist_hierarchy`` (Fashion-MNIST's 10 classes in
four groups, below). Their labels are stored as (N, 2) arrays ``[coarse, fine]``.

The model (``clfcore.models.heads``) has one shared body (the chosen architecture's layers) and two
softmax heads, named "coarse" and "fine", trained together on the weighted sum of their two
cross-entropies. It is evaluated at both levels (``clfcore.evaluation.hierarchy_levels``); "coarse
right but fine wrong" counts the images put in the right group but the wrong class, the mistakes a
hierarchy makes less costly.

The Fashion-MNIST grouping: **tops** = T-shirt/top, Pullover, Coat, Shirt and Dress (a dress is
worn on the upper body too, and the four tops are the classes it is most often confused with);
**bottoms** = Trouser; **footwear** = Sandal, Sneaker, Ankle boot; **bags** = Bag.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from clfcore.data import sources
from clfcore.errors import DatasetError
from clfcore.i18n import N_

FASHION_COARSE = (N_("tops"), N_("bottoms"), N_("footwear"), N_("bags"))
# Fashion-MNIST classes in their order: T-shirt/top, Trouser, Pullover, Dress, Coat, Sandal, Shirt,
# Sneaker, Bag, Ankle boot
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

LEVELS = ("coarse", "fine")


def fine_to_coarse(
    fine_names: tuple[str, ...], coarse_names: tuple[str, ...], groups: dict[str, str]
) -> tuple[int, ...]:
    """The coarse class index of every fine class, from ``{coarse name: "fine names separated by
    spaces"}``."""
    parent = {
        fine: coarse_names.index(coarse)
        for coarse, members in groups.items()
        for fine in members.split()
    }
    return tuple(parent[name] for name in fine_names)


def coarse_labels(fine: np.ndarray, mapping: tuple[int, ...]) -> np.ndarray:
    """Coarse class of each fine label."""
    return np.asarray(mapping, dtype=np.int64)[np.asarray(fine, dtype=np.int64)]


def members(mapping: tuple[int, ...], coarse: int) -> list[int]:
    """The fine classes inside coarse class ``coarse``."""
    return [fine for fine, parent in enumerate(mapping) if parent == coarse]


# --- Reading the two built-in hierarchies ---------------------------------------------------------


def read_fashion_hierarchy(location: Path):
    """Fashion-MNIST with labels ``[group, class]`` (the grouping above)."""
    raw = sources.read_idx_folder(location)

    def levels(fine: np.ndarray) -> np.ndarray:
        return np.stack([coarse_labels(fine, FASHION_FINE_TO_COARSE), fine], axis=1)

    return sources.RawData(raw.x_train, levels(raw.y_train), raw.x_test, levels(raw.y_test))


def read_cifar100_hierarchy(folder: Path, mapping: tuple[int, ...]):
    """CIFAR-100 with labels ``[coarse, fine]``, both read from the same files and checked against
    each other."""
    fine, coarse = sources.read_cifar100(folder, "fine"), sources.read_cifar100(folder, "coarse")
    for split, f, c in (
        ("train", fine.y_train, coarse.y_train),
        ("test", fine.y_test, coarse.y_test),
    ):
        if len(f) != len(c) or np.any(coarse_labels(f, mapping) != c):
            raise DatasetError(
                "The {split} file in {folder} has coarse labels that do not match its fine "
                "labels. Delete the folder and download CIFAR-100 again.",
                split=split,
                folder=str(folder),
            )
    return sources.RawData(
        fine.x_train,
        np.stack([coarse.y_train, fine.y_train], axis=1),
        fine.x_test,
        np.stack([coarse.y_test, fine.y_test], axis=1),
    )
