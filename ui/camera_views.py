"""The camera, as Teachable Machine uses it: record your own classes on the Dataset page, and
classify live on the Classify page.

Recording: name two or more classes, take pictures of each (one per click with ``st.camera_input``,
or a burst of a few a second with ``streamlit-webrtc``), look at them, delete bad ones, save them as
a dataset of the session's workspace. The pictures wait in a draft on disk
(``clfcore.data.recording``), so a refresh loses nothing. Saving offers "Train a camera classifier"
with the camera preset (``clfcore.models.architectures.camera_preset``).

The burst and the live mode need the ``camera`` extra (streamlit-webrtc); without it the app says
how to install it and the one-shot camera still works.
"""

from __future__ import annotations

import importlib.util
import os
import sys
import time

import streamlit as st

from clfcore.data import archive, recording
from clfcore.errors import UserInputError
from clfcore.models import architectures, backbones
from clfcore.workspace import quota
from ui import auth, session, state
from ui.camera_live import LiveLabeller, frame_classifier
from ui.lang import number, t
from ui.widgets import class_label, controlled, show_error

THUMBS_SHOWN = 16  # the newest pictures of a class shown with a delete button
THUMB_COLUMNS = 8
BURST_FPS = 4.0  # pictures a second kept by a burst
LIVE_EVERY = 0.3  # seconds between two live predictions
LIVE_SHOWN_EVERY = 0.5  # seconds between two updates of the answer written under the video
# no STUN server: the app runs offline and on a class network, where the host candidates suffice
RTC_CONFIGURATION = {"iceServers": []}
_SAVED = "_camera_saved"  # the dataset id just saved, for the "Train" offer after the rerun
_ROUND = "_camera_round"  # bumped to give the camera and the text inputs fresh keys
_SEEN = "_camera_seen"  # file ids of camera pictures already added (a rerun returns them again)
_SAMPLER = "_camera_sampler"
_ADD_ERROR = "_camera_add_error"  # why the class just typed was refused, shown once
_CHOSEN = "_camera_chosen"  # the class pictures go to (kept apart from the radio's own key)
_SHOTS = "_camera_shots"  # pictures taken in this session: the camera widget's key


def webrtc_missing() -> bool:
    """Whether the camera extra (streamlit-webrtc) is missing."""
    return importlib.util.find_spec("streamlit_webrtc") is None


def import_webrtc():
    """``streamlit_webrtc``, imported so that it also works in a process that loaded TensorFlow
    first (only with the camera extra).

    pylibsrtp (aiortc's SRTP) carries its own OpenSSL, linked in and exported; TensorFlow loads its
    BoringSSL, which has the same symbol names, into the global scope. Loaded after TensorFlow,
    pylibsrtp's calls bind to BoringSSL and its ``srtp_init()`` kills the server with a
    segmentation fault (the Classify page's live mode, after the model loaded). ``RTLD_DEEPBIND``
    makes it use its own (Linux; elsewhere the flag does not exist and symbols bind per library).
    """
    if "pylibsrtp" not in sys.modules:
        flags = sys.getdlopenflags()
        sys.setdlopenflags(flags | getattr(os, "RTLD_DEEPBIND", 0))
        try:
            import pylibsrtp  # noqa: F401  (see above)
        finally:
            sys.setdlopenflags(flags)
    import streamlit_webrtc

    return streamlit_webrtc


def _install_hint() -> None:
    st.info(
        t(
            "A burst of pictures and live classification need streamlit-webrtc. Install the "
            "camera extra with pip install 'clfcore[camera]', then restart the app."
        ),
        icon=":material/extension:",
    )


def _translations() -> dict:
    """streamlit-webrtc's own buttons, in the user's language."""
    return {
        "start": t("Start the camera"),
        "stop": t("Stop the camera"),
        "select_device": t("Choose a camera"),
        "media_api_not_available": t("This browser cannot use a camera here."),
        "device_ask_permission": t("Allow this page to use the camera."),
        "device_not_available": t("No camera was found."),
        "device_access_denied": t("The camera was refused: allow it in the browser's settings."),
    }


def _draft() -> recording.Draft:
    return recording.Draft(session.workspace().data_dir)


def _round() -> int:
    return st.session_state.get(_ROUND, 0)


