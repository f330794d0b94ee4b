import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from clfcore.cli import main


@pytest.fixture(autouse=True)
def _log_level_restored(monkeypatch):
    """``main`` sets TF_CPP_MIN_LOG_LEVEL for the processes it starts: undone after each test."""
    # set first, so that monkeypatch records the original and the teardown restores it
    monkeypatch.setenv("TF_CPP_MIN_LOG_LEVEL", "")
    monkeypatch.delenv("TF_CPP_MIN_LOG_LEVEL")  # and the tests start without one


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
    result = subprocess.run(
        [sys.executable, "-m", "clfcore", "no-such-command"], capture_output=True, text=True
    )
    assert result.returncode == 2
    assert "Traceback" not in result.stderr and "invalid choice" in result.stderr


def test_evaluate_prints_the_report_and_ends_with_json(
    isolated_roots, tmp_path_factory, capsys, make_trained_run
):
    run_id = make_trained_run(isolated_roots["runs"], tmp_path_factory)
    assert main(["evaluate", "--run", run_id]) == 0
    out = capsys.readouterr().out.strip().splitlines()
    summary = json.loads(out[-1])
    assert "weighted avg" in "\n".join(out[:-1])
    matrix = summary["confusion_matrix"]
    assert (
        len(matrix) == 10 and all(len(row) == 10 for row in matrix) and sum(map(sum, matrix)) == 359
    )
    assert summary["accuracy"] == sum(matrix[i][i] for i in range(10)) / 359
    # rows = true class
    assert [entry["support"] for entry in summary["per_class"]] == [sum(row) for row in matrix]
    assert set(summary["per_class"][0]) >= {
        "precision",
        "recall",
        "f1",
        "specificity",
        "npv",
        "support",
    }
    assert (
        set(summary["macro_avg"])
        == set(summary["weighted_avg"])
        == {"precision", "recall", "f1", "specificity", "npv"}
    )
    # the folder path inside the runs root works too, and gives the same numbers (from
    # predictions.npz)
    assert main(["evaluate", "--run", str(isolated_roots["runs"] / run_id)]) == 0
    assert (
        json.loads(capsys.readouterr().out.strip().splitlines()[-1])["accuracy"]
        == summary["accuracy"]
    )


def test_evaluate_a_bad_run_exits_2_with_one_line(isolated_roots, tmp_path, capsys):
    for bad in ("no-such-run", str(tmp_path), "../etc"):
        assert main(["evaluate", "--run", bad]) == 2
        captured = capsys.readouterr()
        assert captured.err.strip().count("\n") == 0 and captured.err.startswith("error: ")
        assert "error" in json.loads(captured.out.strip().splitlines()[-1])


def test_import_dataset_from_a_zip_and_from_a_folder_anywhere(
    isolated_roots, tmp_path, capsys, write_zip, class_files
):
    source = write_zip(
        tmp_path / "pets.zip", class_files() | {"pets/notes.txt": b"x", "cat/bad.png": b"junk"}
    )
    assert (
        main(
            [
                "import-dataset",
                str(source),
                "--name",
                "pets",
                "--image-size",
                "16,16",
                "--color-mode",
                "grayscale",
                "--seed",
                "3",
            ]
        )
        == 0
    )
    out = capsys.readouterr().out.strip().splitlines()
    summary = json.loads(out[-1])
    assert {k: summary[k] for k in ("name", "classes", "images", "skipped")} == {
        "name": "pets",
        "classes": ["cat", "dog"],
        "images": 10,
        "skipped": ["cat/bad.png"],
    }
    assert (
        summary["image_size"],
        summary["color_mode"],
        summary["seed"],
        summary["non_images"],
    ) == ([16, 16], "grayscale", 3, 1)
    assert "left out cat/bad.png: not readable as an image" in out
    folder = tmp_path / "outside" / "birds"  # a folder outside the data root is copied in
    for name, data in class_files(classes=("cat", "bird")).items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(data)
    assert main(["import-dataset", str(folder)]) == 0
    assert json.loads(capsys.readouterr().out.strip().splitlines()[-1])["name"] == "birds"
    assert (isolated_roots["data"] / "birds" / "train" / "bird").is_dir()


