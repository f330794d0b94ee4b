"""Every page renders without an exception, in both languages, through Streamlit's AppTest."""

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from clfcore.i18n import translate
from tests.catalogue import ES

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("lang", ["en", "es"])
def test_every_page_renders_without_exception(page_name, lang, open_page, page_titles):
    at = open_page(page_name, lang)
    assert not at.exception, at.exception
    assert [title.value for title in at.title] == [translate(page_titles[page_name], lang)]


def test_spanish_pages_show_spanish_text(open_page, all_text):
    at = open_page("home", "es")
    text = all_text(at)
    assert ES["Quick start"] in text and "Quick start" not in text


def test_dataset_page_offline_defaults_to_digits_and_explores_it(open_page):
    at = open_page("dataset", "en")
    assert at.selectbox[0].value == "digits"
    assert [m.label for m in at.metric][:3] == ["Training", "Validation", "Test"]
    assert [m.value for m in at.metric] == ["1,151", "287", "359", "8x8", "gray"]
    assert len(at.tabs) == 4


def test_dataset_page_with_fashion_mnist_and_shuffle(isolated_roots, write_idx_dataset, open_page):
    write_idx_dataset(isolated_roots["data"] / "fashion-mnist", train=100, test=20)
    at = open_page("dataset", "es")
    assert at.selectbox[0].value == "fashion_mnist"
    assert [m.value for m in at.metric][:3] == ["80", "20", "20"]
    assert at.metric[4].value == ES["gray"]
    next(b for b in at.button if b.label == ES["Shuffle"]).click().run()
    assert not at.exception
    assert at.session_state["sample_seed"] == 1


def test_choosing_a_dataset_that_is_not_here_says_how_to_get_it(open_page):
    at = open_page("dataset", "en")
    at.selectbox[0].select("cifar10").run()
    assert not at.exception
    assert "python -m clfcore download cifar10" in at.warning[0].value
    assert any("Download CIFAR-10 now" in b.label for b in at.button)


def test_a_failed_download_is_a_message_not_a_traceback(monkeypatch, open_page):
    at = open_page("dataset", "en")
    at.selectbox[0].select("mnist").run()
    import importlib

    monkeypatch.setattr(
        importlib,
        "import_module",
        lambda name: (_ for _ in ()).throw(OSError("network is unreachable")),
    )
    next(b for b in at.button if "Download" in b.label).click().run()
    assert not at.exception
    assert "Could not download MNIST" in at.error[0].value


def test_the_chosen_dataset_travels_to_other_pages(open_page, all_text):
    at = open_page("dataset", "en")
    at.selectbox[0].select("cifar100").run()
    at.switch_page("app_pages/train.py").run()
    assert "CIFAR-100" in all_text(at)


def test_corrupt_dataset_files_show_a_clear_error(isolated_roots, write_idx_dataset, open_page):
    folder = write_idx_dataset(isolated_roots["data"] / "fashion-mnist", train=200)
    (folder / "train-labels-idx1-ubyte.gz").write_bytes(b"garbage")
    at = open_page("dataset", "en")
    assert not at.exception
    assert "train-labels-idx1-ubyte.gz is not an IDX file" in at.error[0].value


def test_language_selector_switches_and_the_choice_sticks(open_page, all_text):
    at = open_page("home", "en")
    at.sidebar.radio[0].set_value("es").run()
    assert ES["Quick start"] in all_text(at)
    at.switch_page(
        "app_pages/dataset.py"
    ).run()  # the URL still said lang=en: the later choice wins
    assert at.title[0].value == ES["Dataset"]


def test_browser_locale_is_the_default_language(all_text):
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.context = {"locale": "es-ES"}
    at.run()
    assert ES["Quick start"] in all_text(at)


def test_a_user_image_folder_is_explored_and_unreadable_images_are_listed(
    isolated_roots, make_image_folder, open_page
):
    root = make_image_folder(isolated_roots["data"] / "pets", count=6)
    (root / "dog" / "broken.jpg").write_bytes(b"not a jpeg")
    at = open_page("dataset", "en")
    at.selectbox[0].select("pets").run()
    assert not at.exception
    assert [m.value for m in at.metric][:3] == ["8", "2", "2"]
    assert "dog/broken.jpg" in at.warning[0].value
