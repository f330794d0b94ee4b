"""The Lessons page's parts: one step (what, why, its setup button, what to notice), the
progress of each lesson, and where the user left off (also shown on Home)."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from clfcore.data import datasets
from clfcore.data.augment import COURSE_DEFAULTS
from clfcore.data.splits import SplitConfig
from clfcore.evaluation.scoring import scores_from_counts
from clfcore.i18n import N_
from clfcore.models.architectures import TRANSFER_IDS
from clfcore.models.backbones import find_weights
from clfcore.teaching import course_lessons, lessons, observations, progress
from clfcore.teaching.lessons import Lesson, Setup, Step
from clfcore.teaching.progress import Progress
from ui import session, state
from ui.lang import current, error_message, t
from ui.widgets import controlled

APP_PAGES = Path(__file__).resolve().parents[1] / "app_pages"
PAGE_NAMES = {  # page file -> its title (the router's, app.py)
    "dataset": N_("Dataset"),
    "augment": N_("Augmentation"),
    "model": N_("Model"),
    "train": N_("Train"),
    "evaluate": N_("Evaluate"),
    "classify": N_("Classify"),
    "runs": N_("Runs"),
    "convolution": N_("Convolution lab"),
}


def apply_setup(setup: Setup, dataset: str) -> None:
    """Set the app up for ``setup`` on ``dataset``, through ui.state's setters only."""
    config = lessons.train_config(setup, dataset)
    parts = lessons.split_choices(config)
    state.set_dataset_id(dataset)
    state.set_model_choice(parts["model"])
    state.set_split_config(SplitConfig(**parts["split"], one_hot=config.one_hot))
    state.set_training_choice(parts["training"])
    chosen, _ = state.augment_choice()
    state.set_augment_choice(COURSE_DEFAULTS if setup.augment else chosen, setup.augment)


def _format(value: object) -> str:
    if isinstance(value, float):
        text = f"{value:.1f}"
        return text.replace(".", ",") if current() == "es" else text
    return str(value)


def observation_text(observation: observations.Observation) -> str:
    """An observation in the session's language, its numbers written the language's way."""
    return t(observation.text, **{k: _format(v) for k, v in observation.params.items()})


def _page_link(page: str, label: str, icon: str) -> None:
    """A link to app_pages/<page>.py; a plain link to its URL when the file is not there (a page
    another part of the app may not have yet)."""
    if (APP_PAGES / f"{page}.py").is_file():
        st.page_link(f"app_pages/{page}.py", label=label, icon=icon)
    else:
        st.markdown(f"[{label}](/{page})")


def overview(all_lessons: tuple[Lesson, ...], saved: Progress) -> None:
    """One progress bar per lesson."""
    for lesson in all_lessons:
        ids = [step.id for step in lesson.steps]
        done = saved.done_count(lesson.id, ids)
        st.progress(
            done / len(ids),
            text=t(
                "{lesson}: {done} of {total} steps done",
                lesson=t(lesson.title),
                done=done,
                total=len(ids),
            ),
        )


def left_off(saved: Progress) -> tuple[Lesson, int, Step] | None:
    """The lesson, step number (1-based) and step the user last worked on; None if none."""
    if saved.last is None:
        return None
    lesson_id, step_id = saved.last
    lesson = next((x for x in course_lessons.LESSONS if x.id == lesson_id), None)
    if lesson is None:
        return None
    for number, step in enumerate(lesson.steps, start=1):
        if step.id == step_id:
            return lesson, number, step
    return None


def left_off_text(saved: Progress) -> str | None:
    where = left_off(saved)
    if where is None:
        return None
    lesson, number, step = where
    return t(
        "You left off at {lesson}, step {number}: {step}.",
        lesson=t(lesson.title),
        number=number,
        step=t(step.title),
    )


def tick_finished_runs(lesson: Lesson, saved: Progress) -> Progress:
    """Mark done the steps of ``lesson`` whose run now exists (unless the user un-ticked them)."""
    workspace = session.workspace()
    ready = [
        step.id
        for step in lesson.steps
        if step.ticks_itself
        and not saved.is_done(lesson.id, step.id)
        and not saved.was_unticked(lesson.id, step.id)
        and lessons.latest_run(workspace, step.setup) is not None
    ]
    return progress.mark_many(workspace, lesson.id, ready) if ready else saved


