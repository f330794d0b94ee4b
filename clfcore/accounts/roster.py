"""The class roster of a server without an OpenID Connect provider: names, roles, password hashes.

Kept in ``<data root>/.class/roster.json``, written atomically under a lock, readable by the
server's user only. Passwords are hashed with Argon2id (``argon2-cffi``, the OWASP-recommended
scheme) and never stored or logged in plain text. Each user has a session generation: a reset bumps
it, a removal drops it (an account added again under that name starts at a new random one), and
every sign-in token issued before becomes invalid (``clfcore.accounts.sessions``).
"""

from __future__ import annotations

import functools
import json
import os
import secrets
from datetime import UTC, datetime
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from clfcore.accounts.identity import User, check_name, check_role
from clfcore.errors import UserInputError
from clfcore.fileio import exclusive_lock, write_text_atomic
from clfcore.paths import class_dir

_HASHER = PasswordHasher()


@functools.cache
def _dummy_hash() -> str:
    """Verified when the name is unknown, so a wrong name costs the same time as a wrong password.

    Made at the first sign-in, not on import: an Argon2id hash takes a quarter of a second of CPU
    (64 MiB, four lanes; measured 0.3-0.6 s on this 2-core server), which every command and training
    process (they import this module) would pay for nothing."""
    return _HASHER.hash("not a password of anyone")


def roster_path() -> Path:
    return class_dir() / "roster.json"


def _read() -> dict[str, dict]:
    try:
        data = json.loads(roster_path().read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as error:
        raise UserInputError(
            "The class roster {path} cannot be read ({error}). Restore it from a backup, or move "
            "it away and add the users again with: python -m clfcore users add NAME",
            path=str(roster_path()),
            error=str(error),
        ) from error
    users = data.get("users") if isinstance(data, dict) else None
    return users if isinstance(users, dict) else {}


def _write(users: dict[str, dict]) -> None:
    path = roster_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    os.chmod(path.parent, 0o700)
    write_text_atomic(path, json.dumps({"users": users}, indent=2, sort_keys=True))
    os.chmod(path, 0o600)


def _lock():
    return exclusive_lock(class_dir() / ".roster.lock")


def _check_password(password: str) -> str:
    if not password:
        raise UserInputError(
            "The password is empty. Type a password (it is read from standard input), or give "
            "a file that holds it with --password-file."
        )
    return password


def add_user(name: str, password: str, *, role: str = "student") -> User:
    """Put ``name`` on the roster with ``password`` (hashed) and ``role``.

    Raises:
        UserInputError: a bad or taken name, an unknown role, an empty password.
    """
    name, role = check_name(name), check_role(role)
    hashed = _HASHER.hash(_check_password(password))
    with _lock():
        users = _read()
        _check_free(users, name)
        users[name] = {
            "role": role,
            "hash": hashed,
            # random, not 1: a name removed and added again (another person) must not be
            # signed in by a cookie of the earlier account
            "generation": secrets.randbelow(2**31) + 1,
            "created": datetime.now(UTC).isoformat(timespec="seconds"),
        }
        _write(users)
    return User(name, role)


def reset_password(name: str, password: str) -> User:
    """Give ``name`` a new password; the sessions signed in with the old one end."""
    name = check_name(name)
    hashed = _HASHER.hash(_check_password(password))
    with _lock():
        users = _read()
        entry = _entry(users, name)
        entry.update(hash=hashed, generation=int(entry.get("generation", 1)) + 1)
        _write(users)
    return User(name, entry["role"])


def remove_user(name: str) -> User:
    """Take ``name`` off the roster (their runs and datasets stay on disk for the teacher)."""
    name = check_name(name)
    with _lock():
        users = _read()
        entry = _entry(users, name)
        del users[name]
        _write(users)
    return User(name, entry["role"])


def list_users() -> list[User]:
    """Everyone on the roster, by name."""
    return [User(name, entry.get("role", "student")) for name, entry in sorted(_read().items())]


def lookup(name: str) -> tuple[User, int] | None:
    """The user ``name`` and their session generation, or None if they are not on the roster."""
    entry = _read().get(name)
    if entry is None:
        return None
    return User(name, entry.get("role", "student")), int(entry.get("generation", 1))


def verify(name: str, password: str) -> User | None:
    """The user if ``password`` is theirs; None for a wrong password or a name not on the
    roster."""
    try:
        name = check_name(name)
    except UserInputError:
        name = ""
    entry = _read().get(name) if name else None
    try:
        _HASHER.verify(entry["hash"] if entry else _dummy_hash(), password or "")
    except (VerificationError, InvalidHashError):
        return None
    return User(name, entry.get("role", "student")) if entry else None


def check_new_name(name: str) -> str:
    """``name`` normalised, if it can be added to the roster; else the UserInputError ``add_user``
    would raise (bad or taken). Lets a command refuse before it asks for a password."""
    name = check_name(name)
    _check_free(_read(), name)
    return name


def require_user(name: str) -> User:
    """The user ``name`` on the roster; else the UserInputError of an unknown user."""
    name = check_name(name)
    return User(name, _entry(_read(), name).get("role", "student"))


def _check_free(users: dict[str, dict], name: str) -> None:
    if name in users:
        raise UserInputError(
            "The user {name!r} is already on the roster. Choose another name, or give them "
            "a new password with: python -m clfcore users reset {name}",
            name=name,
        )


def _entry(users: dict[str, dict], name: str) -> dict:
    if name not in users:
        raise UserInputError(
            "There is no user {name!r} on the roster. See who is with: python -m clfcore users "
            "list",
            name=name,
        )
    return users[name]
