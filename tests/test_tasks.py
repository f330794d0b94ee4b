"""The course's task types: derived binary tasks, multi-label CSVs and mosaics, hierarchies, class
weights, and multi-label / hierarchical / binary runs end to end on tiny data (clfcore.data.tasks,
.multilabel, .hierarchy)."""

import json
import pickle

import numpy as np
import pytest
from PIL import Image

from clfcore.cli import main
from clfcore.cli.train_commands import _task_dataset
from clfcore.config import TrainConfig
from clfcore.data import datasets, hierarchy, multilabel, tasks
from clfcore.data.splits import SplitConfig
from clfcore.errors import DatasetError, UserInputError
from clfcore.evaluation import exports, hierarchy_levels, run_predictions, scoring
from clfcore.models import architectures
from clfcore.runs.folder import create_run
from clfcore.training import trainer

ONE_EPOCH = dict(architecture="mlp", epochs=1, batch_size=16, seed=1)


def _fashion(isolated_roots, write_idx_dataset, **sizes):
    return write_idx_dataset(
        isolated_roots["data"] / "fashion-mnist", **({"train": 60, "test": 20} | sizes)
    )


def _image(path, value=128, size=(10, 12)):
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(np.full(size, value, dtype=np.uint8)).save(path)


def _multilabel_folder(
    root, csv_text, *, images=("a.png", "b.png", "c.png", "d.png"), test_csv=None
):
    for i, name in enumerate(images):
        _image(root / name, value=(20 * i) % 256)
    (root / "labels.csv").write_text(csv_text, encoding="utf-8")
    if test_csv is not None:
        (root / "test.csv").write_text(test_csv, encoding="utf-8")
    return root


# --- binary tasks derived from a multi-class dataset ----------------------------------------------


def test_binary_ids_round_trip_and_bad_ids_are_refused():
    assert tasks.binary_id("mnist", positive=3) == "mnist:3-vs-rest"
    assert tasks.parse_binary("mnist:3-vs-5") == tasks.BinaryTask("mnist", 3, 5)
    assert tasks.parse_binary("mnist") is None and tasks.base_id("mnist:3-vs-rest") == "mnist"
    with pytest.raises(DatasetError, match="dataset:P-vs-rest"):
        tasks.parse_binary("mnist:three")
    with pytest.raises(DatasetError, match="class 12 does not exist"):
        datasets.get_dataset("digits:12-vs-rest")
    with pytest.raises(DatasetError, match="two different classes"):
        datasets.get_dataset("digits:4-vs-4")
    with pytest.raises(DatasetError, match="multi-class datasets"):
        datasets.get_dataset("fashion_mnist_mosaic:1-vs-rest")


def test_binary_derivations_have_the_right_images_and_labels():
    base = datasets.load_raw("digits")
    rest = datasets.load_raw("digits:3-vs-rest")
    assert (
        len(rest.y_train) == len(base.y_train) and rest.y_train.sum() == (base.y_train == 3).sum()
    )
    assert np.array_equal(rest.y_test, (base.y_test == 3).astype(int))
    pair = datasets.load_raw("digits:3-vs-5")
    keep = np.isin(base.y_train, (3, 5))
    assert len(pair.y_train) == keep.sum() and pair.y_train.sum() == (base.y_train == 3).sum()
    assert np.array_equal(pair.x_train, base.x_train[keep])
    info = datasets.get_dataset("digits:3-vs-5")
    assert (
        info.task == "binary" and info.class_names == ("5", "3") and info.train_count == keep.sum()
    )
    assert datasets.get_dataset("digits:3-vs-rest").class_names == ("others", "3")
    splits = datasets.load_splits("digits:3-vs-rest", SplitConfig(one_hot=True, seed=0))
    # one sigmoid unit: 0/1 even with one-hot
    assert splits.y_train.ndim == 1 and set(np.unique(splits.y_train)) == {
        0,
        1,
    }