def test_import_dataset_mistakes_exit_2_with_json(
    isolated_roots, tmp_path, capsys, write_zip, class_files
):
    slip = write_zip(tmp_path / "slip.zip", class_files() | {"../evil.png": b"x"})
    for argv, message in (
        (["import-dataset", str(slip), "--name", "slip"], "climbs out of its folder"),
        (["import-dataset", str(tmp_path / "missing.zip")], "There is no file or folder"),
        (
            ["import-dataset", str(slip), "--name", "x", "--image-size", "big"],
            "The image size must be H,W",
        ),
        (["import-dataset", str(slip), "--name", "mnist"], "built-in dataset"),
    ):
        assert main(argv) == 2
        captured = capsys.readouterr()
        assert captured.err.strip().count("\n") == 0 and message in captured.err
        assert message in json.loads(captured.out.strip().splitlines()[-1])["error"]
    assert list(isolated_roots["data"].iterdir()) == []


def test_train_uses_the_validation_split_stored_with_an_imported_dataset(
    isolated_roots, tmp_path, monkeypatch, capsys, write_zip, class_files
):
    from clfcore.cli import train_commands
    from clfcore.data import archive
    from clfcore.data.folders import FolderSettings
    from clfcore.runs.folder import RunFolder
    from clfcore.training import trainer

    archive.import_dataset(
        write_zip(tmp_path / "p.zip", class_files(count=10)),
        "pets",
        settings=FolderSettings(validation_split=0.3, seed=9),
    )
    # no Keras: only the config matters here
    monkeypatch.setattr(train_commands, "_epoch_printer", lambda: None)
    monkeypatch.setattr(
        trainer,
        "run_in_this_process",
        lambda run, callbacks: {"test_accuracy": 1.0, "epochs_run": 1, "train_seconds": 0.0},
    )
    assert main(["train", "--dataset", "pets", "--batch-size", "2"]) == 0
    run = RunFolder(Path(json.loads(capsys.readouterr().out.strip().splitlines()[-1])["run_dir"]))
    assert (run.config().validation_split, run.config().seed) == (0.3, 9)
    assert (
        main(
            [
                "train",
                "--dataset",
                "pets",
                "--batch-size",
                "2",
                "--validation-split",
                "0.5",
                "--seed",
                "1",
            ]
        )
        == 0
    )
    run = RunFolder(Path(json.loads(capsys.readouterr().out.strip().splitlines()[-1])["run_dir"]))
    assert (run.config().validation_split, run.config().seed) == (0.5, 1)


# --- predict --------------------------------------------------------------------------------------


def _predict_run(tmp_path):
    """A digits run with an (untrained) LeNet as its model, and two image files: a digit photo and a
    text file."""
    from PIL import Image, ImageDraw

    from clfcore.config import TrainConfig
    from clfcore.models import architectures
    from clfcore.runs.folder import create_run

    run = create_run(TrainConfig(dataset="digits", architecture="lenet", epochs=1))
    architectures.build_model("lenet", (8, 8, 1), 10).save(run.model_path)
    run.set_status("completed")
    photo = Image.new("RGB", (120, 90), (230, 230, 225))
    ImageDraw.Draw(photo).line([(40, 20), (80, 20), (55, 80)], fill=(20, 20, 20), width=8)
    good, bad = tmp_path / "seven.jpg", tmp_path / "notes.png"
    photo.save(good)
    bad.write_text("not an image")
    return run, good, bad


def test_predict_prints_one_json_line_per_file(isolated_roots, tmp_path, capsys):
    run, good, bad = _predict_run(tmp_path)
    assert main(["predict", "--run", str(run.path), "--top-k", "3", str(good)]) == 0
    (line,) = capsys.readouterr().out.strip().splitlines()
    result = json.loads(line)
    assert result["file"] == str(good) and result["label"] == str(result["class_index"])
    assert len(result["top_k"]) == 3 and result["top_k"][0]["probability"] == result["probability"]
    # a run id works too
    assert main(["predict", "--run", run.run_id, str(good), str(bad), str(good)]) == 2
    lines = [json.loads(text) for text in capsys.readouterr().out.strip().splitlines()]
    assert [sorted(line) for line in lines][1] == ["error", "file"] and "contains text" in lines[1][
        "error"
    ]
    assert "label" in lines[0] and "label" in lines[2]


