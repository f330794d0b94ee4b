"""In a real Chromium with its fake camera: record classes one picture per click and as a
streamlit-webrtc burst, save them as a dataset, and classify live on the Classify page.

Chromium's fake camera (``--use-fake-device-for-media-stream``) films a moving test pattern;
``--use-fake-ui-for-media-stream`` answers the permission prompt. WebRTC offers every interface's
address as a candidate and these machines allow loopback only, so the streamlit-webrtc tests need
a loopback-only network namespace (``make test`` runs the suite in one as root:
``unshare --net sh -c 'ip link set lo up && exec "$@"' x pytest ...``) and skip themselves
elsewhere.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from clfcore.data import datasets, recording
from tests.conftest import CHROMIUM, CHROMIUM_ARGS
from tests.e2e.conftest import serve_app

TIMEOUT = 30_000
FAKE_CAMERA = [
    "--use-fake-device-for-media-stream",
    "--use-fake-ui-for-media-stream",
    # with loopback only, the browser's WebRTC needs the loopback interface to have candidates
    "--allow-loopback-in-peer-connection",
]
SECOND_LOOPBACK = "127.0.0.2/8"


def only_loopback() -> bool:
    """Whether every network interface that is up in this network namespace is a loopback one
    (psutil reads the namespace's own list; /sys/class/net may still show the host's)."""
    import psutil  # a test dependency (pyproject.toml's test extra)

    return all(name == "lo" or not stats.isup for name, stats in psutil.net_if_stats().items())


needs_loopback_namespace = pytest.mark.skipif(
    not only_loopback(),
    reason="WebRTC offers every interface's address; run inside a loopback-only network "
    "namespace (as make test does as root: unshare --net, ip link set lo up)",
)


@pytest.fixture
def loopback_candidate():
    """A second loopback address in this (loopback-only) namespace: aioice, streamlit-webrtc's ICE,
    leaves 127.0.0.1 out of the server's host candidates, so without another address the server
    offers none and the connection never forms."""
    import subprocess

    shown = subprocess.run(
        ["ip", "-o", "addr", "show", "dev", "lo"], capture_output=True, text=True
    )
    if "127.0.0.2/" not in shown.stdout:
        added = subprocess.run(
            ["ip", "addr", "add", SECOND_LOOPBACK, "dev", "lo"], capture_output=True, text=True
        )
        if added.returncode != 0:
            pytest.skip(f"cannot add {SECOND_LOOPBACK} to lo here: {added.stderr.strip()}")


@pytest.fixture(scope="module")
def camera_browser(browser):
    """A second Chromium of the session's Playwright, with the fake camera (these tests only)."""
    chromium = browser.browser_type.launch(
        executable_path=CHROMIUM, args=[*CHROMIUM_ARGS, *FAKE_CAMERA]
    )
    yield chromium
    chromium.close()


@pytest.fixture
def camera_page(camera_browser):
    context = camera_browser.new_context(
        viewport={"width": 1400, "height": 1000}, locale="en-US", permissions=["camera"]
    )
    yield context.new_page()
    context.close()


@pytest.fixture(scope="module")
def camera_app(tmp_path_factory):
    roots = tmp_path_factory.mktemp("camera-e2e")
    with serve_app(roots) as url:
        yield url, roots / "data"


def _take(page, wait_for_run, name: str, label: str) -> None:
    """Send the pictures to class ``name`` and take one with the fake camera."""
    page.get_by_role("radio", name=re.compile(rf"^{name} \(")).check(force=True)
    # the camera is the chosen class's (its label says so) once the rerun has drawn it
    expect(page.get_by_text(label)).to_be_visible(timeout=TIMEOUT)
    wait_for_run(page)
    button = page.get_by_test_id("stCameraInputButton")
    expect(button).to_be_enabled(timeout=TIMEOUT)
    button.click()
    expect(page.get_by_role("radio", name=f"{name} (1)")).to_be_attached(timeout=TIMEOUT)
    wait_for_run(page)


def _add_class(page, wait_for_run, name: str, new_class: str, button: str | None = None) -> None:
    """Type ``name`` in the ``new_class`` input, then press Enter or click ``button``."""
    page.get_by_role("textbox", name=new_class).fill(name)
    if button is None:
        page.get_by_role("textbox", name=new_class).press("Enter")
    else:
        page.get_by_role("button", name=button).click()
    expect(page.get_by_text(f"**{name}**").or_(page.get_by_text(name).first)).to_be_visible(
        timeout=TIMEOUT
    )
    wait_for_run(page)


