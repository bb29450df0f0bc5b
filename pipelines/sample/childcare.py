"""Deterministic generator of the sample table 22541-01-01-4 (children in day care), SYNTHETIC.

Kinder in Tageseinrichtungen und in öffentlich geförderter Kindertagespflege, Stichtag 01.03.
(`STAG`, `YYYY-03-01`), Kreise of Thüringen, 2015–2024, by age group `ALTX01` (`ALT000B03`
unter 3 Jahre, `ALT003B06` 3 bis unter 6 Jahre), measure `BEV095` Betreute Kinder.

The counts are drawn as care rates (under 3: about 52–58 %, 3 to 6: about 93–96 %) of the
population of the same age of `generate.py` (before its 2019 transfers and the Eisenach
merger), then the transfers and the merger are applied with the functions of `generate.py`.
So every count stays below the population of that age at 31.12. of the same year in
`12411-02-03-4_de_flat.csv`, which `generate` checks in `out_dir`.

    python -m pipelines.sample.generate   (writes every sample file)
"""

from __future__ import annotations

import csv
import random
from collections.abc import Iterable
from pathlib import Path

from pipelines.sample import generate as base

SEED = 16_22541
FILE = "22541-01-01-4_de_flat.csv"
# age group code, label, rate 2015 in Thüringen, change of the rate per year
AGES = (
    ("ALT000B03", "unter 3 Jahre", 0.525, 0.005),
    ("ALT003B06", "3 bis unter 6 Jahre", 0.935, 0.002),
)


def base_population() -> base.Counts:
    """Population of the Kreis sample before transfers and merger: `generate.generate` draws
    it first from a fresh `Random(SEED)`, so this is the same draw."""
    return base._population(random.Random(base.SEED))


def file_population(out_dir: Path) -> dict[tuple[str, int, str], int | None]:
    """(Kreis, year, age group or '') -> population, both sexes, from the Kreis sample file
    in `out_dir` (None where the file has a sign)."""
    out: dict[tuple[str, int, str], int | None] = {}
    with (out_dir / base.POPULATION_FILE).open(encoding="utf-8-sig", newline="") as handle:
        for r in csv.DictReader(handle, delimiter=";"):
            if r["2_variable_attribute_code"] == "":
                key = (r["1_variable_attribute_code"], int(r["time"][:4]))
                value = None if r["value"] == "-" else int(r["value"])
                out[(*key, r["3_variable_attribute_code"])] = value
    return out


def _counts(rng: random.Random, pop: base.Counts) -> base.Counts:
    out: base.Counts = {}
    for k in base.KREISE:
        town = -k.age  # the towns and the young Kreise have a little more care under 3
        for year in base.YEARS:
            t = year - base.YEARS[0]
            cells = pop[k.key, year]
            out[k.key, year] = {}
            for code, _, rate, step in AGES:
                children = sum(n for (_, age), n in cells.items() if age == code)
                r = rate + step * t + (0.02 * town if code == "ALT000B03" else 0.005 * town)
                r = min(r + base._noise(rng, 0.006), 0.965)
                out[k.key, year][(code,)] = round(children * r)
    return out


def _check(out_dir: Path, counts: base.Counts) -> None:
    """Children in care never reach the population of their age in the sample file."""
    pop = file_population(out_dir)
    for (key, year), cells in counts.items():
        for (code,), n in cells.items():
            p = pop[key, year, code]
            if p is not None and not n < p:
                raise ValueError(f"{FILE}: {key} {year} {code}: {n} children >= {p} population")


def _rows(counts: base.Counts) -> Iterable[list[str]]:
    for k in base.KREISE:
        for year in base.YEARS:
            for code, label, _, _ in AGES:
                yield [
                    "22541", "Statistik der Kinder und tätigen Personen in Tageseinrichtungen",
                    "STAG", "Stichtag", f"{year}-03-01", *base._kreis(k),
                    "ALTX01", "Altersgruppen (unter 3, 3 bis unter 6 Jahre)", code, label,
                    base._value(k.key, year, counts[k.key, year][(code,)]),
                    "Anzahl", "BEV095", "Betreute Kinder",
                ]  # fmt: skip


def generate(out_dir: Path) -> list[Path]:
    """Write `22541-01-01-4_de_flat.csv` into `out_dir` (which must hold the Kreis population
    sample); same bytes on every run."""
    counts = _counts(random.Random(SEED), base_population())
    base._apply_transfers(counts)
    base._merge_eisenach(counts)
    _check(out_dir, counts)
    return [base._write(out_dir / FILE, 2, list(_rows(counts)), random.Random(SEED + 1))]
