"""The Model page: picking each architecture in the selectbox starts from that architecture's
preset."""

import pytest

from clfcore.models import architectures

ARCH_IDS = [arch.id for arch in architectures.list_architectures()]


@pytest.mark.parametrize("arch_id", [a for a in ARCH_IDS if a != "mlp"])
def test_picking_an_architecture_loads_its_preset(arch_id, open_page, widget, all_text):
    at = open_page("model", "en")
    widget(at.selectbox, "Architecture").select(arch_id).run()
    assert not at.exception, at.exception
    arch = architectures.get_architecture(arch_id)
    choice = at.session_state["chosen_model"]
    assert choice["architecture"] == arch_id and choice["arch_options"] == arch.options
    assert {
        key: choice[key] for key in arch.preset
    } == arch.preset  # e.g. the recommended CNN's cosine schedule
    assert choice.get("lr_schedule", "none") == arch.preset.get("lr_schedule", "none")
    assert arch.summary in all_text(at)


def test_going_back_to_the_mlp_drops_the_previous_schedule(open_page, widget):
    at = open_page("model", "es")
    widget(at.selectbox, "Arquitectura").select("recommended").run()
    assert at.session_state["chosen_model"]["lr_schedule"] == "cosine"
    widget(at.selectbox, "Arquitectura").select("mlp").run()
    assert not at.exception, at.exception
    assert at.session_state["chosen_model"]["lr_schedule"] == "none"
    assert at.session_state["chosen_model"]["epochs"] == 10


def test_every_change_in_a_row_is_kept(open_page, widget):
    """Each change is kept, also the second of two in a row (a widget drawn from its own stored
    value must not be reborn)."""
    at = open_page("model", "en")
    for epochs in (11, 12, 13):
        widget(at.number_input, "Epochs").set_value(epochs).run()
        assert at.session_state["chosen_model"]["epochs"] == epochs
    for optimizer in ("adam", "sgd", "nadam"):
        widget(at.selectbox, "Optimizer").select(optimizer).run()
        assert at.session_state["chosen_model"]["optimizer"] == optimizer
    for units in (64, 512):
        widget(at.select_slider, "Neurons per hidden layer").set_value(units).run()
        assert at.session_state["chosen_model"]["arch_options"]["units"] == units
    for arch_id in ("recommended", "mlp", "lenet"):
        widget(at.selectbox, "Architecture").select(arch_id).run()
        assert at.session_state["chosen_model"]["architecture"] == arch_id
    assert not at.exception


def test_a_preset_is_shown_in_the_widgets(open_page, widget):
    at = open_page("model", "en")
    widget(at.number_input, "Epochs").set_value(3).run()
    widget(at.selectbox, "Architecture").select("recommended").run()
    # the new architecture's preset, not the 3 typed before
    assert widget(at.number_input, "Epochs").value == 15
    assert widget(at.selectbox, "Optimizer").value == "adam"
    at.run()
    assert at.session_state["chosen_model"]["epochs"] == 15
