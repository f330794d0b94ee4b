"""clfcore.tfenv: oneDNN asked for on x86-64 for convolutional work before TensorFlow loads; the user's setting kept."""

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
    assert (
        tfenv.prefer_onednn(convolutional=False) is True
    )  # asked for by the user: kept even for an MLP


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


def _cli_kernels(*argv: str) -> str:
    """Run `python -m clfcore ARGV` in a fresh process; then report the variable and whether TensorFlow took oneDNN."""
    env = {k: v for k, v in os.environ.items() if k != tfenv.ONEDNN_ENV}
    code = (
        "import runpy, sys\n"
        f"sys.argv = ['clfcore', *{list(argv)!r}]\n"
        "try:\n    runpy.run_module('clfcore', run_name='__main__')\nexcept SystemExit:\n    pass\n"
        "import os, tensorflow\n"
        "from tensorflow.python.util import _pywrap_util_port\n"
        "print('ONEDNN', os.environ.get('TF_ENABLE_ONEDNN_OPTS'), _pywrap_util_port.IsMklEnabled())\n"
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
    assert _cli_kernels("train", "--arch", "mlp", *tiny) == "ONEDNN None False"
