"""A study's trials on the cluster (``CLFCORE_JOBS=ray``): the driver submits them through the same
job runner, follows their epoch logs as they come back from the workers, and prunes there too."""

from __future__ import annotations

import optuna

from clfcore.config import TrainConfig
from clfcore.runs.folder import RunFolder
from clfcore.tuning import study
from clfcore.tuning.space import SearchSpace
from clfcore.tuning.study import TuneConfig

QUICK = dict(dataset="digits", architecture="mlp", train_size=400, batch_size=32, seed=1)


def test_a_study_trains_its_trials_on_the_cluster_and_prunes_a_bad_one(on_ray, isolated_roots):
    config = TuneConfig(
        base=TrainConfig(**QUICK, optimizer="adam"),
        space=SearchSpace(names=("lr", "epochs"), lr_low=1e-7, lr_high=0.1, epochs_high=200),
        trials=2,
        study="on-ray",
        startup_trials=1,
        warmup_epochs=1,
    )
    folder = study.study_dir("on-ray")
    folder.mkdir(parents=True)
    stored = study.open_study(folder, config)
    stored.enqueue_trial({"lr": 0.01, "epochs": 3})  # learns digits in an epoch or two
    stored.enqueue_trial({"lr": 1e-7, "epochs": 200})  # learns nothing: pruned while it trains
    result = study.run_study(config)
    trials = optuna.load_study(study_name="on-ray", storage=study.storage(folder)).trials
    assert [t.state for t in trials] == [
        optuna.trial.TrialState.COMPLETE,
        optuna.trial.TrialState.PRUNED,
    ]
    assert result.pruned == 1 and result.best_params == {"lr": 0.01, "epochs": 3}
    good, bad = (RunFolder(isolated_roots["runs"] / t.user_attrs["run_id"]) for t in trials)
    assert good.status()["backend"] == bad.status()["backend"] == "ray"
    assert str(on_ray["home"]) in good.log_path.read_text()  # trained in a worker's folder
    assert len(good.history()) == 3 and 1 <= len(bad.history()) < 200
    assert bad.status()["status"] == "stopped"
