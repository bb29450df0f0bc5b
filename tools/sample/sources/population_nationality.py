"""12411-03-03-4: population at 31.12. by sex, nationality and age groups (21), Kreise,
SYNTHETIC.

Written as `12411-03-03-4.zip` (one `12411-03-03-4_<stamp>_de_flat.csv`) as the GENESIS API
delivers "Bevölkerung nach Geschlecht, Nationalität und Altersgruppen (21) - Stichtag 31.12. -
Kreise und krfr. Städte": statistic 12411, time `STAG` (`YYYY-12-31`), variable 1 `KREISE`,
variable 2 `ALTX21` (21 age groups `ALT000B03` … `ALT085B90`, `ALT090UM`, Insgesamt),
variable 3 `NAT` (`NATD` deutsch, `NATA` ausländisch, Insgesamt), variable 4 `GES` (`GESM`,
`GESW`, Insgesamt), measure `BEVSTD` (Anzahl), years 2015-2024. The order of the variables is
the table's: rows (Kreis, age) before columns (nationality, sex).

Insgesamt of nationality is `common.single_years` (the population file split into single
years) summed to the 21 groups, so it equals `12411-04-02-4` and `12411-02-03-4_de_flat.csv`
EXACTLY. Foreigners are drawn as a share of each Kreis' own (unmerged, pre-transfer)
population - about 2.5 % in the Landkreise and 4-6 % in the towns in 2015, roughly doubling
by 2024 with jumps in 2016 and 2022 (refugees) - then moved and merged; each Kreis'
foreigners are spread over age groups and sexes by largest remainder (young adults and men
more than their share); Deutsche = Insgesamt - Ausländer in every cell.
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from itertools import product
from pathlib import Path

from tools.sample import common

FILE = "12411-03-03-4.zip"  # the API's ZIP: the table is large
SEED = 12_411_033
AGE_VARIABLE = ("ALTX21", "Altersgruppen (unter 3, 5er-Schritte, 90 und mehr)")
NAT_VARIABLE = ("NAT", "Nationalität")
NATIONALITIES = (("NATD", "deutsch"), ("NATA", "ausländisch"))
# (code, label, lower age, upper age) of ALTX21; 90 and over ends at 999
AGE_GROUPS: tuple[tuple[str, str, int, int], ...] = (
    ("ALT000B03", "unter 3 Jahre", 0, 3),
    ("ALT003B06", "3 bis unter 6 Jahre", 3, 6),
    ("ALT006B10", "6 bis unter 10 Jahre", 6, 10),
    ("ALT010B15", "10 bis unter 15 Jahre", 10, 15),
    ("ALT015B18", "15 bis unter 18 Jahre", 15, 18),
    ("ALT018B20", "18 bis unter 20 Jahre", 18, 20),
    *(
        (f"ALT{lo:03d}B{lo + 5:02d}", f"{lo} bis unter {lo + 5} Jahre", lo, lo + 5)
        for lo in range(20, 90, 5)
    ),
    ("ALT090UM", "90 Jahre und mehr", 90, 999),
)
Cells = dict[tuple[str, str, str], int]  # (age group, nationality, sex) -> persons


def _foreigners(rng: random.Random, pop: common.Counts) -> common.Counts:
    out: common.Counts = {}
    for k in common.KREISE:
        base = common.FOREIGN_2015.get(k.key, common.FOREIGN_DEFAULT)
        for year in common.YEARS:
            total = sum(pop[k.key, year].values())
            share = base * common.FOREIGN_TREND[year] * (1 + common.noise(rng, 0.03))
            if k.key == "16052" and year >= 2016:  # Gera took in many refugees
                share *= 1.25
            out[k.key, year] = {("NATA",): round(total * share)}
    return out


def _foreign_weight(lower: int, sex: str) -> float:
    """How much more often than the population as a whole an age group and sex is foreign
    (refugees and labour migrants are young, more often men)."""
    age = (
        1.2 if lower < 18 else 2.0 if lower < 25 else 2.4 if lower < 35 else 1.8 if lower < 45
        else 1.0 if lower < 55 else 0.5 if lower < 65 else 0.25 if lower < 75 else 0.1
    )  # fmt: skip
    return age * (1.15 if sex == "GESM" else 0.85)


def _groups(years: dict[str, int]) -> dict[str, int]:
    """ALTX21 group -> persons, summed from single years (`ALT045`) and the 5-year classes
    75-80 … 90+."""
    out = dict.fromkeys((g[0] for g in AGE_GROUPS), 0)
    for code, n in years.items():
        lower = int(code[3:6])
        group = next(g[0] for g in AGE_GROUPS if g[2] <= lower < g[3])
        out[group] += n
    return out


def _cells(
    rng: random.Random, foreign: common.Counts, out_dir: Path
) -> dict[tuple[str, int], Cells]:
    """Every (Kreis, year) with numbers: persons by age group, nationality and sex; the
    Kreis' foreigners spread over the age groups and sexes in proportion to their population
    times `_foreign_weight`."""
    split = common.single_years(out_dir)
    out: dict[tuple[str, int], Cells] = {}
    for k in common.KREISE:
        for year in common.YEARS:
            by_sex = {sex: split[k.key, year, sex] for sex, _ in common.SEXES}
            if any(v is None for v in by_sex.values()):
                continue  # Eisenach from 2021: every cell `-`
            pop = {
                (g, sex): n
                for sex, years in by_sex.items()
                for g, n in _groups(years or {}).items()
            }
            cells = list(pop)
            weights = [
                pop[g, sex] * _foreign_weight(int(g[3:6]), sex) * (1 + common.noise(rng, 0.05))
                for g, sex in cells
            ]
            parts = common.largest_remainder(foreign[k.key, year][("NATA",)], weights)
            out[k.key, year] = {}
            for (g, sex), a in zip(cells, parts, strict=True):
                if a > pop[g, sex]:
                    raise ValueError(
                        f"{FILE}: {k.key} {year} {g} {sex}: more foreigners than people"
                    )
                out[k.key, year] |= {(g, "NATA", sex): a, (g, "NATD", sex): pop[g, sex] - a}
    return out


def _sums(cells: Cells) -> Cells:
    """Every cell and every total ('' for Insgesamt) of age group, nationality and sex."""
    out: Cells = {}
    for (age, nat, sex), n in cells.items():
        for key in product((age, ""), (nat, ""), (sex, "")):
            out[key] = out.get(key, 0) + n
    return out


def rows(cells: dict[tuple[str, int], Cells]) -> Iterable[list[str]]:
    for k in common.KREISE:
        for year in common.YEARS:
            c = cells.get((k.key, year))
            sums = _sums(c) if c is not None else {}
            for age, age_label, _, _ in (*AGE_GROUPS, (*common.TOTAL, 0, 0)):
                for nat, nat_label in (*NATIONALITIES, common.TOTAL):
                    for sex, sex_label in (*common.SEXES, common.TOTAL):
                        value = "-" if c is None else str(sums[age, nat, sex])
                        yield [
                            *common.POPULATION_STATISTIC, f"{year}-12-31",
                            *common.kreis_var(k), *AGE_VARIABLE, age, age_label,
                            *NAT_VARIABLE, nat, nat_label, *common.SEX_VARIABLE, sex, sex_label,
                            value, *common.POPULATION_MEASURE,
                        ]  # fmt: skip


def write(out_dir: Path) -> list[Path]:
    pop = common.base_population()
    common.check_basis(out_dir, pop)
    foreign = common.moved(_foreigners(random.Random(SEED), pop))
    table = list(rows(_cells(random.Random(SEED + 2), foreign, out_dir)))
    return [common.write_ffcsv(out_dir / FILE, 4, table, random.Random(SEED + 1))]


SPEC = common.Spec("population_nationality", (FILE,), write, needs=("population_age",))
