"""One translation function for every user-facing string, through gettext catalogues.

Strings are written in English in the code (the English text is the msgid) and translated through
``translate``. The translations are gettext catalogues, one per language:
``clfcore/i18n/locale/<lang>/LC_MESSAGES/clfcore.po`` (edited by translators, e.g. in Poedit)
compiled to ``clfcore.mo`` (read here with the standard library's ``gettext``). A language is
available when its ``.mo`` file exists; English, the language of the code, always is.
``make translations`` extracts the msgids from the code (``t``, ``tr``, ``N_``, ``translate`` and
the clfcore error classes; settings in pyproject.toml's ``[tool.babel]``), merges them into every
``.po`` and compiles them. A test fails on an untranslated or stale entry and on a ``.mo`` that is
not the compiled ``.po``.
"""

from __future__ import annotations

import gettext
from functools import cache
from pathlib import Path

DOMAIN = "clfcore"  # the catalogues' file name: locale/<lang>/LC_MESSAGES/clfcore.mo
LOCALE_DIR = Path(__file__).resolve().with_name("locale")
DEFAULT_LANGUAGE = "en"


@cache
def _catalogue(lang: str) -> gettext.NullTranslations:
    # fallback=True: no .mo for the language (English) translates nothing, never raises.
    return gettext.translation(DOMAIN, localedir=LOCALE_DIR, languages=[lang], fallback=True)


def _available_languages() -> dict[str, str]:
    found = {DEFAULT_LANGUAGE: "English"}
    for mo_file in sorted(LOCALE_DIR.glob(f"*/LC_MESSAGES/{DOMAIN}.mo")):
        lang = mo_file.parent.parent.name
        # Translators: the name of your language in your language ("Español"), for the switcher.
        name = _catalogue(lang).pgettext("language name", "English")
        found[lang] = name if name != "English" else lang
    return found


LANGUAGES: dict[str, str] = _available_languages()  # code -> the language's own name


def N_(text: str) -> str:
    """Mark a string for translation where it is defined; translate it later, where it is shown."""
    return text


def translate(text: str, lang: str = DEFAULT_LANGUAGE, /, **params: object) -> str:
    """Translate ``text`` into ``lang`` and fill its ``{placeholders}`` from ``params``.

    Unknown languages and (never expected, but never fatal) missing entries fall back to English.

    Example:
        >>> translate("{count} runs saved: {detail}.", "en", count=2, detail="x")
        '2 runs saved: x.'
    """
    # gettext("") would return the catalogue's header, not an empty string.
    template = _catalogue(lang).gettext(text) if text and lang in LANGUAGES else text
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
