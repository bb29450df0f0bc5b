"""Deterministic sample of 12711-01-03-4: migration and natural population movement, Kreise.

Writes `12711-01-03-4_de_flat.csv` in the GENESIS flat-file layout (UTF-8 with BOM, `;`, LF,
rows shuffled): variable 1 `KREISE`, no other variable, time `JAHR`, years 2015-2024, four
measures (Anzahl): `BEV081` Zuzüge über die Kreisgrenze, `BEV082` Fortzüge über die
Kreisgrenze, `BEV001` Lebendgeborene, `BEV002` Gestorbene. One project table for what
GENESIS spreads over 12711 (Wanderungsstatistik) and 126 (natürliche Bevölkerungsbewegung);
statistics code 12711.

The numbers are SYNTHETIC, drawn on each Kreis' own (unmerged, pre-transfer) population of
`pipelines.sample.generate` (checked against `12411-02-03-4_de_flat.csv` in the output folder):
births about 7-9 per 1,000 (falling after 2017), deaths about 10-16 per 1,000 (older Kreise
higher, a Covid bump 2020-2022). Net migration is what the population change of the year
leaves after the natural balance, plus the refugee peaks of 2015 and 2022 and a little noise,
so births - deaths + Zuzüge - Fortzüge roughly (not exactly) matches the change of the
population file. Then the 2019 transfers and the Eisenach merger are applied as in
`pipelines.sample.generate` (Eisenach `-` from 2021).

    python -m pipelines.sample.generate   (writes every sample file)
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from pathlib import Path

from pipelines.sample.generate import (
    KREISE,
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

FILE = "12711-01-03-4_de_flat.csv"
OWN_SEED = 12_711_013
DEFAULT_OUT = Path(__file__).resolve().parents[2] / "sample_data"

MEASURES = (
    ("BEV081", "Zuzüge über die Kreisgrenze"),
    ("BEV082", "Fortzüge über die Kreisgrenze"),
    ("BEV001", "Lebendgeborene"),
    ("BEV002", "Gestorbene"),
)
# Extra net immigration per 1,000 inhabitants (refugees 2015/2016, Ukraine 2022).
PEAK = {2015: 5.0, 2016: 1.5, 2022: 6.0}
DEATH_TREND = {2020: 1.08, 2021: 1.12, 2022: 1.06}


def _movement(rng: random.Random, pop: Counts) -> Counts:
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
            out_rate = (38.0 - 10.0 * k.age) * (1 + _noise(rng, 0.03))  # students move more
            fortzuege = round(total * out_rate / 1000)
            out[k.key, year] = {
                ("BEV081",): fortzuege + net,
                ("BEV082",): fortzuege,
                ("BEV001",): births,
                ("BEV002",): deaths,
            }
    return out


def _rows(movement: Counts) -> Iterable[list[str]]:
    for k in KREISE:
        for year in YEARS:
            for code, label in MEASURES:
                yield [
                    "12711", "Wanderungsstatistik",
                    "JAHR", "Jahr", str(year), *_kreis(k),
                    _value(k.key, year, movement[k.key, year][(code,)]), "Anzahl", code, label,
                ]  # fmt: skip


def generate(out_dir: Path) -> list[Path]:
    """Write the movement table into `out_dir` (which must hold the population file)."""
    pop = basis_population()
    check_basis(out_dir, pop)
    movement = _movement(random.Random(OWN_SEED), pop)
    _apply_transfers(movement)
    _merge_eisenach(movement)
    return [_write(out_dir / FILE, 1, list(_rows(movement)), random.Random(OWN_SEED + 1))]
