"""The training queue's rules as pure functions (clfcore.jobs.policy): no folders, no processes."""

from clfcore.jobs.policy import Entry, queue_order, to_start


def _ids(entries):
    return [entry.run_id for entry in entries]


def test_personal_mode_is_oldest_first_and_unlimited():
    queued = [Entry(f"2026-{i}") for i in (3, 1, 2, 4)]
    assert _ids(queue_order(queued)) == ["2026-1", "2026-2", "2026-3", "2026-4"]
    assert _ids(to_start(queued, running=[], slots=2)) == ["2026-1", "2026-2"]
    running = [Entry("2026-0")]
    assert _ids(to_start(queued, running=running, slots=3)) == ["2026-1", "2026-2"]
    assert to_start(queued, running=running * 3, slots=3) == []
    assert _ids(queue_order(queued, last_started={"": 5.0})) == _ids(queue_order(queued))


def test_students_take_turns_round_robin():
    # Ana queued three runs before Ben and Carla queued theirs
    queued = [
        Entry("01", "ana", "student"),
        Entry("02", "ana", "student"),
        Entry("03", "ana", "student"),
        Entry("04", "ben", "student"),
        Entry("05", "carla", "student"),
        Entry("06", "ben", "student"),
    ]
    assert _ids(queue_order(queued)) == ["01", "04", "05", "02", "06", "03"]


def test_teachers_go_first_then_the_servers_own_runs_then_students():
    queued = [
        Entry("01", "ana", "student"),
        Entry("02", "", "personal"),
        Entry("03", "eva", "teacher"),
        Entry("04", "eva", "teacher"),
        Entry("05", "luis", "teacher"),
    ]
    assert _ids(queue_order(queued)) == ["03", "05", "04", "02", "01"]
    # teachers are not held to one training at a time
    assert _ids(to_start(queued, running=[Entry("00", "eva", "teacher")], slots=3)) == ["03", "05"]


def test_one_active_training_per_student_even_with_free_slots():
    queued = [Entry("02", "ana", "student"), Entry("03", "ana", "student")]
    running = [Entry("01", "ana", "student")]
    assert to_start(queued, running=running, slots=4) == []
    assert _ids(to_start(queued, running=[], slots=4)) == ["02"]  # and only one of the two
    ben = Entry("04", "ben", "student")
    assert _ids(to_start([*queued, ben], running=running, slots=4)) == ["04"]
    assert to_start([*queued, ben], running=[running[0], Entry("x", "", "personal")], slots=2) == []


def test_the_turn_passes_to_whoever_was_served_longest_ago():
    # Ana's first run just ended; Ben has waited behind it: Ben goes next, not Ana's older second
    queued = [Entry("02", "ana", "student"), Entry("03", "ben", "student")]
    assert _ids(queue_order(queued, last_started={"ana": 100.0})) == ["03", "02"]
    assert _ids(to_start(queued, running=[], slots=1, last_started={"ana": 100.0})) == ["03"]
    # both served before: the one served earlier goes first
    assert _ids(queue_order(queued, last_started={"ana": 100.0, "ben": 200.0})) == ["02", "03"]
    # a later round never overtakes an earlier one
    queued.append(Entry("04", "ben", "student"))
    assert _ids(queue_order(queued, last_started={"ana": 100.0})) == ["03", "02", "04"]


def test_an_unknown_priority_counts_as_a_students():
    queued = [Entry("01", "ana", "guest"), Entry("02", "eva", "teacher")]
    assert _ids(queue_order(queued)) == ["02", "01"]
    assert to_start(queued[:1], running=[Entry("00", "ana", "guest")], slots=5) == []
