"""The Convolution lab page: both languages, the size rule following kernel / stride / padding, an
own kernel (and a bad one), the step view, pooling and 1-D."""

import pytest

from clfcore.i18n import translate
from tests.catalogue import ES


def _rule(at) -> str:
    return next(m.value for m in at.markdown if "`W' =" in m.value or "`m' =" in m.value)


def _sum_line(at) -> str:
    return next(m.value for m in at.markdown if "×" in m.value)


@pytest.mark.parametrize("lang", ["en", "es"])
def test_the_page_in_both_languages(lang, open_page):
    at = open_page("convolution", lang)  # offline: the digits, 8x8
    assert not at.exception
    assert [t.value for t in at.title] == [translate("Convolution lab", lang)]
    assert _rule(at).endswith("`W' = (8 - 3) + 1 = 6`")
    assert _rule(at).startswith(translate("**Output size**: {rules}", lang).split("{")[0])
    labels = [s.label for s in at.slider]
    assert translate("Window position", lang) in labels and translate("Stride", lang) in labels
    if lang == "es":
        assert ES["Sum of the products: {terms} = **{value}**"].split("{")[0] in _sum_line(at)


def test_kernel_stride_and_padding_change_the_rule(open_page):
    at = open_page("convolution", "en")
    at.slider(key="conv_stride").set_value(2).run()
    assert "`W' = ⌊(8 - 3) / 2⌋ + 1 = ⌊2.5⌋ + 1 = 3`" in _rule(at)
    at.selectbox(key="conv_padding").set_value("number").run()
    at.number_input(key="conv_padding_p").set_value(2).run()
    assert "`W' = ⌊(8 - 3 + 2*2) / 2⌋ + 1 = ⌊4.5⌋ + 1 = 5`" in _rule(at)
    at.selectbox(key="conv_padding").set_value("same").run()
    assert "`W' = (8 - 3 + 0 + 1) / 2 + 1 = 4`" in _rule(at)  # Keras's odd zero goes after
    at.selectbox(key="conv_kernel").set_value("sobel_x").run()
    assert not at.exception and "×-1" in _sum_line(at)


def test_the_step_slider_moves_the_window_and_the_sum(open_page):
    at = open_page("convolution", "en")
    at.radio(key="conv_source").set_value("example").run()
    at.selectbox(key="conv_example").set_value("course").run()
    at.selectbox(key="conv_kernel").set_value("sobel_x").run()  # any kernel; then the course's
    at.selectbox(key="conv_kernel").set_value("own").run()
    # the course's kernel [[1,0,1],[0,1,0],[1,0,1]] typed into the grid (starts as the identity)
    at.session_state["conv_own_3"] = {
        "edited_rows": {0: {"1": 1, "3": 1}, 2: {"1": 1, "3": 1}},
        "added_rows": [],
        "deleted_rows": [],
    }
    at.run()
    assert not at.exception and not at.error
    assert "= **4.000**" in _sum_line(at)  # the course's first output cell
    at.slider(key="conv_step").set_value(2).run()
    assert "= **3.000**" in _sum_line(at)
    assert any("fill output row 0, column 1" in c.value for c in at.caption)


def test_a_bad_own_kernel_gets_a_message(open_page):
    at = open_page("convolution", "es")
    at.selectbox(key="conv_kernel").set_value("own").run()
    at.session_state["conv_own_3"] = {
        "edited_rows": {1: {"2": None}},
        "added_rows": [],
        "deleted_rows": [],
    }
    at.run()
    assert not at.exception
    assert ES[
        "Every cell of the kernel must be a number, such as 1, -2 or 0.25. Fill in or fix "
        "the cells that are not."
    ] in [e.value for e in at.error]


def test_pooling_and_1d_tabs(open_page):
    at = open_page("convolution", "en")
    at.session_state["conv_tab"] = "Pooling"
    at.run()
    assert not at.exception
    assert "`W' = (8 - 2) / 2 + 1 = 4`" in _rule(at)
    assert any(m.value.startswith("Max of ") for m in at.markdown)
    at.radio(key="conv_pool_kind").set_value("average").run()
    assert any(m.value.startswith("Mean of ") for m in at.markdown)
    at.session_state["conv_tab"] = "1-D convolution"
    at.run()
    assert "`m' = (12 - 3) + 1 = 10`" in _rule(at)
    assert "c[0] = 0.00×1 + 1.00×0 + 2.00×-1 = **-2.000**" in _sum_line(at)
    at.text_input(key="conv1d_weights").set_value("1, x").run()
    assert "'1, x' holds something that is not a number" in at.error[0].value


def test_a_bad_upload_is_a_message(open_page):
    at = open_page("convolution", "en")
    at.radio(key="conv_source").set_value("upload").run()
    assert not at.exception and "Upload an image to convolve it." in [i.value for i in at.info]
