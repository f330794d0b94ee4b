"""Shared fixtures: every test gets its own empty data root, runs root and Keras cache; tiny data.

The helpers that build tiny data (images, ZIPs, IDX files, a trained run) are fixtures that return
the function: a test takes ``png`` or ``make_trained_run`` as an argument and calls it. No test
imports from another test file or from a conftest.
"""

from __future__ import annotations

import io
import json
import os
import pickle
import re
import shutil
import time
import zipfile
from pathlib import Path

import pytest

from clfcore import tfenv

# the kernels the app and `python -m clfcore` use: before any test imports TensorFlow
tfenv.prefer_onednn()

import numpy as np  # noqa: E402
from PIL import Image  # noqa: E402

from clfcore.config import TrainConfig  # noqa: E402
from clfcore.data import datasets, sources  # noqa: E402
from clfcore.data.idx import write_idx  # noqa: E402
from clfcore.jobs import cluster, warm  # noqa: E402, F401 - cluster before ray: see its guard

# Every training a test submits starts its own process, as before warm processes: one left warm
# after each test would load TensorFlow for nothing and stay for its idle time. The tests of warm
# processes (tests/test_warm.py) turn them on.
os.environ[warm.SECONDS_ENV] = "0"

FASHION_DEBIAN = Path("/usr/share/datasets/fashion-mnist")


@pytest.fixture(autouse=True)
def isolated_roots(tmp_path, monkeypatch):
    """Point the data root, runs root and Keras cache at empty temp folders; hide the Debian
    copy."""
    data, runs, keras_home = tmp_path / "data", tmp_path / "runs", tmp_path / "keras"
    for folder in (data, runs, keras_home):
        folder.mkdir()
    monkeypatch.setenv("CLFCORE_DATA_DIR", str(data))
    monkeypatch.setenv("CLFCORE_RUNS_DIR", str(runs))
    monkeypatch.setenv("KERAS_HOME", str(keras_home))
    monkeypatch.setattr(sources, "DEBIAN_FASHION_MNIST", tmp_path / "no-debian-copy")
    datasets._load_raw_cached.cache_clear()
    yield {"data": data, "runs": runs, "keras": keras_home}
    datasets._load_raw_cached.cache_clear()


@pytest.fixture
def debian_fashion_mnist(monkeypatch):
    """The real Fashion-MNIST from the Debian package dataset-fashion-mnist (CI installs it)."""
    if not (FASHION_DEBIAN / "train-images-idx3-ubyte.gz").is_file():
        pytest.skip(
            "Debian package dataset-fashion-mnist is not installed (apt-get install "
            "dataset-fashion-mnist)"
        )
    monkeypatch.setattr(sources, "DEBIAN_FASHION_MNIST", FASHION_DEBIAN)
    return FASHION_DEBIAN


def _tiny_images(n: int, shape: tuple[int, ...], seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, 256, size=(n, *shape), dtype=np.uint8)


def _balanced_labels(n: int, num_classes: int) -> np.ndarray:
    return np.arange(n) % num_classes


def _write_idx_dataset(
    folder: Path, *, train: int = 60, test: int = 20, size: int = 28, num_classes: int = 10
) -> Path:
    """The four MNIST-format IDX files with ``train``/``test`` random images, balanced labels."""
    folder.mkdir(parents=True, exist_ok=True)
    write_idx(folder / "train-images-idx3-ubyte.gz", _tiny_images(train, (size, size), seed=1))
    write_idx(folder / "train-labels-idx1-ubyte.gz", _balanced_labels(train, num_classes))
    write_idx(folder / "t10k-images-idx3-ubyte.gz", _tiny_images(test, (size, size), seed=2))
    write_idx(folder / "t10k-labels-idx1-ubyte.gz", _balanced_labels(test, num_classes))
    return folder


