"""Plotly figures several pages draw: learning curves and the learning-rate schedule."""

from __future__ import annotations

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from ui.lang import t

TRAIN_COLOUR, VAL_COLOUR = "#1f5fbf", "#e4572e"


def learning_curves(history: list[dict], *, height: int = 360) -> go.Figure:
    """Loss and accuracy per epoch, training vs validation, side by side."""
    fig = make_subplots(rows=1, cols=2, subplot_titles=(t("Loss"), t("Accuracy")))
    epochs = [int(row["epoch"]) for row in history]
    for col, metric in ((1, "loss"), (2, "accuracy")):
        for key, name, colour in (
            (metric, t("training"), TRAIN_COLOUR),
            (f"val_{metric}", t("validation"), VAL_COLOUR),
        ):
            values = [row.get(key) for row in history]
            if any(v is not None for v in values):
                fig.add_trace(
                    go.Scatter(
                        x=epochs,
                        y=values,
                        mode="lines+markers",
                        name=name,
                        line=dict(color=colour),
                        legendgroup=name,
                        showlegend=col == 1,
                    ),
                    row=1,
                    col=col,
                )
    fig.update_xaxes(title_text=t("Epoch"), dtick=1 if len(epochs) <= 20 else None)
    fig.update_yaxes(tickformat=".0%", row=1, col=2)
    fig.update_layout(
        height=height, margin=dict(t=40, b=10, l=10, r=10), legend=dict(orientation="h", y=-0.2)
    )
    return fig


def schedule_preview(rates: list[float], *, height: int = 220) -> go.Figure:
    fig = go.Figure(
        go.Scatter(
            x=list(range(1, len(rates) + 1)),
            y=rates,
            mode="lines+markers",
            line=dict(color=TRAIN_COLOUR),
        )
    )
    fig.update_layout(
        height=height,
        margin=dict(t=10, b=10, l=10, r=10),
        xaxis_title=t("Epoch"),
        yaxis_title=t("Learning rate"),
    )
    return fig
