"""The Tune page: its choices, a study's figures and trials table, Resume, and "Train with the best
settings" (a stored study, made here with Optuna's own API: no training needed)."""

import json

import pytest
from optuna.distributions import FloatDistribution
from optuna.trial import TrialState, create_trial

from clfcore.config import TrainConfig
from clfcore.i18n import translate
from clfcore.tuning import study
from clfcore.tuning.space import SearchSpace

DISTRIBUTIONS = {
    "lr": FloatDistribution(1e-4, 1e-1, log=True),
    "dropout": FloatDistribution(0.0, 0.5),
}


def _stored_study(name: str, *, driver: str = "completed", trials: int = 3) -> None:
    """A study of the runs root with two completed trials and a pruned one."""
    config = study.TuneConfig(
        base=TrainConfig.for_architecture("mlp", dataset="digits"),
        space=SearchSpace(names=("lr", "dropout")),
        trials=trials,
        study=name,
    )
    folder = study.study_dir(name)
    folder.mkdir(parents=True)
    (folder / "tune.json").write_text(json.dumps(config.to_json()))
    (folder / "driver.json").write_text(json.dumps({"status": driver}))
    stored = study.open_study(folder, config)
    for params, curve, state in (
        ({"lr": 0.003, "dropout": 0.1}, [0.80, 0.90, 0.93], TrialState.COMPLETE),
        ({"lr": 0.02, "dropout": 0.3}, [0.70, 0.80, 0.85], TrialState.COMPLETE),
        ({"lr": 0.0001, "dropout": 0.4}, [0.10], TrialState.PRUNED),
    ):
        stored.add_trial(
            create_trial(
                params=params,
                distributions=DISTRIBUTIONS,
                value=max(curve) if state == TrialState.COMPLETE else None,
                intermediate_values=dict(enumerate(curve, start=1)),
                state=state,
                user_attrs={"run_id": f"run-{params['lr']}"},
            )
        )


def _button(at, label):
    return next((b for b in at.button if b.label == label), None)


@pytest.mark.parametrize("lang", ["en", "es"])
def test_the_page_offers_the_search_choices(lang, open_page, all_text):
    at = open_page("tune", lang)
    assert not at.exception, at.exception
    assert at.title[0].value == translate("Tune", lang)
    assert _button(at, translate("Start the study", lang)) is not None
    labels = [w.label for w in at.multiselect]
    assert translate("Settings to search", lang) in labels
    assert at.multiselect[0].value == ["lr"]  # the learning rate, by default


@pytest.mark.parametrize("lang", ["en", "es"])
def test_a_study_shows_its_figures_and_trials(lang, open_page, all_text, isolated_roots):
    _stored_study("shown")
    at = open_page("tune", lang)
    assert not at.exception, at.exception
    charts = at.get("plotly_chart")
    assert len(charts) == 4  # history, intermediate values, parallel coordinates, importances
    # Optuna's figures in the page's words: its axes and the settings' names, not "Objective Value"
    specs = [json.loads(chart.proto.spec) for chart in charts]
    text = json.dumps(specs, ensure_ascii=False)
    assert "Objective Value" not in text and "Best Value" not in text and '"lr"' not in text
    history, _, parallel, importances = specs
    assert history["layout"]["yaxis"]["title"]["text"] == translate("Validation accuracy", lang)
    assert translate("learning rate", lang) in parallel["layout"]["xaxis"]["ticktext"]
    assert translate("learning rate", lang) in importances["data"][0]["y"]
    table = at.dataframe[0].value
    assert list(table[translate("Trial", lang)]) == [0, 1, 2]
    assert list(table[translate("State", lang)]) == [
        translate("completed", lang),
        translate("completed", lang),
        translate("pruned", lang),
    ]
    assert table[translate("Run", lang)][0] == "/evaluate?run=run-0.003"
    assert translate("Study {study}", lang).format(study="shown") in all_text(at)
    assert _button(at, translate("Resume the study", lang)) is None  # all 3 trials are done


def test_train_with_the_best_settings_sets_the_train_page(open_page):
    _stored_study("best")
    at = open_page("tune", "en")
    _button(at, "Train with the best settings").click().run()
    assert not at.exception, at.exception
    model = at.session_state["chosen_model"]
    assert model["learning_rate"] == 0.003 and model["arch_options"]["dropout"] == 0.1
    assert at.title[0].value == "Train"  # switched to the Train page, which trains them
    assert any("learning rate 0.003" in m.value for m in at.markdown)


def test_an_interrupted_study_offers_resume(open_page, all_text):
    _stored_study("cut", driver="running", trials=10)  # "running", but no process: interrupted
    at = open_page("tune", "en")
    assert not at.exception, at.exception
    assert _button(at, "Resume the study") is not None
    assert "Interrupted: 3 of 10 trials (1 pruned)" in all_text(at)
    assert "Resume the study to go on" in all_text(at)


def test_a_bad_range_is_a_message_not_a_traceback(open_page, widget):
    at = open_page("tune", "en")
    widget(at.number_input, "Learning rate from").set_value(0.5).run()
    widget(at.number_input, "to").set_value(0.01).run()
    assert not at.exception, at.exception
    assert any("0 < low < high" in e.value for e in at.error), at.error