def _write_cifar10(folder: Path, *, per_batch: int = 20) -> Path:
    """A CIFAR-10 python folder (5 data batches + test batch) of random images, pickled like the
    real one."""
    folder.mkdir(parents=True, exist_ok=True)
    for name in [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]:
        batch = {
            b"data": _tiny_images(per_batch, (3 * 32 * 32,)),
            b"labels": [int(v) for v in _balanced_labels(per_batch, 10)],
        }
        (folder / name).write_bytes(pickle.dumps(batch))
    return folder


def _write_cifar100(folder: Path, *, count: int = 200) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name in ("train", "test"):
        batch = {
            b"data": _tiny_images(count, (3 * 32 * 32,)),
            b"fine_labels": [int(v) for v in _balanced_labels(count, 100)],
            b"coarse_labels": [int(v) for v in _balanced_labels(count, 20)],
        }
        (folder / name).write_bytes(pickle.dumps(batch))
    return folder


# --- page titles: the h1 of every page, for the AppTest and the browser tests --------------------

PAGE_TITLES = {
    "home": "clfcore dashboard",
    "lessons": "Lessons",
    "dataset": "Dataset",
    "augment": "Data augmentation",
    "convolution": "Convolution lab",
    "model": "Model",
    "train": "Train",
    "tune": "Tune",
    "evaluate": "Evaluate",
    "classify": "Classify your own image",
    "runs": "Runs",
    "class": "Class",
}


# --- images, ZIPs and image folders ---------------------------------------------------------------

COLOURS = {"cat": (200, 30, 30), "dog": (30, 200, 30), "bird": (30, 30, 200)}


def _png(colour=(200, 30, 30), size=(12, 8), mode="RGB") -> bytes:
    """A tiny PNG of ``size`` = (width, height)."""
    buffer = io.BytesIO()
    Image.new(mode, size, colour if mode == "RGB" else colour[0]).save(buffer, "PNG")
    return buffer.getvalue()


def _zip_bytes(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive_file:
        for name, data in files.items():
            archive_file.writestr(name, data)
    return buffer.getvalue()


def _class_files(prefix="", classes=("cat", "dog"), count=5) -> dict[str, bytes]:
    """``count`` PNGs per class folder, each class in its colour of ``COLOURS``."""
    return {
        f"{prefix}{name}/{i}.png": _png(COLOURS[name]) for name in classes for i in range(count)
    }


def _write_zip(path, files: dict[str, bytes] | bytes):
    path.write_bytes(files if isinstance(files, bytes) else _zip_bytes(files))
    return path


def _make_image_folder(root, classes=("cat", "dog"), count=10, size=(20, 30), mode="RGB"):
    """``count`` small images per class folder (distinct colour per class), like Keras's test
    helper."""
    for index, name in enumerate(classes):
        (root / name).mkdir(parents=True, exist_ok=True)
        for i in range(count):
            colour = (index * 100, i * 10, 50) if mode == "RGB" else index * 100
            Image.new(mode, (size[1], size[0]), colour).save(root / name / f"{i}.png")
    return root


def _encode(image: Image.Image, format_name: str, **options) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=format_name, **options)
    return buffer.getvalue()


def _gradient(size=(40, 30), mode="RGB") -> Image.Image:
    width, height = size
    x = np.linspace(0, 255, width, dtype=np.float32)[None, :].repeat(height, 0)
    y = np.linspace(0, 255, height, dtype=np.float32)[:, None].repeat(width, 1)
    rgb = np.stack([x, y, 255 - x], axis=2).astype(np.uint8)
    return Image.fromarray(rgb, "RGB").convert(mode)


# --- a real run, trained once per test session and copied into each test's runs root -------------

_TRAINED: dict[tuple, Path] = {}


