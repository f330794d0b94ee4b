"""The trainer: one run folder in, a trained model, its history and test metrics out.

Example (writes a run folder under the runs root)::

    run = create_run(TrainConfig(dataset="digits", architecture="mlp", epochs=2))
    summary = train(run)            # blocks; progress goes to the run folder
    summary["test_accuracy"]

Used by ``python -m clfcore train`` - which the app starts as a separate process for every run -
and usable directly from a notebook. Builds and compiles inside a ``tf.distribute`` strategy scope.
"""

from __future__ import annotations

import concurrent.futures
import os
import signal
import threading
import time

from clfcore.config import OPTIMIZER_SPECS, TrainConfig
from clfcore.data import augment, datasets, tasks
from clfcore.errors import UserInputError
from clfcore.i18n import N_
from clfcore.models import architectures, backbones
from clfcore.runs.folder import RunFolder
from clfcore.training import monitor, objectives, resume, schedules

OUT_OF_MEMORY = N_("Out of memory. Use a smaller batch size, a training subset or a smaller model.")
CRASHED = N_("Training failed: {reason}")


class StopFlag:
    """True once the process got SIGTERM/SIGINT or the run folder holds a stop request."""

    CHECK_FILE_EVERY = 0.5

    def __init__(self, run: RunFolder) -> None:
        self.run = run
        self.requested = False
        self._last_check = 0.0

    def install_signal_handlers(self) -> None:
        if threading.current_thread() is not threading.main_thread():
            return  # signal.signal works in the main thread only; a notebook may train from another
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, self._on_signal)

    def _on_signal(self, signum, frame) -> None:
        self.requested = True

    def __call__(self) -> bool:
        now = time.monotonic()
        if not self.requested and now - self._last_check > self.CHECK_FILE_EVERY:
            self._last_check = now
            self.requested = self.run.stop_request_path.exists()
        return self.requested


def check_config(config: TrainConfig) -> datasets.DatasetInfo:
    """Refuse settings that cannot train, before anything heavy starts. Returns the dataset's
    info."""
    info = datasets.get_dataset(config.dataset)
    state = datasets.availability(config.dataset)
    if not state.available:
        raise state.error()
    architectures.get_architecture(config.architecture)
    if config.task and config.task != info.task:
        raise UserInputError(
            "This run is set up for a {task} task but {name} is a {found} dataset. Choose "
            "the dataset again on the Dataset page.",
            task=config.task,
            name=info.name,
            found=info.task,
        )
    tasks.check_class_weight(config.class_weight, info.task)
    if config.architecture in architectures.TRANSFER_IDS:
        _check_backbone_weights(config)
    train_images = config.train_size or info.train_count
    train_images = int(round(train_images * (1 - config.validation_split)))
    if config.batch_size > train_images:
        raise UserInputError(
            "The batch size ({batch}) is larger than the training set ({count} images). "
            "Choose a batch size of {count} or less.",
            batch=config.batch_size,
            count=train_images,
        )
    return info


def _check_backbone_weights(config: TrainConfig) -> None:
    """The ImageNet weights must be on this machine (downloaded now when online) before a transfer
    run starts."""
    options = {**architectures.get_architecture(config.architecture).options, **config.arch_options}
    if options["weights"] == "imagenet":
        # returns at once when already there
        backbones.download_weights(config.architecture, options["image_size"])


def fine_tune_settings(config: TrainConfig) -> tuple[int, int, float]:
    """``(layers to unfreeze, epochs, learning rate)`` of a transfer run's second stage; (0, 0, 0.0)
    if none."""
    if config.architecture not in architectures.TRANSFER_IDS:
        return 0, 0, 0.0
    options = {**architectures.get_architecture(config.architecture).options, **config.arch_options}
    layers, epochs = options["fine_tune_layers"], options["fine_tune_epochs"]
    if not layers or not epochs:
        return 0, 0, 0.0
    return layers, epochs, config.learning_rate * options["fine_tune_lr_factor"]


