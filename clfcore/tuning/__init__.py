"""Tuning: hyperparameter studies with Optuna, each trial a training run of the job runner.

``clfcore.tuning.space`` says what may be searched and turns a trial's choices into a
``TrainConfig``; ``clfcore.tuning.study`` runs a study (TPE sampler, median pruner fed from the
trial runs' epoch logs, Optuna's SQLite storage under the runs dir) in this process or its own.
"""

from clfcore.tuning.space import SEARCHABLE, SearchSpace, trial_config
from clfcore.tuning.study import StudyResult, TuneConfig, run_study

__all__ = ["SEARCHABLE", "SearchSpace", "StudyResult", "TuneConfig", "run_study", "trial_config"]
