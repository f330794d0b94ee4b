"""A class at once on the Evaluate page: 30 students open the run their teacher shared, together.

How the sessions are simulated: a real class server - ``streamlit run app.py`` with
``CLFCORE_AUTH=roster`` (headless, a free port on 127.0.0.1, temporary roots), a roster of a
teacher and 30 students, the teacher's run shared with the class - and, in this process, 30 asyncio
websocket clients that speak the browser's protocol - no browser, so no 30 JavaScript engines
compete with the server for the 2 cores. Each client is one student: it connects to
``/_stcore/stream`` (subprotocol ``streamlit``, as the frontend does) sending that student's
signed sign-in cookie with the handshake (as a browser does after signing in), sends the
``BackMsg`` the frontend sends on load - ``rerun_script`` with a ``ClientState`` whose
``page_name`` is the page's URL path (``evaluate``) and whose ``query_string`` is the run's link
(``run=<run id>``) - and
reads the ``ForwardMsg`` frames the server sends back. A session has *settled* when its
``script_finished`` message arrives (status FINISHED_SUCCESSFULLY); a script error (an
``exception`` element) fails the bench. The browser's own work after that (drawing plotly) is not
the server's and is left out; the client's parsing of the messages is in the time.

Steps:
1. Train the course MLP for 2 epochs on 5,000 Fashion-MNIST images
   (/usr/share/datasets/fashion-mnist; the scikit-learn digits when it is not installed) into the
   temporary runs root.
2. Start the server; one session opens the page (the cold view: the model runs on the test set).
3. ``WARM`` sessions open it one after the other: server CPU per warm view.
4. ``SESSIONS`` sessions open it at once: each one's page time (connect to script_finished), and
   the server's CPU over all of them per view.
5. Each of those sessions switches to the Feature space tab, sending what the frontend sends for
   ``st.tabs(..., on_change=...)``: a rerun with the tabs widget's state (its id read from the
   ``tab_container`` block of the first view's deltas, ``string_value`` = the tab label), all at
   once; then the server's resident memory (RSS, psutil).

Server CPU is ``psutil.Process(server).cpu_times()`` (user + system, every thread) before and
after, divided by the number of views.

Prints ``evaluate_cpu_s_per_view``, ``evaluate_p95_s``, ``evaluate_server_rss_gb`` (with their
goals) and a few more figures.
"""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import numpy as np
import psutil
import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState

from clfcore.accounts import roster, sessions

ROOT = Path(__file__).resolve().parents[1]
DEBIAN = Path("/usr/share/datasets/fashion-mnist")
SESSIONS = 30  # a class
WARM = 3  # sequential warm views
PAGE = "evaluate"  # the Evaluate page's url_path in app.py
FEATURE_TAB = "Feature space"
TIMEOUT = 600  # seconds a session may take before the bench gives up
GOAL_CPU_S, GOAL_P95_S, GOAL_RSS_GB = 0.2, 5.0, 2.0
Student = tuple[str, str]  # a student's sign-in cookie, and the query string of the page's link

