"""``python -m clfcore``: the headless face of the core.

Every command prints human-readable lines and, as its last line, one JSON object a script can parse.
Mistakes the user can fix exit with status 2 and a one-line message, never a traceback.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence

from clfcore import datasets
from clfcore.errors import UserInputError


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # one line and exit 2, like every other user mistake
        self.exit(2, f"{self.prog}: error: {message}\n")


def _list_datasets(_args: argparse.Namespace) -> dict:
    rows = []
    for info in datasets.list_datasets():
        state = datasets.availability(info.id)
        rows.append(
            {
                "id": info.id,
                "name": info.name,
                "image_shape": list(info.image_shape),
                "num_classes": info.num_classes,
                "task": info.task,
                "available": state.available,
                "location": state.location,
                "how_to_fix": None if state.available else state.how_to_fix.format(**state.params),
            }
        )
        shape = "x".join(map(str, info.image_shape))
        print(f"{info.id:<16} {info.name:<20} {shape:<8} {info.num_classes:>4} classes  {'available' if state.available else 'not downloaded'}")
    return {"datasets": rows, "default": datasets.default_dataset_id()}


def _download(args: argparse.Namespace) -> dict:
    state = datasets.download(args.dataset)
    print(f"{args.dataset}: available at {state.location}")
    return {"id": args.dataset, "available": state.available, "location": state.location}


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="python -m clfcore", description="Train and inspect image classifiers with Keras, headless.")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    commands.add_parser("list-datasets", help="every dataset and whether it is on this machine").set_defaults(run=_list_datasets)
    download = commands.add_parser("download", help="download a dataset through keras.datasets (needs the internet once)")
    download.add_argument("dataset", help="dataset id, e.g. mnist or cifar10")
    download.set_defaults(run=_download)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        summary = args.run(args)
    except UserInputError as error:
        print(f"error: {error}", file=sys.stderr)
        print(json.dumps({"error": str(error)}))
        return 2
    print(json.dumps(summary))
    return 0
