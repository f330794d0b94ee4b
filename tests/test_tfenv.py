"""clfcore.tfenv: oneDNN asked for on x86-64 before TensorFlow loads, the user's own setting kept."""

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


def test_sets_onednn_on_x86_64_when_unset(monkeypatch):
    monkeypatch.delenv(tfenv.ONEDNN_ENV, raising=False)
    monkeypatch.setattr(tfenv.platform, "machine", lambda: "x86_64")
    monkeypatch.delitem(sys.modules, "tensorflow", raising=False)  # as in a fresh process
    assert tfenv.prefer_onednn() is True
    assert os.environ[tfenv.ONEDNN_ENV] == "1"


def test_keeps_the_users_choice(monkeypatch):
    monkeypatch.setenv(tfenv.ONEDNN_ENV, "0")
    monkeypatch.setattr(tfenv.platform, "machine", lambda: "AMD64")
    assert tfenv.prefer_onednn() is False
    assert os.environ[tfenv.ONEDNN_ENV] == "0"


def test_leaves_other_cpus_alone(monkeypatch):
    monkeypatch.delenv(tfenv.ONEDNN_ENV, raising=False)
    monkeypatch.setattr(tfenv.platform, "machine", lambda: "aarch64")
    assert tfenv.prefer_onednn() is False
    assert tfenv.ONEDNN_ENV not in os.environ


def test_says_false_once_tensorflow_is_loaded(monkeypatch):
    monkeypatch.delenv(tfenv.ONEDNN_ENV, raising=False)
    monkeypatch.setattr(tfenv.platform, "machine", lambda: "x86_64")
    monkeypatch.setitem(sys.modules, "tensorflow", object())
    assert tfenv.prefer_onednn() is False


@pytest.mark.skipif(not ON_X86_64, reason="oneDNN is asked for on x86-64 only")
def test_the_command_line_runs_with_onednn_kernels():
    """`python -m clfcore` sets it before TensorFlow loads, and TensorFlow takes it."""
    env = {k: v for k, v in os.environ.items() if k != tfenv.ONEDNN_ENV}
    code = (
        "import runpy, sys\n"
        "sys.argv = ['clfcore', 'list-archs']\n"
        "try:\n    runpy.run_module('clfcore', run_name='__main__')\nexcept SystemExit:\n    pass\n"
        "import os, tensorflow\n"
        "from tensorflow.python.util import _pywrap_util_port\n"
        "print('ONEDNN', os.environ.get('TF_ENABLE_ONEDNN_OPTS'), _pywrap_util_port.IsMklEnabled())\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True).stdout
    assert out.strip().splitlines()[-1] == "ONEDNN 1 True"
