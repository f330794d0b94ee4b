"""clfcore.tfenv: oneDNN asked for on x86-64 for convolutional work before TensorFlow loads; the
user's setting kept."""

from __future__ import annotations

import os
import platform
import subprocess
import sys
from pathlib import Path

import pytest

from clfcore import tfenv

ROOT = Path(__file__).resolve().parents[1]
ON_X86_64 = platform.machine().lower() in {"x86_64", "amd64"}


@pytest.fixture
def fresh(monkeypatch):
    """An x86-64 process where nobody set the variable and TensorFlow is not loaded yet."""
    monkeypatch.delenv(tfenv.ONEDNN_ENV, raising=False)
    monkeypatch.setattr(tfenv.platform, "machine", lambda: "x86_64")
    monkeypatch.delitem(sys.modules, "tensorflow", raising=False)
    monkeypatch.setattr(tfenv, "_asked_here", False)
    # an AVX2 CPU, where TensorFlow leaves oneDNN off by itself (the tests below force each case)
    monkeypatch.setattr(tfenv, "tensorflow_enables_onednn", lambda: False)


def test_convolutional_work_gets_onednn(fresh):
    assert tfenv.prefer_onednn() is True
    assert os.environ[tfenv.ONEDNN_ENV] == "1"


def test_dense_only_models_keep_tensorflows_default(fresh):
    assert tfenv.prefer_onednn(convolutional=False) is False
    assert tfenv.ONEDNN_ENV not in os.environ


def test_keeps_the_users_choice(fresh, monkeypatch):
    monkeypatch.setenv(tfenv.ONEDNN_ENV, "0")
    assert tfenv.prefer_onednn() is False
    assert os.environ[tfenv.ONEDNN_ENV] == "0"
    monkeypatch.setenv(tfenv.ONEDNN_ENV, "1")
    # asked for by the user: kept even for an MLP
    assert tfenv.prefer_onednn(convolutional=False) is True


def test_leaves_other_cpus_alone(fresh, monkeypatch):
    monkeypatch.setattr(tfenv.platform, "machine", lambda: "aarch64")
    assert tfenv.prefer_onednn() is False
    assert tfenv.ONEDNN_ENV not in os.environ


def test_says_false_once_tensorflow_is_loaded(fresh, monkeypatch):
    monkeypatch.setitem(sys.modules, "tensorflow", object())
    assert tfenv.prefer_onednn() is False


def test_a_child_process_chooses_again_unless_the_user_chose(fresh, monkeypatch):
    tfenv.prefer_onednn()
    assert tfenv.ONEDNN_ENV not in tfenv.child_environment(dict(os.environ))
    monkeypatch.setattr(tfenv, "_asked_here", False)  # the user set it
    assert tfenv.child_environment(dict(os.environ))[tfenv.ONEDNN_ENV] == "1"


def test_where_tensorflow_turns_onednn_on_itself_dense_models_get_it_by_default(fresh, monkeypatch):
    monkeypatch.setattr(tfenv, "tensorflow_enables_onednn", lambda: True)  # AVX-512 VNNI, BF16, AMX
    assert tfenv.prefer_onednn(convolutional=False) is True  # TensorFlow's default: on
    assert tfenv.ONEDNN_ENV not in os.environ  # kept, not asked for
    monkeypatch.setenv(tfenv.ONEDNN_ENV, "0")
    assert tfenv.prefer_onednn() is False  # the user's "off" wins over the CPU's default


@pytest.mark.parametrize(
    ("machine", "system", "flags", "expected"),
    [
        ("x86_64", "Linux", "fpu sse2 avx avx2 fma", False),  # AVX2: TensorFlow leaves it off
        ("x86_64", "Linux", "fpu avx2 avx512f avx512_vnni avx512_bf16", True),  # e.g. EPYC Zen 4
        ("x86_64", "Linux", "fpu avx2 avx_vnni", True),  # e.g. Alder Lake
        ("x86_64", "Linux", "fpu avx512f amx_tile amx_int8", True),  # Sapphire Rapids
        ("x86_64", "Linux", None, False),  # no /proc/cpuinfo
        ("aarch64", "Linux", "fp asimd", False),
        ("AMD64", "Windows", None, True),
    ],
)
def test_knows_where_tensorflow_turns_onednn_on_by_itself(
    tmp_path, monkeypatch, machine, system, flags, expected
):
    cpuinfo = tmp_path / "cpuinfo"
    if flags is not None:
        cpuinfo.write_text(
            "".join(f"processor\t: {n}\nvendor_id\t: X\nflags\t\t: {flags}\n\n" for n in range(2))
        )
    monkeypatch.setattr(tfenv, "CPUINFO", cpuinfo)
    monkeypatch.setattr(tfenv.platform, "machine", lambda: machine)
    monkeypatch.setattr(tfenv.platform, "system", lambda: system)
    assert tfenv.tensorflow_enables_onednn() is expected


