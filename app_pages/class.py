"""Class: the teacher's view of the class - every student's latest runs on one dataset as a
leaderboard, their learning curves overlaid, who is training now and the queue. Refreshes itself.

For teachers on a class server; in personal mode the one user is the teacher of their own class.
"""

import pandas as pd
import streamlit as st

from clfcore import jobs
from clfcore.i18n import N_
from clfcore.runs import listing
from clfcore.runs.folder import RunFolder
from clfcore.workspace import board
from ui import eval_charts, session
from ui.lang import t, translator
from ui.widgets import translated_status

REFRESH_SECONDS = 5  # the live part reruns this often: the board follows the class as it trains
ROW_HEIGHT = 44  # pixels: taller rows read from the back of a classroom
_CHOSEN = "class_chosen"  # the run ids ticked on the board, kept across refreshes
_ORDER = "class_board_order"  # the board's row order when it was last drawn
_VERSION = "class_board_version"  # bumped when the row order changes (see _board_key)
PER_STUDENT = {
    1: N_("The latest run of each student"),
    5: N_("The latest 5 runs of each student"),
    None: N_("Every run"),
}


def _student(owner: str) -> str:
    return owner or t("you")


def _points(share: float | None) -> float | None:
    """A share as percentage points, for one decimal everywhere (93.0 %, 84.7 %)."""
    return None if share is None else round(share * 100, 2)


def _augmentation(row: board.BoardRow) -> str:
    if not row.augmentation:
        return t("none")
    return ", ".join(t(part.template, **part.params) for part in row.augmentation)


def _board_key(rows: list[board.BoardRow]) -> str:
    """The table's key: a new one whenever the rows' order changes (a run finished and moved up),
    because the table's selection is by row position - the ticks then follow the runs through
    ``selection_default`` rather than stay on positions that now hold other runs."""
    order = [row.run_id for row in rows]
    if st.session_state.get(_ORDER) not in (None, order):
        st.session_state[_VERSION] = st.session_state.get(_VERSION, 0) + 1
    st.session_state[_ORDER] = order
    return f"class_board-{st.session_state.get(_VERSION, 0)}"


def _leaderboard(rows: list[board.BoardRow]) -> list[board.BoardRow]:
    """The sortable table; returns the ticked rows."""
    chosen = set(st.session_state.get(_CHOSEN, []))
    event = st.dataframe(
        pd.DataFrame(
            {
                "#": pd.array([row.rank for row in rows], dtype="Int64"),
                t("Student"): [_student(row.owner) for row in rows],
                # what the class looks at first, next to who: the rest reads left to right
                t("Test accuracy"): [_points(row.test_accuracy) for row in rows],
                t("Architecture"): [row.architecture for row in rows],
                t("Epochs"): pd.array([row.epochs for row in rows], dtype="Int64"),
                t("Augmentation"): [_augmentation(row) for row in rows],
                t("Training time (s)"): [row.train_seconds for row in rows],
                t("Status"): [translated_status(row.status) for row in rows],
                t("Run"): [row.label for row in rows],
            }
        ),
        hide_index=True,
        width="stretch",
        row_height=ROW_HEIGHT,
        height=min(ROW_HEIGHT * (len(rows) + 1) + 3, 720),
        on_select="rerun",
        selection_mode="multi-row",
        key=_board_key(rows),
        selection_default={
            "selection": {"rows": [i for i, row in enumerate(rows) if row.run_id in chosen]}
        },
        column_config={
            "#": st.column_config.NumberColumn(width="small"),
            t("Augmentation"): st.column_config.TextColumn(width="medium"),
            t("Test accuracy"): st.column_config.ProgressColumn(
                format="%.1f %%", min_value=0.0, max_value=100.0, width="medium"
            ),
            t("Training time (s)"): st.column_config.NumberColumn(format="%.0f"),
        },
    )
    selected = [rows[i] for i in event.selection.rows if i < len(rows)]
    st.session_state[_CHOSEN] = [row.run_id for row in selected]
    return selected


