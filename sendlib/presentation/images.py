"""Charts as image files for a board paper: PNG and SVG, rendered on the server with vl-convert.

The on-screen chart stretches to its column; a printed one needs a fixed width, its title, and its
caption (what the chart shows, in words) inside the image, so it still makes sense pasted alone.
"""

from __future__ import annotations

import copy
import json
import textwrap
from typing import Any, Literal

import altair as alt

ImageFormat = Literal["png", "svg"]
PRINT_WIDTH = 720  # pixels of plot at scale 1: about the text width of an A4 page
PNG_SCALE = 2  # twice the pixels, so the PNG stays sharp when printed
CAPTION_CHARS = 110
MIME = {"png": "image/png", "svg": "image/svg+xml"}
_TOP_LEVEL_ONLY = ("$schema", "datasets", "config", "background", "padding", "autosize", "usermeta")


def _fix_widths(node: Any, width: int) -> None:
    """`width: "container"` means nothing off screen: give every such chart the print width."""
    if isinstance(node, dict):
        if node.get("width") == "container":
            node["width"] = width
        for value in node.values():
            _fix_widths(value, width)
    elif isinstance(node, list):
        for value in node:
            _fix_widths(value, width)


def print_spec(chart: alt.TopLevelMixin | dict[str, Any], *, title: str | None = None, caption: str | None = None,
               width: int = PRINT_WIDTH) -> dict[str, Any]:
    """The Vega-Lite spec of `chart` at a fixed width, titled, with the caption under it."""
    spec = copy.deepcopy(chart) if isinstance(chart, dict) else chart.to_dict()
    _fix_widths(spec, width)
    if title and not spec.get("title"):
        spec["title"] = {"text": title, "anchor": "start", "fontSize": 13, "limit": width}
    outer: dict[str, Any] = {k: spec.pop(k) for k in _TOP_LEVEL_ONLY if k in spec}
    outer["vconcat"] = [spec]
    outer["background"] = "white"
    outer["padding"] = 16
    if caption:
        lines = textwrap.wrap(" ".join(caption.split()), CAPTION_CHARS) or [caption]
        outer["title"] = {
            "text": lines, "orient": "bottom", "anchor": "start", "fontSize": 11, "fontWeight": "normal",
            "color": "#0B0C0C", "offset": 14, "lineHeight": 15, "limit": 0,
        }
    if "description" in spec:
        outer["description"] = spec["description"]
    return outer


def render_spec(spec_json: str, fmt: ImageFormat) -> bytes:
    """A Vega-Lite spec (as JSON text) to PNG or SVG bytes. Text in, bytes out: easy to cache."""
    import vl_convert as vlc

    spec = json.loads(spec_json)
    if fmt == "png":
        return vlc.vegalite_to_png(spec, scale=PNG_SCALE)
    if fmt == "svg":
        return vlc.vegalite_to_svg(spec).encode("utf-8")
    raise ValueError(f"unknown image format {fmt!r}")


def chart_image(chart: alt.TopLevelMixin | dict[str, Any], fmt: ImageFormat, *, title: str | None = None,
                caption: str | None = None, width: int = PRINT_WIDTH) -> bytes:
    """`chart` as a PNG or SVG for a board paper: fixed width, its title, the caption beneath."""
    return render_spec(json.dumps(print_spec(chart, title=title, caption=caption, width=width)), fmt)


def image_name(stem: str, fmt: ImageFormat) -> str:
    safe = "".join(c if c.isalnum() or c in "-_" else "-" for c in stem.lower()).strip("-") or "chart"
    return f"{safe[:60]}.{fmt}"
