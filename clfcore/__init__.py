"""clfcore: the reusable core of the clfcore dashboard.

Datasets, models, training and evaluation for image classifiers with Keras 3. Usable from the
Streamlit app, from a notebook, or headless with ``python -m clfcore``. Never imports streamlit.

The public API, for notebooks and scripts (``clfcore.api``)::

    import clfcore

    data = clfcore.load_dataset("digits")
    run = clfcore.train(clfcore.TrainConfig.for_architecture("mlp", dataset="digits", epochs=2))
    report = clfcore.evaluate(run)
    predictions = clfcore.predict(run, data.x_test[:5])

Importing this package does not import TensorFlow (it takes seconds): the names above are loaded
on first use (PEP 562), and only training, loading a model and predicting import TensorFlow.
"""

from __future__ import annotations

import importlib
import importlib.metadata as _metadata
from typing import TYPE_CHECKING, Any

try:  # the installed distribution's version (pyproject.toml), one home for the number
    __version__ = _metadata.version("clfcore")
except _metadata.PackageNotFoundError:  # a checkout used without installing it
    __version__ = "0+unknown"

# public name -> the module that defines it
_EXPORTS = {
    "load_dataset": "clfcore.api",
    "train": "clfcore.api",
    "open_run": "clfcore.api",
    "list_runs": "clfcore.api",
    "evaluate": "clfcore.api",
    "predict": "clfcore.api",
    "Run": "clfcore.api",
    "TrainConfig": "clfcore.config",
    "UserInputError": "clfcore.errors",
}

__all__ = [
    "Run",
    "TrainConfig",
    "UserInputError",
    "evaluate",
    "list_runs",
    "load_dataset",
    "open_run",
    "predict",
    "train",
]

if TYPE_CHECKING:  # what type checkers and IDEs see; at run time __getattr__ imports on first use
    from clfcore.api import Run, evaluate, list_runs, load_dataset, open_run, predict, train
    from clfcore.config import TrainConfig
    from clfcore.errors import UserInputError


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        # also how `from clfcore import jobs` falls through to importing the subpackage
        raise AttributeError(f"module 'clfcore' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # later look-ups skip this function
    return value


def __dir__() -> list[str]:
    return [*__all__, "__version__"]
