"""The committed gettext catalogues, read with Babel: what the tests compare the app's text with."""

from __future__ import annotations

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po

from clfcore.i18n import DOMAIN, LOCALE_DIR

POT = LOCALE_DIR / f"{DOMAIN}.pot"


def po_path(lang: str):
    return LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


def read_catalogue(path) -> Catalog:
    with open(path, "rb") as file:
        return read_po(file)


def translations(lang: str) -> dict[str, str]:
    """msgid -> translation of every translated entry without a context, e.g. ``ES["Evaluate"]``."""
    return {
        message.id: message.string
        for message in read_catalogue(po_path(lang))
        if message.id and message.string and not message.context and not message.fuzzy
    }


ES = translations("es")
