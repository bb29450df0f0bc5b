"""Choropleth maps of the Kreise, drawn from real boundaries on the warehouse's Gebietsstand.

A territory folder may carry its map: `map_kreise_vg5000_<date>.geojson` (the Kreise of the
BKG VG5000 on that Gebietsstand, copied by `python -m tools.map_extract`) and
`map_laender_vg5000_<date>.geojson` (the outline of its Länder). The warehouse expresses every
series on one Gebietsstand, so the map must show exactly the Kreise of that day: a Kreis that
was dissolved into another by then (Eisenach 16056 into the Wartburgkreis 16063 on 01.07.2021)
is merged into its successor, and because that changes the geometry the attribution says
"(Daten verändert)". A territory without a map file (the benchmark's generated Germany) gets
no map: `territory_map` returns None and the report says so.

Values are classed by quantiles computed here (so the legend can state the method and the
exact breaks); a missing or suppressed value gets its own grey class named after its special
sign and the sign is printed on the Kreis — it is never drawn as a zero.
"""

from __future__ import annotations

import csv
import json
import math
import re
import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import altair as alt
import shapely
from shapely.geometry import shape
from shapely.geometry.polygon import orient

from pipelines.territory import Territory, current_territory

MAP_PREFIX = "map_kreise_"
OUTLINE_PREFIX = "map_laender_"
POLARITIES = ("higher_is_better", "higher_is_worse", "neutral")
MISSING = "keine Angabe"
# The GENESIS Zeichenerklärung of the signs that replace a value.
SIGNS = {
    ".": "unbekannt oder geheim",
    "/": "nicht sicher genug",
    "x": "nicht sinnvoll",
    "...": "fällt später an",
    "-": "nichts vorhanden",
}
MISSING_COLOURS = {
    None: "#f0f0f0",
    ".": "#bdbdbd",
    "/": "#cccccc",
    "x": "#dcdcdc",
    "...": "#a9a9a9",
    "-": "#e6e6e6",
}
# ColorBrewer sequential schemes (Reds: a judgement, Blues: none), light to dark.
REDS = {
    3: ["#fee0d2", "#fc9272", "#de2d26"],
    4: ["#fee5d9", "#fcae91", "#fb6a4a", "#cb181d"],
    5: ["#fee5d9", "#fcae91", "#fb6a4a", "#de2d26", "#a50f15"],
    6: ["#fee5d9", "#fcbba1", "#fc9272", "#fb6a4a", "#de2d26", "#a50f15"],
    7: ["#fee5d9", "#fcbba1", "#fc9272", "#fb6a4a", "#ef3b2c", "#cb181d", "#99000d"],
}
BLUES = {
    3: ["#deebf7", "#9ecae1", "#3182bd"],
    4: ["#eff3ff", "#bdd7e7", "#6baed6", "#2171b5"],
    5: ["#eff3ff", "#bdd7e7", "#6baed6", "#3182bd", "#08519c"],
    6: ["#eff3ff", "#c6dbef", "#9ecae1", "#6baed6", "#3182bd", "#08519c"],
    7: ["#eff3ff", "#c6dbef", "#9ecae1", "#6baed6", "#4292c6", "#2171b5", "#084594"],
}
QUANTILE_NAMES = {2: "Median", 3: "Terzile", 4: "Quartile", 5: "Quintile", 6: "Sextile"}
WIDTH, HEIGHT = 440, 360


class MapError(ValueError):
    """The map cannot be drawn as asked; the message says why in the planners' terms."""


# --- the territory's map files -------------------------------------------------------------


def territory_map(territory: Territory | None = None) -> Path | None:
    """The territory's Kreis boundaries (`map_kreise_*.geojson`, the newest if several), or
    None when the territory has no map."""
    territory = territory or current_territory()
    files = sorted(territory.directory.glob(f"{MAP_PREFIX}*.geojson"))
    return files[-1] if files else None


def map_stand(path: Path) -> date:
    """The Gebietsstand of a map file, from its name (`…_2021-01-01.geojson`)."""
    found = re.search(r"\d{4}-\d{2}-\d{2}", path.name)
    if not found:
        raise MapError(f"{path.name}: the file name names no Gebietsstand (YYYY-MM-DD)")
    return date.fromisoformat(found.group())