def unfreeze_top_layers(model, backbone_id: str, count: int) -> int:
    """Make the backbone's last ``count`` layers trainable, batch normalisation excepted; returns
    the trainable parameters.

    Batch normalisation stays frozen (in inference mode), as the Keras fine-tuning guide advises:
    its statistics come from ImageNet and a small batch would wreck them.
    """
    import keras

    backbone = model.get_layer(backbone_id)
    backbone.trainable = True
    for index, layer in enumerate(backbone.layers):
        layer.trainable = index >= len(backbone.layers) - count and not isinstance(
            layer, keras.layers.BatchNormalization
        )
    return sum(int(keras.ops.size(w)) for w in model.trainable_weights)


def make_strategy(name: str):
    """The tf.distribute strategy: MirroredStrategy over several GPUs (or when asked), else the
    default."""
    import tensorflow as tf

    gpus = [device.name for device in tf.config.list_logical_devices("GPU")]
    if name == "mirrored" or (name == "auto" and len(gpus) > 1):
        # without GPUs, mirror over the logical CPU devices (how the tests exercise this path)
        return tf.distribute.MirroredStrategy(
            devices=gpus or [device.name for device in tf.config.list_logical_devices("CPU")]
        )
    return tf.distribute.get_strategy()


def make_optimizer(config: TrainConfig):
    """The Keras optimizer ``config.optimizer`` names (``clfcore.config.OPTIMIZER_SPECS``)."""
    import keras

    spec = OPTIMIZER_SPECS[config.optimizer]
    momentum = {"momentum": config.momentum} if spec.uses_momentum else {}
    return getattr(keras.optimizers, spec.keras_class)(
        learning_rate=config.learning_rate, **momentum
    )


def build_compiled_model(config: TrainConfig, info: datasets.DatasetInfo):
    """The architecture for ``info``'s shape, compiled with the config's optimizer and the task's
    loss (``clfcore.data.tasks``)."""
    model = architectures.build_model(
        config.architecture,
        info.image_shape,
        info.num_classes,
        task=info.task,
        options=config.arch_options,
        coarse_classes=len(info.coarse_names) or None,
    )
    model.compile(optimizer=make_optimizer(config), **objectives.compile_arguments(config, info))
    return model


def _keras_callbacks(config: TrainConfig, run: RunFolder) -> list:
    # here, not at the top: these load Keras, and importing clfcore must not load TensorFlow
    import keras

    from clfcore.training.callbacks import BestModelKeeper

    # the trainer writes the kept model once, after its last stage (BestModelKeeper.finish)
    callbacks = [
        BestModelKeeper(run.model_path, monitor=config.checkpoint_monitor, save_at_end=False)
    ]
    if config.early_stopping:
        callbacks.append(
            keras.callbacks.EarlyStopping(
                monitor=config.early_stopping_monitor,
                patience=config.early_stopping_patience,
                restore_best_weights=config.restore_best_weights,
            )
        )
    if config.lr_schedule == "plateau":
        callbacks.append(
            keras.callbacks.ReduceLROnPlateau(
                monitor="val_loss", factor=config.lr_decay, patience=config.lr_patience
            )
        )
    elif config.lr_schedule != "none":
        callbacks.append(
            keras.callbacks.LearningRateScheduler(
                lambda epoch, lr: schedules.learning_rate_at(config, epoch)
            )
        )
    if config.tensorboard:
        callbacks.append(keras.callbacks.TensorBoard(log_dir=str(run.path / "tensorboard")))
    return callbacks


