"""Commands about runs: the queue's runs, stop, and what a finished run gives - its evaluation, its
exports, its predictions."""

from __future__ import annotations

import argparse
import json

from clfcore import jobs
from clfcore.cli.common import find_any_run
from clfcore.errors import UserInputError
from clfcore.evaluation import exports, hierarchy_levels, run_predictions, scoring
from clfcore.inference import predict
from clfcore.runs.listing import ACTIVE, RunSummary, list_all_runs
from clfcore.runs.liveness import effective_status


def _run_json(run: RunSummary) -> dict:
    line: dict = {"run_id": run.run_id, "status": run.status}
    if run.test_accuracy is not None:
        line["test_accuracy"] = run.test_accuracy
    return line


def _runs(_args: argparse.Namespace) -> int:
    # notices dead runs and starts the queued ones a slot is free for; a cluster's jobs get a few
    # seconds to send their news (this process has no background mirroring, unlike the app)
    jobs.dispatch(wait=5.0)
    for run in list_all_runs():
        print(json.dumps(_run_json(run)))
    return 0


def _stop(args: argparse.Namespace) -> dict:
    run = find_any_run(args.run_ref)
    status = effective_status(run)  # a training that died is "interrupted" here, not "running"
    if status not in ACTIVE:
        raise UserInputError(
            "The run {run} has already finished ({status}): there is nothing to stop. "
            "python -m clfcore runs shows which runs are queued or training.",
            run=run.run_id,
            status=status,
        )
    jobs.stop(run)
    if not run.path.exists():  # a queued run leaves the queue, folder and all
        print(f"run {run.run_id} was waiting in the queue: removed")
        return {"run_id": run.run_id, "status": "removed"}
    print(f"run {run.run_id}: stopping after the current batch (its model and history are kept)")
    return {"run_id": run.run_id, "status": "stopping"}


def _evaluate(args: argparse.Namespace) -> dict:
    run = run_predictions.resolve_run(args.run_ref, anywhere=True)
    report, seconds = scoring.evaluate_run(run)
    print(exports.classification_report(report, title=f"run {run.run_id}"), end="")
    levels = {}
    if report.task == "hierarchical":  # the report above is the fine level; add the coarse one
        levels = hierarchy_levels.levels_json(hierarchy_levels.predict_run_levels(run))
        print(
            f"coarse accuracy {levels['coarse_accuracy']:.4f}, "
            f"fine accuracy {levels['fine_accuracy']:.4f}, "
            f"coarse right but fine wrong: {levels['coarse_right_fine_wrong']}"
        )
    print(f"evaluated in {seconds:.2f} s")
    return {
        "run": run.run_id,
        **exports.report_json(report),
        **levels,
        "seconds": round(seconds, 3),
    }


def _export(args: argparse.Namespace) -> dict:
    from clfcore.export import formats  # the export layer: only this command needs it

    formats.check_request(args.format, int8=args.int8)  # before the model is loaded
    found = find_any_run(args.run_ref)
    run = run_predictions.evaluable_run(found.run_id, root=found.path.parent)
    kind = "int8" if args.int8 else "float32"
    print(f"exporting run {run.run_id} to {args.format} ({kind})...", flush=True)
    result = formats.export_run(run, args.format, int8=args.int8)
    print(f"wrote {result.path} ({result.bytes} bytes)")
    print(
        f"test accuracy {result.test_accuracy:.4f} in its runtime, Keras "
        f"{result.keras_test_accuracy:.4f}; {result.ms_per_image:.3f} ms per image "
        f"(Keras {result.keras_ms_per_image:.3f} ms)"
    )
    return result.to_json()


def _predict(args: argparse.Namespace) -> int:
    """One JSON line per file; returns the exit status itself (2 when any file was refused)."""
    if args.top_k < 1:
        raise UserInputError("--top-k must be at least 1, got {value}.", value=args.top_k)
    classifier = predict.load_run(run_predictions.find_run(args.run_ref, anywhere=True))
    refused = 0
    for file in args.files:
        line = predict.classify_path(classifier, file, top=args.top_k)
        refused += "error" in line
        print(json.dumps(line), flush=True)
    return 2 if refused else 0


def add_commands(commands) -> None:
    """runs, stop, evaluate, export, predict."""
    commands.add_parser(
        "runs",
        help="one JSON line per run of the runs root (every workspace): id, status, test accuracy",
    ).set_defaults(run=_runs)
    stop = commands.add_parser(
        "stop", help="stop a training after its current batch, or take a queued run off the queue"
    )
    stop.add_argument(
        "run_ref", metavar="RUN", help="a run id (python -m clfcore runs lists them) or its folder"
    )
    stop.set_defaults(run=_stop)
    evaluate = commands.add_parser(
        "evaluate",
        help="test metrics of a finished run: accuracy, confusion matrix, per-class scores",
    )
    evaluate.add_argument(
        "--run",
        dest="run_ref",
        required=True,
        help="a run id in the runs root, or the path of a run folder anywhere (train prints "
        "it as run_dir)",
    )
    evaluate.set_defaults(run=_evaluate)
    export = commands.add_parser(
        "export",
        help="export a finished run's model as a SavedModel, ONNX or LiteRT file, checked on the "
        "test set in its own runtime",
    )
    export.add_argument(
        "--run",
        dest="run_ref",
        required=True,
        help="a run id (python -m clfcore runs lists them), or the path of a run folder",
    )
    export.add_argument("--format", required=True, help="saved_model, onnx or litert")
    export.add_argument(
        "--int8",
        action="store_true",
        help="full-integer post-training quantization, calibrated on training images (litert)",
    )
    export.set_defaults(run=_export)
    predict = commands.add_parser(
        "predict", help="classify image files with a trained run: one JSON line per file"
    )
    predict.add_argument(
        "--run",
        dest="run_ref",
        required=True,
        help="a run id in the runs root, or the path of a run folder anywhere (train prints "
        "it as run_dir)",
    )
    predict.add_argument(
        "--top-k", type=int, default=5, help="classes listed per image (default 5)"
    )
    predict.add_argument(
        "files", nargs="+", metavar="FILE", help="PNG, JPEG, BMP, GIF, WebP or TIFF images"
    )
    predict.set_defaults(run=_predict)
