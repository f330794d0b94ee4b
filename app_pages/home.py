"""Home: what the app does, the quick start, and the status of datasets and runs."""

import pandas as pd
import streamlit as st

from clfcore.data import datasets
from clfcore.teaching import progress
from ui import lesson_views, session, workspace_views
from ui.lang import t

st.title("clfcore dashboard")
st.markdown(
    t(
        "Train and inspect image classifiers with Keras, live, in class: see how a neural "
        "network learns, where it fails, and why."
    )
)

left, right = st.columns([5, 4], gap="large")
with left:
    st.subheader(t("Quick start"))
    st.markdown(t("Five steps from nothing to a trained model and your own prediction:"))
    st.page_link(
        "app_pages/dataset.py",
        label=t("1. Pick a dataset and look at its images"),
        icon=":material/photo_library:",
    )
    st.page_link(
        "app_pages/model.py",
        label=t("2. Choose an architecture (the course's MLP, LeNet, CNNs)"),
        icon=":material/account_tree:",
    )
    st.page_link(
        "app_pages/augment.py",
        label=t("3. Optionally add data augmentation"),
        icon=":material/auto_fix_high:",
    )
    st.page_link(
        "app_pages/train.py",
        label=t("4. Train it and watch the learning curves live"),
        icon=":material/model_training:",
    )
    st.page_link(
        "app_pages/evaluate.py",
        label=t("5. Evaluate it, then classify your own photo or drawing"),
        icon=":material/insights:",
    )

    # the lessons: where this user left off, or where to start
    left_off = lesson_views.left_off_text(progress.load(session.workspace()))
    st.page_link(
        "app_pages/lessons.py",
        label=left_off or t("New here? Follow the course step by step in Lessons."),
        icon=":material/school:",
    )

    st.subheader(t("What you can do here"))
    for line in (
        t("Explore MNIST, Fashion-MNIST, CIFAR-10/100, scikit-learn's digits or your own images."),
        t("Build the course's models or your own, and read their Keras code."),
        t("Tweak data augmentation and see its effect immediately."),
        t("Train with a live progress bar and learning curves; stopping never loses the model."),
        t("Read the confusion matrix, precision, recall and F1 per class, and Grad-CAM heatmaps."),
        t("Compare runs side by side, and classify an uploaded photo, a camera shot or a drawing."),
    ):
        st.markdown(f"- {line}")

with right:
    st.subheader(t("Datasets on this machine"))
    rows = []
    workspace = session.workspace()
    for info in datasets.list_datasets(owner=workspace.owner):
        ready = datasets.availability(info.id).available
        rows.append(
            {
                t("Dataset"): info.name,
                t("Images"): f"{info.image_shape[0]}x{info.image_shape[1]}x{info.channels}",
                t("Classes"): info.num_classes,
                t("Status"): t("ready") if ready else t("needs download"),
            }
        )
    st.table(pd.DataFrame(rows).set_index(t("Dataset")))

    st.subheader(t("Training runs"))
    all_runs = workspace_views.visible_runs()
    if all_runs:
        by_status = pd.Series([run.status for run in all_runs]).value_counts()
        st.markdown(
            t(
                "{count} runs saved: {detail}.",
                count=len(all_runs),
                detail=", ".join(f"{n} {t(s)}" for s, n in by_status.items()),
            )
        )
        st.page_link("app_pages/runs.py", label=t("See all runs"), icon=":material/history:")
    else:
        st.info(t("No training runs yet. Train a first model to see it here."))
        st.page_link("app_pages/train.py", label=t("Go to Train"), icon=":material/model_training:")
    st.caption(
        t(
            "Runs are saved in {runs}; your datasets live in {data}.",
            runs=str(workspace.runs_dir),
            data=str(workspace.data_dir),
        )
    )