def _make_trained_run(runs_root: Path, tmp_path_factory, **settings) -> str:
    """A completed run (trainer on digits, 2 epochs) copied into ``runs_root``; returns its id."""
    from clfcore.runs.folder import create_run  # the trainer imports Keras: only tests that train
    from clfcore.training import trainer

    config = TrainConfig(
        **{
            "dataset": "digits",
            "architecture": "mlp",
            "train_size": 400,
            "batch_size": 32,
            "epochs": 2,
            "seed": 1,
            **settings,
        }
    )
    key = tuple(sorted((k, json.dumps(v, sort_keys=True)) for k, v in config.to_json().items()))
    if key not in _TRAINED:
        run = create_run(config, root=tmp_path_factory.mktemp("trained-runs"))
        trainer.train(run)
        _TRAINED[key] = run.path
    source = _TRAINED[key]
    shutil.copytree(source, runs_root / source.name)
    return source.name


# --- the helpers as fixtures ----------------------------------------------------------------------


def _wait_for(run, statuses, timeout=180):
    """Poll a run folder until its status is one of ``statuses``; its log in the failure message."""
    from clfcore.runs import liveness

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status = liveness.effective_status(run)
        if status in statuses:
            return status
        time.sleep(0.3)
    raise AssertionError(
        f"{run.run_id} still {run.status()} after {timeout} s; "
        f"log:\n{run.log_path.read_text()[-2000:]}"
    )


@pytest.fixture(scope="session")
def wait_for():
    """``wait_for(run, {"completed", "failed"})``: the status a training process ends with."""
    return _wait_for


@pytest.fixture(scope="session")
def page_titles() -> dict[str, str]:
    """Page name (its URL path; "home" for /) -> the English title its h1 shows."""
    return PAGE_TITLES


@pytest.fixture(params=list(PAGE_TITLES))
def page_name(request) -> str:
    """Each page name in turn: a test that takes ``page_name`` runs once for every page."""
    return request.param


@pytest.fixture(scope="session")
def tiny_images():
    """``tiny_images(n, shape, seed=0)``: ``n`` random uint8 images of ``shape``."""
    return _tiny_images


@pytest.fixture(scope="session")
def write_idx_dataset():
    """``write_idx_dataset(folder, *, train=60, test=20, size=28, num_classes=10)``: MNIST files."""
    return _write_idx_dataset


@pytest.fixture(scope="session")
def write_cifar10():
    """``write_cifar10(folder, *, per_batch=20)``: a CIFAR-10 python folder of random images."""
    return _write_cifar10


@pytest.fixture(scope="session")
def write_cifar100():
    """``write_cifar100(folder, *, count=200)``: a CIFAR-100 python folder of random images."""
    return _write_cifar100


@pytest.fixture(scope="session")
def colours() -> dict[str, tuple[int, int, int]]:
    """The RGB colour of each class in ``class_files``."""
    return COLOURS


@pytest.fixture(scope="session")
def png():
    """``png(colour=(200, 30, 30), size=(12, 8), mode="RGB")``: the bytes of a tiny PNG."""
    return _png


@pytest.fixture(scope="session")
def zip_bytes():
    """``zip_bytes({name: data})``: the bytes of a ZIP holding those files."""
    return _zip_bytes


@pytest.fixture(scope="session")
def class_files():
    """``class_files(prefix="", classes=("cat", "dog"), count=5)``: {"cat/0.png": PNG, ...}."""
    return _class_files


@pytest.fixture(scope="session")
def write_zip():
    """``write_zip(path, files_or_bytes)``: writes a ZIP (or raw bytes) to ``path``, returns it."""
    return _write_zip


@pytest.fixture(scope="session")
def make_image_folder():
    """``make_image_folder(root, classes=("cat", "dog"), count=10, size=(20, 30), mode="RGB")``."""
    return _make_image_folder


@pytest.fixture(scope="session")
def encode():
    """``encode(image, format_name, **options)``: a PIL image saved to bytes in that format."""
    return _encode


@pytest.fixture(scope="session")
def gradient():
    """``gradient(size=(40, 30), mode="RGB")``: a smooth PIL test image."""
    return _gradient


@pytest.fixture(scope="session")
def make_trained_run():
    """``make_trained_run(runs_root, tmp_path_factory, **settings)``: a finished run's id.

    Each distinct config is trained once per session; every call copies it into ``runs_root``.
    """
    return _make_trained_run


