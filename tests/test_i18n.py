"""The gettext catalogues are complete and current: every user-facing string has a Spanish entry,
none is stale, the .pot is what the code extracts to and the .mo is the compiled .po."""

import ast
import gettext
import io
import re
import string
import tempfile
import tomllib
from functools import cache
from pathlib import Path

import pytest
from babel.messages.frontend import CommandLineInterface
from babel.messages.mofile import read_mo, write_mo

from clfcore import course, errors
from clfcore.data import datasets
from clfcore.i18n import DOMAIN, LANGUAGES, LOCALE_DIR, pick_language, translate
from clfcore.models import architectures
from tests.catalogue import ES, POT, po_path, read_catalogue

ROOT = Path(__file__).resolve().parents[1]
SOURCE_PATHS = ["app.py", "app_pages", "ui", "clfcore"]  # every folder with user-facing strings
SOURCES = sorted(
    path
    for name in SOURCE_PATHS
    for path in ([ROOT / name] if name.endswith(".py") else (ROOT / name).rglob("*.py"))
)
TRANSLATING_CALLS = {"t", "tr", "N_", "translate"}  # tr: ui.lang.translator()
BABEL = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["babel"]
CATALOGUES = sorted(
    path.parent.parent.name for path in LOCALE_DIR.glob(f"*/LC_MESSAGES/{DOMAIN}.po")
)


def _error_classes() -> set[str]:
    found, todo = set(), [errors.UserInputError]
    while todo:
        cls = todo.pop()
        found.add(cls.__name__)
        todo.extend(cls.__subclasses__())
    return found


def user_facing_strings() -> set[str]:
    """Every literal given to t()/N_()/translate(), a clfcore error or how_to_fix; class names."""
    error_classes = _error_classes()
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
                (name in TRANSLATING_CALLS or name in error_classes)
                and isinstance(first, ast.Constant)
                and isinstance(first.value, str)
            ):
                found.add(first.value)
            for keyword in node.keywords:
                if keyword.arg == "how_to_fix" and isinstance(keyword.value, ast.Constant):
                    found.add(keyword.value.value)
    for info in datasets.list_datasets():
        found.update(name for name in info.class_names if not name.isdigit())
        found.update(info.coarse_names)
    found.update(course.DOCUMENTS.values())
    return found


@cache
def extracted() -> frozenset[tuple[str | None, str]]:
    """(msgctxt, msgid) of every message ``pybabel extract`` (`make translations`) finds.

    Runs pybabel itself in the repository, so it reads the same pyproject.toml settings.
    """
    with tempfile.TemporaryDirectory() as tmp, pytest.MonkeyPatch.context() as patch:
        patch.chdir(ROOT)
        pot = Path(tmp) / "extracted.pot"
        assert CommandLineInterface().run(["pybabel", "--quiet", "extract", "-o", str(pot)]) in (
            0,
            None,
        )
        return frozenset((m.context, m.id) for m in read_catalogue(pot) if m.id)


def _fields(template: str) -> set[str]:
    return {field for _, field, _, _ in string.Formatter().parse(template) if field}


def test_the_scan_and_the_extraction_cover_every_source():
    assert BABEL["extract_messages"]["input_paths"] == SOURCE_PATHS
    on_disk = {ROOT / "app.py"} | {
        path for folder in ("app_pages", "ui", "clfcore") for path in (ROOT / folder).rglob("*.py")
    }
    assert set(SOURCES) == on_disk
    assert ROOT / "clfcore" / "i18n" / "__init__.py" in SOURCES


def test_every_clfcore_error_class_is_an_extraction_keyword():
    keywords = {spec.partition(":")[0] for spec in BABEL["extract_messages"]["keywords"]}
    assert TRANSLATING_CALLS | _error_classes() <= keywords


def test_extraction_finds_every_user_facing_string():
    """pybabel reads only literals in marked calls: a class name or how_to_fix needs N_()."""
    missing = sorted(user_facing_strings() - {msgid for _, msgid in extracted()})
    assert not missing, "mark these with N_() or take them out of an f-string:\n" + "\n".join(
        map(repr, missing)
    )


