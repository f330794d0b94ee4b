"""clfcore.experiment: every kind of choice survives to_params -> from_params, and a link's bad
parameters are left out with a note, never an exception."""

import functools

import pytest

from clfcore.accounts.identity import User
from clfcore.config import TrainConfig
from clfcore.data.augment import COURSE_DEFAULTS, AugmentConfig
from clfcore.data.splits import SplitConfig
from clfcore.experiment import Experiment, from_params, to_params
from clfcore.workspace import Workspace, access


def _read(params, **kwargs):
    return from_params(params, default_dataset="digits", **kwargs)


def _round_trip(choices: Experiment) -> Experiment:
    params = to_params(choices)
    again, notes = _read(params)
    assert notes == []
    assert to_params(again) == params
    return again


def test_the_defaults_write_only_the_dataset():
    assert to_params(Experiment(dataset="digits")) == {"dataset": "digits"}
    # nothing at all for this machine's defaults; the dataset goes with any other choice
    assert to_params(Experiment(dataset="digits"), default_dataset="digits") == {}
    assert to_params(Experiment(dataset="mnist"), default_dataset="digits") == {"dataset": "mnist"}
    lenet = Experiment(dataset="digits", model={"architecture": "lenet"})
    assert to_params(lenet, default_dataset="digits") == {"dataset": "digits", "arch": "lenet"}
    choices, notes = _read({})
    assert notes == [] and to_params(choices) == {"dataset": "digits"}


@pytest.mark.parametrize(
    "model",
    [
        {"architecture": "lenet", "epochs": 5, "learning_rate": 0.01},
        {"architecture": "mlp", "optimizer": "sgd", "momentum": 0.5, "batch_size": 32},
        {"architecture": "mlp", "one_hot": False},
        {"architecture": "mlp", "arch_options": {"hidden_layers": 3, "units": 512, "dropout": 0.2}},
        {"architecture": "lenet", "arch_options": {"activation": "tanh", "dense_layers": 1}},
        {"architecture": "recommended", "epochs": 3},
        {"architecture": "mobilenetv2", "arch_options": {"image_size": 128, "weights": "random"}},
        {
            "architecture": "custom",
            "arch_options": {
                "layers": [
                    {"type": "conv2d", "filters": 16, "kernel_size": 3},
                    {"type": "maxpool"},
                    {"type": "dense", "units": 64},
                ]
            },
        },
    ],
)
def test_model_choices_round_trip(model):
    again = _round_trip(Experiment(dataset="digits", model=model))
    for key, value in model.items():
        if key == "arch_options":
            assert {k: again.model["arch_options"][k] for k in value} == value
        else:
            assert again.model[key] == value


def test_training_choices_round_trip():
    training = {
        "early_stopping": True,
        "early_stopping_monitor": "val_accuracy",
        "early_stopping_patience": 7,
        "restore_best_weights": False,
        "checkpoint_monitor": "val_loss",
        "tensorboard": True,
        "lr_schedule": "step",
        "lr_decay": 0.3,
        "lr_step_epochs": 4,
        "class_weight": "balanced",
        "threshold": 0.3,
        "coarse_loss_weight": 2.0,
    }
    again = _round_trip(Experiment(dataset="digits", training=training))
    assert again.training == training
    assert to_params(again)["es"] == "1" and to_params(again)["schedule"] == "step"


def test_the_architectures_preset_is_the_default():
    # the recommended CNN trains 15 epochs with a cosine schedule: neither is written, both read
    params = to_params(Experiment(dataset="digits", model={"architecture": "recommended"}))
    assert params == {"dataset": "digits", "arch": "recommended"}
    again, _ = _read(params)
    assert again.settings()["lr_schedule"] == "cosine" and again.model["epochs"] == 15
    assert TrainConfig(**{**again.model, **again.training}).lr_schedule == "cosine"


def test_split_and_dataset_round_trip():
    split = SplitConfig(validation_split=0.3, train_size=500, seed=7)
    again = _round_trip(Experiment(dataset="digits:3-vs-rest", split=split))
    assert again.dataset == "digits:3-vs-rest" and again.split == split


