"""TensorFlow settings that only work when made before TensorFlow is imported.

TensorFlow's x86-64 builds ship Intel's oneDNN kernels, but turn them on by default only on CPUs
with AVX-512 VNNI, BF16 or AMX. On the AVX2 CPUs of most laptops and small classroom servers they
stay off, and the plain Eigen kernels train a small CNN far slower: measured on full Fashion-MNIST,
2 AMD EPYC cores with AVX2, the ``recommended`` preset took 20 s an epoch with oneDNN and 33-36 s
without (bench/recommended.py). The numbers can differ in the last digits (another summation order);
a seeded run still gives the same metrics every time.

    >>> from clfcore import tfenv
    >>> tfenv.prefer_onednn()      # first thing in a process, before anything imports keras
"""

from __future__ import annotations

import os
import platform
import sys

ONEDNN_ENV = "TF_ENABLE_ONEDNN_OPTS"
_X86_64 = {"x86_64", "amd64"}


def prefer_onednn() -> bool:
    """Turn on TensorFlow's oneDNN kernels on x86-64, unless ``TF_ENABLE_ONEDNN_OPTS`` is set already.

    Returns True when oneDNN is asked for and TensorFlow is not loaded yet (so the request applies).
    Set ``TF_ENABLE_ONEDNN_OPTS=0`` to keep TensorFlow's own choice.
    """
    if platform.machine().lower() not in _X86_64:
        return False  # ARM builds use other kernels (oneDNN there goes through ACL, not what was measured)
    os.environ.setdefault(ONEDNN_ENV, "1")
    return os.environ[ONEDNN_ENV] == "1" and "tensorflow" not in sys.modules
