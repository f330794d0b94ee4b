"""clfcore dashboard: the router. Page config, language selector, sign-in (on a class server),
and every page with its URL path."""

import streamlit as st

from clfcore import tfenv

# the evaluation, Grad-CAM and prediction run in this process: before TensorFlow loads
tfenv.prefer_onednn()

from ui import auth, experiment_link, lang, session  # noqa: E402
from ui.lang import t  # noqa: E402

st.set_page_config(page_title="clfcore dashboard", page_icon=":material/neurology:", layout="wide")
lang.selector()
auth.gate()  # a class server: sign-in first (personal mode: nothing)

PAGES = [
    st.Page("app_pages/home.py", title=t("Home"), icon=":material/home:", default=True),
    st.Page(
        "app_pages/lessons.py", title=t("Lessons"), icon=":material/school:", url_path="lessons"
    ),
    st.Page(
        "app_pages/dataset.py",
        title=t("Dataset"),
        icon=":material/photo_library:",
        url_path="dataset",
    ),
    st.Page(
        "app_pages/augment.py",
        title=t("Augmentation"),
        icon=":material/auto_fix_high:",
        url_path="augment",
    ),
    st.Page(
        "app_pages/convolution.py",
        title=t("Convolution lab"),
        icon=":material/filter_center_focus:",
        url_path="convolution",
    ),
    st.Page(
        "app_pages/model.py", title=t("Model"), icon=":material/account_tree:", url_path="model"
    ),
    st.Page(
        "app_pages/train.py", title=t("Train"), icon=":material/model_training:", url_path="train"
    ),
    st.Page("app_pages/tune.py", title=t("Tune"), icon=":material/tune:", url_path="tune"),
    st.Page(
        "app_pages/evaluate.py",
        title=t("Evaluate"),
        icon=":material/insights:",
        url_path="evaluate",
    ),
    st.Page(
        "app_pages/classify.py",
        title=t("Classify"),
        icon=":material/image_search:",
        url_path="classify",
    ),
    st.Page("app_pages/runs.py", title=t("Runs"), icon=":material/history:", url_path="runs"),
    # listed to students too, hidden: one who opens /class is told it is for teachers
    st.Page(
        "app_pages/class.py",
        title=t("Class"),
        icon=":material/groups:",
        url_path="class",
        visibility="visible" if session.sees_the_class() else "hidden",
    ),
]
page = st.navigation(PAGES)
experiment_link.follow(page.url_path)  # a link's experiment in, the session's kept in the URL
page.run()