def attribution(path: Path) -> str:
    """The BKG attribution; the geometry is always changed (rounded, Kreise merged)."""
    return f"© GeoBasis-DE / BKG {map_stand(path).year} (Daten verändert)"


def _map_file(territory: Territory) -> Path:
    path = territory_map(territory)
    if path is None:
        raise MapError(
            f"Das Gebiet {territory.name} hat keine Karte der Kreise "
            f"({territory.directory / (MAP_PREFIX + '*.geojson')} fehlt)."
        )
    return path


def _features(path: Path) -> list[dict[str, Any]]:
    try:
        return json.loads(path.read_text(encoding="utf-8"))["features"]
    except (OSError, ValueError, KeyError) as exc:
        raise MapError(f"{path.name}: not a readable GeoJSON FeatureCollection ({exc})") from exc


def _day(gebietsstand: date | str) -> date:
    if isinstance(gebietsstand, date):
        return gebietsstand
    try:
        return date.fromisoformat(str(gebietsstand)[:10])
    except ValueError as exc:
        raise MapError(f"Gebietsstand {gebietsstand!r} is not a date (YYYY-MM-DD)") from exc


# --- the Kreise of a Gebietsstand ----------------------------------------------------------


def _kreis_changes(territory: Territory) -> list[tuple[str, str, date, str]]:
    """The Kreis rows of key_history.csv: old key, new key, change date, kind."""
    with territory.table("key_history").open(encoding="utf-8", newline="") as handle:
        return [
            (row["old_key"], row["new_key"], date.fromisoformat(row["change_date"]), row["kind"])
            for row in csv.DictReader(handle)
            if len(row["old_key"]) == 5 and row["old_key"] != row["new_key"]
        ]


def _successors(changes: list[tuple[str, str, date, str]], day: date) -> dict[str, list[str]]:
    """For every Kreis key: the other Kreise it passed territory to up to `day`."""
    moves: dict[str, list[str]] = {}
    for old, new, changed, _ in changes:
        if changed <= day:
            moves.setdefault(old, []).append(new)
    return moves


def _boundary_note(changes: list[tuple[str, str, date, str]], day: date, drawn: date) -> str:
    """What the drawn boundaries leave out: a transfer of Gemeinden between Kreise dated
    between the Gebietsstand and the map's own cannot be drawn without Gemeinde boundaries."""
    low, high = sorted((day, drawn))
    dates = sorted({c for _, _, c, kind in changes if kind == "transfer" and low < c <= high})
    if not dates:
        return ""
    listed = ", ".join(f"{c:%d.%m.%Y}" for c in dates)
    return f"Kreisgrenzen Stand {drawn:%d.%m.%Y}, ohne die Gebietsänderungen vom {listed}"


def _geometry(geometry: Any) -> dict[str, Any]:
    """GeoJSON with exterior rings clockwise, the winding Vega's d3-geo expects."""
    if geometry.geom_type == "Polygon":
        geometry = orient(geometry, sign=-1.0)
    else:
        geometry = shapely.MultiPolygon([orient(p, sign=-1.0) for p in geometry.geoms])
    return json.loads(shapely.to_geojson(geometry))


