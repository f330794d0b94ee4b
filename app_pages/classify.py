"""Classify: a trained model's answer for your own photo, camera shot, drawing or a dataset image,
step by step."""

import hashlib
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from clfcore.data import datasets, explore
from clfcore.errors import UserInputError
from clfcore.evaluation import run_predictions
from clfcore.i18n import N_
from clfcore.inference import imagefile, predict
from clfcore.inference.display import png_data_url, square_tile
from clfcore.inference.preprocess import (
    ImageStyle,
    enlarged,
    style_for_background,
    style_for_dataset,
)
from clfcore.runs import listing
from ui import auth, camera_views, task_views, workspace_views
from ui.lang import error_message, number, t, translator
from ui.widgets import class_label, linked_run_or_stop, needs_first, show_error

GALLERY_SIZE = 12  # dataset images offered at a time
THUMB = 64  # pixels of the thumbnails in the table of several images
OTHER = "__other__"  # "none of these datasets" for an uploaded model
STYLES = {
    "varied": N_("photos of objects or scenes"),
    "dark": N_("light shapes on a dark background (like MNIST)"),
    "light": N_("dark shapes on a light background"),
}
_GALLERY_SEED, _GALLERY_PICK, _BATCH = (
    "classify_gallery_seed",
    "classify_gallery_pick",
    "classify_batch",
)


# --- the model ------------------------------------------------------------------------------------


@st.cache_resource(show_spinner=False, max_entries=4)
def _run_classifier(path: str, stamp: float) -> predict.Classifier:
    return predict.load_run(Path(path))


@st.cache_resource(show_spinner=False, max_entries=2)
def _uploaded_model(digest: str, _data: bytes, name: str):
    return predict.load_model_bytes(_data, name=name)


@st.cache_resource(show_spinner=False, max_entries=4)
def _uploaded_classifier(
    digest: str, _model, name: str, class_names: tuple, style: ImageStyle, dataset: str | None
) -> predict.Classifier:
    return predict.classifier_for_model(
        _model, name=name, class_names=class_names or None, style=style, dataset=dataset
    )


def _run_caption(run, tr) -> str:
    accuracy = f"{run.test_accuracy:.1%}" if run.test_accuracy is not None else "-"
    return (
        f"{workspace_views.label(run)} · {run.architecture} · {run.dataset} · {tr(run.status)} "
        f"· {accuracy}"
    )


def _choose_run(finished: list, linked) -> predict.Classifier | None:
    by_id = {run.run_id: run for run in finished}
    ids = list(by_id)
    default = predict.default_run(finished)
    if linked is not None:
        st.session_state["classify_run"] = linked.run_id
    tr = translator()  # bound now: Streamlit may call format_func outside this script run
    run_id = st.selectbox(
        t("Trained run"),
        ids,
        index=ids.index(default.run_id),
        format_func=lambda r: _run_caption(by_id[r], tr),
        key="classify_run",
        help=t(
            "Completed, stopped and interrupted runs that saved a model. The default is "
            "the best run on the dataset you trained last."
        ),
    )
    workspace_views.follow_link("classify", run_id)
    run = by_id[run_id]
    try:
        with st.spinner(t("Loading the model...")):
            return _run_classifier(str(run.path), run.path.joinpath("model.keras").stat().st_mtime)
    except UserInputError as error:
        show_error(error)
    return None