def test_balanced_class_weights_match_scikit_learn_and_reach_fit(isolated_roots, monkeypatch):
    labels = np.array([0] * 90 + [1] * 10)
    weights = tasks.balanced_class_weights(labels, 3)
    assert weights == pytest.approx({0: 100 / (2 * 90), 1: 100 / (2 * 10), 2: 1.0})
    seen = {}
    import keras

    original = keras.Model.fit

    def spy(self, *args, **kwargs):
        seen["class_weight"] = kwargs.get("class_weight")
        return original(self, *args, **kwargs)

    monkeypatch.setattr(keras.Model, "fit", spy)
    run = create_run(
        TrainConfig(
            dataset="digits:3-vs-rest", class_weight="balanced", train_size=200, **ONE_EPOCH
        )
    )
    summary = trainer.train(run)
    # the rare positive class weighs more
    assert seen["class_weight"][1] > 3 * seen["class_weight"][0]
    assert summary["class_weights"]["3"] == pytest.approx(seen["class_weight"][1], abs=1e-4)
    assert json.loads((run.path / "config.json").read_text())["class_weight"] == "balanced"
    assert summary["task"] == "binary" and 0.5 < summary["test_accuracy"] <= 1


def test_class_weights_are_refused_where_they_do_not_apply():
    with pytest.raises(UserInputError, match="Unknown class_weight"):
        TrainConfig(class_weight="auto")
    with pytest.raises(UserInputError, match="one class"):
        tasks.check_class_weight("balanced", "multilabel")
    with pytest.raises(UserInputError, match="set up for a binary task"):
        trainer.check_config(TrainConfig(dataset="digits", task="binary"))


# --- multi-label CSVs -----------------------------------------------------------------------------


def test_both_csv_formats_give_the_same_labels(tmp_path):
    listed = _multilabel_folder(
        tmp_path / "listed",
        "filename,labels\na.png,cat;grass\nb.png,dog\nc.png,\nd.png,grass;dog\n",
    )
    columns = _multilabel_folder(
        tmp_path / "columns",
        "filename,cat,dog,grass\na.png,1,0,1\nb.png,0,1,0\nc.png,0,0,0\nd.png,0,1,1\n",
    )
    first, second = (
        multilabel.read_label_csv(listed / "labels.csv"),
        multilabel.read_label_csv(columns / "labels.csv"),
    )
    assert first.label_names == second.label_names == ("cat", "dog", "grass")
    assert np.array_equal(first.labels, second.labels)
    assert first.labels.tolist() == [[1, 0, 1], [0, 1, 0], [0, 0, 0], [0, 1, 1]]


@pytest.mark.parametrize(
    "csv_text, message",
    [
        ("", "is empty"),
        ("name,labels\na.png,cat\n", "first column of labels.csv must be 'filename'"),
        ("filename\na.png\n", "no labels column"),
        ("filename,labels\n", "no images"),
        ("filename,labels\nmissing.png,cat\nb.png,dog\n", "no such file"),
        ("filename,labels\n../a.png,cat\n", "without '..'"),
        ("filename,labels\nnotes.txt,cat\n", "not an image"),
        ("filename,labels\na.png,cat\na.png,dog\n", "listed twice"),
        ("filename,cat,dog\na.png,1,yes\n", "expected 0 or 1"),
        ("filename,cat,dog\na.png,1\n", "has 2 values but the header has 3"),
        (
            "filename,cat,dog,bird\na.png,1,0,0\nb.png,0,1,0\n",
            "label 'bird' in labels.csv is never used",
        ),
        ("filename,labels\na.png,cat\nb.png,cat\n", "needs at least 2"),
    ],
)
def test_bad_csvs_are_refused_with_a_clear_message(tmp_path, csv_text, message):
    folder = _multilabel_folder(tmp_path / "set", csv_text)
    (folder / "notes.txt").write_text("not an image")
    with pytest.raises(DatasetError, match=message):
        multilabel.read_label_csv(folder / "labels.csv")


def test_a_test_csv_may_only_use_the_training_labels(tmp_path):
    folder = _multilabel_folder(
        tmp_path / "set",
        "filename,labels\na.png,cat\nb.png,dog\n",
        test_csv="filename,labels\nc.png,bird\n",
    )
    with pytest.raises(DatasetError, match="'bird' is in test.csv but not in labels.csv"):
        multilabel.scan(folder)


