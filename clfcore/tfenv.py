"""TensorFlow settings that only work when made before TensorFlow is imported.

TensorFlow's x86-64 builds ship Intel's oneDNN kernels, but turn them on by default only on CPUs
with AVX-512 VNNI, BF16, AVX-VNNI or AMX (``tensorflow_enables_onednn``). On the AVX2 CPUs of most
laptops and small classroom servers they stay off. Measured on full Fashion-MNIST, 2 AMD EPYC cores
with AVX2 (bench/recommended.py):

- the ``recommended`` CNN: about 20 s an epoch with oneDNN, 33-36 s without;
- the course MLP (Dense layers only): 33 s for 10 epochs with oneDNN, 25.5 s without (median of 3).

So convolutional models train with oneDNN and dense-only ones keep TensorFlow's default. Results can
differ in the last digits (another summation order); a seeded run still repeats exactly.

TensorFlow's C++ side also writes log lines to stderr (``E0000 ... failed call to cuInit``, the
oneDNN notice): noise to a student. ``quiet_logs`` hides them unless asked for.

Example (the first thing in a process, before anything imports Keras)::

    from clfcore import tfenv
    tfenv.quiet_logs()
    tfenv.prefer_onednn(convolutional=True)
"""

from __future__ import annotations

import contextlib
import importlib.abc
import importlib.util
import logging
import os
import platform
import re
import subprocess
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path

from absl import logging as absl_logging  # absl-py, which TensorFlow and Keras log through

ONEDNN_ENV = "TF_ENABLE_ONEDNN_OPTS"
LOG_LEVEL_ENV = "TF_CPP_MIN_LOG_LEVEL"  # 0 all, 1 no INFO, 2 no WARNING either, 3 no ERROR either
_X86_64 = {"x86_64", "amd64"}
_asked_here = False  # this process set ONEDNN_ENV itself (not the user)

# The CPU features with which TensorFlow turns oneDNN on by itself on Linux (DefaultOneDnnPolicy in
# tensorflow/core/util/util.cc), by their names in /proc/cpuinfo.
_ONEDNN_BY_DEFAULT_FLAGS = frozenset(
    {"avx512_vnni", "avx512_bf16", "avx_vnni", "amx_tile", "amx_int8", "amx_bf16"}
)
CPUINFO = Path("/proc/cpuinfo")


def tensorflow_enables_onednn() -> bool:
    """Whether TensorFlow turns its oneDNN kernels on by itself on this computer (no variable set).

    It does on Linux x86-64 CPUs with AVX-512 VNNI or BF16, AVX-VNNI or AMX (most servers since
    2019, AMD EPYC from Zen 4) and on Windows x86-64; not on AVX2-only CPUs.
    """
    if platform.machine().lower() not in _X86_64:
        return False
    if platform.system() == "Windows":
        return True
    try:
        cpuinfo = CPUINFO.read_text(errors="replace")
    except OSError:
        return False
    for line in cpuinfo.splitlines():
        if line.startswith("flags"):  # the same for every core
            return not _ONEDNN_BY_DEFAULT_FLAGS.isdisjoint(line.partition(":")[2].split())
    return False


def _onednn_on(value: str | None) -> bool:
    """What TensorFlow makes of ``TF_ENABLE_ONEDNN_OPTS=value`` (unset or unreadable: its
    default)."""
    setting = (value or "").strip().lower()
    if setting in {"1", "true"}:
        return True
    if setting in {"0", "false"}:
        return False
    return tensorflow_enables_onednn()


def prefer_onednn(*, convolutional: bool = True) -> bool:
    """Turn on TensorFlow's oneDNN kernels on x86-64 for convolutional work, before TensorFlow
    loads.

    A ``TF_ENABLE_ONEDNN_OPTS`` the user set is kept (``0`` keeps TensorFlow's own choice). Returns
    True when oneDNN will be on in this process: asked for (or TensorFlow's default on this CPU)
    before TensorFlow was imported.
    """
    global _asked_here
    if platform.machine().lower() not in _X86_64:
        return False  # ARM builds reach oneDNN through ACL: not what was measured
    if ONEDNN_ENV not in os.environ and convolutional:
        os.environ[ONEDNN_ENV] = "1"
        _asked_here = True
    return _onednn_on(os.environ.get(ONEDNN_ENV)) and "tensorflow" not in sys.modules


def child_environment(env: dict[str, str]) -> dict[str, str]:
    """``env`` for a child process that makes its own choice: without the setting this process made
    (a user's stays)."""
    if _asked_here:
        return {key: value for key, value in env.items() if key != ONEDNN_ENV}
    return dict(env)


# --- TensorFlow's log lines ---------------------------------------------------------------------

