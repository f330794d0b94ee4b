"""Plotly figures of the Evaluate and Runs pages: confusion matrix, ROC / PR, probabilities,
comparisons."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from plotly.colors import qualitative
from plotly.subplots import make_subplots

from clfcore.evaluation import browse
from ui.charts import BEST_COLOUR, MARGIN, TRAIN_COLOUR, VAL_COLOUR, history_values
from ui.lang import t

WRONG_COLOUR = "#d62728"
PALETTE = qualitative.D3 + qualitative.Set2 + qualitative.Dark24


def confusion_heatmap(
    confusion: np.ndarray,
    class_names: list[str],
    *,
    normalise: bool = False,
    chosen: tuple[int, int] | None = None,
) -> go.Figure:
    """The confusion matrix (rows true, columns predicted), counts or each row divided by its total.

    An invisible marker sits on every cell: Plotly heatmaps send no selection events, markers do,
    so clicking a cell selects its (true, predicted) pair. ``chosen`` is outlined.
    """
    c = len(class_names)
    counts = np.asarray(confusion)
    shares = browse.row_shares(counts)
    z = shares if normalise else counts
    show_text = c <= 20
    fig = go.Figure(
        go.Heatmap(
            z=z,
            x=list(range(c)),
            y=list(range(c)),
            colorscale="Blues",
            hoverinfo="skip",
            showscale=True,
            text=[
                [f"{v:.0%}" if normalise else f"{v:d}" for v in row]
                for row in (shares if normalise else counts)
            ]
            if show_text
            else None,
            texttemplate="%{text}" if show_text else None,
            zmin=0,
            zmax=1 if normalise else max(int(counts.max()), 1),
        )
    )
    ii, jj = np.meshgrid(np.arange(c), np.arange(c), indexing="ij")
    custom = np.stack(
        [
            np.array(class_names, dtype=object)[ii.ravel()],
            np.array(class_names, dtype=object)[jj.ravel()],
            counts.ravel(),
            shares.ravel(),
        ],
        axis=1,
    )
    fig.add_trace(
        go.Scatter(
            x=jj.ravel(),
            y=ii.ravel(),
            mode="markers",
            marker=dict(size=18, opacity=0, symbol="square"),
            customdata=custom,
            showlegend=False,
            selected=dict(marker=dict(opacity=0)),
            unselected=dict(marker=dict(opacity=0)),
            hovertemplate=t(
                "true: %{customdata[0]}<br>predicted: %{customdata[1]}<br>%{customdata[2]} "
                "images (%{customdata[3]:.1%} of the row)"
            )
            + "<extra></extra>",
        )
    )
    if chosen is not None:
        i, j = chosen
        fig.add_shape(
            type="rect",
            x0=j - 0.5,
            x1=j + 0.5,
            y0=i - 0.5,
            y1=i + 0.5,
            line=dict(color=WRONG_COLOUR, width=3),
        )
    ticks = dict(
        tickmode="array",
        tickvals=list(range(c)),
        ticktext=class_names,
        showgrid=False,
        zeroline=False,
    )
    fig.update_xaxes(title_text=t("Predicted class"), side="bottom", **ticks, range=[-0.5, c - 0.5])
    fig.update_yaxes(title_text=t("True class"), autorange="reversed", **ticks)
    size = min(max(380, 36 * c + 160), 900)
    fig.update_layout(
        height=size,
        margin=MARGIN,
        clickmode="event+select",
        dragmode=False,
        hovermode="closest",
        hoverdistance=-1,
    )
    return fig


def _colour(index: int) -> str:
    return PALETTE[index % len(PALETTE)]


def _one_vs_rest_figure(
    fig: go.Figure,
    curves: list,
    class_names: list[str],
    shown: list[int],
    *,
    point: tuple[float, float] | None,
    height: int,
    area: str,
    hover: str,
    line: dict,
    x_title: str,
    y_title: str,
    y_top: float,
) -> go.Figure:
    """ROC and PR alike: one line a shown class (its area in the legend), the chosen threshold's
    point."""
    for c in shown:
        curve = curves[c]
        if curve is None:
            continue
        thin = curve.thinned()
        fig.add_trace(
            go.Scatter(
                x=thin.x,
                y=thin.y,
                mode="lines",
                line=dict(color=_colour(c), **line),
                name=f"{class_names[c]} ({area} {curve.area:.3f})",
                hovertemplate=hover + "<extra>" + class_names[c] + "</extra>",
            )
        )
    if point is not None:
        fig.add_trace(
            go.Scatter(
                x=[point[0]],
                y=[point[1]],
                mode="markers",
                marker=dict(size=13, color="black", symbol="x"),
                name=t("chosen threshold"),
            )
        )
    fig.update_layout(
        height=height,
        margin=MARGIN,
        xaxis_title=x_title,
        yaxis_title=y_title,
        legend=dict(font=dict(size=11)),
    )
    fig.update_xaxes(range=[-0.01, 1.01])
    fig.update_yaxes(range=[-0.01, y_top])
    return fig


def roc_figure(
    curves: list,
    class_names: list[str],
    shown: list[int],
    *,
    point: tuple[float, float] | None = None,
    height: int = 420,
) -> go.Figure:
    """One-vs-rest ROC curves of the ``shown`` classes, AUC in the legend; ``point`` marks a
    threshold's (FPR, TPR)."""
    chance = go.Scatter(
        x=[0, 1],
        y=[0, 1],
        mode="lines",
        line=dict(color="#aaaaaa", dash="dot"),
        name=t("chance (AUC 0.5)"),
    )
    return _one_vs_rest_figure(
        go.Figure(chance),
        curves,
        class_names,
        shown,
        point=point,
        height=height,
        area="AUC",
        hover=t("false positive rate %{x:.3f}<br>true positive rate %{y:.3f}"),
        line={},
        x_title=t("False positive rate (1 - specificity)"),
        y_title=t("True positive rate (recall)"),
        y_top=1.01,
    )


