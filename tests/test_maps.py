"""Maps of the Kreise: one shape per Kreis of the Gebietsstand, classes, missing values, render.

Expected values come from the territory's csv files and the bundled VG5000 copy read here with
csv, json and shapely, and from quantiles computed by hand.
"""

from __future__ import annotations

import csv
import json
import shutil
from datetime import date
from pathlib import Path

import pytest
from shapely import unary_union
from shapely.geometry import shape

from pipelines.report.maps import (
    MapError,
    choropleth,
    kreis_shapes,
    quantile_breaks,
    quantile_classes,
    territory_map,
)
from pipelines.report.render import render_svg
from pipelines.territory import DEFAULT_TERRITORY_DIR, load_territory
from tools import map_extract

MAP_FILE = DEFAULT_TERRITORY_DIR / "map_kreise_vg5000_2021-01-01.geojson"
ATTRIBUTION = "© GeoBasis-DE / BKG 2021 (Daten verändert)"
DOT = "keine Angabe (Zeichen .: unbekannt oder geheim)"


def kreise_valid_on(day: date) -> set[str]:
    with (DEFAULT_TERRITORY_DIR / "ref_region.csv").open(encoding="utf-8", newline="") as f:
        return {
            row["region_key"]
            for row in csv.DictReader(f)
            if row["level"] == "kreis"
            and date.fromisoformat(row["valid_from"]) <= day
            and (not row["valid_to"] or day <= date.fromisoformat(row["valid_to"]))
        }


def bundled_polygons() -> dict[str, object]:
    features = json.loads(MAP_FILE.read_text(encoding="utf-8"))["features"]
    return {f["properties"]["ARS"]: shape(f["geometry"]) for f in features}


def feature_rows(chart) -> list[dict]:
    """The Kreis features the chart carries, from its Vega-Lite spec."""
    spec = chart.to_dict()
    data = spec["data"]
    values = spec["datasets"][data["name"]] if "name" in data else data["values"]
    return [row["properties"] for row in values]


def fill_scale(chart) -> dict[str, str]:
    scale = chart.to_dict()["layer"][0]["encoding"]["color"]["scale"]
    return dict(zip(scale["domain"], scale["range"], strict=True))


def values_for(day: str) -> list[dict]:
    keys = sorted(kreise_valid_on(date.fromisoformat(day)))
    return [
        {"region_key": key, "value": float(i + 1), "value_status": None}
        for i, key in enumerate(keys)
    ]


@pytest.mark.parametrize(("day", "count"), [("2024-12-31", 22), ("2020-12-31", 23)])
def test_one_shape_per_kreis_of_the_gebietsstand(day: str, count: int) -> None:
    shapes = kreis_shapes(day)
    keys = [f["properties"]["region_key"] for f in shapes["features"]]
    assert len(keys) == count == len(set(keys))
    assert set(keys) == kreise_valid_on(date.fromisoformat(day))


def test_eisenach_is_merged_into_the_wartburgkreis_from_july_2021() -> None:
    polygons = bundled_polygons()
    after = {f["properties"]["region_key"]: f for f in kreis_shapes(date(2021, 7, 1))["features"]}
    before = {f["properties"]["region_key"]: f for f in kreis_shapes("2021-06-30")["features"]}
    assert "16056" not in after and "16056" in before
    wartburg = after["16063"]
    assert wartburg["properties"]["dissolved_from"] == ["16056"]
    assert wartburg["properties"]["name"] == "Wartburgkreis"
    merged = shape(wartburg["geometry"])
    expected = polygons["16056"].area + polygons["16063"].area
    assert merged.area == pytest.approx(expected, rel=1e-9)
    assert merged.geom_type == "Polygon"  # one area, no seam left between the two
    assert before["16063"]["properties"]["dissolved_from"] == []
    assert shape(before["16063"]["geometry"]).area == pytest.approx(polygons["16063"].area)


def test_a_territory_without_a_map_gets_none_and_a_clear_error(tmp_path: Path) -> None:
    for name in ("territory.yml", "ref_region.csv", "ref_region_gv.csv", "key_history.csv"):
        shutil.copy(DEFAULT_TERRITORY_DIR / name, tmp_path / name)
    territory = load_territory(tmp_path)
    assert territory_map(territory) is None
    assert territory_map(load_territory(DEFAULT_TERRITORY_DIR)) == MAP_FILE
    with pytest.raises(MapError, match="keine Karte der Kreise"):
        kreis_shapes("2024-12-31", territory)


