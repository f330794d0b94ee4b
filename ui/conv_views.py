"""The convolution lab's drawings: heatmaps with the window drawn on them, the step view (slider,
play, products and their sum), and the page's cached Keras calls.

The Keras layer runs once per (image, kernel, stride, padding) (``st.cache_data``); moving the
step slider redraws from the cached result, slicing numpy arrays only.
"""

from __future__ import annotations

import numpy as np
import streamlit as st

from clfcore.teaching import convolution as conv
from ui.heap import freeze_long_lived
from ui.lang import t

VALUES_UP_TO = 16  # cells get their value written in when the grid is at most this many a side
PLAY_SECONDS = 0.8  # one window step per this many seconds while playing
HIGHLIGHT = "#ff4b4b"
PADDING_EDGE = "#1c83e1"


# --- the Keras calls, cached: one per setting, none for a slider move ---------------------------


# Each cache miss ends with freeze_long_lived: TensorFlow may just have loaded, and Streamlit's
# clear_session() after every run would otherwise walk all of it again (about 1 s a redraw on a
# busy machine, measured by bench/convolution.py).


@st.cache_data(show_spinner=False, max_entries=64)
def convolved(image: np.ndarray, kernel: np.ndarray, stride: int, padding: str | int):
    result = conv.convolve2d(image, kernel, stride=stride, padding=padding)
    freeze_long_lived()
    return result


@st.cache_data(show_spinner=False, max_entries=64)
def pooled(image: np.ndarray, kind: str, size: int, stride: int):
    result = conv.pool2d(image, kind=kind, size=size, stride=stride)
    freeze_long_lived()
    return result


@st.cache_data(show_spinner=False, max_entries=64)
def convolved_1d(sequence: np.ndarray, weights: np.ndarray, stride: int, padding: str | int):
    result = conv.convolve1d(sequence, weights, stride=stride, padding=padding)
    freeze_long_lived()
    return result


# --- heatmaps -------------------------------------------------------------------------------------


def _box(row: int, col: int, rows: int, cols: int, colour: str, dash: str | None = None) -> dict:
    return dict(
        type="rect",
        x0=col - 0.5,
        x1=col + cols - 0.5,
        y0=row - 0.5,
        y1=row + rows - 0.5,
        line=dict(color=colour, width=3, dash=dash),
    )


def heatmap(
    z: np.ndarray,
    *,
    title: str,
    boxes: list[dict] | None = None,
    colorscale: str = "gray",
    zmid: float | None = None,
    height: int = 300,
) -> dict:
    """A grid of numbers as a plotly heatmap, row 0 on top, square cells; values written in when
    small. A plain figure dict: plotly checks it once, in ``st.plotly_chart`` (building it through
    ``go.Figure`` updates checks it at every step, several times slower on each redraw)."""
    z = np.atleast_2d(z)
    trace: dict = {
        "type": "heatmap",
        "z": z.tolist(),
        "colorscale": colorscale,
        "showscale": False,
        "hovertemplate": t("row") + " %{y}, " + t("column") + " %{x}: %{z:.3f}<extra></extra>",
    }
    if zmid is not None:
        trace["zmid"] = zmid
    if max(z.shape) <= VALUES_UP_TO:
        trace["texttemplate"] = "%{z:.2f}"
        trace["textfont"] = {"size": 11 if max(z.shape) <= 8 else 9}
    return {
        "data": [trace],
        "layout": {
            "title": {"text": title, "font": {"size": 14}},
            "height": height,
            "margin": {"t": 30, "b": 5, "l": 5, "r": 5},
            "xaxis": {"visible": False, "constrain": "domain"},
            "yaxis": {"visible": False, "autorange": "reversed", "scaleanchor": "x"},
            "shapes": boxes or [],
            "plot_bgcolor": "rgba(0,0,0,0)",
        },
    }


def _chart(column, fig: dict, key: str) -> None:
    column.plotly_chart(fig, width="stretch", key=key, config={"displayModeBar": False})


def _position_slider(key: str, positions: int) -> int:
    """The window position 1..positions (clamped when a new setting has fewer)."""
    if st.session_state.get(key, 1) > positions:
        st.session_state[key] = positions
    if positions == 1:
        st.caption(t("One window position only: the kernel covers the whole padded input."))
        return 1
    return st.slider(t("Window position"), 1, positions, key=key)


def _advance(key: str, positions: int) -> None:
    st.session_state[key] = st.session_state.get(key, 1) % positions + 1


def _play_toggle(key: str) -> bool:
    return st.toggle(
        t("Play"),
        key=f"{key}_play",
        help=t(
            "Moves the window one step every {seconds} s until you switch it off.",
            seconds=PLAY_SECONDS,
        ),
    )


def _terms(patch: np.ndarray, weights: np.ndarray) -> str:
    return " + ".join(
        f"{p:.2f}×{w:g}" for p, w in zip(patch.reshape(-1).tolist(), weights.reshape(-1).tolist())
    )