def kreis_shapes(gebietsstand: date | str, territory: Territory | None = None) -> dict[str, Any]:
    """GeoJSON FeatureCollection with exactly one feature per Kreis valid on `gebietsstand`.

    Properties: region_key, name (as ref_region.csv has it), dissolved_from (keys of the
    Kreise merged into it since the map's own Gebietsstand, else empty). The collection also
    names gebietsstand, boundaries (the file), attribution and boundary_note (empty, or the
    transfers between Kreise the drawn boundaries do not show). Raises MapError when the
    territory has no map or a Kreis of the Gebietsstand has no polygon.
    """
    territory = territory or current_territory()
    day = _day(gebietsstand)
    path = _map_file(territory)
    kreise = {k.key: k for k in territory.regions("kreis") if k.exists_on(day)}
    known = {k.key for k in territory.regions("kreis")}
    polygons = {
        f["properties"]["ARS"]: shape(f["geometry"])
        for f in _features(path)
        if f["properties"]["ARS"] in known
    }
    changes = _kreis_changes(territory)
    moves = _successors(changes, day)
    parts: dict[str, list[str]] = {key: [] for key in kreise}
    for key in sorted(polygons):
        target = key
        while target not in kreise:
            successors = moves.get(target, [])
            if len(successors) != 1:
                raise MapError(
                    f"Kreis {key} of the map ({path.name}) no longer exists on {day:%d.%m.%Y} "
                    + (
                        f"and was split between {', '.join(successors)}: the map cannot "
                        "draw that without the Gemeinde boundaries"
                        if successors
                        else "and key_history.csv names no Kreis it went to"
                    )
                )
            target = successors[0]
        parts[target].append(key)
    missing = sorted(key for key, merged in parts.items() if not merged)
    if missing:
        raise MapError(
            f"{path.name} has no polygon for the Kreise "
            + ", ".join(f"{key} {kreise[key].name}" for key in missing)
            + f" of the Gebietsstand {day:%d.%m.%Y}"
        )
    features = []
    for key in sorted(kreise):
        merged = shapely.unary_union([polygons[k] for k in parts[key]])
        features.append(
            {
                "type": "Feature",
                "properties": {
                    "region_key": key,
                    "name": kreise[key].name,
                    "dissolved_from": sorted(k for k in parts[key] if k != key),
                },
                "geometry": _geometry(merged),
            }
        )
    return {
        "type": "FeatureCollection",
        "gebietsstand": day.isoformat(),
        "boundaries": path.name,
        "attribution": attribution(path),
        "boundary_note": _boundary_note(changes, day, map_stand(path)),
        "features": features,
    }


def land_outline(territory: Territory | None = None) -> dict[str, Any] | None:
    """The outline of the territory's Länder (`map_laender_*.geojson`), or None."""
    territory = territory or current_territory()
    files = sorted(territory.directory.glob(f"{OUTLINE_PREFIX}*.geojson"))
    if not files:
        return None
    features = [
        {
            "type": "Feature",
            "properties": {"region_key": f["properties"]["ARS"], "name": f["properties"]["GEN"]},
            "geometry": f["geometry"],
        }
        for f in _features(files[-1])
        if f["properties"]["ARS"] in territory.laender
    ]
    return {"type": "FeatureCollection", "features": features}


# --- classes -------------------------------------------------------------------------------


def format_number(value: float, decimals: int) -> str:
    """German number format: 12.345,6 (dot for thousands, decimal comma)."""
    text = f"{value:,.{decimals}f}"
    return text.replace(",", "\0").replace(".", ",").replace("\0", ".")


def quantile_breaks(values: Sequence[float], classes: int) -> list[float]:
    """The `classes - 1` inner quantiles of `values`, linearly interpolated between the
    sorted values (R type 7, Excel QUANTIL.INKL): each class holds about as many Kreise."""
    if classes < 2 or len(values) < 2:
        return []
    return statistics.quantiles(values, n=classes, method="inclusive")


def _round(value: float, decimals: int) -> float:
    """Half away from zero, as planners round (3,25 -> 3,3), not Python's half to even."""
    step = Decimal(1).scaleb(-decimals)
    return float(Decimal(repr(value)).quantize(step, rounding=ROUND_HALF_UP))


def _decimals(values: Sequence[float], breaks: Sequence[float]) -> int:
    """Whole numbers stay whole; else one decimal, more only if breaks would coincide."""
    if all(float(v).is_integer() for v in [*values, *breaks]):
        return 0
    decimals = 1
    while decimals < 3 and len({_round(b, decimals) for b in breaks}) < len(set(breaks)):
        decimals += 1
    return decimals


@dataclass(frozen=True)
class Classes:
    """Upper-inclusive classes: a value belongs to the first class whose break is >= it."""

    breaks: tuple[float, ...]  # rounded to `decimals`, so the legend is exactly true
    decimals: int
    method: str

    @property
    def labels(self) -> list[str]:
        shown = [format_number(b, self.decimals) for b in self.breaks]
        if not shown:
            return ["alle Werte"]
        middle = [f"über {low} bis {high}" for low, high in zip(shown, shown[1:], strict=False)]
        return [f"bis {shown[0]}", *middle, f"über {shown[-1]}"]

    def index(self, value: float) -> int:
        for position, upper in enumerate(self.breaks):
            if value <= upper:
                return position
        return len(self.breaks)


