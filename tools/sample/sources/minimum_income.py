"""22151-01-02-4: minimum income benefits besides SGB II, Kreise (GENESIS ffcsv), SYNTHETIC.

Project table, Stichtag 31.12. (`STAG`, `YYYY-12-31`), Kreise of Thüringen, 2015–2024, no
breakdown variable, measures: `GRUAL` Empfänger von Grundsicherung im Alter (65 Jahre und
älter, SGB XII 4. Kapitel), `HLU` Empfänger von Hilfe zum Lebensunterhalt (SGB XII 3.
Kapitel), `ASYLB` Empfänger von Regelleistungen nach dem Asylbewerberleistungsgesetz,
`WOGHH` Wohngeldhaushalte, `HH` Private Haushalte.

Drawn from the base population, then moved and merged: GRUAL about 1.5–3 % of the
population aged 65 and over (more where SGB II is high, slowly rising), HLU about 0.1–0.2 %
of the population, ASYLB peaking 2015/16 and again 2022/23 (Suhl, seat of the
Erstaufnahme, with more), HH the population / about 1.95 (smaller households in the towns),
WOGHH about 1.3–1.9 % of the households, jumping with the reforms of 2016, 2020 and
Wohngeld-Plus 2023 (about 2.2–3.1 % from 2023). `write` checks GRUAL and HH against the
population file.
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from pathlib import Path

from tools.sample import common

SEED = 16_22151
FILE = "22151-01-02-4_de_flat.csv"
MEASURES = (
    ("GRUAL", "Empfänger von Grundsicherung im Alter (65 Jahre und älter)"),
    ("HLU", "Empfänger von Hilfe zum Lebensunterhalt"),
    ("ASYLB", "Empfänger von Regelleistungen nach dem AsylbLG"),
    ("WOGHH", "Wohngeldhaushalte"),
    ("HH", "Private Haushalte"),
)
# AsylbLG recipients per inhabitant in Thüringen, 31.12.
ASYL_RATE = common.by_year(
    0.0095, 0.0075, 0.0050, 0.0040, 0.0035, 0.0032, 0.0036, 0.0050, 0.0058, 0.0048
)
# Wohngeld households relative to 2015: reforms 2016 and 2020, Wohngeld-Plus 2023
WOHNGELD_TREND = common.by_year(1.0, 1.15, 1.05, 0.95, 0.88, 1.12, 1.08, 1.04, 1.60, 1.70)
ASYL_FACTOR = {"16054": 2.2}  # Suhl: Landeserstaufnahmeeinrichtung


def _counts(rng: random.Random, pop: common.Counts) -> common.Counts:
    out: common.Counts = {}
    for k in common.KREISE:
        for year in common.YEARS:
            t = year - common.YEARS[0]
            cells = pop[k.key, year]
            total = sum(cells.values())
            old = sum(n for (_, age), n in cells.items() if age in common.O65)
            grual = (0.017 + 0.08 * (k.sgb2 - 0.08)) * (1 + 0.025 * t)
            hlu = 0.0012 * (1 + 3 * (k.sgb2 - 0.08))
            asyl = ASYL_RATE[year] * (1 - 0.25 * k.age) * ASYL_FACTOR.get(k.key, 1.0)
            size = 1.97 + 0.06 * k.age - 0.004 * t + common.noise(rng, 0.01)
            households = round(total / size)
            wohngeld = (0.015 + 0.05 * (k.sgb2 - 0.08)) * WOHNGELD_TREND[year]
            out[k.key, year] = {
                ("GRUAL",): round(old * grual * (1 + common.noise(rng, 0.03))),
                ("HLU",): round(total * hlu * (1 + common.noise(rng, 0.06))),
                ("ASYLB",): round(total * asyl * (1 + common.noise(rng, 0.08))),
                ("WOGHH",): round(households * wohngeld * (1 + common.noise(rng, 0.04))),
                ("HH",): households,
            }
    return out


def _check(out_dir: Path, counts: common.Counts) -> None:
    """GRUAL stays below 5 % of the population 65+, households between 40 % and 60 % of the
    population of the population file."""
    pop = common.file_population(out_dir)
    for (key, year), cells in counts.items():
        total = pop[key, year, ""]
        if total is None:
            continue
        old = sum(pop[key, year, a] or 0 for a in common.O65)
        if not 0 < cells["GRUAL",] < 0.05 * old:
            raise ValueError(f"{FILE}: {key} {year}: implausible GRUAL {cells['GRUAL',]}")
        if not 0.4 < cells["HH",] / total < 0.6:
            raise ValueError(f"{FILE}: {key} {year}: implausible households {cells['HH',]}")


def rows(counts: common.Counts) -> Iterable[list[str]]:
    for k in common.KREISE:
        for year in common.YEARS:
            for code, label in MEASURES:
                yield [
                    "22151", "Statistik der Mindestsicherungsleistungen",
                    "STAG", "Stichtag", f"{year}-12-31", *common.kreis_var(k),
                    common.shown(k.key, year, counts[k.key, year][(code,)]),
                    "Anzahl", code, label,
                ]  # fmt: skip


def write(out_dir: Path) -> list[Path]:
    counts = common.drawn(out_dir, SEED, _counts, _check)
    return [common.write_ffcsv(out_dir / FILE, 1, list(rows(counts)), random.Random(SEED + 1))]


SPEC = common.Spec("minimum_income", (FILE,), write, needs=("population_age",))