def pr_figure(
    curves: list,
    class_names: list[str],
    shown: list[int],
    *,
    point: tuple[float, float] | None = None,
    height: int = 420,
) -> go.Figure:
    """One-vs-rest precision-recall curves of the ``shown`` classes, average precision in the
    legend."""
    return _one_vs_rest_figure(
        go.Figure(),
        curves,
        class_names,
        shown,
        point=point,
        height=height,
        area="AP",
        hover=t("recall %{x:.3f}<br>precision %{y:.3f}"),
        line={"shape": "hv"},
        x_title=t("Recall"),
        y_title=t("Precision"),
        y_top=1.05,
    )


def small_confusion(confusion: np.ndarray, labels: list[str], *, height: int = 260) -> go.Figure:
    """A 2x2 confusion matrix (rows true) with TN / FP / FN / TP written in the cells."""
    names = [[t("TN"), t("FP")], [t("FN"), t("TP")]]
    text = [[f"{names[i][j]}<br>{int(confusion[i][j])}" for j in range(2)] for i in range(2)]
    fig = go.Figure(
        go.Heatmap(
            z=confusion,
            x=labels,
            y=labels,
            text=text,
            texttemplate="%{text}",
            colorscale="Blues",
            showscale=False,
            hoverinfo="skip",
        )
    )
    fig.update_xaxes(title_text=t("Predicted class"), type="category")
    fig.update_yaxes(title_text=t("True class"), autorange="reversed", type="category")
    fig.update_layout(height=height, margin=MARGIN)
    return fig


def probability_bars(
    probabilities: np.ndarray,
    class_names: list[str],
    *,
    true: int | None,
    predicted: int,
    top: int = 10,
    height: int | None = None,
) -> go.Figure:
    """The ``top`` most probable classes as horizontal bars; the true class green, a wrong
    prediction red."""
    order = browse.top_classes(probabilities, top=top, include=true)
    colours = [
        BEST_COLOUR if c == true else WRONG_COLOUR if c == predicted else TRAIN_COLOUR
        for c in order
    ]
    fig = go.Figure(
        go.Bar(
            x=probabilities[order],
            y=[f"<b>{class_names[c]}</b>" if c == true else class_names[c] for c in order],
            orientation="h",
            marker_color=colours,
            text=[f"{p:.1%}" for p in probabilities[order]],
            textposition="auto",
            hovertemplate="%{y}: %{x:.2%}<extra></extra>",
        )
    )
    fig.update_xaxes(range=[0, 1], tickformat=".0%", title_text=t("Probability"))
    fig.update_yaxes(autorange="reversed")
    fig.update_layout(height=height or 60 + 28 * len(order), margin=MARGIN)
    return fig


def per_class_bars(
    values: dict[str, np.ndarray], class_names: list[str], *, height: int = 320
) -> go.Figure:
    """Precision, recall and F1 per class as grouped bars."""
    fig = go.Figure()
    for (label, array), colour in zip(values.items(), (TRAIN_COLOUR, VAL_COLOUR, BEST_COLOUR)):
        fig.add_trace(
            go.Bar(
                x=class_names,
                y=array,
                name=label,
                marker_color=colour,
                hovertemplate="%{x}: %{y:.1%}<extra>" + label + "</extra>",
            )
        )
    fig.update_yaxes(range=[0, 1.02], tickformat=".0%")
    fig.update_layout(
        height=height, margin=MARGIN, barmode="group", legend=dict(orientation="h", y=1.12)
    )
    return fig


def compare_curves(histories: list[tuple[str, list[dict]]], *, height: int = 400) -> go.Figure:
    """Several runs' loss and accuracy per epoch on the same axes: validation solid, training
    dotted."""
    fig = make_subplots(
        rows=1, cols=2, subplot_titles=(t("Loss"), t("Accuracy")), horizontal_spacing=0.07
    )
    for index, (label, history) in enumerate(histories):
        epochs = [int(row["epoch"]) for row in history]
        colour = _colour(index)
        for col, metric in ((1, "loss"), (2, "accuracy")):
            for key, dash, part in (
                (f"val_{metric}", "solid", t("validation")),
                (metric, "dot", t("training")),
            ):
                values = history_values(history, key)
                if any(v is not None for v in values):
                    fig.add_trace(
                        go.Scatter(
                            x=epochs,
                            y=values,
                            mode="lines+markers",
                            line=dict(color=colour, dash=dash),
                            marker=dict(size=5),
                            name=f"{label} · {part}",
                            legendgroup=label,
                            showlegend=col == 1,
                        ),
                        row=1,
                        col=col,
                    )
    fig.update_xaxes(title_text=t("Epoch"))
    fig.update_yaxes(tickformat=".0%", row=1, col=2)
    fig.update_layout(height=height, margin=MARGIN, legend=dict(orientation="h", y=-0.25))
    return fig
