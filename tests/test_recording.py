"""Camera recordings (clfcore.data.recording): a draft on disk, its classes and shots, and saving it
as a dataset with the layout and dataset.json of an import."""

import io
import json

import numpy as np
import pytest
from PIL import Image

from clfcore.data import datasets, folders, recording
from clfcore.errors import UserInputError


def jpeg(colour, size=(120, 160)):
    """A camera-like JPEG of ``size`` (height, width) in one colour."""
    buffer = io.BytesIO()
    Image.new("RGB", (size[1], size[0]), colour).save(buffer, format="JPEG")
    return buffer.getvalue()


def filled(draft, counts):
    for name, count in counts.items():
        draft.add_class(name)
        for i in range(count):
            draft.add_shot(name, jpeg((10 * i % 255, 200, 30)))
    return draft


def test_shots_are_cropped_resized_and_survive_a_new_draft_object(isolated_roots):
    draft = recording.Draft(isolated_roots["data"])
    draft.add_class("thumbs up")
    first = draft.add_shot("thumbs up", jpeg((255, 0, 0), size=(120, 160)))
    frame = np.zeros((480, 640, 3), dtype=np.uint8)
    frame[:, :, 2] = 255
    second = draft.add_shot("thumbs up", frame)
    assert (first.name, second.name) == ("0001.png", "0002.png")
    assert first.parent == isolated_roots["data"] / ".drafts" / "camera" / "thumbs up"
    with Image.open(second) as picture:
        assert picture.size == (96, 96) and picture.mode == "RGB"
        assert picture.getpixel((48, 48)) == (0, 0, 255)
    # a refresh or a restart: a new object reads the same folder
    again = recording.Draft(isolated_roots["data"])
    assert again.counts() == {"thumbs up": 2}
    # hidden from the dataset picker
    assert not any("camera" in d or "thumbs" in d for d in datasets.builtin_ids())
    assert [info.id for info in datasets.list_datasets() if "thumbs" in info.id] == []


def test_delete_rename_and_remove(isolated_roots):
    draft = filled(recording.Draft(isolated_roots["data"]), {"cat": 3, "dog": 1})
    draft.delete_shot("cat", "0002.png")
    draft.delete_shot("cat", "0002.png")  # a double click is no error
    assert [p.name for p in draft.classes()[0].shots] == ["0001.png", "0003.png"]
    # the next shot never reuses a number still in use
    assert draft.add_shot("cat", jpeg((1, 2, 3))).name == "0004.png"
    assert draft.rename_class("dog", "  puppy ") == "puppy"
    assert draft.counts() == {"cat": 3, "puppy": 1}
    draft.remove_class("puppy")
    assert draft.class_names() == ["cat"]
    with pytest.raises(UserInputError, match="no class 'puppy'"):
        draft.add_shot("puppy", jpeg((0, 0, 0)))


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("", "is not valid"),
        ("a/b", "is not valid"),
        ("..", "is not valid"),
        ("x" * 41, "is not valid"),
        ("Train", "means a split"),
        ("validation", "means a split"),
        ("CAT", "already a class"),
    ],
)
def test_bad_class_names_are_refused_with_the_fix(isolated_roots, name, message):
    draft = recording.Draft(isolated_roots["data"])
    draft.add_class("cat")
    with pytest.raises(UserInputError, match=message):
        draft.add_class(name)
    assert draft.class_names() == ["cat"]


def test_not_an_image_is_refused(isolated_roots):
    draft = recording.Draft(isolated_roots["data"])
    draft.add_class("cat")
    with pytest.raises(UserInputError, match="could not be read as an image"):
        draft.add_shot("cat", b"not a picture")
    with pytest.raises(UserInputError, match="shape"):
        draft.add_shot("cat", np.zeros((4, 4, 2), dtype=np.uint8))
    assert draft.counts() == {"cat": 0}


