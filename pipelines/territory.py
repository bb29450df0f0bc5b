"""The territory a warehouse covers: its Länder, its map and the years every region must have.

A territory is a folder: `territory.yml` (name, Länder, first year; open-ended) and three
tables (written into each build's schema `territory`) the dbt project reads as `ref_region`
(Länder and Kreise with their history), `ref_region_gv` (the Gemeindeverzeichnis extract:
Gemeindeverbände and Gemeinden) and `key_history` (territorial changes with weights), and
optionally `small_areas.csv`, the Sozialräume / Stadtteile of its cities (region_key
`<AGS8>-<code>`, name, gemeinde_key, valid_from, valid_to). Contracts take the Länder whose
keys a delivery may hold from it; the coverage tests take the years and the counts of Kreise
and Gemeinden from it, and the contract checks the keys a delivery may hold and the regions
each of its periods must have (`Territory.regions`), so nothing in the pipeline is tied to one
Land. A territory may also carry its map (`map_kreise_*.geojson`, see `pipelines/report/maps.py`);
one without gets reports without maps.

The bundled territory is Thüringen (`data_contracts/territories/thueringen`). A warehouse for
more Länder sets `SOZPLAN_TERRITORY_DIR` to a folder written by
`python -m pipelines.regions.territory <GV.xlsx> --laender ...`.
"""

from __future__ import annotations

import csv
import os
import re
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import yaml

from pipelines.paths import CONTRACTS_DIR
from pipelines.yaml_text import load_yaml

if TYPE_CHECKING:
    import duckdb

DEFAULT_TERRITORY_DIR = CONTRACTS_DIR / "territories" / "thueringen"
TABLES = ("ref_region", "ref_region_gv", "key_history")
SCHEMA = "territory"  # where a build finds TABLES (`Territory.write_tables`)
SMALL_AREAS = "small_areas"  # optional: the Sozialräume of the territory's cities
LEVELS = ("land", "kreis", "gemeinde", "sozialraum")


class TerritoryError(ValueError):
    """A territory folder that cannot be used; the message names the file and field."""


@dataclass(frozen=True)
class Territory:
    directory: Path
    name: str
    laender: tuple[str, ...]
    first_period: int  # the first year the warehouse covers; later years are open-ended
    last_period: int | None = None  # None: up to the newest delivered year

    def table(self, name: str) -> Path:
        return self.directory / f"{name}.csv"

    @property
    def files(self) -> list[Path]:
        """Everything a release built on this territory depends on."""
        files = [self.directory / "territory.yml", *(self.table(t) for t in TABLES)]
        small_areas = self.table(SMALL_AREAS)
        return [*files, small_areas] if small_areas.is_file() else files

    def regions(self, level: str) -> tuple[KnownRegion, ...]:
        """Every region of `level` the territory has ever had, with its validity: Länder and
        Kreise from ref_region, Gemeinden from ref_region_gv and the former ones from
        key_history (as `dim_region` dates them), Sozialräume from small_areas.csv."""
        if level not in LEVELS:
            raise ValueError(f"level must be one of {', '.join(LEVELS)}, not {level!r}")
        stamp = tuple(
            (p.name, p.stat().st_mtime_ns, p.stat().st_size) for p in self.files if p.is_file()
        )
        return _known_regions(self.directory, stamp)[level]

    @property
    def key_prefix(self) -> str:
        """Regex for the 2-digit Land part of a region key of this territory."""
        return "(?:" + "|".join(self.laender) + ")"

    def write_tables(self, con: duckdb.DuckDBPyConnection) -> None:
        """Its TABLES into schema `territory` of `con`, every field as text (dbt's reference
        models type them): dbt reads the territory from the database, not from a folder it
        would have to be told of, so its saved parse holds for every territory."""
        con.execute(f"create schema if not exists {SCHEMA}")
        for name in TABLES:
            path = self.table(name)
            with path.open(encoding="utf-8", newline="") as handle:
                header = next(csv.reader(handle), [])
            columns = "{" + ", ".join(f"'{c}': 'VARCHAR'" for c in header) + "}"
            con.execute(
                f"create or replace table {SCHEMA}.{name} as select * from read_csv(?, "
                f"header=true, delim=',', quote='\"', columns={columns}, auto_detect=false)",
                [str(path)],
            )


@dataclass(frozen=True)
class KnownRegion:
    key: str
    name: str
    valid_from: date | None = None
    valid_to: date | None = None

    def exists_on(self, day: date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_to is None or day <= self.valid_to
        )


