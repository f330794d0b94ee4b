import json

from clfcore.runs import listing


def _run(root, name, *, status=None, config=None, metrics=None):
    folder = root / name
    folder.mkdir(parents=True)
    (folder / "config.json").write_text(
        json.dumps(
            config
            or {
                "dataset": "digits",
                "architecture": "mlp",
                "created": f"2026-01-0{name[-1]}T10:00:00",
            }
        )
    )
    if status is not None:
        (folder / "status.json").write_text(json.dumps({"status": status}))
    if metrics is not None:
        (folder / "metrics.json").write_text(json.dumps(metrics))
    return folder


def test_no_runs_root_means_no_runs(tmp_path):
    assert listing.list_runs(tmp_path / "missing") == []


def test_runs_are_listed_newest_first_with_status_and_accuracy(isolated_roots):
    root = isolated_roots["runs"]
    _run(root, "run1", status="completed", metrics={"test_accuracy": 0.91})
    _run(root, "run2", status="running")
    (root / "not-a-run").mkdir()
    listed = listing.list_runs()
    assert [r.run_id for r in listed] == ["run2", "run1"]
    assert (
        listed[1].status == "completed"
        and listed[1].test_accuracy == 0.91
        and listed[1].dataset == "digits"
    )


def test_unreadable_files_do_not_break_the_list(isolated_roots):
    folder = _run(isolated_roots["runs"], "run3", status="completed")
    (folder / "status.json").write_text("{ not json")
    (folder / "metrics.json").write_text("[1, 2]")
    (run,) = listing.list_runs()
    assert run.status == listing.UNKNOWN and run.test_accuracy is None


def test_delete_run_refuses_active_runs_and_ids_outside_the_root(isolated_roots, tmp_path):
    import os

    import pytest

    from clfcore.errors import UserInputError

    root = isolated_roots["runs"]
    _run(root, "run1", status="completed")
    _run(root, "run2", status="running")
    (root / "run2" / "status.json").write_text(
        json.dumps({"status": "running", "pid": os.getpid()})
    )
    _run(root, "run3", status="queued")
    for active in ("run2", "run3"):
        with pytest.raises(UserInputError, match="Stop it on the Train page first"):
            listing.delete_run(active)
        assert (root / active).is_dir()
    for bad in ("../outside", "", "no-such-run"):
        with pytest.raises(UserInputError):
            listing.delete_run(bad)
    listing.delete_run("run1")
    assert [r.run_id for r in listing.list_runs()] == ["run3", "run2"]


def test_every_figure_has_one_name_and_old_metrics_read_the_same(isolated_roots):
    root = isolated_roots["runs"]
    new = {"task": "multilabel", "test_accuracy": 0.81, "test_label_accuracy": 0.81}
    _run(root, "run1", status="completed", metrics={**new, "test_subset_accuracy": 0.05})
    # written before the rename: a multi-label test_accuracy was the label accuracy, a
    # hierarchical test_loss the combined loss of both heads
    _run(root, "run2", status="completed", metrics={"task": "multilabel", "test_accuracy": 0.8})
    old = {"test_accuracy": 0.6, "test_coarse_accuracy": 0.9, "test_loss": 0.98}
    _run(root, "run3", status="completed", metrics=old)
    hierarchical, old_multilabel, multilabel = listing.list_runs()
    assert multilabel.test_figures == {"label_accuracy": 0.81, "subset_accuracy": 0.05}
    assert multilabel.task == "multilabel" and multilabel.test_accuracy == 0.81  # the headline
    assert old_multilabel.test_figures == {"label_accuracy": 0.8}
    assert hierarchical.task == "hierarchical" and hierarchical.test_figures == {
        "accuracy": 0.6,
        "coarse_accuracy": 0.9,
        "combined_loss": 0.98,
    }
    assert "accuracy" not in multilabel.test_figures  # not shown as "Test accuracy"
