"""The tf.data training pipeline: batches, shuffling, seeds; augmentation on the training split
only."""

import keras
import numpy as np
import pytest

from clfcore.config import TrainConfig
from clfcore.data import augment
from clfcore.data.augment import COURSE_DEFAULTS, AugmentConfig
from clfcore.data.splits import DatasetSplits
from clfcore.runs.folder import create_run
from clfcore.training import pipeline, trainer

# no augmented image can equal its original
LOUD = AugmentConfig(horizontal_flip=False, noise=0.2, erasing=1.0)


def _data(n=50, shape=(6, 6, 1)):
    x = np.random.default_rng(0).random((n, *shape), dtype=np.float32)
    return x, np.arange(n)  # label = row index, so every batch says which images it holds


def _epoch(dataset):
    return [(np.asarray(x), np.asarray(y)) for x, y in dataset]


def test_every_image_once_per_epoch_in_a_new_order_each_epoch():
    x, y = _data()
    dataset = pipeline.training_dataset(x, y, batch_size=16, seed=1)
    first, second = _epoch(dataset), _epoch(dataset)
    assert [len(b) for _, b in first] == [16, 16, 16, 2]
    for batches in (first, second):
        order = np.concatenate([b for _, b in batches])
        assert sorted(order) == list(range(50))
        # not augmented
        np.testing.assert_array_equal(np.concatenate([a for a, _ in batches]), x[order])
    assert not np.array_equal(
        np.concatenate([b for _, b in first]), np.concatenate([b for _, b in second])
    )


def test_the_same_seed_gives_the_same_batches_and_draws():
    x, y = _data()
    layer = augment.build_augmentation(LOUD)
    runs = [
        [
            _epoch(pipeline.training_dataset(x, y, batch_size=16, seed=4, augmentation=layer))
            for _ in range(1)
        ]
        for _ in range(2)
    ]
    for (xa, ya), (xb, yb) in zip(runs[0][0], runs[1][0]):
        np.testing.assert_array_equal(ya, yb)
        np.testing.assert_array_equal(xa, xb)
    other = _epoch(pipeline.training_dataset(x, y, batch_size=16, seed=5, augmentation=layer))
    assert not np.array_equal(other[0][1], runs[0][0][0][1])


def test_every_batch_is_the_layer_applied_with_that_batch_s_seed():
    """The training pipeline calls the very layer the preview calls: same images, same seed, same
    pixels."""
    x, y = _data()
    layer = augment.build_augmentation(AugmentConfig(shear_range=10, noise=0.05, erasing=0.5))
    batches = _epoch(pipeline.training_dataset(x, y, batch_size=16, seed=9, augmentation=layer))
    seeds = pipeline.batch_seeds(9, len(batches))
    for (images, labels), seed in zip(batches, seeds):
        expected = layer(x[labels], training=True, seed=seed)
        np.testing.assert_allclose(images, np.asarray(expected), atol=1e-6)
        assert not np.allclose(images, x[labels])


def test_augmentation_draws_change_from_epoch_to_epoch():
    x, y = _data(32)
    dataset = pipeline.training_dataset(
        x, y, batch_size=32, seed=2, augmentation=augment.build_augmentation(LOUD)
    )
    (a, la), (b, lb) = _epoch(dataset)[0], _epoch(dataset)[0]
    assert not np.allclose(a[np.argsort(la)], b[np.argsort(lb)])


def test_the_map_holds_no_random_state_so_op_determinism_keeps_it_parallel():
    # TensorFlow runs a map with stateful ops (variables) serially, without prefetch, once op
    # determinism is on - as the trainer has it. Keras's built-in random layers keep their seed in a
    # variable; the pipeline hands each batch its own seed instead.
    import tensorflow as tf

    x, y = _data(40)
    everything = AugmentConfig(
        rotation_range=10,
        shear_range=5,
        vertical_flip=True,
        brightness=0.1,
        contrast=0.1,
        noise=0.1,
        blur=1.0,
        erasing=0.5,
        crop_padding=2,
    )
    dataset = pipeline.training_dataset(
        x, y, batch_size=8, seed=1, augmentation=augment.build_augmentation(everything)
    )
    graph = tf.compat.v1.GraphDef()
    graph.ParseFromString(dataset._as_serialized_graph().numpy())
    ops = {node.op for function in graph.library.function for node in function.node_def}
    assert {"StatelessRandomUniformV2", "ImageProjectiveTransformV3"} <= ops
    assert not {
        op
        for op in ops
        if "Variable" in op or op in {"RandomUniform", "RandomStandardNormal", "RandomUniformInt"}
    }
    assert any(node.op == "ParallelMapDatasetV2" for node in graph.node)