@pytest.mark.parametrize("lang", ["en", "es"])
def test_one_picture_per_click_then_save(camera_app, camera_page, wait_for_run, lang, monkeypatch):
    from clfcore.i18n import translate

    def tr(text, **params):
        return translate(text, lang, **params)

    url, data = camera_app
    page = camera_page
    page.goto(f"{url}/dataset?lang={lang}")
    page.get_by_text(tr("Record your own classes with the camera")).click()
    new_class = tr("New class (type a name, press Enter)")
    _add_class(page, wait_for_run, f"left-{lang}", new_class)
    _add_class(page, wait_for_run, f"right-{lang}", new_class, button=tr("Add class"))
    expect(page.get_by_role("textbox", name=new_class)).to_have_value("")
    for name in ("left", "right"):
        label = tr("Take a picture for {name}", name=f"{name}-{lang}")
        _take(page, wait_for_run, f"{name}-{lang}", label)
    draft = recording.Draft(data)
    assert draft.counts() == {f"left-{lang}": 1, f"right-{lang}": 1}
    expect(page.get_by_role("img")).not_to_have_count(0)
    expect(page.get_by_text(re.compile("· " + tr("1 picture") + "$"))).to_have_count(2)
    # the rest of the pictures a class needs, through the core: the browser test is about the camera
    for name in draft.class_names():
        for _ in range(recording.MIN_SHOTS - 1):
            draft.add_shot(name, draft.classes()[0].shots[0].read_bytes())
    page.reload()
    expect(page.get_by_role("button", name=tr("Save as dataset"))).to_be_enabled(timeout=TIMEOUT)
    page.get_by_role("textbox", name=tr("Dataset name")).fill(f"camera_{lang}")
    page.get_by_role("textbox", name=tr("Dataset name")).press("Enter")
    wait_for_run(page)
    page.get_by_role("button", name=tr("Save as dataset")).click()
    expect(page.get_by_role("button", name=tr("Train a camera classifier"))).to_be_visible(
        timeout=TIMEOUT
    )
    expect(page.locator("[data-testid='stException']")).to_have_count(0)
    monkeypatch.setenv("CLFCORE_DATA_DIR", str(data))
    info = datasets.get_dataset(f"camera_{lang}")
    assert info.num_classes == 2 and info.train_count + info.test_count == 2 * recording.MIN_SHOTS


@needs_loopback_namespace
def test_a_webrtc_burst_records_frames(camera_app, camera_page, wait_for_run, loopback_candidate):
    url, data = camera_app
    page = camera_page
    recording.Draft(data).discard()
    recording.Draft(data).add_class("burst")
    page.goto(f"{url}/dataset?lang=en")
    expect(page.get_by_text("Record your own classes with the camera")).to_be_visible(
        timeout=TIMEOUT
    )
    page.get_by_role("tab", name="Burst").click()
    frame = page.frame_locator("iframe[title*='streamlit_webrtc']")
    frame.get_by_role("button", name="Start the camera").click()
    toggle = page.get_by_text(re.compile(r"^Record 4 pictures a second for burst"))
    expect(page.get_by_role("switch", name=re.compile("Record 4 pictures"))).to_be_enabled(
        timeout=60_000
    )
    toggle.click()
    expect(page.get_by_text(re.compile(r"^burst \(([3-9]|\d\d+)\)$"))).to_be_visible(timeout=60_000)
    assert recording.Draft(data).counts()["burst"] >= 3


@needs_loopback_namespace
@pytest.mark.parametrize("lang", ["en", "es"])
def test_live_mode_writes_the_answer_under_the_video(
    camera_app,
    camera_page,
    wait_for_run,
    loopback_candidate,
    make_trained_run,
    tmp_path_factory,
    lang,
):
    from clfcore.i18n import translate

    def tr(text, **params):
        return translate(text, lang, **params)

    url, data = camera_app
    runs = data.parent / "runs"
    runs.mkdir(exist_ok=True)
    if not any(runs.iterdir()):  # the module's server is shared by both languages
        # the MLP on 8x8 grayscale digits: the camera's 640x480 colour frames are resized to it
        make_trained_run(runs, tmp_path_factory)
    page = camera_page
    page.goto(f"{url}/classify?lang={lang}")
    # the server loads TensorFlow and the model first
    expect(page.get_by_text(tr("2. The image"))).to_be_visible(timeout=120_000)
    page.get_by_role("tab", name=tr("Camera")).click()
    page.get_by_role("radio", name=tr("Live"), exact=True).click()  # a segmented control
    frame = page.frame_locator("iframe[title*='streamlit_webrtc']")
    start = frame.get_by_role("button", name=tr("Start the camera"))
    expect(start).to_be_visible(timeout=60_000)
    wait_for_run(page)  # the rerun the choice made is over: the component stays under the click
    # the fragment rewrites it about twice a second: a digit class and its probability
    answer = re.compile(
        "^"
        + re.escape(tr("Now: {name} {probability}", name="@", probability="%"))
        .replace("@", r"\d")
        .replace("%", r"\d{1,3}%")
        + "$"
    )
    for attempt in range(2):
        if start.is_visible():
            start.click()
        try:
            expect(page.get_by_text(answer)).to_be_visible(timeout=60_000)
            break
        except AssertionError:  # a click a redraw swallowed, or a WebRTC connection that never
            if attempt:  # formed on a busy machine: as a user would, stop and start it, once
                raise
            stop = frame.get_by_role("button", name=tr("Stop the camera"))
            if stop.is_visible():
                stop.click()
            expect(start).to_be_visible(timeout=30_000)
    expect(page.locator("[data-testid='stException']")).to_have_count(0)