def _overlay(selected: list[board.BoardRow]) -> None:
    histories = [
        (f"{_student(row.owner)} · {row.label}", RunFolder(row.path).history()) for row in selected
    ]
    histories = [(label, history) for label, history in histories if history]
    if not histories:
        st.info(t("The ticked runs have no finished epoch yet."), icon=":material/hourglass:")
        return
    st.plotly_chart(
        eval_charts.compare_curves(histories, height=480), width="stretch", key="class-curves"
    )
    st.caption(
        t(
            "Solid lines: validation; dotted: training. A smaller distance between "
            "a run's two lines means less overfitting."
        )
    )


def _training_now(training: list[board.Training]) -> None:
    st.subheader(t("Training now"))
    if not training:
        st.caption(t("Nobody is training right now."))
        return
    st.dataframe(
        pd.DataFrame(
            {
                t("Student"): [_student(item.run.owner) for item in training],
                t("Run"): [item.run.name or item.run.run_id for item in training],
                t("Dataset"): [item.run.dataset for item in training],
                t("Epoch"): [
                    f"{item.epoch}/{item.epochs}" if item.epoch and item.epochs else "-"
                    for item in training
                ],
                t("Progress"): [item.fraction for item in training],
                t("Time left (s)"): [item.eta_seconds for item in training],
            }
        ),
        hide_index=True,
        width="stretch",
        row_height=ROW_HEIGHT,
        column_config={
            t("Progress"): st.column_config.ProgressColumn(
                format="percent", min_value=0.0, max_value=1.0
            ),
            t("Time left (s)"): st.column_config.NumberColumn(format="%.0f"),
        },
    )


def _queue(waiting: list[board.Waiting]) -> None:
    st.subheader(t("Queue"))
    if not waiting:
        st.caption(t("Nobody is waiting to train."))
        return
    st.dataframe(
        pd.DataFrame(
            {
                "#": [item.position for item in waiting],
                t("Student"): [_student(item.run.owner) for item in waiting],
                t("Run"): [item.run.name or item.run.run_id for item in waiting],
                t("Dataset"): [item.run.dataset for item in waiting],
            }
        ),
        hide_index=True,
        width="stretch",
        row_height=ROW_HEIGHT,
    )


@st.cache_resource
def _every_run() -> listing.SettledRuns:
    """One listing for every teacher's session: finished runs are read once, not every refresh."""
    return listing.SettledRuns()


@st.fragment(run_every=REFRESH_SECONDS)
def _live() -> None:
    """Everything that changes while the class trains, read from one listing of every run."""
    runs = _every_run().list()
    choices = board.datasets_with_runs(runs)
    if not choices:
        st.info(
            t("No student has trained a model yet. Their runs appear here as they train."),
            icon=":material/groups:",
        )
        return
    tr = translator()
    left, right = st.columns([2, 3])
    dataset = left.selectbox(t("Dataset"), choices, key="class_dataset")
    per_student = right.radio(
        t("Show"),
        list(PER_STUDENT),
        format_func=lambda n: tr(PER_STUDENT[n]),
        # personal mode: one person's runs, all of them; a class: each student's latest
        index=0 if session.settings().is_class else 2,
        horizontal=True,
        key="class_per_student",
    )
    rows = board.leaderboard(runs, dataset, per_student=per_student)
    training = board.training_now(runs)
    waiting = board.queue(runs, order=jobs.queue_order())
    scored = [row.test_accuracy for row in rows if row.test_accuracy is not None]
    cols = st.columns(4)
    cols[0].metric(t("Students"), len({row.owner for row in rows}))
    cols[1].metric(t("Best test accuracy"), f"{max(scored):.1%}" if scored else "-")
    cols[2].metric(t("Training now"), len(training))
    cols[3].metric(t("In the queue"), len(waiting))
    st.subheader(t("Leaderboard: {dataset}", dataset=dataset))
    selected = _leaderboard(rows)
    if selected:
        _overlay(selected)
    else:
        st.caption(t("Tick runs in the table to overlay their learning curves."))
    now, queued = st.columns(2, gap="large")
    with now:
        _training_now(training)
    with queued:
        _queue(waiting)


st.title(t("Class"))
if not session.sees_the_class():
    st.error(
        t(
            "The Class page is for teachers: it shows every student's work. Your own runs are "
            "on the Runs page."
        ),
        icon=":material/lock:",
    )
    st.stop()
_live()