def test_a_multilabel_folder_is_a_dataset_and_a_broken_one_says_why(isolated_roots):
    rows = "\n".join(
        f"img/{i}.png,{'cat' if i % 2 else 'dog'}{';grass' if i % 3 == 0 else ''}"
        for i in range(20)
    )
    _multilabel_folder(
        isolated_roots["data"] / "garden",
        "filename,labels\n" + rows + "\n",
        images=[f"img/{i}.png" for i in range(20)],
    )
    info = datasets.get_dataset("garden")
    assert (
        info.task == "multilabel"
        and info.class_names == ("cat", "dog", "grass")
        and (info.train_count, info.test_count) == (16, 4)
    )
    raw = datasets.load_raw("garden")
    assert (
        raw.x_train.shape == (16, 10, 12, 1)
        and raw.y_train.shape == (16, 3)
        and raw.y_test.shape == (4, 3)
    )
    splits = datasets.load_splits("garden", SplitConfig(validation_split=0.25, seed=0))
    assert (
        splits.y_train.dtype == np.float32 and len(splits.x_train) == 12 and len(splits.x_val) == 4
    )
    _multilabel_folder(isolated_roots["data"] / "broken", "filename,labels\nnope.png,cat\n")
    # listed, so the page can say what to fix
    assert "broken" in [d.id for d in datasets.list_datasets()]
    state = datasets.availability("broken")
    assert not state.available and "no such file" in state.how_to_fix
    with pytest.raises(UserInputError, match="no such file"):
        datasets.load_raw("broken")


# --- Fashion-MNIST mosaics ------------------------------------------------------------------------


