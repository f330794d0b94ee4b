"""Workspaces on a class server, through the router (app.py) with a signed-in user: a student finds
nothing of a classmate's run on any page - by list, by link, by a crafted id - a teacher sees every
run with its owner and can delete it, sharing shows a run to the class and un-sharing hides it,
the quota refuses a training, imports land in the student's workspace.

The user is put in the session directly (``signed_in_user``), as the sign-in gate does.
"""

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from clfcore.accounts.identity import TEACHER, User
from clfcore.data import datasets
from clfcore.paths import user_data_dir, user_runs_dir
from clfcore.runs.folder import RunFolder
from clfcore.workspace import Workspace, access, quota

ROOT = Path(__file__).resolve().parents[2]
ANA, BEA, TEO = User("ana"), User("bea"), User("teo", role=TEACHER)
ZIP = "application/zip"


@pytest.fixture
def class_server(monkeypatch, isolated_roots):
    monkeypatch.setenv("CLFCORE_AUTH", "roster")
    return isolated_roots


@pytest.fixture
def ana_run(class_server, tmp_path_factory, make_trained_run) -> str:
    """A finished run in ana's workspace."""
    return make_trained_run(user_runs_dir("ana"), tmp_path_factory, run_name="ana-model")


@pytest.fixture
def bea_run(class_server, tmp_path_factory, make_trained_run) -> str:
    return make_trained_run(user_runs_dir("bea"), tmp_path_factory, run_name="bea-model")


def open_as(user: User | None, page: str = "home", **query) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.query_params["lang"] = "en"
    for key, value in query.items():
        at.query_params[key] = value
    if user is not None:
        at.session_state["signed_in_user"] = user
    at.run()
    if page != "home":
        at.switch_page(f"app_pages/{page}.py")
        at.run()
    assert not at.exception, at.exception
    return at


def everything(at: AppTest) -> str:
    """Every text the page shows, widget labels and options included."""
    parts = [
        str(el.value)
        for kind in ("title", "markdown", "info", "warning", "error", "success", "caption", "code")
        for el in getattr(at, kind)
    ]
    parts += [str(opt) for box in at.selectbox for opt in box.options]
    parts += [b.label for b in at.button]
    parts += [str(frame.value.to_dict()) for frame in at.dataframe]
    return "\n".join(parts)


def access_message(run_id: str) -> str:
    with pytest.raises(access.RunAccessError) as caught:
        access.find_run(Workspace(BEA), run_id)
    return caught.value.message("en")


def _select_rows(at: AppTest, rows: list[int]) -> AppTest:
    at.session_state["runs_table-0"] = {"selection": {"rows": rows, "columns": [], "cells": []}}
    return at.run()


# --- a student sees nothing of a classmate's run --------------------------------------------------


@pytest.mark.parametrize("page", ["home", "runs", "evaluate", "classify", "train"])
def test_a_classmate_s_run_is_not_listed_on_any_page(ana_run, page):
    RunFolder(user_runs_dir("ana") / ana_run).set_status("queued")  # Train lists active runs
    text = everything(open_as(BEA, page))
    assert ana_run not in text and "ana-model" not in text
    teacher = everything(open_as(TEO, page))  # the same page, as the teacher
    if page == "home":
        assert "No training runs yet" in text and "1 runs saved" in teacher
    if page in ("runs", "train"):
        assert "ana-model" in teacher


@pytest.mark.parametrize("page", ["runs", "evaluate", "classify"])
@pytest.mark.parametrize("crafted", ["{id}", "../ana/{id}", "users/ana/{id}", "..", "ana/{id}"])
def test_a_link_to_a_classmate_s_run_says_so_and_shows_nothing_of_it(ana_run, page, crafted):
    run_id = crafted.format(id=ana_run)
    at = open_as(BEA, page, run=run_id)
    assert [e.value for e in at.error] == [access_message(run_id)]
    assert not at.metric and not at.dataframe and not at.selectbox
    assert "ana-model" not in everything(at).replace(at.error[0].value, "")  # only the id given


def test_a_student_opens_their_own_run_by_its_link(ana_run, bea_run):
    at = open_as(BEA, "evaluate", run=bea_run)
    assert at.selectbox(key="evaluate_run_picker").value == bea_run
    assert at.metric and not at.error
    assert f"/evaluate?run={bea_run}" in [c.value for c in at.code]
    runs = open_as(BEA, "runs", run=bea_run)
    assert runs.subheader[0].value == "bea-model"
    classify = open_as(BEA, "classify", run=bea_run)
    assert classify.selectbox(key="classify_run").value == bea_run


def test_a_remembered_run_id_of_a_classmate_opens_nothing(ana_run):
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.session_state["signed_in_user"] = BEA
    at.session_state["evaluated_run"] = ana_run  # e.g. left in the session
    at.session_state["followed_run"] = ana_run
    at.run()
    for page in ("evaluate", "train"):
        at.switch_page(f"app_pages/{page}.py")
        at.run()
        assert not at.exception and not at.metric
        assert "ana-model" not in everything(at)


# --- the teacher ---------------------------------------------------------------------------------


def test_the_teacher_sees_every_run_with_its_owner_and_can_delete_any(ana_run, bea_run):
    at = open_as(TEO, "runs")
    table = at.dataframe[0].value
    assert sorted(table["Student"]) == ["ana", "bea"]
    row = list(table["Run"]).index("ana-model")
    _select_rows(at, [row])
    assert at.subheader[0].value == "ana-model (ana)"
    at.button(key="runs_delete").click().run()
    at.button(key="runs_delete_yes").click().run()
    assert not at.exception
    assert not (user_runs_dir("ana") / ana_run).exists()
    assert (user_runs_dir("bea") / bea_run).exists()


