"""Write the Gemeindeverzeichnis extract of one Land as a territory table (ref_region_gv.csv).

    python -m pipelines.regions.extract <GV.xlsx> [--land 16]
        [--out data_contracts/territories/thueringen/ref_region_gv.csv]

One row per Land, Regierungsbezirk, Kreis, Gemeindeverband and Gemeinde of the Land
(Baden-Württemberg's planning Regionen are left out), sorted by `region_key` as text. UTF-8
without BOM, `,` separated, LF line ends, no comment lines.

    region_key         AGS: Land 2, RB 3, Kreis 5, Gemeinde 8 digits; Gemeindeverband: ARS[0:9]
    ars                the ARS of the same length (Gemeinde: 12 digits)
    name               as the GV writes it ("Erfurt, Stadt", "Eichsfeld")
    level              land | regierungsbezirk | kreis | gemeindeverband | gemeinde
    parent_key         Gemeinde and Gemeindeverband -> Kreis, Kreis and RB -> Land, Land -> ''
    verband_key        Gemeinde -> its Gemeindeverband (ARS[0:9]); every Gemeinde has one,
                       a verbandsfreie Gemeinde is its own one-member "Verband"
    kreis_type         Kreise: kreisfreie Stadt | Landkreis | Kreis | Stadtkreis | Regionalverband
    municipality_type  Gemeinden: Stadt | Gemeinde | kreisfreie Stadt | Markt | …;
                       Gemeindeverbände: Verwaltungsgemeinschaft | erfüllende Gemeinde |
                       verbandsfrei | Amt | …
    area_km2           Gemeinden as the GV gives them; higher levels the sum of their Gemeinden
                       (the GV gives area only for Gemeinden)
    population_2022    population on 31.12.2022, summed likewise
    valid_from         '' (the GV does not say since when a region exists)
    gebietsstand       the GV's Gebietsstand (2024-06-30)
"""

from __future__ import annotations

import argparse
import csv
import io
import sys
from collections import Counter
from datetime import date
from decimal import Decimal
from pathlib import Path

import pandas as pd

from pipelines.readers.errors import InputError
from pipelines.regions.gemeindeverzeichnis import read_gv
from pipelines.territory import DEFAULT_TERRITORY_DIR

DEFAULT_OUT = DEFAULT_TERRITORY_DIR / "ref_region_gv.csv"
COLUMNS = [
    "region_key",
    "ars",
    "name",
    "level",
    "parent_key",
    "verband_key",
    "kreis_type",
    "municipality_type",
    "area_km2",
    "population_2022",
    "valid_from",
    "gebietsstand",
]
LEVELS = ("land", "regierungsbezirk", "kreis", "gemeindeverband", "gemeinde")
POPULATION_DATE = date(2022, 12, 31)  # the date `population_2022` promises
# Prefix of the ARS that a level's members share with their Gemeinden.
ARS_DIGITS = {"land": 2, "regierungsbezirk": 3, "kreis": 5, "gemeindeverband": 9}
VERBAND_TYPES = {"verbandsfreie Gemeinde": "verbandsfrei"}


def _text(value: object) -> str:
    return "" if value is None or pd.isna(value) else str(value)


def build_extract(gv: pd.DataFrame) -> list[dict[str, str]]:
    """Seed rows from a `read_gv` frame, sorted by region_key."""
    population_date = gv.attrs.get("population_date")
    if population_date != POPULATION_DATE:
        raise InputError.single(
            gv.attrs.get("file", "GV"),
            expected=f"population on {POPULATION_DATE:%d.%m.%Y} (the seed column population_2022)",
            found=f"population on {population_date:%d.%m.%Y}"
            if population_date
            else "no population date under the header 'Bevölkerung'",
        )
    gemeinden = gv[gv["level"] == "gemeinde"]
    areas = [Decimal(repr(float(a))) for a in gemeinden["area_km2"]]
    populations = [int(p) for p in gemeinden["population"]]
    totals: dict[tuple[str, str], tuple[Decimal, int]] = {}
    for level, digits in ARS_DIGITS.items():
        sums: dict[str, list] = {}
        for ars, area, population in zip(gemeinden["ars"], areas, populations, strict=True):
            entry = sums.setdefault(ars[:digits], [Decimal(0), 0])
            entry[0] += area
            entry[1] += population
        for key, (area, population) in sums.items():
            totals[level, key] = (area, population)

    rows: list[dict[str, str]] = []
    for record in gv[gv["level"].isin(LEVELS)].to_dict("records"):
        level, ars = record["level"], record["ars"]
        if level == "gemeinde":
            key = record["ags"]
            area, population = Decimal(repr(float(record["area_km2"]))), int(record["population"])
            municipality_type = _text(record["gemeinde_type"])
        else:
            key = ars
            area, population = totals.get((level, ars), (Decimal(0), 0))
            verband_type = _text(record["verband_type"])
            municipality_type = VERBAND_TYPES.get(verband_type, verband_type)
        rows.append(
            {
                "region_key": key,
                "ars": ars,
                "name": record["name"],
                "level": level,
                "parent_key": _text(record["parent_key"]),
                "verband_key": _text(record["verband_ars"]),
                "kreis_type": _text(record["kreis_type"]),
                "municipality_type": municipality_type,
                "area_km2": f"{area.quantize(Decimal('0.01'))}",
                "population_2022": str(population),
                "valid_from": "",
                "gebietsstand": record["gebietsstand"].isoformat(),
            }
        )
    rows.sort(key=lambda r: r["region_key"])
    keys = Counter(r["region_key"] for r in rows)
    doubled = [k for k, n in keys.items() if n > 1]
    if doubled:  # e.g. an RB key equal to a Kreis key would break the seed's primary key
        raise ValueError(f"region_key not unique in the extract: {', '.join(doubled[:5])}")
    return rows


def extract_csv(path: Path, land: str = "16") -> str:
    """The seed CSV text for one Land of the GV workbook at `path`."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(build_extract(read_gv(Path(path), land=land)))
    return out.getvalue()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m pipelines.regions.extract",
        description="Write one Land of the Destatis Gemeindeverzeichnis as a territory table.",
    )
    parser.add_argument("gv", type=Path, help="the GV workbook, e.g. AuszugGV2QAktuell.xlsx")
    parser.add_argument("--land", default="16", help="2-digit Land key (default 16 Thüringen)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help=f"default {DEFAULT_OUT}")
    args = parser.parse_args(argv)
    try:
        text = extract_csv(args.gv, land=args.land)
    except InputError as exc:
        print(f"cannot use {args.gv}:\n{exc}", file=sys.stderr)
        return 1
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_bytes(text.encode("utf-8"))
    levels = Counter(row["level"] for row in csv.DictReader(io.StringIO(text)))
    counts = ", ".join(f"{levels[level]} {level}" for level in LEVELS if levels[level])
    print(f"wrote {args.out}: {sum(levels.values())} regions ({counts})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