# --- a real Chromium, one for the whole session (tests/e2e, tests/ray) ----------------------------
# One session-wide Playwright: two sync_playwright() at once in one thread fail, so every folder of
# browser tests shares these fixtures (their servers come from tests.e2e.conftest.serve_app).

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser():
    if not (shutil.which(CHROMIUM) or Path(CHROMIUM).is_file()):
        pytest.skip(
            f"no Chromium at {CHROMIUM}: install Debian's chromium (CI does) or set $CHROMIUM"
        )
    from playwright.sync_api import sync_playwright  # only the browser tests load it

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="en-US")
    yield context.new_page()
    context.close()


# What Streamlit 1.67 renders on its root element: the websocket's state and the script's
# ("initial", "running", "rerunRequested", "stopRequested", "notRunning", "compilationError").
SCRIPT_RUN_ENDED = (
    "[data-testid='stApp'][data-test-connection-state='CONNECTED']"
    "[data-test-script-state='notRunning']"
)


def _wait_for_run(page, timeout_ms: int = 60_000) -> None:
    """Wait until the app is connected and no script run is going on.

    The page turns "running" only when the server says so, a moment after a click: call this once
    an ``expect`` has seen the action's first output (then its run has begun), not right after the
    click.
    """
    from playwright.sync_api import expect  # only the browser tests load it

    expect(page.locator(SCRIPT_RUN_ENDED)).to_be_attached(timeout=timeout_ms)


@pytest.fixture(scope="session")
def wait_for_run():
    """``wait_for_run(page, timeout_ms=60_000)``: until no script run is going on (see above)."""
    return _wait_for_run


def _train_and_stop_digits(page, app_url: str, *, timeout_ms: int = 60_000) -> None:
    """As a student would: pick digits on the Dataset page, keep the course MLP with 400 epochs,
    start it on the Train page, watch the progress and the first curves, stop it."""
    from playwright.sync_api import expect  # only the browser tests load it

    quick = 60_000  # what the page draws by itself; ``timeout_ms`` is for what the training does
    page.goto(f"{app_url}/dataset?lang=en")
    expect(page.locator("[data-testid='stMetric']")).to_have_count(5, timeout=quick)
    page.locator("[data-testid='stSelectbox']").first.click()
    page.get_by_role("option", name="Digits 8x8").click()
    expect(page.locator("[data-testid='stMetric']").first).to_contain_text("1,151", timeout=quick)
    page.get_by_test_id("stSidebarNav").get_by_role("link", name="Model", exact=True).click()
    expect(page.get_by_text("Total parameters")).to_be_visible(timeout=quick)
    epochs = page.get_by_label("Epochs")
    epochs.fill("400")
    epochs.press("Enter")
    _wait_for_run(page)
    page.get_by_test_id("stSidebarNav").get_by_role("link", name="Train", exact=True).click()
    expect(page.get_by_text("Digits 8x8: 1,438 training images")).to_be_visible(timeout=quick)
    expect(page.get_by_text(re.compile(r"batch \d+, 400 epochs"))).to_be_visible(
        timeout=quick
    )  # the change was kept
    page.get_by_role("button").filter(has_text="Start training").click()
    expect(page.get_by_test_id("stProgress")).to_be_visible(timeout=timeout_ms)
    # curves after the first epoch
    expect(page.locator(".js-plotly-plot").last).to_be_visible(timeout=timeout_ms)
    page.get_by_role("button").filter(has_text="Stop").click()
    expect(page.get_by_text("stopped: test accuracy")).to_be_visible(timeout=timeout_ms)
    expect(page.get_by_role("link", name="Evaluate this model")).to_be_visible()


@pytest.fixture(scope="session")
def train_and_stop_digits():
    """``train_and_stop_digits(page, app_url, timeout_ms=60_000)``: the Train page's whole flow in
    the browser, up to a stopped run (see above)."""
    return _train_and_stop_digits