def test_the_template_is_what_the_code_extracts_to():
    in_pot = {(m.context, m.id) for m in read_catalogue(POT) if m.id}
    assert in_pot == extracted(), "run `make translations`"


@pytest.mark.parametrize("lang", CATALOGUES)
def test_every_user_facing_string_has_a_translation(lang):
    catalogue = read_catalogue(po_path(lang))
    done = {(m.context, m.id) for m in catalogue if m.id and m.string and not m.fuzzy}
    missing = sorted(extracted() - done, key=str)
    assert not missing, (
        f"translate these in {po_path(lang).relative_to(ROOT)} (Poedit; then `make "
        "translations`):\n" + "\n".join(map(repr, missing))
    )


@pytest.mark.parametrize("lang", CATALOGUES)
def test_catalogue_has_no_stale_entries(lang):
    catalogue = read_catalogue(po_path(lang))
    stale = sorted({(m.context, m.id) for m in catalogue if m.id} - extracted(), key=str)
    assert not stale, "remove entries no code uses (`make translations`):\n" + "\n".join(
        map(repr, stale)
    )
    assert not catalogue.obsolete, "drop the #~ obsolete entries (`make translations`)"


@pytest.mark.parametrize("lang", CATALOGUES)
def test_catalogue_passes_babels_checks(lang):
    """What `pybabel compile` checks, e.g. that "20 % de" does not read as a %-format."""
    problems = [(m.id, [str(e) for e in errs]) for m, errs in read_catalogue(po_path(lang)).check()]
    assert not problems


@pytest.mark.parametrize("english", sorted(ES))
def test_translation_keeps_the_placeholders(english):
    assert _fields(ES[english]) == _fields(english)
    assert ES[english].strip(), "empty translation"


@pytest.mark.parametrize("lang", CATALOGUES)
def test_the_compiled_catalogue_is_the_po(lang):
    """The committed .mo (what the app reads) holds exactly what the .po compiles to."""
    compiled = io.BytesIO()
    write_mo(compiled, read_catalogue(po_path(lang)))
    compiled.seek(0)
    with open(po_path(lang).with_suffix(".mo"), "rb") as file:
        committed = read_mo(file)
    expected = read_mo(compiled)

    def messages(catalogue):
        return {(m.context, m.id): m.string for m in catalogue}

    assert messages(committed) == messages(expected), "run `make translations`"


def test_every_compiled_catalogue_is_a_language():
    compiled = sorted(
        path.parent.parent.name for path in LOCALE_DIR.glob(f"*/LC_MESSAGES/{DOMAIN}.mo")
    )
    assert compiled == CATALOGUES
    assert list(LANGUAGES) == ["en", *CATALOGUES]
    assert LANGUAGES["en"] == "English"
    assert LANGUAGES["es"] == "Español"  # the catalogue names its language


def test_translate_reads_the_mo_through_gettext():
    with open(po_path("es").with_suffix(".mo"), "rb") as file:
        spanish = gettext.GNUTranslations(file)
    for english in ("Home", "Evaluate", "{count} runs saved: {detail}."):
        assert translate(english, "es") == spanish.gettext(english) == ES[english]


def test_translate_fills_placeholders_in_both_languages():
    text = "{count} runs saved: {detail}."
    assert translate(text, "en", count=2, detail="x") == "2 runs saved: x."
    assert translate(text, "es", count=2, detail="x") == ES[text].format(count=2, detail="x")
    assert translate("no such string", "es") == "no such string"
    assert translate("Home", "fr") == "Home"
    assert translate("", "es") == ""  # not the catalogue's header


@pytest.mark.parametrize("lang", CATALOGUES)
def test_course_documents_go_by_their_names_not_numbers(lang):
    """ "seed 001" next to the random-seed setting read as a seed: a document is called what it
    is."""
    numbered = re.compile(r"\b(seed|semilla|document|documento)\s+00\d\b", re.IGNORECASE)
    for message in read_catalogue(po_path(lang)):
        assert not numbered.search(message.id), message.id
        assert not numbered.search(message.string), message.string
    for arch in architectures.list_architectures():
        if arch.document is not None:
            assert arch.cited_source(lang).startswith(course.document_name(arch.document, lang))
        assert arch.cited_source(lang) != arch.cited_source("en")


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