def quantile_classes(values: Sequence[float], classes: int = 5) -> Classes:
    """Quantile classes of the present values, with breaks rounded for the legend (equal
    breaks, from ties or few Kreise, are merged, so there may be fewer classes)."""
    raw = quantile_breaks(values, classes)
    decimals = _decimals(values, raw)
    breaks = sorted({_round(b, decimals) for b in raw})
    if values:
        breaks = [b for b in breaks if b < max(values)]  # no empty top class
    count = len(breaks) + 1
    name = QUANTILE_NAMES.get(classes, f"{classes} Quantilklassen")
    method = f"Klassen: {name} (je etwa gleich viele Kreise)"
    if count < classes:
        method += f", wegen gleicher Werte {count} Klassen"
    return Classes(tuple(breaks), decimals, method)


def _palette(polarity: str, count: int) -> tuple[list[str], str]:
    """Colours light to dark for the classes from low to high, and what darker means."""
    if polarity not in POLARITIES:
        raise MapError(f"polarity must be one of {', '.join(POLARITIES)}, not {polarity!r}")
    scheme = BLUES if polarity == "neutral" else REDS
    three = scheme[3]
    colours = scheme[count] if count >= 3 else [three[1]] if count == 1 else [three[0], three[2]]
    if polarity == "higher_is_better":
        return colours[::-1], "dunkler = ungünstiger (niedrigere Werte)"
    if polarity == "higher_is_worse":
        return colours, "dunkler = ungünstiger (höhere Werte)"
    return colours, "dunkler = höhere Werte"


def missing_label(sign: str | None) -> str:
    """Legend entry of a value replaced by `sign` (or missing without one)."""
    if not sign:
        return MISSING
    meaning = SIGNS.get(sign)
    return f"{MISSING} (Zeichen {sign}: {meaning})" if meaning else f"{MISSING} (Zeichen {sign})"


# --- the chart -----------------------------------------------------------------------------


def _by_key(values: Iterable[Mapping[str, Any]], keys: set[str]) -> dict[str, Mapping[str, Any]]:
    """The rows of the map's Kreise; the Land's row is ignored, a Kreis not on the map is an
    error (a value on another Gebietsstand must not silently vanish)."""
    rows: dict[str, Mapping[str, Any]] = {}
    for row in values:
        key = str(row["region_key"])
        if key in keys:
            rows[key] = row
        elif len(key) == 5:
            raise MapError(f"Kreis {key} is not a Kreis of the map's Gebietsstand")
    return rows


def _value(row: Mapping[str, Any]) -> float | None:
    """The row's value as a float; None (and NaN, as pandas gives a missing value) is missing."""
    value = row.get("value")
    return None if value is None or math.isnan(float(value)) else float(value)


def _classed(
    features: list[dict[str, Any]], rows: Mapping[str, Mapping[str, Any]], found: Classes, unit: str
) -> tuple[list[dict[str, Any]], list[str | None]]:
    """The features with their class, the value as shown (German format) and, for a missing
    value, its sign and where to print it; and the signs of the missing values."""
    classed, signs = [], []
    for feature in features:
        row = rows.get(feature["properties"]["region_key"], {})
        value = _value(row)
        properties = {**feature["properties"], "zeichen": ""}
        if value is not None:
            properties["klasse"] = found.labels[found.index(value)]
            properties["wert"] = f"{format_number(value, found.decimals)} {unit}".strip()
        else:
            sign = row.get("value_status") or None
            signs.append(sign)
            properties["klasse"] = missing_label(sign)
            properties["wert"] = MISSING + (f" (Zeichen {sign})" if sign else "")
            if sign:
                point = shape(feature["geometry"]).representative_point()
                properties.update(zeichen=sign, lon=point.x, lat=point.y)
        classed.append({**feature, "properties": properties})
    return classed, signs


def _legend(
    found: Classes, colours: list[str], signs: list[str | None], any_value: bool
) -> tuple[list[str], list[str]]:
    """Legend entries and their colours: the value classes, then one grey per sign present."""
    order = [None, *SIGNS, *sorted({s for s in signs if s not in SIGNS})]
    missing = [sign for sign in order if sign in signs]
    domain = (found.labels if any_value else []) + [missing_label(s) for s in missing]
    palette = (colours if any_value else []) + [MISSING_COLOURS.get(s, "#bdbdbd") for s in missing]
    return domain, palette


