"""Deterministic sample of a second city's small-area table: Jena by district, 2022-2024.

Writes `jena_planungsraeume_2024.csv` in a layout unlike the Erfurt file, so the generic
municipal reader is exercised on its LONG layout: UTF-8 without BOM, `,` as delimiter,
decimal point, no thousands separator, LF, no title, total or note lines; one row per
district and measure:

    Jahr,Bezirk-Nr,Bezirk,Merkmal,Wert

The file holds the years 2022, 2023 and 2024 (one delivery with a `Jahr` column).
Measures (Merkmal): Einwohner, Einwohner unter 18 Jahren, Einwohner 65 Jahre und älter,
SGB-II-Leistungsberechtigte, Arbeitslose, Einwohner unter 15 Jahren, Einwohner 15 bis unter
65 Jahren, SGB-II-Leistungsberechtigte unter 15 Jahren, Langzeitarbeitslose. Counts below 3
are printed as `.` (secret).

The numbers are SYNTHETIC: for every measure and year the districts add up exactly to the
Jena (16053) figure of that year in the Kreis sample files (population and age groups from
12411-02-03-4 - per district 15 bis unter 65 = Einwohner - unter 15 - 65 und älter -,
SGB II Leistungsberechtigte, all and under 15 (ALT000B15), from SGB2-01-4, Arbeitslose
(ERWP06) and Langzeitarbeitslose (ERWP06 ARBEITSLOS05) from 13211-02-05-4) before small
counts are suppressed, so a sum of the printed numbers falls short of the city figure by at
most 2 per `.`. The 2024 numbers of the first five measures are those of the earlier
one-year sample; a few districts drift over the years (TREND) so the dynamics of a social
index have something to show.

Districts: the names are real Ortsteile of Jena, but only a subset of them (18 of about
30; left out are e.g. Lobeda-Altstadt, Wöllnitz, Ziegenhain, Isserstedt and most villages
incorporated in 1994), and neither the city's own numbering of its statistical districts
nor its Planungsräume are known here reliably: the numbers 01-18 are this sample's own.
The whole city total is spread over these 18, so each gets more people than in reality.

    python -m pipelines.sample.generate   (writes every sample file)
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from pipelines.sample import unemployment
from pipelines.sample.generate import (
    POPULATION_FILE,
    SGB2_FILE,
    _largest_remainder,
    _noise,
)
from pipelines.sample.municipal import _one, _rows, split_city_totals

SEED = 16_053_2024
DEFAULT_OUT = Path(__file__).resolve().parents[2] / "sample_data"
FILE_NAME = "jena_planungsraeume_2024.csv"
JENA = "16053"
YEAR = 2024  # the latest year; its numbers are drawn from SEED
YEARS = (2022, 2023, 2024)
SECRET_BELOW = 3  # counts below this are printed as `.`
SECRET = "."
HEADER = ("Jahr", "Bezirk-Nr", "Bezirk", "Merkmal", "Wert")
# measure code, label in the file (Merkmal)
MEASURES: tuple[tuple[str, str], ...] = (
    ("EW_INSG", "Einwohner"),
    ("EW_U18", "Einwohner unter 18 Jahren"),
    ("EW_65UM", "Einwohner 65 Jahre und älter"),
    ("SGB2_LB", "SGB-II-Leistungsberechtigte"),
    ("ALO", "Arbeitslose"),
    ("EW_U15", "Einwohner unter 15 Jahren"),
    ("EW_15_64", "Einwohner 15 bis unter 65 Jahren"),
    ("SGB2_LB_U15", "SGB-II-Leistungsberechtigte unter 15 Jahren"),
    ("LZA", "Langzeitarbeitslose"),
)
U15 = ("ALT000B03", "ALT003B06", "ALT006B10", "ALT010B15")
U18 = (*U15, "ALT015B18")
O65 = ("ALT065B75", "ALT075UM")


@dataclass(frozen=True)
class Bezirk:
    """A district and the synthetic profile its numbers are drawn from."""

    code: int
    name: str
    size: int  # relative weight of the population (synthetic)
    u18: float  # share under 18
    o65: float  # share 65 and older
    sgb2: float  # SGB II Leistungsberechtigte per inhabitant


# Names: Ortsteile of Jena. Numbers and profiles: synthetic.
# fmt: off
BEZIRKE: tuple[Bezirk, ...] = (
    Bezirk(1, "Jena-Zentrum", 9500, 0.10, 0.16, 0.050),
    Bezirk(2, "Jena-Nord", 17500, 0.14, 0.22, 0.050),
    Bezirk(3, "Jena-Ost", 8000, 0.15, 0.20, 0.030),
    Bezirk(4, "Jena-West", 11000, 0.15, 0.20, 0.020),
    Bezirk(5, "Jena-Süd", 10000, 0.14, 0.22, 0.030),
    Bezirk(6, "Wenigenjena", 10500, 0.16, 0.24, 0.030),
    Bezirk(7, "Lobeda-West", 12000, 0.16, 0.30, 0.110),
    Bezirk(8, "Lobeda-Ost", 9000, 0.15, 0.32, 0.100),
    Bezirk(9, "Winzerla", 12500, 0.16, 0.30, 0.080),
    Bezirk(10, "Burgau", 2800, 0.17, 0.20, 0.020),
    Bezirk(11, "Göschwitz", 900, 0.16, 0.22, 0.030),
    Bezirk(12, "Ammerbach", 1300, 0.18, 0.20, 0.010),
    Bezirk(13, "Lichtenhain", 1600, 0.17, 0.22, 0.010),
    Bezirk(14, "Zwätzen", 3200, 0.17, 0.21, 0.015),
    Bezirk(15, "Löbstedt", 1700, 0.16, 0.22, 0.020),
    Bezirk(16, "Kunitz", 1100, 0.17, 0.24, 0.008),
    Bezirk(17, "Drackendorf", 1500, 0.18, 0.20, 0.008),
    Bezirk(18, "Closewitz", 250, 0.17, 0.24, 0.003),
)
# fmt: on
# Synthetic drift of the SGB II / unemployment profile per year before 2024 (district code:
# relative change per year): Lobeda-West and Winzerla get worse, Jena-Zentrum better.
TREND: dict[int, float] = {7: 0.06, 9: 0.04, 1: -0.05, 4: -0.03}

Totals = dict[str, int]


def jena_totals(source_dir: Path, year: int = YEAR) -> Totals:
    """Jena's figures of `year` from the Kreis sample files in `source_dir`."""
    pop = [
        r
        for r in _rows(source_dir / POPULATION_FILE)
        if r["time"] == f"{year}-12-31"
        and r["1_variable_attribute_code"] == JENA
        and r["2_variable_attribute_code"] == ""
    ]

    def ages(codes: Sequence[str]) -> int:
        return sum(
            _one([r for r in pop if r["3_variable_attribute_code"] == c], f"population {c}")
            for c in codes
        )

    sgb2 = [
        r
        for r in _rows(source_dir / SGB2_FILE)
        if r["time"] == str(year)
        and r["1_variable_attribute_code"] == JENA
        and r["value_variable_code"] == "LB"
    ]
    unemployed, _names = unemployment.read_year(source_dir, year)
    total = _one([r for r in pop if r["3_variable_attribute_code"] == ""], "population")
    return {
        "EW_INSG": total,
        "EW_U18": ages(U18),
        "EW_65UM": ages(O65),
        "SGB2_LB": _one([r for r in sgb2 if r["2_variable_attribute_code"] == ""], "SGB II LB"),
        "ALO": unemployment.count(unemployed, JENA),
        "EW_U15": ages(U15),
        "EW_15_64": total - ages(U15) - ages(O65),
        "SGB2_LB_U15": _one(
            [r for r in sgb2 if r["2_variable_attribute_code"] == "ALT000B15"], "SGB II LB u15"
        ),
        "LZA": unemployment.count(unemployed, JENA, "ARBEITSLOS05"),
    }


