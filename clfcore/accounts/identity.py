"""A user of a class server: a name that is safe as a folder name, and a role.

The name is the user's workspace folder (``runs/users/<name>``, ``data/users/<name>``), so it is
checked here, once, for every way a name comes in: the roster commands, the sign-in form, an
OpenID Connect e-mail.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from clfcore.errors import UserInputError
from clfcore.i18n import N_

STUDENT = N_("student")
TEACHER = N_("teacher")
ROLES = (STUDENT, TEACHER)

# a roster name: lower-case letters, digits, ".", "_" and "-", starting with a letter or digit
_ROSTER_NAME = re.compile(r"[a-z0-9][a-z0-9._-]{0,31}")
# an e-mail as OpenID Connect providers give it, lower-cased
_EMAIL = re.compile(r"[a-z0-9][a-z0-9._+-]{0,63}@[a-z0-9][a-z0-9.-]{0,189}")


@dataclass(frozen=True)
class User:
    """A signed-in person: ``name`` is their workspace folder, ``role`` one of ROLES."""

    name: str
    role: str = STUDENT
    display_name: str = ""  # what the pages show (an OpenID Connect user's full name); else name

    @property
    def is_teacher(self) -> bool:
        return self.role == TEACHER

    @property
    def label(self) -> str:
        return self.display_name or self.name


def check_name(name: str) -> str:
    """The roster name ``name`` normalised (trimmed, lower-case). Raises UserInputError if it
    cannot be a user name.

    Example:
        >>> check_name("  Ana.Garcia ")
        'ana.garcia'
    """
    normalised = (name or "").strip().lower()
    if not _ROSTER_NAME.fullmatch(normalised) or ".." in normalised:
        raise UserInputError(
            "{name!r} cannot be a user name. Use 1 to 32 lower-case letters, digits, '.', '_' "
            "or '-', starting with a letter or a digit (for example ana.garcia).",
            name=name,
        )
    return normalised


def name_for_email(email: str) -> str:
    """The workspace name of an OpenID Connect user: their e-mail, lower-cased.

    Example:
        >>> name_for_email("Ana.Garcia@School.edu")
        'ana.garcia@school.edu'
    """
    normalised = (email or "").strip().lower()
    if not _EMAIL.fullmatch(normalised) or ".." in normalised:
        raise UserInputError(
            "The sign-in provider gave the e-mail {email!r}, which cannot name a workspace. "
            "Ask the school's administrator to give every account a plain e-mail address.",
            email=email,
        )
    return normalised


def is_valid_name(name: str) -> bool:
    """True for a name that ``check_name`` or ``name_for_email`` would give back unchanged."""
    for check in (check_name, name_for_email):
        try:
            if check(name) == name:
                return True
        except UserInputError:
            pass
    return False


def check_role(role: str) -> str:
    """``role`` if it is one of ROLES; else a UserInputError naming them."""
    if role not in ROLES:
        raise UserInputError(
            "Unknown role {role!r}. Use student or teacher.",
            role=role,
        )
    return role
