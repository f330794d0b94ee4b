"""``python -m clfcore``: the headless face of the core.

Every command prints human-readable lines and, as its last line, one JSON object a script can parse.
Mistakes the user can fix exit with status 2 and a one-line message, never a traceback.
TensorFlow's own log lines stay hidden unless ``--verbose`` (clfcore.tfenv.quiet_logs).

A run is named by its id in the runs root or by the path of its folder, wherever it is: the person
at the shell may read any folder they have. (The app opens runs only by id, inside its roots.)

The commands live by what they work on: ``data_commands`` (datasets, architectures, convolve),
``train_commands`` (train, lr-find, tune, submit), ``run_commands`` (runs, stop, evaluate, export,
predict) and ``user_commands`` (the class roster). Each adds its sub-commands to the parser here.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence

from clfcore import tfenv
from clfcore.cli import data_commands, run_commands, train_commands, user_commands
from clfcore.cli.common import Parser
from clfcore.errors import UserInputError

VERBOSE_HELP = (
    "show TensorFlow's own log lines too (hidden by default; a TF_CPP_MIN_LOG_LEVEL you set is "
    "kept)"
)


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(
        prog="python -m clfcore",
        description="Train and inspect image classifiers with Keras, headless.",
    )
    parser.add_argument("--verbose", action="store_true", help=VERBOSE_HELP)
    commands = parser.add_subparsers(dest="command", required=True, parser_class=Parser)
    data_commands.add_commands(commands)
    train_commands.add_commands(commands)
    run_commands.add_commands(commands)
    nested = user_commands.add_commands(commands)
    for command in [*commands.choices.values(), *nested]:  # also after it: `describe ... --verbose`
        command.add_argument(
            "--verbose", action="store_true", default=argparse.SUPPRESS, help=VERBOSE_HELP
        )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    tfenv.quiet_logs(verbose=args.verbose)  # before anything loads TensorFlow
    if args.command != "train":  # training chooses its kernels once it knows the model
        tfenv.prefer_onednn()
    try:
        summary = args.run(args)
    except UserInputError as error:
        print(f"error: {error}", file=sys.stderr)
        print(json.dumps({"error": str(error)}))
        return 2
    # the command printed its own JSON lines (predict) and chose the exit status
    if isinstance(summary, int):
        return summary
    print(json.dumps(summary))
    return 0
