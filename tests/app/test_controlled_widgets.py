"""Settings drawn from the session's choices keep every change, two in a row included, on the Train
and Dataset pages."""


def test_train_page_callbacks_keep_changes_in_a_row(isolated_roots, open_page, widget):
    at = open_page("train", "en")
    widget(at.toggle, "Early stopping").set_value(True).run()
    for patience in (4, 5, 6):
        widget(at.number_input, "Patience (epochs)").set_value(patience).run()
        assert at.session_state["chosen_training"]["early_stopping_patience"] == patience
    for schedule in ("step", "exponential", "cosine"):
        widget(at.selectbox, "Learning-rate schedule").select(schedule).run()
        assert at.session_state["chosen_training"]["lr_schedule"] == schedule
    assert not at.exception


def test_dataset_page_split_keeps_changes_in_a_row(isolated_roots, open_page, widget):
    at = open_page("dataset", "en")
    for percent in (10, 15, 30):
        widget(at.slider, "Validation (%)").set_value(percent).run()
        assert widget(at.slider, "Validation (%)").value == percent
    for seed in (7, 8):
        widget(at.number_input, "Seed").set_value(seed).run()
        assert widget(at.number_input, "Seed").value == seed
    assert not at.exception
