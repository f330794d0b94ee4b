"""What a dataset looks like: class counts per split, imbalance, mean images, pixel histograms,
samples.

Everything here works on the raw uint8 arrays (``clfcore.data.datasets.load_raw``) and returns plain
numpy arrays or pandas frames for the page to draw.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from clfcore.data import multilabel
from clfcore.data.splits import SplitConfig, split_indices
from clfcore.data.tasks import random_split_indices
from clfcore.i18n import N_

if TYPE_CHECKING:
    import pandas as pd

IMBALANCE_WARNING_RATIO = 1.5  # largest class / smallest class above this -> warn the user


def class_counts(labels: np.ndarray, num_classes: int) -> np.ndarray:
    """Images per class. Returns: int array of shape (num_classes,)."""
    return np.bincount(np.asarray(labels, dtype=np.int64), minlength=num_classes)[:num_classes]


def split_counts(
    y_train: np.ndarray,
    y_test: np.ndarray,
    class_names: tuple[str, ...],
    config: SplitConfig = SplitConfig(),
) -> pd.DataFrame:
    """Images per class in each split that ``config`` would make.

    Returns:
        DataFrame indexed by class name with columns ``train``, ``validation`` and ``test``.
    """
    import pandas as pd  # here, not at the top: it takes ~0.6 s, only the tables need it

    train, val = split_indices(y_train, config)
    n = len(class_names)
    return pd.DataFrame(
        {
            "train": class_counts(y_train[train], n),
            "validation": class_counts(y_train[val], n),
            "test": class_counts(y_test, n),
        },
        index=pd.Index(class_names, name="class"),
    )


def multilabel_split_counts(
    y_train: np.ndarray,
    y_test: np.ndarray,
    class_names: tuple[str, ...],
    config: SplitConfig = SplitConfig(),
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """A multi-label dataset's splits: images, images per label and labels per image.

    Args:
        y_train, y_test: 0/1 label matrices of shape (N, num_labels).
        class_names: the label names.
        config: the split (multi-label images are split at random, not stratified).

    Returns:
        ``(images, per_label, per_image)``, each with columns ``train``, ``validation`` and
        ``test``: one row ``images``; one row per label (indexed by name); and one row per label
        count 0..num_labels (how many images carry that many labels).
    """
    import pandas as pd  # here, not at the top: it takes ~0.6 s, only the tables need it

    train, val = random_split_indices(len(y_train), config)
    parts = {"train": y_train[train], "validation": y_train[val], "test": y_test}
    images = pd.DataFrame(
        {k: [len(v)] for k, v in parts.items()}, index=pd.Index(["images"], name="class")
    )
    per_label = pd.DataFrame(
        {k: multilabel.label_frequencies(v) for k, v in parts.items()},
        index=pd.Index(class_names, name="class"),
    )
    per_image = pd.DataFrame(
        {k: multilabel.labels_per_image(v, len(class_names)) for k, v in parts.items()}
    )
    return images, per_label, per_image


def coarse_counts(
    fine: pd.DataFrame, fine_to_coarse, coarse_names: tuple[str, ...]
) -> pd.DataFrame:
    """Fine-class counts (``split_counts`` of the fine labels) summed per coarse class.

    Args:
        fine: one row per fine class, in class-index order.
        fine_to_coarse: the coarse class of each fine class, shape (num_fine,).
        coarse_names: the coarse class names, in coarse-index order.

    Returns:
        DataFrame indexed by coarse class name, with the same columns as ``fine``.
    """
    import pandas as pd  # here, not at the top: it takes ~0.6 s, only the tables need it

    coarse = fine.groupby(np.asarray(fine_to_coarse)).sum()
    coarse.index = pd.Index(coarse_names, name="class")
    return coarse


def imbalance_ratio(counts: np.ndarray) -> float:
    """Largest over smallest class count (1.0 = perfectly balanced; inf when a class is empty)."""
    counts = np.asarray(counts)
    if counts.size == 0 or counts.max() == 0:
        return 1.0
    return float("inf") if counts.min() == 0 else float(counts.max() / counts.min())


def mean_images(images: np.ndarray, labels: np.ndarray, num_classes: int) -> np.ndarray:
    """The average image of each class, uint8 of shape (num_classes, H, W, C); zeros for an empty
    class."""
    out = np.zeros((num_classes, *images.shape[1:]), dtype=np.float64)
    for cls in range(num_classes):
        members = images[labels == cls]
        if len(members):
            # summing in chunks keeps the float64 copy small for 60,000-image datasets
            total = sum(
                members[i : i + 8192].sum(axis=0, dtype=np.float64)
                for i in range(0, len(members), 8192)
            )
            out[cls] = total / len(members)
    return np.round(out).astype(np.uint8)


def pixel_histogram(images: np.ndarray) -> pd.DataFrame:
    """How often each intensity 0-255 occurs, per channel.

    Returns:
        DataFrame with columns ``intensity`` (0-255), ``channel`` and ``fraction`` (sums to 1 per
        channel).
    """
    import pandas as pd  # here, not at the top: it takes ~0.6 s, only the tables need it

    channels = images.shape[-1]
    names = [N_("gray")] if channels == 1 else [N_("red"), N_("green"), N_("blue")][:channels]
    frames = []
    for c, name in enumerate(names):
        counts = np.bincount(np.ascontiguousarray(images[..., c]).ravel(), minlength=256)
        frames.append(
            pd.DataFrame(
                {"intensity": np.arange(256), "channel": name, "fraction": counts / counts.sum()}
            )
        )
    return pd.concat(frames, ignore_index=True)


def sample_indices(
    labels: np.ndarray, num_classes: int, per_class: int, *, seed: int
) -> np.ndarray:
    """``per_class`` random image indices of each class (fewer when a class is small).

    Returns:
        int array of shape (num_classes, per_class), -1 where a class has too few images.
    """
    rng = np.random.default_rng(seed)
    out = np.full((num_classes, per_class), -1, dtype=np.int64)
    for cls in range(num_classes):
        members = np.flatnonzero(labels == cls)
        chosen = rng.choice(members, size=min(per_class, len(members)), replace=False)
        out[cls, : len(chosen)] = chosen
    return out


def random_indices(total: int, count: int, *, seed: int) -> np.ndarray:
    """``count`` different random indices below ``total`` (all of them, shuffled, when fewer),
    seeded.

    Returns:
        int array of shape (min(count, total),), in random order.
    """
    return np.random.default_rng(seed).choice(total, size=min(count, total), replace=False)


def one_per_class(
    labels: np.ndarray, num_classes: int, *, limit: int, seed: int
) -> list[tuple[int, int]]:
    """One random image of each of the first ``limit`` classes; classes without images are left out.

    Returns:
        ``[(image index, class), ...]`` in class order.
    """
    classes = list(range(min(num_classes, limit)))
    picks = sample_indices(labels, num_classes, 1, seed=seed)[classes, 0]
    return [(int(i), c) for i, c in zip(picks, classes) if i >= 0]


def image_grid(
    images: np.ndarray, *, columns: int, upscale: int = 1, gap: int = 1, background: int = 255
) -> np.ndarray:
    """Tile images (N, H, W, C) into one uint8 picture, ``columns`` per row, enlarged ``upscale``
    times.

    Nearest-neighbour enlargement keeps the pixels of 8x8 or 28x28 images visible on a projector.
    Returns: uint8 array (rows*H', columns*W', C) with ``gap`` pixels of ``background`` between
        tiles.
    """
    images = np.asarray(images)
    n, h, w, c = images.shape
    if upscale > 1:
        images = images.repeat(upscale, axis=1).repeat(upscale, axis=2)
        h, w = h * upscale, w * upscale
    rows = max(1, -(-n // columns))
    out = np.full(
        (rows * (h + gap) - gap, columns * (w + gap) - gap, c), background, dtype=np.uint8
    )
    for i, image in enumerate(images):
        r, col = divmod(i, columns)
        out[r * (h + gap) : r * (h + gap) + h, col * (w + gap) : col * (w + gap) + w] = image
    return out


def display_scale(height: int, *, target: int = 84) -> int:
    """How many times to enlarge an image ``height`` pixels tall so it is about ``target`` pixels on
    screen."""
    return max(1, target // max(height, 1))
