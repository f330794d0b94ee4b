"""A continued run's ancestry and the one history its learning curves show.

    lineage(child)            # [grandparent, parent, child], oldest first
    continued_history(child)  # the parent's rows up to the child's first epoch, then the child's

A continued run (``clfcore.training.resume``) names its parent in config.json and lives in the
same workspace folder. An ancestor that was deleted is simply left out, with everything older.
"""

from __future__ import annotations

import itertools

from clfcore.runs.folder import RunFolder, read_json

MAX_DEPTH = 100  # a cycle (hand-edited config.json files) ends here


def parent_id(run: RunFolder) -> str:
    """The id of the run ``run`` continues, "" for a fresh run."""
    return str(read_json(run.config_path).get("parent") or "")


def initial_epoch(run: RunFolder) -> int:
    """The epoch ``run`` numbers on from (0 for a fresh run)."""
    try:
        return int(read_json(run.config_path).get("initial_epoch") or 0)
    except (TypeError, ValueError):
        return 0


def lineage(run: RunFolder) -> list[RunFolder]:
    """``run`` and the runs it continues, oldest first; stops at a deleted ancestor."""
    chain = [run]
    seen = {run.run_id}
    while len(chain) < MAX_DEPTH:
        parent = parent_id(chain[-1])
        folder = RunFolder(run.path.parent / parent)
        if not parent or parent in seen or not folder.config_path.is_file():
            break
        chain.append(folder)
        seen.add(parent)
    return chain[::-1]


def continued_history(run: RunFolder) -> list[dict]:
    """The history rows of ``run``'s lineage: each ancestor's rows up to the epoch the next run
    starts from, then ``run``'s own; every row gets "run_id", the run it comes from.

    For a fresh run: its own history, tagged.
    """
    chain = lineage(run)
    rows: list[dict] = []
    for folder, following in zip(chain, [*chain[1:], None], strict=True):
        end = initial_epoch(following) if following is not None else None
        for row in folder.history():
            epoch = row.get("epoch")
            if end is not None and epoch is not None and epoch > end:
                break
            rows.append({**row, "run_id": folder.run_id})
    return rows


def continued_at(history: list[dict]) -> list[int]:
    """The epochs after which a later run of the lineage took over (rows of
    :func:`continued_history`): where the curves draw "continued here"."""
    return [
        int(row["epoch"])
        for row, following in itertools.pairwise(history)
        if row.get("run_id") != following.get("run_id") and row.get("epoch") is not None
    ]
