"""Deterministic generator of the sample table 22421-01-01-4 (people in need of care), SYNTHETIC.

Pflegestatistik: Pflegebedürftige, Stichtag 15.12. (`STAG`, `YYYY-12-15`), Kreise of
Thüringen, measure `PFL001` Pflegebedürftige. The real statistic is biennial (odd years); the
sample has EVERY year 2015–2024 so that the series is complete.

The counts are drawn as rates of the population aged 65 and over (rising from about 27 % to
about 32 %, after the Pflegegrade reform of 2017) plus about 1 % of the population under 65,
from the population of `generate.py` before its 2019 transfers and the Eisenach merger, which
are then applied. That is about 7–9 % of the population.

    python -m pipelines.sample.generate   (writes every sample file)
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from pathlib import Path

from pipelines.sample import generate as base
from pipelines.sample.childcare import base_population, file_population

SEED = 16_22421
FILE = "22421-01-01-4_de_flat.csv"
OLD = ("ALT065B75", "ALT075UM")


def _counts(rng: random.Random, pop: base.Counts) -> base.Counts:
    out: base.Counts = {}
    for k in base.KREISE:
        for year in base.YEARS:
            t = year - base.YEARS[0]
            cells = pop[k.key, year]
            old = sum(n for (_, age), n in cells.items() if age in OLD)
            young = sum(cells.values()) - old
            rate_old = (0.27 + 0.005 * t + 0.01 * k.age) * (1 + base._noise(rng, 0.02))
            rate_young = 0.010 + 0.0003 * t + 0.02 * (k.sgb2 - 0.075)
            out[k.key, year] = {("PFL001",): round(old * rate_old + young * rate_young)}
    return out


def _check(out_dir: Path, counts: base.Counts) -> None:
    """People in need of care stay between 4 % and 12 % of the sample file's population."""
    pop = file_population(out_dir)
    for (key, year), cells in counts.items():
        p = pop[key, year, ""]
        if p is not None and not 0.04 < cells["PFL001",] / p < 0.12:
            raise ValueError(f"{FILE}: {key} {year}: implausible share in need of care")


def _rows(counts: base.Counts) -> Iterable[list[str]]:
    for k in base.KREISE:
        for year in base.YEARS:
            yield [
                "22421", "Pflegestatistik - Pflegebedürftige",
                "STAG", "Stichtag", f"{year}-12-15", *base._kreis(k),
                base._value(k.key, year, counts[k.key, year][("PFL001",)]), "Anzahl",
                "PFL001", "Pflegebedürftige",
            ]  # fmt: skip


def generate(out_dir: Path) -> list[Path]:
    """Write `22421-01-01-4_de_flat.csv` into `out_dir` (which must hold the Kreis population
    sample); same bytes on every run."""
    counts = _counts(random.Random(SEED), base_population())
    base._apply_transfers(counts)
    base._merge_eisenach(counts)
    _check(out_dir, counts)
    return [base._write(out_dir / FILE, 1, list(_rows(counts)), random.Random(SEED + 1))]
