"""`jena_planungsraeume_2024.csv`: a second city's small-area table, Jena by district,
2022-2024, SYNTHETIC.

Laid out unlike the Erfurt file, so the generic municipal reader is exercised on its LONG
layout: UTF-8 without BOM, `,` as delimiter, decimal point, no thousands separator, LF, no
title, total or note lines; one row per year, district and measure:

    Jahr,Bezirk-Nr,Bezirk,Merkmal,Wert

Measures (Merkmal): Einwohner, Einwohner unter 18 Jahren, Einwohner 65 Jahre und älter,
SGB-II-Leistungsberechtigte, Arbeitslose, Einwohner unter 15 Jahren, Einwohner 15 bis unter
65 Jahren, SGB-II-Leistungsberechtigte unter 15 Jahren, Langzeitarbeitslose. Counts below 3
are printed as `.` (secret).

For every measure and year the districts add up exactly to the Jena (16053) figure of that
year in the Kreis files of the output folder (`common.city_totals`) before small counts are
suppressed, so a sum of the printed numbers falls short of the city figure by at most 2 per
`.`. A few districts drift over the years (TREND) so the dynamics of a social index have
something to show.

Districts: the names are real Ortsteile of Jena, but only a subset of them (18 of about
30; left out are e.g. Lobeda-Altstadt, Wöllnitz, Ziegenhain, Isserstedt and most villages
incorporated in 1994), and neither the city's own numbering of its statistical districts
nor its Planungsräume are known here reliably: the numbers 01-18 are this sample's own.
The whole city total is spread over these 18, so each gets more people than in reality.
"""

from __future__ import annotations

import random
from pathlib import Path

from tools.sample import common

SEED = 16_053_2024
FILE = "jena_planungsraeume_2024.csv"
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


# Names: Ortsteile of Jena. Numbers and profiles: synthetic.
# fmt: off
BEZIRKE: tuple[common.CityArea, ...] = (
    common.CityArea(1, "Jena-Zentrum", 9500, 0.10, 0.16, 0.050),
    common.CityArea(2, "Jena-Nord", 17500, 0.14, 0.22, 0.050),
    common.CityArea(3, "Jena-Ost", 8000, 0.15, 0.20, 0.030),
    common.CityArea(4, "Jena-West", 11000, 0.15, 0.20, 0.020),
    common.CityArea(5, "Jena-Süd", 10000, 0.14, 0.22, 0.030),
    common.CityArea(6, "Wenigenjena", 10500, 0.16, 0.24, 0.030),
    common.CityArea(7, "Lobeda-West", 12000, 0.16, 0.30, 0.110),
    common.CityArea(8, "Lobeda-Ost", 9000, 0.15, 0.32, 0.100),
    common.CityArea(9, "Winzerla", 12500, 0.16, 0.30, 0.080),
    common.CityArea(10, "Burgau", 2800, 0.17, 0.20, 0.020),
    common.CityArea(11, "Göschwitz", 900, 0.16, 0.22, 0.030),
    common.CityArea(12, "Ammerbach", 1300, 0.18, 0.20, 0.010),
    common.CityArea(13, "Lichtenhain", 1600, 0.17, 0.22, 0.010),
    common.CityArea(14, "Zwätzen", 3200, 0.17, 0.21, 0.015),
    common.CityArea(15, "Löbstedt", 1700, 0.16, 0.22, 0.020),
    common.CityArea(16, "Kunitz", 1100, 0.17, 0.24, 0.008),
    common.CityArea(17, "Drackendorf", 1500, 0.18, 0.20, 0.008),
    common.CityArea(18, "Closewitz", 250, 0.17, 0.24, 0.003),
)
# fmt: on
# Synthetic drift of the SGB II / unemployment profile per year before 2024 (district code:
# relative change per year): Lobeda-West and Winzerla get worse, Jena-Zentrum better.
TREND: dict[int, float] = {7: 0.06, 9: 0.04, 1: -0.05, 4: -0.03}


def bezirk_counts(totals: common.CityTotals, year: int = YEAR) -> dict[int, dict[str, int]]:
    """Counts per district and measure of `year`; every measure adds up to its city total."""
    rng = random.Random(SEED + year - YEAR)
    sgb2 = [a.sgb2 * (1 - TREND.get(a.code, 0.0) * (YEAR - year)) for a in BEZIRKE]
    return common.split_city_totals(BEZIRKE, totals, rng, sgb2)


def render(totals: dict[int, common.CityTotals]) -> bytes:
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


def write(out_dir: Path) -> list[Path]:
    path = out_dir / FILE
    path.write_bytes(render({year: common.city_totals(out_dir, JENA, year) for year in YEARS}))
    return [path]


SPEC = common.Spec(
    "jena_planungsraeume", (FILE,), write, needs=("population_age", "sgb2_benefits", "unemployment")
)