def test_predict_mistakes_exit_2_without_a_traceback(isolated_roots, tmp_path, capsys):
    run, good, _ = _predict_run(tmp_path)
    assert main(["predict", "--run", "no-such-run", str(good)]) == 2
    assert (
        "There is no run 'no-such-run'"
        in json.loads(capsys.readouterr().out.strip().splitlines()[-1])["error"]
    )
    run.model_path.unlink()
    assert main(["predict", "--run", str(run.path), str(good)]) == 2
    assert "has no saved model yet" in capsys.readouterr().err
    assert main(["predict", "--run", str(run.path), "--top-k", "0", str(good)]) == 2


def test_predict_from_the_shell(isolated_roots, tmp_path):
    run, good, bad = _predict_run(tmp_path)
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "clfcore",
            "predict",
            "--run",
            str(run.path),
            str(good),
            str(bad),
            str(tmp_path / "missing.png"),
        ],
        capture_output=True,
        text=True,
        cwd=Path(__file__).resolve().parents[1],
    )
    assert result.returncode == 2 and "Traceback" not in result.stderr
    lines = [json.loads(text) for text in result.stdout.strip().splitlines()]
    assert [("label" in line, "error" in line) for line in lines] == [
        (True, False),
        (False, True),
        (False, True),
    ]


def test_download_weights_offline_is_one_line_and_exit_2(isolated_roots, capsys, monkeypatch):
    import keras

    from clfcore import cli

    monkeypatch.setattr(
        keras.utils, "get_file", lambda *a, **k: (_ for _ in ()).throw(OSError("no network"))
    )
    assert cli.main(["download-weights", "mobilenetv2"]) == 2
    out = capsys.readouterr()
    assert (
        "no network" in json.loads(out.out.strip().splitlines()[-1])["error"]
        and "Traceback" not in out.err
    )
    local = (
        isolated_roots["data"] / "weights" / "resnet50_weights_tf_dim_ordering_tf_kernels_notop.h5"
    )
    local.parent.mkdir()
    local.write_bytes(b"x")
    assert cli.main(["download-weights", "resnet50"]) == 0
    assert json.loads(capsys.readouterr().out.strip().splitlines()[-1])["path"] == str(local)


# --- a run anywhere, and TensorFlow kept quiet ----------------------------------------------------

ROOT = Path(__file__).resolve().parents[1]
# What TensorFlow's C++ side and absl write to stderr: "I0000 00:00:17.. 123 port.cc:153] oneDNN
# custom
# operations are on", "E0000 ... failed call to cuInit", the absl notice before them,
# "WARNING:absl:".
TENSORFLOW_NOISE = re.compile(
    r"^[IWE]\d{4} \d\d:\d\d:\d\d|^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+: [IWE] |absl::InitializeLog"
    r"|^WARNING:(absl|tensorflow):|cuInit|oneDNN custom operations",
    re.MULTILINE,
)


