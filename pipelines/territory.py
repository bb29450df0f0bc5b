"""The territory a warehouse covers: its Länder, its map and the years every region must have.

A territory is a folder: `territory.yml` (name, Länder, first year; open-ended) and three tables
the dbt project reads as `ref_region` (Länder and Kreise with their history),
`ref_region_gv` (the Gemeindeverzeichnis extract: Gemeindeverbände and Gemeinden) and
`key_history` (territorial changes with weights). Contracts take the Länder whose keys a
delivery may hold from it; the coverage tests take the years and the counts of Kreise and
Gemeinden from it, so nothing in the pipeline is tied to one Land.

The bundled territory is Thüringen (`data_contracts/territories/thueringen`). A warehouse for
more Länder sets `SOZPLAN_TERRITORY_DIR` to a folder written by
`python -m pipelines.regions.territory <GV.xlsx> --laender ...`.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from pipelines.paths import CONTRACTS_DIR, DBT_PROJECT_DIR

DEFAULT_TERRITORY_DIR = CONTRACTS_DIR / "territories" / "thueringen"
TABLES = ("ref_region", "ref_region_gv", "key_history")


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
        return [self.directory / "territory.yml", *(self.table(t) for t in TABLES)]

    @property
    def key_prefix(self) -> str:
        """Regex for the 2-digit Land part of a region key of this territory."""
        return "(?:" + "|".join(self.laender) + ")"

    def dbt_vars(self) -> dict[str, str | int]:
        """dbt runs in the dbt project folder: the territory's path relative to it, so compiled
        SQL names no machine path."""
        return {"territory_dir": os.path.relpath(self.directory, DBT_PROJECT_DIR)}


def load_territory(directory: Path) -> Territory:
    directory = Path(directory).resolve()
    spec = directory / "territory.yml"
    if not spec.is_file():
        raise TerritoryError(f"{spec}: no territory.yml (expected name, laender, periods)")
    try:
        data = yaml.safe_load(spec.read_text(encoding="utf-8")) or {}
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
