"""Signed, expiring sign-in tokens for roster mode: what the browser's session cookie holds.

A token names the user, their role and their roster session generation, signed with HMAC-SHA1 by
``itsdangerous`` (Pallets) under a key kept in ``<data root>/.class/session.key``. It is refused
when its signature is wrong, when it is older than the session lifetime, or when the user was
removed, got a new password or changed role since it was issued.
"""

from __future__ import annotations

import os
import secrets

from itsdangerous import BadSignature, URLSafeTimedSerializer

from clfcore.accounts import roster
from clfcore.accounts.identity import User
from clfcore.paths import class_dir

COOKIE = "clfcore_session"
_SALT = "clfcore-sign-in"


def _key() -> str:
    path = class_dir() / "session.key"
    try:
        return path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    try:  # O_EXCL: if two sessions create it at once, one key wins and both read it
        descriptor = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
        with os.fdopen(descriptor, "w", encoding="ascii") as file:
            file.write(secrets.token_hex(32))
    except FileExistsError:
        pass
    return path.read_text(encoding="ascii").strip()


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(_key(), salt=_SALT)


def issue(user: User) -> str:
    """A token for ``user`` (on the roster) to keep in the session cookie."""
    found = roster.lookup(user.name)
    generation = found[1] if found else 0
    return _serializer().dumps({"user": user.name, "role": user.role, "generation": generation})


def verify(token: str | None, *, max_age_seconds: int) -> User | None:
    """The user ``token`` signs in, or None if it is missing, forged, expired or outdated."""
    if not token:
        return None
    try:
        data = _serializer().loads(token, max_age=max_age_seconds)
    except (BadSignature, ValueError, TypeError):  # SignatureExpired is a BadSignature
        return None
    if not isinstance(data, dict):
        return None
    found = roster.lookup(str(data.get("user", "")))
    if found is None:
        return None
    user, generation = found
    if data.get("generation") != generation or data.get("role") != user.role:
        return None
    return user