def _dataset_note(setup: Setup, choice: lessons.DatasetChoice, noted: set) -> None:
    """Why the step uses another dataset (said once per lesson), or how to get a missing one."""
    wanted = datasets.get_dataset(choice.wanted).name
    if choice.dataset is None:
        st.warning(
            t("This step needs {name}, which is not on this machine.", name=wanted)
            + " "
            + error_message(datasets.availability(choice.wanted).error()),
            icon=":material/cloud_off:",
        )
    elif choice.substitute and (choice.wanted, choice.dataset) not in noted:
        noted.add((choice.wanted, choice.dataset))
        st.info(
            t(
                "{wanted} is not on this machine, so this step uses {used} instead. To use "
                "{wanted}, download it on the Dataset page (it needs the internet once).",
                wanted=wanted,
                used=datasets.get_dataset(choice.dataset).name,
            ),
            icon=":material/swap_horiz:",
        )
    if setup.architecture in TRANSFER_IDS:
        size = lessons.train_config(setup, choice.dataset or choice.wanted).arch_options
        if find_weights(setup.architecture, int(size["image_size"])) is None:
            st.info(
                t(
                    "The ImageNet weights are not on this machine yet: the Model page downloads "
                    "them (it needs the internet once)."
                ),
                icon=":material/download:",
            )


def _go(lesson: Lesson, step: Step, choice: lessons.DatasetChoice | None, key: str) -> None:
    """The step's button: set the app up and open its page (or only open the page)."""
    page = t(PAGE_NAMES.get(step.page, step.page))
    if step.setup is None or not (APP_PAGES / f"{step.page}.py").is_file():
        _page_link(step.page, t("Open {page}", page=page), ":material/arrow_forward:")
        return
    disabled = choice is None or choice.dataset is None
    if st.button(
        t("Set up and open {page}", page=page),
        key=key,
        icon=":material/play_arrow:",
        type="primary",
        disabled=disabled,
    ):
        apply_setup(step.setup, choice.dataset)
        if step.page == "evaluate":
            run = lessons.latest_run(session.workspace(), step.setup, dataset=choice.dataset)
            if run is not None:
                state.set_evaluated_run(run.run_id)
        progress.visit(session.workspace(), lesson.id, step.id)
        st.switch_page(f"app_pages/{step.page}.py")


def _notice(step: Step) -> None:
    heading = t("What to notice")  # outside the f-string, where pybabel extract finds it
    st.markdown(f"**{heading}**")
    if step.notice:
        st.markdown(t(step.notice))
    if not step.rules or step.setup is None:
        return
    workspace = session.workspace()
    run = lessons.latest_run(workspace, step.setup)
    if run is None:
        st.caption(t("Once you have trained this step's model, your own numbers appear here."))
        return
    before = None
    if step.compare is not None:
        other = lessons.latest_run(workspace, step.compare, dataset=run.dataset)
        before = lessons.record(other) if other is not None else None
    found = observations.observe(step.rules, lessons.record(run), before)
    for observation in found:
        st.success(observation_text(observation), icon=":material/insights:")
    if step.compare is not None and before is None:
        st.caption(t("Train the run of the earlier lesson on the same dataset to compare both."))
    st.caption(t("From your run {run}.", run=run.name or run.run_id))


def _calculator(key: str) -> None:
    """Precision, recall, F1, specificity and NPV from four counts the student types."""
    with st.container(border=True):
        heading = t("Try the formulas")
        st.markdown(f"**{heading}**")
        cols = st.columns(4)
        counts = [
            col.number_input(label, min_value=0, value=value, step=1, key=f"{key}_{label}")
            for col, label, value in zip(cols, ("TP", "FP", "FN", "TN"), (40, 10, 5, 45))
        ]
        scores = scores_from_counts(*counts)
        cols = st.columns(5)
        for col, name, label in zip(
            cols,
            ("precision", "recall", "f1", "specificity", "npv"),
            (t("Precision"), t("Recall"), "F1", t("Specificity"), "NPV"),
        ):
            col.metric(label, _format(round(100 * float(scores[name]), 1)) + " %")


def step_view(lesson: Lesson, number: int, step: Step, saved: Progress, noted: set) -> None:
    """One step, in a bordered box; ``noted`` keeps the dataset substitutions already explained."""
    key = f"lesson_{lesson.id}_{step.id}"
    with st.container(border=True):
        head, tick = st.columns([5, 1])
        head.subheader(t("Step {number}. {title}", number=number, title=t(step.title)))
        done = saved.is_done(lesson.id, step.id)
        ticked = controlled(tick.checkbox, t("Done"), key=f"{key}_done", value=done)
        if ticked != done:
            progress.mark(session.workspace(), lesson.id, step.id, done=ticked)
        st.markdown(t(step.what))
        why = t("Why")
        st.markdown(f"*{why}:* {t(step.why)}")
        for name, formula in step.formulas:
            st.caption(t(name))
            st.latex(formula)
        if step.tool == "metrics_calculator":
            _calculator(key)
        choice = lessons.choose_dataset(step.setup) if step.setup is not None else None
        if step.setup is not None:
            _dataset_note(step.setup, choice, noted)
        _go(lesson, step, choice, key)
        _notice(step)
