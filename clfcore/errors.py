"""The one small exception hierarchy of clfcore.

Every error a user can cause (a bad setting, a missing file, a corrupt dataset) is a
``UserInputError``. Its message is an English template that is also a key of the translation
catalogue (``clfcore.i18n``), so the app can show it in the user's language and the command line
can print it as is. Anything else that escapes clfcore is a bug and should surface as one.
"""

from __future__ import annotations

from clfcore.i18n import translate


class UserInputError(ValueError):
    """Something the user can fix. The message says what happened and how to fix it.

    Args:
        template: English message with ``{name}`` placeholders; also the translation key.
        **params: values for the placeholders.

    Example:
        >>> str(UserInputError("Epochs must be at least 1, got {epochs}.", epochs=0))
        'Epochs must be at least 1, got 0.'
    """

    def __init__(self, template: str, **params: object) -> None:
        self.template = template
        self.params = params
        super().__init__(template.format(**params))

    def message(self, lang: str = "en") -> str:
        """The message in ``lang`` ("en" or "es")."""
        return translate(self.template, lang, **self.params)


class DatasetError(UserInputError):
    """A dataset cannot be read: unknown id, corrupt or truncated files, wrong shapes."""


class DatasetUnavailableError(DatasetError):
    """A dataset is not on this machine and cannot be fetched right now (e.g. offline)."""
