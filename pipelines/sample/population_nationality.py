"""Deterministic sample of 12411-03-03-4: population at 31.12. by sex, nationality and age
groups (21), Kreise.

Writes `12411-03-03-4.zip` (one `12411-03-03-4_<stamp>_de_flat.csv`) as the GENESIS API
delivers "Bevölkerung nach Geschlecht,
Nationalität und Altersgruppen (21) - Stichtag 31.12. - Kreise und krfr. Städte": UTF-8 with
BOM, `;`, LF, rows shuffled; statistic 12411, time `STAG` (`YYYY-12-31`), variable 1 `KREISE`,
variable 2 `ALTX21` (21 age groups `ALT000B03` … `ALT085B90`, `ALT090UM`, Insgesamt),
variable 3 `NAT` (`NATD` deutsch, `NATA` ausländisch, Insgesamt), variable 4 `GES` (`GESM`,
`GESW`, Insgesamt), measure `BEVSTD` (Anzahl), years 2015-2024. The order of the variables is
the table's: rows (Kreis, age) before columns (nationality, sex).

The numbers are SYNTHETIC. Insgesamt of nationality is the population of the single-year
sample `12411-04-02-4` (`pipelines.sample.population_age_detail`) summed to the 21 groups, so
it equals that file and `12411-02-03-4_de_flat.csv` EXACTLY. Foreigners are drawn as a share
of each Kreis' own (unmerged, pre-transfer) population - about 2.5 % in the Landkreise and
4-6 % in the towns in 2015, roughly doubling by 2024 with jumps in 2016 and 2022 (refugees) -
then the 2019 Gemeinde transfers and the Eisenach merger are applied as in
`pipelines.sample.generate`; each Kreis' foreigners are spread over age groups and sexes by
largest remainder (young adults and men more than their share); Deutsche = Insgesamt -
Ausländer in every cell.

    python -m pipelines.sample.generate   (writes every sample file)
"""

from __future__ import annotations

import csv
import random
from collections.abc import Iterable
from itertools import product
from pathlib import Path

from pipelines.sample.generate import (
    KREISE,
    POPULATION_FILE,
    SEED,
    SEXES,
    TOTAL,
    YEARS,
    Counts,
    _apply_transfers,
    _kreis,
    _largest_remainder,
    _merge_eisenach,
    _noise,
    _population,
    _value,
    _write,
)
from pipelines.sample.population_age_detail import single_years

FILE = "12411-03-03-4.zip"  # the API's ZIP: the table is large
OWN_SEED = 12_411_033
DEFAULT_OUT = Path(__file__).resolve().parents[2] / "sample_data"
AGE_VARIABLE = ("ALTX21", "Altersgruppen (unter 3, 5er-Schritte, 90 und mehr)")
NAT_VARIABLE = ("NAT", "Nationalität")
SEX_VARIABLE = ("GES", "Geschlecht")
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

# Share of foreigners in 2015 (towns higher), and the Land-wide growth factor per year.
FOREIGN_2015 = {"16051": 0.050, "16052": 0.046, "16053": 0.060, "16055": 0.045, "16054": 0.034}
FOREIGN_DEFAULT = 0.026
FOREIGN_TREND = dict(
    zip(YEARS, (1.0, 1.25, 1.34, 1.43, 1.52, 1.57, 1.66, 2.02, 2.16, 2.26), strict=True)
)


def basis_population() -> Counts:
    """The population cells of `pipelines.sample.generate` before transfers and merger
    (each Kreis' own people, Eisenach included in every year)."""
    return _population(random.Random(SEED))


def read_totals(out_dir: Path) -> dict[tuple[str, int], str]:
    """(Kreis, year) -> population total (sex and age Insgesamt) as printed in the file."""
    totals: dict[tuple[str, int], str] = {}
    with (out_dir / POPULATION_FILE).open(encoding="utf-8-sig", newline="") as handle:
        for r in csv.DictReader(handle, delimiter=";"):
            if r["2_variable_attribute_code"] == "" and r["3_variable_attribute_code"] == "":
                totals[r["1_variable_attribute_code"], int(r["time"][:4])] = r["value"]
    return totals


