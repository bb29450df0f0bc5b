"""The sample's small-area counts and the secondary suppression method (README, "Small areas:
secondary suppression"), written here from the method's description, apart from the dbt
model, so that the tests can compare the two."""

from __future__ import annotations

import csv
import functools
from collections.abc import Iterable, Mapping
from typing import NamedTuple

from tests.conftest import SAMPLE_DIR


class Cell(NamedTuple):
    region_key: str
    period: int
    measure_id: str


class Group(NamedTuple):
    """Parts that add up to a total: a small-area cell or a number published elsewhere."""

    parts: tuple[Cell, ...]
    total: Cell | float | None


Counts = dict[Cell, float | None]  # None: the city printed a secret sign

THRESHOLD = 3  # no published count below it
AGE_PARTS = ("pop_u15", "pop_15_64", "pop_65plus")  # add up to pop_total
ERFURT = ("16051", "erfurt_stadtteile_2024.csv")
JENA = ("16053", "jena_planungsraeume_2024.csv")
ERFURT_COLUMNS = {
    "Einwohner insgesamt": "pop_total",
    "unter 18 Jahre": "pop_u18",
    "65 Jahre und älter": "pop_65plus",
    "SGB-II-Leistungsberechtigte": "sgb2_lb",
    "unter 15 Jahre": "pop_u15",
    "15 bis unter 65 Jahre": "pop_15_64",
    "SGB-II-Leistungsberechtigte unter 15 Jahre": "sgb2_lb_u15",
    "Langzeitarbeitslose": "unemployed_long_term",
    "Arbeitslose": "unemployed",
}
JENA_LABELS = {
    "Einwohner": "pop_total",
    "Einwohner unter 18 Jahren": "pop_u18",
    "Einwohner 65 Jahre und älter": "pop_65plus",
    "SGB-II-Leistungsberechtigte": "sgb2_lb",
    "Arbeitslose": "unemployed",
    "Einwohner unter 15 Jahren": "pop_u15",
    "Einwohner 15 bis unter 65 Jahren": "pop_15_64",
    "SGB-II-Leistungsberechtigte unter 15 Jahren": "sgb2_lb_u15",
    "Langzeitarbeitslose": "unemployed_long_term",
}


def erfurt_cells() -> Counts:
    """Erfurt by Stadtteil, 2024, as the city file prints it (`*`: secret)."""
    with (SAMPLE_DIR / ERFURT[1]).open(encoding="cp1252", newline="") as f:
        rows = list(csv.reader(f, delimiter=";"))
    header = rows[1]
    cells: Counts = {}
    for row in rows[2:]:
        if not row[0].isdigit():  # the city total, blank and note lines
            continue
        for label, text in zip(header, row, strict=True):
            if label in ERFURT_COLUMNS:
                cell = Cell(f"16051000-{int(row[0]):02d}", 2024, ERFURT_COLUMNS[label])
                cells[cell] = None if text == "*" else float(text.replace(".", ""))
    return cells


def jena_cells() -> Counts:
    """Jena by district, 2022-2024, as the city file prints it (`.`: secret)."""
    with (SAMPLE_DIR / JENA[1]).open(encoding="utf-8", newline="") as f:
        return {
            Cell(f"16053000-{r['Bezirk-Nr']}", int(r["Jahr"]), JENA_LABELS[r["Merkmal"]]): (
                None if r["Wert"] == "." else float(r["Wert"])
            )
            for r in csv.DictReader(f)
            if r["Merkmal"] in JENA_LABELS
        }


def _ffcsv(name: str) -> list[dict[str, str]]:
    with (SAMPLE_DIR / name).open(encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f, delimiter=";"))


