"""A class in real browsers: two students and a teacher on the roster of one class server.

Student B finds nothing of student A's run on any page - not in a list, not by link, not by a
crafted id; the teacher sees both students' work with their names; sharing a run shows it to B,
un-sharing hides it again.
"""

from __future__ import annotations

import time

import pytest
from playwright.sync_api import expect

from clfcore.accounts import roster
from clfcore.paths import USERS_DIR
from tests.e2e.conftest import serve_app

TIMEOUT = 60_000
PASSWORDS = {"ana": "ana's secret", "ben": "ben's secret", "teach": "the teacher's secret"}
NOT_YOURS = "There is no run"  # the access message: the same for unknown and forbidden ids


@pytest.fixture(scope="module")
def classroom(tmp_path_factory, make_trained_run):
    """(url, ana's run id, ben's run id) of a class server whose two students trained once each."""
    roots = tmp_path_factory.mktemp("classroom")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("CLFCORE_DATA_DIR", str(roots / "data"))
        for name, password in PASSWORDS.items():
            roster.add_user(name, password, role="teacher" if name == "teach" else "student")
    runs = {}
    for name in ("ana", "ben"):
        folder = roots / "runs" / USERS_DIR / name
        folder.mkdir(parents=True)
        runs[name] = make_trained_run(folder, tmp_path_factory, seed=1 if name == "ana" else 2)
    with serve_app(roots, env={"CLFCORE_AUTH": "roster"}) as url:
        yield url, runs["ana"], runs["ben"]


def _signed_in_page(browser, url: str, name: str, wait_for_run):
    """A browser context of its own (its own cookie jar) with ``name`` signed in."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="en-US")
    page = context.new_page()
    page.goto(f"{url}/?lang=en")
    page.get_by_label("User name").fill(name)
    page.get_by_label("Password", exact=True).fill(PASSWORDS[name])
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_test_id("stSidebar").get_by_text("Signed in as")).to_contain_text(
        name, timeout=TIMEOUT
    )
    wait_for_run(page)
    return page


def _text(page) -> str:
    """The page's HTML once every table on it has drawn its cells: st.dataframe's code is loaded
    on first use (network idle once it is), then it draws on a canvas and puts the visible cells
    in the DOM as grid cells."""
    page.wait_for_load_state("networkidle")
    frames = page.get_by_test_id("stDataFrame")
    for number in range(frames.count()):
        expect(frames.nth(number).locator("[role='gridcell']").first).to_be_attached(
            timeout=TIMEOUT
        )
    return page.content()


def _shows(page, *texts: str) -> bool:
    """Whether the page shows every one of ``texts``, waiting for them a while: a data grid draws
    its rows a moment after the script run that sent it has ended."""
    deadline = time.monotonic() + TIMEOUT / 1000
    while True:
        content = _text(page)
        if all(text in content for text in texts) or time.monotonic() > deadline:
            return all(text in content for text in texts)
        time.sleep(0.5)


def _open(page, url: str, wait_for_run, marker: str | None = None):
    """Open ``url`` and wait until its script run has ended (and ``marker`` shows, if given).

    The sidebar's page links come with the session before the page's script runs; the first
    heading or message in the main area is drawn by the script, so once it shows, waiting for the
    run to end is sound (see ``wait_for_run``).
    """
    page.goto(url)
    first = page.get_by_test_id("stMain").locator("h1, [data-testid='stAlert']").first
    expect(first).to_be_visible(timeout=TIMEOUT)
    wait_for_run(page)
    if marker:
        # visible: a table cell with the same words may come first, hidden in the data grid
        expect(page.get_by_text(marker).filter(visible=True).first).to_be_visible(timeout=TIMEOUT)
    expect(page.locator("[data-testid='stException']")).to_have_count(0)


def _ben_finds_nothing_of(page, url: str, run_id: str, wait_for_run) -> None:
    for path in ("", "runs", "evaluate", "classify", "train"):
        _open(page, f"{url}/{path}?lang=en", wait_for_run)
        assert run_id not in _text(page), f"/{path} shows ana's run"
    for link in (
        f"evaluate?run={run_id}",
        f"classify?run={run_id}",
        f"runs?run={run_id}",
        f"evaluate?run=../ana/{run_id}",
        f"evaluate?run=users/ana/{run_id}",
        "evaluate?run=..",
    ):
        _open(page, f"{url}/{link}&lang=en", wait_for_run, NOT_YOURS)
        # the message names what was asked for; nothing else of the run (no metrics, no model)
        expect(page.get_by_text("Test accuracy")).to_have_count(0)
        expect(page.locator(".js-plotly-plot")).to_have_count(0)


def test_a_student_sees_nothing_of_a_classmate_until_the_teacher_shares_it(
    classroom, browser, wait_for_run
):
    url, ana_run, ben_run = classroom
    ben = _signed_in_page(browser, url, "ben", wait_for_run)
    teacher = _signed_in_page(browser, url, "teach", wait_for_run)

    # ben's own run is there; ana's is nowhere
    _open(ben, f"{url}/runs?lang=en", wait_for_run)
    assert _shows(ben, ben_run)
    _ben_finds_nothing_of(ben, url, ana_run, wait_for_run)

    # the teacher sees both, with the students' names
    _open(teacher, f"{url}/runs?lang=en", wait_for_run)
    assert _shows(teacher, ana_run, ben_run)
    cells = teacher.locator("[data-testid='stDataFrame'] [role='gridcell']").all_inner_texts()
    assert "ana" in cells and "ben" in cells  # the Student column

    # the teacher shares ana's run: ben can open it by its link, and it is marked as shared
    _open(teacher, f"{url}/runs?run={ana_run}&lang=en", wait_for_run, "Shared with the class")
    teacher.get_by_text("Shared with the class").click()
    expect(teacher.get_by_role("switch", name="Shared with the class")).to_be_checked(
        timeout=TIMEOUT
    )
    wait_for_run(teacher)
    _open(ben, f"{url}/evaluate?run={ana_run}&lang=en", wait_for_run, "Test accuracy")
    expect(ben.get_by_text(NOT_YOURS)).to_have_count(0)
    _open(ben, f"{url}/runs?run={ana_run}&lang=en", wait_for_run, "shared by the teacher")
    expect(ben.get_by_role("button", name="Delete")).to_be_disabled()

    # un-shared: gone again for ben
    _open(teacher, f"{url}/runs?run={ana_run}&lang=en", wait_for_run, "Shared with the class")
    teacher.get_by_text("Shared with the class").click()
    expect(teacher.get_by_role("switch", name="Shared with the class")).not_to_be_checked(
        timeout=TIMEOUT
    )
    wait_for_run(teacher)
    _ben_finds_nothing_of(ben, url, ana_run, wait_for_run)

    # the Class page: the teacher's leaderboard names both students; ben is refused it
    _open(teacher, f"{url}/class?lang=en", wait_for_run)
    expect(teacher.get_by_test_id("stDataFrame")).to_be_visible(timeout=TIMEOUT)
    _open(ben, f"{url}/class?lang=en", wait_for_run, "for teachers")
    assert ana_run not in _text(ben)
    ben.context.close()
    teacher.context.close()
