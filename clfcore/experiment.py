"""An experiment's choices as flat URL query parameters, and back: the one codec of shared links.

    >>> choices = Experiment(dataset="fashion_mnist", model={"architecture": "lenet", "epochs": 5})
    >>> to_params(choices)
    {'dataset': 'fashion_mnist', 'arch': 'lenet', 'epochs': '5'}
    >>> again, notes = from_params({"dataset": "digits", "epochs": "abc"}, default_dataset="digits")
    >>> again.model["epochs"], notes[0].param
    (10, 'epochs')

Only what differs from the defaults is written, so a link stays short and readable; the dataset
goes with any other choice, since the default one depends on the machine. The defaults of the
optimizer, learning rate, batch size, epochs and learning-rate schedule are the chosen
architecture's preset (``TrainConfig.for_architecture``).

The parameters:

=================  ==============================================================================
``dataset``        dataset id (``clfcore.data.datasets``), e.g. ``fashion_mnist`` or a derived
                   binary task ``fashion_mnist:8-vs-rest``
``val``            validation split, a fraction: ``0.2`` (course: 20 %)
``subset``         train on a stratified subset of this many images (``0``: all)
``seed``           the split's and the training's seed
``arch``           architecture id (``clfcore.models.architectures``): ``mlp``, ``lenet``,
                   ``recommended``, ``mobilenetv2``, ``custom``...
option names       the architecture's builder options, e.g. ``units=512&dropout=0.2`` (MLP);
                   ``layers`` for the custom stack: ``conv2d:filters=32,maxpool,flatten,dense``
                   (layers separated by commas, settings by colons)
``opt``            optimizer (``clfcore.config.OPTIMIZERS``)
``lr``             learning rate
``batch``          batch size
``epochs``         epochs
``momentum``       SGD's momentum
``onehot``         one-hot labels: ``1`` or ``0`` (integers)
``schedule``       learning-rate schedule (``none``, ``step``, ``exponential``, ``cosine``,
                   ``plateau``); ``decay``, ``step`` (epochs), ``lr_patience`` its settings
``es``             early stopping ``1``/``0``; ``es_monitor``, ``patience``, ``restore`` (restore
                   the best weights) its settings
``best_by``        the metric the kept model is the best epoch of
``tb``             TensorBoard logs ``1``/``0``
``class_weight``   ``balanced`` or ``none``; ``threshold`` (multi-label), ``coarse_w`` and
                   ``fine_w`` (hierarchical loss weights): the task's settings
``aug``            augmentation, on when present: the transforms that differ from the course's
                   settings, e.g. ``aug=rotation:10,flip:horizontal``; ``aug=on`` for the course's
                   settings; an ``off`` item keeps the settings but trains without them. Names:
                   rotation, wshift, hshift, zoom, shear, flip (horizontal, vertical, both, none),
                   fill, brightness, contrast, noise, blur, erasing, erasing_size, crop
=================  ==============================================================================

``from_params`` checks every value with the rule that owns it (``TrainConfig``, ``SplitConfig``,
``AugmentConfig``, the architecture's options, the dataset's id) and the ranges the pages' widgets
offer; each parameter it cannot use is left out with a ``Note`` that says why, never an exception.
"""

from __future__ import annotations

import dataclasses
import functools
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from clfcore.config import TrainConfig
from clfcore.data import datasets
from clfcore.data.augment import COURSE_DEFAULTS, AugmentConfig
from clfcore.data.splits import SplitConfig
from clfcore.errors import UserInputError
from clfcore.i18n import N_, translate
from clfcore.models import architectures, custom_layers

