"""Widgets start from the one home of each default (TrainConfig, the architecture's options), and
the one learning-curve figure draws what each page asks of it."""

import dataclasses

import pytest

from clfcore.config import TrainConfig
from ui.charts import learning_curves

HISTORY = [
    {
        "epoch": 1,
        "loss": 1.0,
        "accuracy": 0.5,
        "val_loss": 1.2,
        "val_accuracy": 0.4,
        "learning_rate": 0.01,
    },
    {
        "epoch": 2,
        "loss": 0.6,
        "accuracy": 0.7,
        "val_loss": 0.9,
        "val_accuracy": 0.6,
        "learning_rate": 0.005,
    },
]


def test_train_page_widgets_start_from_train_configs_defaults(
    isolated_roots, monkeypatch, open_page, widget
):
    changed = {
        "early_stopping": True,
        "early_stopping_patience": 7,
        "checkpoint_monitor": "val_loss",
        "tensorboard": True,
    }
    original = TrainConfig.for_architecture.__func__

    def for_architecture(cls, architecture, **settings):
        return dataclasses.replace(original(cls, architecture, **settings), **changed)

    monkeypatch.setattr(TrainConfig, "for_architecture", classmethod(for_architecture))
    at = open_page("train", "en")
    assert widget(at.toggle, "Early stopping").value is True
    assert widget(at.number_input, "Patience (epochs)").value == 7
    assert widget(at.selectbox, "Keep the best model by").value == "val_loss"
    assert widget(at.toggle, "TensorBoard logs").value is True
    assert not at.exception


def test_model_page_option_widgets_start_from_the_architectures_options(
    isolated_roots, monkeypatch, open_page, widget
):
    from clfcore.models import architectures

    mlp = architectures.get_architecture("mlp")
    wider = dataclasses.replace(mlp, options={**mlp.options, "units": 512})
    monkeypatch.setitem(architectures._BY_ID, "mlp", wider)
    at = open_page("model", "en")
    at.session_state["chosen_model"] = {**at.session_state["chosen_model"], "arch_options": {}}
    at.run()  # nothing chosen: the widget shows the architecture's default option
    assert widget(at.select_slider, "Neurons per hidden layer").value == 512
    assert not at.exception


@pytest.mark.parametrize(
    "options, names, panels",
    [
        ({}, {"gap (overfitting)", "training", "validation", "learning rate", "best epoch (2)"}, 3),
        ({"gap": False, "learning_rate": False}, {"training", "validation", "best epoch (2)"}, 2),
    ],
)
def test_one_learning_curve_figure_for_every_page(options, names, panels):
    figure = learning_curves(HISTORY, best_epoch=2, **options)
    assert {trace.name for trace in figure.data} == names
    assert len(figure.layout.annotations) == panels  # one subplot title a panel
