"""Deterministic sample of a city statistics office table: Erfurt by Stadtteil, 31.12.2024.

Writes `erfurt_stadtteile_2024.csv` laid out like a city office's spreadsheet export:
cp1252, `;`, CRLF, decimal comma and '.' as thousands separator, a title line above the
header, a city total row and two note lines below the data, and `*` for counts below 3
(the office's marker for secrecy). The numbers are SYNTHETIC: for every measure the
Stadtteile add up exactly to the Erfurt (16051) figure of 2024 in the Kreis sample files
(population and age groups from 12411-02-03-4, SGB II Leistungsberechtigte from SGB2-01-4,
Arbeitslose ERWP06 from 13211-02-05-4); Ausländer/innen are a synthetic share of the
population, as the Kreis sample has no such table. The columns a social index needs add up
the same way: Einwohner unter 15 and 15 bis unter 65 (12411-02-03-4 age groups; per
Stadtteil 15 bis unter 65 = insgesamt - unter 15 - 65 und älter), SGB II
Leistungsberechtigte unter 15 (SGB2-01-4, ALT000B15 LB) and Langzeitarbeitslose (ERWP06
langzeitarbeitslos ARBEITSLOS05, 13211-02-05-4). Counts below 3 are printed as `*`, so a sum
of the printed numbers falls
short of the city figure by at most 2 per `*`.

Stadtteile: Erfurt has 53. This file holds only the 25 numbered in the city's own list of
its 1991 Stadtteile (erfurt.de, "Entwicklung des Erfurter Stadtgebietes"), with that
numbering; the 28 further Stadtteile (mostly villages incorporated in 1994) are left out
because their numbers are not known here reliably. So the whole city total is spread over
these 25 and each of them gets more people than in reality.

    python -m pipelines.sample.generate   (writes every sample file)
"""

from __future__ import annotations

import csv
import random
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from pipelines.sample import unemployment
from pipelines.sample.generate import _largest_remainder, _noise

SEED = 16_051_2024
DEFAULT_OUT = Path(__file__).resolve().parents[2] / "sample_data"
FILE_NAME = "erfurt_stadtteile_2024.csv"
ENCODING = "cp1252"
NEWLINE = "\r\n"
ERFURT = "16051"
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
    ("ALO", "Arbeitslose"),  # stays the last column, as before
)
U15 = ("ALT000B03", "ALT003B06", "ALT006B10", "ALT010B15")
U18 = (*U15, "ALT015B18")
O65 = ("ALT065B75", "ALT075UM")


@dataclass(frozen=True)
class Stadtteil:
    """A Stadtteil and the synthetic profile its numbers are drawn from."""

    code: int
    name: str
    size: int  # relative weight of the population (synthetic)
    u18: float  # share under 18
    o65: float  # share 65 and older
    foreign: float  # share of Ausländer/innen
    sgb2: float  # SGB II Leistungsberechtigte per inhabitant


