"""The Augment page: every transform's control, warnings, reset, live preview, upload, and the trip
to Train."""

import io

import pytest
from PIL import Image

from clfcore import jobs
from clfcore.data.augment import COURSE_DEFAULTS, AugmentConfig
from clfcore.runs import listing
from clfcore.runs.folder import open_run
from tests.catalogue import ES

FIELDS = [name for name in AugmentConfig.__dataclass_fields__]


def _images(at) -> list:
    return [image.proto.imgs[0].url for image in at.get("image")]


@pytest.mark.parametrize("lang", ["en", "es"])
def test_a_control_for_every_transform_with_the_course_defaults(lang, open_page):
    at = open_page("augment", lang)
    assert not at.exception
    for name in FIELDS:
        widget = at.session_state[f"aug_{name}"]
        assert widget == getattr(COURSE_DEFAULTS, name), name
    keyed = {w.key for kind in ("slider", "toggle", "selectbox") for w in getattr(at, kind)}
    assert {f"aug_{name}" for name in FIELDS} <= keyed
    explanations = [c.value for c in at.caption]
    assert len(explanations) >= len(FIELDS)  # one line under each control
    if lang == "es":
        assert (
            ES[
                "Turns each image by a random angle of up to this many degrees, either "
                "way. Course: 10."
            ]
            in explanations
        )
        assert ES["Reset to course defaults"] in [b.label for b in at.button]
    assert not at.toggle(
        key="aug_enabled"
    ).value  # runs train without augmentation until it is switched on


def test_the_live_preview_shows_originals_and_redraws_when_a_slider_moves(open_page):
    at = open_page("augment", "en")  # offline default: scikit-learn's digits
    before = _images(at)
    assert len(before) == 4  # four random images, each row: original + augmented versions
    at.slider(key="aug_rotation_range").set_value(40.0).run()
    assert not at.exception
    after = _images(at)
    assert after != before
    next(b for b in at.button if b.label == "Re-roll").click().run()
    assert _images(at) != after and at.session_state["aug_preview_seed"] == 1
    at.radio(key="aug_source").set_value("per_class").run()
    assert len(_images(at)) == 10 and "**0**" in [m.value for m in at.markdown]


def test_digits_get_the_class_changing_warnings_and_extreme_values_are_allowed(open_page):
    at = open_page("augment", "en")
    # the course's flip, on digits
    assert any("Horizontal flips change digits" in w.value for w in at.warning)
    at.toggle(key="aug_vertical_flip").set_value(True).run()
    at.slider(key="aug_rotation_range").set_value(180.0).run()
    text = "\n".join(w.value for w in at.warning)
    assert "upside-down 6 looks like a 9" in text and "Rotations of 180° change digits" in text
    assert not at.error and not at.exception
    assert at.session_state["chosen_augmentation"][0].rotation_range == 180


def test_reset_to_course_defaults_and_all_off(open_page):
    at = open_page("augment", "es")
    at.slider(key="aug_noise").set_value(0.3).run()
    at.toggle(key="aug_horizontal_flip").set_value(False).run()
    next(b for b in at.button if b.label == ES["Reset to course defaults"]).click().run()
    assert at.slider(key="aug_noise").value == 0.0 and at.toggle(key="aug_horizontal_flip").value
    assert at.session_state["chosen_augmentation"][0] == COURSE_DEFAULTS
    next(b for b in at.button if b.label == ES["All off"]).click().run()
    assert at.session_state["chosen_augmentation"][0] == AugmentConfig.off()
    assert ES["Every transform is off: the augmented versions equal the original."] in [
        i.value for i in at.info
    ]


def test_the_settings_travel_to_the_train_page_and_into_the_run_config(
    isolated_roots, monkeypatch, open_page, all_text
):
    # create the run folder, start no process
    monkeypatch.setattr(jobs, "dispatch", lambda *args, **kwargs: None)
    at = open_page("augment", "en")
    at.toggle(key="aug_horizontal_flip").set_value(False).run()
    at.slider(key="aug_shear_range").set_value(5.0).run()
    at.toggle(key="aug_enabled").set_value(True).run()
    at.switch_page("app_pages/train.py").run()
    assert not at.exception
    assert "on: rotation ±10°, shift ±10% × ±10%, zoom ±20%, shear ±5°" in all_text(at)
    next(b for b in at.button if b.label == "Start training").click().run()
    (summary,) = listing.list_runs()
    chosen = AugmentConfig(horizontal_flip=False, shear_range=5)
    assert open_run(summary.run_id).config().augmentation == chosen.to_dict()
    at.switch_page("app_pages/augment.py").run()  # coming back keeps every choice
    assert at.slider(key="aug_shear_range").value == 5.0 and at.toggle(key="aug_enabled").value
    assert at.session_state["chosen_augmentation"] == (chosen, True)


def test_without_the_switch_the_train_page_says_none(open_page):
    at = open_page("augment", "en")
    at.switch_page("app_pages/train.py").run()
    rows = [m.value for m in at.markdown]
    assert "**Augmentation**" in rows and rows[rows.index("**Augmentation**") + 1] == "none"


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (250, 20, 20)).save(buffer, format="PNG")
    return buffer.getvalue()


def test_an_uploaded_image_is_previewed_and_a_non_image_gets_a_clear_message(open_page):
    at = open_page("augment", "en")
    at.radio(key="aug_source").set_value("upload").run()
    assert "Upload an image to see it augmented." in [i.value for i in at.info]
    at.file_uploader[0].set_value(("notes.csv", b"a,b\n1,2\n", "text/csv")).run()
    assert not at.exception
    assert (
        "not an image that can be read" in at.error[0].value
        and "Upload a PNG, JPEG" in at.error[0].value
    )
    at.file_uploader[0].set_value(("red.png", _png(), "image/png")).run()
    assert (
        not at.error and len(_images(at)) == 1 and "**red.png**" in [m.value for m in at.markdown]
    )
