"""Lessons: the course as guided steps. Each sets the app up, opens the right page, and reads what
to notice from the student's own runs."""

import streamlit as st

from clfcore.teaching import course_lessons, progress
from ui import lesson_views, session
from ui.lang import t, translator

st.title(t("Lessons"))
st.markdown(
    t(
        "The course, one step at a time. Each step says what to do and why; its button sets up "
        "the dataset, the model and the settings and takes you to the right page. Once you have "
        "trained, the step tells you what to notice in your own numbers."
    )
)

saved = progress.load(session.workspace())
where = lesson_views.left_off(saved)
if where is not None:
    st.info(lesson_views.left_off_text(saved), icon=":material/bookmark:")

with st.expander(t("Your progress"), expanded=where is not None):
    lesson_views.overview(course_lessons.LESSONS, saved)

by_id = {lesson.id: lesson for lesson in course_lessons.LESSONS}
if "lessons_chosen" not in st.session_state:
    st.session_state["lessons_chosen"] = where[0].id if where else course_lessons.LESSONS[0].id
chosen = st.selectbox(
    t("Lesson"),
    list(by_id),
    key="lessons_chosen",
    format_func=lambda lesson_id, tr=translator(): tr(by_id[lesson_id].title),
)
lesson = by_id[chosen]
saved = lesson_views.tick_finished_runs(lesson, saved)
st.markdown(t(lesson.summary))
ids = [step.id for step in lesson.steps]
done = saved.done_count(lesson.id, ids)
st.progress(done / len(ids), text=t("{done} of {total} steps done", done=done, total=len(ids)))

noted: set = set()
for number, step in enumerate(lesson.steps, start=1):
    lesson_views.step_view(lesson, number, step, saved, noted)