def _choose_file() -> predict.Classifier | None:
    upload = st.file_uploader(
        t("Keras model file (.keras)"),
        type=["keras", "h5"],
        key="classify_model_file",
        help=t(
            'A model saved with model.save("model.keras"). It is loaded in safe mode: models '
            "with Lambda layers or custom code are refused."
        ),
    )
    if upload is None:
        return None
    data = upload.getvalue()
    digest = hashlib.sha256(data).hexdigest()
    try:
        with st.spinner(t("Loading the model...")):
            model = _uploaded_model(digest, data, upload.name)
        matching = predict.matching_datasets(model)
        tr = translator()
        names = {info.id: info.name for info in matching}
        c1, c2 = st.columns(2)
        dataset = c1.selectbox(
            t("Trained on"),
            [*names, OTHER],
            key="classify_model_dataset",
            format_func=lambda d: tr("none of these") if d == OTHER else names[d],
            help=t(
                "Gives the class names and what the training images looked like (light "
                "digits on black, photos...)."
            ),
        )
        if dataset == OTHER:
            text = c2.text_input(
                t("Class names, separated by commas (optional)"),
                key="classify_model_names",
                placeholder="cat, dog",
            )
            class_names = predict.class_names_from_text(text)
            background = c2.radio(
                t("Its training images were"),
                list(STYLES),
                format_func=lambda s: tr(STYLES[s]),
                key="classify_model_style",
            )
            style = style_for_background(background)
            return _uploaded_classifier(digest, model, upload.name, class_names, style, None)
        info = datasets.get_dataset(dataset)
        return _uploaded_classifier(
            digest, model, upload.name, info.class_names, style_for_dataset(dataset), dataset
        )
    except UserInputError as error:
        show_error(error)
    return None


def choose_model() -> predict.Classifier | None:
    st.subheader(t("1. The model"))
    finished = [
        run
        for run in workspace_views.visible_runs()
        if run.status in listing.FINISHED and run.has_model
    ]
    linked = linked_run_or_stop("classify")
    if linked is not None and linked.run_id not in {run.run_id for run in finished}:
        try:  # the run is the user's to see, but has no model to use yet
            run_predictions.evaluable_run(linked.run_id, root=linked.path.parent)
        except UserInputError as error:
            show_error(error)
        linked = None
    if not finished:
        needs_first(
            t(
                "There is no trained model yet: train a model first, or upload a Keras "
                "model file (.keras) here."
            ),
            "app_pages/train.py",
            t("Go to Train"),
            ":material/model_training:",
        )
        return _choose_file()
    tr = translator()
    if linked is not None:  # a link opens a run, even after a .keras file was chosen here
        st.session_state["classify_model_source"] = "run"
    source = st.segmented_control(
        t("Model"),
        ["run", "file"],
        default="run",
        required=True,
        key="classify_model_source",
        label_visibility="collapsed",
        format_func=lambda s: tr("A run trained here") if s == "run" else tr("A .keras file"),
    )
    return _choose_file() if source == "file" else _choose_run(finished, linked)


def describe(classifier: predict.Classifier) -> None:
    spec = classifier.input
    colour = t("grayscale") if spec.channels == 1 else t("RGB")
    st.caption(
        t(
            "Input {height}x{width} {colour}, {classes} classes. Its training images: {style}.",
            height=spec.height,
            width=spec.width,
            colour=colour,
            classes=len(classifier.class_names),
            style=t(STYLES[spec.style.background]),
        )
    )


# --- one image ------------------------------------------------------------------------------------


def _probability_chart(prediction: predict.Prediction, *, true_index: int | None) -> go.Figure:
    guesses = list(reversed(prediction.top_k))  # plotly draws the first bar at the bottom
    colours = ["#1f5fbf" if g.class_index == prediction.class_index else "#9db3d9" for g in guesses]
    if true_index is not None:
        colours = [
            "#2e9e44" if g.class_index == true_index else c for g, c in zip(guesses, colours)
        ]
    fig = go.Figure(
        go.Bar(
            x=[g.probability for g in guesses],
            y=[class_label(g.label) for g in guesses],
            orientation="h",
            marker_color=colours,
            text=[f"{g.probability:.1%}" for g in guesses],
            textposition="outside",
            cliponaxis=False,
        )
    )
    fig.update_layout(
        height=70 + 38 * len(guesses),
        margin=dict(t=30, b=10, l=10, r=40),
        xaxis=dict(range=[0, 1.12], tickformat=".0%"),
        yaxis=dict(type="category"),  # class names such as "7" are labels, not numbers
        title=dict(text=t("Top {k} classes", k=len(guesses)), font=dict(size=15)),
    )
    return fig