def _next_round() -> None:
    st.session_state[_ROUND] = _round() + 1


# --- recording on the Dataset page ------------------------------------------------------------


def recording_section() -> None:
    """The Dataset page's "Record your own classes with the camera" expander."""
    _saved_offer()
    draft = _draft()
    classes = draft.classes()
    with st.expander(
        t("Record your own classes with the camera"),
        icon=":material/photo_camera:",
        expanded=bool(classes),
    ):
        st.markdown(
            t(
                "Name two or more classes, then take pictures of each: hold the object in front "
                "of the camera and click, or record a burst. Every picture is cropped to a "
                "square of {size}x{size} pixels. Take at least {minimum} of each class, from "
                "different angles and distances. The pictures are kept until you save them.",
                size=recording.IMAGE_SIZE[0],
                minimum=recording.MIN_SHOTS,
            )
        )
        _add_class(draft)
        if not classes:
            return
        chosen = _pick_class(classes)
        _capture(draft, chosen)
        for cls in classes:
            _class_shots(draft, cls)
        _save_form(draft)


def _add_class(draft: recording.Draft) -> None:
    """A class name and its "Add class" button, in a form: pressing Enter in the input adds the
    class too, and the input comes back empty."""

    def add() -> None:
        try:
            draft.add_class(st.session_state.get("camera_new_class", ""))
        except UserInputError as error:
            st.session_state[_ADD_ERROR] = error

    with st.form("camera_add_class", clear_on_submit=True, border=False):
        name, button = st.columns([4, 1], vertical_alignment="bottom")
        name.text_input(
            t("New class (type a name, press Enter)"),
            max_chars=40,
            placeholder=t("for example: thumbs up"),
            key="camera_new_class",
        )
        button.form_submit_button(
            t("Add class"), icon=":material/add:", on_click=add, width="stretch"
        )
    error = st.session_state.pop(_ADD_ERROR, None)
    if error is not None:
        show_error(error)


def _pick_class(classes: list[recording.DraftClass]) -> str:
    counts = {cls.name: cls.count for cls in classes}
    chosen = st.session_state.get(_CHOSEN)
    if chosen not in counts:  # none yet, or removed: the newest class
        chosen = classes[-1].name
    chosen = controlled(
        st.radio,
        t("Pictures go to"),
        list(counts),
        key="camera_class",
        value=chosen,
        horizontal=True,
        format_func=lambda n: f"{n} ({number(counts[n])})",
    )
    st.session_state[_CHOSEN] = chosen
    return chosen


def _capture(draft: recording.Draft, class_name: str) -> None:
    if not auth.is_secure_context():
        st.warning(
            t(
                "The camera is off: browsers give it only to secure pages, and this page was "
                "opened at {url}. Open the app at an https:// address (or at http://localhost on "
                "the server itself), or ask your teacher to serve it over https. Meanwhile, import "
                "a ZIP of class folders above.",
                url=st.context.url,
            ),
            icon=":material/no_photography:",
        )
        return
    single, burst = st.tabs(
        [t("One picture per click"), t("Burst")], key="camera_capture_tab", on_change="rerun"
    )
    # only the open tab runs: the burst's stream starts only when asked for
    if single.open is not False:
        with single:
            _single(draft, class_name)
    if burst.open is True:
        with burst:
            _burst(draft, class_name)


def _single(draft: recording.Draft, class_name: str) -> None:
    # a new key after every picture: the camera shows the live view again, ready for the next
    shot = st.camera_input(
        t("Take a picture for {name}", name=class_name),
        key=f"camera_shot_{st.session_state.get(_SHOTS, 0)}",
    )
    seen = st.session_state.setdefault(_SEEN, set())
    if shot is not None and shot.file_id not in seen:
        seen.add(shot.file_id)
        try:
            draft.add_shot(class_name, shot.getvalue())
        except UserInputError as error:
            show_error(error)
            return
        st.session_state[_SHOTS] = st.session_state.get(_SHOTS, 0) + 1
        st.rerun()  # the thumbnails and counts below show the new picture


def _sampler() -> recording.FrameSampler:
    """This session's burst buffer (one per browser session, never shared)."""
    if _SAMPLER not in st.session_state:
        st.session_state[_SAMPLER] = recording.FrameSampler(fps=BURST_FPS)
    return st.session_state[_SAMPLER]


