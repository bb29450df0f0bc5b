"""`erfurt_stadtteile_2024.csv`: a city statistics office table, Erfurt by Stadtteil,
31.12.2024, SYNTHETIC.

Laid out like a city office's spreadsheet export: cp1252, `;`, CRLF, decimal comma and '.'
as thousands separator, a title line above the header, a city total row and two note lines
below the data, and `*` for counts below 3 (the office's marker for secrecy). For every
measure the Stadtteile add up exactly to the Erfurt (16051) figure of 2024 in the Kreis files
of the output folder (`common.city_totals`: population and age groups, SGB II
Leistungsberechtigte all and under 15, Arbeitslose and Langzeitarbeitslose); Ausländer/innen
are a synthetic share of the population, as the Kreis sample has no such table. Per
Stadtteil 15 bis unter 65 = insgesamt - unter 15 - 65 und älter. A sum of the printed
numbers falls short of the city figure by at most 2 per `*`.

Stadtteile: Erfurt has 53. This file holds only the 25 numbered in the city's own list of
its 1991 Stadtteile (erfurt.de, "Entwicklung des Erfurter Stadtgebietes"), with that
numbering; the 28 further Stadtteile (mostly villages incorporated in 1994) are left out
because their numbers are not known here reliably. So the whole city total is spread over
these 25 and each of them gets more people than in reality.
"""

from __future__ import annotations

import random
from pathlib import Path

from tools.sample import common

SEED = 16_051_2024
FILE = "erfurt_stadtteile_2024.csv"
ERFURT, YEAR = "16051", 2024
SECRET_BELOW = 3  # counts below this are printed as `*`
FOREIGN_SHARE = 0.118  # synthetic: share of Ausländer/innen in the city population

TITLE = (
    "Statistisches Jahrbuch Erfurt 2025 (Beispieldaten, synthetische Zahlen) – "
    "Bevölkerung und Soziales nach Stadtteilen, Stand 31.12.2024"
)
CODE_COLUMN, NAME_COLUMN = "Stadtteil-Nr.", "Stadtteil"
TOTAL_NAME = "Stadt Erfurt insgesamt"
FOOTER = (
    "* weniger als 3 Fälle (Geheimhaltung)",
    "Quelle: Beispieldaten des Projekts (synthetische Zahlen, Summen = Kreiswerte 16051 der "
    "Beispieldateien)",
)
# measure code, column header
MEASURES: tuple[tuple[str, str], ...] = (
    ("EW_INSG", "Einwohner insgesamt"),
    ("EW_U18", "unter 18 Jahre"),
    ("EW_65UM", "65 Jahre und älter"),
    ("EW_AUSL", "Ausländer/innen"),
    ("SGB2_LB", "SGB-II-Leistungsberechtigte"),
    ("EW_U15", "unter 15 Jahre"),
    ("EW_15_64", "15 bis unter 65 Jahre"),
    ("SGB2_LB_U15", "SGB-II-Leistungsberechtigte unter 15 Jahre"),
    ("LZA", "Langzeitarbeitslose"),
    ("ALO", "Arbeitslose"),  # stays the last column
)