def _unsure_text(prediction: predict.Prediction) -> str:
    first = prediction.top_k[0]
    if prediction.unsure == "tie":
        second = prediction.top_k[1]
        return t(
            "The model is unsure: {first} ({p1:.0%}) and {second} ({p2:.0%}) are almost "
            "tied. Try a clearer picture, or check the preprocessing steps.",
            first=class_label(first.label),
            second=class_label(second.label),
            p1=first.probability,
            p2=second.probability,
        )
    return t(
        "The model is unsure: its best guess, {first}, has only {p1:.0%}. The image may "
        "not look like anything it was trained on.",
        first=class_label(first.label),
        p1=first.probability,
    )


def _steps(classifier, image, *, key: str, from_dataset: bool) -> predict.Classification:
    """The preprocessing steps as thumbnails with toggles; returns the classification with the
    user's switches."""
    automatic = predict.classify(classifier, image, from_dataset=from_dataset)
    switches = {
        step.id: st.session_state.get(f"{key}-{step.id}", step.automatic)
        for step in automatic.preprocessed.steps
        if step.optional
    }
    chosen = (
        automatic
        if automatic.preprocessed.is_automatic(switches)
        else predict.classify(classifier, image, switches=switches, from_dataset=from_dataset)
    )
    st.markdown(
        t(
            "**Preprocessing**: what happens to the image before the model sees it. Switch "
            "a step off to see what it changes."
        )
    )
    columns = st.columns(len(chosen.preprocessed.steps))
    for position, (column, auto_step, step) in enumerate(
        zip(columns, automatic.preprocessed.steps, chosen.preprocessed.steps), start=1
    ):
        with column:
            st.image(square_tile(step.image), width="stretch")
            st.toggle(
                f"{position}. {t(step.title)}",
                value=auto_step.automatic,
                key=f"{key}-{step.id}",
                disabled=not step.optional,
                wrap=True,
            )
            note = step.note or (
                "" if step.optional else N_("The model cannot work without this step.")
            )
            st.caption(
                t(step.reason, **step.params) + (f"  \n*{t(note, **step.params)}*" if note else "")
            )
    return chosen


def show_classification(
    classifier,
    image: imagefile.OpenedImage,
    *,
    key: str,
    from_dataset: bool = False,
    true_index: int | None = None,
) -> None:
    """Preprocessing steps, the prediction with its top-k chart, and Grad-CAM, for one image."""
    if image.frames > 1:
        st.caption(
            t(
                "{name} has {frames} frames: the first one is classified.",
                name=image.name,
                frames=image.frames,
            )
        )
    result = _steps(classifier, image, key=key, from_dataset=from_dataset)
    prediction = result.prediction
    st.divider()
    left, middle, right = st.columns([1, 2, 2])
    with left:
        st.image(
            enlarged(result.preprocessed.image, size=160),
            caption=t("What the model sees"),
            width="stretch",
        )
        st.metric(
            t("Prediction"),
            class_label(prediction.label),
            f"{prediction.probability:.1%}",
            delta_color="off",
            delta_arrow="off",
        )
        # hierarchical runs: the coarse level too
        task_views.show_coarse(classifier, result.preprocessed.array)
        if true_index is not None:
            true_name = class_label(classifier.class_names[true_index])
            if true_index == prediction.class_index:
                st.success(
                    t("Right: this image is a {name}.", name=true_name),
                    icon=":material/check_circle:",
                )
            else:
                st.error(
                    t("Wrong: this image is a {name}.", name=true_name), icon=":material/cancel:"
                )
    with middle:
        if result.preprocessed.blank:
            st.warning(
                t(
                    "The image looks blank: nothing stands out from the background, so "
                    "the answer means little."
                ),
                icon=":material/warning:",
            )
        elif prediction.unsure:
            st.warning(_unsure_text(prediction), icon=":material/help:")
        # multi-label: every label above a threshold
        task_views.show_answer(classifier, result.preprocessed.array, key=key)
        st.plotly_chart(
            _probability_chart(prediction, true_index=true_index),
            width="stretch",
            key=f"{key}-chart",
        )
    with right:
        _gradcam(classifier, result, key=key)