def _cli_kernels(*argv: str) -> str:
    """Run `python -m clfcore ARGV` in a fresh process; then report the variable and whether
    TensorFlow took oneDNN."""
    env = {k: v for k, v in os.environ.items() if k != tfenv.ONEDNN_ENV}
    code = (
        "import runpy, sys\n"
        f"sys.argv = ['clfcore', *{list(argv)!r}]\n"
        "try:\n    runpy.run_module('clfcore', run_name='__main__')\nexcept SystemExit:\n    pass\n"
        "import os, tensorflow\n"
        "from tensorflow.python.util import _pywrap_util_port\n"
        "print('ONEDNN', os.environ.get('TF_ENABLE_ONEDNN_OPTS'), "
        "_pywrap_util_port.IsMklEnabled())\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    ).stdout
    return out.strip().splitlines()[-1]


@pytest.mark.skipif(not ON_X86_64, reason="oneDNN is asked for on x86-64 only")
def test_the_command_line_picks_the_kernels_for_the_model(tmp_path):
    assert _cli_kernels("list-archs") == "ONEDNN 1 True"
    tiny = ["--dataset", "digits", "--epochs", "1", "--train-size", "200", "--out", str(tmp_path)]
    assert _cli_kernels("train", "--arch", "lenet", *tiny) == "ONEDNN 1 True"
    # dense-only: the variable stays unset, so TensorFlow's own default, which depends on the CPU
    assert _cli_kernels("train", "--arch", "mlp", *tiny).split()[:2] == ["ONEDNN", "None"]


# --- TensorFlow's log lines -----------------------------------------------------------------------

LINES = [
    "WARNING: All log messages before absl::InitializeLog() is called are written to STDERR\n",
    "I0000 00:00:1796114565.766065   15224 port.cc:153] oneDNN custom operations are on.\n",
    "I0000 00:00:1796114565.891717   15224 cpu_feature_guard.cc:227] This TensorFlow binary "
    "is optimized.\n",
    "W0000 00:00:1796114566.000001   15224 some_file.cc:12] a warning\n",
    "E0000 00:00:1796114568.394965   15224 cuda_platform.cc:52] failed call to cuInit: INTERNAL\n",
    "2024-05-01 10:00:00.123456: E tensorflow/core/x.cc:1] an error, the older format\n",
    "/work/x.py:3: UserWarning: a Python warning\n",
    "F0000 00:00:1796114569.000000   15224 y.cc:9] Check failed: a fatal error\n",
]


@pytest.mark.parametrize(
    ("min_level", "kept"),
    [(0, list(range(8))), (1, [3, 4, 5, 6, 7]), (2, [4, 5, 6, 7]), (3, [6, 7])],
)
def test_log_lines_below_the_level_are_dropped_the_rest_kept(min_level, kept):
    assert list(tfenv.drop_log_lines(LINES, min_level=min_level)) == [LINES[i] for i in kept]


def test_what_cpp_writes_to_stderr_meanwhile_is_filtered(capfd):
    with tfenv._native_stderr_filtered(3):
        os.write(2, "".join(LINES).encode())
    assert capfd.readouterr().err == LINES[6] + LINES[7]


def test_a_fatal_line_written_just_before_an_abort_still_reaches_the_terminal():
    # TensorFlow aborts its own import when it cannot run here, after logging why (LOG(FATAL))
    code = (
        "import os\n"
        "from clfcore import tfenv\n"
        "with tfenv._native_stderr_filtered(3):\n"
        "    os.write(2, b'I0000 00:00:1.5 1 port.cc:1] an info line\\n')\n"
        "    os.write(2, b'F0000 00:00:1.5 1 cpu.cc:2] this machine cannot run TensorFlow\\n')\n"
        "    os.abort()\n"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode != 0
    assert (
        "this machine cannot run TensorFlow" in result.stderr
        and "an info line" not in result.stderr
    )


@pytest.fixture
def logs_untouched(monkeypatch):
    """Undo what quiet_logs changes: the variable, the import hook, absl's and TensorFlow's
    loggers."""
    import logging

    from absl import logging as absl_logging

    monkeypatch.setenv(tfenv.LOG_LEVEL_ENV, "")  # recorded, so the teardown restores the original
    monkeypatch.delenv(tfenv.LOG_LEVEL_ENV)
    monkeypatch.setattr(sys, "meta_path", list(sys.meta_path))
    # "not loaded yet" (nothing imports it here)
    monkeypatch.delitem(sys.modules, "tensorflow", raising=False)
    verbosity, level = absl_logging.get_verbosity(), logging.getLogger("tensorflow").level
    yield
    absl_logging.set_verbosity(verbosity)
    logging.getLogger("tensorflow").setLevel(level)


def _hooks() -> list:
    return [
        finder for finder in sys.meta_path if isinstance(finder, tfenv._FilteredTensorFlowImport)
    ]


def test_quiet_by_default_and_inherited_by_child_processes(logs_untouched):
    from absl import logging as absl_logging

    tfenv.quiet_logs()
    tfenv.quiet_logs()
    assert os.environ[tfenv.LOG_LEVEL_ENV] == "3"
    assert [hook.min_level for hook in _hooks()] == [3]  # once
    assert absl_logging.get_verbosity() == absl_logging.ERROR


def test_verbose_shows_everything_and_the_users_level_is_kept(logs_untouched, monkeypatch):
    from absl import logging as absl_logging

    absl_logging.set_verbosity(absl_logging.INFO)
    tfenv.quiet_logs(verbose=True)
    assert os.environ[tfenv.LOG_LEVEL_ENV] == "0" and _hooks() == []
    assert absl_logging.get_verbosity() == absl_logging.INFO
    monkeypatch.setenv(tfenv.LOG_LEVEL_ENV, "1")  # the user's: no INFO lines, but warnings
    tfenv.quiet_logs()
    assert os.environ[tfenv.LOG_LEVEL_ENV] == "1" and [hook.min_level for hook in _hooks()] == [1]