# The choices the pages' widgets offer where they are narrower than the core's rule (the widgets
# read them from here, so a link never holds a value a widget cannot show).
BATCH_SIZES = (8, 16, 32, 64, 128, 256, 512, 1024)
MLP_UNITS = (32, 64, 128, 256, 512, 1024)
DENSE_UNITS = (0, 64, 128, 256, 512, 1024)
FINE_TUNE_LR_FACTORS = (0.001, 0.01, 0.1, 0.5, 1.0)
MAX_EPOCHS = 500
MAX_LEARNING_RATE = 10.0
# TrainConfig field -> (lowest, highest) the widget allows
SETTING_RANGES: dict[str, tuple[float, float]] = {
    "epochs": (1, MAX_EPOCHS),
    "learning_rate": (0.0, MAX_LEARNING_RATE),
    "momentum": (0.0, 0.99),
    "early_stopping_patience": (0, 50),
    "lr_decay": (0.05, 0.95),
    "lr_step_epochs": (1, 100),
    "lr_patience": (0, 50),
    "threshold": (0.05, 0.95),
    "coarse_loss_weight": (0.0, 10.0),
    "fine_loss_weight": (0.0, 10.0),
}
# architecture option -> the values its widget offers (MLP and the transfer backbones)
OPTION_CHOICES: dict[str, dict[str, tuple]] = {
    "mlp": {"units": MLP_UNITS},
    **{
        backbone: {"dense_units": DENSE_UNITS, "fine_tune_lr_factor": FINE_TUNE_LR_FACTORS}
        for backbone in architectures.TRANSFER_IDS
    },
}
OPTION_RANGES: dict[str, dict[str, tuple[float, float]]] = {
    arch_id: {"dropout": (0.0, 0.8)} for arch_id in ("mlp", *architectures.TRANSFER_IDS)
}
VALIDATION_RANGE = (0.05, 0.5)  # the Dataset page's slider: 5 % to 50 %
MAX_SEED = 2**31 - 1

# parameter -> TrainConfig field, in the order a link lists them
SETTINGS = {
    "opt": "optimizer",
    "lr": "learning_rate",
    "batch": "batch_size",
    "epochs": "epochs",
    "momentum": "momentum",
    "onehot": "one_hot",
    "schedule": "lr_schedule",
    "decay": "lr_decay",
    "step": "lr_step_epochs",
    "lr_patience": "lr_patience",
    "es": "early_stopping",
    "es_monitor": "early_stopping_monitor",
    "patience": "early_stopping_patience",
    "restore": "restore_best_weights",
    "best_by": "checkpoint_monitor",
    "tb": "tensorboard",
    "class_weight": "class_weight",
    "threshold": "threshold",
    "coarse_w": "coarse_loss_weight",
    "fine_w": "fine_loss_weight",
}
# the settings kept with the model (the Model page's); the others are the Train page's
MODEL_SETTINGS = ("optimizer", "learning_rate", "batch_size", "epochs", "momentum", "one_hot")
# aug item -> AugmentConfig field (flips have their own item)
AUGMENT_NAMES = {
    "rotation": "rotation_range",
    "wshift": "width_shift_range",
    "hshift": "height_shift_range",
    "zoom": "zoom_range",
    "shear": "shear_range",
    "fill": "fill_mode",
    "brightness": "brightness",
    "contrast": "contrast",
    "noise": "noise",
    "blur": "blur",
    "erasing": "erasing",
    "erasing_size": "erasing_size",
    "crop": "crop_padding",
}
FLIPS = {
    "none": (False, False),
    "horizontal": (True, False),
    "vertical": (False, True),
    "both": (True, True),
}
SPLIT_PARAMS = ("val", "subset", "seed")
PARAMS = ("dataset", *SPLIT_PARAMS, "arch", "layers", *SETTINGS, "aug")


@dataclass(frozen=True)
class Experiment:
    """The choices that define an experiment, as the app keeps them (``ui.state``)."""

    dataset: str  # dataset id
    split: SplitConfig = field(default_factory=SplitConfig)
    # the Model page's choice: architecture, arch_options and MODEL_SETTINGS (TrainConfig names);
    # missing keys take the architecture's preset
    model: Mapping[str, Any] = field(default_factory=dict, hash=False)
    # the Train page's choice: callbacks, schedule, task settings (TrainConfig names)
    training: Mapping[str, Any] = field(default_factory=dict, hash=False)
    augment: AugmentConfig = COURSE_DEFAULTS
    augment_enabled: bool = False  # whether training uses ``augment``

    @property
    def architecture(self) -> str:
        return self.model.get("architecture", TrainConfig.architecture)

    def settings(self) -> dict[str, Any]:
        """Every TrainConfig setting of SETTINGS as a run would get it: the training choice over
        the model choice over the architecture's preset."""
        defaults = TrainConfig.for_architecture(self.architecture)
        chosen = {**self.model, **self.training}
        return {name: chosen.get(name, getattr(defaults, name)) for name in SETTINGS.values()}

    def arch_options(self) -> dict[str, Any]:
        """The architecture's builder options: the chosen over the defaults."""
        arch = architectures.get_architecture(self.architecture)
        return {**arch.options, **(self.model.get("arch_options") or {})}