# Names and numbers: erfurt.de (the 25 Stadtteile of 1991). Profiles: synthetic (code, name,
# size, under 18, 65 and older, SGB II, Ausländer/innen).
# fmt: off
STADTTEILE: tuple[common.CityArea, ...] = (
    common.CityArea(1, "Altstadt", 21000, 0.12, 0.18, 0.070, foreign=0.16),
    common.CityArea(2, "Löbervorstadt", 13500, 0.16, 0.22, 0.020, foreign=0.06),
    common.CityArea(3, "Brühlervorstadt", 12500, 0.16, 0.20, 0.030, foreign=0.07),
    common.CityArea(4, "Andreasvorstadt", 18500, 0.13, 0.15, 0.060, foreign=0.14),
    common.CityArea(5, "Berliner Platz", 7000, 0.14, 0.30, 0.160, foreign=0.22),
    common.CityArea(6, "Rieth", 5500, 0.15, 0.28, 0.180, foreign=0.24),
    common.CityArea(7, "Johannesvorstadt", 7700, 0.12, 0.10, 0.080, foreign=0.18),
    common.CityArea(8, "Krämpfervorstadt", 19500, 0.14, 0.18, 0.060, foreign=0.10),
    common.CityArea(9, "Hohenwinden", 2000, 0.14, 0.20, 0.030, foreign=0.03),
    common.CityArea(10, "Roter Berg", 8000, 0.15, 0.28, 0.140, foreign=0.17),
    common.CityArea(11, "Daberstedt", 12000, 0.15, 0.22, 0.050, foreign=0.08),
    common.CityArea(12, "Dittelstedt", 1100, 0.17, 0.20, 0.004, foreign=0.010),
    common.CityArea(13, "Melchendorf", 10500, 0.14, 0.30, 0.080, foreign=0.09),
    common.CityArea(14, "Wiesenhügel", 6000, 0.15, 0.27, 0.120, foreign=0.12),
    common.CityArea(15, "Herrenberg", 7200, 0.16, 0.30, 0.170, foreign=0.20),
    common.CityArea(16, "Hochheim", 3200, 0.17, 0.22, 0.010, foreign=0.020),
    common.CityArea(17, "Bischleben-Stedten", 2300, 0.16, 0.24, 0.008, foreign=0.015),
    common.CityArea(18, "Möbisburg-Rhoda", 900, 0.16, 0.25, 0.002, foreign=0.004),
    common.CityArea(19, "Schmira", 600, 0.15, 0.24, 0.002, foreign=0.003),
    common.CityArea(20, "Bindersleben", 1800, 0.17, 0.22, 0.006, foreign=0.012),
    common.CityArea(21, "Marbach", 5200, 0.16, 0.26, 0.020, foreign=0.030),
    common.CityArea(22, "Gispersleben", 4200, 0.16, 0.25, 0.015, foreign=0.025),
    common.CityArea(23, "Moskauer Platz", 8500, 0.14, 0.30, 0.170, foreign=0.21),
    common.CityArea(24, "Ilversgehofen", 12300, 0.14, 0.18, 0.100, foreign=0.15),
    common.CityArea(25, "Johannesplatz", 5300, 0.13, 0.33, 0.140, foreign=0.16),
)
# fmt: on


def stadtteil_counts(totals: common.CityTotals) -> dict[int, dict[str, int]]:
    """Counts per Stadtteil and measure; every measure adds up to its city total exactly."""
    areas, rng = STADTTEILE, random.Random(SEED)
    sgb2, foreign = [a.sgb2 for a in areas], [a.foreign for a in areas]
    return common.split_city_totals(areas, totals, rng, sgb2, foreign)


def _number(n: int) -> str:
    """German thousands separator, as the office's spreadsheet exports it: 12.345."""
    return f"{n:,}".replace(",", ".")


def _cell(n: int) -> str:
    return "*" if n < SECRET_BELOW else _number(n)


def render(totals: common.CityTotals) -> bytes:
    """The file's bytes: title line, header, one row per Stadtteil, total row, notes."""
    counts = stadtteil_counts(totals)
    pad = ";" * (1 + len(MEASURES))
    lines = [TITLE + pad, ";".join([CODE_COLUMN, NAME_COLUMN, *(h for _, h in MEASURES)])]
    for a in STADTTEILE:
        cells = [_cell(counts[a.code][m]) for m, _ in MEASURES]
        lines.append(";".join([str(a.code), a.name, *cells]))
    lines.append(";".join(["", TOTAL_NAME, *(_number(totals[m]) for m, _ in MEASURES)]))
    lines.append(pad)
    lines += [note + pad for note in FOOTER]
    return "".join(line + "\r\n" for line in lines).encode("cp1252")


def write(out_dir: Path) -> list[Path]:
    totals = common.city_totals(out_dir, ERFURT, YEAR)
    totals["EW_AUSL"] = round(totals["EW_INSG"] * FOREIGN_SHARE)
    path = out_dir / FILE
    path.write_bytes(render(totals))
    return [path]


SPEC = common.Spec(
    "erfurt_stadtteile", (FILE,), write, needs=("population_age", "sgb2_benefits", "unemployment")
)