TEACHER = "teach"
TRAIN = """
from clfcore.config import TrainConfig
from clfcore.paths import user_runs_dir
from clfcore.runs.folder import create_run
from clfcore.training import trainer
run = create_run(
    TrainConfig.for_architecture("mlp", dataset={dataset!r}, epochs=2, train_size=5000, seed=1),
    root=user_runs_dir({teacher!r}),
)
trainer.train(run)
run.set_shared(True, by={teacher!r})
print(run.run_id)
"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_healthy(port: int, server: subprocess.Popen, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"the streamlit server exited with {server.returncode}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.3)
    raise RuntimeError("the streamlit server did not answer /_stcore/health")


def _cpu_seconds(process: psutil.Process) -> float:
    times = process.cpu_times()
    return times.user + times.system


class Session:
    """One simulated browser tab: a websocket to the server and the page's state as the frontend
    would keep it (here only the tabs widget's id)."""

    def __init__(self, url: str, cookie: str, query: str) -> None:
        self.url, self.cookie, self.query = url, cookie, query
        self.socket = None
        self.tabs_id: str | None = None

    async def open(self) -> None:
        # the browser sends its cookies with the websocket's handshake: the sign-in cookie
        self.socket = await websockets.connect(
            self.url,
            subprotocols=["streamlit"],
            max_size=None,
            open_timeout=TIMEOUT,
            additional_headers={"Cookie": f"{sessions.COOKIE}={self.cookie}"},
        )

    async def rerun(self, widgets: list[WidgetState] = ()) -> None:
        """Sends a rerun of the page (with these widget states) and waits for script_finished."""
        msg = BackMsg()
        msg.rerun_script.page_name = PAGE
        msg.rerun_script.query_string = self.query
        msg.rerun_script.widget_states.widgets.extend(widgets)
        await self.socket.send(msg.SerializeToString())
        while True:
            forward = ForwardMsg()
            forward.ParseFromString(await self.socket.recv())
            kind = forward.WhichOneof("type")
            if kind == "delta":
                delta = forward.delta
                if delta.WhichOneof("type") == "add_block" and delta.add_block.tab_container.id:
                    self.tabs_id = delta.add_block.tab_container.id
                elif (
                    delta.WhichOneof("type") == "new_element"
                    and delta.new_element.WhichOneof("type") == "exception"
                ):
                    error = delta.new_element.exception
                    raise RuntimeError(f"the page raised {error.type}: {error.message}")
            elif kind == "script_finished":
                if forward.script_finished == ForwardMsg.FINISHED_SUCCESSFULLY:
                    return
                if forward.script_finished == ForwardMsg.FINISHED_WITH_COMPILE_ERROR:
                    raise RuntimeError("the page did not compile")

    async def open_tab(self, label: str) -> None:
        if self.tabs_id is None:
            raise RuntimeError("the Evaluate page sent no st.tabs widget")
        await self.rerun([WidgetState(id=self.tabs_id, string_value=label)])

    async def close(self) -> None:
        await self.socket.close()


async def _view(url: str, student: Student) -> tuple[float, Session]:
    """A new session of ``student`` opening the page: seconds from connecting to script_finished."""
    start = time.perf_counter()
    session = Session(url, *student)
    await session.open()
    await session.rerun()
    return time.perf_counter() - start, session


async def _switch(session: Session) -> float:
    start = time.perf_counter()
    await session.open_tab(FEATURE_TAB)
    return time.perf_counter() - start


async def _bench(url: str, server: psutil.Process, students: list[Student]) -> dict:
    out: dict = {}
    start = time.perf_counter()
    _, first = await asyncio.wait_for(_view(url, students[0]), TIMEOUT)
    out["cold_s"] = time.perf_counter() - start
    await first.close()

    cpu = _cpu_seconds(server)
    warm = []
    for student in students[1 : WARM + 1]:
        seconds, session = await asyncio.wait_for(_view(url, student), TIMEOUT)
        warm.append(seconds)
        await session.close()
    out["warm_cpu_s"] = (_cpu_seconds(server) - cpu) / WARM
    out["warm_s"] = float(np.median(warm))

    cpu = _cpu_seconds(server)
    results = await asyncio.wait_for(
        asyncio.gather(*(_view(url, student) for student in students)), TIMEOUT
    )
    out["class_cpu_s"] = (_cpu_seconds(server) - cpu) / SESSIONS
    times = np.array([seconds for seconds, _ in results])
    out["p95_s"], out["max_s"] = float(np.percentile(times, 95)), float(times.max())
    sessions = [session for _, session in results]

    cpu = _cpu_seconds(server)
    switches = np.array(
        await asyncio.wait_for(asyncio.gather(*(_switch(s) for s in sessions)), TIMEOUT)
    )
    out["feature_cpu_s"] = (_cpu_seconds(server) - cpu) / SESSIONS
    out["feature_p95_s"] = float(np.percentile(switches, 95))
    out["rss_gb"] = server.memory_info().rss / 1e9
    for session in sessions:
        await session.close()
    return out


def _class(run_id: str) -> list[Student]:
    """The roster of the class (a teacher and SESSIONS students) and each student's sign-in
    cookie and link to the shared run."""
    roster.add_user(TEACHER, "the teacher's password", role="teacher")
    students = []
    for number in range(1, SESSIONS + 1):
        user = roster.add_user(f"student{number:02d}", f"password {number}", role="student")
        students.append((sessions.issue(user), f"run={run_id}"))
    return students


def _train(env: dict) -> tuple[str, str]:
    if (DEBIAN / "t10k-images-idx3-ubyte.gz").is_file():
        dataset, source = "fashion_mnist", "Fashion-MNIST, 10,000 test images"
    else:
        dataset, source = "digits", "scikit-learn digits (dataset-fashion-mnist is not installed)"
    run_id = subprocess.run(
        [sys.executable, "-c", TRAIN.format(dataset=dataset, teacher=TEACHER)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()[-1]
    return run_id, source


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        (tmp / "data").mkdir()
        env = {
            **os.environ,
            "PYTHONPATH": str(ROOT),
            "CLFCORE_RUNS_DIR": str(tmp / "runs"),
            "CLFCORE_DATA_DIR": str(tmp / "data"),
            "CLFCORE_AUTH": "roster",
        }
        os.environ["CLFCORE_DATA_DIR"] = env["CLFCORE_DATA_DIR"]  # the roster and cookie key
        run_id, source = _train(env)
        students = _class(run_id)
        port = _free_port()
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "streamlit",
                "run",
                "app.py",
                "--server.headless=true",
                f"--server.port={port}",
                "--server.address=127.0.0.1",
                "--server.fileWatcherType=none",
                "--browser.gatherUsageStats=false",
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            _wait_healthy(port, server)
            result = asyncio.run(
                _bench(
                    f"ws://127.0.0.1:{port}/_stcore/stream", psutil.Process(server.pid), students
                )
            )
        finally:
            server.terminate()
            server.wait(timeout=30)
    what = (
        f"course MLP on {source}; {SESSIONS} signed-in students' websocket sessions open the "
        "run the teacher shared, by its link"
    )
    print(
        f"evaluate_cpu_s_per_view: {result['class_cpu_s']:.3f} (goal <= {GOAL_CPU_S} s; server "
        f"CPU over {SESSIONS} views at once / {SESSIONS}; a warm view alone: "
        f"{result['warm_cpu_s']:.3f} s; {what})"
    )
    print(
        f"evaluate_p95_s: {result['p95_s']:.2f} (goal <= {GOAL_P95_S} s; page time, connect to "
        f"script_finished, {SESSIONS} at once; max {result['max_s']:.2f} s; one warm view "
        f"alone {result['warm_s']:.2f} s; first view after start {result['cold_s']:.2f} s)"
    )
    print(
        f"evaluate_server_rss_gb: {result['rss_gb']:.2f} (goal <= {GOAL_RSS_GB} GB; after "
        f"{SESSIONS} sessions opened the Feature space tab: p95 "
        f"{result['feature_p95_s']:.2f} s, server CPU {result['feature_cpu_s']:.3f} s per switch)"
    )


if __name__ == "__main__":
    main()
