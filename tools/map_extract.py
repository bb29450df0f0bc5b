"""Copy a territory's Kreise and Land outline out of the BKG VG5000 GeoJSON files.

The report draws its maps from these copies so that a clone needs nothing outside its
checkout. Only the Länder of the territory are kept, with the properties ARS, GEN and BEZ, and
coordinates are rounded to 5 decimals (about 1 m; VG5000 is made for 1:5,000,000, so nothing
visible changes and the files shrink to half).

    python -m tools.map_extract ../shared/reference_data/geodata/vg5000_kreise_2021-01-01.geojson \
        ../shared/reference_data/geodata/vg5000_laender_2021-01-01.geojson \
        --laender 16 --out data_contracts/territories/thueringen
"""

from __future__ import annotations

import argparse
import json
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

KEEP = ("ARS", "GEN", "BEZ")
DECIMALS = 5


def _round(coordinates: Any) -> Any:
    if isinstance(coordinates, float | int):
        return round(float(coordinates), DECIMALS)
    return [_round(c) for c in coordinates]


def extract(source: Path, laender: Sequence[str]) -> dict[str, Any]:
    """The features of `source` whose ARS starts with one of `laender`, reduced and rounded
    (a Land's water areas, listed after its land area in VG5000, are left out)."""
    data = json.loads(source.read_text(encoding="utf-8"))
    features, seen = [], set()
    for feature in data["features"]:
        properties = feature["properties"]
        ars = properties["ARS"]
        if ars[:2] not in laender or ars in seen:
            continue
        seen.add(ars)
        geometry = feature["geometry"]
        features.append(
            {
                "type": "Feature",
                "properties": {key: properties[key] for key in KEEP},
                "geometry": {
                    "type": geometry["type"],
                    "coordinates": _round(geometry["coordinates"]),
                },
            }
        )
    return {"type": "FeatureCollection", "crs": data.get("crs"), "features": features}


def _write(collection: dict[str, Any], path: Path) -> None:
    text = json.dumps(collection, ensure_ascii=False, separators=(",", ":"))
    # one feature per line keeps diffs readable
    text = text.replace(',{"type":"Feature"', ',\n{"type":"Feature"')
    path.write_text(text + "\n", encoding="utf-8")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("kreise", type=Path, help="vg5000_kreise_<date>.geojson")
    parser.add_argument("laender_file", type=Path, help="vg5000_laender_<date>.geojson")
    parser.add_argument("--laender", required=True, help="comma-separated Land keys, e.g. 16")
    parser.add_argument("--out", type=Path, required=True, help="the territory folder")
    args = parser.parse_args(argv)
    laender = [key.strip() for key in args.laender.split(",")]
    stand = re.search(r"\d{4}-\d{2}-\d{2}", args.kreise.name)
    if not stand:
        parser.error(f"{args.kreise.name}: no Gebietsstand (YYYY-MM-DD) in the file name")
    for kind, source in (("kreise", args.kreise), ("laender", args.laender_file)):
        target = args.out / f"map_{kind}_vg5000_{stand.group()}.geojson"
        collection = extract(source, laender)
        _write(collection, target)
        print(f"{target}: {len(collection['features'])} features")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
