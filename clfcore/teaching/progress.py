"""Each user's progress through the lessons: a small JSON file in their runs workspace.

Personal mode keeps it in ``runs/.lessons.json``, a class server in ``runs/users/<name>/
.lessons.json`` (``Workspace.runs_dir``), so it goes where the user's runs go. Every change is a
read-modify-write under a lock, written atomically (``clfcore.fileio``): two tabs of one user never
lose each other's ticks, and a reader never sees half a file.

    >>> progress = Progress().with_step("first_network", "train", done=True)
    >>> progress.is_done("first_network", "train"), progress.last
    (True, ('first_network', 'train'))
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from pathlib import Path

from clfcore.fileio import exclusive_lock, write_text_atomic
from clfcore.workspace.workspace import Workspace

FILE_NAME = ".lessons.json"
_LOCK_NAME = ".lessons.lock"


@dataclass(frozen=True)
class Progress:
    """Which steps a user marked done, which they un-ticked, and where they left off."""

    done: dict[str, frozenset[str]] = field(default_factory=dict, hash=False)  # lesson -> steps
    # steps the user un-ticked: a finished run no longer ticks them by itself
    unticked: dict[str, frozenset[str]] = field(default_factory=dict, hash=False)
    last: tuple[str, str] | None = None  # (lesson id, step id) of the last step worked on

    def is_done(self, lesson_id: str, step_id: str) -> bool:
        return step_id in self.done.get(lesson_id, frozenset())

    def was_unticked(self, lesson_id: str, step_id: str) -> bool:
        return step_id in self.unticked.get(lesson_id, frozenset())

    def done_count(self, lesson_id: str, step_ids) -> int:
        """How many of ``step_ids`` are done (ids of removed steps do not count)."""
        return len(self.done.get(lesson_id, frozenset()) & set(step_ids))

    def with_step(self, lesson_id: str, step_id: str, *, done: bool) -> Progress:
        """This progress with the step marked done (or not), and as where the user left off."""
        steps = set(self.done.get(lesson_id, ()))
        unticked = set(self.unticked.get(lesson_id, ()))
        if done:
            steps.add(step_id)
            unticked.discard(step_id)
        else:
            steps.discard(step_id)
            unticked.add(step_id)
        return replace(
            self,
            done={**self.done, lesson_id: frozenset(steps)},
            unticked={**self.unticked, lesson_id: frozenset(unticked)},
            last=(lesson_id, step_id),
        )

    def at(self, lesson_id: str, step_id: str) -> Progress:
        """This progress with the step as where the user left off."""
        return replace(self, last=(lesson_id, step_id))

    def to_json(self) -> dict:
        return {
            "done": {k: sorted(v) for k, v in sorted(self.done.items()) if v},
            "unticked": {k: sorted(v) for k, v in sorted(self.unticked.items()) if v},
            "last": list(self.last) if self.last else None,
        }

    @classmethod
    def from_json(cls, data: object) -> Progress:
        """Rebuild from the file's JSON; anything malformed is left out rather than refused."""
        if not isinstance(data, dict):
            return cls()

        def steps(value: object) -> dict[str, frozenset[str]]:
            if not isinstance(value, dict):
                return {}
            return {
                str(k): frozenset(str(s) for s in v)
                for k, v in value.items()
                if isinstance(v, list)
            }

        last = data.get("last")
        if not (
            isinstance(last, list) and len(last) == 2 and all(isinstance(x, str) for x in last)
        ):
            last = None
        return cls(
            steps(data.get("done")),
            steps(data.get("unticked")),
            (last[0], last[1]) if last else None,
        )


def progress_path(workspace: Workspace) -> Path:
    """Where ``workspace``'s progress is kept."""
    return workspace.runs_dir / FILE_NAME


def load(workspace: Workspace) -> Progress:
    """The saved progress of ``workspace``; an empty one if there is none or it is unreadable."""
    try:
        text = progress_path(workspace).read_text(encoding="utf-8")
        return Progress.from_json(json.loads(text))
    except (OSError, ValueError):
        return Progress()


def _save(workspace: Workspace, progress: Progress) -> None:
    path = progress_path(workspace)
    path.parent.mkdir(parents=True, exist_ok=True)
    write_text_atomic(path, json.dumps(progress.to_json(), indent=2))


def mark(workspace: Workspace, lesson_id: str, step_id: str, *, done: bool) -> Progress:
    """Mark a step done or not done in ``workspace``'s saved progress; returns the new progress."""
    with exclusive_lock(workspace.runs_dir / _LOCK_NAME):
        progress = load(workspace).with_step(lesson_id, step_id, done=done)
        _save(workspace, progress)
    return progress


def mark_many(workspace: Workspace, lesson_id: str, step_ids, *, done: bool = True) -> Progress:
    """Mark several steps of one lesson at once (the steps a finished run ticks), keeping where the
    user left off."""
    with exclusive_lock(workspace.runs_dir / _LOCK_NAME):
        progress = load(workspace)
        last = progress.last
        for step_id in step_ids:
            progress = progress.with_step(lesson_id, step_id, done=done)
        progress = replace(progress, last=last)
        _save(workspace, progress)
    return progress


def visit(workspace: Workspace, lesson_id: str, step_id: str) -> Progress:
    """Remember the step as where the user left off (its setup button was pressed)."""
    with exclusive_lock(workspace.runs_dir / _LOCK_NAME):
        progress = load(workspace).at(lesson_id, step_id)
        _save(workspace, progress)
    return progress
