"""Deterministic generator of the sample table 82411-01-03-4 (disposable income), SYNTHETIC.

Volkswirtschaftliche Gesamtrechnungen der Länder: Verfügbares Einkommen der privaten Haushalte
einschließlich der privaten Organisationen ohne Erwerbszweck, Kreise of Thüringen, 2015–2024
(`JAHR`, `YYYY`), measure `VGR014` in `Tsd. EUR` (the reader multiplies by 1000).

The income is drawn per inhabitant (about 20,000–24,000 EUR in 2015, rising by about 2–3 % a
year) times the population at 31.12. of `generate.py` before its 2019 transfers and the
Eisenach merger, which are then applied to the income as to a count.

    python -m pipelines.sample.generate   (writes every sample file)
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from pathlib import Path

from pipelines.sample import generate as base
from pipelines.sample.childcare import base_population, file_population

SEED = 16_82411
FILE = "82411-01-03-4_de_flat.csv"
PER_INHABITANT_2015 = 21_800.0  # EUR, Thüringen


def _counts(rng: random.Random, pop: base.Counts) -> base.Counts:
    """Income in Tsd. EUR (integers, as the VGR tables print them)."""
    out: base.Counts = {}
    for k in base.KREISE:
        level = PER_INHABITANT_2015 * (1 + 0.04 * k.age - 0.3 * (k.sgb2 - 0.075))
        level *= 1 + base._noise(rng, 0.02)
        for year in base.YEARS:
            if year > base.YEARS[0]:
                level *= 1.025 + base._noise(rng, 0.006)
            inhabitants = sum(pop[k.key, year].values())
            out[k.key, year] = {("VGR014",): round(inhabitants * level / 1000)}
    return out


def _check(out_dir: Path, counts: base.Counts) -> None:
    """Income per inhabitant of the sample file's population stays in 15,000–35,000 EUR."""
    pop = file_population(out_dir)
    for (key, year), cells in counts.items():
        p = pop[key, year, ""]
        if p is not None and not 15_000 < cells["VGR014",] * 1000 / p < 35_000:
            raise ValueError(f"{FILE}: {key} {year}: implausible income per inhabitant")


def _rows(counts: base.Counts) -> Iterable[list[str]]:
    for k in base.KREISE:
        for year in base.YEARS:
            yield [
                "82411", "Volkswirtschaftliche Gesamtrechnungen der Länder",
                "JAHR", "Jahr", str(year), *base._kreis(k),
                base._value(k.key, year, counts[k.key, year][("VGR014",)]), "Tsd. EUR",
                "VGR014", "Verfügbares Einkommen der privaten Haushalte",
            ]  # fmt: skip


def generate(out_dir: Path) -> list[Path]:
    """Write `82411-01-03-4_de_flat.csv` into `out_dir` (which must hold the Kreis population
    sample); same bytes on every run."""
    counts = _counts(random.Random(SEED), base_population())
    base._apply_transfers(counts)
    base._merge_eisenach(counts)
    _check(out_dir, counts)
    return [base._write(out_dir / FILE, 1, list(_rows(counts)), random.Random(SEED + 1))]
