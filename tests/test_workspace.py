"""Whose work is whose on a class server (clfcore.workspace): every way to name a run or a dataset
gets the same rules - a student reaches their own work and what a teacher shared; a teacher and
personal mode reach everything."""

import pytest

from clfcore.accounts.identity import User
from clfcore.config import TrainConfig
from clfcore.data import datasets
from clfcore.errors import DatasetError, UserInputError
from clfcore.runs.folder import create_run
from clfcore.workspace import Workspace, access, quota
from clfcore.workspace.access import RunAccessError

ANA, BEN, EVA = User("ana"), User("ben"), User("eva", "teacher")


def _run(workspace: Workspace, status: str = "completed", **config):
    run = create_run(
        TrainConfig(**{"dataset": "digits", "architecture": "mlp", **config}),
        root=workspace.runs_dir,
    )
    run.set_status(status)
    return run


@pytest.fixture
def class_runs(isolated_roots):
    """A run of Ana's, one of Ben's, one in the runs root itself (personal mode's)."""
    return {
        "ana": _run(Workspace(ANA), run_name="ana"),
        "ben": _run(Workspace(BEN), run_name="ben"),
        "root": _run(Workspace(), run_name="root"),
    }


def test_a_workspace_is_a_folder_per_user(isolated_roots):
    assert Workspace().runs_dir == isolated_roots["runs"] and Workspace().is_personal
    assert Workspace(ANA).runs_dir == isolated_roots["runs"] / "users" / "ana"
    assert Workspace(ANA).data_dir == isolated_roots["data"] / "users" / "ana"
    assert Workspace(ANA).dataset_id("flowers") == "ana/flowers"
    assert Workspace().dataset_id("flowers") == "flowers"
    assert Workspace(EVA).sees_everything and not Workspace(ANA).sees_everything


def test_a_student_finds_their_own_run_and_nothing_else(class_runs):
    ana = Workspace(ANA)
    assert access.find_run(ana, class_runs["ana"].run_id).path == class_runs["ana"].path
    assert access.find_run(ana, f" {class_runs['ana'].run_id} ").run_id == class_runs["ana"].run_id
    refused = {}
    for other in (class_runs["ben"].run_id, class_runs["root"].run_id, "no-such-run"):
        with pytest.raises(RunAccessError) as caught:
            access.find_run(ana, other)
        refused[other] = str(caught.value).replace(other, "ID")
    # the same answer for someone else's run and for no run: it does not tell which
    assert (
        len(set(refused.values())) == 1 and "ask the teacher to share it" in refused["no-such-run"]
    )


@pytest.mark.parametrize(
    "crafted",
    ["", "  ", "..", ".", "../ben", "users/ben", "/etc/passwd", "ben\\x", ".dispatch.lock"],
)
def test_crafted_ids_are_refused_like_unknown_ones(class_runs, crafted):
    for workspace in (Workspace(ANA), Workspace(EVA), Workspace()):
        with pytest.raises(RunAccessError):
            access.find_run(workspace, crafted)


def test_crafted_paths_to_another_run_are_refused(class_runs):
    ben_id = class_runs["ben"].run_id
    for crafted in (f"../ben/{ben_id}", f"users/ben/{ben_id}", str(class_runs["ben"].path)):
        with pytest.raises(RunAccessError):
            access.find_run(Workspace(ANA), crafted)


def test_a_shared_run_is_seen_but_not_changed_by_students(class_runs):
    ana, ben = Workspace(ANA), Workspace(BEN)
    ben_id = class_runs["ben"].run_id
    access.set_shared(Workspace(EVA), ben_id, True)
    assert access.find_run(ana, ben_id).path == class_runs["ben"].path
    assert [r.run_id for r in access.visible_runs(ana) if r.shared] == [ben_id]
    with pytest.raises(RunAccessError, match="belongs to ben"):
        access.delete_run(ana, ben_id)
    assert class_runs["ben"].path.is_dir()
    access.set_shared(Workspace(EVA), ben_id, False)
    with pytest.raises(RunAccessError):
        access.find_run(ana, ben_id)
    assert access.find_run(ben, ben_id)  # the owner still has it


def test_only_a_teacher_shares(class_runs):
    ana_id = class_runs["ana"].run_id
    for workspace in (Workspace(ANA), Workspace(BEN), Workspace()):
        with pytest.raises(RunAccessError, match="Only a teacher"):
            access.set_shared(workspace, ana_id, True)
    assert not class_runs["ana"].is_shared()
    shared = access.set_shared(Workspace(EVA), ana_id, True)
    assert shared.is_shared() and '"by": "eva"' in shared.shared_path.read_text()


def test_visible_runs(class_runs):
    ids = {name: run.run_id for name, run in class_runs.items()}
    assert {r.run_id for r in access.visible_runs(Workspace(ANA))} == {ids["ana"]}
    everyone = access.visible_runs(Workspace(EVA))
    assert {(r.run_id, r.owner) for r in everyone} == {
        (ids["ana"], "ana"),
        (ids["ben"], "ben"),
        (ids["root"], ""),
    }
    # personal mode lists the runs root only, as before the classroom
    assert [r.run_id for r in access.visible_runs(Workspace())] == [ids["root"]]
    assert [r.run_id for r in access.own_runs(Workspace(BEN))] == [ids["ben"]]


