"""Atomic writes: a reader never sees half a file, temporary names are unique, a failure keeps the
old file."""

import os
import stat
import threading

import pytest

from clfcore.fileio import atomic_path, write_bytes_atomic, write_text_atomic


@pytest.fixture
def folder(tmp_path):
    """An empty folder of its own (tmp_path also holds the test session's data and Keras
    folders)."""
    path = tmp_path / "out"
    path.mkdir()
    return path


def test_text_and_bytes_replace_the_file_and_leave_no_temporary(folder):
    target = folder / "status.json"
    write_text_atomic(target, "first é")
    write_text_atomic(target, "second ü")
    assert target.read_text(encoding="utf-8") == "second ü"
    write_bytes_atomic(target, b"\x00\x01")
    assert target.read_bytes() == b"\x00\x01"
    assert [p.name for p in folder.iterdir()] == ["status.json"]


def test_atomic_path_gives_a_unique_temporary_beside_the_target_with_its_suffix(folder):
    target = folder / "model.keras"
    with atomic_path(target) as first, atomic_path(target) as second:
        assert first != second  # never a fixed name two writers would share
        assert first.parent == second.parent == folder
        assert first.suffix == second.suffix == ".keras"  # Keras chooses the format by the suffix
        assert first.name.startswith(".")  # hidden: listings of the folder do not show it
        first.write_bytes(b"one")
        second.write_bytes(b"two")
        assert not target.exists()  # nothing is in place before the block ends
    assert target.read_bytes() == b"one"  # the writer that finished last (the outer block) wins
    assert [p.name for p in folder.iterdir()] == ["model.keras"]


def test_a_failed_write_keeps_the_old_file_and_removes_the_temporary(folder):
    target = folder / "metrics.json"
    write_text_atomic(target, "old")
    with pytest.raises(RuntimeError), atomic_path(target) as temporary:
        temporary.write_text("half a fi")
        raise RuntimeError("killed mid-write")
    with pytest.raises(TypeError):
        write_bytes_atomic(target, "not bytes")
    assert target.read_text() == "old"
    assert [p.name for p in folder.iterdir()] == ["metrics.json"]


def test_two_writers_at_once_never_show_a_reader_a_partial_file(folder):
    target = folder / "progress.json"
    payloads = {name: name * 200_000 for name in ("a", "b")}  # large enough to take several writes
    write_text_atomic(target, payloads["a"])
    stop, seen, errors = threading.Event(), set(), []

    def writer(text: str) -> None:
        try:
            for _ in range(30):
                write_text_atomic(target, text)
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)

    def reader() -> None:
        while not stop.is_set():
            seen.add(target.read_text())

    threads = [threading.Thread(target=writer, args=(text,)) for text in payloads.values()]
    watcher = threading.Thread(target=reader)
    watcher.start()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    stop.set()
    watcher.join()
    assert not errors
    assert seen <= set(payloads.values())
    assert target.read_text() in payloads.values()
    assert [p.name for p in folder.iterdir()] == ["progress.json"]


def test_written_files_get_the_usual_permissions_not_a_private_temporary_files(folder):
    # mkstemp makes 0600 files: model.keras and dataset.json must stay readable as before (0644
    # under the usual umask), e.g. by a teacher's account or a worker running as another user
    previous = os.umask(0o022)
    try:
        write_text_atomic(folder / "status.json", "{}")
        with atomic_path(folder / "model.keras") as temporary:
            temporary.write_bytes(b"model")
    finally:
        os.umask(previous)
    for name in ("status.json", "model.keras"):
        assert stat.S_IMODE((folder / name).stat().st_mode) == 0o644