def _layers(
    domain: list[str], palette: list[str], legend_title: str, title: str
) -> list[alt.Chart]:
    """Filled Kreise with legend and tooltip, and the special signs printed on them."""
    fill = (
        alt.Chart()
        .mark_geoshape(stroke="white", strokeWidth=0.7)
        .encode(
            color=alt.Color(
                "properties.klasse:N",
                title=legend_title,
                scale=alt.Scale(domain=domain, range=palette),
                sort=domain,
                legend=alt.Legend(orient="right", labelLimit=320, symbolType="square"),
            ),
            tooltip=[
                alt.Tooltip("properties.name:N", title="Kreis"),
                alt.Tooltip("properties.wert:N", title=title),
            ],
        )
    )
    signs = (
        alt.Chart()
        .transform_filter("datum.properties.zeichen != ''")
        .mark_text(fontSize=16, fontWeight="bold", baseline="middle", color="#333333")
        .encode(
            longitude="properties.lon:Q",
            latitude="properties.lat:Q",
            text="properties.zeichen:N",
        )
    )
    return [fill, signs]


def _frame(territory: Territory | None, highlight: str | None, credit: str) -> list[alt.Chart]:
    """The Land's outline, the highlighted Kreis's thick outline and the attribution."""
    layers = []
    outline = land_outline(territory)
    if outline and outline["features"]:
        layers.append(
            alt.Chart(alt.Data(values=outline["features"])).mark_geoshape(
                filled=False, stroke="#555555", strokeWidth=1.2
            )
        )
    if highlight is not None:
        layers.append(
            alt.Chart()
            .transform_filter(f"datum.properties.region_key == '{highlight}'")
            .mark_geoshape(filled=False, stroke="black", strokeWidth=3)
        )
    layers.append(
        alt.Chart(alt.Data(values=[{"text": credit}]))
        .mark_text(align="right", baseline="bottom", fontSize=9, color="#555555")
        .encode(text="text:N", x=alt.value(WIDTH), y=alt.value(HEIGHT + 14))
    )
    return layers


def choropleth(
    values: Iterable[Mapping[str, Any]],
    *,
    title: str,
    unit: str,
    polarity: str,
    gebietsstand: date | str,
    highlight: str | None = None,
    classes: int = 5,
    territory: Territory | None = None,
) -> alt.LayerChart:
    """A map of the Kreise of `gebietsstand`, coloured by quantile classes of `value`.

    `values`: dicts with region_key, value (float or None) and value_status (the special sign
    replacing a missing value). Rows of other levels (the Land) are ignored. A Kreis without a
    value is drawn in the grey class of its sign, with the sign on it, never as zero.
    `highlight` (a Kreis key) gets a thick outline. Render with pipelines.report.render.
    """
    if not 2 <= classes <= max(REDS):
        raise MapError(f"classes must be 2 to {max(REDS)} (colours a reader can tell apart)")
    shapes = kreis_shapes(gebietsstand, territory)
    keys = {f["properties"]["region_key"] for f in shapes["features"]}
    if highlight is not None and highlight not in keys:
        raise MapError(f"Kreis {highlight} to highlight is not on the map")
    rows = _by_key(values, keys)
    present = [v for v in map(_value, rows.values()) if v is not None]
    found = quantile_classes(present, classes)
    colours, darker = _palette(polarity, len(found.labels))
    features, signs = _classed(shapes["features"], rows, found, unit)
    domain, palette = _legend(found, colours, signs, bool(present))
    layers = [
        *_layers(domain, palette, unit or title, title),
        *_frame(territory, highlight, shapes["attribution"]),
    ]
    subtitle = [
        f"{found.method}; {darker}" if present else "keine Werte vorhanden",
        f"Kreise, Gebietsstand {_day(gebietsstand):%d.%m.%Y}",
        *([shapes["boundary_note"]] if shapes["boundary_note"] else []),
    ]
    chart = alt.layer(*layers, data=alt.Data(values=features)).properties(
        width=WIDTH,
        height=HEIGHT,
        title=alt.TitleParams(title, subtitle=subtitle, anchor="start"),
    )
    return chart.project(type="mercator").configure_view(stroke=None)
