"""TensorFlow settings that only work when made before TensorFlow is imported.

TensorFlow's x86-64 builds ship Intel's oneDNN kernels, but turn them on by default only on CPUs
with AVX-512 VNNI, BF16 or AMX. On the AVX2 CPUs of most laptops and small classroom servers they
stay off. Measured on full Fashion-MNIST, 2 AMD EPYC cores with AVX2 (bench/recommended.py):

- the ``recommended`` CNN: about 20 s an epoch with oneDNN, 33-36 s without;
- the course MLP (Dense layers only): 33 s for 10 epochs with oneDNN, 25.5 s without (median of 3).

So convolutional models train with oneDNN and dense-only ones keep TensorFlow's default. Results can
differ in the last digits (another summation order); a seeded run still repeats exactly.

Example (the first thing in a process, before anything imports Keras)::

    from clfcore import tfenv
    tfenv.prefer_onednn(convolutional=True)
"""

from __future__ import annotations

import os
import platform
import sys

ONEDNN_ENV = "TF_ENABLE_ONEDNN_OPTS"
_X86_64 = {"x86_64", "amd64"}
_asked_here = False  # this process set ONEDNN_ENV itself (not the user)


def prefer_onednn(*, convolutional: bool = True) -> bool:
    """Turn on TensorFlow's oneDNN kernels on x86-64 for convolutional work, before TensorFlow loads.

    A ``TF_ENABLE_ONEDNN_OPTS`` the user set is kept (``0`` keeps TensorFlow's own choice). Returns
    True when oneDNN is on for this process: asked for before TensorFlow was imported.
    """
    global _asked_here
    if platform.machine().lower() not in _X86_64:
        return False  # ARM builds reach oneDNN through ACL: not what was measured
    if ONEDNN_ENV not in os.environ and convolutional:
        os.environ[ONEDNN_ENV] = "1"
        _asked_here = True
    return os.environ.get(ONEDNN_ENV) == "1" and "tensorflow" not in sys.modules


def child_environment(env: dict[str, str]) -> dict[str, str]:
    """``env`` for a child process that makes its own choice: without the setting this process made (a user's stays)."""
    if _asked_here:
        return {key: value for key, value in env.items() if key != ONEDNN_ENV}
    return dict(env)
