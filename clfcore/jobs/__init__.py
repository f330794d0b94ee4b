"""Jobs: training runs submitted, queued, started, stopped - the one long task of the app.

A page or the command line submits a ``TrainConfig``; the runner creates its run folder and starts
the training when a slot is free. Readers only read the run folder the training writes.

Backend: ``local`` - one OS process per training on this machine, with a queue.
"""

from clfcore.jobs.local import (
    MAX_ENV,
    PRIORITIES,
    dispatch,
    launch,
    max_concurrent,
    queue_order,
    queue_position,
    stop,
    submit,
)

__all__ = [
    "MAX_ENV",
    "PRIORITIES",
    "dispatch",
    "launch",
    "max_concurrent",
    "queue_order",
    "queue_position",
    "stop",
    "submit",
]
