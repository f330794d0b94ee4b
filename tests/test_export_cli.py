"""``python -m clfcore export``: readable lines, the figures as the last JSON line, and one line
with exit status 2 for every mistake."""

import json

import pytest

from clfcore import cli

pytestmark = pytest.mark.xdist_group("export")


@pytest.fixture
def run_id(isolated_roots, tmp_path_factory, make_trained_run):
    return make_trained_run(isolated_roots["runs"], tmp_path_factory)


def test_export_prints_the_figures_as_json(run_id, isolated_roots, capsys):
    assert cli.main(["export", "--run", run_id, "--format", "litert", "--int8"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[0].startswith(f"exporting run {run_id} to litert (int8)")
    figures = json.loads(lines[-1])
    assert {"path", "format", "bytes", "test_accuracy", "keras_test_accuracy", "ms_per_image"} <= (
        figures.keys()
    )
    assert figures["format"] == "litert" and figures["int8"] is True
    assert figures["path"].startswith(str(isolated_roots["runs"] / run_id / "exports"))
    assert abs(figures["test_accuracy"] - figures["keras_test_accuracy"]) <= 0.03


def test_a_run_folder_given_by_path(run_id, isolated_roots, capsys):
    folder = isolated_roots["runs"] / run_id
    assert cli.main(["export", "--run", str(folder), "--format", "onnx"]) == 0
    figures = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert figures["path"] == str(folder / "exports" / "onnx" / "model.onnx")


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--format", "tflite"], "Unknown export format 'tflite'"),
        (["--format", "onnx", "--int8"], "int8 quantization is offered for LiteRT only"),
        (["--format", "saved_model", "--int8"], "int8 quantization is offered for LiteRT only"),
    ],
)
def test_mistakes_exit_2_with_one_line(run_id, capsys, argv, message):
    assert cli.main(["export", "--run", run_id, *argv]) == 2
    err = capsys.readouterr().err
    assert message in err and len(err.strip().splitlines()) == 1


def test_a_run_without_a_model_is_refused(run_id, isolated_roots, capsys):
    (isolated_roots["runs"] / run_id / "model.keras").unlink()
    assert cli.main(["export", "--run", run_id, "--format", "saved_model"]) == 2
    assert "has no saved model" in capsys.readouterr().err


def test_a_missing_extra_says_how_to_install_it(run_id, capsys, monkeypatch):
    from clfcore.export import formats

    monkeypatch.setattr(formats, "missing_packages", lambda fmt: ("ai-edge-litert",))
    assert cli.main(["export", "--run", run_id, "--format", "litert"]) == 2
    err = capsys.readouterr().err
    assert "pip install 'clfcore[export]'" in err and "ai-edge-litert" in err
