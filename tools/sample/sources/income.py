"""82411-01-03-4 `_<year>.csv`: disposable income of private households, one classic export
per year, 2015-2024, SYNTHETIC.

Laid out like the one a planner downloads from regionalstatistik.de
(`tests/fixtures/real/genesis_classic_recent/82411-01-03-4.csv`): cp1252, LF,
`GENESIS-Tabelle: <code>`, title lines padded with `;`, two header rows (measure labels, units
`Tsd. EUR` and `EUR`), rows `year;key;indented name;total;per inhabitant` with the Land row
(16) before its Kreise, then the footer with notes, © and `Stand:`.
Measures: EKM006 Verfügbares Einkommen der privaten Haushalte einschl. privater Organisationen
ohne Erwerbszweck (Tsd. EUR) and EKM014 the same per inhabitant (EUR).

The numbers: the VGR relate income to their own annual average population, so the sample
draws one too (the mean of the base population at 31.12. of the year and the year before).
Income per inhabitant starts from a level per Kreis modelled on the published 2021 values
(rounded to 100 EUR), so that a real delivery continues the series, and moves by a Land-wide
growth factor per year with a little noise. The total is the average population times that
level; the 2019 transfers and the Eisenach merger (16056 `-` from 2021) are applied to totals
and populations as to counts, and the printed per-inhabitant amount is the total over the
average population, rounded half up to whole EUR. The Land row is the sum of its Kreise and
their total over their summed average population.
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from pathlib import Path

from tools.sample import common

SEED = 16_82411
TABLE = "82411-01-03-4"
TOTAL, PER_HEAD, POPULATION = "EKM006", "EKM014", "VGR_POP"
ANCHOR_YEAR = 2021
# EUR per inhabitant in 2021, near the published values (rounded to 100 EUR).
LEVEL_2021 = {
    "16051": 21_200, "16052": 21_600, "16053": 21_500, "16054": 23_900, "16055": 21_000,
    "16056": 21_200, "16061": 22_100, "16062": 21_200, "16063": 22_600, "16064": 21_000,
    "16065": 20_700, "16066": 22_600, "16067": 21_500, "16068": 21_500, "16069": 22_600,
    "16070": 21_300, "16071": 21_800, "16072": 22_700, "16073": 22_200, "16074": 22_200,
    "16075": 21_800, "16076": 22_600, "16077": 22_200,
}  # fmt: skip
# Land-wide change of income per inhabitant against the year before.
GROWTH = {
    2016: 1.025, 2017: 1.027, 2018: 1.028, 2019: 1.030, 2020: 1.012,
    2021: 1.020, 2022: 1.050, 2023: 1.055, 2024: 1.035,
}  # fmt: skip

HEAD = """GENESIS-Tabelle: 82411-01-03-4
Verfügbares Einkommen der privaten Haushalte einschließlich;;;;
privater Organisationen ohne Erwerbszweck - Jahressumme -;;;;
regionale Tiefe: Kreise und krfr. Städte;;;;
VGR der Länder: Umverteilungsrechnung;;;;
;;;verfügbares Einkommen der privaten Haushalte;\
verfüg. Einkommen der priv. Haushalte je Einwohner
;;;Tsd. EUR;EUR"""
FOOT = """__________
"zu ""gesamte Tabelle"":
Quelle: Arbeitskreis ""Volkswirtschaftliche Gesamtrechnungen
der Länder""
\x20
zu ""Verfügbares Einkommen der privaten Haushalte einschließ-
lich privater Organisationen ohne Erwerbszweck in EUR je
Einwohner"":
alle Länder: Die Einwohner werden in den VGR als Jahres-
durchschnittszahl auf Basis des Zensus 2011 ausgewiesen."
"© Statistische Ämter des Bundes und der Länder, Deutschland, 2025.
Dieses Werk ist lizenziert unter der Datenlizenz Deutschland
- Namensnennung - Version 2.0."
Stand: 12.11.2025 / 09:41:27"""


def _level(year: int) -> float:
    """Land-wide income per inhabitant in `year` relative to ANCHOR_YEAR."""
    factor = 1.0
    for y in range(ANCHOR_YEAR + 1, year + 1):
        factor *= GROWTH[y]
    for y in range(year + 1, ANCHOR_YEAR + 1):
        factor /= GROWTH[y]
    return factor


def _counts(rng: random.Random, pop: common.Counts) -> common.Counts:
    """Income in Tsd. EUR and the VGR's average population, per Kreis and year."""
    out: common.Counts = {}
    for k in common.KREISE:
        before = sum(pop[k.key, common.YEARS[0]].values()) / (1 + k.growth)
        for year in common.YEARS:
            now = sum(pop[k.key, year].values())
            average = round((before + now) / 2)
            per_head = LEVEL_2021[k.key] * _level(year) * (1 + common.noise(rng, 0.004))
            out[k.key, year] = {(TOTAL,): round(average * per_head / 1000), (POPULATION,): average}
            before = now
    return out


def _per_head(total: int, population: int) -> int:
    """total (Tsd. EUR) per inhabitant in EUR, rounded half up (exact integers)."""
    return (2000 * total + population) // (2 * population)


def _check(out_dir: Path, counts: common.Counts) -> None:
    """Income per inhabitant of the population file's people stays in 15,000-35,000 EUR."""
    pop = common.file_population(out_dir)
    for (key, year), cells in counts.items():
        p = pop[key, year, ""]
        if p is not None and not 15_000 < cells[TOTAL,] * 1000 / p < 35_000:
            raise ValueError(f"{common.yearly_file(TABLE, year)}: {key}: implausible income")


def rows(counts: common.Counts) -> Iterable[str]:
    for year in common.YEARS:
        kreise: list[str] = []
        total = population = 0
        for k in common.KREISE:
            cells = counts[k.key, year]
            if common.gone(k.key, year):
                kreise.append(f"{year};{k.key};      {k.name};-;-")
                continue
            total += cells[TOTAL,]
            population += cells[POPULATION,]
            per_head = _per_head(cells[TOTAL,], cells[POPULATION,])
            kreise.append(f"{year};{k.key};      {k.name};{cells[TOTAL,]};{per_head}")
        yield f"{year};16;  Thüringen;{total};{_per_head(total, population)}"
        yield from kreise


def write(out_dir: Path) -> list[Path]:
    counts = common.drawn(out_dir, SEED, _counts, _check)
    return common.write_yearly(out_dir, TABLE, HEAD.split("\n"), rows(counts), FOOT.split("\n"))


SPEC = common.Spec(
    "income",
    common.yearly_files(TABLE),
    write,
    needs=("population_age",),
)
