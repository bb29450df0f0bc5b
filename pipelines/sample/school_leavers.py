"""Deterministic generator of the sample table 21111-02-06-4 (school leavers), SYNTHETIC.

Absolventen und Abgänger allgemeinbildender Schulen nach Abschlussarten, Kreise of Thüringen,
school years ending 2015–2024 (`JAHR`, `YYYY` = the year the school year ends), variable
`SCHAB1`: `OHNEHSA` ohne Hauptschulabschluss, `HSA` mit Hauptschulabschluss, `RSA` mit
Realschulabschluss, `ALLGHR` mit allgemeiner Hochschulreife and Insgesamt (the sum of the
four parts; the sample has no other kinds of leaving certificate).

A year's leavers are about a third of the population aged 15 to under 18 of `generate.py`
(0.8–1 % of the population); about 7–10 % leave without Hauptschulabschluss. The parts are
drawn before the 2019 transfers and the Eisenach merger of `generate.py`, which are then
applied to each part; Insgesamt is summed from the parts when the file is written.

    python -m pipelines.sample.generate   (writes every sample file)
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from pathlib import Path

from pipelines.sample import generate as base
from pipelines.sample.childcare import base_population, file_population

SEED = 16_21111
FILE = "21111-02-06-4_de_flat.csv"
# code, label, share 2015 in Thüringen, change per unit of Kreis age (-1 town … +1 rural)
KINDS = (
    ("OHNEHSA", "ohne Hauptschulabschluss", 0.085, 0.010),
    ("HSA", "mit Hauptschulabschluss", 0.170, 0.030),
    ("RSA", "mit Realschulabschluss", 0.420, 0.050),
    ("ALLGHR", "mit allgemeiner Hochschulreife", 0.325, -0.090),
)


def _counts(rng: random.Random, pop: base.Counts) -> base.Counts:
    out: base.Counts = {}
    for k in base.KREISE:
        for year in base.YEARS:
            cohort = sum(n for (_, age), n in pop[k.key, year].items() if age == "ALT015B18")
            leavers = round(cohort / 3 * (1.10 + base._noise(rng, 0.03)))
            weights = [max(s + d * k.age + base._noise(rng, 0.008), 0.01) for *_, s, d in KINDS]
            parts = base._largest_remainder(leavers, weights)
            out[k.key, year] = {(kind[0],): n for kind, n in zip(KINDS, parts, strict=True)}
    return out


def _check(out_dir: Path, counts: base.Counts) -> None:
    """A year's leavers stay below the population aged 15 to under 18 in the sample file."""
    pop = file_population(out_dir)
    for (key, year), cells in counts.items():
        p = pop[key, year, "ALT015B18"]
        if p is not None and not sum(cells.values()) < p:
            raise ValueError(f"{FILE}: {key} {year}: more leavers than population aged 15-18")


def _rows(counts: base.Counts) -> Iterable[list[str]]:
    for k in base.KREISE:
        for year in base.YEARS:
            cells = counts[k.key, year]
            for code, label in [(c, lab) for c, lab, *_ in KINDS] + [base.TOTAL]:
                n = sum(v for (c,), v in cells.items() if code in ("", c))
                yield [
                    "21111", "Statistik der allgemeinbildenden Schulen",
                    "JAHR", "Jahr", str(year), *base._kreis(k),
                    "SCHAB1", "Abschlussarten", code, label,
                    base._value(k.key, year, n),
                    "Anzahl", "BIL003", "Absolventen und Abgänger",
                ]  # fmt: skip


def generate(out_dir: Path) -> list[Path]:
    """Write `21111-02-06-4_de_flat.csv` into `out_dir` (which must hold the Kreis population
    sample); same bytes on every run."""
    counts = _counts(random.Random(SEED), base_population())
    base._apply_transfers(counts)
    base._merge_eisenach(counts)
    _check(out_dir, counts)
    return [base._write(out_dir / FILE, 2, list(_rows(counts)), random.Random(SEED + 1))]
