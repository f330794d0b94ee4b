"""How this server is run, read once from the environment: personal (the default) or a class.

CLFCORE_AUTH           unset or "none": personal mode, no sign-in, one workspace
                       "roster": sign-in with a name and password from the class roster
                       "oidc": sign-in with the school's OpenID Connect provider (st.login)
CLFCORE_TEACHERS       oidc: the teachers' e-mails, separated by commas
CLFCORE_QUOTA_GB       storage per student, runs + datasets (default 2)
CLFCORE_SESSION_HOURS  roster: how long a sign-in lasts (default 12)
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass

from clfcore.errors import UserInputError

AUTH_ENV = "CLFCORE_AUTH"
TEACHERS_ENV = "CLFCORE_TEACHERS"
QUOTA_ENV = "CLFCORE_QUOTA_GB"
SESSION_ENV = "CLFCORE_SESSION_HOURS"

PERSONAL = "none"
ROSTER = "roster"
OIDC = "oidc"
AUTH_MODES = (PERSONAL, ROSTER, OIDC)


@dataclass(frozen=True)
class ClassSettings:
    """The class-server settings. ``ClassSettings()`` is personal mode."""

    auth: str = PERSONAL  # one of AUTH_MODES
    teachers: frozenset[str] = frozenset()  # oidc: teachers' e-mails, lower-case
    quota_bytes: int = 2 * 10**9  # storage per student (runs + datasets); teachers have none
    session_seconds: int = 12 * 3600  # roster: a sign-in expires after this

    @property
    def is_class(self) -> bool:
        return self.auth != PERSONAL

    @classmethod
    def from_env(cls, environ: os._Environ | dict | None = None) -> ClassSettings:
        """The settings in ``environ`` (default: this process's environment).

        Raises:
            UserInputError: for an unknown mode or a number that is not one.
        """
        env = os.environ if environ is None else environ
        auth = (env.get(AUTH_ENV) or PERSONAL).strip().lower()
        if auth not in AUTH_MODES:
            raise UserInputError(
                "{var}={value!r} is not a sign-in mode. Use roster, oidc, or leave it unset for "
                "personal mode.",
                var=AUTH_ENV,
                value=auth,
            )
        teachers = frozenset(
            part.strip().lower() for part in env.get(TEACHERS_ENV, "").split(",") if part.strip()
        )
        return cls(
            auth=auth,
            teachers=teachers,
            quota_bytes=int(_positive(env, QUOTA_ENV, 2.0) * 10**9),
            session_seconds=int(_positive(env, SESSION_ENV, 12.0) * 3600),
        )


def _positive(env, name: str, default: float) -> float:
    raw = env.get(name)
    if raw is None or not raw.strip():
        return default
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if not (value > 0 and math.isfinite(value)):  # "inf" would overflow the int of bytes
        raise UserInputError(
            "{var}={value!r} must be a positive number (for example {default}).",
            var=name,
            value=raw,
            default=default,
        )
    return value
