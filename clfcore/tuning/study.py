"""A hyperparameter study: Optuna's TPE sampler proposes settings, each trial is a training run
submitted through the job runner, and a median pruner stops the trials that fall behind.

Example::

    config = TuneConfig(base=TrainConfig(dataset="digits"), space=SearchSpace(("lr",)), trials=10)
    result = run_study(config)               # in this process (the CLI), one trial at a time
    start(config, runs_dir=workspace.runs_dir)   # or in a process of its own (the Tune page)

Where things live: a study's folder is ``<runs dir>/.studies/<study>/`` - hidden, so no listing
takes it for a run - and holds ``study.db`` (Optuna's own SQLite storage, so a study survives
restarts and resumes: the same name loads it again), ``tune.json`` (the TuneConfig), ``driver.json``
(the driver's status and pid) and ``driver.log``. The trial runs themselves are ordinary run
folders in the runs dir, beside the workspace's other runs: they queue with every other training
(``clfcore.jobs.submit``, local or Ray), and the Runs and Evaluate pages open them.

The driver follows a trial only through its run folder: after every epoch (history.csv) it reports
the validation accuracy to Optuna; when ``trial.should_prune()`` it stops the run with
``clfcore.jobs.stop`` and tells the study PRUNED - the same for both backends.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import optuna

from clfcore import jobs
from clfcore.config import TrainConfig
from clfcore.errors import UserInputError
from clfcore.fileio import write_text_atomic
from clfcore.i18n import N_
from clfcore.jobs import process
from clfcore.paths import runs_root
from clfcore.runs.folder import RunFolder, read_json
from clfcore.runs.liveness import _process_start_ticks, effective_status, process_alive
from clfcore.training.trainer import check_config
from clfcore.tuning.space import SearchSpace, check_space, suggest, trial_config

STUDIES_DIR = ".studies"
OBJECTIVE = "val_accuracy"  # maximised: the best epoch's, as model.keras keeps it
POLL_SECONDS = 0.2  # how often the driver reads the trial run's epoch log: a pruned trial's
# epochs after the one that pruned it are lost time
_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,59}$")
ALREADY_RUNNING = N_("The study {study} is already running. Stop it first, or wait for it to end.")
ENDED = N_("The study's driver process ended unexpectedly. Resume the study to go on.")
CRASHED = N_("The study's driver failed: {reason}")


@dataclass(frozen=True)
class TuneConfig:
    """A study: what to train, what to search, how long. Saved as the study's tune.json."""

    base: TrainConfig  # every setting the search leaves as it is
    space: SearchSpace = field(default_factory=SearchSpace)
    trials: int = 20  # the study ends when this many trials have finished (all its sessions)
    timeout_seconds: float | None = None  # no new trial starts after this long (one session)
    study: str = ""  # the study's name and folder; "" = a new name from the time
    pruning: bool = True  # median pruner: stop a trial below the median of the finished ones
    startup_trials: int = 5  # trials the pruner lets finish before it compares
    warmup_epochs: int = 1  # the earliest epoch a trial may be pruned at

    def __post_init__(self) -> None:
        if not self.study:
            object.__setattr__(self, "study", datetime.now().strftime("study-%Y%m%d-%H%M%S"))
        check_name(self.study)
        if self.trials < 1:
            raise UserInputError(
                "A study needs at least 1 trial, got {value}. For example 20.", value=self.trials
            )
        if self.timeout_seconds is not None and not self.timeout_seconds > 0:
            raise UserInputError(
                "The time budget must be more than 0 seconds, got {value}. Leave it out for "
                "no limit.",
                value=self.timeout_seconds,
            )
        if self.startup_trials < 0 or self.warmup_epochs < 0:
            raise UserInputError(
                "The pruner's startup trials and warm-up epochs must be 0 or more, got "
                "{startup} and {warmup}.",
                startup=self.startup_trials,
                warmup=self.warmup_epochs,
            )

    def to_json(self) -> dict[str, Any]:
        return {
            "base": self.base.to_json(),
            "space": self.space.to_json(),
            "trials": self.trials,
            "timeout_seconds": self.timeout_seconds,
            "study": self.study,
            "pruning": self.pruning,
            "startup_trials": self.startup_trials,
            "warmup_epochs": self.warmup_epochs,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> TuneConfig:
        return cls(
            **{
                **data,
                "base": TrainConfig.from_json(data["base"]),
                "space": SearchSpace.from_json(data.get("space") or {}),
            }
        )


def check_name(name: str) -> str:
    if not _NAME.match(name):
        raise UserInputError(
            "A study name is 1 to 60 lower-case letters, digits, '-' or '_', starting with a "
            "letter or digit; got {value!r}.",
            value=name,
        )
    return name


def check_config_for_study(config: TuneConfig) -> None:
    """Refuse, before anything starts, a study whose trials could not train."""
    check_space(config.space, config.base)
    check_config(config.base)
    if "batch_size" in config.space.names:  # the largest batch must fit in the training set
        check_config(config.base.replace(batch_size=max(config.space.batch_sizes)))


# --- the study's folder ---------------------------------------------------------------------------


def studies_dir(runs_dir: Path | None = None) -> Path:
    return Path(runs_dir if runs_dir is not None else runs_root()) / STUDIES_DIR


def study_dir(name: str, runs_dir: Path | None = None) -> Path:
    return studies_dir(runs_dir) / check_name(name)


def storage_url(folder: Path) -> str:
    return f"sqlite:///{Path(folder).resolve() / 'study.db'}"


def storage(folder: Path) -> optuna.storages.RDBStorage:
    """The study's SQLite storage; a reader waits for the driver's writes rather than failing."""
    return optuna.storages.RDBStorage(
        storage_url(folder), engine_kwargs={"connect_args": {"timeout": 30}}
    )


def _sampler_and_pruner(config: TuneConfig):
    sampler = optuna.samplers.TPESampler(seed=config.base.seed)
    pruner = (
        optuna.pruners.MedianPruner(
            n_startup_trials=config.startup_trials, n_warmup_steps=config.warmup_epochs
        )
        if config.pruning
        else optuna.pruners.NopPruner()
    )
    return sampler, pruner


def open_study(folder: Path, config: TuneConfig) -> optuna.Study:
    """Create the study in ``folder``'s storage, or load it when it exists (a resumed study)."""
    sampler, pruner = _sampler_and_pruner(config)
    return optuna.create_study(
        storage=storage(folder),
        study_name=config.study,
        direction="maximize",
        sampler=sampler,
        pruner=pruner,
        load_if_exists=True,
    )


def _write_json(path: Path, data: dict) -> None:
    import json

    write_text_atomic(path, json.dumps(data, indent=2))


def _set_driver(folder: Path, status: str, **fields: Any) -> None:
    _write_json(
        folder / "driver.json", {**read_json(folder / "driver.json"), **fields, "status": status}
    )


def driver_status(folder: Path) -> dict:
    """driver.json, with a "running" driver whose process is gone shown as "interrupted"."""
    state = read_json(Path(folder) / "driver.json")
    if state.get("status") == "running" and not process_alive(
        state.get("pid"), state.get("pid_start")
    ):
        state = read_json(Path(folder) / "driver.json")  # it may have written its end meanwhile
        if state.get("status") == "running":
            state = {**state, "status": "interrupted", "message": ENDED}
    return state


# --- the driver -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class StudyResult:
    """What the CLI prints as its JSON line."""

    study: str
    best_params: dict[str, Any]
    best_value: float | None
    trials: int  # finished trials (complete, pruned or failed)
    pruned: int
    folder: str

    def to_json(self) -> dict[str, Any]:
        return dict(self.__dict__)


def _counted(study: optuna.Study) -> list[optuna.trial.FrozenTrial]:
    """The trials that count towards ``TuneConfig.trials``: finished ones, not those the user
    stopped."""
    done = (
        optuna.trial.TrialState.COMPLETE,
        optuna.trial.TrialState.PRUNED,
        optuna.trial.TrialState.FAIL,
    )
    return [
        t for t in study.get_trials(deepcopy=False, states=done) if not t.user_attrs.get("stopped")
    ]


def result_of(study: optuna.Study, folder: Path) -> StudyResult:
    complete = study.get_trials(deepcopy=False, states=(optuna.trial.TrialState.COMPLETE,))
    # a COMPLETE trial of a single-objective study always has its value
    best = max(complete, key=lambda t: float(t.value or 0.0), default=None)
    pruned = study.get_trials(deepcopy=False, states=(optuna.trial.TrialState.PRUNED,))
    return StudyResult(
        study=study.study_name,
        best_params=dict(best.params) if best else {},
        best_value=best.value if best else None,
        trials=len(_counted(study)),
        pruned=len(pruned),
        folder=str(folder),
    )


class _StopFlag:
    """True once the driver got SIGTERM/SIGINT or its folder holds a stop request."""

    def __init__(self, folder: Path) -> None:
        self.path = Path(folder) / "stop-requested"
        self.signalled = False
        self.previous: dict = {}
        if threading.current_thread() is threading.main_thread():
            for sig in (signal.SIGTERM, signal.SIGINT):
                self.previous[sig] = signal.signal(sig, self._on_signal)

    def _on_signal(self, *_):
        self.signalled = True

    def close(self) -> None:
        """Give the signals back to whoever handled them before (a test runner, a shell)."""
        for sig, handler in self.previous.items():
            signal.signal(sig, handler)

    def __call__(self) -> bool:
        return self.signalled or self.path.exists()


def _best_value(history: list[dict]) -> float | None:
    values = [float(row[OBJECTIVE]) for row in history if row.get(OBJECTIVE) is not None]
    return max(values, default=None)


def _follow(
    study: optuna.Study,
    trial: optuna.trial.Trial,
    run: RunFolder,
    stop_requested: Callable[[], bool],
) -> str:
    """Report ``run``'s epochs to ``trial`` until the run ends, is pruned or the study stops; tell
    the study the outcome. Returns "complete", "pruned", "failed" or "stopped"."""
    # an adopted trial (a resumed study) has reported its first epochs already
    reported = set(study.trials[trial.number].intermediate_values)
    pruning = False
    while True:
        history = run.history()
        for row in history:
            step, value = int(row["epoch"]), row.get(OBJECTIVE)
            if value is None or step in reported:
                continue
            trial.report(value, step)
            reported.add(step)
            if not pruning and trial.should_prune():
                pruning = True
                jobs.stop(run)  # after its current batch: the epochs so far stay in its folder
        status = effective_status(run) if run.path.exists() else "stopped"
        if status not in ("queued", "running"):
            break
        if status == "queued":  # waiting for a slot: start it once one frees (every backend)
            jobs.dispatch(run.path.parent)
        if stop_requested() and not pruning:
            jobs.stop(run)
            trial.set_user_attr("stopped", True)  # not counted: a resumed study runs another
            study.tell(trial, state=optuna.trial.TrialState.FAIL)
            return "stopped"
        time.sleep(POLL_SECONDS)
    if pruning:
        study.tell(trial, state=optuna.trial.TrialState.PRUNED)
        return "pruned"
    value = _best_value(run.history())
    if status == "completed" and value is not None:
        study.tell(trial, value)
        return "complete"
    reason = run.status().get("message") or status
    trial.set_user_attr("message", str(reason)[:500])
    study.tell(trial, state=optuna.trial.TrialState.FAIL)
    return "failed"


def _adopt(study: optuna.Study, runs_dir: Path) -> list[tuple[optuna.trial.Trial, RunFolder]]:
    """The trials a driver that died left RUNNING: their runs are followed again, or, when the run
    is gone, the trial is failed."""
    found = []
    for frozen in study.get_trials(deepcopy=False, states=(optuna.trial.TrialState.RUNNING,)):
        trial = optuna.trial.Trial(study, frozen._trial_id)  # the stored trial, to report to
        run_id = frozen.user_attrs.get("run_id")
        if run_id and (runs_dir / run_id / "config.json").is_file():
            found.append((trial, RunFolder(runs_dir / run_id)))
        else:
            study.tell(trial, state=optuna.trial.TrialState.FAIL)
    return found


def run_study(
    config: TuneConfig,
    *,
    runs_dir: Path | None = None,
    priority: str = "personal",
    progress: Callable[[str], None] | None = None,
) -> StudyResult:
    """Run (or resume) the study ``config`` in this process, one trial at a time, until it has
    ``config.trials`` finished trials, the time budget is spent or a stop is requested.

    Args:
        runs_dir: the workspace's runs folder; the trial runs go there, the study folder under it.
        priority: the queue priority of the trial runs (``clfcore.jobs.PRIORITIES``).
        progress: called with one readable line per trial.
    """
    check_config_for_study(config)
    runs_dir = Path(runs_dir if runs_dir is not None else runs_root())
    folder = study_dir(config.study, runs_dir)
    folder.mkdir(parents=True, exist_ok=True)
    _write_json(folder / "tune.json", config.to_json())
    (folder / "stop-requested").unlink(missing_ok=True)
    # the storage's tables and the study are made here, before the driver starts: a reader
    # (``load``, the page every few seconds) opening the storage while the driver creates it would
    # create the tables too, and one of the two fails with "table ... already exists"
    open_study(folder, config)
    optuna.logging.set_verbosity(optuna.logging.WARNING)  # the driver prints its own lines
    say = progress or (lambda line: None)
    study = open_study(folder, config)
    _set_driver(
        folder,
        "running",
        pid=os.getpid(),
        pid_start=_process_start_ticks(os.getpid()),
        message=None,
        started=time.time(),
    )
    stop_requested = _StopFlag(folder)
    deadline = None if config.timeout_seconds is None else time.monotonic() + config.timeout_seconds
    outcome = "completed"
    try:
        pending = _adopt(study, runs_dir)
        while True:
            if stop_requested():
                outcome = "stopped"
                break
            if pending:
                trial, run = pending.pop(0)
            else:
                if len(_counted(study)) >= config.trials:
                    break
                if deadline is not None and time.monotonic() >= deadline:
                    outcome = "timeout"
                    break
                trial = study.ask()
                params = suggest(trial, config.space)
                trial_settings = trial_config(
                    config.base, params, run_name=f"{config.study} #{trial.number}"
                )
                try:
                    run = jobs.submit(trial_settings, root=runs_dir, priority=priority)
                except UserInputError as error:
                    trial.set_user_attr("message", str(error)[:500])
                    study.tell(trial, state=optuna.trial.TrialState.FAIL)
                    say(f"trial {trial.number} failed: {error}")
                    continue
                trial.set_user_attr("run_id", run.run_id)
            state = _follow(study, trial, run, stop_requested)
            frozen = study.trials[trial.number]
            value = "" if frozen.value is None else f" {OBJECTIVE} {frozen.value:.4f}"
            say(f"trial {trial.number} {state}{value}  {frozen.params}  run {run.run_id}")
            if state == "stopped":
                outcome = "stopped"
                break
    except BaseException as error:  # recorded for the page, then raised again
        _set_driver(folder, "failed", message=CRASHED, params={"reason": repr(error)[:500]})
        raise
    finally:
        stop_requested.close()
    _set_driver(folder, outcome, ended=time.time())
    return result_of(study, folder)


# --- the study as its own process (the Tune page) ------------------------------------------------


def start(config: TuneConfig, *, runs_dir: Path | None = None, priority: str = "personal") -> Path:
    """Check ``config`` and run its study in a new process (it outlives the page); the same name
    again resumes the study. Returns the study's folder.

    Raises:
        UserInputError: settings that cannot train, or this study still running.
    """
    check_config_for_study(config)
    folder = study_dir(config.study, runs_dir)
    if driver_status(folder).get("status") == "running":
        raise UserInputError(ALREADY_RUNNING, study=config.study)
    folder.mkdir(parents=True, exist_ok=True)
    _write_json(folder / "tune.json", config.to_json())
    (folder / "stop-requested").unlink(missing_ok=True)
    # the storage's tables and the study are made here, before the driver starts: a reader
    # (``load``, the page every few seconds) opening the storage while the driver creates it would
    # create the tables too, and one of the two fails with "table ... already exists"
    open_study(folder, config)
    child = process.spawn(
        ["tune", "--study-dir", str(folder), "--priority", priority], log=folder / "driver.log"
    )
    # "running" at once, so a page that reads the folder before the child writes sees it started
    _set_driver(folder, "running", pid=child.pid, pid_start=child.pid_start)
    return folder


def read_config(folder: Path) -> TuneConfig:
    """The TuneConfig of the study in ``folder`` (its tune.json)."""
    data = read_json(Path(folder) / "tune.json")
    if not data:
        raise UserInputError("There is no study in {path}.", path=str(folder))
    return TuneConfig.from_json(data)


def run_folder_job(folder: Path, *, priority: str = "personal", progress=None) -> StudyResult:
    """The study in ``folder`` (its tune.json), in this process: what ``start``'s child runs."""
    folder = Path(folder)
    config = read_config(folder)
    return run_study(config, runs_dir=folder.parent.parent, priority=priority, progress=progress)


def stop(folder: Path) -> None:
    """Stop the study: its running trial is stopped and no new one starts (resume it later)."""
    folder = Path(folder)
    (folder / "stop-requested").touch()
    state = read_json(folder / "driver.json")
    pid = state.get("pid")
    if state.get("status") == "running" and pid and process_alive(pid, state.get("pid_start")):
        os.kill(pid, signal.SIGTERM)


def list_studies(runs_dir: Path | None = None) -> list[str]:
    """The names of the workspace's studies, newest first."""
    root = studies_dir(runs_dir)
    if not root.is_dir():
        return []
    found = [p for p in root.iterdir() if (p / "tune.json").is_file()]
    return [p.name for p in sorted(found, key=lambda p: p.stat().st_mtime, reverse=True)]


def load(folder: Path) -> optuna.Study | None:
    """The stored study in ``folder`` (for reading), or None before its driver created it."""
    folder = Path(folder)
    config = read_json(folder / "tune.json")
    if not config or not (folder / "study.db").is_file():
        return None
    try:
        return optuna.load_study(study_name=config["study"], storage=storage(folder))
    except KeyError:  # the driver has not created the study in its storage yet
        return None


def delete(folder: Path) -> None:
    """Delete a study's folder (its trial runs stay on the Runs page). Refuses a running one."""
    if driver_status(folder).get("status") == "running":
        raise UserInputError(ALREADY_RUNNING, study=Path(folder).name)
    shutil.rmtree(folder)
