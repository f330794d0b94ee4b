"""The trainer on tiny data: what it writes, reproducibility, stop, callbacks, refusals,
failures."""

import json
import subprocess
import sys
import textwrap

import pytest

from clfcore.config import OPTIMIZER_SPECS, OPTIMIZERS, TrainConfig
from clfcore.errors import DatasetUnavailableError, UserInputError
from clfcore.runs.folder import create_run
from clfcore.training import schedules, trainer

TINY = dict(dataset="digits", architecture="mlp", train_size=300, batch_size=32, epochs=2, seed=3)


def test_a_run_writes_history_model_metrics_and_status(isolated_roots):
    run = create_run(TrainConfig(**TINY))
    summary = trainer.train(run)
    assert run.status()["status"] == "completed"
    history = run.history()
    assert [row["epoch"] for row in history] == [1.0, 2.0]
    assert {"loss", "accuracy", "val_loss", "val_accuracy", "learning_rate"} <= set(history[0])
    assert run.model_path.is_file()
    assert (
        json.loads((run.path / "metrics.json").read_text())["test_accuracy"]
        == summary["test_accuracy"]
    )
    assert (
        0.3 < summary["test_accuracy"] <= 1.0
        and summary["epochs_run"] == 2
        and not summary["stopped"]
    )
    progress = run.progress()
    assert progress["fraction"] == 1.0 and progress["epoch"] == 2 and progress["batches"] == 8


@pytest.mark.parametrize("architecture", ["mlp", "recommended"])
def test_same_seed_same_metrics(isolated_roots, architecture):
    # On the CPU this holds without TensorFlow's op-determinism flag (the trainer sets it only for
    # GPUs).
    runs = [create_run(TrainConfig(**{**TINY, "architecture": architecture})) for _ in range(2)]
    first, second = (trainer.train(run) for run in runs)
    assert (
        first["test_accuracy"] == second["test_accuracy"]
        and first["test_loss"] == second["test_loss"]
    )
    assert [r["loss"] for r in runs[0].history()] == [r["loss"] for r in runs[1].history()]


def test_same_seed_same_metrics_with_augmentation(isolated_roots):
    from clfcore.data.augment import AugmentConfig

    settings = AugmentConfig(horizontal_flip=False, noise=0.05, erasing=0.5).to_dict()
    runs = [create_run(TrainConfig(**TINY, augmentation=settings)) for _ in range(2)]
    first, second = (trainer.train(run) for run in runs)
    assert (
        first["test_accuracy"] == second["test_accuracy"]
        and first["test_loss"] == second["test_loss"]
    )
    assert [(r["loss"], r["val_loss"]) for r in runs[0].history()] == [
        (r["loss"], r["val_loss"]) for r in runs[1].history()
    ]
    # the Runs page can tell the runs apart
    assert json.loads((runs[0].path / "config.json").read_text())["augmentation"] == settings
    plain = trainer.train(create_run(TrainConfig(**TINY)))
    assert plain["test_loss"] != first["test_loss"]  # the augmentation did change the training


def test_stop_ends_after_the_current_batch_and_keeps_the_model(isolated_roots):
    run = create_run(TrainConfig(**{**TINY, "epochs": 20}))
    flag = trainer.StopFlag(run)
    flag.requested = True
    summary = trainer.train(run, stop_flag=flag)
    assert run.status()["status"] == "stopped" and summary["stopped"]
    assert summary["epochs_run"] <= 1 and run.model_path.is_file()
    assert run.progress()["batch"] == 1


def test_stop_file_is_a_stop_request(isolated_roots):
    run = create_run(TrainConfig(**TINY))
    flag = trainer.StopFlag(run)
    assert not flag()
    run.stop_request_path.touch()
    flag._last_check = 0
    assert flag()


