"""``python -m clfcore convolve``: a readable line, then the JSON; every mistake exits 2 with one
line."""

import json

import numpy as np
import pytest
from PIL import Image

from clfcore.cli import main


@pytest.fixture(autouse=True)
def _log_level_restored(monkeypatch):
    """``main`` sets TF_CPP_MIN_LOG_LEVEL: undone after each test."""
    monkeypatch.setenv("TF_CPP_MIN_LOG_LEVEL", "")
    monkeypatch.delenv("TF_CPP_MIN_LOG_LEVEL")


@pytest.fixture
def image_path(tmp_path):
    pixels = np.zeros((10, 12), dtype=np.uint8)
    pixels[:, 6:] = 255  # a vertical edge: sobel_x answers it
    path = tmp_path / "edge.png"
    Image.fromarray(pixels).save(path)
    return path


def _last_json(capsys) -> tuple[list[str], dict]:
    lines = capsys.readouterr().out.strip().splitlines()
    return lines, json.loads(lines[-1])


def test_sobel_x_with_stride_and_padding(image_path, capsys):
    assert (
        main(
            ["convolve", str(image_path), "--kernel", "sobel_x", "--stride", "2", "--padding", "1"]
        )
        == 0
    )
    lines, summary = _last_json(capsys)
    assert "output 5x6" in lines[0] and "W' = ⌊(12 - 3 + 2*1) / 2⌋ + 1 = ⌊5.5⌋ + 1 = 6" in lines[0]
    assert summary["input_shape"] == [10, 12] and summary["output_shape"] == [5, 6]
    assert summary["kernel"] == [[1, 0, -1], [2, 0, -2], [1, 0, -1]]
    output = np.array(summary["output"])
    assert output.shape == (5, 6)
    # padded column 6 is image column 5 (black) next to column 6 (white): 1 - 0 weighted 1,2,1
    assert output[2, 3] == pytest.approx(-4.0)
    assert output[2, 0] == 0


def test_own_kernel_and_same_padding(image_path, capsys):
    assert (
        main(["convolve", str(image_path), "--kernel", "0,0,0;0,1,0;0,0,0", "--padding", "same"])
        == 0
    )
    _, summary = _last_json(capsys)
    assert summary["output_shape"] == [10, 12]
    assert np.array(summary["output"]).max() == pytest.approx(1.0)  # identity: the image, 0-1


@pytest.mark.parametrize(
    "options, words",
    [
        (["--kernel", "blur"], "Unknown kernel 'blur'"),
        (["--kernel", "1,2,3;4,5,6"], "must be square"),
        (["--kernel", "1,2;3,4"], "3x3 or 5x5"),
        (["--kernel", "1,x,3;4,5,6;7,8,9"], "not a number"),
        (["--kernel", "sobel_x", "--padding", "full"], "padding must be valid, same or a number"),
        (["--kernel", "sobel_x", "--stride", "11"], "from 1 to 4"),
    ],
)
def test_mistakes_exit_2_with_one_line(image_path, capsys, options, words):
    assert main(["convolve", str(image_path), *options]) == 2
    captured = capsys.readouterr()
    assert captured.err.strip().count("\n") == 0 and words in captured.err
    assert words in json.loads(captured.out.strip().splitlines()[-1])["error"]


def test_a_stride_larger_than_the_image(tmp_path, capsys):
    path = tmp_path / "tiny.png"
    Image.fromarray(np.zeros((3, 3), dtype=np.uint8)).save(path)
    assert main(["convolve", str(path), "--kernel", "identity", "--stride", "4"]) == 2
    assert "larger than the image" in capsys.readouterr().err


def test_an_unreadable_image(tmp_path, capsys):
    text = tmp_path / "notes.png"
    text.write_text("not a picture at all, only words")
    assert main(["convolve", str(text), "--kernel", "sobel_x"]) == 2
    assert "contains text, not an image" in capsys.readouterr().err
    assert main(["convolve", str(tmp_path / "missing.png"), "--kernel", "sobel_x"]) == 2
    assert "cannot be read" in capsys.readouterr().err
