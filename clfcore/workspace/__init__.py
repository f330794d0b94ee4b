"""Whose work is whose: a user's workspace (their runs and datasets) and the one set of rules for
what a user may see and change - their own work, what a teacher shared, and for a teacher all.

Every page, download and command that names a run or a dataset asks here
(``clfcore.workspace.access``); personal mode is the workspace that sees everything.
"""

from clfcore.workspace.workspace import Workspace

__all__ = ["Workspace"]
