"""21111-02-06-4 `_<year>.csv`: leavers of general schools, one classic export per year,
2015-2024, SYNTHETIC.

Laid out like the export of regionalstatistik.de
(`tests/fixtures/real/genesis_classic/21111-02-06-4.csv`): cp1252, LF, `GENESIS-Tabelle:
<code>`, title lines padded with `;`, the measure line `Absolventen/Abgänger (Anzahl)`, three
header rows (`Schulabschluss`; the certificate; Insgesamt / weiblich), rows
`year;key;indented name;14 values` with the Land row (16) before its Kreise, then the footer
with notes, © and `Stand:`.

Certificates in the order of the real export: Insgesamt, ohne Hauptschulabschluss (BILABS11),
mit Hauptschulabschluss (BILABS12), mit Mittlerem Abschluss (BILABS13), dar. schulischer Teil
der Fachhochschulreife (BILABS14D, counted within the others, not a part of the sum), mit
Fachhochschulreife (BILABS14: 0, as in Thüringen, where general schools award none), mit
allgemeiner Hochschulreife (BILABS15); each for all leavers and for women.

A year's leavers are about a third of the base population aged 15 to under 18 (0.8-1 % of
the population); about 7-10 % leave without Hauptschulabschluss. The parts are drawn before
the 2019 transfers and the Eisenach merger (16056 `-` from 2021), which are then applied to
each part; women and the school part of the Fachhochschulreife are drawn with a seed of
their own. Insgesamt is summed from the parts when the file is written, and the Land row
from its Kreise.
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from pathlib import Path

from tools.sample import common

SEED = 16_21111
TABLE = "21111-02-06-4"
# code, share 2015 in Thüringen, change per unit of Kreis age (-1 town … +1 rural), share of
# women: the parts of the total, in the order they are drawn
KINDS = (
    ("BILABS11", 0.085, 0.010, 0.37),
    ("BILABS12", 0.170, 0.030, 0.40),
    ("BILABS13", 0.420, 0.050, 0.48),
    ("BILABS15", 0.325, -0.090, 0.54),
)
SCHOOL_PART_FHR = 0.014  # BILABS14D per leaver with Mittlerer Abschluss
# (code, label) of the column pairs, in the order of the real export
COLUMNS = (
    ("", "Insgesamt"),
    ("BILABS11", "ohne Hauptschulabschluss"),
    ("BILABS12", "mit Hauptschulabschluss"),
    ("BILABS13", "mit Mittlerem Abschluss"),
    ("BILABS14D", "dar. schulischer Teil der Fachhochschulreife"),
    ("BILABS14", "mit Fachhochschulreife"),
    ("BILABS15", "mit allgemeiner Hochschulreife"),
)
PAD = ";" * (3 + 2 * len(COLUMNS) - 1)
HEAD = [
    "GENESIS-Tabelle: 21111-02-06-4",
    "Allgemeinbildende Schulen: Absolventen/Abgänger" + PAD,
    "nach dem Schulabschluss - Schuljahr -" + PAD,
    "regionale Tiefe: Kreise und krfr. Städte" + PAD,
    "Statistik der allgemein bildenden Schulen" + PAD,
    "Absolventen/Abgänger (Anzahl)" + PAD,
    ";;;" + ";".join(["Schulabschluss"] * 2 * len(COLUMNS)),
    ";;;" + ";".join(label for _, label in COLUMNS for _ in (1, 2)),
    ";;;" + ";".join(["Insgesamt", "weiblich"] * len(COLUMNS)),
]
FOOT = """__________
"zu ""gesamte Tabelle"":
Deutschland: mit Schulfremdenprüfung
In der Regel am Ende des Schuljahres;
\x20
zu ""Absolventen/Abgänger mit Fachhochschulreife"":
Berlin, Sachsen: Eine Fachhochschulreife kann nur an beruf-
lichen Schulen erworben werden."
"© Statistische Ämter des Bundes und der Länder, Deutschland, 2025.
Dieses Werk ist lizensiert unter der Datenlizenz Deutschland
- Namensnennung - Version 2.0."
Stand: 04.12.2025 / 11:05:42"""


def _counts(rng: random.Random, pop: common.Counts) -> common.Counts:
    """Leavers by certificate: cells (code, '') for all, filled in by `_women` with (code,
    'GESW')."""
    out: common.Counts = {}
    for k in common.KREISE:
        for year in common.YEARS:
            cohort = sum(n for (_, age), n in pop[k.key, year].items() if age == "ALT015B18")
            leavers = round(cohort / 3 * (1.10 + common.noise(rng, 0.03)))
            weights = [max(s + d * k.age + common.noise(rng, 0.008), 0.01) for _, s, d, _ in KINDS]
            parts = common.largest_remainder(leavers, weights)
            out[k.key, year] = {(kind[0], ""): n for kind, n in zip(KINDS, parts, strict=True)}
    return out


def _draw(rng: random.Random, pop: common.Counts) -> common.Counts:
    """The leavers by certificate, then (with a seed of their own) the women."""
    counts = _counts(rng, pop)
    _women(random.Random(SEED + 2), counts)
    return counts


def _women(rng: random.Random, counts: common.Counts) -> None:
    """Women per certificate and the school part of the Fachhochschulreife (all, women)."""
    for k in common.KREISE:
        for year in common.YEARS:
            cells = counts[k.key, year]
            for code, _, _, women in KINDS:
                n = cells[code, ""]
                cells[code, "GESW"] = min(n, round(n * women * (1 + common.noise(rng, 0.04))))
            part = round(cells["BILABS13", ""] * SCHOOL_PART_FHR * (1 + common.noise(rng, 0.2)))
            cells["BILABS14D", ""] = part
            cells["BILABS14D", "GESW"] = round(part * (0.5 + common.noise(rng, 0.05)))


def _check(out_dir: Path, counts: common.Counts) -> None:
    """A year's leavers stay below the population aged 15 to under 18 in the population file."""
    pop = common.file_population(out_dir)
    for (key, year), cells in counts.items():
        p = pop[key, year, "ALT015B18"]
        leavers = sum(cells[code, ""] for code, *_ in KINDS)
        if p is not None and not leavers < p:
            raise ValueError(
                f"{common.yearly_file(TABLE, year)}: {key}: more leavers than aged 15-18"
            )