def _burst(draft: recording.Draft, class_name: str) -> None:
    if webrtc_missing():
        _install_hint()
        return
    webrtc = import_webrtc()

    sampler = _sampler()

    def keep(frame):
        sampler.offer(frame.to_ndarray(format="rgb24"))
        return frame

    context = webrtc.webrtc_streamer(
        key="camera_burst",
        mode=webrtc.WebRtcMode.SENDRECV,
        rtc_configuration=RTC_CONFIGURATION,
        media_stream_constraints={"video": True, "audio": False},
        video_frame_callback=keep,
        translations=_translations(),
    )
    on = st.toggle(
        t("Record {fps} pictures a second for {name}", fps=int(BURST_FPS), name=class_name),
        key="camera_burst_on",
        disabled=not context.state.playing,
    )
    sampler.record(class_name if on and context.state.playing else None)
    if context.state.playing:
        _drain(draft)


@st.fragment(run_every=1.0)
def _drain(draft: recording.Draft) -> None:
    """Move the burst's frames into the draft once a second; the whole page reruns to show them."""
    frames = _sampler().drain()
    for class_name, frame in frames:
        try:
            draft.add_shot(class_name, frame)
        except UserInputError as error:
            show_error(error)
            _sampler().record(None)
            return
    if frames:
        st.rerun(scope="app")


def _class_shots(draft: recording.Draft, cls: recording.DraftClass) -> None:
    title, remove = st.columns([5, 1], vertical_alignment="center")
    title.markdown(
        f"**{cls.name}** · "
        + (t("1 picture") if cls.count == 1 else t("{count} pictures", count=number(cls.count)))
    )
    with remove.popover(t("Remove"), icon=":material/delete:"):
        if st.button(
            t("Yes, remove {name} and its pictures", name=cls.name),
            key=f"camera_remove_{cls.name}",
            type="primary",
        ):
            draft.remove_class(cls.name)
            st.rerun()
    if not cls.shots:
        st.caption(t("No pictures yet."))
        return
    shown = cls.shots[-THUMBS_SHOWN:]
    if len(shown) < cls.count:
        st.caption(t("The newest {shown} of {count}:", shown=len(shown), count=number(cls.count)))
    columns = st.columns(THUMB_COLUMNS)
    for i, shot in enumerate(reversed(shown)):
        cell = columns[i % THUMB_COLUMNS]
        cell.image(str(shot), width=80)
        if cell.button(
            t("Delete"),
            key=f"camera_delete_{cls.name}_{shot.name}",
            icon=":material/close:",
            help=t("Delete this picture"),
        ):
            draft.delete_shot(cls.name, shot.name)
            st.rerun()


def _save_form(draft: recording.Draft) -> None:
    st.markdown("**" + t("Save as a dataset") + "**")
    problems = draft.problems()
    workspace = session.workspace()
    name = st.text_input(
        t("Dataset name"),
        value=archive.suggest_name("camera_classes", root=workspace.data_dir),
        max_chars=40,
        key=f"camera_dataset_name_{_round()}",
        help=t(
            "Letters, digits, - and _. The dataset's id in the picker, in run settings "
            "and on the command line."
        ),
    ).strip()
    for problem in problems:
        st.caption(":material/info: " + t(problem.template, **problem.params))
    left, right = st.columns(2)
    save = left.button(
        t("Save as dataset"),
        type="primary",
        icon=":material/save:",
        disabled=bool(problems),
        key="camera_save",
    )
    with right.popover(t("Discard the recording..."), icon=":material/delete_forever:"):
        if st.button(t("Yes, delete every picture"), key="camera_discard", type="primary"):
            draft.discard()
            _next_round()
            st.rerun()
    if not save:
        return
    try:
        quota.check_quota(workspace, session.settings().quota_bytes, adding=draft.total_bytes())
        result = draft.save_as_dataset(name)
    except UserInputError as error:
        show_error(error)
        return
    dataset_id = workspace.dataset_id(result.name)
    state.set_dataset_id(dataset_id)
    st.session_state[_SAVED] = dataset_id
    st.session_state.pop(_CHOSEN, None)
    _next_round()
    st.rerun()


