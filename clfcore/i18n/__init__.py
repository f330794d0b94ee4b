"""One translation function for every user-facing string, in English and Spanish.

Strings are written in English in the code (the English text is the key, as in gettext) and
translated through ``translate``. The Spanish catalogue lives in ``clfcore.i18n.locale_es``; a test
checks that every string the code passes to ``t(...)``, ``N_(...)`` or raises in a
``UserInputError`` has a Spanish entry, and that the catalogue has no stale entries.
"""

from __future__ import annotations

from clfcore.i18n.locale_es import ES

LANGUAGES: dict[str, str] = {"en": "English", "es": "Español"}
DEFAULT_LANGUAGE = "en"


def N_(text: str) -> str:
    """Mark a string for translation where it is defined; translate it later, where it is shown."""
    return text


def translate(text: str, lang: str = DEFAULT_LANGUAGE, /, **params: object) -> str:
    """Translate ``text`` into ``lang`` and fill its ``{placeholders}`` from ``params``.

    Unknown languages and (never expected, but never fatal) missing entries fall back to English.
    """
    template = ES.get(text, text) if lang == "es" else text
    return template.format(**params) if params else template


def pick_language(requested: str | None = None, locale: str | None = None) -> str:
    """The language to show: an explicit request (``?lang=es``) first, then the browser locale.

    Args:
        requested: a language code such as "es" or "en", e.g. from the URL; ignored if unknown.
        locale: the browser locale such as "es-ES"; its language part is used if supported.
    """
    for candidate in (requested, locale):
        code = (candidate or "").strip().lower().replace("_", "-").split("-")[0]
        if code in LANGUAGES:
            return code
    return DEFAULT_LANGUAGE
