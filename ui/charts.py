"""Plotly figures several pages draw: learning curves, the learning-rate schedule, images per
split."""

from __future__ import annotations

import pandas as pd
import plotly.express as px
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from ui.lang import t
from ui.widgets import class_label

TRAIN_COLOUR, VAL_COLOUR = "#1f5fbf", "#e4572e"
GAP_COLOUR = "rgba(228, 87, 46, 0.15)"
BEST_COLOUR = "#2a9d4b"
CONTINUED_COLOUR, EARLIER_COLOUR = "#555555", "rgba(127, 127, 127, 0.12)"
MARGIN = dict(t=40, b=10, l=10, r=10)


def history_values(history: list[dict], key: str) -> list[float | None]:
    return [row.get(key) for row in history]


def learning_curves(
    history: list[dict],
    *,
    best_epoch: int | None = None,
    gap: bool = True,
    learning_rate: bool = True,
    height: int = 380,
    continued_at: list[int] | tuple[int, ...] = (),
) -> go.Figure:
    """Loss and accuracy per epoch, training vs validation: the one learning-curve figure.

    Args:
        history: the run's history rows (``RunFolder.history()``).
        best_epoch: the epoch model.keras keeps, marked with a dashed line. Defaults to none.
        gap: shade the region between training and validation (overfitting). Defaults to True.
        learning_rate: add a third panel with the learning rate, when the history has it.
            Defaults to True.
        height: the figure's height in pixels.
        continued_at: the epochs after which a continued run took over (a lineage's history,
            ``clfcore.runs.lineage``): the earlier runs' part is shaded grey and a dotted line
            says "continued here". Defaults to none.
    """
    has_lr = learning_rate and any(v is not None for v in history_values(history, "learning_rate"))
    titles = (t("Loss"), t("Accuracy")) + ((t("Learning rate"),) if has_lr else ())
    fig = make_subplots(rows=1, cols=len(titles), subplot_titles=titles, horizontal_spacing=0.07)
    epochs = [int(row["epoch"]) for row in history]
    for col, metric in ((1, "loss"), (2, "accuracy")):
        train, val = history_values(history, metric), history_values(history, f"val_{metric}")
        pairs = [
            (e, a, b) for e, a, b in zip(epochs, train, val) if a is not None and b is not None
        ]
        # the region between the two curves: how much better the model does on what it trained on
        if gap and pairs:
            xs = [p[0] for p in pairs]
            fig.add_trace(
                go.Scatter(
                    x=xs + xs[::-1],
                    y=[p[1] for p in pairs] + [p[2] for p in pairs][::-1],
                    fill="toself",
                    fillcolor=GAP_COLOUR,
                    line=dict(width=0),
                    hoverinfo="skip",
                    name=t("gap (overfitting)"),
                    legendgroup="gap",
                    showlegend=col == 1,
                ),
                row=1,
                col=col,
            )
        for values, name, colour in (
            (train, t("training"), TRAIN_COLOUR),
            (val, t("validation"), VAL_COLOUR),
        ):
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
    if has_lr:
        rates = history_values(history, "learning_rate")
        fig.add_trace(
            go.Scatter(
                x=epochs,
                y=rates,
                mode="lines+markers",
                name=t("learning rate"),
                line=dict(color="#7f7f7f"),
                showlegend=False,
            ),
            row=1,
            col=3,
        )
        top = max(v for v in rates if v is not None)
        # from 0: a constant rate is a flat line
        fig.update_yaxes(range=[0, top * 1.15 if top > 0 else 1], tickformat=".2~g", row=1, col=3)
    if best_epoch is not None:
        for col in range(1, len(titles) + 1):
            fig.add_vline(
                x=best_epoch, line=dict(color=BEST_COLOUR, dash="dash", width=1.5), row=1, col=col
            )
        fig.add_trace(
            go.Scatter(
                x=[None],
                y=[None],
                mode="lines",
                line=dict(color=BEST_COLOUR, dash="dash"),
                name=t("best epoch ({epoch})", epoch=best_epoch),
            ),
            row=1,
            col=1,
        )
    if continued_at and epochs:
        _mark_continued(fig, epochs[0], continued_at, columns=len(titles))
    fig.update_xaxes(title_text=t("Epoch"), dtick=1 if len(epochs) <= 20 else None)
    fig.update_yaxes(tickformat=".0%", row=1, col=2)
    fig.update_layout(height=height, margin=MARGIN, legend=dict(orientation="h", y=-0.25))
    return fig


def _mark_continued(fig: go.Figure, first: int, continued_at, *, columns: int) -> None:
    """Shade the earlier runs' epochs and draw a dotted "continued here" line after each."""
    for col in range(1, columns + 1):
        fig.add_vrect(
            x0=first - 0.5,
            x1=max(continued_at) + 0.5,
            fillcolor=EARLIER_COLOUR,
            line_width=0,
            layer="below",
            row=1,
            col=col,
        )
        for epoch in continued_at:
            fig.add_vline(
                x=epoch + 0.5,
                line=dict(color=CONTINUED_COLOUR, dash="dot", width=1.5),
                row=1,
                col=col,
            )
    fig.add_trace(
        go.Scatter(
            x=[None],
            y=[None],
            mode="lines",
            line=dict(color=CONTINUED_COLOUR, dash="dot"),
            name=t("continued here (grey: the run it continues)"),
        ),
        row=1,
        col=1,
    )


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


def split_bars(counts: pd.DataFrame, *, x_title: str, height: int = 380) -> go.Figure:
    """Images per class (rows) and split (columns ``train``, ``validation``, ``test``), grouped
    bars."""
    long = (
        counts.rename(index=class_label)
        .reset_index()
        .melt(id_vars="class", var_name="split", value_name="images")
    )
    long["split"] = long["split"].map(
        {"train": t("Training"), "validation": t("Validation"), "test": t("Test")}
    )
    fig = px.bar(
        long,
        x="class",
        y="images",
        color="split",
        barmode="group",
        labels={"class": x_title, "images": t("Images"), "split": t("Split")},
    )
    fig.update_layout(height=height, margin=dict(t=20, b=10), legend_title_text="")
    return fig