# Names and numbers: erfurt.de (the 25 Stadtteile of 1991). Profiles: synthetic.
# fmt: off
STADTTEILE: tuple[Stadtteil, ...] = (
    Stadtteil(1, "Altstadt", 21000, 0.12, 0.18, 0.16, 0.070),
    Stadtteil(2, "Löbervorstadt", 13500, 0.16, 0.22, 0.06, 0.020),
    Stadtteil(3, "Brühlervorstadt", 12500, 0.16, 0.20, 0.07, 0.030),
    Stadtteil(4, "Andreasvorstadt", 18500, 0.13, 0.15, 0.14, 0.060),
    Stadtteil(5, "Berliner Platz", 7000, 0.14, 0.30, 0.22, 0.160),
    Stadtteil(6, "Rieth", 5500, 0.15, 0.28, 0.24, 0.180),
    Stadtteil(7, "Johannesvorstadt", 7700, 0.12, 0.10, 0.18, 0.080),
    Stadtteil(8, "Krämpfervorstadt", 19500, 0.14, 0.18, 0.10, 0.060),
    Stadtteil(9, "Hohenwinden", 2000, 0.14, 0.20, 0.03, 0.030),
    Stadtteil(10, "Roter Berg", 8000, 0.15, 0.28, 0.17, 0.140),
    Stadtteil(11, "Daberstedt", 12000, 0.15, 0.22, 0.08, 0.050),
    Stadtteil(12, "Dittelstedt", 1100, 0.17, 0.20, 0.010, 0.004),
    Stadtteil(13, "Melchendorf", 10500, 0.14, 0.30, 0.09, 0.080),
    Stadtteil(14, "Wiesenhügel", 6000, 0.15, 0.27, 0.12, 0.120),
    Stadtteil(15, "Herrenberg", 7200, 0.16, 0.30, 0.20, 0.170),
    Stadtteil(16, "Hochheim", 3200, 0.17, 0.22, 0.020, 0.010),
    Stadtteil(17, "Bischleben-Stedten", 2300, 0.16, 0.24, 0.015, 0.008),
    Stadtteil(18, "Möbisburg-Rhoda", 900, 0.16, 0.25, 0.004, 0.002),
    Stadtteil(19, "Schmira", 600, 0.15, 0.24, 0.003, 0.002),
    Stadtteil(20, "Bindersleben", 1800, 0.17, 0.22, 0.012, 0.006),
    Stadtteil(21, "Marbach", 5200, 0.16, 0.26, 0.030, 0.020),
    Stadtteil(22, "Gispersleben", 4200, 0.16, 0.25, 0.025, 0.015),
    Stadtteil(23, "Moskauer Platz", 8500, 0.14, 0.30, 0.21, 0.170),
    Stadtteil(24, "Ilversgehofen", 12300, 0.14, 0.18, 0.15, 0.100),
    Stadtteil(25, "Johannesplatz", 5300, 0.13, 0.33, 0.16, 0.140),
)
# fmt: on

Totals = dict[str, int]


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f, delimiter=";"))


def _one(rows: list[dict[str, str]], what: str) -> int:
    if len(rows) != 1:
        raise ValueError(f"expected one row for {what}, found {len(rows)}")
    return int(rows[0]["value"])


def erfurt_totals(source_dir: Path) -> Totals:
    """Erfurt's 2024 figures from the Kreis sample files in `source_dir`."""
    pop = [
        r
        for r in _rows(source_dir / "12411-02-03-4_de_flat.csv")
        if r["time"] == "2024-12-31"
        and r["1_variable_attribute_code"] == ERFURT
        and r["2_variable_attribute_code"] == ""
    ]

    def ages(codes: Sequence[str]) -> int:
        return sum(
            _one([r for r in pop if r["3_variable_attribute_code"] == c], f"population {c}")
            for c in codes
        )

    sgb2 = [
        r
        for r in _rows(source_dir / "SGB2-01-4_de_flat.csv")
        if r["time"] == "2024"
        and r["1_variable_attribute_code"] == ERFURT
        and r["2_variable_attribute_code"] == ""
        and r["value_variable_code"] == "LB"
    ]
    sgb2_u15 = [
        r
        for r in _rows(source_dir / "SGB2-01-4_de_flat.csv")
        if r["time"] == "2024"
        and r["1_variable_attribute_code"] == ERFURT
        and r["2_variable_attribute_code"] == "ALT000B15"
        and r["value_variable_code"] == "LB"
    ]
    unemployed, _names = unemployment.read_year(source_dir, 2024)
    total = _one([r for r in pop if r["3_variable_attribute_code"] == ""], "population")
    return {
        "EW_INSG": total,
        "EW_U18": ages(U18),
        "EW_65UM": ages(O65),
        "EW_AUSL": round(total * FOREIGN_SHARE),
        "SGB2_LB": _one(sgb2, "SGB II LB"),
        "ALO": unemployment.count(unemployed, ERFURT),
        "EW_U15": ages(U15),
        "EW_15_64": total - ages(U15) - ages(O65),
        "SGB2_LB_U15": _one(sgb2_u15, "SGB II LB unter 15"),
        "LZA": unemployment.count(unemployed, ERFURT, "ARBEITSLOS05"),
    }