def test_a_kreis_without_a_polygon_is_a_clear_error(tmp_path: Path) -> None:
    for name in ("territory.yml", "ref_region.csv", "ref_region_gv.csv", "key_history.csv"):
        shutil.copy(DEFAULT_TERRITORY_DIR / name, tmp_path / name)
    data = json.loads(MAP_FILE.read_text(encoding="utf-8"))
    data["features"] = [f for f in data["features"] if f["properties"]["ARS"] != "16053"]
    (tmp_path / MAP_FILE.name).write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(MapError, match="no polygon for the Kreise 16053 Jena"):
        kreis_shapes("2024-12-31", load_territory(tmp_path))


def test_quantile_breaks_equal_a_hand_computation() -> None:
    values = [10.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0]
    # quartiles, linear interpolation between the sorted values at (n-1)*p: 9*0.25 = 2.25
    # -> 3 + 0.25*(4-3); 9*0.5 = 4.5 -> 5.5; 9*0.75 = 6.75 -> 7 + 0.75*(8-7)
    assert quantile_breaks(values, 4) == pytest.approx([3.25, 5.5, 7.75])
    classes = quantile_classes(values, 4)
    assert classes.breaks == (3.3, 5.5, 7.8)  # rounded half up to one decimal for the legend
    assert classes.labels == ["bis 3,3", "über 3,3 bis 5,5", "über 5,5 bis 7,8", "über 7,8"]
    assert [classes.index(v) for v in sorted(values)] == [0, 0, 0, 1, 1, 2, 2, 3, 3, 3]
    assert "Quartile" in classes.method


def test_ties_give_fewer_classes_and_say_so() -> None:
    classes = quantile_classes([1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 2.0], 5)
    assert classes.breaks == (1.0,)
    assert classes.labels == ["bis 1", "über 1"]
    assert "2 Klassen" in classes.method


def test_missing_and_suppressed_values_are_drawn_in_their_own_class_never_as_zero() -> None:
    values = values_for("2024-12-31")
    values[3] = {"region_key": values[3]["region_key"], "value": None, "value_status": "."}
    values[4] = {"region_key": values[4]["region_key"], "value": 0.0, "value_status": None}
    del values[5]  # a Kreis the caller has no row for
    values[6] = {**values[6], "value": float("nan")}  # pandas' missing value
    chart = choropleth(
        values,
        title="SGB-II-Quote",
        unit="%",
        polarity="higher_is_worse",
        gebietsstand="2024-12-31",
    )
    rows = {row["region_key"]: row for row in feature_rows(chart)}
    assert len(rows) == 22
    dotted, zero, absent = (rows[v] for v in ("16054", "16055", "16061"))
    assert dotted["klasse"] == DOT and dotted["wert"] == "keine Angabe (Zeichen .)"
    assert dotted["zeichen"] == "."  # the sign is printed on the Kreis
    assert absent["klasse"] == rows["16063"]["klasse"] == "keine Angabe"
    # present: 0, 1, 2, 3, 7, 9..22 (19 values); first quintile at 18*0.2 = 3.6 -> 3 + 0.6*(7-3)
    assert zero["klasse"] == "bis 5,4" and zero["wert"] == "0,0 %"  # a real zero is a value
    colours = fill_scale(chart)
    assert colours[DOT] != colours["bis 5,4"]
    assert colours[DOT].startswith("#") and len({colours[DOT], colours["keine Angabe"]}) == 2
    assert "Quintile" in json.dumps(chart.to_dict()["title"], ensure_ascii=False)


def test_polarity_decides_which_end_is_dark() -> None:
    values = values_for("2024-12-31")
    scales = {
        polarity: fill_scale(
            choropleth(values, title="t", unit="%", polarity=polarity, gebietsstand="2024-12-31")
        )
        for polarity in ("higher_is_worse", "higher_is_better")
    }
    worse, better = scales["higher_is_worse"], scales["higher_is_better"]
    assert list(worse) == list(better)  # classes from low to high in both
    assert list(worse.values()) == list(better.values())[::-1]  # the dark end flips
    with pytest.raises(MapError, match="polarity"):
        choropleth(values, title="t", unit="%", polarity="up", gebietsstand="2024-12-31")


def test_the_map_renders_offline_with_attribution_german_numbers_and_highlight() -> None:
    values = [{**row, "value": row["value"] * 1000.5} for row in values_for("2024-12-31")]
    chart = choropleth(
        values,
        title="Einwohner",
        unit="Personen",
        polarity="neutral",
        gebietsstand=date(2024, 12, 31),
        highlight="16063",
    )
    spec = json.dumps(chart.to_dict(), ensure_ascii=False)
    assert '"url"' not in spec  # every layer's data is inline
    svg = render_svg(chart)
    assert svg.startswith("<svg") and ATTRIBUTION in svg
    assert svg.count("; Kreis: ") == 22  # one drawn shape per Kreis, named
    assert "Kreis: Wartburgkreis; Einwohner: 8.004,0 Personen" in svg
    # values 1000.5*k, k = 1..22: quintiles at 21*0.2 = 4.2 -> 5.2*1000.5, 21*0.4 -> 9.4*1000.5
    assert "über 5.202,6 bis 9.404,7" in svg  # legend labels with German separators
    assert 'stroke-width="3"' in svg  # the highlighted Kreis