def test_too_many_classes_or_shots(isolated_roots, monkeypatch):
    draft = recording.Draft(isolated_roots["data"])
    for i in range(recording.MAX_CLASSES):
        draft.add_class(f"c{i}")
    with pytest.raises(UserInputError, match="at most 10 classes"):
        draft.add_class("one more")
    monkeypatch.setattr(recording, "MAX_SHOTS", 2)
    draft.add_shot("c0", jpeg((0, 0, 0)))
    draft.add_shot("c0", jpeg((0, 0, 0)))
    with pytest.raises(UserInputError, match="the most one class can have"):
        draft.add_shot("c0", jpeg((0, 0, 0)))


def test_save_writes_the_import_layout_and_empties_the_draft(isolated_roots):
    root = isolated_roots["data"]
    draft = filled(recording.Draft(root), {"thumbs up": 10, "thumbs down": 12})
    result = draft.save_as_dataset("gestures")
    assert result.class_names == ("thumbs down", "thumbs up")
    assert result.train_images == 22
    folder = root / "gestures"
    assert sorted(p.name for p in (folder / "train" / "thumbs up").iterdir())[:2] == [
        "0001.png",
        "0002.png",
    ]
    manifest = json.loads((folder / folders.MANIFEST).read_text())
    assert manifest["image_size"] == [96, 96] and manifest["color_mode"] == "rgb"
    assert manifest["imported_from"] == "camera"
    info = datasets.get_dataset("gestures")
    assert info.image_shape == (96, 96, 3) and info.num_classes == 2
    assert draft.classes() == []  # the draft is gone: the next recording starts empty


def test_save_refuses_with_what_to_do(isolated_roots):
    root = isolated_roots["data"]
    draft = filled(recording.Draft(root), {"cat": 10})
    with pytest.raises(UserInputError, match="at least 2 classes; this recording has 1"):
        draft.save_as_dataset("pets")
    draft.add_class("dog")
    for _ in range(7):
        draft.add_shot("dog", jpeg((0, 0, 0)))
    with pytest.raises(UserInputError, match="'dog' has 7 pictures.*Take 3 more"):
        draft.save_as_dataset("pets")
    for _ in range(3):
        draft.add_shot("dog", jpeg((0, 0, 0)))
    with pytest.raises(UserInputError, match="is not valid"):
        draft.save_as_dataset("my pets!")
    with pytest.raises(UserInputError, match="built-in dataset"):
        draft.save_as_dataset("mnist")
    draft.save_as_dataset("pets")
    again = filled(recording.Draft(root), {"cat": 10, "dog": 10})
    with pytest.raises(UserInputError, match="already exists"):
        again.save_as_dataset("pets")
    # nothing was lost or half-written by the refusals
    assert again.counts() == {"cat": 10, "dog": 10}
    assert sorted(p.name for p in root.iterdir()) == [".drafts", "pets"]


def test_a_burst_keeps_one_frame_per_interval_for_the_class_being_recorded():
    now = [0.0]
    sampler = recording.FrameSampler(fps=4, clock=lambda: now[0])
    frame = np.zeros((4, 4, 3), dtype=np.uint8)
    assert not sampler.offer(frame)  # not recording yet
    sampler.record("cat")
    kept = []
    for step in range(40):  # 30 frames a second for 1.33 s
        now[0] = step / 30
        kept.append(sampler.offer(frame))
    # every 8th frame (8/30 s is the first at least 0.25 s after the last): at 0, 8, 16, 24, 32
    assert sum(kept) == 5
    sampler.record("dog")
    assert sampler.offer(frame)  # a new class starts at once
    sampler.record(None)
    now[0] = 10.0
    assert not sampler.offer(frame)
    frames = sampler.drain()
    assert [name for name, _ in frames] == ["cat"] * 5 + ["dog"]
    assert sampler.drain() == []
    with pytest.raises(UserInputError, match="between 1 and 30"):
        recording.FrameSampler(fps=0)
