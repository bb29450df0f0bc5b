"""Write a territory folder for several Länder (see `pipelines.territory`).

    python -m pipelines.regions.territory <GV.xlsx> --laender 04,10 | all
        [--periods 2000 2024] [--name NAME] --out DIR

Thüringen (16) is always part of it, with its tables as bundled (its Kreis history, its key
history, its Gemeindeverzeichnis extract, the Sozialräume of its cities); the other Länder
come from the Gemeindeverzeichnis file on its Gebietsstand, without history (the GV does not
say what changed before it).
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import sys
from pathlib import Path

import pandas as pd

from pipelines.readers.errors import InputError
from pipelines.regions.extract import COLUMNS, build_extract
from pipelines.regions.gemeindeverzeichnis import read_gv
from pipelines.territory import (
    DEFAULT_TERRITORY_DIR,
    SMALL_AREAS,
    Territory,
    TerritoryError,
    load_territory,
)

HOME = "16"  # the bundled territory's Land
REGION_COLUMNS = [
    "region_key",
    "name",
    "level",
    "parent_key",
    "kreis_type",
    "valid_from",
    "valid_to",
    "area_km2",
]


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _write(path: Path, columns: list[str], rows: list[dict[str, str]]) -> None:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    path.write_bytes(out.getvalue().encode("utf-8"))


def build_territory(
    gv: pd.DataFrame,
    laender: list[str],
    out: Path,
    name: str,
    periods: tuple[int, int],
    home: Path = DEFAULT_TERRITORY_DIR,
) -> Territory:
    """Write the territory of `laender` (plus Thüringen) from a `read_gv` frame of Germany."""
    if periods[0] > periods[1]:
        raise TerritoryError(
            f"field 'periods': expected [first_year, last_year], found {list(periods)}"
        )
    others = sorted(set(laender) - {HOME})
    missing = [k for k in others if not (gv["land"] == k).any()]
    if missing:
        raise ValueError(f"Länder not in the Gemeindeverzeichnis: {', '.join(missing)}")
    extract = build_extract(gv[gv["land"].isin(others)]) if others else []
    gv_rows = [r for r in _read(home / "ref_region_gv.csv")] + extract
    gv_rows.sort(key=lambda r: r["region_key"])

    regions = _read(home / "ref_region.csv")
    for row in extract:
        if row["level"] in ("land", "kreis"):
            regions.append(
                {
                    "region_key": row["region_key"],
                    "name": row["name"],
                    "level": row["level"],
                    "parent_key": row["region_key"][:2] if row["level"] == "kreis" else "",
                    "kreis_type": row["kreis_type"],
                    "valid_from": "",
                    "valid_to": "",
                    "area_km2": row["area_km2"],
                }
            )
    regions.sort(key=lambda r: r["region_key"])

    out.mkdir(parents=True, exist_ok=True)
    _write(out / "ref_region_gv.csv", COLUMNS, gv_rows)
    _write(out / "ref_region.csv", REGION_COLUMNS, regions)
    (out / "key_history.csv").write_bytes((home / "key_history.csv").read_bytes())
    if (home / f"{SMALL_AREAS}.csv").is_file():  # the Sozialräume of Thüringen's cities
        (out / f"{SMALL_AREAS}.csv").write_bytes((home / f"{SMALL_AREAS}.csv").read_bytes())
    (out / "territory.yml").write_text(
        "# Written by `python -m pipelines.regions.territory`: Thüringen as bundled, the other\n"
        "# Länder from the Gemeindeverzeichnis (Gebietsstand of the GV, no history).\n"
        f"name: {json.dumps(name, ensure_ascii=False)}\n"
        f"laender: {json.dumps(sorted({HOME, *others}))}\n"
        f"periods: {json.dumps(list(periods))}\n",
        encoding="utf-8",
    )
    return load_territory(out)


def read_germany(path: Path) -> pd.DataFrame:
    """The whole GV with a `land` column (first two digits of the ARS)."""
    gv = read_gv(Path(path))
    gv["land"] = gv["ars"].str[:2]
    return gv


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m pipelines.regions.territory",
        description="Write a territory folder for Thüringen and further Länder.",
    )
    parser.add_argument("gv", type=Path, help="the GV workbook, e.g. AuszugGV2QAktuell.xlsx")
    parser.add_argument("--laender", required=True, help="Land keys (comma-separated) or all")
    parser.add_argument("--periods", nargs=2, type=int, default=[2015, 2024], metavar="YEAR")
    parser.add_argument("--name", default="")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    try:
        gv = read_germany(args.gv)
    except InputError as exc:
        print(f"cannot use {args.gv}:\n{exc}", file=sys.stderr)
        return 1
    laender = (
        sorted(gv["land"].dropna().unique())
        if args.laender == "all"
        else [k.strip() for k in args.laender.split(",")]
    )
    try:
        territory = build_territory(
            gv, laender, args.out, args.name or args.out.name, tuple(args.periods)
        )
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"wrote territory {territory.name} ({', '.join(territory.laender)}) to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