def stadtteil_counts(totals: Totals) -> dict[int, dict[str, int]]:
    """Counts per Stadtteil and measure; every measure adds up to its city total exactly."""
    rng = random.Random(SEED)
    areas = STADTTEILE
    ew = _largest_remainder(totals["EW_INSG"], [a.size * (1 + _noise(rng, 0.05)) for a in areas])
    shares = {
        "EW_U18": [a.u18 for a in areas],
        "EW_65UM": [a.o65 for a in areas],
        "EW_AUSL": [a.foreign for a in areas],
        "SGB2_LB": [a.sgb2 for a in areas],
        "ALO": [0.4 * a.sgb2 + 0.002 for a in areas],  # unemployment follows SGB II
    }
    return split_city_totals(areas, ew, shares, totals, rng)


def split_city_totals(
    areas: Sequence, ew: list[int], shares: dict[str, list[float]], totals: Totals, rng
) -> dict[int, dict[str, int]]:
    """Every measure's city total split over the areas by population times share (so the
    parts add up exactly), then the parts of parts (under 15 of under 18, SGB II under 15,
    long-term unemployed), then checks that each area's counts fit together."""
    counts: dict[int, dict[str, int]] = {
        a.code: {"EW_INSG": n} for a, n in zip(areas, ew, strict=True)
    }
    for measure, share in shares.items():
        weights = [n * s * (1 + _noise(rng, 0.04)) for n, s in zip(ew, share, strict=True)]
        for a, part in zip(areas, _largest_remainder(totals[measure], weights), strict=True):
            counts[a.code][measure] = part
    # Parts of a part: drawn after the measures above, so their numbers stay as they were.
    for measure, whole in (("EW_U15", "EW_U18"), ("SGB2_LB_U15", "SGB2_LB"), ("LZA", "ALO")):
        weights = [counts[a.code][whole] * (1 + _noise(rng, 0.04)) for a in areas]
        for a, part in zip(areas, _largest_remainder(totals[measure], weights), strict=True):
            counts[a.code][measure] = part
    for a in areas:
        c = counts[a.code]
        c["EW_15_64"] = c["EW_INSG"] - c["EW_U15"] - c["EW_65UM"]
        if (
            c["EW_U18"] + c["EW_65UM"] > c["EW_INSG"]
            or max(c.values()) != c["EW_INSG"]
            or c["EW_U15"] > c["EW_U18"]
            or c["SGB2_LB_U15"] > c["SGB2_LB"]
            or c["LZA"] > c["ALO"]
        ):
            raise AssertionError(f"implausible counts for {a.name}: {c}")
    return counts


def _number(n: int) -> str:
    """German thousands separator, as the office's spreadsheet exports it: 12.345."""
    return f"{n:,}".replace(",", ".")


def _cell(n: int) -> str:
    return "*" if n < SECRET_BELOW else _number(n)


def render(totals: Totals) -> bytes:
    """The file's bytes: title line, header, one row per Stadtteil, total row, notes."""
    counts = stadtteil_counts(totals)
    width = 2 + len(MEASURES)
    pad = ";" * (width - 1)
    lines = [TITLE + pad, ";".join([CODE_COLUMN, NAME_COLUMN, *(h for _, h in MEASURES)])]
    for a in STADTTEILE:
        cells = [_cell(counts[a.code][m]) for m, _ in MEASURES]
        lines.append(";".join([str(a.code), a.name, *cells]))
    lines.append(";".join(["", TOTAL_NAME, *(_number(totals[m]) for m, _ in MEASURES)]))
    lines.append(pad)
    lines += [note + pad for note in FOOTER]
    return "".join(line + NEWLINE for line in lines).encode(ENCODING)


def generate(out_dir: Path, source_dir: Path | None = None) -> list[Path]:
    """Write the Erfurt Stadtteil table into `out_dir`; same bytes on every run.

    The city totals come from the Kreis sample files in `source_dir`; by default from
    `out_dir` if they are there (the sample generator writes them first), else from the
    project's `sample_data/`.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    if source_dir is None:
        has_sources = (out_dir / "12411-02-03-4_de_flat.csv").is_file()
        source_dir = out_dir if has_sources else DEFAULT_OUT
    path = out_dir / FILE_NAME
    path.write_bytes(render(erfurt_totals(source_dir)))
    return [path]
