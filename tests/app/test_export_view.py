"""The Evaluate page's export section through AppTest, in English and Spanish."""

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from clfcore.export import formats
from clfcore.runs.folder import open_run

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.xdist_group("export")


@pytest.fixture
def run_id(isolated_roots, tmp_path_factory, make_trained_run):
    return make_trained_run(isolated_roots["runs"], tmp_path_factory)


def _open(lang: str) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app_pages" / "evaluate.py"), default_timeout=180)
    at.session_state["lang"] = lang
    at.run()
    assert not at.exception, at.exception
    return at


def _button(at: AppTest, label: str):
    return next(b for b in at.button if b.label == label)


@pytest.mark.parametrize(
    ("lang", "expander", "export", "keras", "accuracy"),
    [
        ("en", "Export for phones and the web", "Export", "Keras (model.keras)", "Test accuracy"),
        (
            "es",
            "Exportar para móviles y la web",
            "Exportar",
            "Keras (model.keras)",
            "Exactitud en test",
        ),
    ],
)
def test_export_then_compare_download_and_use(run_id, lang, expander, export, keras, accuracy):
    at = _open(lang)
    assert expander in [e.label for e in at.expander]
    key = f"export-{run_id}"
    assert f"{key}-format" not in [s.key for s in at.selectbox]  # closed: nothing drawn in it
    at.session_state[f"export-open-{run_id}"] = True  # the user opens the section
    at.run()
    at.selectbox(key=f"{key}-format").set_value("litert").run()
    at.checkbox(key=f"{key}-int8").check()
    _button(at, export).click()
    at.run()
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    exported = formats.list_exports(open_run(run_id))
    assert [e.key for e in exported] == ["litert-int8"]
    table = at.dataframe[-1].value
    assert accuracy in table.columns and table.iloc[0, 0] == keras and len(table) == 2
    assert any("FloatArray(10)" in c.value for c in at.code)  # the Android snippet
    assert any("ai_edge_litert" in c.value for c in at.code)


def test_a_missing_extra_shows_how_to_install(run_id, monkeypatch):
    monkeypatch.setattr(formats, "missing_packages", lambda fmt: () if fmt != "onnx" else ("onnx",))
    at = _open("en")
    at.session_state[f"export-open-{run_id}"] = True
    at.run()
    at.selectbox(key=f"export-{run_id}-format").set_value("onnx").run()
    assert not at.exception
    assert any("pip install 'clfcore[export]'" in i.value for i in at.info)
    assert _button(at, "Export").disabled
