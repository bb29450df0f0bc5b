"""Deterministic sample of 12411-03-03-4: population at 31.12. by nationality, Kreise.

Writes `12411-03-03-4_de_flat.csv` in the GENESIS flat-file layout (UTF-8 with BOM, `;`, LF,
rows shuffled): variable 1 `KREISE`, variable 2 `NAT` (`NATA` Ausländer, `NATD` Deutsche,
Insgesamt), measure `BEVSTD`, years 2015-2024.

The numbers are SYNTHETIC. The Insgesamt rows are read from the population file
`12411-02-03-4_de_flat.csv` in the output folder and equal its totals exactly. Foreigners are
drawn as a share of each Kreis' own (unmerged, pre-transfer) population - about 2.5 % in the
Landkreise and 4-6 % in the towns in 2015, roughly doubling by 2024 with jumps in 2016 and
2022 (refugees) - then the 2019 Gemeinde transfers and the Eisenach merger are applied as in
`pipelines.sample.generate`; Deutsche = Insgesamt - Ausländer.

    python -m pipelines.sample.generate   (writes every sample file)
"""

from __future__ import annotations

import csv
import random
from collections.abc import Iterable
from pathlib import Path

from pipelines.sample.generate import (
    EISENACH,
    KREISE,
    MERGE_YEAR,
    POPULATION_FILE,
    SEED,
    TOTAL,
    YEARS,
    Counts,
    _apply_transfers,
    _kreis,
    _merge_eisenach,
    _noise,
    _population,
    _value,
    _write,
)

FILE = "12411-03-03-4_de_flat.csv"
OWN_SEED = 12_411_033
DEFAULT_OUT = Path(__file__).resolve().parents[2] / "sample_data"

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


def _rows(foreign: Counts, totals: dict[tuple[str, int], str]) -> Iterable[list[str]]:
    nats = (("NATA", "Ausländer(innen)"), ("NATD", "Deutsche"), TOTAL)
    for k in KREISE:
        for year in YEARS:
            merged = k.key == EISENACH and year >= MERGE_YEAR
            total = int(totals[k.key, year]) if not merged else 0
            a = foreign[k.key, year][("NATA",)]
            values = {"NATA": a, "NATD": total - a, "": total}
            for code, label in nats:
                yield [
                    "12411", "Fortschreibung des Bevölkerungsstandes",
                    "STAG", "Stichtag", f"{year}-12-31", *_kreis(k),
                    "NAT", "Staatsangehörigkeit", code, label,
                    _value(k.key, year, values[code]), "Anzahl", "BEVSTD", "Bevölkerungsstand",
                ]  # fmt: skip


def generate(out_dir: Path) -> list[Path]:
    """Write the nationality table into `out_dir` (which must hold the population file)."""
    pop = basis_population()
    totals = check_basis(out_dir, pop)
    foreign = _foreigners(random.Random(OWN_SEED), pop)
    _apply_transfers(foreign)
    _merge_eisenach(foreign)
    rows = list(_rows(foreign, totals))
    return [_write(out_dir / FILE, 2, rows, random.Random(OWN_SEED + 1))]
