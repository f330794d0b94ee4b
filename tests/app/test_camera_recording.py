"""The Dataset page's camera recording through AppTest, in both languages: a draft filled through
the core (AppTest cannot drive a camera), its thumbnails and counts, delete, the refusals, save,
and "Train a camera classifier"."""

import io

import pytest
from PIL import Image

from clfcore.data import datasets, recording
from clfcore.i18n import translate


def jpeg(shade: int) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (shade, 100, 200)).save(buffer, format="JPEG")
    return buffer.getvalue()


def fill(root, counts):
    draft = recording.Draft(root)
    for name, count in counts.items():
        draft.add_class(name)
        for i in range(count):
            draft.add_shot(name, jpeg(i * 20 % 255))
    return draft


def labelled(elements, text):
    return [e for e in elements if e.label == text]


def add_class(at, tr, name):
    """Type a class name and press "Add class" (Enter in the input is the browser test's)."""
    labelled(at.text_input, tr("New class (type a name, press Enter)"))[0].input(name)
    labelled(at.button, tr("Add class"))[0].click().run()


@pytest.mark.parametrize("lang", ["en", "es"])
def test_add_classes_and_refuse_a_bad_name(isolated_roots, open_page, all_text, lang):
    def tr(text, **params):
        return translate(text, lang, **params)

    at = open_page("dataset", lang)
    assert labelled(at.expander, tr("Record your own classes with the camera"))
    add_class(at, tr, "thumbs up")
    assert not at.exception, at.exception
    assert recording.Draft(isolated_roots["data"]).class_names() == ["thumbs up"]
    add_class(at, tr, "train")
    assert tr(
        "A class cannot be called {name!r}: that folder name means a split of the "
        "dataset. Choose another name.",
        name="train",
    ) in [e.value for e in at.error]
    # one class: saving is refused with what to do
    assert tr(
        "A dataset needs at least {minimum} classes; this recording has {count}. "
        "Add another class and take its pictures.",
        minimum=2,
        count=1,
    ) in all_text(at)


@pytest.mark.parametrize("lang", ["en", "es"])
def test_thumbnails_delete_save_and_train(isolated_roots, open_page, all_text, lang):
    def tr(text, **params):
        return translate(text, lang, **params)

    fill(isolated_roots["data"], {"cat": 10, "dog": 11})
    at = open_page("dataset", lang)
    assert not at.exception, at.exception
    text = all_text(at)
    assert "**cat** · " + tr("{count} pictures", count="10") in text
    assert "**dog** · " + tr("{count} pictures", count="11") in text
    save = labelled(at.button, tr("Save as dataset"))[0]
    assert not save.disabled
    # delete one of cat's pictures: 9 left, and saving is refused until one more is taken
    delete = [b for b in at.button if b.key and b.key.startswith("camera_delete_cat_")]
    assert len(delete) == 10
    delete[0].click().run()
    assert recording.Draft(isolated_roots["data"]).counts() == {"cat": 9, "dog": 11}
    assert labelled(at.button, tr("Save as dataset"))[0].disabled
    assert tr(
        "The class {name!r} has {count} pictures; every class needs at least "
        "{minimum}. Take {missing} more.",
        name="cat",
        count=9,
        minimum=10,
        missing=1,
    ) in all_text(at)
    recording.Draft(isolated_roots["data"]).add_shot("cat", jpeg(7))
    at.run()
    labelled(at.text_input, tr("Dataset name"))[0].input("pets")
    labelled(at.button, tr("Save as dataset"))[0].click().run()
    assert not at.exception, at.exception
    info = datasets.get_dataset("pets")
    assert info.class_names == ("cat", "dog") and info.image_shape == (96, 96, 3)
    assert at.session_state["chosen_dataset"] == "pets"
    assert recording.Draft(isolated_roots["data"]).classes() == []
    saved = tr(
        "Saved your recording as the dataset {name}. It is now the chosen dataset: explore it "
        "below, or train a camera classifier on it.",
        name="pets",
    )
    assert saved in [s.value for s in at.success]
    # offline here: the warning says what trains instead and how to get the weights
    assert any("MobileNetV2" in w.value for w in at.warning)
    labelled(at.button, tr("Train a camera classifier"))[0].click().run()
    assert not at.exception, at.exception
    choice = at.session_state["chosen_model"]
    assert choice["architecture"] == "recommended" and choice["epochs"] == 12
    assert choice["batch_size"] == 16


def test_a_taken_name_is_refused_and_nothing_is_lost(isolated_roots, open_page):
    fill(isolated_roots["data"], {"cat": 10, "dog": 10}).save_as_dataset("pets")
    fill(isolated_roots["data"], {"cat": 10, "dog": 10})
    at = open_page("dataset", "en")
    labelled(at.text_input, "Dataset name")[0].input("pets")
    labelled(at.button, "Save as dataset")[0].click().run()
    assert "A dataset called 'pets' already exists. Choose another name, or replace it." in [
        e.value for e in at.error
    ]
    assert recording.Draft(isolated_roots["data"]).counts() == {"cat": 10, "dog": 10}