def _rows(path: Path) -> list[dict[str, str]]:
    if not path.is_file():
        return []
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _date(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


@lru_cache(maxsize=8)
def _known_regions(
    directory: Path, stamp: tuple[tuple[str, int, int], ...]
) -> dict[str, tuple[KnownRegion, ...]]:
    """The regions of each level (`stamp`: the files' times and sizes, so an edited table is
    read again)."""
    regions: dict[str, list[KnownRegion]] = {level: [] for level in LEVELS}
    for row in _rows(directory / "ref_region.csv"):
        if row["level"] in ("land", "kreis"):
            regions[row["level"]].append(
                KnownRegion(
                    row["region_key"],
                    row["name"],
                    _date(row.get("valid_from")),
                    _date(row.get("valid_to")),
                )
            )
    history = [r for r in _rows(directory / "key_history.csv") if len(r["old_key"]) == 8]
    formed: dict[str, date] = {}  # a Gemeinde formed by a change exists from that day
    ended: dict[str, date] = {}  # a former Gemeinde exists up to the day before its change
    for change in history:
        day = date.fromisoformat(change["change_date"])
        if change["old_key"] != change["new_key"]:
            formed[change["new_key"]] = max(day, formed.get(change["new_key"], day))
            ended[change["old_key"]] = min(day, ended.get(change["old_key"], day))
    gemeinden = {
        row["region_key"]: row["name"]
        for row in _rows(directory / "ref_region_gv.csv")
        if row["level"] == "gemeinde"
    }
    for key, name in gemeinden.items():
        regions["gemeinde"].append(KnownRegion(key, name, formed.get(key)))
    for key, day in ended.items():
        if key not in gemeinden:
            regions["gemeinde"].append(KnownRegion(key, key, None, day - timedelta(days=1)))
    for row in _rows(directory / f"{SMALL_AREAS}.csv"):
        regions["sozialraum"].append(
            KnownRegion(
                row["region_key"],
                row["name"],
                _date(row.get("valid_from")),
                _date(row.get("valid_to")),
            )
        )
    return {level: tuple(sorted(r, key=lambda k: k.key)) for level, r in regions.items()}


def load_territory(directory: Path) -> Territory:
    directory = Path(directory).resolve()
    spec = directory / "territory.yml"
    if not spec.is_file():
        raise TerritoryError(f"{spec}: no territory.yml (expected name, laender, periods)")
    try:
        data = load_yaml(spec.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise TerritoryError(f"{spec}: not readable as YAML: {exc}") from exc
    if not isinstance(data, dict):
        raise TerritoryError(
            f"{spec}: expected a mapping with name, laender, periods, found {type(data).__name__}"
        )
    laender = data.get("laender")
    if (
        not isinstance(laender, list)
        or not laender
        or not all(isinstance(k, str) and re.fullmatch(r"\d{2}", k) for k in laender)
    ):
        raise TerritoryError(
            f"{spec}: field 'laender': expected a list of 2-digit Land keys as text "
            f'(e.g. ["16"]), found {laender!r}'
        )
    periods = data.get("periods")
    if isinstance(periods, list) and len(periods) == 1:
        periods = [periods[0], None]
    if (
        not isinstance(periods, list)
        or len(periods) != 2
        or not isinstance(periods[0], int)
        or not (periods[1] is None or isinstance(periods[1], int) and periods[0] <= periods[1])
    ):
        raise TerritoryError(
            f"{spec}: field 'periods': expected [first_year] (open-ended) or "
            f"[first_year, last_year], found {periods!r}"
        )
    missing = [t for t in TABLES if not (directory / f"{t}.csv").is_file()]
    if missing:
        raise TerritoryError(f"{directory}: missing {', '.join(f'{t}.csv' for t in missing)}")
    return Territory(
        directory=directory,
        name=str(data.get("name") or directory.name),
        laender=tuple(sorted(laender)),
        first_period=periods[0],
        last_period=periods[1],
    )


def newest_gebietsstand() -> str:
    """The default territorial status: the map as it is this year (31.12. of the current year),
    so that every delivered period, however new, lies on or before it."""
    from datetime import date

    return f"{date.today().year}-12-31"


def current_territory() -> Territory:
    """`SOZPLAN_TERRITORY_DIR` if set, else the bundled Thüringen territory."""
    configured = os.environ.get("SOZPLAN_TERRITORY_DIR")
    return load_territory(Path(configured) if configured else DEFAULT_TERRITORY_DIR)