# A C++ log line, as absl writes it ("I0000 00:00:1796114459.595274   12529 port.cc:153] ...":
# before absl is initialised the date is zeros and the seconds run from 1970), or as older
# TensorFlow did ("2024-05-01 10:00:00.123456: I tensorflow/.../gpu_device.cc:1618] ...").
_LOG_LINE = re.compile(
    r"^(?:(?P<absl>[IWEF])\d{4} \d\d:\d\d:\d+\.\d+ +\d+ |\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+: "
    r"(?P<tsl>[IWEF]) )\S+:\d+\] "
)
_ABSL_NOTICE = (
    "WARNING: All log messages before absl::InitializeLog() is called are written to STDERR"
)
_SEVERITY = {"I": 0, "W": 1, "E": 2, "F": 3}


def log_level() -> int:
    """``TF_CPP_MIN_LOG_LEVEL`` as TensorFlow reads it: 0 (everything) when unset or unreadable."""
    try:
        return min(max(int(os.environ.get(LOG_LEVEL_ENV, "0")), 0), 3)
    except ValueError:
        return 0


def drop_log_lines(lines: Iterable[str], *, min_level: int) -> Iterator[str]:
    """``lines`` without TensorFlow's C++ log lines below ``min_level`` (as
    ``TF_CPP_MIN_LOG_LEVEL``).

    Anything else (Python's warnings, a FATAL line, a program's own output) is kept.
    """
    for line in lines:
        match = _LOG_LINE.match(line)
        if match:
            if _SEVERITY[match["absl"] or match["tsl"]] >= min_level:
                yield line
        elif line.rstrip("\r\n") != _ABSL_NOTICE or min_level == 0:
            yield line


# The filter runs in a process of its own, so that what C++ code wrote before it aborted the process
# (a FATAL line, such as TensorFlow's own "CPU lacks AVX" message) still reaches the terminal.
_FILTER_PROCESS = (
    "import sys\n"
    "from clfcore.tfenv import drop_log_lines\n"
    "sys.stdin.reconfigure(errors='replace')\n"
    "for line in drop_log_lines(sys.stdin, min_level=int(sys.argv[1])):\n"
    "    sys.stdout.write(line)\n"
    "    sys.stdout.flush()\n"
)


@contextlib.contextmanager
def _native_stderr_filtered(min_level: int) -> Iterator[None]:
    """Send what C++ code writes to file descriptor 2 meanwhile through a filter process that drops
    the log lines below ``min_level`` and passes everything else on, line by line."""
    if sys.stderr is None:  # no stderr at all (pythonw): nothing to filter
        yield
        return
    sys.stderr.flush()
    try:
        saved = os.dup(2)
    except OSError:  # file descriptor 2 is closed: nothing to filter
        yield
        return
    read_end, write_end = os.pipe()
    try:
        child = subprocess.Popen(
            [sys.executable, "-c", _FILTER_PROCESS, str(min_level)], stdin=read_end, stdout=saved
        )
    except OSError:  # no process to spare: let the lines through rather than lose any
        os.close(read_end)
        os.close(write_end)
        os.close(saved)
        yield
        return
    os.close(read_end)
    os.dup2(write_end, 2)
    os.close(write_end)
    try:
        yield
    finally:
        sys.stderr.flush()
        os.dup2(saved, 2)  # the pipe's last writer is gone: the filter reads to the end and exits
        os.close(saved)
        child.wait()


class _FilteredTensorFlowImport(importlib.abc.MetaPathFinder):
    """Runs the first ``import tensorflow`` with its stderr filtered.

    While it loads, TensorFlow (2.16 and later) logs through absl before its own level is applied,
    so ``TF_CPP_MIN_LOG_LEVEL`` alone still lets "oneDNN custom operations are on" and "Could not
    find cuda drivers" through; later lines honour the variable.
    """

    def __init__(self, min_level: int):
        self.min_level = min_level

    def find_spec(self, fullname, path=None, target=None):
        if fullname != "tensorflow":
            return None
        sys.meta_path.remove(self)  # once: the usual finders find the package
        spec = importlib.util.find_spec(fullname)
        if spec is None or spec.loader is None:
            return None
        run_module = spec.loader.exec_module
        min_level = self.min_level

        def exec_module(module):
            with _native_stderr_filtered(min_level):
                run_module(module)

        spec.loader.exec_module = exec_module  # this import only: the loader is made for this spec
        return spec


def quiet_logs(*, verbose: bool = False) -> None:
    """Hide TensorFlow's C++ log lines (and absl's Python warnings) unless ``verbose``; before
    TensorFlow loads.

    A ``TF_CPP_MIN_LOG_LEVEL`` the user set is kept; otherwise it becomes 3 (only fatal errors), or
    0 (everything) when ``verbose``, and processes started from this one inherit that choice.
    """
    os.environ.setdefault(LOG_LEVEL_ENV, "0" if verbose else "3")
    level = log_level()
    hooked = any(isinstance(finder, _FilteredTensorFlowImport) for finder in sys.meta_path)
    if level > 0 and "tensorflow" not in sys.modules and not hooked:
        sys.meta_path.insert(0, _FilteredTensorFlowImport(level))
    if not verbose:  # their Python warnings ("WARNING:absl:...", "WARNING:tensorflow:...") too
        absl_logging.set_verbosity(absl_logging.ERROR)
        logging.getLogger("tensorflow").setLevel(logging.ERROR)
