"""``users``: the class roster of a server with CLFCORE_AUTH=roster (clfcore.accounts.roster)."""

from __future__ import annotations

import argparse
import getpass
import json
import sys

from clfcore.accounts import roster
from clfcore.cli.common import Parser
from clfcore.errors import UserInputError


def _read_password(password_file: str | None) -> str:
    """The password from ``password_file``, or from standard input: one line, its newline
    stripped; asked twice without echo at a terminal. Never printed."""
    if password_file is not None:
        try:
            with open(password_file, encoding="utf-8") as file:
                line = file.readline()
        except (OSError, UnicodeDecodeError) as error:
            raise UserInputError(
                "The password file {path} cannot be read ({error}). Give a text file that "
                "holds the password on its first line.",
                path=password_file,
                error=getattr(error, "strerror", None) or str(error),
            ) from None
    elif sys.stdin is not None and sys.stdin.isatty():
        line = getpass.getpass("Password: ")
        if line and getpass.getpass("Password again: ") != line:
            raise UserInputError("The two passwords differ. Run the command again.")
    else:
        line = sys.stdin.readline() if sys.stdin is not None else ""
    return line.removesuffix("\n").removesuffix("\r")


def _user_json(user) -> dict:
    return {"user": user.name, "role": user.role}


def _users_add(args: argparse.Namespace) -> dict:
    roster.check_new_name(args.name)  # a bad or taken name: refused before asking for a password
    return _user_json(
        roster.add_user(args.name, _read_password(args.password_file), role=args.role)
    )


def _users_list(_args: argparse.Namespace) -> int:
    for user in roster.list_users():
        print(json.dumps(_user_json(user)))
    return 0


def _users_remove(args: argparse.Namespace) -> dict:
    return _user_json(roster.remove_user(args.name))


def _users_reset(args: argparse.Namespace) -> dict:
    name = roster.require_user(args.name).name  # an unknown user: said before asking
    return _user_json(roster.reset_password(name, _read_password(args.password_file)))


def add_commands(commands) -> list[argparse.ArgumentParser]:
    """users add, list, remove, reset; returns their parsers (they take --verbose too)."""
    users = commands.add_parser(
        "users",
        help="the class roster of a server with CLFCORE_AUTH=roster (kept under the data root)",
    )
    user_commands = users.add_subparsers(dest="users_command", required=True, parser_class=Parser)
    password_help = (
        "read the password from the first line of this file (default: standard input; asked "
        "without echo at a terminal)"
    )
    add = user_commands.add_parser("add", help="put a user on the roster with a password")
    add.add_argument("name", help="1 to 32 lower-case letters, digits, '.', '_' or '-'")
    add.add_argument("--role", choices=("student", "teacher"), required=True)
    add.add_argument("--password-file", metavar="FILE", help=password_help)
    add.set_defaults(run=_users_add)
    user_commands.add_parser("list", help="one JSON line per user").set_defaults(run=_users_list)
    remove = user_commands.add_parser(
        "remove", help="take a user off the roster (their runs and datasets stay)"
    )
    remove.add_argument("name")
    remove.set_defaults(run=_users_remove)
    reset = user_commands.add_parser(
        "reset", help="give a user a new password (their open sessions end)"
    )
    reset.add_argument("name")
    reset.add_argument("--password-file", metavar="FILE", help=password_help)
    reset.set_defaults(run=_users_reset)
    return list(user_commands.choices.values())
