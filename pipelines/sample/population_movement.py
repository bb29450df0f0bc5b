"""Deterministic samples of migration over the Kreis borders (12711-04-02-4), live births
(12612-01-01-4) and deaths (12613-01-01-4), Kreise, SYNTHETIC.

Three files, each as the GENESIS API delivers its table (UTF-8 with BOM, `;`, LF, rows
shuffled, calendar-year sums: time `JAHR`, `YYYY`, years 2015-2024, variable 1 `KREISE`):

- `12711-04-02-4_de_flat.csv`, Wanderungsstatistik (12711), "Zu- und Fortzüge nach
  Altersgruppen (über die Kreisgrenzen)": variable 2 `ALTX01` (`ALT000B18`, `ALT018B25`,
  `ALT025B30`, `ALT030B50`, `ALT050B65`, `ALT065UM`, Insgesamt), variable 3 `GES` (`GESM`,
  `GESW`, Insgesamt); `BEV085` Zuzüge über die Kreisgrenzen, `BEV086` Fortzüge über die
  Kreisgrenzen (Anzahl). The order of the variables is the table's: rows (Kreis, age) before
  columns (sex).
- `12612-01-01-4_de_flat.csv`, Statistik der Geburten (12612), "Lebendgeborene nach
  Geschlecht": variable 2 `GES`; `BEV001` Lebendgeborene.
- `12613-01-01-4_de_flat.csv`, Statistik der Sterbefälle (12613), "Gestorbene nach
  Geschlecht": variable 2 `GES`; `BEV002` Gestorbene.

The numbers are SYNTHETIC, drawn on each Kreis' own (unmerged, pre-transfer) population of
`pipelines.sample.generate` (checked against `12411-02-03-4_de_flat.csv` in the output folder):
births about 7-9 per 1,000 (falling after 2017), deaths about 10-16 per 1,000 (older Kreise
higher, a Covid bump 2020-2022). Net migration is what the population change of the year
leaves after the natural balance, plus the refugee peaks of 2015 and 2022 and a little noise,
so births - deaths + Zuzüge - Fortzüge roughly (not exactly) matches the change of the
population file. Moves are spread over age groups and sexes by largest remainder (students
into the towns, young families out of them; more men in the refugee years), births and deaths
over the sexes. Then the 2019 transfers and the Eisenach merger are applied to every cell as
in `pipelines.sample.generate` (Eisenach `-` from 2021); every Insgesamt is the sum of its
cells.

    python -m pipelines.sample.generate   (writes every sample file)
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from itertools import product
from pathlib import Path

from pipelines.sample.generate import (
    KREISE,
    SEXES,
    TOTAL,
    YEARS,
    Counts,
    Kreis,
    _apply_transfers,
    _kreis,
    _largest_remainder,
    _merge_eisenach,
    _noise,
    _value,
    _write,
)
from pipelines.sample.population_nationality import basis_population, check_basis

MIGRATION_FILE = "12711-04-02-4_de_flat.csv"
BIRTHS_FILE = "12612-01-01-4_de_flat.csv"
DEATHS_FILE = "12613-01-01-4_de_flat.csv"
OWN_SEED = 12_711_013

SEX_VARIABLE = ("GES", "Geschlecht")
AGE_VARIABLE = ("ALTX01", "Altersgruppen (unter 18 bis 65 u. m.)")
# ALTX01: code, label, share of all movers (Land, both directions)
MOVER_AGES = (
    ("ALT000B18", "unter 18 Jahre", 0.16),
    ("ALT018B25", "18 bis unter 25 Jahre", 0.25),
    ("ALT025B30", "25 bis unter 30 Jahre", 0.17),
    ("ALT030B50", "30 bis unter 50 Jahre", 0.28),
    ("ALT050B65", "50 bis unter 65 Jahre", 0.09),
    ("ALT065UM", "65 Jahre und mehr", 0.05),
)
MIGRATION = (
    ("BEV085", "Zuzüge über die Kreisgrenzen"),
    ("BEV086", "Fortzüge über die Kreisgrenzen"),
)
BIRTHS = ("BEV001", "Lebendgeborene")
DEATHS = ("BEV002", "Gestorbene")
# Extra net immigration per 1,000 inhabitants (refugees 2015/2016, Ukraine 2022).
PEAK = {2015: 5.0, 2016: 1.5, 2022: 6.0}
DEATH_TREND = {2020: 1.08, 2021: 1.12, 2022: 1.06}


def _mover_weights(rng: random.Random, k: Kreis, year: int, code: str) -> list[float]:
    """Weights of the (age group, sex) cells of Zuzüge (`BEV085`) or Fortzüge (`BEV086`):
    students come to the towns (k.age < 0) and young families leave them."""
    men = (0.57 if year in PEAK else 0.54) + _noise(rng, 0.01)
    inward = 1 if code == "BEV085" else -1
    out = []
    for age, _, share in MOVER_AGES:
        w = share
        if age == "ALT018B25":
            w *= 1 - 0.35 * k.age * inward
        elif age in ("ALT000B18", "ALT030B50"):
            w *= 1 + 0.15 * k.age * inward
        w *= 1 + _noise(rng, 0.04)
        out += [w * men, w * (1 - men)]
    return out


def _movement(rng: random.Random, pop: Counts) -> Counts:
    """Cells (measure, age group, sex) of migration and (measure, sex) of births and deaths."""
    out: Counts = {}
    for k in KREISE:
        for year in YEARS:
            t = year - YEARS[0]
            total = sum(pop[k.key, year].values())
            before = sum(pop[k.key, year - 1].values()) if t else round(total / (1 + k.growth))
            birth_rate = (8.2 - 1.2 * k.age) * (1 - 0.03 * max(0, t - 2)) + _noise(rng, 0.2)
            death_rate = (12.8 + 2.8 * k.age) * DEATH_TREND.get(year, 1.0) + _noise(rng, 0.3)
            births = round(total * birth_rate / 1000)
            deaths = round(total * death_rate / 1000)
            net = total - before - (births - deaths)
            net += round(total * (PEAK.get(year, 0.0) + _noise(rng, 0.8)) / 1000)
            out_rate = (36.0 - 10.0 * k.age) * (1 + _noise(rng, 0.03))  # students move more
            fortzuege = round(total * out_rate / 1000)
            cells: dict[tuple[str, ...], int] = {}
            for code, n in (("BEV085", fortzuege + net), ("BEV086", fortzuege)):
                parts = _largest_remainder(n, _mover_weights(rng, k, year, code))
                keys = [(code, age, sex) for (age, _, _), (sex, _) in product(MOVER_AGES, SEXES)]
                cells.update(zip(keys, parts, strict=True))
            boys = 0.513 + _noise(rng, 0.008)
            men = 0.49 - 0.02 * k.age + _noise(rng, 0.01)
            for code, n, share in ((BIRTHS[0], births, boys), (DEATHS[0], deaths, men)):
                cells[code, "GESM"], cells[code, "GESW"] = _largest_remainder(n, [share, 1 - share])
            out[k.key, year] = cells
    return out


def _sum(cells: dict[tuple[str, ...], int], *pattern: str) -> int:
    """Sum of the cells matching `pattern` ('' matches every attribute: Insgesamt)."""
    return sum(
        n
        for cell, n in cells.items()
        if len(cell) == len(pattern)
        and all(p in ("", c) for p, c in zip(pattern, cell, strict=True))
    )


def _migration_rows(movement: Counts) -> Iterable[list[str]]:
    for k in KREISE:
        for year in YEARS:
            cells = movement[k.key, year]
            for (code, label), (age, age_label, _), (sex, sex_label) in product(
                MIGRATION, (*MOVER_AGES, (*TOTAL, 0.0)), (*SEXES, TOTAL)
            ):
                yield [
                    "12711", "Wanderungsstatistik", "JAHR", "Jahr", str(year), *_kreis(k),
                    *AGE_VARIABLE, age, age_label, *SEX_VARIABLE, sex, sex_label,
                    _value(k.key, year, _sum(cells, code, age, sex)), "Anzahl", code, label,
                ]  # fmt: skip


def _natural_rows(
    movement: Counts, statistic: tuple[str, str], measure: tuple[str, str]
) -> Iterable[list[str]]:
    for k in KREISE:
        for year in YEARS:
            cells = movement[k.key, year]
            for sex, sex_label in (*SEXES, TOTAL):
                yield [
                    *statistic, "JAHR", "Jahr", str(year), *_kreis(k),
                    *SEX_VARIABLE, sex, sex_label,
                    _value(k.key, year, _sum(cells, measure[0], sex)), "Anzahl", *measure,
                ]  # fmt: skip


def generate(out_dir: Path) -> list[Path]:
    """Write the migration, births and deaths tables into `out_dir` (which must hold the
    population file); same bytes on every run."""
    pop = basis_population()
    check_basis(out_dir, pop)
    movement = _movement(random.Random(OWN_SEED), pop)
    _apply_transfers(movement)
    _merge_eisenach(movement)
    shuffle = random.Random(OWN_SEED + 1)
    births = _natural_rows(movement, ("12612", "Statistik der Geburten"), BIRTHS)
    deaths = _natural_rows(movement, ("12613", "Statistik der Sterbefälle"), DEATHS)
    return [
        _write(out_dir / MIGRATION_FILE, 3, list(_migration_rows(movement)), shuffle),
        _write(out_dir / BIRTHS_FILE, 2, list(births), shuffle),
        _write(out_dir / DEATHS_FILE, 2, list(deaths), shuffle),
    ]