def bezirk_counts(totals: Totals, year: int = YEAR) -> dict[int, dict[str, int]]:
    """Counts per district and measure of `year`; every measure adds up to its city total."""
    rng = random.Random(SEED + year - YEAR)
    areas = BEZIRKE
    ew = _largest_remainder(totals["EW_INSG"], [a.size * (1 + _noise(rng, 0.05)) for a in areas])
    sgb2 = [a.sgb2 * (1 - TREND.get(a.code, 0.0) * (YEAR - year)) for a in areas]
    shares = {
        "EW_U18": [a.u18 for a in areas],
        "EW_65UM": [a.o65 for a in areas],
        "SGB2_LB": sgb2,
        "ALO": [0.4 * s + 0.002 for s in sgb2],  # unemployment follows SGB II
    }
    return split_city_totals(areas, ew, shares, totals, rng)


def render(totals: dict[int, Totals]) -> bytes:
    """The file's bytes: header and one row per year, district and measure."""
    lines = [",".join(HEADER)]
    for year in sorted(totals):
        counts = bezirk_counts(totals[year], year)
        for a in BEZIRKE:
            for code, label in MEASURES:
                n = counts[a.code][code]
                value = SECRET if n < SECRET_BELOW else str(n)
                lines.append(",".join([str(year), f"{a.code:02d}", a.name, label, value]))
    return "".join(line + "\n" for line in lines).encode("utf-8")


def generate(out_dir: Path, source_dir: Path | None = None) -> list[Path]:
    """Write the Jena district table into `out_dir`; same bytes on every run.

    The city totals come from the Kreis sample files in `source_dir`; by default from
    `out_dir` if they are there (the sample generator writes them first), else from the
    project's `sample_data/`.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    if source_dir is None:
        source_dir = out_dir if (out_dir / POPULATION_FILE).is_file() else DEFAULT_OUT
    path = out_dir / FILE_NAME
    path.write_bytes(render({year: jena_totals(source_dir, year) for year in YEARS}))
    return [path]
