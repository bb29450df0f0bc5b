"""13111-02-02-4: employees subject to social insurance at their place of residence
(Wohnort) on 30.06. by nationality and sex, Kreise and the Land (GENESIS ffcsv), SYNTHETIC.

Laid out like the real ffcsv of the place-of-work table 13111-01-03-4
(`tests/fixtures/real/genesis_ffcsv/`): variable 1 the region (`DLAND` for the Land row of
Thüringen, `KREISE` for the Kreise), variable 2 `NAT` (Insgesamt, `NATA` ausländisch),
variable 3 `GES` (Insgesamt, `GESM`, `GESW`), time `STAG` (`YYYY-06-30`), measure `ERW033`
Sozialversicherungspfl. Beschäftigte (Wohnort) (Anzahl), years 2015-2024; every Insgesamt of
either variable is a row of its own.

Men and women are drawn as a rate of each Kreis' own base population aged 15 to under 65 of
the same sex at 31.12. (checked against the population file) - about 60 % in 2015 rising to
about 65 % in 2024, women a little lower, the towns with their students lower, a dip in
2020. Foreign employees are drawn, with a seed of their own, as about three quarters of the
share of foreigners in the population (`common.FOREIGN_2015`, men more than women). Then the
2019 transfers and the Eisenach merger are applied; every Insgesamt is the sum of its parts
and the Land row the sum of its Kreise.
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from pathlib import Path

from tools.sample import common

FILE = "13111-02-02-4_de_flat.csv"
SEED = 13_111_075
WORKING_AGE = {g[0] for g in common.AGE_GROUPS if 15 <= g[2] < 65}
SEX_OFFSET = {"GESM": 0.012, "GESW": -0.014}
# Foreign employees per employee, relative to the share of foreigners in the population.
FOREIGN_FACTOR = {"GESM": 0.85, "GESW": 0.62}
LAND = ("DLAND", "Bundesländer", "16", "Thüringen")
NATIONALITIES = (("NATA", "ausländisch"), common.TOTAL)


def _employees(rng: random.Random, pop: common.Counts) -> common.Counts:
    """Employees by sex: cells ("", sex)."""
    out: common.Counts = {}
    for k in common.KREISE:
        for year in common.YEARS:
            t = year - common.YEARS[0]
            rate = 0.598 + 0.0055 * t + 0.018 * k.age - (0.006 if year == 2020 else 0.0)
            cells = pop[k.key, year]
            out[k.key, year] = {
                ("", sex): round(
                    sum(n for (s, age), n in cells.items() if s == sex and age in WORKING_AGE)
                    * (rate + SEX_OFFSET[sex] + common.noise(rng, 0.004))
                )
                for sex, _ in common.SEXES
            }
    return out


def _foreigners(rng: random.Random, employees: common.Counts) -> None:
    """Add the foreign employees by sex: cells ("NATA", sex)."""
    for k in common.KREISE:
        base = common.FOREIGN_2015.get(k.key, common.FOREIGN_DEFAULT)
        for year in common.YEARS:
            cells = employees[k.key, year]
            for sex, _ in common.SEXES:
                share = base * common.FOREIGN_TREND[year] * FOREIGN_FACTOR[sex]
                cells["NATA", sex] = round(cells["", sex] * share * (1 + common.noise(rng, 0.05)))


def _cell(cells: dict[tuple[str, ...], int], nat: str, sex: str) -> int:
    """A published cell: the employees of nationality `nat` and sex `sex` ('' = Insgesamt)."""
    return sum(v for (n, s), v in cells.items() if n == nat and sex in ("", s))


def _region_rows(
    region: list[str], year: int, cells: dict[tuple[str, ...], int], printed: bool
) -> Iterable[list[str]]:
    for nat in NATIONALITIES:
        for sex in (*common.SEXES, common.TOTAL):
            value = str(_cell(cells, nat[0], sex[0])) if printed else "-"
            yield [
                "13111", "Statistik der sozialversicherungspflichtig Beschäftigten",
                "STAG", "Stichtag", f"{year}-06-30", *region,
                "NAT", "Nationalität", *nat,
                "GES", "Geschlecht", *sex,
                value, "Anzahl", "ERW033", "Sozialversicherungspfl. Beschäftigte (Wohnort)",
            ]  # fmt: skip


def rows(employees: common.Counts) -> Iterable[list[str]]:
    for year in common.YEARS:
        land: dict[tuple[str, ...], int] = {}
        for k in common.KREISE:
            cells = employees[k.key, year]
            yield from _region_rows(common.kreis_var(k), year, cells, not common.gone(k.key, year))
            if not common.gone(k.key, year):
                for cell, n in cells.items():
                    land[cell] = land.get(cell, 0) + n
        yield from _region_rows(list(LAND), year, land, True)


def write(out_dir: Path) -> list[Path]:
    pop = common.base_population()
    common.check_basis(out_dir, pop)
    employees = _employees(random.Random(SEED), pop)
    _foreigners(random.Random(SEED + 2), employees)
    common.moved(employees)
    return [common.write_ffcsv(out_dir / FILE, 3, list(rows(employees)), random.Random(SEED + 1))]


SPEC = common.Spec("employees_residence", (FILE,), write, needs=("population_age",))
