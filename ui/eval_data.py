"""What the Evaluate page computes once per run and keeps: the test predictions, the report, the
curves, the model, the sample the inside-the-network views show, the similar-images index.

Cached per run (keyed by the run's folder - runs of several workspaces may be open - and the model
file's time, so a retrained model is evaluated again). Only a run the session may see
(ui.workspace_views) is ever handed to them.
"""

from pathlib import Path

import numpy as np
import streamlit as st

from clfcore.evaluation import browse, roc_pr, run_predictions, scoring
from clfcore.evaluation.run_predictions import Predictions
from clfcore.evaluation.scoring import Report
from clfcore.inference import similar
from clfcore.runs import lineage
from clfcore.runs.folder import RunFolder
from ui import charts
from ui.heap import freeze_long_lived

INSIGHT_IMAGES = (
    2000  # test images handed to the feature-space and inside-the-network views (stratified)
)


def evaluable(run_dir: str) -> RunFolder:
    folder = Path(run_dir)
    return run_predictions.evaluable_run(folder.name, root=folder.parent)


@st.cache_data(show_spinner=False, max_entries=16)
def predictions(run_dir: str, stamp: int) -> Predictions:
    found = run_predictions.predict_run(evaluable(run_dir))
    freeze_long_lived()  # TensorFlow may just have loaded
    return found


@st.cache_data(show_spinner=False, max_entries=16)
def report(run_dir: str, stamp: int, threshold: float = 0.5) -> Report:
    return scoring.evaluate(predictions(run_dir, stamp), threshold=threshold)


@st.cache_data(show_spinner=False, max_entries=16)
def curves(run_dir: str, stamp: int) -> dict:
    return roc_pr.one_vs_rest_curves(predictions(run_dir, stamp))


@st.cache_resource(show_spinner=False, max_entries=4)
def model(run_dir: str, stamp: int):
    loaded = run_predictions.load_model(evaluable(run_dir))
    freeze_long_lived()  # the model and TensorFlow live as long as the server
    return loaded


# Figures every session of a run shows alike, built once (plotly's Figure construction is the
# costliest part of a view) and shared: st.plotly_chart only reads them (it copies the figure
# before serialising it). Never modify a returned figure.
@st.cache_resource(show_spinner=False, max_entries=16)
def learning_curves(run_dir: str, stamp: int, language: str, best_epoch: int | None):
    history = lineage.continued_history(evaluable(run_dir))  # a continued run: its parent's too
    return charts.learning_curves(
        history, best_epoch=best_epoch, continued_at=lineage.continued_at(history)
    )


@st.cache_resource(show_spinner=False, max_entries=4)
def insight_images(run_dir: str, stamp: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The stratified sample the feature-space and inside-the-network views show: positions in
    the test set, their labels, the images scaled; shared by every session, so read-only."""
    run = evaluable(run_dir)
    preds = predictions(run_dir, stamp)
    sample = browse.insight_sample(preds, INSIGHT_IMAGES)
    arrays = (sample, browse.single_labels(preds, sample), images(run, sample))
    for array in arrays:
        array.setflags(write=False)
    return arrays


@st.cache_resource(show_spinner=False, max_entries=2)
def similar_index(run_dir: str, stamp: int) -> tuple[similar.NeighbourIndex, np.ndarray]:
    """The nearest-neighbour index of a sample of the run's training images in its model's
    penultimate-layer space, and those images; shared by every session, so read-only."""
    positions, pictures, labels = run_predictions.training_sample(evaluable(run_dir).config())
    pictures.setflags(write=False)
    index = similar.fit_index(model(run_dir, stamp), pictures, labels, positions=positions)
    return index, pictures


def images(run: RunFolder, indices) -> np.ndarray:
    return run_predictions.scaled_test_images(run.config(), indices)