def _values(cells: dict[tuple[str, ...], int]) -> list[int]:
    """The 14 printed values: per column pair all leavers and women."""
    parts = [code for code, *_ in KINDS]
    out = []
    for code, _ in COLUMNS:
        for sex in ("", "GESW"):
            if code == "":
                out.append(sum(cells[p, sex] for p in parts))
            else:
                out.append(cells.get((code, sex), 0))
    return out


def rows(counts: common.Counts) -> Iterable[str]:
    names = {key: name for key, name, _ in common.CLASSIC_KREISE}
    for year in common.YEARS:
        land = [0] * 2 * len(COLUMNS)
        kreise: list[str] = []
        for k in common.KREISE:
            prefix = f"{year};{k.key};      {names[k.key]};"
            if common.gone(k.key, year):
                kreise.append(prefix + ";".join(["-"] * len(land)))
                continue
            values = _values(counts[k.key, year])
            land = [a + b for a, b in zip(land, values, strict=True)]
            kreise.append(prefix + ";".join(map(str, values)))
        yield f"{year};16;  Thüringen;" + ";".join(map(str, land))
        yield from kreise


def write(out_dir: Path) -> list[Path]:
    counts = common.drawn(out_dir, SEED, _draw, _check)
    return common.write_yearly(out_dir, TABLE, HEAD, rows(counts), FOOT.split("\n"))


SPEC = common.Spec(
    "school_leavers",
    common.yearly_files(TABLE),
    write,
    needs=("population_age",),
)