def _clfcore(*argv: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    """``python -m clfcore ARGV`` in a fresh process, as a student types it (no log level set)."""
    env = {k: v for k, v in os.environ.items() if k != "TF_CPP_MIN_LOG_LEVEL"}
    return subprocess.run(
        [sys.executable, "-m", "clfcore", *argv], capture_output=True, text=True, cwd=cwd, env=env
    )


def test_a_run_trained_anywhere_is_evaluated_and_predicted_by_its_path(
    isolated_roots, tmp_path, capsys
):
    from PIL import Image

    elsewhere = tmp_path / "my-runs"  # not the runs root
    result = _clfcore(
        "train", "--dataset", "digits", "--arch", "mlp", "--epochs", "1", "--train-size", "200",
        "--out", str(elsewhere),
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-2000:]
    # TensorFlow loaded, said nothing
    assert not TENSORFLOW_NOISE.search(result.stderr), result.stderr
    run_dir = Path(json.loads(result.stdout.strip().splitlines()[-1])["run_dir"])
    assert run_dir.parent == elsewhere and not any(isolated_roots["runs"].iterdir())

    assert main(["evaluate", "--run", str(run_dir)]) == 0
    summary = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert summary["run"] == run_dir.name and sum(map(sum, summary["confusion_matrix"])) == 359
    image = tmp_path / "digit.png"
    Image.new("L", (8, 8), 200).save(image)
    assert main(["predict", "--run", str(run_dir), str(image)]) == 0
    assert "label" in json.loads(capsys.readouterr().out.strip().splitlines()[-1])

    for command in (["evaluate", "--run"], ["train", "--run-dir"]):
        assert main([*command, str(tmp_path / "no-run-here")]) == 2
        captured = capsys.readouterr()
        assert captured.err.strip().count("\n") == 0
        assert captured.err.startswith("error: There is no run folder")
    assert main(["predict", "--run", str(tmp_path / "no-run-here"), str(image)]) == 2
    assert capsys.readouterr().err.startswith("error: There is no run folder")


def test_a_training_the_app_starts_keeps_tensorflows_lines_out_of_train_log(
    isolated_roots, wait_for
):
    from clfcore import jobs
    from clfcore.config import TrainConfig

    quick = dict(dataset="digits", architecture="mlp", train_size=200, batch_size=32, epochs=1)
    run = jobs.submit(TrainConfig(**quick))
    assert wait_for(run, {"completed", "failed"}) == "completed", run.log_path.read_text()
    log = run.log_path.read_text()
    assert "test accuracy" in log and not TENSORFLOW_NOISE.search(log), log


def test_verbose_is_accepted_before_and_after_the_command():
    for argv in (
        ["--verbose", "describe", "--arch", "lenet", "--input-shape", "28,28,1", "--classes", "10"],
        ["describe", "--arch", "lenet", "--input-shape", "28,28,1", "--classes", "10", "--verbose"],
    ):
        result = _clfcore(*argv)
        assert result.returncode == 0, result.stderr
        assert json.loads(result.stdout.strip().splitlines()[-1])["total_params"] == 61706


# --- users: the class roster ----------------------------------------------------------------------


def _users(monkeypatch, capsys, *argv, stdin=""):
    import io

    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    status = main(["users", *argv])
    captured = capsys.readouterr()
    return status, captured.out.strip().splitlines(), captured.err


def test_users_add_list_reset_remove(isolated_roots, monkeypatch, capsys, tmp_path):
    from clfcore.accounts import roster

    status, out, _ = _users(monkeypatch, capsys, "add", "Ana", "--role", "student", stdin="pw 1\n")
    assert (status, out) == (0, ['{"user": "ana", "role": "student"}'])
    assert roster.verify("ana", "pw 1")  # the newline is not part of it, the space is
    secret = tmp_path / "eva.txt"
    secret.write_text("teacher pw\r\nsecond line\n")
    status, out, _ = _users(
        monkeypatch, capsys, "add", "eva", "--role", "teacher", "--password-file", str(secret)
    )
    assert status == 0 and json.loads(out[0]) == {"user": "eva", "role": "teacher"}
    assert roster.verify("eva", "teacher pw") and not roster.verify("eva", "second line")
    status, out, _ = _users(monkeypatch, capsys, "list")
    assert status == 0 and [json.loads(line) for line in out] == [
        {"user": "ana", "role": "student"},
        {"user": "eva", "role": "teacher"},
    ]
    status, out, _ = _users(monkeypatch, capsys, "reset", "ana", stdin="new pw")
    assert (status, json.loads(out[0])) == (0, {"user": "ana", "role": "student"})
    assert roster.verify("ana", "new pw") and not roster.verify("ana", "pw 1")
    status, out, _ = _users(monkeypatch, capsys, "remove", "ana")
    assert (status, json.loads(out[0])) == (0, {"user": "ana", "role": "student"})
    assert roster.list_users() == [roster.User("eva", "teacher")]
    text = roster.roster_path().read_text()
    assert "pw 1" not in text and "teacher pw" not in text and "new pw" not in text


def test_users_mistakes_exit_2_with_one_line(isolated_roots, monkeypatch, capsys, tmp_path):
    from clfcore.accounts import roster

    _users(monkeypatch, capsys, "add", "ana", "--role", "student", stdin="pw\n")
    for argv, stdin, message in (
        (["add", "ana", "--role", "teacher"], "pw\n", "already on the roster"),
        (["add", "../ben", "--role", "student"], "pw\n", "cannot be a user name"),
        (["add", "Ben/x", "--role", "student"], "pw\n", "cannot be a user name"),
        (["add", "ben", "--role", "student"], "\n", "The password is empty"),
        (["add", "ben", "--role", "student"], "", "The password is empty"),
        (["add", "ben", "--role", "student", "--password-file", str(tmp_path / "none")], "",
         "password file"),
        (["reset", "ben"], "pw\n", "There is no user 'ben'"),
        (["reset", "ana"], "\n", "The password is empty"),
        (["remove", "ben"], "", "There is no user 'ben'"),
        (["remove", ".."], "", "cannot be a user name"),
    ):  # fmt: skip
        status, out, err = _users(monkeypatch, capsys, *argv, stdin=stdin)
        assert status == 2, argv
        assert err.strip().count("\n") == 0 and err.startswith("error: ") and message in err
        assert message in json.loads(out[-1])["error"]
    assert roster.list_users() == [roster.User("ana")] and roster.verify("ana", "pw")
    with pytest.raises(SystemExit) as caught:  # argparse: an unknown role
        main(["users", "add", "ben", "--role", "admin"])
    assert caught.value.code == 2 and "invalid choice" in capsys.readouterr().err


def test_users_at_a_terminal_ask_twice_without_echo(isolated_roots, monkeypatch, capsys):
    import getpass
    import io

    from clfcore.accounts import roster

    class Terminal(io.StringIO):
        def isatty(self):
            return True

    answers = iter(["typed pw", "typed pw", "one", "other"])
    monkeypatch.setattr(getpass, "getpass", lambda prompt="": next(answers))
    monkeypatch.setattr(sys, "stdin", Terminal(""))
    assert main(["users", "add", "ana", "--role", "student"]) == 0
    assert roster.verify("ana", "typed pw") and "typed pw" not in capsys.readouterr().out
    assert main(["users", "reset", "ana"]) == 2
    assert "The two passwords differ" in capsys.readouterr().err
    assert roster.verify("ana", "typed pw")


def test_users_from_the_shell_read_standard_input(isolated_roots):
    result = subprocess.run(
        [sys.executable, "-m", "clfcore", "users", "add", "ana", "--role", "teacher"],
        input="from a pipe\n",
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {"user": "ana", "role": "teacher"}
    assert "from a pipe" not in result.stdout + result.stderr
    assert (isolated_roots["data"] / ".class" / "roster.json").is_file()


# --- the job runner: submit, runs, stop (the local backend, real training processes) -------------

QUICK = ["--dataset", "digits", "--arch", "mlp", "--epochs", "1", "--train-size", "200"]


def _last_json(capsys) -> dict:
    return json.loads(capsys.readouterr().out.strip().splitlines()[-1])


def _runs(capsys) -> dict[str, dict]:
    assert main(["runs"]) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.strip().splitlines()]
    return {line["run_id"]: line for line in lines}


@pytest.fixture
def local_jobs(monkeypatch):
    monkeypatch.delenv("CLFCORE_JOBS", raising=False)  # the default backend: local processes


def test_submit_then_runs_shows_it_until_it_completes_with_its_test_accuracy(
    isolated_roots, local_jobs, capsys, wait_for, tmp_path_factory, make_trained_run
):
    from clfcore.runs.folder import RunFolder

    assert main(["submit", *QUICK]) == 0
    out = capsys.readouterr().out.strip().splitlines()
    submitted = json.loads(out[-1])
    assert set(submitted) == {"run_id", "status"} and submitted["status"] in {"queued", "running"}
    assert out[-2].startswith(f"run {submitted['run_id']} ")  # a readable line before the JSON
    run = RunFolder(isolated_roots["runs"] / submitted["run_id"])
    assert run.config().train_size == 200 and run.config().epochs == 1

    listed = _runs(capsys)[submitted["run_id"]]
    assert listed["status"] in {"queued", "running", "completed"}
    assert wait_for(run, {"completed", "failed"}) == "completed", run.log_path.read_text()
    listed = _runs(capsys)[submitted["run_id"]]
    assert listed == {
        "run_id": submitted["run_id"],
        "status": "completed",
        "test_accuracy": run.metrics()["test_accuracy"],
    }

    # a run in a student's workspace is listed too, and named by its id alone
    other = make_trained_run(isolated_roots["runs"] / "users" / "ana", tmp_path_factory)
    assert _runs(capsys)[other]["status"] == "completed"
    for finished in (submitted["run_id"], other):
        assert main(["stop", finished]) == 2
        captured = capsys.readouterr()
        assert captured.err.strip().count("\n") == 0
        assert "has already finished (completed): there is nothing to stop" in captured.err


def test_runs_starts_a_queued_run_that_no_one_dispatched(
    isolated_roots, local_jobs, capsys, wait_for
):
    from clfcore.config import TrainConfig
    from clfcore.runs.folder import create_run

    run = create_run(TrainConfig(dataset="digits", architecture="mlp", train_size=200, epochs=1))
    run.set_status("queued", priority="personal")  # e.g. left queued by a server that stopped
    assert _runs(capsys)[run.run_id]["status"] in {"running", "completed"}
    assert run.status().get("pid")  # its training process was started
    assert wait_for(run, {"completed", "failed"}) == "completed"


def test_stop_takes_a_queued_run_off_the_queue_and_stops_a_running_one(
    isolated_roots, local_jobs, monkeypatch, capsys, wait_for
):
    import time

    from clfcore import jobs
    from clfcore.runs.folder import RunFolder

    monkeypatch.setenv(jobs.MAX_ENV, "1")
    long = ["--dataset", "digits", "--arch", "mlp", "--epochs", "400", "--train-size", "400"]
    assert main(["submit", *long]) == 0
    first = _last_json(capsys)
    assert main(["submit", *QUICK]) == 0
    second = _last_json(capsys)
    assert (first["status"], second["status"]) == ("running", "queued")

    queued = RunFolder(isolated_roots["runs"] / second["run_id"])
    assert main(["stop", str(queued.path)]) == 0  # by its folder's path
    assert _last_json(capsys) == {"run_id": second["run_id"], "status": "removed"}
    assert not queued.path.exists() and second["run_id"] not in _runs(capsys)

    running = RunFolder(isolated_roots["runs"] / first["run_id"])
    deadline = time.monotonic() + 120
    while not running.history() and time.monotonic() < deadline:  # let it finish an epoch first
        time.sleep(0.2)
    assert main(["stop", first["run_id"]]) == 0
    assert _last_json(capsys) == {"run_id": first["run_id"], "status": "stopping"}
    assert wait_for(running, {"stopped", "completed", "failed"}) == "stopped"
    assert _runs(capsys)[first["run_id"]]["status"] == "stopped"
    assert main(["stop", first["run_id"]]) == 2
    assert "has already finished (stopped)" in capsys.readouterr().err


def test_job_mistakes_exit_2_with_one_line(isolated_roots, local_jobs, tmp_path, capsys):
    for argv, message in (
        (["stop", "no-such-run"], "There is no run 'no-such-run'"),
        (["stop", str(tmp_path / "no-run-here")], "There is no run folder"),
        (["submit", *QUICK, "--batch-size", "5000"], "is larger than the training set"),
        (["submit", "--arch", "no-such-arch"], "no-such-arch"),
        (["submit", "--dataset", "mnist"], "python -m clfcore download mnist"),
    ):
        assert main(argv) == 2, argv
        captured = capsys.readouterr()
        assert captured.err.strip().count("\n") == 0 and captured.err.startswith("error: ")
        assert message in json.loads(captured.out.strip().splitlines()[-1])["error"], argv
    assert not any(isolated_roots["runs"].iterdir())  # nothing was queued
    with pytest.raises(SystemExit) as caught:  # argparse: a bad option value
        main(["submit", "--epochs", "many"])
    assert caught.value.code == 2 and "invalid int value" in capsys.readouterr().err


def test_runs_with_the_local_backend_loads_neither_ray_nor_tensorflow(isolated_roots):
    """``make run`` installs no extra: the local backend and ``runs`` work without Ray (and list
    runs without TensorFlow's start-up)."""
    check = (
        "import sys; from clfcore.cli import main; status = main(['runs']); "
        "print(sorted(m for m in ('ray', 'tensorflow', 'keras') if m in sys.modules), status)"
    )
    env = {k: v for k, v in os.environ.items() if k != "CLFCORE_JOBS"}
    result = subprocess.run(
        [sys.executable, "-c", check], capture_output=True, text=True, cwd=ROOT, env=env
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "[] 0"