class Note(NamedTuple):
    """A link's parameter that was ignored, and why: an English template (the translation key)
    with its placeholder values."""

    param: str
    value: str
    template: str
    params: dict

    def message(self, lang: str = "en") -> str:
        """``param=value: reason`` in ``lang``."""
        return f"{self.param}={self.value}: {translate(self.template, lang, **self.params)}"


# --- writing --------------------------------------------------------------------------------------


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float):
        return f"{value:g}" if float(f"{value:g}") == value else repr(value)
    return str(value)


def _layers_text(layers: list[dict]) -> str:
    return ",".join(
        ":".join(
            [str(layer["type"])]
            + [f"{key}={_text(value)}" for key, value in layer.items() if key != "type"]
        )
        for layer in layers
    )


def _augment_text(config: AugmentConfig, enabled: bool) -> str | None:
    items = [] if enabled else ["off"]
    flips = (config.horizontal_flip, config.vertical_flip)
    for name, field_name in AUGMENT_NAMES.items():
        value = getattr(config, field_name)
        if value != getattr(COURSE_DEFAULTS, field_name):
            items.append(f"{name}:{_text(value)}")
        if name == "shear" and flips != (COURSE_DEFAULTS.horizontal_flip, False):
            items.append("flip:" + next(k for k, v in FLIPS.items() if v == flips))
    if items == ["off"]:
        return None  # off, with the course's settings: nothing to say
    return ",".join(items) or "on"


def to_params(experiment: Experiment, *, default_dataset: str | None = None) -> dict[str, str]:
    """The query parameters of ``experiment``: the dataset, then whatever differs from the
    defaults (the module docstring lists the names); nothing at all for the defaults on
    ``default_dataset`` (this machine's, ``datasets.default_dataset_id()``).
    """
    params = {"dataset": experiment.dataset}
    split, default_split = experiment.split, SplitConfig()
    if split.validation_split != default_split.validation_split:
        params["val"] = _text(split.validation_split)
    if split.train_size:
        params["subset"] = str(split.train_size)
    if split.seed != default_split.seed:
        params["seed"] = str(split.seed)
    arch = architectures.get_architecture(experiment.architecture)
    if arch.id != TrainConfig.architecture:
        params["arch"] = arch.id
    for name, value in experiment.arch_options().items():
        if value != arch.options.get(name):
            params[name] = _layers_text(value) if name == "layers" else _text(value)
    defaults = TrainConfig.for_architecture(arch.id)
    settings = experiment.settings()
    for param, name in SETTINGS.items():
        if settings[name] != getattr(defaults, name):
            params[param] = _text(settings[name])
    augmentation = _augment_text(experiment.augment, experiment.augment_enabled)
    if augmentation is not None:
        params["aug"] = augmentation
    if params == {"dataset": default_dataset}:
        return {}
    return params


# --- reading --------------------------------------------------------------------------------------

_TRUE, _FALSE = ("1", "true", "on", "yes"), ("0", "false", "off", "no")


class _Ignored(Exception):
    """One parameter cannot be used: why, as a template and its values."""

    def __init__(self, template: str, **params: Any) -> None:
        super().__init__(template)
        self.template, self.params = template, params


def _parse(name: str, text: str, kind: type) -> Any:
    """``text`` as a value of ``kind`` (bool, int, float or str)."""
    if kind is bool:
        if text.lower() in _TRUE:
            return True
        if text.lower() in _FALSE:
            return False
        raise _Ignored(
            N_("{name} must be 1 (on) or 0 (off), got {value!r}."), name=name, value=text
        )
    if kind is int:
        try:
            return int(text)
        except ValueError:
            raise _Ignored(
                N_("{name} must be a whole number, got {value!r}."), name=name, value=text
            ) from None
    if kind is float:
        try:
            value = float(text)
        except ValueError:
            value = math.nan
        if not math.isfinite(value):
            raise _Ignored(N_("{name} must be a number, got {value!r}."), name=name, value=text)
        return value
    return text