def test_one_hot_labels_pass_through():
    x, _ = _data(10)
    y = np.eye(5, dtype=np.float32)[np.arange(10) % 5]
    ((images, labels),) = _epoch(
        pipeline.training_dataset(
            x, y, batch_size=10, seed=0, augmentation=augment.build_augmentation(COURSE_DEFAULTS)
        )
    )
    assert labels.shape == (10, 5) and images.shape == (10, 6, 6, 1)


def test_the_preview_and_the_trainer_both_build_the_layer_with_build_augmentation(
    isolated_roots, monkeypatch
):
    built = []
    real = augment.build_augmentation

    def spy(config, **kwargs):
        built.append(config)
        return real(config, **kwargs)

    monkeypatch.setattr(augment, "build_augmentation", spy)
    augment._cached_layer.cache_clear()
    config = AugmentConfig(rotation_range=12, horizontal_flip=False)
    augment.preview(np.zeros((1, 8, 8, 1), dtype=np.uint8), config, copies=2)
    trainer.train(
        create_run(
            TrainConfig(
                dataset="digits",
                architecture="mlp",
                train_size=100,
                batch_size=32,
                epochs=1,
                augmentation=config.to_dict(),
            )
        )
    )
    assert built == [config, config]
    augment._cached_layer.cache_clear()


def test_without_augmentation_fit_gets_the_arrays_untouched():
    x, y = _data(20)
    splits = DatasetSplits(x, y, x[:4], y[:4], x[:4], y[:4], ("a",))
    model = keras.Sequential(
        [keras.Input((6, 6, 1)), keras.layers.Flatten(), keras.layers.Dense(2)]
    )
    fitted, inputs = pipeline.fit_inputs(model, splits, batch_size=8, seed=0)
    assert (
        fitted is model
        and inputs["x"] is x
        and inputs["y"] is y
        and inputs["batch_size"] == 8
        and inputs["shuffle"]
    )


# --- the proof: validation and test images reach the model exactly as they are, in both placements

# (training, batch) for every batch any Recorder saw, also the reloaded best model's
SEEN: list = []


@keras.saving.register_keras_serializable(package="tests")
class Recorder(keras.layers.Layer):
    """Keeps a copy of every batch the model sees, with the training flag (the model runs
    eagerly)."""

    def call(self, inputs, training=None):
        SEEN.append((bool(training), np.array(inputs)))
        return inputs


@pytest.mark.parametrize("placement", ["map", "model"])
def test_validation_and_test_images_are_never_augmented(isolated_roots, monkeypatch, placement):
    SEEN.clear()
    real_build = trainer.build_compiled_model

    def recording_model(config, info):
        model = real_build(config, info)
        layers = [layer for layer in model.layers if not isinstance(layer, keras.layers.InputLayer)]
        recorded = keras.Sequential(
            [keras.Input(info.image_shape), Recorder(), *layers], name=model.name
        )
        recorded.compile(
            optimizer=trainer.make_optimizer(config),
            loss=model.loss,
            metrics=["accuracy"],
            run_eagerly=True,
        )
        return recorded

    monkeypatch.setattr(trainer, "build_compiled_model", recording_model)
    monkeypatch.setattr(pipeline, "augmentation_placement", lambda: placement)
    config = TrainConfig(
        dataset="digits",
        architecture="mlp",
        train_size=120,
        batch_size=32,
        epochs=2,
        seed=3,
        augmentation=LOUD.to_dict(),
    )
    trainer.train(create_run(config))

    from clfcore.data import datasets

    splits = datasets.load_splits("digits", config.split)
    held_out = {row.tobytes() for row in np.concatenate([splits.x_val, splits.x_test])}
    training_rows = {row.tobytes() for row in splits.x_train}
    evaluated = [image for training, batch in SEEN if not training for image in batch]
    trained = [image for training, batch in SEEN if training for image in batch]
    assert len(trained) == 2 * len(splits.x_train)  # two epochs of the training split, nothing else
    # every training image was augmented
    assert all(image.tobytes() not in training_rows for image in trained)
    # validation after each epoch, then the test set
    assert len(evaluated) >= 2 * len(splits.x_val) + len(splits.x_test)
    # ... and every one of them untouched
    assert all(image.tobytes() in held_out for image in evaluated)
    assert {image.tobytes() for image in evaluated} == held_out


def test_the_gpu_placement_saves_the_model_without_the_augmentation(isolated_roots, monkeypatch):
    monkeypatch.setattr(pipeline, "augmentation_placement", lambda: "model")
    run = create_run(
        TrainConfig(
            dataset="digits",
            architecture="mlp",
            train_size=100,
            batch_size=32,
            epochs=1,
            augmentation=COURSE_DEFAULTS.to_dict(),
        )
    )
    trainer.train(run)
    saved = keras.saving.load_model(run.model_path)
    assert not any(type(layer).__name__ == "Augmentation" for layer in saved.layers)
    assert saved.name == "mlp" or "augment" not in saved.name