def test_learning_rate_schedule_and_early_stopping_are_applied(isolated_roots):
    config = TrainConfig(
        **{
            **TINY,
            "epochs": 4,
            "lr_schedule": "step",
            "lr_step_epochs": 2,
            "lr_decay": 0.5,
            "early_stopping": True,
            "early_stopping_patience": 10,
        }
    )
    run = create_run(config)
    trainer.train(run)
    rates = [row["learning_rate"] for row in run.history()]
    assert rates == pytest.approx(schedules.preview(config), rel=1e-5)
    assert rates == pytest.approx([0.001, 0.001, 0.0005, 0.0005], rel=1e-5)


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"epochs": 0}, "Epochs must be at least 1"),
        ({"learning_rate": 0}, "learning rate must be greater than 0"),
        ({"learning_rate": -1}, "learning rate must be greater than 0"),
        ({"optimizer": "adamm"}, "Unknown optimizer 'adamm'"),
        ({"early_stopping_patience": -1}, "early_stopping_patience must be at least 0 .*got -1"),
        ({"lr_patience": -2}, "lr_patience must be at least 0 .*got -2"),
        ({"lr_step_epochs": 0}, "lr_step_epochs must be at least 1 .*got 0"),
    ],
)
def test_bad_settings_are_refused_before_training(settings, message):
    with pytest.raises(UserInputError, match=message):
        TrainConfig(**{**TINY, **settings})


def test_batch_larger_than_the_training_set_is_refused(isolated_roots):
    with pytest.raises(
        UserInputError, match=r"batch size \(512\) is larger than the training set \(240 images\)"
    ):
        trainer.check_config(TrainConfig(**{**TINY, "batch_size": 512}))


def test_an_unavailable_dataset_is_refused_with_how_to_fix(isolated_roots):
    with pytest.raises(DatasetUnavailableError, match="python -m clfcore download cifar10"):
        trainer.check_config(TrainConfig(**{**TINY, "dataset": "cifar10"}))


def test_a_failure_marks_the_run_failed_with_the_reason(isolated_roots, monkeypatch):
    # keep pytest's Ctrl-C
    monkeypatch.setattr(trainer.StopFlag, "install_signal_handlers", lambda self: None)
    run = create_run(TrainConfig(**{**TINY, "batch_size": 512}))
    with pytest.raises(UserInputError):
        trainer.run_in_this_process(run)
    status = run.status()
    assert status["status"] == "failed" and "larger than the training set" in status["message"]
    assert status["params"]["batch"] == "512"