def train(run: RunFolder, *, stop_flag: StopFlag | None = None, callbacks: tuple = ()) -> dict:
    """Train the run described by ``run``'s config.json; write history, model and metrics into it.

    Returns:
        The summary also written to metrics.json: the task's test figures (test_accuracy, test_loss;
        ``clfcore.runs.figures`` for multi-label and hierarchical runs), task, epochs_run,
        best_epoch (the epoch model.keras holds, ``clfcore.training.monitor``), train_seconds,
        stopped, total_params.

    Raises:
        UserInputError: the settings cannot train (the run is marked failed with the message).
    """
    config = run.config()
    stop_flag = stop_flag or StopFlag(run)
    run.set_status(
        "running", pid=os.getpid(), started=time.strftime("%Y-%m-%dT%H:%M:%S"), message=None
    )
    info = check_config(config)

    # The arrays are read and split while TensorFlow loads: its import is mostly Python, numpy's
    # decoding and conversions release the GIL, so on two cores the run starts that much sooner.
    # (The splits draw from their own seeded generators, not from the global ones seeded below.)
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        loading = pool.submit(datasets.load_splits, config.dataset, config.split)
        # here, not at the top: these load TensorFlow, which only a training process needs
        import keras
        import tensorflow as tf

        from clfcore.training import pipeline
        from clfcore.training.callbacks import ProgressCallback, callback_list

        keras.utils.set_random_seed(config.seed)
        if tf.config.list_logical_devices("GPU"):
            # GPU kernels (cuDNN, atomics) may add in any order; CPU kernels, with the seed set,
            # already give the same metrics run after run (tests/test_trainer.py checks it), and
            # the flag would cost them about 8 %.
            tf.config.experimental.enable_op_determinism()
        splits = loading.result()
    with make_strategy(config.strategy).scope():
        # a continued run trains on from its parent's model and optimizer state
        model = (
            _start_model(run, config, info) if config.parent else build_compiled_model(config, info)
        )
        augmentation = augmentation_layer(config)
        # the training split only: the arrays as they are, or augmented batches when augmentation is
        # on (clfcore.training.pipeline)
        fitted, train_inputs = pipeline.fit_inputs(
            model, splits, batch_size=config.batch_size, seed=config.seed, augmentation=augmentation
        )
    # a continued run trains its own epochs only: the parent already had its second stage
    fine_tune_layers, fine_tune_epochs, fine_tune_lr = (
        (0, 0, 0.0) if config.parent else fine_tune_settings(config)
    )
    first = config.initial_epoch  # the epochs are numbered on from the parent's
    progress = ProgressCallback(
        run,
        num_samples=len(splits.x_train),
        stop_flag=stop_flag,
        total_epochs=config.epochs + fine_tune_epochs,
        first_epoch=first,
    )
    keras_callbacks = _keras_callbacks(config, run)
    # hierarchical: the fine level's accuracy is also logged as "accuracy", so every callback can
    # monitor it
    aliases = [objectives.fine_level_logs()] if info.task == "hierarchical" else []
    # None unless class_weight="balanced"
    class_weight = tasks.fit_class_weights(config, info, splits)
    started = time.monotonic()
    fitted.fit(
        **train_inputs,
        validation_data=(splits.x_val, splits.y_val),  # never augmented
        initial_epoch=first,
        epochs=first + config.epochs,
        verbose=0,
        class_weight=class_weight,
        callbacks=callback_list(
            [*aliases, progress, *keras_callbacks, *callbacks],
            model=fitted,
            epochs=first + config.epochs,
            steps=pipeline.batches_per_epoch(train_inputs),
        ),
    )
    if fine_tune_layers and not progress.stopped_by_user and not stop_flag():
        # Second stage (transfer learning): unfreeze the backbone's top layers, train on with a
        # lower learning rate.
        with make_strategy(config.strategy).scope():
            unfreeze_top_layers(model, config.architecture, fine_tune_layers)
            model.compile(
                optimizer=make_optimizer(config.replace(learning_rate=fine_tune_lr)),
                **objectives.compile_arguments(config, info),
            )
            # augmentation inside the model: wrap the recompiled model again
            if fitted is not model:
                fitted, train_inputs = pipeline.fit_inputs(
                    model,
                    splits,
                    batch_size=config.batch_size,
                    seed=config.seed,
                    augmentation=augmentation,
                    placement="model",
                )
        keeper = keras_callbacks[0]  # the best model of both stages is the one kept
        last_epoch = first + len(progress.rows) + fine_tune_epochs
        fitted.fit(
            **train_inputs,
            validation_data=(splits.x_val, splits.y_val),
            initial_epoch=first + len(progress.rows),
            epochs=last_epoch,
            verbose=0,
            class_weight=class_weight,
            callbacks=callback_list(
                [*aliases, progress, keeper, *callbacks],
                model=fitted,
                epochs=last_epoch,
                steps=pipeline.batches_per_epoch(train_inputs),
            ),
        )
    train_seconds = time.monotonic() - started
    # model.keras gets the kept epoch, and so does the model in memory (its weights are shared with
    # ``fitted``): the test metrics are those of the file, without reading it back
    keras_callbacks[0].finish()
    (run.path / resume.START_MODEL).unlink(missing_ok=True)  # the parent keeps its own model
    scores = objectives.test_metrics(
        model,
        splits,
        batch_size=max(config.batch_size, 256),
        task=info.task,
        threshold=config.threshold,
    )
    summary: dict[str, object] = {  # metrics.json: JSON values of several types
        **scores,  # the task's test figures, named as clfcore.runs.figures says
        "task": info.task,
        "epochs_run": len(progress.rows),
        "best_epoch": monitor.best_epoch(progress.rows, config.checkpoint_monitor),
        "train_seconds": round(train_seconds, 2),
        "stopped": progress.stopped_by_user,
        "total_params": int(model.count_params()),
    }
    if class_weight is not None:
        summary["class_weights"] = {
            info.class_names[c]: round(w, 4) for c, w in class_weight.items()
        }
    run.write_metrics(summary)
    run.set_status(
        "stopped" if progress.stopped_by_user else "completed",
        finished=time.strftime("%Y-%m-%dT%H:%M:%S"),
    )
    return summary


