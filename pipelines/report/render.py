"""Render the report's Vega-Lite charts to SVG and PNG, offline and with German numbers.

vl-convert bundles Vega, Vega-Lite and fonts, so rendering needs no browser and no network:
no data or image may be fetched from a URL (a chart carries its data inline), and numbers the
chart formats itself use the German locale (decimal comma, dot for thousands).
"""

from __future__ import annotations

from typing import Any

import vl_convert

LOCALE = "de-DE"


class RenderError(ValueError):
    """A chart Vega-Lite cannot draw; the message says what Vega-Lite reported."""


def _spec(chart: Any) -> dict[str, Any]:
    return chart if isinstance(chart, dict) else chart.to_dict()


def _options() -> dict[str, Any]:
    return {"format_locale": LOCALE, "time_format_locale": LOCALE, "allowed_base_urls": []}


def render_svg(chart: Any) -> str:
    """The chart (an altair chart or a Vega-Lite dict) as an SVG document."""
    try:
        return vl_convert.vegalite_to_svg(_spec(chart), **_options())
    except ValueError as exc:
        raise RenderError(f"chart cannot be drawn: {exc}") from exc


def render_png(chart: Any, scale: float = 2) -> bytes:
    """The chart as PNG bytes; `scale` 2 gives sharp print at the chart's size in points."""
    try:
        return vl_convert.vegalite_to_png(_spec(chart), scale=scale, **_options())
    except ValueError as exc:
        raise RenderError(f"chart cannot be drawn: {exc}") from exc