def test_mirrored_strategy_on_two_logical_cpus_trains(tmp_path):
    code = textwrap.dedent(
        f"""
        import os, json
        os.environ["CLFCORE_RUNS_DIR"] = {str(tmp_path)!r}
        import tensorflow as tf
        cpu = tf.config.list_physical_devices("CPU")[0]
        two = [tf.config.LogicalDeviceConfiguration()] * 2
        tf.config.set_logical_device_configuration(cpu, two)
        from clfcore.training import trainer
        from clfcore.config import TrainConfig
        from clfcore.runs.folder import create_run
        strategy = trainer.make_strategy("mirrored")
        config = TrainConfig(
            dataset="digits", architecture="mlp", train_size=200, batch_size=32, epochs=1,
            strategy="mirrored",
        )
        summary = trainer.train(create_run(config))
        replicas = strategy.num_replicas_in_sync
        print(json.dumps({{"replicas": replicas, "accuracy": summary["test_accuracy"]}}))
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr[-2000:]
    out = json.loads(result.stdout.strip().splitlines()[-1])
    assert out["replicas"] == 2 and out["accuracy"] > 0.1


def test_the_kept_model_is_the_best_epoch_and_written_atomically(tmp_path):
    import keras
    import numpy as np

    from clfcore.training.callbacks import BestModelKeeper

    keras.utils.set_random_seed(0)
    x, y = np.random.rand(64, 4).astype("float32"), np.random.randint(0, 2, 64)
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2, activation="softmax")])
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    folder = tmp_path / "run"
    folder.mkdir()
    keeper = BestModelKeeper(folder / "model.keras", monitor="val_loss", save_every_seconds=3600)
    history = model.fit(x, y, validation_data=(x, y), epochs=4, verbose=0, callbacks=[keeper])
    assert keeper.best == min(history.history["val_loss"])
    saved = keras.saving.load_model(folder / "model.keras")
    for kept, loaded in zip(keeper.best_weights, saved.get_weights()):
        np.testing.assert_allclose(kept, loaded)
    assert [p.name for p in folder.iterdir()] == ["model.keras"]  # no temporary file left behind


def test_transfer_learning_trains_the_head_then_fine_tunes_the_top_layers(isolated_roots):
    options = {
        "weights": "random",
        "image_size": 32,
        "fine_tune_layers": 5,
        "fine_tune_epochs": 1,
        "fine_tune_lr_factor": 0.1,
    }
    config = TrainConfig(
        dataset="digits",
        architecture="mobilenetv2",
        train_size=120,
        batch_size=32,
        epochs=1,
        seed=1,
        arch_options=options,
    )
    run = create_run(config)
    summary = trainer.train(run)
    history = run.history()
    assert summary["epochs_run"] == 2 and [row["epoch"] for row in history] == [1.0, 2.0]
    assert history[1]["learning_rate"] == pytest.approx(history[0]["learning_rate"] * 0.1)
    assert run.progress()["epochs"] == 2 and run.progress()["fraction"] == 1.0
    assert trainer.fine_tune_settings(config) == (5, 1, pytest.approx(config.learning_rate * 0.1))


def test_unfreezing_keeps_batch_normalisation_frozen():
    from clfcore.models import architectures

    model = architectures.build_model(
        "mobilenetv2", (32, 32, 3), 4, options={"weights": "random", "image_size": 32}
    )
    before = sum(int(w.numpy().size) for w in model.trainable_weights)
    after = trainer.unfreeze_top_layers(model, "mobilenetv2", 10)
    backbone = model.get_layer("mobilenetv2")
    assert after > before
    assert not any(layer.trainable for layer in backbone.layers[:-10])
    assert not any(
        layer.trainable for layer in backbone.layers if type(layer).__name__ == "BatchNormalization"
    )


def test_transfer_without_weights_offline_is_refused_before_training(isolated_roots, monkeypatch):
    import keras

    monkeypatch.setattr(
        keras.utils, "get_file", lambda *a, **k: (_ for _ in ()).throw(OSError("no network"))
    )
    with pytest.raises(UserInputError, match="random weights"):
        trainer.check_config(TrainConfig(dataset="digits", architecture="resnet50"))


def test_on_a_tie_the_kept_model_metrics_and_evaluate_page_name_the_same_epoch(isolated_roots):
    import keras
    import numpy as np

    from clfcore.evaluation import scoring

    weights = []  # every epoch's weights, to see which one model.keras holds

    class Weights(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            weights.append(self.model.get_weights())

    # a step so small that the weights move but no validation image changes its class: a tie
    config = TrainConfig(**{**TINY, "epochs": 3, "optimizer": "sgd", "learning_rate": 1e-6})
    run = create_run(config)
    summary = trainer.train(run, callbacks=(Weights(),))
    history = run.history()
    assert len({row["val_accuracy"] for row in history}) == 1  # the premise: every epoch ties
    assert not np.array_equal(weights[0][0], weights[-1][0])
    kept = keras.saving.load_model(run.model_path).get_weights()
    held = [
        e + 1 for e, w in enumerate(weights) if all(np.array_equal(a, b) for a, b in zip(w, kept))
    ]
    assert held == [1]  # the first of equal epochs, as Keras's ModelCheckpoint keeps it
    assert summary["best_epoch"] == run.metrics()["best_epoch"] == 1
    assert scoring.best_epoch(history, config.checkpoint_monitor) == 1


@pytest.mark.parametrize("name", OPTIMIZERS)
def test_every_optimizer_in_the_table_builds_its_keras_class(name):
    spec = OPTIMIZER_SPECS[name]
    optimizer = trainer.make_optimizer(
        TrainConfig(optimizer=name, learning_rate=0.01, momentum=0.5)
    )
    assert type(optimizer).__name__ == spec.keras_class
    assert float(optimizer.learning_rate) == pytest.approx(0.01)
    if spec.uses_momentum:
        assert optimizer.momentum == pytest.approx(0.5)


def test_the_first_trained_batch_is_timestamped_in_the_progress(isolated_roots):
    import time

    run = create_run(TrainConfig(**TINY))
    queued_at = run.status()["queued_at"]
    trainer.train(run)
    first = run.progress()["first_batch_at"]
    assert isinstance(first, float) and queued_at <= first <= time.time()
    assert run.startup_seconds() == pytest.approx(first - queued_at)