def _gradcam(classifier, result: predict.Classification, *, key: str) -> None:
    st.markdown(t("**Where the model looks** (Grad-CAM)"))
    if not classifier.convolutional:
        st.caption(
            t(
                "Grad-CAM needs a convolutional network (LeNet, the course CNNs, the recommended "
                "CNN); this model has no convolution layer."
            )
        )
        return
    if classifier.input.value_range != 1.0:
        st.caption(
            t(
                "Grad-CAM is shown for models that take pixels in [0, 1]; this one rescales "
                "them itself."
            )
        )
        return
    from ui.insight_views import render_gradcam

    render_gradcam(
        classifier.model,
        result.preprocessed.array,
        [class_label(name) for name in classifier.class_names],
        key=f"{key}-gradcam",
    )


# --- several images -------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class _Batch:
    files: list  # (name, bytes, error) per image, ZIP entries unpacked
    skipped: list  # names of files that are not images
    left_out: int  # images beyond the ZIP limits
    rows: list  # predict.BatchRow per file


def _batch(classifier, uploads: list) -> _Batch:
    """The uploads unpacked and classified, kept for this session while the same files and model are
    chosen."""
    key = (classifier.name, repr(classifier.input), tuple(upload.file_id for upload in uploads))
    cached = st.session_state.get(_BATCH)
    if cached and cached[0] == key:
        return cached[1]
    files, skipped, left_out = imagefile.unpack_uploads(
        (upload.name, upload.getvalue()) for upload in uploads
    )
    with st.spinner(t("Classifying {count} images...", count=len(files))):
        batch = _Batch(files, skipped, left_out, predict.classify_many(classifier, files))
    st.session_state[_BATCH] = (key, batch)
    return batch


def show_batch(classifier, batch: _Batch) -> None:
    rows = batch.rows
    done = [row for row in rows if row.prediction is not None]
    summary = t(
        "{done} of {count} images classified.", done=number(len(done)), count=number(len(rows))
    )
    if len(done) < len(rows):
        summary += " " + t(
            "{refused} refused (see the last column).", refused=number(len(rows) - len(done))
        )
    if batch.skipped:
        names = ", ".join(batch.skipped[:5]) + (" ..." if len(batch.skipped) > 5 else "")
        summary += " " + t(
            "{count} files that are not images were skipped: {names}.",
            count=number(len(batch.skipped)),
            names=names,
        )
    if batch.left_out:
        summary += " " + t(
            "{count} more images were left out: at most {limit} images are read from one ZIP.",
            count=number(batch.left_out),
            limit=number(imagefile.MAX_ZIP_IMAGES),
        )
    st.markdown(summary)
    second = [row.prediction.runner_up if row.prediction else None for row in rows]
    table = pd.DataFrame(
        {
            "image": [
                png_data_url(enlarged(row.thumbnail, size=THUMB)) if row.thumbnail else ""
                for row in rows
            ],
            "input": [
                png_data_url(enlarged(row.model_input, size=THUMB)) if row.model_input else ""
                for row in rows
            ],
            "file": [row.name for row in rows],
            "label": [class_label(row.prediction.label) if row.prediction else "" for row in rows],
            "probability": [row.prediction.probability if row.prediction else None for row in rows],
            "second": [
                f"{class_label(guess.label)} ({guess.probability:.0%})" if guess else ""
                for guess in second
            ],
            "unsure": [row.unsure for row in rows],
            "error": [error_message(row.error) if row.error else "" for row in rows],
        }
    )
    selection = st.dataframe(
        table,
        hide_index=True,
        width="stretch",
        row_height=THUMB + 8,
        on_select="rerun",
        selection_mode="single-row",
        key="classify_batch_table",
        column_config={
            "image": st.column_config.ImageColumn(t("Image"), width="small"),
            "input": st.column_config.ImageColumn(t("Model input"), width="small"),
            "file": st.column_config.TextColumn(t("File")),
            "label": st.column_config.TextColumn(t("Prediction")),
            "probability": st.column_config.ProgressColumn(
                t("Probability"), format="percent", min_value=0.0, max_value=1.0
            ),
            "second": st.column_config.TextColumn(t("Second guess")),
            "unsure": st.column_config.CheckboxColumn(t("Unsure")),
            "error": st.column_config.TextColumn(t("Refused because"), width="large"),
        },
    )
    st.download_button(
        t("Download the predictions (CSV)"),
        predict.batch_csv(rows, message=error_message, label=class_label),
        file_name="predictions.csv",
        mime="text/csv",
        icon=":material/download:",
        key="classify_batch_csv",
    )
    picked = selection.selection.rows if selection is not None else []
    if picked and rows[picked[0]].prediction is not None:
        name, data, _ = batch.files[picked[0]]
        st.subheader(name)
        show_classification(
            classifier,
            imagefile.open_image(data, name=name),
            key=f"batch-{hashlib.sha1(data).hexdigest()[:10]}",
        )
    elif done:
        st.caption(
            t("Select a row to see its preprocessing steps, all its probabilities and Grad-CAM.")
        )


