"""The rules of who may see and change which run and dataset - one home for every way in.

- Personal mode and teachers: every run, every dataset.
- A student: their own runs and datasets, plus the runs a teacher shared with the class (and the
  dataset such a run was trained on, to evaluate it). Nothing else: a typed id, a link, a crafted
  query parameter or a name with ``..`` or ``/`` all get the same "not in your workspace" answer,
  which does not tell whether someone else has such a run.
"""

from __future__ import annotations

from clfcore.data.datasets import dataset_owner
from clfcore.errors import DatasetError, UserInputError
from clfcore.runs import listing
from clfcore.runs.folder import RunFolder, open_run
from clfcore.runs.listing import RunSummary
from clfcore.workspace.workspace import Workspace


class RunAccessError(UserInputError):
    """A run that does not exist, or that this user may not see or change."""


def can_see(workspace: Workspace, run: RunFolder) -> bool:
    return workspace.sees_everything or run.owner == workspace.owner or run.is_shared()


def can_change(workspace: Workspace, run: RunFolder) -> bool:
    """Delete or stop it: its owner, a teacher, or anyone in personal mode."""
    return workspace.sees_everything or run.owner == workspace.owner


def _plain_id(run_id: str) -> bool:
    return bool(run_id) and "/" not in run_id and "\\" not in run_id and not run_id.startswith(".")


def find_run(workspace: Workspace, run_id: str) -> RunFolder:
    """The run ``run_id`` if this workspace may see it.

    Raises:
        RunAccessError: the id is not a run's, or the run is someone else's and not shared.
    """
    run_id = (run_id or "").strip()
    if _plain_id(run_id):
        roots = listing.run_roots() if not workspace.is_personal else [workspace.runs_dir]
        for root in roots:
            try:
                run = open_run(run_id, root=root)
            except UserInputError:
                continue
            if can_see(workspace, run):
                return run
            break
    if workspace.is_personal:
        raise RunAccessError(
            "There is no run {run!r} in {root}. Check the run id on the Runs page "
            "(or with clfcore.list_runs()), or give the path of its folder.",
            run=run_id,
            root=str(workspace.runs_dir),
        )
    raise RunAccessError(
        "There is no run {run!r} in your workspace, and no run of that id is shared with the "
        "class. Check the id on the Runs page; to see a classmate's run, ask the teacher to share "
        "it.",
        run=run_id,
    )


def visible_runs(workspace: Workspace) -> list[RunSummary]:
    """The runs this workspace lists, newest first: its own plus the shared ones (all for a
    teacher; the runs root in personal mode)."""
    if workspace.is_personal:
        return listing.list_runs(workspace.runs_dir)
    everyone = listing.list_all_runs()
    if workspace.sees_everything:
        return everyone
    return [run for run in everyone if run.owner == workspace.owner or run.shared]


def own_runs(workspace: Workspace) -> list[RunSummary]:
    """Only this workspace's own runs (what its quota and its queue count)."""
    return listing.list_runs(workspace.runs_dir)


def changeable_run(workspace: Workspace, run_id: str) -> RunFolder:
    """The run ``run_id`` if this workspace may delete or stop it; else RunAccessError."""
    run = find_run(workspace, run_id)
    if not can_change(workspace, run):
        raise RunAccessError(
            "The run {run} belongs to {owner}: only they or a teacher can stop or delete it.",
            run=run.run_id,
            owner=run.owner,
        )
    return run


def delete_run(workspace: Workspace, run_id: str) -> None:
    """Delete the run ``run_id`` if this workspace may (see ``listing.delete_run``)."""
    run = changeable_run(workspace, run_id)
    listing.delete_run(run.run_id, root=run.path.parent)


def set_shared(workspace: Workspace, run_id: str, shared: bool) -> RunFolder:
    """Share the run ``run_id`` with the class, or stop sharing it. Teachers only."""
    if workspace.user is None or not workspace.user.is_teacher:
        raise RunAccessError("Only a teacher can share a run with the class.")
    run = find_run(workspace, run_id)
    run.set_shared(shared, by=workspace.user.name)
    return run


def can_use_dataset(workspace: Workspace, dataset_id: str) -> bool:
    """Built-in datasets and folders placed in the data root itself are the whole class's; a
    dataset in a user's workspace is theirs (and a teacher's)."""
    owner = dataset_owner(dataset_id)
    return workspace.sees_everything or owner is None or owner == workspace.owner


def check_dataset(workspace: Workspace, dataset_id: str) -> str:
    """``dataset_id`` if this workspace may use it; else a DatasetError as for an unknown id."""
    if not can_use_dataset(workspace, dataset_id):
        raise DatasetError(
            "There is no dataset {name!r} in your workspace. Choose one on the Dataset page.",
            name=dataset_id,
        )
    return dataset_id