def test_a_student_has_no_owner_column_and_cannot_delete_a_shared_run(ana_run, bea_run):
    access.set_shared(Workspace(TEO), ana_run, True)
    at = open_as(BEA, "runs")
    table = at.dataframe[0].value
    assert "Student" not in table.columns
    assert sorted(table["Run"]) == ["ana-model (shared by the teacher)", "bea-model"]
    _select_rows(at, [list(table["Run"]).index("ana-model (shared by the teacher)")])
    assert at.button(key="runs_delete").disabled
    assert not at.get("toggle")  # sharing is the teacher's
    with pytest.raises(access.RunAccessError):
        access.delete_run(Workspace(BEA), ana_run)


def test_sharing_shows_a_run_to_the_class_and_un_sharing_hides_it(ana_run):
    teacher = open_as(TEO, "runs")
    _select_rows(teacher, [0])
    teacher.toggle(key=f"runs_share_{ana_run}").set_value(True).run()
    assert not teacher.exception
    assert RunFolder(user_runs_dir("ana") / ana_run).is_shared()

    student = open_as(BEA, "evaluate", run=ana_run)  # the demo model, by its link
    assert student.metric and not student.error
    assert "ana-model (shared by the teacher)" in everything(student)
    options = open_as(BEA, "classify").selectbox(key="classify_run").options
    assert [o.split(" · ")[0] for o in options] == ["ana-model (shared by the teacher)"]

    teacher = open_as(TEO, "runs")
    _select_rows(teacher, [0])
    teacher.toggle(key=f"runs_share_{ana_run}").set_value(False).run()
    assert not RunFolder(user_runs_dir("ana") / ana_run).is_shared()
    assert "No training runs yet" in everything(open_as(BEA, "runs"))
    at = open_as(BEA, "evaluate", run=ana_run)
    assert [e.value for e in at.error] == [access_message(ana_run)] and not at.metric


# --- limits and imports --------------------------------------------------------------------------


def test_the_quota_refuses_a_training_and_the_runs_page_shows_the_storage(ana_run, monkeypatch):
    monkeypatch.setenv("CLFCORE_QUOTA_GB", "0.000001")  # 1000 bytes: ana's run is larger
    runs = open_as(ANA, "runs")
    used = quota.storage_size(quota.usage_bytes(Workspace(ANA)))
    assert used.endswith(" MB") and used != "0.0 MB"
    assert [p.proto.text for p in runs.get("progress")] == [
        f"Your workspace uses {used} of 0.0 MB."
    ]
    at = open_as(ANA, "train")
    next(b for b in at.button if b.label == "Start training").click().run()
    assert any("Your workspace uses" in e.value for e in at.error)
    runs = [p.name for p in user_runs_dir("ana").iterdir() if not p.name.startswith(".")]
    assert runs == [ana_run]  # nothing new


def test_a_training_goes_into_the_student_s_workspace(class_server, monkeypatch):
    submitted = {}

    def fake_submit(config, *, root=None, priority="personal"):
        submitted.update(root=root, priority=priority)
        raise access.RunAccessError("stopped here")  # the page shows it; nothing is trained

    monkeypatch.setattr("clfcore.jobs.submit", fake_submit)
    at = open_as(ANA, "train")
    next(b for b in at.button if b.label == "Start training").click().run()
    assert submitted == {"root": user_runs_dir("ana"), "priority": "student"}


def test_an_import_lands_in_the_student_s_workspace(class_server, zip_bytes, class_files):
    at = open_as(ANA, "dataset")
    at.file_uploader[0].upload("pets.zip", zip_bytes(class_files(count=4)), ZIP).run()
    next(b for b in at.button if b.label == "Import").click().run()
    assert not at.exception and at.success[0].value.startswith("Imported pets")
    assert (user_data_dir("ana") / "pets").is_dir()
    assert not (class_server["data"] / "pets").exists()
    assert at.session_state["chosen_dataset"] == "ana/pets"
    ids = [info.id for info in datasets.list_datasets(owner="ana")]
    assert "ana/pets" in ids
    picker = open_as(BEA, "dataset").selectbox(key="dataset_picker")
    assert "ana/pets" not in picker.options and "pets" not in picker.options


def test_a_student_s_import_is_refused_over_the_quota(
    class_server, monkeypatch, zip_bytes, class_files
):
    monkeypatch.setenv("CLFCORE_QUOTA_GB", "0.0000001")  # 100 bytes
    at = open_as(ANA, "dataset")
    at.file_uploader[0].upload("pets.zip", zip_bytes(class_files(count=4)), ZIP).run()
    next(b for b in at.button if b.label == "Import").click().run()
    assert any("Your workspace uses" in e.value for e in at.error)
    assert not (user_data_dir("ana") / "pets").exists()


# --- personal mode -------------------------------------------------------------------------------


def test_personal_mode_lists_every_run_without_names_and_opens_links(
    isolated_roots, tmp_path_factory, make_trained_run
):
    run_id = make_trained_run(isolated_roots["runs"], tmp_path_factory)
    at = open_as(None, "runs")
    assert "Student" not in at.dataframe[0].value.columns
    assert not at.get("progress")  # no storage bar
    assert list(at.dataframe[0].value["Run"]) == [run_id]
    at = open_as(None, "evaluate", run=run_id)
    assert at.selectbox(key="evaluate_run_picker").value == run_id and at.metric
    at = open_as(None, "evaluate", run="../elsewhere")
    assert "There is no run '../elsewhere'" in at.error[0].value and not at.metric