# --- the inputs -----------------------------------------------------------------------------------


def upload_tab(classifier) -> None:
    uploads = st.file_uploader(
        t("Images, or a ZIP of images"),
        accept_multiple_files=True,
        key="classify_upload",
        help=t(
            "PNG, JPEG, BMP, GIF (first frame), WebP or TIFF, up to {limit} MB each; several "
            "at once, or a ZIP of them.",
            limit=imagefile.MAX_FILE_BYTES // (1024 * 1024),
        ),
    )
    if not uploads:
        st.caption(
            t(
                "Tip: for a handwritten digit, write it large with a dark pen on white "
                "paper and take a photo; the steps below turn it into MNIST's white on "
                "black."
            )
        )
        return
    first = uploads[0].getvalue()
    if len(uploads) == 1 and not imagefile.is_zip(first):
        try:
            image = imagefile.open_image(first, name=uploads[0].name)
        except UserInputError as error:
            show_error(error)
            return
        show_classification(classifier, image, key=f"upload-{hashlib.sha1(first).hexdigest()[:10]}")
        return
    batch = _batch(classifier, uploads)
    if batch.files:
        show_batch(classifier, batch)
    else:
        st.warning(
            t(
                "The ZIP holds no image files ({count} other files were skipped).",
                count=number(len(batch.skipped)),
            ),
            icon=":material/warning:",
        )


def camera_tab(classifier) -> None:
    if not auth.is_secure_context():
        st.warning(
            t(
                "The camera is off: browsers give it only to secure pages, and this page was "
                "opened at {url}. Open the app at an https:// address (or at http://localhost on "
                "the server itself), or ask your teacher to serve it over https. Meanwhile, upload "
                "a photo in the Upload tab.",
                url=st.context.url,
            ),
            icon=":material/no_photography:",
        )
        return
    if camera_views.live_mode():
        camera_views.live_classifier(classifier)
        return
    shot = st.camera_input(t("Take a picture"), key="classify_camera")
    if shot is None:
        st.caption(
            t(
                "Hold the object (or your digit on paper) in the middle, close to the camera, "
                "on a plain background."
            )
        )
        return
    data = shot.getvalue()
    try:
        image = imagefile.open_image(data, name=t("camera shot"))
    except UserInputError as error:
        show_error(error)
        return
    show_classification(classifier, image, key=f"camera-{hashlib.sha1(data).hexdigest()[:10]}")