def test_a_kreis_not_on_the_map_is_refused() -> None:
    values = [*values_for("2024-12-31"), {"region_key": "16056", "value": 1.0}]
    with pytest.raises(MapError, match="16056"):
        choropleth(values, title="t", unit="%", polarity="neutral", gebietsstand="2024-12-31")
    with pytest.raises(MapError, match="16056"):
        choropleth(
            values[:-1],
            title="t",
            unit="%",
            polarity="neutral",
            gebietsstand="2024-12-31",
            highlight="16056",
        )


def test_boundaries_older_than_the_map_are_named_not_hidden() -> None:
    shapes = kreis_shapes("2018-12-31")
    assert len(shapes["features"]) == 23
    assert shapes["boundary_note"] == (
        "Kreisgrenzen Stand 01.01.2021, ohne die Gebietsänderungen vom 01.01.2019"
    )
    assert kreis_shapes("2024-12-31")["boundary_note"] == ""
    values = values_for("2018-12-31")
    chart = choropleth(values, title="t", unit="%", polarity="neutral", gebietsstand="2018-12-31")
    assert shapes["boundary_note"] in chart.to_dict()["title"]["subtitle"]


def test_a_map_without_any_value_draws_every_kreis_as_missing() -> None:
    values = [{**row, "value": None, "value_status": "..."} for row in values_for("2024-12-31")]
    chart = choropleth(values, title="t", unit="%", polarity="neutral", gebietsstand="2024-12-31")
    assert {row["klasse"] for row in feature_rows(chart)} == {
        "keine Angabe (Zeichen ...: fällt später an)"
    }
    assert list(fill_scale(chart)) == ["keine Angabe (Zeichen ...: fällt später an)"]
    assert "keine Werte vorhanden" in chart.to_dict()["title"]["subtitle"]
    assert "fällt später an" in render_svg(chart)


def test_the_bundled_boundaries_are_the_territorys_kreise_with_attribution() -> None:
    features = json.loads(MAP_FILE.read_text(encoding="utf-8"))["features"]
    assert sorted(f["properties"]["ARS"] for f in features) == sorted(
        kreise_valid_on(date(2021, 1, 1))
    )
    assert all(set(f["properties"]) == {"ARS", "GEN", "BEZ"} for f in features)
    assert all(shape(f["geometry"]).is_valid for f in features)
    outline = DEFAULT_TERRITORY_DIR / "map_laender_vg5000_2021-01-01.geojson"
    (land,) = json.loads(outline.read_text(encoding="utf-8"))["features"]
    assert land["properties"]["ARS"] == "16"
    union = unary_union(list(bundled_polygons().values()))
    assert union.symmetric_difference(shape(land["geometry"])).area < 1e-4 * union.area
    header = (DEFAULT_TERRITORY_DIR / "territory.yml").read_text(encoding="utf-8")
    assert MAP_FILE.name in header and "© GeoBasis-DE / BKG 2021" in header
    assert "dl-de/by-2-0" in header


def test_map_extract_keeps_the_laender_asked_for_rounded(tmp_path: Path) -> None:
    def feature(ars: str, x: float) -> dict:
        ring = [[x, 50.0], [x, 50.123456789], [x + 0.1, 50.0], [x, 50.0]]
        properties = {"ARS": ars, "GEN": f"Kreis {ars}", "BEZ": "Landkreis", "BEM": "--"}
        return {"type": "Feature", "properties": properties, "geometry": {
            "type": "Polygon", "coordinates": [ring]}}  # fmt: skip

    source = {
        "type": "FeatureCollection",
        "features": [feature("16061", 10.0), feature("09161", 11.0), feature("16061", 12.0)],
    }
    kreise = tmp_path / "vg5000_kreise_2021-01-01.geojson"
    kreise.write_text(json.dumps(source), encoding="utf-8")
    laender = tmp_path / "vg5000_laender_2021-01-01.geojson"
    laender.write_text(json.dumps(source), encoding="utf-8")
    args = [str(kreise), str(laender), "--laender", "16", "--out", str(tmp_path)]
    assert map_extract.main(args) == 0
    written = tmp_path / "map_kreise_vg5000_2021-01-01.geojson"
    (only,) = json.loads(written.read_text(encoding="utf-8"))["features"]
    assert only["properties"] == {"ARS": "16061", "GEN": "Kreis 16061", "BEZ": "Landkreis"}
    assert only["geometry"]["coordinates"][0][1] == [10.0, 50.12346]  # the first, rounded