def check_basis(out_dir: Path, pop: Counts) -> dict[tuple[str, int], str]:
    """The basis, moved and merged, must give the totals of the population file in
    `out_dir`; otherwise the file is not the one this generator builds on."""
    totals = read_totals(out_dir)
    moved: Counts = {key: dict(cells) for key, cells in pop.items()}
    _apply_transfers(moved)
    _merge_eisenach(moved)
    for (key, year), cells in moved.items():
        total = sum(cells.values())
        if totals.get((key, year)) != _value(key, year, total):
            raise ValueError(
                f"{out_dir / POPULATION_FILE}: total {key} {year} is "
                f"{totals.get((key, year))!r}, the population generator gives {total}"
            )
    return totals


def _foreigners(rng: random.Random, pop: Counts) -> Counts:
    out: Counts = {}
    for k in KREISE:
        base = FOREIGN_2015.get(k.key, FOREIGN_DEFAULT)
        for year in YEARS:
            total = sum(pop[k.key, year].values())
            share = base * FOREIGN_TREND[year] * (1 + _noise(rng, 0.03))
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
    75-80 … 90+ of 12411-04-02-4."""
    out = dict.fromkeys((g[0] for g in AGE_GROUPS), 0)
    for code, n in years.items():
        lower = int(code[3:6])
        group = next(g[0] for g in AGE_GROUPS if g[2] <= lower < g[3])
        out[group] += n
    return out


Cells = dict[tuple[str, str, str], int]  # (age group, nationality, sex) -> persons


def _cells(rng: random.Random, foreign: Counts, out_dir: Path) -> dict[tuple[str, int], Cells]:
    """Every (Kreis, year) with numbers: persons by age group, nationality and sex; the
    Kreis' foreigners spread over the age groups and sexes in proportion to their population
    times `_foreign_weight`."""
    split = single_years(out_dir)
    out: dict[tuple[str, int], Cells] = {}
    for k in KREISE:
        for year in YEARS:
            by_sex = {sex: split[k.key, year, sex] for sex, _ in SEXES}
            if any(v is None for v in by_sex.values()):
                continue  # Eisenach from 2021: every cell `-`
            pop = {
                (g, sex): n
                for sex, years in by_sex.items()
                for g, n in _groups(years or {}).items()
            }
            cells = list(pop)
            weights = [
                pop[g, sex] * _foreign_weight(int(g[3:6]), sex) * (1 + _noise(rng, 0.05))
                for g, sex in cells
            ]
            parts = _largest_remainder(foreign[k.key, year][("NATA",)], weights)
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


def _rows(cells: dict[tuple[str, int], Cells]) -> Iterable[list[str]]:
    for k in KREISE:
        for year in YEARS:
            c = cells.get((k.key, year))
            sums = _sums(c) if c is not None else {}
            for age, age_label, _, _ in (*AGE_GROUPS, (*TOTAL, 0, 0)):
                for nat, nat_label in (*NATIONALITIES, TOTAL):
                    for sex, sex_label in (*SEXES, TOTAL):
                        value = "-" if c is None else str(sums[age, nat, sex])
                        yield [
                            "12411", "Fortschreibung des Bevölkerungsstandes",
                            "STAG", "Stichtag", f"{year}-12-31", *_kreis(k),
                            *AGE_VARIABLE, age, age_label, *NAT_VARIABLE, nat, nat_label,
                            *SEX_VARIABLE, sex, sex_label,
                            value, "Anzahl", "BEVSTD", "Bevölkerungsstand",
                        ]  # fmt: skip


def generate(out_dir: Path) -> list[Path]:
    """Write the nationality table into `out_dir` (which must hold the population file)."""
    pop = basis_population()
    check_basis(out_dir, pop)
    foreign = _foreigners(random.Random(OWN_SEED), pop)
    _apply_transfers(foreign)
    _merge_eisenach(foreign)
    rows = list(_rows(_cells(random.Random(OWN_SEED + 2), foreign, out_dir)))
    return [_write(out_dir / FILE, 4, rows, random.Random(OWN_SEED + 1))]
