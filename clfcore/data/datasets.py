"""The dataset registry: stable ids, what each dataset is, whether it is here, and loading it.

    >>> from clfcore.data import datasets
    >>> [info.id for info in datasets.list_datasets()]  # doctest: +ELLIPSIS +NORMALIZE_WHITESPACE
    ['fashion_mnist', 'mnist', 'cifar10', 'cifar100', 'cifar100_coarse', 'fashion_mnist_mosaic',
    'fashion_mnist_hierarchy', 'cifar100_hierarchy', 'digits'...]
    >>> splits = datasets.load_splits("digits", SplitConfig(validation_split=0.2, seed=1))
    >>> splits.x_train.shape[1:]
    (8, 8, 1)

Loading reads files only (no TensorFlow); the raw arrays are cached per process, so pages that
show the same dataset do not read it twice. Downloads go through ``keras.datasets`` and happen
only when asked for (``download``).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from clfcore.accounts.identity import is_valid_name
from clfcore.data import folders, hierarchy, multilabel, sources, tasks
from clfcore.data.sources import RawData
from clfcore.data.splits import DatasetSplits, SplitConfig, stratified_split
from clfcore.errors import DatasetError, DatasetUnavailableError
from clfcore.i18n import N_
from clfcore.paths import USERS_DIR, data_root, user_data_dir

TASKS = tasks.TASKS  # re-exported: a DatasetInfo.task is one of these

# Class names are msgids (N_): the pages show them translated.
# fmt: off
FASHION_MNIST_CLASSES = (
    N_("T-shirt/top"), N_("Trouser"), N_("Pullover"), N_("Dress"), N_("Coat"), N_("Sandal"),
    N_("Shirt"), N_("Sneaker"), N_("Bag"), N_("Ankle boot"),
)
CIFAR10_CLASSES = (
    N_("airplane"), N_("automobile"), N_("bird"), N_("cat"), N_("deer"), N_("dog"), N_("frog"),
    N_("horse"), N_("ship"), N_("truck"),
)
CIFAR100_FINE = (
    N_("apple"), N_("aquarium_fish"), N_("baby"), N_("bear"), N_("beaver"), N_("bed"), N_("bee"),
    N_("beetle"), N_("bicycle"), N_("bottle"), N_("bowl"), N_("boy"), N_("bridge"), N_("bus"),
    N_("butterfly"), N_("camel"), N_("can"), N_("castle"), N_("caterpillar"), N_("cattle"),
    N_("chair"), N_("chimpanzee"), N_("clock"), N_("cloud"), N_("cockroach"), N_("couch"),
    N_("crab"), N_("crocodile"), N_("cup"), N_("dinosaur"), N_("dolphin"), N_("elephant"),
    N_("flatfish"), N_("forest"), N_("fox"), N_("girl"), N_("hamster"), N_("house"), N_("kangaroo"),
    N_("keyboard"), N_("lamp"), N_("lawn_mower"), N_("leopard"), N_("lion"), N_("lizard"),
    N_("lobster"), N_("man"), N_("maple_tree"), N_("motorcycle"), N_("mountain"), N_("mouse"),
    N_("mushroom"), N_("oak_tree"), N_("orange"), N_("orchid"), N_("otter"), N_("palm_tree"),
    N_("pear"), N_("pickup_truck"), N_("pine_tree"), N_("plain"), N_("plate"), N_("poppy"),
    N_("porcupine"), N_("possum"), N_("rabbit"), N_("raccoon"), N_("ray"), N_("road"), N_("rocket"),
    N_("rose"), N_("sea"), N_("seal"), N_("shark"), N_("shrew"), N_("skunk"), N_("skyscraper"),
    N_("snail"), N_("snake"), N_("spider"), N_("squirrel"), N_("streetcar"), N_("sunflower"),
    N_("sweet_pepper"), N_("table"), N_("tank"), N_("telephone"), N_("television"), N_("tiger"),
    N_("tractor"), N_("train"), N_("trout"), N_("tulip"), N_("turtle"), N_("wardrobe"), N_("whale"),
    N_("willow_tree"), N_("wolf"), N_("woman"), N_("worm"),
)
CIFAR100_COARSE = (
    N_("aquatic_mammals"), N_("fish"), N_("flowers"), N_("food_containers"),
    N_("fruit_and_vegetables"), N_("household_electrical_devices"), N_("household_furniture"),
    N_("insects"), N_("large_carnivores"), N_("large_man-made_outdoor_things"),
    N_("large_natural_outdoor_scenes"), N_("large_omnivores_and_herbivores"), N_("medium_mammals"),
    N_("non-insect_invertebrates"), N_("people"), N_("reptiles"), N_("small_mammals"), N_("trees"),
    N_("vehicles_1"), N_("vehicles_2"),
)
# fmt: on
CIFAR100_FINE_TO_COARSE = hierarchy.fine_to_coarse(
    CIFAR100_FINE, CIFAR100_COARSE, hierarchy.CIFAR100_GROUPS
)


@dataclass(frozen=True)
class DatasetInfo:
    """What a dataset is, independent of whether its files are on this machine."""

    id: str  # stable id used in URLs, run configs and the command line
    name: str  # display name (a proper noun, not translated)
    image_shape: tuple[int, int, int]  # (height, width, channels)
    class_names: tuple[str, ...]
    description: str  # one English sentence; translate with clfcore.i18n
    source: str  # where the data comes from
    task: str = "multiclass"  # one of TASKS
    train_count: int = 0  # images in the dataset's own training split
    test_count: int = 0  # images in its test split (or the held-out part when it has none)
    download: str | None = None  # keras.datasets module that downloads it, if any
    has_own_test_split: bool = True
    # a user dataset's own default (its dataset.json); None: the session's
    validation_split: float | None = None
    seed: int | None = None  # the seed that goes with that validation split
    coarse_names: tuple[
        str, ...
    ] = ()  # hierarchical: the coarse classes (class_names are the fine ones)
    fine_to_coarse: tuple[int, ...] = ()  # hierarchical: the coarse class of every fine class

    @property
    def channels(self) -> int:
        return self.image_shape[2]

    @property
    def num_classes(self) -> int:
        return len(self.class_names)


@dataclass(frozen=True)
class Availability:
    """Whether a dataset can be loaded right now, and if not, how to make it loadable."""

    available: bool
    location: str | None = None  # the file or folder it will be read from
    how_to_fix: str | None = None  # English template (translation key) of the instructions
    params: dict = field(default_factory=dict)  # values for how_to_fix's placeholders

    def error(self) -> DatasetUnavailableError:
        """The error to raise for an unavailable dataset: its ``how_to_fix`` with ``params``."""
        if self.available or self.how_to_fix is None:  # availability() always says how to fix
            raise RuntimeError(f"{self!r} has no instructions to raise: it is not unavailable.")
        return DatasetUnavailableError(self.how_to_fix, **self.params)


@dataclass(frozen=True)
class _Builtin:
    info: DatasetInfo
    locate: Callable[[], Path | None]  # where the files are, or None
    read: Callable[[Path], RawData]  # reads the files at locate()'s answer
    files_hint: str  # where to copy the files offline; {data} is the data root


_BUILTINS: dict[str, _Builtin] = {
    b.info.id: b
    for b in (
        _Builtin(
            DatasetInfo(
                "fashion_mnist",
                "Fashion-MNIST",
                (28, 28, 1),
                FASHION_MNIST_CLASSES,
                N_(
                    "Zalando's photos of clothes, shoes and bags: 28x28 grayscale, 10 classes. "
                    "The course's exercise 3."
                ),
                "Zalando Research (MIT licence); keras.datasets.fashion_mnist",
                train_count=60000,
                test_count=10000,
                download="fashion_mnist",
            ),
            sources.fashion_mnist_location,
            lambda location: sources.read_idx_folder(location),
            "{data}/fashion-mnist/{train,t10k}-{images-idx3,labels-idx1}-ubyte.gz",
        ),
        _Builtin(
            DatasetInfo(
                "mnist",
                "MNIST",
                (28, 28, 1),
                tuple(str(d) for d in range(10)),
                N_(
                    "Handwritten digits 0-9: 28x28 grayscale, 10 classes. The 'hello world' "
                    "of the course's practice 1."
                ),
                "Yann LeCun and Corinna Cortes (CC BY-SA 3.0); keras.datasets.mnist",
                train_count=60000,
                test_count=10000,
                download="mnist",
            ),
            sources.mnist_location,
            lambda location: sources.read_mnist(location),
            "{data}/mnist.npz",
        ),
        _Builtin(
            DatasetInfo(
                "cifar10",
                "CIFAR-10",
                (32, 32, 3),
                CIFAR10_CLASSES,
                N_(
                    "Small colour photos of animals and vehicles: 32x32 RGB, 10 classes. "
                    "The course's CNN and augmentation practice."
                ),
                "Alex Krizhevsky, 2009; keras.datasets.cifar10",
                train_count=50000,
                test_count=10000,
                download="cifar10",
            ),
            sources.cifar10_location,
            lambda location: sources.read_cifar10(location),
            "{data}/cifar-10-batches-py/",
        ),
        _Builtin(
            DatasetInfo(
                "cifar100",
                "CIFAR-100",
                (32, 32, 3),
                CIFAR100_FINE,
                N_(
                    "Small colour photos in 100 fine classes: 32x32 RGB, 500 training images "
                    "per class."
                ),
                "Alex Krizhevsky, 2009; keras.datasets.cifar100 (label_mode='fine')",
                train_count=50000,
                test_count=10000,
                download="cifar100",
            ),
            sources.cifar100_location,
            lambda location: sources.read_cifar100(location, "fine"),
            "{data}/cifar-100-python/",
        ),
        _Builtin(
            DatasetInfo(
                "cifar100_coarse",
                "CIFAR-100 (coarse)",
                (32, 32, 3),
                CIFAR100_COARSE,
                N_("The CIFAR-100 photos labelled with their 20 superclasses (coarse labels)."),
                "Alex Krizhevsky, 2009; keras.datasets.cifar100 (label_mode='coarse')",
                train_count=50000,
                test_count=10000,
                download="cifar100",
            ),
            sources.cifar100_location,
            lambda location: sources.read_cifar100(location, "coarse"),
            "{data}/cifar-100-python/",
        ),
        _Builtin(
            DatasetInfo(
                "fashion_mnist_mosaic",
                "Fashion-MNIST mosaics (multi-label)",
                (56, 56, 1),
                FASHION_MNIST_CLASSES,
                N_(
                    "Multi-label: 2x2 mosaics of 1 to 4 Fashion-MNIST items, 56x56 grayscale; "
                    "the labels are the classes present. Made from the real images with "
                    "a fixed seed."
                ),
                "Zalando Research (MIT licence); mosaics made by clfcore.data.multilabel",
                task="multilabel",
                train_count=multilabel.MOSAIC_TRAIN,
                test_count=multilabel.MOSAIC_TEST,
                download="fashion_mnist",
            ),
            sources.fashion_mnist_location,
            lambda location: multilabel.read_fashion_mosaics(location),
            "{data}/fashion-mnist/{train,t10k}-{images-idx3,labels-idx1}-ubyte.gz",
        ),
        _Builtin(
            DatasetInfo(
                "fashion_mnist_hierarchy",
                "Fashion-MNIST (hierarchical)",
                (28, 28, 1),
                FASHION_MNIST_CLASSES,
                N_(
                    "Hierarchical: the 10 Fashion-MNIST classes grouped into tops (T-shirt/top, "
                    "Pullover, Coat, Shirt, Dress), bottoms (Trouser), footwear (Sandal, "
                    "Sneaker, Ankle boot) and bags (Bag)."
                ),
                "Zalando Research (MIT licence); grouping by clfcore.data.hierarchy",
                task="hierarchical",
                train_count=60000,
                test_count=10000,
                download="fashion_mnist",
                coarse_names=hierarchy.FASHION_COARSE,
                fine_to_coarse=hierarchy.FASHION_FINE_TO_COARSE,
            ),
            sources.fashion_mnist_location,
            lambda location: hierarchy.read_fashion_hierarchy(location),
            "{data}/fashion-mnist/{train,t10k}-{images-idx3,labels-idx1}-ubyte.gz",
        ),
        _Builtin(
            DatasetInfo(
                "cifar100_hierarchy",
                "CIFAR-100 (hierarchical)",
                (32, 32, 3),
                CIFAR100_FINE,
                N_(
                    "Hierarchical: every CIFAR-100 photo with both its superclass (20 coarse "
                    "labels) and its class (100 fine labels)."
                ),
                "Alex Krizhevsky, 2009; keras.datasets.cifar100 (both label modes)",
                task="hierarchical",
                train_count=50000,
                test_count=10000,
                download="cifar100",
                coarse_names=CIFAR100_COARSE,
                fine_to_coarse=CIFAR100_FINE_TO_COARSE,
            ),
            sources.cifar100_location,
            lambda location: hierarchy.read_cifar100_hierarchy(location, CIFAR100_FINE_TO_COARSE),
            "{data}/cifar-100-python/",
        ),
        _Builtin(
            DatasetInfo(
                "digits",
                "Digits 8x8",
                (8, 8, 1),
                tuple(str(d) for d in range(10)),
                N_(
                    "Tiny 8x8 handwritten digits bundled with scikit-learn: always available, "
                    "trains in seconds."
                ),
                "UCI ML hand-written digits; sklearn.datasets.load_digits",
                train_count=1438,
                test_count=359,
                has_own_test_split=False,
            ),
            lambda: None,
            lambda _location: sources.read_digits(),
            "",
        ),
    )
}

DEFAULT_PREFERENCE = ("fashion_mnist", "digits")


def builtin_ids() -> tuple[str, ...]:
    """Ids of the datasets that come with the app (a user dataset cannot take these names)."""
    return tuple(_BUILTINS)


USER_DATASET_DESCRIPTION = N_("Your own images: one folder per class under the data root.")


MULTILABEL_DESCRIPTION = N_(
    "Your own multi-label images: a folder under the data root with a labels.csv."
)


def _user_layouts(owner: str | None = None) -> dict[str, object]:
    """Image-folder datasets under the data root (or under ``owner``'s workspace on a class server),
    by dataset id (names of built-ins are not allowed).

    A folder with a labels.csv is a multi-label dataset (``clfcore.data.multilabel``); one whose CSV
    is wrong is listed with the error (``DatasetError``) in place of its layout, so the page can say
    what to fix.
    """
    root = data_root() if owner is None else user_data_dir(owner)
    if not root.is_dir():
        return {}
    found = {}
    for folder in sorted(root.iterdir()):
        dataset_id = folder.name if owner is None else f"{owner}/{folder.name}"
        if folder.is_dir() and user_folder(dataset_id) == folder:
            layout = _scan_user_folder(folder)
            if layout is not None:
                found[dataset_id] = layout
    return found


def user_folder(dataset_id: str) -> Path | None:
    """The folder of the user dataset ``dataset_id``, or None if the id cannot name one.

    The one rule for user dataset ids: ``name`` is a folder in the data root (personal mode);
    ``owner/name`` is a folder in the workspace of ``owner`` on a class server
    (``<data root>/users/<owner>/<name>``). A name is never a built-in's, never starts with ".",
    and holds no ":" (derived tasks), "\\" or further "/".

    Example:
        >>> user_folder("../etc") is None, user_folder("ana/flowers").parts[-3:]
        (True, ('users', 'ana', 'flowers'))
    """
    owner, _, name = dataset_id.rpartition("/") if dataset_id else ("", "", "")
    if (
        not name
        or name in _BUILTINS
        or name.startswith(".")
        or ":" in name
        or "\\" in dataset_id
        or (owner and not is_valid_name(owner))
        or (not owner and "/" in dataset_id)
        or (not owner and name == USERS_DIR)
    ):
        return None
    return (user_data_dir(owner) if owner else data_root()) / name


def dataset_owner(dataset_id: str) -> str | None:
    """The class-server user whose workspace holds ``dataset_id``; None for a built-in or a
    personal-mode dataset (and for a derived task, its base's owner)."""
    derived = tasks.parse_binary(dataset_id)
    base = derived.base if derived is not None else dataset_id
    owner, slash, _ = base.rpartition("/")
    return owner if slash and user_folder(base) is not None else None


def _scan_user_folder(folder: Path):
    """A FolderLayout, a MultiLabelLayout, the DatasetError of a wrong labels.csv, or None."""
    if multilabel.is_multilabel_folder(folder):
        try:
            return multilabel.scan(folder)
        except DatasetError as error:
            return error
    return folders.scan(folder)


def _user_info(dataset_id: str, layout) -> DatasetInfo:
    name = dataset_id.rpartition("/")[2]  # what the pages show; the id may name its owner
    # a multi-label folder whose labels.csv is wrong: listed, not loadable
    if isinstance(layout, DatasetError):
        return DatasetInfo(
            dataset_id,
            name,
            (1, 1, 1),
            (),
            MULTILABEL_DESCRIPTION,
            str(user_folder(dataset_id)),
            task="multilabel",
        )
    if isinstance(layout, multilabel.MultiLabelLayout):
        count = len(layout.train.files)
        train_count, test_count = (
            (count, len(layout.test.files))
            if layout.test is not None
            else multilabel.held_out_counts(count)
        )
        return DatasetInfo(
            dataset_id,
            name,
            (*layout.image_size, layout.channels),
            layout.class_names,
            MULTILABEL_DESCRIPTION,
            str(layout.root),
            task="multilabel",
            train_count=train_count,
            test_count=test_count,
            has_own_test_split=layout.test is not None,
            validation_split=layout.settings.validation_split,
            seed=layout.settings.seed,
        )

    labels = [label for _, label in layout.train_files]
    if layout.test_files:
        train_count, test_count = len(labels), len(layout.test_files)
    else:
        held = len(
            stratified_split(
                np.asarray(labels), sources.HELD_OUT_TEST_FRACTION, seed=sources.HELD_OUT_TEST_SEED
            )[1]
        )
        train_count, test_count = len(labels) - held, held
    return DatasetInfo(
        dataset_id,
        name,
        (*layout.image_size, layout.channels),
        layout.class_names,
        USER_DATASET_DESCRIPTION,
        str(layout.root),
        train_count=train_count,
        test_count=test_count,
        has_own_test_split=bool(layout.test_files),
        validation_split=layout.settings.validation_split,
        seed=layout.settings.seed,
    )


def list_datasets(*, owner: str | None = None) -> list[DatasetInfo]:
    """Every dataset the app knows, available or not: the built-ins, then the image folders in the
    data root, then (on a class server) those in ``owner``'s workspace."""
    layouts = _user_layouts() if owner is None else {**_user_layouts(), **_user_layouts(owner)}
    return [b.info for b in _BUILTINS.values()] + [
        _user_info(dataset_id, layout) for dataset_id, layout in layouts.items()
    ]


def _user_layout(dataset_id: str):
    folder = user_folder(dataset_id)
    return _scan_user_folder(folder) if folder is not None and folder.is_dir() else None


def get_dataset(dataset_id: str) -> DatasetInfo:
    """The description of ``dataset_id``. Raises DatasetError for an unknown id.

    ``base:P-vs-rest`` and ``base:P-vs-N`` are binary tasks derived from the multi-class dataset
    ``base`` (``clfcore.data.tasks``).
    """
    derived = tasks.parse_binary(dataset_id)
    if derived is not None:
        base = get_dataset(derived.base)
        labels: tuple[np.ndarray | None, np.ndarray | None] = (None, None)
        if derived.negative is not None and availability(derived.base).available:
            try:
                raw = load_raw(derived.base)
                labels = (raw.y_train, raw.y_test)
            except DatasetError:
                # exact counts when the files can be read; load_raw says what is wrong with them
                pass
        return tasks.derived_info(base, derived, *labels)
    layout = _user_layout(dataset_id)
    if layout is not None:
        return _user_info(dataset_id, layout)
    if dataset_id not in _BUILTINS:
        known = [info.id for info in list_datasets()]
        raise DatasetError(
            "Unknown dataset {name!r}. Choose one of: {known}.",
            name=dataset_id,
            known=", ".join(known),
        )
    return _BUILTINS[dataset_id].info


def availability(dataset_id: str) -> Availability:
    """Whether ``dataset_id`` can be loaded now without the internet (looks at files, reads
    nothing)."""
    get_dataset(dataset_id)  # unknown ids raise here
    derived = tasks.parse_binary(dataset_id)
    if derived is not None:
        return availability(derived.base)
    if dataset_id not in _BUILTINS:
        layout = _user_layout(dataset_id)
        if isinstance(layout, DatasetError):
            return Availability(
                False, location=None, how_to_fix=layout.template, params=layout.params
            )
        return Availability(True, location=str(user_folder(dataset_id)))
    builtin = _BUILTINS[dataset_id]
    if dataset_id == "digits":
        return Availability(True, location="scikit-learn")
    location = builtin.locate()
    if location is not None:
        return Availability(True, location=str(location))
    return Availability(
        False,
        how_to_fix=N_(
            "{name} is not on this machine yet. Connect to the internet and press Download "
            "(or run `python -m clfcore download {id}`): Keras downloads it once into {cache}. "
            "Offline, copy the same files to {files}."
        ),
        params={
            "name": builtin.info.name,
            "id": dataset_id,
            "cache": str(sources.keras_cache()),
            "files": builtin.files_hint.replace("{data}", str(data_root())),
        },
    )


def data_version(dataset_id: str) -> str:
    """A key that changes whenever the dataset's files or settings change (for caches outside
    clfcore).

    Built-in datasets: where the files are. User datasets: their folder, file count, newest file and
    format.
    """
    derived = tasks.parse_binary(dataset_id)
    if derived is not None:
        return f"{data_version(derived.base)}:{dataset_id}"
    layout = _user_layout(dataset_id)
    if layout is not None and not isinstance(layout, DatasetError):
        return f"{layout.root}:{layout.signature}"
    return str(availability(dataset_id).location)


def default_dataset_id() -> str:
    """The best dataset available right now: Fashion-MNIST, else the always-present digits."""
    return next(d for d in DEFAULT_PREFERENCE if availability(d).available)


@functools.lru_cache(maxsize=4)
def _load_raw_cached(dataset_id: str, location: str | None, signature: tuple = ()) -> RawData:
    derived = tasks.parse_binary(dataset_id)
    layout = None if derived is not None else _user_layout(dataset_id)
    if derived is not None:
        info, raw = get_dataset(dataset_id), tasks.derive_binary(load_raw(derived.base), derived)
    elif isinstance(layout, multilabel.MultiLabelLayout):
        info, raw = _user_info(dataset_id, layout), multilabel.read_folder(layout)
    elif layout is not None:
        info, raw = _user_info(dataset_id, layout), sources.read_image_folder(layout)
    else:
        builtin = _BUILTINS[dataset_id]  # known: load_raw checked availability first
        if not location:  # load_raw passes where availability() found the files
            raise RuntimeError(f"No location given for the built-in dataset {dataset_id!r}.")
        info, raw = builtin.info, builtin.read(Path(location))
    n_classes = info.num_classes
    for labels in (raw.y_train, raw.y_test):
        if len(labels) and (labels.min() < 0 or labels.max() >= n_classes):
            raise DatasetError(
                "The files of {name} at {location} have labels outside 0-{top}. Delete "
                "them and download again.",
                name=info.name,
                location=str(location),
                top=n_classes - 1,
            )
    if raw.x_train.shape[1:] != info.image_shape:
        raise DatasetError(
            "The files of {name} at {location} hold images of shape {found}, expected {expected}. "
            "Delete them and download again.",
            name=info.name,
            location=str(location),
            found=tuple(raw.x_train.shape[1:]),
            expected=info.image_shape,
        )
    for array in (raw.x_train, raw.y_train, raw.x_test, raw.y_test):
        array.flags.writeable = False  # shared by every page of this process: nobody may edit it
    return raw


def load_raw(dataset_id: str) -> RawData:
    """The dataset's own train and test splits, uint8 images (N, H, W, C), cached per process.

    Raises:
        DatasetUnavailableError: the files are not here; the message says how to get them.
        DatasetError: unknown id, or files that are truncated or corrupt.
    """
    state = availability(dataset_id)
    if not state.available:
        raise state.error()
    derived = tasks.parse_binary(dataset_id)
    layout = _user_layout(derived.base if derived is not None else dataset_id)
    return _load_raw_cached(
        dataset_id, state.location, layout.signature if layout is not None else ()
    )


def load_splits(dataset_id: str, config: SplitConfig = SplitConfig()) -> DatasetSplits:
    """Train / validation / test arrays for training: float32 in [0, 1], labels as the task needs
    (``clfcore.data.tasks``)."""
    raw = load_raw(dataset_id)
    return tasks.make_task_splits(get_dataset(dataset_id), raw, config)


def download(dataset_id: str) -> Availability:
    """Fetch ``dataset_id`` through ``keras.datasets`` (needs the internet once); returns the new
    state."""
    info = get_dataset(dataset_id)
    if availability(dataset_id).available:
        return availability(dataset_id)
    if tasks.parse_binary(dataset_id) is not None:
        download(tasks.base_id(dataset_id))
        return availability(dataset_id)
    if info.download is None:
        raise DatasetError("{name} cannot be downloaded: it comes with the app.", name=info.name)
    sources.download_with_keras(info.download, info.name)
    return availability(dataset_id)