def _saved_offer() -> None:
    """After a save: what was saved, and the button that trains a camera classifier on it."""
    dataset_id = st.session_state.get(_SAVED)
    if dataset_id is None:
        return
    if state.dataset_id() != dataset_id:  # another dataset was chosen since
        st.session_state.pop(_SAVED, None)
        return
    st.success(
        t(
            "Saved your recording as the dataset {name}. It is now the chosen dataset: "
            "explore it below, or train a camera classifier on it.",
            name=dataset_id,
        ),
        icon=":material/check_circle:",
    )
    preset = architectures.camera_preset()
    if not preset.pretrained:
        _no_weights_warning()
    if st.button(t("Train a camera classifier"), type="primary", icon=":material/model_training:"):
        use_camera_preset(preset)
        st.session_state.pop(_SAVED, None)
        st.switch_page("app_pages/train.py")


def _no_weights_warning() -> None:
    backbone = architectures.CAMERA_BACKBONE
    size = architectures.CAMERA_IMAGE_SIZE
    st.warning(
        t(
            "The ImageNet weights of MobileNetV2 are not on this machine, so the camera "
            "classifier is the recommended CNN trained from random weights: it still learns a "
            "few classes that look different, but less well than transfer learning. For transfer "
            "learning, copy {file} (from {url}) into {folder}.",
            file=backbones.weights_file_name(backbone, size),
            url=backbones.weights_url(backbone, size),
            folder=str(backbones.local_weights_folder()),
        ),
        icon=":material/warning:",
    )


def use_camera_preset(preset: architectures.CameraPreset) -> None:
    """Choose the camera preset's model and training settings for this session."""
    from clfcore.config import TrainConfig

    defaults = TrainConfig.for_architecture(preset.architecture)
    state.set_model_choice(
        {
            "architecture": preset.architecture,
            "arch_options": dict(preset.options),
            "one_hot": defaults.one_hot,
            "momentum": defaults.momentum,
            "lr_schedule": "none",
            **preset.settings,
        }
    )


# --- live classification on the Classify page -------------------------------------------------


def live_mode() -> bool:
    """The Classify camera tab's choice: one picture (False) or live (True)."""
    modes = {"single": t("One picture"), "live": t("Live")}
    chosen = st.segmented_control(
        t("Camera mode"),
        list(modes),
        default="single",
        format_func=modes.get,
        key="classify_camera_mode",
    )
    return chosen == "live"


def live_classifier(classifier) -> None:
    """A live camera whose picture shows the model's top class and its probability, classified
    at most every ``LIVE_EVERY`` seconds on the stream's thread; the latest answer is also written
    under the video."""
    if webrtc_missing():
        _install_hint()
        return
    webrtc = import_webrtc()

    labeller = _labeller(classifier)
    context = webrtc.webrtc_streamer(
        key=f"classify_live_{classifier.name}",
        mode=webrtc.WebRtcMode.SENDRECV,
        rtc_configuration=RTC_CONFIGURATION,
        media_stream_constraints={"video": True, "audio": False},
        video_frame_callback=labeller.on_frame,
        translations=_translations(),
    )
    if context.state.playing:
        _live_answer(labeller)
    else:
        st.caption(
            t(
                "Press Start: the model classifies the picture about three times a second and "
                "writes its best guess and its probability on it."
            )
        )


def _labeller(classifier) -> LiveLabeller:
    """This session's labeller for ``classifier``: the same one across reruns, so the answer
    under the video survives them (one per browser session, never shared)."""
    key = f"_camera_live_{classifier.name}"
    labeller = st.session_state.get(key)
    if labeller is None:
        labeller = LiveLabeller(
            frame_classifier(classifier), every=LIVE_EVERY, clock=time.monotonic
        )
        st.session_state[key] = labeller
    return labeller


@st.fragment(run_every=LIVE_SHOWN_EVERY)
def _live_answer(labeller) -> None:
    """The latest answer as text, for whoever cannot read it on the video."""
    if labeller.answer is None:
        st.caption(t("Waiting for the first answer..."))
        return
    label, probability = labeller.answer
    st.markdown(
        "**"
        + t("Now: {name} {probability}", name=class_label(label), probability=f"{probability:.0%}")
        + "**"
    )
