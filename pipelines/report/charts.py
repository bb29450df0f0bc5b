"""The report's charts as Altair (Vega-Lite) specifications, rendered offline by
`pipelines.report.render` (SVG for the HTML, PNG for the PDF).

Every chart carries its data inline; a missing value is left out of a line (a gap), never
drawn as zero.
"""

from __future__ import annotations

from collections.abc import Sequence

import altair as alt

from pipelines.report.data import Disparity, KreisValues, Report, Series
from pipelines.report.text import UNIT_SHORT

REGION_COLOUR = "#08519c"
LAND_COLOUR = "#e6550d"
BAND_COLOUR = "#c6c6c6"
BAND = "Spanne der Kreise (Min.–Max.)"
WIDTH, HEIGHT = 300, 150
# The disparity charts of the Land overview: figure key -> (column of mart_disparity, title,
# subtitle).
DISPARITY = {
    "cv": (
        "coefficient_of_variation",
        "Variationskoeffizient zwischen den Kreisen",
        "Standardabweichung / Mittelwert der Kreiswerte",
    ),
    "ratio": (
        "max_min_ratio",
        "Verhältnis höchster zu niedrigster Kreiswert",
        "Max/Min der Kreiswerte",
    ),
}


def _short_name(name: str) -> str:
    """Erfurt, kreisfreie Stadt -> Erfurt (the legend has little room)."""
    return name.split(",")[0]


def series_chart(series: Series, report: Report) -> alt.LayerChart:
    """The region's line, the Land's line (dashed) and the band of all Kreise over time."""
    unit = series.indicator.unit
    region = _short_name(report.region.name)
    land = _short_name(report.land.name)
    # A count of the Land is not on the scale of a Kreis: a Kreis's count is drawn against
    # the Kreise only, the Land's alone.
    count = unit == "Anzahl"
    with_land = report.is_land or not count
    with_band = not (report.is_land and count)
    rows: list[dict] = []
    band: list[dict] = []
    for p in series.points:
        if p.value is not None and not report.is_land:
            rows.append({"Jahr": p.period, "Reihe": region, "Wert": p.value})
        if p.land_value is not None and with_land:
            rows.append({"Jahr": p.period, "Reihe": land, "Wert": p.land_value})
        if p.kreis_min is not None and p.kreis_max is not None and with_band:
            band.append({"Jahr": p.period, "Reihe": BAND, "min": p.kreis_min, "max": p.kreis_max})
    shown = [(region, REGION_COLOUR, not report.is_land), (land, LAND_COLOUR, with_land)]
    shown.append((BAND, BAND_COLOUR, bool(band)))
    names = [name for name, _, on in shown if on]
    colours = [colour for _, colour, on in shown if on]
    colour = alt.Color(
        "Reihe:N",
        title=None,
        scale=alt.Scale(domain=names, range=colours),
        legend=alt.Legend(orient="bottom", labelLimit=260, columns=3),
    )
    years = sorted({p.period for p in series.points})
    x = alt.X(
        "Jahr:Q",
        title=None,
        scale=alt.Scale(domain=[years[0], years[-1]] if years else None, nice=False),
        axis=alt.Axis(format="d", values=years, labelAngle=0, labelOverlap=True),
    )
    y_title = UNIT_SHORT.get(unit, unit) or None
    layers = []
    if band:
        layers.append(
            alt.Chart(alt.Data(values=band))
            .mark_area(opacity=0.45)
            .encode(x=x, y=alt.Y("min:Q", title=y_title), y2="max:Q", color=colour)
        )
    layers.append(
        alt.Chart(alt.Data(values=rows))
        .mark_line(point=alt.OverlayMarkDef(size=18), strokeWidth=2)
        .encode(
            x=x,
            y=alt.Y("Wert:Q", title=y_title, scale=alt.Scale(zero=False)),
            color=colour,
            strokeDash=alt.StrokeDash(
                "Reihe:N",
                scale=alt.Scale(domain=[region, land], range=[[1, 0], [5, 3]]),
                legend=None,
            ),
        )
    )
    return alt.layer(*layers).properties(
        width=WIDTH,
        height=HEIGHT,
        title=alt.TitleParams(series.indicator.title, subtitle=unit, anchor="start", fontSize=12),
    )


def disparity_chart(
    disparity: Sequence[Disparity], measure: str, title: str, subtitle: str
) -> alt.Chart:
    """One line per indicator: how far apart the Kreise are, year by year."""
    rows = [
        {"Jahr": p.period, "Indikator": d.indicator.title, "Wert": getattr(p, measure)}
        for d in disparity
        for p in d.points
        if getattr(p, measure) is not None
    ]
    years = sorted({r["Jahr"] for r in rows})
    return (
        alt.Chart(alt.Data(values=rows))
        .mark_line(point=alt.OverlayMarkDef(size=16))
        .encode(
            x=alt.X("Jahr:Q", title=None, axis=alt.Axis(format="d", values=years, labelAngle=0)),
            y=alt.Y("Wert:Q", title=None, scale=alt.Scale(zero=False)),
            color=alt.Color(
                "Indikator:N",
                title=None,
                scale=alt.Scale(scheme="tableau10"),
                legend=alt.Legend(orient="right", labelLimit=300),
            ),
        )
        .properties(
            width=420,
            height=220,
            title=alt.TitleParams(title, subtitle=subtitle, anchor="start", fontSize=12),
        )
    )


def map_chart(values: KreisValues, report: Report) -> alt.LayerChart:
    """The indicator's map of the Kreise, the report's Kreis outlined."""
    from pipelines.report.maps import choropleth

    indicator = values.indicator
    return choropleth(
        [{"region_key": r.key, "value": r.value, "value_status": r.status} for r in values.rows],
        title=f"{indicator.title} {values.period}",
        unit=UNIT_SHORT.get(indicator.unit, indicator.unit),
        polarity=indicator.polarity,
        gebietsstand=report.footnotes.gebietsstand,
        highlight=None if report.is_land else report.region.key,
    )
