"""The translation catalogue is complete: every user-facing string has a Spanish entry, none is stale."""

import ast
import string
from pathlib import Path

import pytest

from clfcore.data import datasets
from clfcore.i18n import LANGUAGES, pick_language, translate
from clfcore.i18n.locale_es import ES

ROOT = Path(__file__).resolve().parents[1]
SOURCES = [
    ROOT / "app.py",
    *sorted((ROOT / "app_pages").glob("*.py")),
    *sorted((ROOT / "ui").glob("*.py")),
    *sorted((ROOT / "clfcore").rglob("*.py")),
]
TRANSLATING_CALLS = {"t", "tr", "N_", "translate"}  # tr: ui.lang.translator()


def _is_error_class(name: str) -> bool:
    return name.endswith("Error") and name not in {"UnpicklingError"}


def user_facing_strings() -> set[str]:
    """Every literal passed to t()/N_()/translate(), raised in a clfcore error, or given as how_to_fix."""
    found: set[str] = set()
    for path in SOURCES:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            name = (
                node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", "")
            )
            first = node.args[0] if node.args else None
            if (
                (name in TRANSLATING_CALLS or _is_error_class(name))
                and isinstance(first, ast.Constant)
                and isinstance(first.value, str)
            ):
                found.add(first.value)
            for keyword in node.keywords:
                if keyword.arg == "how_to_fix" and isinstance(keyword.value, ast.Constant):
                    found.add(keyword.value.value)
    for info in datasets.list_datasets():
        found.update(name for name in info.class_names if not name.isdigit())
    return found


def _fields(template: str) -> set[str]:
    return {field for _, field, _, _ in string.Formatter().parse(template) if field}


def test_every_user_facing_string_has_a_spanish_translation():
    missing = sorted(user_facing_strings() - ES.keys())
    assert not missing, "add Spanish entries to clfcore/locale_es.py for:\n" + "\n".join(
        map(repr, missing)
    )


def test_catalogue_has_no_stale_entries():
    stale = sorted(ES.keys() - user_facing_strings())
    assert not stale, "remove entries no code uses:\n" + "\n".join(map(repr, stale))


@pytest.mark.parametrize("english", sorted(ES))
def test_translation_keeps_the_placeholders(english):
    assert _fields(ES[english]) == _fields(english)
    assert ES[english].strip(), "empty translation"


def test_translate_fills_placeholders_in_both_languages():
    text = "{count} runs saved: {detail}."
    assert translate(text, "en", count=2, detail="x") == "2 runs saved: x."
    assert translate(text, "es", count=2, detail="x") == ES[text].format(count=2, detail="x")
    assert translate("no such string", "es") == "no such string"


@pytest.mark.parametrize(
    ("requested", "locale", "expected"),
    [
        ("es", "en-US", "es"),
        ("EN", "es-ES", "en"),
        (None, "es-ES", "es"),
        (None, "es_AR", "es"),
        ("fr", "de-DE", "en"),
        (None, None, "en"),
        ("xx", "es", "es"),
    ],
)
def test_pick_language(requested, locale, expected):
    assert pick_language(requested, locale) == expected
    assert expected in LANGUAGES
