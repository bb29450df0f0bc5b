"""Deterministic sample of 12411-04-02-4 (population by sex and single years of age), SYNTHETIC.

Writes `12411-04-02-4.zip` (one `12411-04-02-4_<stamp>_de_flat.csv`) as the GENESIS API
delivers the table "Bevölkerung nach
Geschlecht und Altersjahren (79) - Stichtag 31.12. - Kreise und krfr. Städte": UTF-8 with
BOM, `;`, LF, rows shuffled; statistic 12411, time `STAG` (`YYYY-12-31`), variable 1
`KREISE`, variable 2 `ALTX76` (single years `ALT000` unter 1 Jahr … `ALT074`, then
`ALT075B80`, `ALT080B85`, `ALT085B90`, `ALT090UM`, and Insgesamt), variable 3 `GES`
(`GESM`, `GESW`, Insgesamt), measure `BEVSTD` Bevölkerungsstand (Anzahl), years 2015-2024.
The order of the variables is the table's: rows (Kreis, age) before columns (sex).

Each age group of the Kreis population sample `12411-02-03-4_de_flat.csv` in the output
folder is split, per Kreis, year and sex, into its single years (and 75+ into 75-80, 80-85,
85-90, 90+) by largest remainder, so every group, every sex and every total equals that file
EXACTLY; Eisenach's `-` (from 2021) stays `-`. The weights are smooth with a little noise:
the baby boomers move through 65-74, the oldest groups grow (ageing, women older).
`single_years` gives the split to the other generators built on it.

    python -m pipelines.sample.generate   (writes every sample file)
"""

from __future__ import annotations

import csv
import functools
import random
from collections.abc import Iterable
from pathlib import Path

from pipelines.sample import generate as base

SEED = 16_12411_042
FILE = "12411-04-02-4.zip"  # the API's ZIP: the table is large
AGE_VARIABLE = ("ALTX76", "Altersjahre (unter 1 bis 90, Altersgruppen)")
SEX_VARIABLE = ("GES", "Geschlecht")
OLD_GROUPS = (
    ("ALT075B80", "75 bis unter 80 Jahre", 75),
    ("ALT080B85", "80 bis unter 85 Jahre", 80),
    ("ALT085B90", "85 bis unter 90 Jahre", 85),
    ("ALT090UM", "90 Jahre und mehr", 90),
)
# (code, label, lower age): the 79 age classes of ALTX76 in table order
AGES: tuple[tuple[str, str, int], ...] = (
    ("ALT000", "unter 1 Jahr", 0),
    *((f"ALT{a:03d}", f"{a} bis unter {a + 1} Jahre", a) for a in range(1, 75)),
    *OLD_GROUPS,
)
# Shares of 75-80, 80-85, 85-90, 90+ within 75 and over in 2015, by sex.
OLD_SHARES = {"GESM": (0.50, 0.30, 0.15, 0.05), "GESW": (0.41, 0.31, 0.19, 0.09)}

Cells = dict[tuple[str, int, str], dict[str, int] | None]  # (Kreis, year, sex) -> age -> n


def read_population(out_dir: Path) -> Cells:
    """(Kreis, year, sex) -> 12411-02-03-4 age group -> persons, from the population file in
    `out_dir` (None where the file shows `-`)."""
    return _groups((out_dir / base.POPULATION_FILE).read_text(encoding="utf-8-sig"))


def _groups(text: str) -> Cells:
    out: Cells = {}
    for r in csv.DictReader(text.splitlines(), delimiter=";"):
        sex, age = r["2_variable_attribute_code"], r["3_variable_attribute_code"]
        if not sex or not age:
            continue
        key = (r["1_variable_attribute_code"], int(r["time"][:4]), sex)
        if r["value"] == "-":
            out[key] = None
        else:
            cells = out.setdefault(key, {})
            if cells is not None:
                cells[age] = int(r["value"])
    return out


def _parts(code: str, lower: int, upper: int) -> list[str]:
    """The ALTX76 classes that make up one 12411-02-03-4 age group."""
    if code == "ALT075UM":
        return [c for c, _, _ in OLD_GROUPS]
    return [f"ALT{a:03d}" for a in range(lower, upper)]


def _weights(rng: random.Random, code: str, ages: range, sex: str, t: int) -> list[float]:
    """Weights of the classes of one age group (`t`: years since 2015)."""
    if code == "ALT075UM":
        shares = list(OLD_SHARES[sex])
        for i in (2, 3):  # the oldest grow as life expectancy rises
            shares[i] *= 1 + 0.025 * t
        return [s * (1 + base._noise(rng, 0.02)) for s in shares]
    out = []
    for a in ages:
        w = 1.0
        if code == "ALT065B75":  # the baby boomers reach 65 from about 2020
            w += 0.03 * (t - 4) * (69.5 - a) / 4.5
        out.append(w * (1 + base._noise(rng, 0.03)))
    return out


@functools.cache
def _split(population: str) -> dict[tuple[str, int, str], dict[str, int] | None]:
    """The split of the population file's text (cached: several generators ask for it)."""
    groups = _groups(population)
    rng = random.Random(SEED)
    out: dict[tuple[str, int, str], dict[str, int] | None] = {}
    for k in base.KREISE:
        for year in base.YEARS:
            for sex, _ in base.SEXES:
                cells = groups[k.key, year, sex]
                if cells is None:
                    out[k.key, year, sex] = None
                    continue
                fine: dict[str, int] = {}
                for code, _, lower, upper, _, _ in base.AGE_GROUPS:
                    ages = range(lower, min(upper, 75))
                    weights = _weights(rng, code, ages, sex, year - base.YEARS[0])
                    parts = base._largest_remainder(cells[code], weights)
                    fine.update(zip(_parts(code, lower, upper), parts, strict=True))
                out[k.key, year, sex] = fine
    return out


def single_years(out_dir: Path) -> dict[tuple[str, int, str], dict[str, int] | None]:
    """(Kreis, year, sex) -> ALTX76 class -> persons (None for Eisenach from 2021), made from
    the population file in `out_dir`; the same for every generator that asks."""
    return _split((out_dir / base.POPULATION_FILE).read_text(encoding="utf-8-sig"))


def _rows(split: dict[tuple[str, int, str], dict[str, int] | None]) -> Iterable[list[str]]:
    for k in base.KREISE:
        for year in base.YEARS:
            by_sex = {sex: split[k.key, year, sex] for sex, _ in base.SEXES}
            for code, label, _ in (*AGES, (*base.TOTAL, 0)):
                for sex, sex_label in (*base.SEXES, base.TOTAL):
                    sexes = [s for s, _ in base.SEXES] if not sex else [sex]
                    values = [by_sex[s] for s in sexes]
                    if any(v is None for v in values):
                        value = "-"
                    else:
                        value = str(sum(v[code] if code else sum(v.values()) for v in values if v))
                    yield [
                        "12411", "Fortschreibung des Bevölkerungsstandes",
                        "STAG", "Stichtag", f"{year}-12-31", *base._kreis(k),
                        *AGE_VARIABLE, code, label, *SEX_VARIABLE, sex, sex_label,
                        value, "Anzahl", "BEVSTD", "Bevölkerungsstand",
                    ]  # fmt: skip


def generate(out_dir: Path) -> list[Path]:
    """Write `12411-04-02-4.zip` into `out_dir` (which must hold the Kreis population
    sample); same bytes on every run."""
    rows = list(_rows(single_years(out_dir)))
    return [base._write(out_dir / FILE, 3, rows, random.Random(SEED + 1))]