def draw_tab(classifier) -> None:
    from streamlit_drawable_canvas import st_canvas

    left, right = st.columns([1, 2])
    with left:
        pen = st.slider(t("Pen width"), 8, 40, 22, key="classify_pen")
        canvas = st_canvas(
            stroke_width=pen,
            stroke_color="#FFFFFF",
            background_color="#000000",
            height=280,
            width=280,
            drawing_mode="freedraw",
            return_image_data=True,
            key="classify_canvas",
        )
    with right:
        st.markdown(
            t(
                "Draw one digit, large and in the middle, in white on the black square "
                "- like the MNIST images. The canvas toolbar undoes or clears."
            )
        )
    pixels = canvas.image_data
    if imagefile.is_blank_drawing(pixels):
        st.info(
            t("Draw a digit with the mouse, a pen or a finger: the prediction appears here."),
            icon=":material/draw:",
        )
        return
    image = imagefile.from_drawing(pixels, name=t("drawing"))
    show_classification(
        classifier, image, key=f"draw-{hashlib.sha1(pixels.tobytes()).hexdigest()[:10]}"
    )


def gallery_tab(classifier) -> None:
    dataset = classifier.dataset
    if dataset is None:
        st.info(
            t(
                "Choose the dataset this model was trained on (above) to pick one of its "
                "test images."
            ),
            icon=":material/info:",
        )
        return
    try:
        raw = datasets.load_raw(dataset)
        info = datasets.get_dataset(dataset)
    except UserInputError as error:
        show_error(error)
        return
    seed = st.session_state.get(_GALLERY_SEED, 0)
    picks = explore.random_indices(len(raw.x_test), GALLERY_SIZE, seed=seed)
    top = st.columns([4, 1])
    top[0].markdown(
        t(
            "{count} test images of {dataset} the model never trained on. Pick one:",
            count=len(picks),
            dataset=datasets.get_dataset(dataset).name,
        )
    )
    if top[1].button(t("Other images"), icon=":material/shuffle:", key="classify_gallery_shuffle"):
        st.session_state[_GALLERY_SEED] = seed + 1
        st.session_state.pop(_GALLERY_PICK, None)
        st.rerun()
    columns = st.columns(6)
    for position, index in enumerate(picks):
        with columns[position % 6]:
            st.image(
                enlarged(imagefile.from_array(raw.x_test[index]).image, size=96),
                caption=task_views.true_label_caption(info, raw.y_test[index]),
            )
            if st.button(t("Classify"), key=f"classify_gallery_{index}", width="stretch"):
                st.session_state[_GALLERY_PICK] = int(index)
    index = st.session_state.get(_GALLERY_PICK)
    if index is None or index >= len(raw.x_test):
        return
    true_index = task_views.true_index(info, raw.y_test[index])  # None for multi-label images
    if true_index is not None and true_index >= len(classifier.class_names):
        true_index = None  # a model with fewer classes than the dataset
    st.subheader(t("Test image #{index}", index=index))
    image = imagefile.from_array(raw.x_test[index], name=t("Test image #{index}", index=index))
    show_classification(
        classifier,
        image,
        key=f"gallery-{dataset}-{index}",
        from_dataset=True,
        true_index=true_index,
    )


def choose_image(classifier) -> None:
    """The input tabs: upload, camera, draw (digit models) and the dataset's test images."""
    st.subheader(t("2. The image"))
    inputs = {"upload": (t("Upload"), upload_tab), "camera": (t("Camera"), camera_tab)}
    if classifier.input.digit_like:
        inputs["draw"] = (t("Draw"), draw_tab)
    inputs["gallery"] = (t("From the dataset"), gallery_tab)
    tabs = st.tabs(
        [label for label, _ in inputs.values()], key="classify_input_tab", on_change="rerun"
    )
    for tab, (_, render) in zip(tabs, inputs.values()):
        # only the open tab runs (the camera asks for permission only when shown)
        if tab.open is not False:
            with tab:
                render(classifier)


# --- the page -------------------------------------------------------------------------------------

st.title(t("Classify your own image"))
st.markdown(
    t(
        "Upload a photo, take one with the camera or draw a digit, and see what a trained "
        "model predicts."
    )
)
classifier = choose_model()
if classifier is not None:
    describe(classifier)
    choose_image(classifier)
