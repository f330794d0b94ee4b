"""The Dataset page's import section through AppTest: upload a ZIP, preview it, import, explore,
replace, delete."""

import io
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from clfcore.data import archive, datasets
from clfcore.i18n import translate
from tests.catalogue import ES

ROOT = Path(__file__).resolve().parents[2]
ZIP = "application/zip"


def dataset_page(lang: str = "en") -> AppTest:
    at = AppTest.from_file(str(ROOT / "app_pages" / "dataset.py"), default_timeout=60)
    at.session_state["lang"] = lang
    return at.run()


def button(at: AppTest, label: str):
    return next(b for b in at.button if b.label == label)


@pytest.fixture
def pets_zip(zip_bytes, class_files, png) -> bytes:
    return zip_bytes(
        class_files("pets/", count=6)
        | {"pets/notes.txt": b"x", "pets/dog/broken.png": b"not a png", "cover.png": png()}
    )


def test_upload_preview_and_import(isolated_roots, pets_zip, all_text):
    at = dataset_page()
    assert at.expander[0].label == "Import your own images" and len(at.file_uploader) == 2
    at.file_uploader[0].upload("pets.zip", pets_zip, ZIP).run()
    assert not at.exception
    assert "**pets.zip**: 2 classes, 13 images." in all_text(at)
    preview = at.dataframe[0].value
    assert preview["Class"].tolist() == ["cat", "dog"] and preview["Training images"].tolist() == [
        6,
        7,
    ]
    assert at.info[0].value == "1 file that is not an image will be skipped: pets/notes.txt."
    assert at.warning[0].value == "1 image will be left out: cover.png (outside the class folders)."
    assert at.text_input[0].value == "pets"
    assert [n.value for n in at.number_input][:2] == [8, 12]  # the first image's size: 12x8 pixels

    at.text_input[0].set_value("my_pets")
    at.number_input[0].set_value(16)
    at.radio[0].set_value("grayscale")
    button(at, "Import").click().run()
    assert not at.exception
    assert at.success[0].value.startswith("Imported my_pets: 12 images in 2 classes (16x12 gray")
    assert (
        at.warning[0].value
        == "2 images were left out: cover.png (outside the class folders), pets/dog/broken.png "
        "(not readable as an image)."
    )
    assert at.selectbox[0].value == "my_pets"  # chosen, and explored like a built-in dataset
    assert [m.value for m in at.metric] == ["8", "2", "2", "16x12", "gray"]
    assert len(at.tabs) == 4
    assert at.file_uploader[0].value is None  # ready for the next archive

    restarted = dataset_page()  # a new session (or a restarted server) finds it in the picker
    assert "my_pets" in restarted.selectbox[0].options
    assert datasets.get_dataset("my_pets").image_shape == (16, 12, 1)


def test_a_bad_archive_is_a_message_not_a_traceback(isolated_roots, zip_bytes, class_files, png):
    at = dataset_page()
    at.file_uploader[0].upload("one.zip", zip_bytes(class_files(classes=("cat",))), ZIP).run()
    assert not at.exception
    assert "has only one class folder with images (cat)" in at.error[0].value
    assert not [b for b in at.button if b.label == "Import"]
    at.file_uploader[0].set_value(
        ("slip.zip", zip_bytes(class_files() | {"../../evil.png": png()}), ZIP)
    ).run()
    assert "climbs out of its folder" in at.error[0].value
    assert list(isolated_roots["data"].iterdir()) == []


def test_a_separate_test_zip(isolated_roots, zip_bytes, class_files, all_text):
    at = dataset_page()
    at.file_uploader[0].upload("train.zip", zip_bytes(class_files(count=4)), ZIP)
    at.file_uploader[1].upload("test.zip", zip_bytes(class_files(count=2)), ZIP).run()
    assert at.dataframe[0].value["Test images"].tolist() == [2, 2]
    assert "The test folder is the test set" in all_text(at)
    button(at, "Import").click().run()
    assert [m.value for m in at.metric][:3] == ["6", "2", "4"]


def test_replace_needs_to_be_asked_for(isolated_roots, zip_bytes, class_files):
    archive.import_dataset(_upload("pets.zip", zip_bytes(class_files(count=3))), "pets")
    at = dataset_page()
    at.file_uploader[0].upload(
        "pets.zip", zip_bytes(class_files(classes=("cat", "dog", "bird"), count=3)), ZIP
    ).run()
    assert at.text_input[0].value == "pets_2"  # a free name is suggested
    at.text_input[0].set_value("pets").run()
    button(at, "Import").click().run()
    assert "A dataset called 'pets' already exists" in at.error[0].value
    at.checkbox[0].check().run()
    assert at.checkbox[0].label == "Replace the dataset pets imported before"
    button(at, "Import").click().run()
    assert not at.exception and datasets.get_dataset("pets").num_classes == 3


def test_settings_of_an_imported_dataset_and_delete_with_confirmation(
    isolated_roots, zip_bytes, class_files
):
    archive.import_dataset(_upload("pets.zip", zip_bytes(class_files(count=5))), "pets")
    at = dataset_page()
    at.selectbox[0].select("pets").run()
    assert at.expander[0].label == "Settings of pets"
    assert at.number_input[0].value == 8 and at.slider[0].value == 20
    at.number_input[0].set_value(20)
    at.slider[0].set_value(40)
    next(b for b in at.button if b.label == "Save settings").click().run()
    assert not at.exception
    assert [m.value for m in at.metric][3] == "20x12"
    # this session follows the new split at once
    assert at.session_state["chosen_split"].validation_split == 0.4

    assert (
        isolated_roots["data"] / "pets"
    ).is_dir()  # nothing is deleted before the confirmation button
    button(at, "Yes, delete pets").click().run()
    assert not at.exception
    assert at.success[0].value == "Deleted the dataset pets."
    assert (
        "pets" not in at.selectbox[0].options
        and at.selectbox[0].value == datasets.default_dataset_id()
    )
    assert list(isolated_roots["data"].iterdir()) == []


def test_a_folder_put_there_by_hand_has_settings_but_no_delete(
    isolated_roots, make_image_folder, all_text
):
    make_image_folder(isolated_roots["data"] / "teacher", count=4)
    at = dataset_page()
    at.selectbox[0].select("teacher").run()
    assert at.expander[0].label == "Settings of teacher"
    assert "A folder put in the data root by hand" in all_text(at)
    assert not [b for b in at.button if b.label.startswith("Yes, delete")]


def test_the_import_section_in_spanish(isolated_roots, pets_zip, all_text, zip_bytes, png):
    at = dataset_page("es")
    assert at.expander[0].label == ES["Import your own images"]
    at.file_uploader[0].upload("mascotas.zip", pets_zip, ZIP).run()
    assert not at.exception
    assert translate(
        "**{file}**: {classes} classes, {images} images.",
        "es",
        file="mascotas.zip",
        classes=2,
        images=13,
    ) in all_text(at)
    assert "fuera de las carpetas de clase" in at.warning[0].value
    button(at, ES["Import"]).click().run()
    assert at.success[0].value.startswith("Se ha importado mascotas: 12 imágenes en 2 clases")
    at.file_uploader[0].upload("solo.zip", zip_bytes({"a.png": png()}), ZIP).run()
    assert "no están dentro de carpetas de clase" in at.error[0].value


def _upload(name: str, data: bytes) -> io.BytesIO:
    upload = io.BytesIO(data)
    upload.name = name
    return upload
