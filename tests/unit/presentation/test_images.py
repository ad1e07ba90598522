"""sendlib.presentation.images: a chart becomes a PNG or SVG for a board paper, at a fixed width, titled and captioned."""

from __future__ import annotations

import json
import struct

import pytest

from sendlib.presentation.charts import coverage_chart, small_multiples, trend_chart
from sendlib.presentation.images import PNG_SCALE, PRINT_WIDTH, chart_image, image_name, print_spec, render_spec

CAPTION = ("% of EHCPs in Special: Independent & Non-Maintained: 14 values from Dec 23 (11.1%) to Jan 25 (11.5%). "
           "Source: SEND scorecard. Data version 000002.")


def _png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


@pytest.fixture(scope="module")
def chart(table, catalogue):  # type: ignore[no-untyped-def]
    return trend_chart(catalogue["ehcps-special-independent-pct"], table)


def test_svg_holds_the_title_and_the_caption(chart):  # type: ignore[no-untyped-def]
    svg = chart_image(chart, "svg", caption=CAPTION).decode("utf-8")
    assert svg.lstrip().startswith("<svg")
    assert "% of EHCPs in Special: Independent &amp; Non-Maintained" in svg  # the chart's title
    assert "Data version 000002." in svg  # the caption's last words: wrapped, not cut off
    assert "Source: SEND scorecard." in svg


def test_png_is_a_fixed_print_width_whatever_the_screen(chart):  # type: ignore[no-untyped-def]
    width, height = _png_size(chart_image(chart, "png", caption=CAPTION))
    assert PRINT_WIDTH * PNG_SCALE < width < (PRINT_WIDTH + 200) * PNG_SCALE
    assert height > 300 * PNG_SCALE  # plot, legend and caption
    assert chart.to_dict()["width"] == "container"  # the on-screen chart itself is not changed


def test_a_longer_caption_makes_a_taller_image_not_a_wider_one(chart):  # type: ignore[no-untyped-def]
    short = _png_size(chart_image(chart, "png", caption="One line."))
    long = _png_size(chart_image(chart, "png", caption=" ".join([CAPTION] * 4)))
    assert long[1] > short[1]
    assert abs(long[0] - short[0]) <= 2 * PNG_SCALE


def test_print_spec_replaces_container_widths_and_adds_a_title(table, catalogue):  # type: ignore[no-untyped-def]
    spec = print_spec(coverage_chart(catalogue), title="Measures by theme", caption="From the catalogue.")
    assert "container" not in json.dumps(spec)
    inner = spec["vconcat"][0]
    assert inner["width"] == PRINT_WIDTH
    assert inner["title"]["text"] == "Measures by theme"
    assert spec["title"]["orient"] == "bottom" and spec["title"]["text"] == ["From the catalogue."]
    assert spec["background"] == "white"


def test_every_chart_kind_in_the_app_renders(table, catalogue):  # type: ignore[no-untyped-def]
    charts = [
        trend_chart(catalogue["complaints"], table),
        small_multiples([catalogue[k] for k in ("ehcps", "requests", "sen-support")], table),
        coverage_chart(catalogue),
    ]
    for c in charts:
        _png_size(chart_image(c, "png", title="A title", caption="A caption."))
        assert b"A caption." in chart_image(c, "svg", title="A title", caption="A caption.")


def test_render_spec_refuses_an_unknown_format(chart):  # type: ignore[no-untyped-def]
    with pytest.raises(ValueError, match="pdf"):
        render_spec(json.dumps(print_spec(chart)), "pdf")  # type: ignore[arg-type]


@pytest.mark.parametrize(("stem", "name"), [("complaints-000002", "complaints-000002.png"), ("a/b: c", "a-b--c.png"), ("", "chart.png")])
def test_image_names_are_safe_file_names(stem, name):
    assert image_name(stem, "png") == name