# --- the step views -------------------------------------------------------------------------------


def step_view_2d(result: conv.Result, *, key: str) -> None:
    """Input (padded), kernel and output side by side, the window at the slider's position; the
    patch, the products and their sum (or the max / mean for pooling) below.

    While "Play" is on, a fragment reruns every ``PLAY_SECONDS`` and moves the window one step.
    """
    playing = _play_toggle(key)

    @st.fragment(run_every=PLAY_SECONDS if playing else None)
    def _view() -> None:
        if playing:
            _advance(key, result.positions)
        step = result.step(_position_slider(key, result.positions) - 1)
        (top, bottom), (left, right) = result.pads
        boxes = [_box(step.row, step.col, result.window, result.window, HIGHLIGHT)]
        if top or bottom or left or right:
            height, width = result.image.shape
            boxes.insert(0, _box(top, left, height, width, PADDING_EDGE, dash="dot"))
        left_col, middle_col, right_col = st.columns([3, 2, 3])
        _chart(
            left_col,
            heatmap(result.padded, title=t("Input (with its padding)"), boxes=boxes),
            f"{key}_input",
        )
        out_box = [_box(step.out_row, step.out_col, 1, 1, HIGHLIGHT)]
        if result.kernel is not None:
            _chart(
                middle_col,
                heatmap(result.kernel, title=t("Kernel"), colorscale="RdBu", zmid=0.0, height=220),
                f"{key}_kernel",
            )
            output_title = t("Output feature map")
        else:
            middle_col.markdown(
                t("**Max** of each window")
                if result.pool == "max"
                else t("**Mean** of each window")
            )
            output_title = t("Pooled feature map")
        _chart(
            right_col,
            heatmap(result.output, title=output_title, boxes=out_box, colorscale="viridis"),
            f"{key}_output",
        )
        place = t(
            "Window {index} of {count}: input rows {r0}-{r1}, columns {c0}-{c1} (padded) fill "
            "output row {row}, column {col}.",
            index=step.index + 1,
            count=result.positions,
            r0=step.row,
            r1=step.row + result.window - 1,
            c0=step.col,
            c1=step.col + result.window - 1,
            row=step.out_row,
            col=step.out_col,
        )
        st.caption(place)
        patch_col, products_col = st.columns(2)
        _chart(
            patch_col,
            heatmap(step.patch, title=t("Covered input patch"), height=220),
            f"{key}_patch",
        )
        if step.products is not None:
            _chart(
                products_col,
                heatmap(
                    step.products,
                    title=t("Products (patch × kernel)"),
                    colorscale="RdBu",
                    zmid=0.0,
                    height=220,
                ),
                f"{key}_products",
            )
            st.markdown(
                t(
                    "Sum of the products: {terms} = **{value}**",
                    terms=_terms(step.patch, result.kernel),
                    value=f"{step.value:.3f}",
                )
            )
        else:
            values = ", ".join(f"{v:.2f}" for v in step.patch.reshape(-1).tolist())
            text = (
                t("Max of {values} = **{value}**", values=values, value=f"{step.value:.3f}")
                if result.pool == "max"
                else t("Mean of {values} = **{value}**", values=values, value=f"{step.value:.3f}")
            )
            st.markdown(text)

    _view()


def step_view_1d(result: conv.Result1D, *, key: str) -> None:
    """The 1-D convolution as three one-row heatmaps (padded sequence, weights, output) and the
    window's products and sum."""
    playing = _play_toggle(key)

    @st.fragment(run_every=PLAY_SECONDS if playing else None)
    def _view() -> None:
        if playing:
            _advance(key, result.positions)
        step = result.step(_position_slider(key, result.positions) - 1)
        n = len(result.weights)
        boxes = [_box(0, step.col, 1, n, HIGHLIGHT)]
        before, after = result.pads
        if before or after:
            boxes.insert(0, _box(0, before, 1, len(result.sequence), PADDING_EDGE, dash="dot"))
        _chart(
            st,
            heatmap(
                result.padded[None],
                title=t("Sequence s (with its padding)"),
                boxes=boxes,
                height=120,
            ),
            f"{key}_input",
        )
        weights_col, output_col = st.columns([1, 3])
        _chart(
            weights_col,
            heatmap(
                result.weights[None], title=t("Weights w"), colorscale="RdBu", zmid=0.0, height=120
            ),
            f"{key}_kernel",
        )
        _chart(
            output_col,
            heatmap(
                result.output[None],
                title=t("Output c"),
                colorscale="viridis",
                boxes=[_box(0, step.col // result.stride, 1, 1, HIGHLIGHT)],
                height=120,
            ),
            f"{key}_output",
        )
        st.markdown(
            f"c[{step.index}] = {_terms(step.patch, result.weights)} = **{step.value:.3f}**"
        )

    _view()