def _guess(text: str) -> Any:
    """An option's value: a whole number, a number, or the text itself (the option's rule
    checks)."""
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return text


def _in_range(name: str, value: float, low: float, high: float) -> None:
    if not low <= value <= high:
        raise _Ignored(
            N_("{name} must be from {low:g} to {high:g}, got {value:g}."),
            name=name,
            low=low,
            high=high,
            value=value,
        )


def _one_of(name: str, value: Any, allowed: tuple) -> None:
    if value not in allowed:
        raise _Ignored(
            N_("{name} must be one of {allowed}, got {value}."),
            name=name,
            allowed=", ".join(map(_text, allowed)),
            value=value,
        )


def _checked(call: Callable[[], Any]) -> Any:
    """``call()``, with a clfcore rule's refusal turned into the reason a parameter is ignored."""
    try:
        return call()
    except UserInputError as error:
        raise _Ignored(error.template, **error.params) from None


def _read_layers(text: str) -> list[dict]:
    layers = []
    for item in text.split(","):
        kind, *settings = item.split(":")
        layer: dict[str, Any] = {"type": kind.strip()}
        for setting in settings:
            key, _, value = setting.partition("=")
            layer[key.strip()] = _guess(value.strip())
        layers.append(layer)
    _checked(lambda: custom_layers.normalize_custom_layers(layers))
    return layers


def _read_augment(
    text: str, note: Callable[[str, str, _Ignored], None]
) -> tuple[AugmentConfig, bool]:
    config, enabled = COURSE_DEFAULTS, True
    for item in filter(None, (part.strip() for part in text.split(","))):
        try:
            if item in ("on", "off"):
                enabled = item == "on"
                continue
            name, _, value = item.partition(":")
            if name == "flip":
                _one_of("flip", value, tuple(FLIPS))
                horizontal, vertical = FLIPS[value]
                config = config.replace(horizontal_flip=horizontal, vertical_flip=vertical)
                continue
            if name not in AUGMENT_NAMES:
                raise _Ignored(
                    N_("Unknown augmentation setting {name!r}. Known settings: {known}."),
                    name=name,
                    known=", ".join([*AUGMENT_NAMES, "flip", "on", "off"]),
                )
            field_name = AUGMENT_NAMES[name]
            kind = str if field_name == "fill_mode" else float
            parsed = _parse(name, value, kind)
            config = _checked(functools.partial(config.replace, **{field_name: parsed}))
        except _Ignored as why:
            note("aug", item, why)
    return config, enabled


