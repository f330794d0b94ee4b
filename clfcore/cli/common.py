"""What the command modules share: the parser that exits 2 with one line, and how a run is named."""

from __future__ import annotations

import argparse

from clfcore.evaluation import run_predictions
from clfcore.runs.folder import RunFolder
from clfcore.runs.listing import run_roots


class Parser(argparse.ArgumentParser):
    def error(self, message: str):  # one line and exit 2, like every other user mistake
        self.exit(2, f"{self.prog}: error: {message}\n")


def find_any_run(text: str) -> RunFolder:
    """A run by id, in the runs root or any workspace under it, or by the path of its folder."""
    if text and "/" not in text and "\\" not in text and not text.startswith("."):
        for root in run_roots():
            if (root / text / "config.json").is_file():
                return RunFolder(root / text)
    return run_predictions.find_run(text, anywhere=True)
