import json
import subprocess
import sys

from clfcore.cli import main


def test_list_datasets_ends_with_json(capsys):
    assert main(["list-datasets"]) == 0
    out = capsys.readouterr().out.strip().splitlines()
    summary = json.loads(out[-1])
    by_id = {d["id"]: d for d in summary["datasets"]}
    assert by_id["digits"]["available"] and not by_id["mnist"]["available"]
    assert "python -m clfcore download mnist" in by_id["mnist"]["how_to_fix"]
    assert summary["default"] == "digits"


def test_unknown_dataset_exits_2_with_one_line(capsys):
    assert main(["download", "imagenet"]) == 2
    captured = capsys.readouterr()
    assert captured.err.strip().count("\n") == 0 and "Unknown dataset 'imagenet'" in captured.err
    assert json.loads(captured.out.strip().splitlines()[-1])["error"].startswith("Unknown dataset")


def test_bad_arguments_exit_2_without_a_traceback():
    result = subprocess.run([sys.executable, "-m", "clfcore", "no-such-command"], capture_output=True, text=True)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr and "invalid choice" in result.stderr
