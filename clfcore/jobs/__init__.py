"""Jobs: training runs submitted, queued, started, stopped - the one long task of the app.

A page or the command line submits a ``TrainConfig``; the runner creates its run folder and starts
the training when a slot is free. Readers only read the run folder the training writes.

Backends, chosen by ``CLFCORE_JOBS`` at every call (so a test or a server can switch):

- ``local`` (the default): one OS process per training on this machine, with a queue
  (``clfcore.jobs.local``);
- ``ray``: one actor per training on a Ray cluster, mirrored into the run folders here
  (``clfcore.jobs.cluster``; needs ``clfcore[cluster]``).
"""

from __future__ import annotations

import os
from pathlib import Path
from types import ModuleType

from clfcore.config import TrainConfig
from clfcore.errors import UserInputError
from clfcore.i18n import N_
from clfcore.jobs import local
from clfcore.jobs.local import MAX_ENV
from clfcore.jobs.policy import PRIORITIES
from clfcore.runs.folder import RunFolder

JOBS_ENV = "CLFCORE_JOBS"
BACKENDS = ("local", "ray")

BAD_BACKEND = N_("CLFCORE_JOBS must be one of {choices}, got {value!r}. Unset it to train here.")


def backend() -> ModuleType:
    """The module of the backend ``CLFCORE_JOBS`` names (``local`` when unset)."""
    name = os.environ.get(JOBS_ENV, "").strip().lower() or "local"
    if name == "local":
        return local
    if name == "ray":
        # Ray is an optional extra (clfcore[cluster]): loaded only when this backend is chosen
        from clfcore.jobs import cluster

        return cluster
    raise UserInputError(BAD_BACKEND, choices=", ".join(BACKENDS), value=name)


def submit(
    config: TrainConfig, *, root: Path | None = None, priority: str = "personal"
) -> RunFolder:
    """Check ``config``, create its run folder (queued) and start it when a slot is free.

    Args:
        root: the workspace's runs folder (default: the runs root, personal mode).
        priority: "teacher", "student" or "personal" - kept in status.json for the queue's rules.
    """
    return backend().submit(config, root=root, priority=priority)


def stop(run: RunFolder) -> None:
    """End training after the current batch (model and history are kept); a queued run is
    removed."""
    backend().stop(run)


def dispatch(root: Path | None = None, *, wait: float | None = None) -> list[str]:
    """Notice ended runs and start queued ones while slots are free. Returns the ids started.

    Args:
        wait: for a backend that mirrors remote jobs (Ray), how long to wait for their news, in
            seconds; a one-shot command waits longer than a page that refreshes anyway.
    """
    runner = backend()
    if wait is not None and runner is not local:
        return runner.dispatch(root, wait=wait)
    return runner.dispatch(root)


def launch(run: RunFolder):
    """Start ``run`` now, without the queue."""
    return backend().launch(run)


def prewarm(config: TrainConfig, *, root: Path | None = None) -> None:
    """Get a training process ready for runs like ``config`` before one is submitted (a page that
    offers Start calls it): the run then starts without waiting for TensorFlow to load. The local
    runner keeps one warm (``clfcore.jobs.warm``); a Ray cluster's slots stay warm by
    themselves."""
    backend().prewarm(config, root=root)


def max_concurrent() -> int:
    """How many trainings may run at once."""
    return backend().max_concurrent()


def queue_order(root: Path | None = None) -> list[str]:
    """The ids of the queued runs in the order they will start (the whole queue of ``root``)."""
    return backend().queue_order(root)


def queue_position(run: RunFolder) -> int | None:
    """1 for the next queued run to start, 2 for the one after...; None if ``run`` is not
    queued."""
    return backend().queue_position(run)


__all__ = [
    "BACKENDS",
    "JOBS_ENV",
    "MAX_ENV",
    "PRIORITIES",
    "backend",
    "dispatch",
    "launch",
    "max_concurrent",
    "prewarm",
    "queue_order",
    "queue_position",
    "stop",
    "submit",
]
