"""The queue's rules, as pure functions: which queued trainings start now, and in what order the
others wait. The local backend (``clfcore.jobs.local``) asks here; a cluster backend asks the same.

- At most ``slots`` trainings run at once.
- One active training per student: a student's next run waits behind their running one, even
  when a slot is free. Teachers and personal mode have no such limit.
- Teachers first, then the server's own runs (personal priority, the runs root), then students.
- Within a group, round robin across owners: each owner's 1st queued run, then each one's 2nd...;
  among runs of the same round, the owner served longest ago goes first (so the turn passes on
  after someone's run ends), then the older run.
- Personal mode (every run "personal", one owner): oldest first, exactly.

Example:
    >>> ana1, ana2 = Entry("1-a", "ana", "student"), Entry("2-a", "ana", "student")
    >>> ben1 = Entry("3-b", "ben", "student")
    >>> [e.run_id for e in queue_order([ana1, ana2, ben1])]
    ['1-a', '3-b', '2-a']
    >>> [e.run_id for e in to_start([ana2, ben1], running=[ana1], slots=3)]
    ['3-b']
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

TEACHER, STUDENT, PERSONAL = "teacher", "student", "personal"
PRIORITIES = (TEACHER, STUDENT, PERSONAL)  # who submitted, as status.json records it
_GROUP = {TEACHER: 0, PERSONAL: 1, STUDENT: 2}  # which group goes first


@dataclass(frozen=True)
class Entry:
    """One training in the queue or running: its id, whose it is and who submitted it.

    ``run_id`` sorts by submission time (clfcore.runs.folder ids start with a timestamp).
    """

    run_id: str
    owner: str = ""  # the class-server user; "" for the runs root (personal mode)
    priority: str = PERSONAL  # one of PRIORITIES


def queue_order(
    queued: Iterable[Entry], *, last_started: Mapping[str, float] | None = None
) -> list[Entry]:
    """``queued`` in the order they start when slots free and nobody is blocked.

    Args:
        queued: the waiting trainings, any order.
        last_started: owner -> when their latest training started (any increasing number, e.g.
            a Unix time); an owner missing from it was never served. Breaks ties within a round.

    Returns:
        The same entries, first to start first.
    """
    last_started = last_started or {}
    by_owner: dict[tuple[int, str], list[Entry]] = defaultdict(list)
    for entry in sorted(queued, key=lambda e: e.run_id):
        by_owner[(_GROUP.get(entry.priority, _GROUP[STUDENT]), entry.owner)].append(entry)

    def key(item: tuple[int, Entry, tuple[int, str]]):
        rank, entry, (group, owner) = item
        return group, rank, last_started.get(owner, float("-inf")), entry.run_id

    ranked = [
        (rank, entry, group_owner)
        for group_owner, entries in by_owner.items()
        for rank, entry in enumerate(entries)
    ]
    return [entry for _, entry, _ in sorted(ranked, key=key)]


def is_limited(entry: Entry) -> bool:
    """True if ``entry``'s owner may have only one active training (a student)."""
    return entry.priority not in (TEACHER, PERSONAL)


def to_start(
    queued: Iterable[Entry],
    *,
    running: Sequence[Entry],
    slots: int,
    last_started: Mapping[str, float] | None = None,
) -> list[Entry]:
    """The queued trainings to start now, in ``queue_order``, given those ``running``.

    Args:
        slots: how many may run at once (at least 1 counts).
    """
    free = max(1, slots) - len(running)
    busy = {entry.owner for entry in running if is_limited(entry)}
    chosen = []
    for entry in queue_order(queued, last_started=last_started):
        if free <= 0:
            break
        if is_limited(entry) and entry.owner in busy:
            continue  # this student's next run waits behind their running one
        chosen.append(entry)
        free -= 1
        if is_limited(entry):
            busy.add(entry.owner)
    return chosen