def kreis_counts(kreis: str, year: int) -> dict[str, float]:
    """The Kreis's counts of the small-area measures, from the Kreis sample files."""
    ages = {
        r["3_variable_attribute_code"]: float(r["value"])
        for r in _ffcsv("12411-02-03-4_de_flat.csv")
        if r["1_variable_attribute_code"] == kreis
        and r["2_variable_attribute_code"] == ""
        and r["time"] == f"{year}-12-31"
    }
    u15 = sum(ages[c] for c in ("ALT000B03", "ALT003B06", "ALT006B10", "ALT010B15"))
    o65 = ages["ALT065B75"] + ages["ALT075UM"]
    sgb2 = {
        r["2_variable_attribute_code"]: float(r["value"])
        for r in _ffcsv("SGB2-01-4_de_flat.csv")
        if r["1_variable_attribute_code"] == kreis
        and r["time"] == str(year)
        and r["value_variable_code"] == "LB"
    }
    text = (SAMPLE_DIR / f"13211-02-05-4_{year}.csv").read_bytes().decode("cp1252")
    (row,) = [
        f for f in csv.reader(text.splitlines(), delimiter=";") if f[:2] == [str(year), kreis]
    ]
    return {
        "pop_total": ages[""],
        "pop_u18": u15 + ages["ALT015B18"],
        "pop_65plus": o65,
        "pop_u15": u15,
        "pop_15_64": ages[""] - u15 - o65,
        "sgb2_lb": sgb2[""],
        "sgb2_lb_u15": sgb2["ALT000B15"],
        "unemployed": float(row[3]),  # Arbeitslose
        "unemployed_long_term": float(row[9]),  # langzeitarbeitslos
    }


def groups(cells: Iterable[Cell], totals: Mapping[tuple[str, int, str], float]) -> list[Group]:
    """The groups of the sample's cells: the areas of a city against the Kreis's count (the
    city is a kreisfreie Stadt), and each area's age groups against its population."""
    cells = sorted(cells)
    by_city: dict[tuple[str, int, str], list[Cell]] = {}
    for c in cells:
        by_city.setdefault((c.region_key[:5], c.period, c.measure_id), []).append(c)
    out = [Group(tuple(parts), totals.get(key)) for key, parts in sorted(by_city.items())]
    present = set(cells)
    for c in cells:
        if c.measure_id == "pop_total":
            parts = tuple(Cell(c.region_key, c.period, m) for m in AGE_PARTS)
            if all(p in present for p in parts):
                out.append(Group(parts, c))
    return out


def secondary_suppression(cells: Counts, groups: Iterable[Group]) -> set[Cell]:
    """The cells the method suppresses besides the primary ones (value None).

    A group needs one more suppressed cell while it holds suppressed cells and (a) just one,
    (b) together less than THRESHOLD (the total minus the published parts), or (c) only
    primary ones whose sum is 1 or 2 per cell. It takes the smallest published part (ties:
    region key, measure), the total when no part is left; repeated until no group needs more.
    """
    groups = list(groups)
    primary = {c for c, v in cells.items() if v is None}
    hidden = set(primary)
    while True:
        chosen: set[Cell] = set()
        for parts, total in groups:
            total_cell = total if isinstance(total, Cell) else None
            members = [*parts, *([total_cell] if total_cell else [])]
            unknown = [m for m in members if m in hidden]
            unknown_parts = [p for p in parts if p in hidden]
            if not unknown:
                continue
            total_value = (
                (None if total_cell in hidden else cells[total_cell]) if total_cell else total
            )
            rest = None
            if total_value is not None:
                rest = total_value - sum(cells[p] for p in parts if p not in hidden)  # type: ignore[misc]
            needs = len(unknown) == 1 or (
                rest is not None
                and bool(unknown_parts)
                and (
                    rest < THRESHOLD
                    or (
                        len(unknown) == len(unknown_parts)
                        and all(p in primary for p in unknown_parts)
                        and rest in (len(unknown_parts), 2 * len(unknown_parts))
                    )
                )
            )
            candidates = sorted(
                (m for m in members if m not in hidden),
                key=lambda m: (m == total_cell, cells[m], m.region_key, m.measure_id),
            )
            if needs and candidates:
                chosen.add(candidates[0])
        if not chosen:
            return hidden - primary
        hidden |= chosen


@functools.cache
def sample_cells() -> Counts:
    return {**erfurt_cells(), **jena_cells()}


@functools.cache
def sample_kreis_totals() -> dict[tuple[str, int, str], float]:
    periods = {(c.region_key[:5], c.period) for c in sample_cells()}
    return {
        (kreis, year, measure): value
        for kreis, year in sorted(periods)
        for measure, value in kreis_counts(kreis, year).items()
    }


@functools.cache
def sample_secondary_suppression() -> frozenset[Cell]:
    """The cells of the sample the method suppresses besides those the cities suppressed."""
    cells = sample_cells()
    return frozenset(secondary_suppression(cells, groups(cells, sample_kreis_totals())))