def test_a_teacher_finds_and_deletes_any_run(class_runs):
    eva = Workspace(EVA)
    for run in class_runs.values():
        assert access.find_run(eva, run.run_id).path == run.path
    access.delete_run(eva, class_runs["ana"].run_id)
    assert not class_runs["ana"].path.exists()


def test_a_student_deletes_their_own_finished_run_only(class_runs):
    ana = Workspace(ANA)
    for other in (class_runs["ben"].run_id, class_runs["root"].run_id):
        with pytest.raises(RunAccessError):
            access.delete_run(ana, other)
    running = _run(ana, status="queued")
    with pytest.raises(UserInputError, match="still training or waiting"):
        access.delete_run(ana, running.run_id)
    access.delete_run(ana, class_runs["ana"].run_id)
    assert not class_runs["ana"].path.exists() and class_runs["ben"].path.is_dir()


def test_personal_mode_reaches_the_runs_root(class_runs):
    personal = Workspace()
    root_id = class_runs["root"].run_id
    assert access.find_run(personal, root_id).path == class_runs["root"].path
    with pytest.raises(RunAccessError, match="There is no run"):
        access.find_run(personal, class_runs["ana"].run_id)  # not in the runs root itself
    access.delete_run(personal, root_id)
    assert not class_runs["root"].path.exists()


# --- quota ----------------------------------------------------------------------------------------


def test_the_quota_counts_a_students_runs_and_datasets(isolated_roots):
    ana = Workspace(ANA)
    assert quota.usage_bytes(ana) == 0
    run = _run(ana)
    (run.path / "model.keras").write_bytes(b"x" * 5000)
    (ana.data_dir / "flowers").mkdir(parents=True)
    (ana.data_dir / "flowers" / "a.png").write_bytes(b"y" * 3000)
    used = quota.usage_bytes(ana)
    assert used >= 8000 and quota.usage_bytes(Workspace(BEN)) == 0
    quota.check_quota(ana, used + 100)  # under: nothing said
    quota.check_quota(ana, used + 100, adding=100)  # exactly full is still allowed
    with pytest.raises(UserInputError, match="Your workspace uses") as caught:
        quota.check_quota(ana, used + 100, adding=101)
    assert "this needs" in str(caught.value)
    with pytest.raises(UserInputError, match="Delete runs you no longer need"):
        quota.check_quota(ana, used - 1)
    # teachers and personal mode have no quota
    quota.check_quota(Workspace(EVA), 0, adding=10**12)
    quota.check_quota(Workspace(), 0, adding=10**12)
    assert quota.storage_size(1_250_000_000) == "1.25 GB"


# --- datasets -------------------------------------------------------------------------------------


def test_user_dataset_ids_name_their_owner(isolated_roots, make_image_folder):
    data = isolated_roots["data"]
    assert datasets.user_folder("flowers") == data / "flowers"
    assert datasets.user_folder("ana/flowers") == data / "users" / "ana" / "flowers"
    for bad in (
        "../etc",
        "ana/../ben",
        "Ana/flowers",
        "a/b/c",
        "users",
        ".class",
        "ana/.x",
        "mnist",
    ):
        assert datasets.user_folder(bad) is None, bad
    assert datasets.dataset_owner("ana/flowers") == "ana"
    assert datasets.dataset_owner("flowers") is None and datasets.dataset_owner("mnist") is None

    make_image_folder(data / "users" / "ana" / "flowers", count=3, size=(8, 8))
    make_image_folder(data / "users" / "ben" / "pets", count=3, size=(8, 8))
    make_image_folder(data / "shapes", count=3, size=(8, 8))  # in the data root: the class's

    def user_ids(owner=None):
        listed = datasets.list_datasets(owner=owner)
        return {d.id for d in listed if d.id not in datasets.builtin_ids()}

    assert user_ids() == {"shapes"}
    assert user_ids("ana") == {"shapes", "ana/flowers"}
    info = datasets.get_dataset("ana/flowers")
    assert info.name == "flowers" and info.num_classes == 2


def test_who_may_use_a_dataset(isolated_roots):
    ana = Workspace(ANA)
    for allowed in ("digits", "mnist", "shapes", "ana/flowers", "ana/flowers:0-vs-rest"):
        assert access.can_use_dataset(ana, allowed), allowed
        assert access.check_dataset(ana, allowed) == allowed
    for refused in ("ben/pets", "ben/pets:1-vs-rest"):
        assert not access.can_use_dataset(ana, refused)
        with pytest.raises(DatasetError, match="no dataset 'ben/pets"):
            access.check_dataset(ana, refused)
        assert access.can_use_dataset(Workspace(EVA), refused)
        assert access.can_use_dataset(Workspace(), refused)
