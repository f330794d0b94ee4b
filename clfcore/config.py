"""The one flat, frozen description of a training run; saved as the run's config.json.

    >>> TrainConfig(dataset="digits", architecture="mlp", epochs=3).to_json()["epochs"]
    3

Defaults that depend on the architecture (optimizer, learning rate, batch size, epochs) come from
its preset (``clfcore.models.architectures``); ``TrainConfig.for_architecture`` fills them in.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

from clfcore.data.augment import AugmentConfig
from clfcore.data.splits import SplitConfig
from clfcore.data.tasks import CLASS_WEIGHTS, TASKS
from clfcore.errors import UserInputError
from clfcore.i18n import N_
from clfcore.models.architectures import get_architecture


@dataclass(frozen=True)
class OptimizerSpec:
    """How an optimizer name in ``TrainConfig.optimizer`` becomes a Keras optimizer.

    The trainer builds ``getattr(keras.optimizers, keras_class)(learning_rate=...,
    [momentum=...])``, the exported script prints the same call, and the Model page shows
    ``keras_class`` as the label.
    """

    keras_class: str  # class name in keras.optimizers, also the label people know it by
    uses_momentum: bool = False  # passes TrainConfig.momentum


OPTIMIZER_SPECS: dict[str, OptimizerSpec] = {
    "sgd": OptimizerSpec("SGD", uses_momentum=True),
    "rmsprop": OptimizerSpec("RMSprop"),
    "adam": OptimizerSpec("Adam"),
    "adamw": OptimizerSpec("AdamW"),
    "nadam": OptimizerSpec("Nadam"),
    "adagrad": OptimizerSpec("Adagrad"),
    "adadelta": OptimizerSpec("Adadelta"),
    "adamax": OptimizerSpec("Adamax"),
    "lion": OptimizerSpec("Lion"),
}
OPTIMIZERS = tuple(OPTIMIZER_SPECS)
# id -> the name the Train page shows (clfcore.training.schedules builds each)
LR_SCHEDULE_NAMES = {
    "none": N_("constant"),
    "step": N_("step decay"),
    "exponential": N_("exponential decay"),
    "cosine": N_("cosine decay"),
    "plateau": "ReduceLROnPlateau",
}
LR_SCHEDULES = tuple(LR_SCHEDULE_NAMES)
MONITORS = ("val_loss", "val_accuracy", "loss", "accuracy")
STRATEGIES = ("auto", "default", "mirrored")


@dataclass(frozen=True)
class TrainConfig:
    """Everything that decides what a training run does. Plain types only, so it is JSON."""

    dataset: str = "digits"  # dataset id (clfcore.data.datasets)
    architecture: str = "mlp"  # architecture id (clfcore.models.architectures)
    # builder options, e.g. {"units": 256}
    arch_options: dict[str, Any] = field(default_factory=dict, hash=False)
    epochs: int = 10  # passes over the training set
    batch_size: int = 128  # images per gradient step
    optimizer: str = "rmsprop"  # one of OPTIMIZERS
    learning_rate: float = 0.001  # step size of the optimizer
    momentum: float = 0.9  # SGD only
    # fraction of training images held out for validation (course: 20 %)
    validation_split: float = SplitConfig.validation_split
    train_size: int | None = None  # stratified subset of N training images; None = all
    one_hot: bool = True  # one-hot labels + categorical cross-entropy (course) or integers + sparse
    seed: int = SplitConfig.seed  # same seed and settings -> same metrics on the CPU
    early_stopping: bool = False  # stop when `monitor` stops improving
    early_stopping_monitor: str = "val_loss"
    early_stopping_patience: int = 3  # epochs without improvement before stopping
    restore_best_weights: bool = True
    checkpoint_monitor: str = "val_accuracy"  # model.keras keeps the best epoch by this metric
    lr_schedule: str = "none"  # one of LR_SCHEDULES
    lr_step_epochs: int = 5  # step decay: multiply by lr_decay every this many epochs
    lr_decay: float = 0.5  # step and exponential decay factor; ReduceLROnPlateau factor
    lr_patience: int = 2  # ReduceLROnPlateau: epochs without improvement before reducing
    tensorboard: bool = False  # write TensorBoard logs to the run folder
    strategy: str = "auto"  # tf.distribute: auto = mirrored when several GPUs are visible
    # clfcore.data.augment settings (empty = none)
    augmentation: dict[str, Any] = field(default_factory=dict, hash=False)
    run_name: str = ""  # optional human name shown beside the run id
    # the dataset's task (binary, multiclass, multilabel, hierarchical), recorded for readers;
    # "" = the dataset's own
    task: str = ""
    # "balanced": weigh each class by n_images / (n_classes * its images) in the loss
    class_weight: str = "none"
    # multi-label: a label is predicted when its probability is at least this
    threshold: float = 0.5
    # hierarchical: weight of the coarse head's cross-entropy in the loss
    coarse_loss_weight: float = 1.0
    fine_loss_weight: float = 1.0  # hierarchical: weight of the fine head's cross-entropy
    # continued training (clfcore.training.resume): the run id this run trains on from, in the
    # same workspace folder; "" = a fresh model
    parent: str = ""
    # the epoch number of the parent's kept model: this run's epochs are
    # initial_epoch + 1 .. initial_epoch + epochs
    initial_epoch: int = 0

    def __post_init__(self) -> None:
        if self.epochs < 1:
            raise UserInputError(
                "Epochs must be at least 1, got {value}. Train for 1 or more passes over the data.",
                value=self.epochs,
            )
        if self.batch_size < 1:
            raise UserInputError(
                "The batch size must be at least 1, got {value}.", value=self.batch_size
            )
        if not self.learning_rate > 0:
            raise UserInputError(
                "The learning rate must be greater than 0, got {value}. Typical values "
                "are 0.0001 to 0.01.",
                value=self.learning_rate,
            )
        for name, value, allowed in (
            ("optimizer", self.optimizer, OPTIMIZERS),
            ("lr_schedule", self.lr_schedule, LR_SCHEDULES),
            ("early_stopping_monitor", self.early_stopping_monitor, MONITORS),
            ("checkpoint_monitor", self.checkpoint_monitor, MONITORS),
            ("strategy", self.strategy, STRATEGIES),
            ("class_weight", self.class_weight, CLASS_WEIGHTS),
        ):
            if value not in allowed:
                raise UserInputError(
                    "Unknown {name} {value!r}. Choose one of: {allowed}.",
                    name=name,
                    value=value,
                    allowed=", ".join(allowed),
                )
        for setting, epochs, lowest in (
            ("early_stopping_patience", self.early_stopping_patience, 0),
            ("lr_patience", self.lr_patience, 0),
            ("lr_step_epochs", self.lr_step_epochs, 1),
        ):
            if epochs < lowest:
                raise UserInputError(
                    "{name} must be at least {lowest} (epochs), got {value}.",
                    name=setting,
                    lowest=lowest,
                    value=epochs,
                )
        if not 0 < self.lr_decay < 1:
            raise UserInputError(
                "The decay factor must be between 0 and 1 (for example 0.5), got {value}.",
                value=self.lr_decay,
            )
        _ = self.split  # validates validation_split and train_size
        if self.task and self.task not in TASKS:
            raise UserInputError(
                "Unknown task {task!r}. Choose one of: {known}.",
                task=self.task,
                known=", ".join(TASKS),
            )
        if not 0.0 < self.threshold < 1.0:
            raise UserInputError(
                "The decision threshold must be between 0 and 1 (for example 0.5), got {value}.",
                value=self.threshold,
            )
        if (
            min(self.coarse_loss_weight, self.fine_loss_weight) < 0
            or self.coarse_loss_weight + self.fine_loss_weight <= 0
        ):
            raise UserInputError(
                "The loss weights must be 0 or more and not both 0, got coarse {coarse} "
                "and fine {fine}.",
                coarse=self.coarse_loss_weight,
                fine=self.fine_loss_weight,
            )
        if self.initial_epoch < 0:
            raise UserInputError(
                "The first epoch of a continued run must be 0 or more, got {value}.",
                value=self.initial_epoch,
            )
        if self.initial_epoch > 0 and not self.parent:
            raise UserInputError(
                "A run that starts at epoch {value} must name the run it continues (parent). "
                "Continue a run from the Runs or Evaluate page, or with "
                "python -m clfcore train --resume RUN.",
                value=self.initial_epoch,
            )
        if self.augmentation:
            # refuses unknown settings and values out of range
            AugmentConfig.from_dict(self.augmentation)

    @property
    def split(self) -> SplitConfig:
        return SplitConfig(
            validation_split=self.validation_split,
            train_size=self.train_size,
            seed=self.seed,
            one_hot=self.one_hot,
        )

    def to_json(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> TrainConfig:
        """Rebuild a config from config.json; unknown keys (from newer versions) are ignored."""
        names = {f.name for f in dataclasses.fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in names})

    @classmethod
    def for_architecture(cls, architecture: str, **settings: Any) -> TrainConfig:
        """A config whose optimizer, learning rate, batch size and epochs default to the
        architecture's preset."""
        preset = {
            k: v
            for k, v in get_architecture(architecture).preset.items()
            if k in {f.name for f in dataclasses.fields(cls)}
        }
        chosen = {k: v for k, v in settings.items() if v is not None}
        return cls(architecture=architecture, **{**preset, **chosen})

    def replace(self, **changes: Any) -> TrainConfig:
        return dataclasses.replace(self, **changes)