def _start_model(run: RunFolder, config: TrainConfig, info: datasets.DatasetInfo):
    """A continued run's start: the parent's model with its optimizer state (a .keras file keeps
    both), from the copy in the run folder (``resume.START_MODEL``) or else the parent's own file.
    A learning rate that differs from the parent's is set on the loaded optimizer."""
    import keras  # here, not at the top: a training process only

    path = run.path / resume.START_MODEL
    model = keras.saving.load_model(path if path.is_file() else resume.start_model_of(run))
    parent = resume.parent_of(run)
    parent_rate = parent.config().learning_rate if parent and parent.config_path.is_file() else None
    if model.optimizer is None:  # saved without its optimizer: a fresh one, same settings
        model.compile(
            optimizer=make_optimizer(config), **objectives.compile_arguments(config, info)
        )
    elif parent_rate is not None and config.learning_rate != parent_rate:
        model.optimizer.learning_rate = config.learning_rate
    return model


def augmentation_layer(config: TrainConfig):
    """The run's augmentation layer (clfcore.data.augment), or None when its config has no
    augmentation."""
    settings = augment.AugmentConfig.from_dict(config.augmentation) if config.augmentation else None
    return (
        augment.build_augmentation(settings, seed=config.seed)
        if settings is not None and settings.active
        else None
    )


def run_in_this_process(run: RunFolder, *, callbacks: tuple = ()) -> dict:
    """Entry point of a training process: train, and turn every failure into a failed status with a
    reason."""
    stop_flag = StopFlag(run)
    stop_flag.install_signal_handlers()
    try:
        return train(run, stop_flag=stop_flag, callbacks=callbacks)
    except UserInputError as error:
        run.set_status(
            "failed", message=error.template, params={k: str(v) for k, v in error.params.items()}
        )
        raise
    except MemoryError:
        run.set_status("failed", message=OUT_OF_MEMORY, params={})
        raise
    # any other crash is recorded as the run's failure reason, then re-raised
    except Exception as error:
        name = type(error).__name__
        if name == "ResourceExhaustedError":
            run.set_status("failed", message=OUT_OF_MEMORY, params={})
        else:
            run.set_status("failed", message=CRASHED, params={"reason": f"{name}: {error}"[:500]})
        raise