def from_params(
    params: Mapping[str, str],
    *,
    default_dataset: str,
    check_dataset: Callable[[str], object] | None = None,
) -> tuple[Experiment, list[Note]]:
    """The experiment a link's query parameters describe, and a note for each one left out.

    Args:
        params: the experiment's query parameters (the app's own others, such as ``lang``, taken
            out first), e.g. ``{"arch": "lenet", "epochs": "5"}``.
        default_dataset: the dataset when the link names none (or one that cannot be used).
        check_dataset: raises a ``UserInputError`` for a dataset this user may not use (e.g.
            ``functools.partial(clfcore.workspace.access.check_dataset, workspace)``).

    Returns:
        ``(experiment, notes)``: every setting the link does not give (or gives wrongly) is the
        default; the notes say, in order, which parameters were ignored and why.
    """
    notes: list[Note] = []

    def note(param: str, value: str, why: _Ignored) -> None:
        notes.append(Note(param, value, why.template, why.params))

    def read(param: str, convert: Callable[[str], Any]) -> Any:
        if param not in params:
            return None
        try:
            return convert(str(params[param]))
        except _Ignored as why:
            note(param, str(params[param]), why)
            return None

    for param in params:
        if param not in PARAMS and not _is_option(param):
            note(
                param,
                str(params[param]),
                _Ignored(
                    N_("Unknown parameter {name!r}. Known parameters: {known}."),
                    name=param,
                    known=", ".join(PARAMS),
                ),
            )

    def dataset(text: str) -> str:
        _checked(lambda: datasets.get_dataset(text))
        if check_dataset is not None:
            _checked(lambda: check_dataset(text))
        return text

    dataset_id = read("dataset", dataset) or default_dataset
    split = _read_split(read, dataset_id)

    arch_id = read("arch", lambda text: _checked(lambda: architectures.get_architecture(text)).id)
    arch = architectures.get_architecture(arch_id or TrainConfig.architecture)
    # the preset too, as the Model page keeps it (e.g. the recommended CNN's cosine schedule)
    model: dict[str, Any] = {**arch.preset, "architecture": arch.id}
    options = {}
    for param in params:
        if param in PARAMS and param != "layers":
            continue
        if param not in arch.options:
            if _is_option(param):
                note(
                    param,
                    str(params[param]),
                    _Ignored(
                        N_(
                            "The architecture {arch} has no option {name!r}. Its options are: "
                            "{known}."
                        ),
                        arch=arch.id,
                        name=param,
                        known=", ".join(arch.options) or "-",
                    ),
                )
            continue
        value = read(param, functools.partial(_read_option, arch.id, param))
        if value is not None:
            options[param] = value
    model["arch_options"] = {**arch.options, **options}

    defaults = TrainConfig.for_architecture(arch.id)
    training: dict[str, Any] = {}
    for param, name in SETTINGS.items():
        kind = type(getattr(defaults, name))
        value = read(param, functools.partial(_read_setting, arch.id, param, name, kind=kind))
        if value is not None:
            (model if name in MODEL_SETTINGS else training)[name] = value
    for name in MODEL_SETTINGS:
        model.setdefault(name, getattr(defaults, name))

    augment, enabled = COURSE_DEFAULTS, False
    if "aug" in params:
        augment, enabled = _read_augment(str(params["aug"]), note)
    experiment = Experiment(
        dataset=dataset_id,
        split=split,
        model=model,
        training=training,
        augment=augment,
        augment_enabled=enabled,
    )
    return experiment, notes


def _is_option(param: str) -> bool:
    """Whether ``param`` is a builder option of some architecture."""
    return any(param in arch.options for arch in architectures.list_architectures())


def _read_option(arch_id: str, name: str, text: str) -> Any:
    if name == "layers":
        return _read_layers(text)
    value = _checked(lambda: architectures.check_options(arch_id, {name: _guess(text)}))[name]
    if name in OPTION_CHOICES.get(arch_id, {}):
        _one_of(name, value, OPTION_CHOICES[arch_id][name])
    if name in OPTION_RANGES.get(arch_id, {}):
        _in_range(name, value, *OPTION_RANGES[arch_id][name])
    return value


def _read_setting(arch_id: str, param: str, name: str, text: str, kind: type) -> Any:
    value = _parse(param, text, kind)
    # TrainConfig's own rules (optimizer and monitor names, at least 1 epoch, a positive rate...)
    _checked(lambda: TrainConfig.for_architecture(arch_id, **{name: value}))
    if name == "batch_size":
        _one_of(param, value, BATCH_SIZES)
    if name in SETTING_RANGES:
        _in_range(param, value, *SETTING_RANGES[name])
    return value


def _read_split(read: Callable[[str, Callable[[str], Any]], Any], dataset_id: str) -> SplitConfig:
    defaults = SplitConfig()
    info = datasets.get_dataset(dataset_id)

    def validation(text: str) -> float:
        value = _parse("val", text, float)
        _in_range("val", value, *VALIDATION_RANGE)
        return value

    def subset(text: str) -> int | None:
        value = _parse("subset", text, int)
        if value == 0:
            return None
        _checked(lambda: SplitConfig(train_size=value))
        if info.train_count:
            _in_range("subset", value, 2, info.train_count)
        return value

    def seed(text: str) -> int:
        value = _parse("seed", text, int)
        _in_range("seed", value, 0, MAX_SEED)
        return value

    values = {
        "validation_split": read("val", validation),
        "train_size": read("subset", subset),
        "seed": read("seed", seed),
    }
    return dataclasses.replace(defaults, **{k: v for k, v in values.items() if v is not None})