def test_mosaics_are_deterministic_and_labelled_with_the_classes_present():
    # item c has pixel value 10(c+1)
    items = np.stack([np.full((4, 4), 10 * (c + 1), dtype=np.uint8) for c in range(10)])
    classes = np.arange(10)
    first, labels = multilabel.make_mosaics(items, classes, 200, num_classes=10, seed=5)
    again, labels_again = multilabel.make_mosaics(items, classes, 200, num_classes=10, seed=5)
    other, _ = multilabel.make_mosaics(items, classes, 200, num_classes=10, seed=6)
    assert (
        first.shape == (200, 8, 8, 1)
        and np.array_equal(first, again)
        and np.array_equal(labels, labels_again)
    )
    assert not np.array_equal(first, other)
    for mosaic, label in zip(first[..., 0], labels):
        tiles = [mosaic[r : r + 4, c : c + 4] for r in (0, 4) for c in (0, 4)]
        present = {int(tile[0, 0]) // 10 - 1 for tile in tiles if tile[0, 0]}
        assert set(np.flatnonzero(label)) == present and 1 <= len(present) <= 4
    assert set(labels.sum(axis=1)) == {1, 2, 3, 4}  # some mosaics have several labels


def test_the_mosaic_dataset_comes_from_the_fashion_files(isolated_roots, write_idx_dataset):
    _fashion(isolated_roots, write_idx_dataset)
    info = datasets.get_dataset("fashion_mnist_mosaic")
    assert (
        info.task == "multilabel"
        and info.image_shape == (56, 56, 1)
        and datasets.availability(info.id).available
    )
    raw = datasets.load_raw("fashion_mnist_mosaic")
    assert raw.x_train.shape == (multilabel.MOSAIC_TRAIN, 56, 56, 1) and raw.y_train.shape == (
        multilabel.MOSAIC_TRAIN,
        10,
    )
    datasets._load_raw_cached.cache_clear()
    # same files, same mosaics
    assert np.array_equal(datasets.load_raw("fashion_mnist_mosaic").y_test, raw.y_test)


# --- hierarchies ----------------------------------------------------------------------------------


def test_the_fashion_grouping_and_the_cifar100_mapping():
    assert [hierarchy.FASHION_COARSE[c] for c in hierarchy.FASHION_FINE_TO_COARSE] == [
        "tops",
        "bottoms",
        "tops",
        "tops",
        "tops",
        "footwear",
        "tops",
        "footwear",
        "bags",
        "footwear",
    ]
    info = datasets.get_dataset("cifar100_hierarchy")
    assert len(info.coarse_names) == 20 and np.bincount(info.fine_to_coarse).tolist() == [5] * 20
    assert (
        info.coarse_names[info.fine_to_coarse[info.class_names.index("whale")]] == "aquatic_mammals"
    )


def _write_consistent_cifar100(folder, tiny_images, count=100):
    mapping = datasets.get_dataset("cifar100_hierarchy").fine_to_coarse
    folder.mkdir(parents=True)
    for name in ("train", "test"):
        fine = [i % 100 for i in range(count)]
        batch = {
            b"data": tiny_images(count, (3 * 32 * 32,)),
            b"fine_labels": fine,
            b"coarse_labels": [mapping[f] for f in fine],
        }
        (folder / name).write_bytes(pickle.dumps(batch))


def test_cifar100_hierarchy_reads_both_label_sets_and_checks_them(isolated_roots, tiny_images):
    _write_consistent_cifar100(isolated_roots["data"] / "cifar-100-python", tiny_images)
    raw = datasets.load_raw("cifar100_hierarchy")
    assert raw.y_train.shape == (100, 2) and np.array_equal(
        raw.y_train[:, 0],
        hierarchy.coarse_labels(
            raw.y_train[:, 1], datasets.get_dataset("cifar100_hierarchy").fine_to_coarse
        ),
    )
    batch = pickle.loads((isolated_roots["data"] / "cifar-100-python" / "test").read_bytes())
    batch[b"coarse_labels"][0] = (batch[b"coarse_labels"][0] + 1) % 20
    (isolated_roots["data"] / "cifar-100-python" / "test").write_bytes(pickle.dumps(batch))
    datasets._load_raw_cached.cache_clear()
    with pytest.raises(DatasetError, match="do not match its fine labels"):
        datasets.load_raw("cifar100_hierarchy")


def test_the_two_head_model():
    described = architectures.describe(
        "lenet", (28, 28, 1), 10, task="hierarchical", coarse_classes=4
    )
    heads = described["layers"][-2:]
    assert [(h["name"], h["output_shape"], h["params"]) for h in heads] == [
        ("coarse", (None, 4), 85 * 4),
        ("fine", (None, 10), 85 * 10),
    ]
    model = architectures.build_model(
        "lenet", (28, 28, 1), 10, task="hierarchical", coarse_classes=4
    )
    assert (
        model.output_names == ["coarse", "fine"]
        and model.count_params() == described["total_params"]
    )
    with pytest.raises(UserInputError, match="at least 2 coarse classes"):
        architectures.describe("mlp", (8, 8, 1), 10, task="hierarchical")


def test_levels_count_coarse_right_but_fine_wrong():
    from clfcore.evaluation.run_predictions import Predictions

    mapping = hierarchy.FASHION_FINE_TO_COARSE
    fine_true = np.array([0, 2, 5, 8])  # T-shirt, Pullover, Sandal, Bag
    # right; Shirt (same group); Ankle boot (same group); T-shirt (wrong group)
    fine_pred = np.array([0, 6, 9, 0])
    coarse_true = hierarchy.coarse_labels(fine_true, mapping)
    coarse_pred = np.array([0, 0, 2, 0])
    levels = hierarchy_levels.LevelPredictions(
        Predictions(np.eye(4)[coarse_pred], coarse_true, hierarchy.FASHION_COARSE),
        Predictions(np.eye(10)[fine_pred], fine_true, tuple("abcdefghij")),
        mapping,
    )
    assert levels.coarse_right_fine_wrong == 2 and levels.fine_implies_coarse == 1.0
    assert hierarchy_levels.levels_json(levels) == {
        "coarse_accuracy": 0.75,
        "fine_accuracy": 0.25,
        "coarse_right_fine_wrong": 2,
        "heads_agree": 1.0,
    }


# --- end to end on tiny data ----------------------------------------------------------------------


def test_a_multilabel_run_end_to_end(isolated_roots, write_idx_dataset):
    _fashion(isolated_roots, write_idx_dataset)
    run = create_run(
        TrainConfig(
            dataset="fashion_mnist_mosaic",
            task="multilabel",
            train_size=120,
            threshold=0.4,
            **ONE_EPOCH,
        )
    )
    summary = trainer.train(run)
    # per-label binary accuracy
    assert summary["task"] == "multilabel" and 0 < summary["test_accuracy"] <= 1
    predictions = run_predictions.predict_run(run_predictions.evaluable_run(run.run_id))
    assert predictions.task == "multilabel" and predictions.probabilities.shape == (
        multilabel.MOSAIC_TEST,
        10,
    )
    report = scoring.evaluate(predictions, threshold=0.4)
    assert (
        report.hamming_loss is not None
        and 0 <= report.hamming_loss <= 1
        and report.per_class["f1"].shape == (10,)
    )


def test_a_hierarchical_run_end_to_end_evaluated_at_both_levels(isolated_roots, write_idx_dataset):
    _fashion(isolated_roots, write_idx_dataset)
    run = create_run(
        TrainConfig(
            dataset="fashion_mnist_hierarchy",
            task="hierarchical",
            coarse_loss_weight=0.5,
            one_hot=False,
            **ONE_EPOCH,
        )
    )
    summary = trainer.train(run)
    assert summary["task"] == "hierarchical" and {"test_accuracy", "test_coarse_accuracy"} <= set(
        summary
    )
    # the fine level, under the usual names
    assert {"accuracy", "val_accuracy"} <= set(run.history()[0])
    levels = hierarchy_levels.predict_run_levels(run_predictions.evaluable_run(run.run_id))
    assert levels.coarse.probabilities.shape == (20, 4) and levels.fine.probabilities.shape == (
        20,
        10,
    )
    assert levels.fine.labels.tolist() == (np.arange(20) % 10).tolist()
    assert float(np.mean(levels.fine.correct)) == pytest.approx(summary["test_accuracy"])
    assert float(np.mean(levels.coarse.correct)) == pytest.approx(summary["test_coarse_accuracy"])
    # what the Evaluate page shows: the fine level
    fine = run_predictions.predict_run(run_predictions.evaluable_run(run.run_id))
    assert fine.task == "hierarchical" and scoring.evaluate(fine).confusion.shape == (10, 10)
    from clfcore.inference import predict

    classifier = predict.load_run(run.run_id)
    assert (
        classifier.class_names[8] == "Bag"
        and classifier.coarse.class_names == hierarchy.FASHION_COARSE
    )


def test_a_multilabel_run_names_its_two_accuracies_the_same_in_train_and_evaluate(
    isolated_roots, write_idx_dataset
):
    from clfcore.runs import listing

    _fashion(isolated_roots, write_idx_dataset)
    config = TrainConfig(
        dataset="fashion_mnist_mosaic",
        task="multilabel",
        train_size=120,
        threshold=0.4,
        **ONE_EPOCH,
    )
    run = create_run(config)
    summary = trainer.train(run)
    assert run.metrics() == summary
    report = scoring.evaluate(
        run_predictions.predict_run(run_predictions.evaluable_run(run.run_id)), threshold=0.4
    )
    evaluated = exports.report_json(report)
    assert summary["test_label_accuracy"] == pytest.approx(evaluated["label_accuracy"], abs=1e-6)
    assert summary["test_subset_accuracy"] == pytest.approx(evaluated["subset_accuracy"])
    assert summary["test_subset_accuracy"] < summary["test_label_accuracy"]
    assert summary["test_loss"] == pytest.approx(evaluated["loss"], rel=1e-4)
    # "accuracy" is the headline, the course's label accuracy, in both JSONs
    assert summary["test_accuracy"] == summary["test_label_accuracy"]
    assert evaluated["accuracy"] == evaluated["label_accuracy"]
    (listed,) = listing.list_runs()
    assert set(listed.test_figures) == {"label_accuracy", "subset_accuracy", "loss"}
    # the evaluate command and clfcore.evaluate judge the run at its own threshold too
    by_command, _ = scoring.evaluate_run(run)
    assert by_command.threshold == 0.4
    assert exports.report_json(by_command) == evaluated


def test_a_hierarchical_run_names_its_combined_and_fine_losses(isolated_roots, write_idx_dataset):
    _fashion(isolated_roots, write_idx_dataset)
    config = TrainConfig(
        dataset="fashion_mnist_hierarchy",
        task="hierarchical",
        coarse_loss_weight=0.5,
        one_hot=False,
        **ONE_EPOCH,
    )
    run = create_run(config)
    summary = trainer.train(run)
    assert "test_loss" not in summary and run.metrics() == summary
    assert summary["test_combined_loss"] == pytest.approx(
        0.5 * summary["test_coarse_loss"] + 1.0 * summary["test_fine_loss"], rel=1e-4
    )
    evaluated = exports.report_json(
        scoring.evaluate(run_predictions.predict_run(run_predictions.evaluable_run(run.run_id)))
    )
    assert "loss" not in evaluated
    assert evaluated["fine_loss"] == pytest.approx(summary["test_fine_loss"], rel=1e-4)
    assert evaluated["accuracy"] == pytest.approx(summary["test_accuracy"])


def test_cli_trains_the_new_datasets(isolated_roots, capsys, write_idx_dataset):
    _fashion(isolated_roots, write_idx_dataset)
    code = main(
        [
            "train",
            "--dataset",
            "fashion_mnist",
            "--positive-class",
            "Bag",
            "--class-weight",
            "balanced",
            "--arch",
            "mlp",
            "--epochs",
            "1",
            "--batch-size",
            "16",
            "--seed",
            "1",
        ]
    )
    out = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert code == 0 and out["task"] == "binary" and "class_weights" in out
    assert (
        json.loads(
            (isolated_roots["runs"] / out["run_dir"].split("/")[-1] / "config.json").read_text()
        )["dataset"]
        == "fashion_mnist:8-vs-rest"
    )
    code = main(
        [
            "train",
            "--dataset",
            "fashion_mnist_hierarchy",
            "--arch",
            "mlp",
            "--epochs",
            "1",
            "--batch-size",
            "16",
        ]
    )
    out = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert code == 0 and out["task"] == "hierarchical" and "test_coarse_accuracy" in out


def test_cli_refuses_bad_task_options_in_one_line(isolated_roots, capsys, write_idx_dataset):
    assert main(["train", "--dataset", "digits", "--positive-class", "eleven"]) == 2
    assert "has no class 'eleven'" in capsys.readouterr().err
    assert main(["train", "--dataset", "digits", "--negative-class", "3"]) == 2
    assert "--negative-class needs --positive-class" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exit_info:
        main(["train", "--dataset", "digits", "--positive-class", "3", "--class-weight", "heavy"])
    assert exit_info.value.code == 2
    assert (
        _task_dataset("digits", "7", "5") == "digits:7-vs-5"
        and _task_dataset("digits", None, None) == "digits"
    )
    _fashion(isolated_roots, write_idx_dataset)
    # names in any case, or numbers
    assert _task_dataset("fashion_mnist", "sneaker", "Sandal") == "fashion_mnist:7-vs-5"


def test_true_class_index_per_task():
    assert tasks.true_class_index("multiclass", np.int64(4)) == 4
    assert tasks.true_class_index("binary", 1) == 1
    assert tasks.true_class_index("hierarchical", np.array([2, 17])) == 17
    assert tasks.true_class_index("multilabel", np.array([1, 0, 1])) is None


def test_binary_mode_names_how_a_dataset_is_used():
    assert tasks.binary_mode(None) == "all"
    assert tasks.binary_mode(tasks.BinaryTask("mnist", 3)) == "one_vs_rest"
    assert tasks.binary_mode(tasks.BinaryTask("mnist", 3, 5)) == "two_classes"


def test_the_task_types_are_listed_once():
    assert tasks.TASKS == tuple(tasks.TASK_NAMES) == datasets.TASKS == architectures.TASKS
    for task in tasks.TASKS:
        assert TrainConfig(task=task).task == task
    with pytest.raises(UserInputError, match="binary, multiclass, multilabel, hierarchical"):
        TrainConfig(task="regression")


class _ChunkCounter:
    """A stand-in model whose predict_on_batch records each chunk it gets."""

    def __init__(self, heads: bool = False):
        self.chunks, self.heads = [], heads

    def predict_on_batch(self, batch):
        self.chunks.append(batch.copy())
        score = batch.reshape(len(batch), -1).mean(axis=1, keepdims=True)
        if self.heads:
            return {"coarse": np.hstack([score, 1 - score]), "fine": np.hstack([1 - score, score])}
        return score


def test_flat_and_two_level_predictions_share_one_chunked_loop():
    images = np.arange(7 * 4, dtype=np.uint8).reshape(7, 2, 2, 1) * 9
    flat, levels = _ChunkCounter(), _ChunkCounter(heads=True)
    probabilities = run_predictions.predict(flat, images, chunk=3)
    coarse, fine = hierarchy_levels.predict_levels(levels, images, chunk=3)
    for model in (flat, levels):
        assert [len(c) for c in model.chunks] == [3, 3, 1]
        assert all(c.dtype == np.float32 and c.max() <= 1.0 for c in model.chunks)  # scaled
    np.testing.assert_allclose(probabilities, fine, rtol=1e-6)  # both [1 - score, score]
    np.testing.assert_allclose(coarse, fine[:, ::-1], rtol=1e-6)
    for predict in (run_predictions.predict, hierarchy_levels.predict_levels):
        with pytest.raises(UserInputError, match="test set is empty"):
            predict(_ChunkCounter(heads=True), images[:0])
