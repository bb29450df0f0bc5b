"""Deterministic sample of 13111-07-05-4: employees subject to social insurance at their place
of residence (Wohnort) on 30.06., by sex, Kreise.

Writes `13111-07-05-4_de_flat.csv` in the GENESIS flat-file layout (UTF-8 with BOM, `;`, LF,
rows shuffled): variable 1 `KREISE`, variable 2 `GES` (`GESM`, `GESW`, Insgesamt), time
`STAG` (`YYYY-06-30`), measure `ERW133` Sozialversicherungspflichtig Beschäftigte am Wohnort
(Anzahl), years 2015-2024.

The numbers are SYNTHETIC: men and women are drawn as a rate of each Kreis' own (unmerged,
pre-transfer) population aged 15 to under 65 of the same sex at 31.12. in
`pipelines.sample.generate` (checked against `12411-02-03-4_de_flat.csv` in the output
folder) - about 60 % in 2015 rising to about 65 % in 2024, women a little lower, the towns
with their students lower, a dip in 2020 - then the 2019 transfers and the Eisenach merger
are applied as in `pipelines.sample.generate`. Insgesamt = männlich + weiblich.

    python -m pipelines.sample.generate   (writes every sample file)
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from pathlib import Path

from pipelines.sample.generate import (
    AGE_GROUPS,
    KREISE,
    SEXES,
    TOTAL,
    YEARS,
    Counts,
    _apply_transfers,
    _kreis,
    _merge_eisenach,
    _noise,
    _value,
    _write,
)
from pipelines.sample.population_nationality import basis_population, check_basis

FILE = "13111-07-05-4_de_flat.csv"
OWN_SEED = 13_111_075
DEFAULT_OUT = Path(__file__).resolve().parents[2] / "sample_data"
WORKING_AGE = {g[0] for g in AGE_GROUPS if 15 <= g[2] < 65}
SEX_OFFSET = {"GESM": 0.012, "GESW": -0.014}


def _employees(rng: random.Random, pop: Counts) -> Counts:
    out: Counts = {}
    for k in KREISE:
        for year in YEARS:
            t = year - YEARS[0]
            rate = 0.598 + 0.0055 * t + 0.018 * k.age - (0.006 if year == 2020 else 0.0)
            cells = pop[k.key, year]
            out[k.key, year] = {
                (sex,): round(
                    sum(n for (s, age), n in cells.items() if s == sex and age in WORKING_AGE)
                    * (rate + SEX_OFFSET[sex] + _noise(rng, 0.004))
                )
                for sex, _ in SEXES
            }
    return out


def _rows(employees: Counts) -> Iterable[list[str]]:
    for k in KREISE:
        for year in YEARS:
            cells = employees[k.key, year]
            for code, label in (*SEXES, TOTAL):
                n = sum(v for (s,), v in cells.items() if code in ("", s))
                yield [
                    "13111", "Statistik der sozialversicherungspflichtig Beschäftigten",
                    "STAG", "Stichtag", f"{year}-06-30", *_kreis(k),
                    "GES", "Geschlecht", code, label,
                    _value(k.key, year, n), "Anzahl", "ERW133",
                    "Sozialversicherungspflichtig Beschäftigte am Wohnort",
                ]  # fmt: skip


def generate(out_dir: Path) -> list[Path]:
    """Write the employees table into `out_dir` (which must hold the population file)."""
    pop = basis_population()
    check_basis(out_dir, pop)
    employees = _employees(random.Random(OWN_SEED), pop)
    _apply_transfers(employees)
    _merge_eisenach(employees)
    return [_write(out_dir / FILE, 2, list(_rows(employees)), random.Random(OWN_SEED + 1))]