@pytest.mark.parametrize(
    "augment, enabled, text",
    [
        (COURSE_DEFAULTS, True, "on"),
        (COURSE_DEFAULTS.replace(rotation_range=15.0, horizontal_flip=False), True, None),
        (
            COURSE_DEFAULTS.replace(vertical_flip=True, fill_mode="reflect", crop_padding=4),
            True,
            None,
        ),
        (COURSE_DEFAULTS.replace(noise=0.1), False, None),
        (AugmentConfig.off(), True, None),
    ],
)
def test_augmentation_round_trips(augment, enabled, text):
    again = _round_trip(Experiment(dataset="digits", augment=augment, augment_enabled=enabled))
    assert (again.augment, again.augment_enabled) == (augment, enabled)
    if text is not None:
        assert to_params(again)["aug"] == text


def test_the_issues_example_reads():
    choices, notes = _read({"aug": "rotation:10,flip:horizontal", "arch": "lenet", "lr": "0.001"})
    assert notes == [] and choices.augment_enabled
    assert choices.augment.horizontal_flip and not choices.augment.vertical_flip
    assert to_params(Experiment(dataset="digits")).keys() == {"dataset"}
    assert "aug" not in to_params(Experiment(dataset="digits", augment_enabled=False))


@pytest.mark.parametrize(
    "param, value, words",
    [
        ("bogus", "1", "Unknown parameter"),
        ("epochs", "abc", "whole number"),
        ("epochs", "0", "at least 1"),
        ("epochs", "9999", "from 1 to 500"),
        ("lr", "nan", "must be a number"),
        ("lr", "-1", "greater than 0"),
        ("batch", "100", "one of 8, 16"),
        ("opt", "magic", "Unknown optimizer"),
        ("es", "maybe", "1 (on) or 0 (off)"),
        ("decay", "1.5", "between 0 and 1"),
        ("arch", "resnet9000", "Unknown architecture"),
        ("dataset", "no_such_data", "Unknown dataset"),
        ("units", "7", "one of 32, 64"),
        ("hidden_layers", "9", "from 1 to 5"),
        ("activation", "tanh", "has no option"),
        ("layers", "conv2d:filters=abc", "filters"),
        ("val", "0.9", "from 0.05 to 0.5"),
        ("subset", "1", "at least 2"),
        ("aug", "spin:3", "Unknown augmentation setting"),
        ("aug", "rotation:400", "between 0 and 180"),
        ("aug", "flip:sideways", "one of none"),
    ],
)
def test_a_bad_parameter_is_left_out_with_a_note(param, value, words):
    choices, notes = _read({param: value, "epochs": "3"} if param != "epochs" else {param: value})
    assert [note.param for note in notes] == [param]
    assert words in notes[0].message("en")
    assert notes[0].message("es") != notes[0].message("en")  # translated
    expected = Experiment(
        dataset="digits",
        model={"epochs": 3} if param != "epochs" else {},
        augment_enabled=param == "aug",  # "aug" in a link is on, whatever its bad items
    )
    assert to_params(choices) == to_params(expected)  # everything else as if it were not there


def test_someone_elses_dataset_is_refused(monkeypatch, isolated_roots, tmp_path):
    monkeypatch.setattr(access, "dataset_owner", lambda dataset_id: "bea")
    student = Workspace(User("ana", role="student"))
    check = functools.partial(access.check_dataset, student)
    choices, notes = _read({"dataset": "fashion_mnist"}, check_dataset=check)
    assert choices.dataset == "digits"
    assert [n.param for n in notes] == ["dataset"]
    assert "in your workspace" in notes[0].message("en")


def test_notes_name_the_parameter_and_keep_the_good_ones():
    choices, notes = _read({"arch": "lenet", "epochs": "5", "lr": "x", "zzz": "1"})
    assert choices.architecture == "lenet" and choices.model["epochs"] == 5
    assert [n.param for n in notes] == ["zzz", "lr"]
    assert notes[1].message("en").startswith("lr=x: ")
