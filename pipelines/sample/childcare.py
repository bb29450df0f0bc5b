"""Deterministic sample of 22543-01-01-4 (children in day care), SYNTHETIC.

Writes `22543-01-01-4_de_flat.csv` as the GENESIS API delivers the Regionalstatistik table of
children in Kindertagesbetreuung by kind of care: UTF-8 with BOM, `;`, LF, rows shuffled;
statistic 22543, time `STAG` (`YYYY-03-01`), years 2015-2024; variable 1 `KREISE`, variable 2
`KINTE5` Art der Kindertagesbetreuung (`ARTDHILFE69` Tageseinrichtung, `ARTDHILFE64`
Tagespflege, `INSGESAMT3` Insgesamt (ohne Doppelzählungen)), variable 3 `ALT033` (`ALT000B03`
unter 3, `ALT003B06` 3 bis unter 6, `ALT006B14` 6 bis unter 14 Jahre, Insgesamt) for `KIND01`
Betreute Kinder only; `KIND02` Kinder, Herkunft mind. 1 Elternteil ausländisch and `KIND03`
Kinder mit Mittagsverpflegung are not broken down by age, their third variable group is
empty. The order of the variables is the table's: rows (Kreis, kind of care) before columns
(measure, age).

The counts are drawn as care rates of the population of the same age of `generate.py` (before
its 2019 transfers and the Eisenach merger): under 3 about 52-58 %, 3 to 6 about 93-96 %,
6 to 14 about 3 % (in Thüringen the Horte belong to the schools); about 6 % of the children
under 3 are in Tagespflege, and a few children attend both, so `INSGESAMT3` = Tageseinrichtung
+ Tagespflege - both. Then the transfers and the merger are applied with the functions of
`generate.py`. Every count stays below the population of its age at 31.12. of the same year in
`12411-02-03-4_de_flat.csv`, which `generate` checks in `out_dir`.

    python -m pipelines.sample.generate   (writes every sample file)
"""

from __future__ import annotations

import csv
import random
from collections.abc import Iterable
from pathlib import Path

from pipelines.sample import generate as base

SEED = 16_22543
FILE = "22543-01-01-4_de_flat.csv"
CARE_VARIABLE = ("KINTE5", "Art der Kindertagesbetreuung")
AGE_VARIABLE = ("ALT033", "Altersgruppe (unter 3, 3-6, 6-14)")
TOTAL_CARE = ("INSGESAMT3", "Insgesamt (ohne Doppelzählungen)")
CARE_TYPES = (("ARTDHILFE69", "Tageseinrichtung"), ("ARTDHILFE64", "Tagespflege"))
MEASURES = (
    ("KIND01", "Betreute Kinder"),
    ("KIND02", "Kinder, Herkunft mind. 1 Elternteil ausländisch"),
    ("KIND03", "Kinder mit Mittagsverpflegung"),
)
# age group code, label, population age groups of 12411-02-03-4 (with the share of each
# that is of this age), care rate 2015 in Thüringen, change of the rate per year, share in
# Tagespflege
AGES = (
    ("ALT000B03", "unter 3 Jahre", (("ALT000B03", 1.0),), 0.525, 0.005, 0.060),
    ("ALT003B06", "3 bis unter 6 Jahre", (("ALT003B06", 1.0),), 0.935, 0.002, 0.006),
    (
        "ALT006B14",
        "6 bis unter 14 Jahre",
        (("ALT006B10", 1.0), ("ALT010B15", 0.8)),
        0.030,
        0.0005,
        0.004,
    ),
)
BOTH = "BOTH"  # children counted in both kinds of care (left out of INSGESAMT3)


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
    """Cells (measure, kind of care or BOTH, age group or '') per Kreis and year."""
    out: base.Counts = {}
    for k in base.KREISE:
        town = -k.age  # the towns and the young Kreise have a little more care under 3
        foreign = 0.03 + 0.03 * max(town, 0)  # children with a foreign parent
        for year in base.YEARS:
            t = year - base.YEARS[0]
            cells = pop[k.key, year]
            c: dict[tuple[str, ...], int] = {}
            for code, _, groups, rate, step, day_care in AGES:
                children = sum(
                    n * share
                    for (_, age), n in cells.items()
                    for group, share in groups
                    if age == group
                )
                r = rate + step * t + (0.02 * town if code == "ALT000B03" else 0.005 * town)
                r = min(r + base._noise(rng, 0.006 if rate > 0.1 else 0.002), 0.965)
                cared = round(children * r)
                tp = round(cared * day_care * (1 + base._noise(rng, 0.1)))
                both = round(tp * 0.04)
                c["KIND01", "ARTDHILFE69", code] = cared - tp + both
                c["KIND01", "ARTDHILFE64", code] = tp
                c["KIND01", BOTH, code] = both
            for kind in ("ARTDHILFE69", "ARTDHILFE64", BOTH):
                n = sum(v for (m, ty, _), v in c.items() if m == "KIND01" and ty == kind)
                share = foreign * (1 + 0.08 * t) * (1 + base._noise(rng, 0.05))
                c["KIND02", kind, ""] = round(n * share)
                c["KIND03", kind, ""] = round(n * (0.93 + base._noise(rng, 0.01)))
            out[k.key, year] = c
    return out


def _value(cells: dict[tuple[str, ...], int], measure: str, kind: str, age: str) -> int:
    """One cell; INSGESAMT3 without double counts, '' age = sum of the age groups."""

    def one(k: str) -> int:
        return sum(
            v for (m, ty, a), v in cells.items() if m == measure and ty == k and age in ("", a)
        )

    if kind == TOTAL_CARE[0]:
        return one("ARTDHILFE69") + one("ARTDHILFE64") - one(BOTH)
    return one(kind)


def _check(out_dir: Path, counts: base.Counts) -> None:
    """Children in care never reach the population of their age in the sample file."""
    pop = file_population(out_dir)
    for (key, year), cells in counts.items():
        p = pop[key, year, "ALT000B03"], pop[key, year, "ALT003B06"]
        for age, population in zip(("ALT000B03", "ALT003B06"), p, strict=True):
            n = _value(cells, "KIND01", TOTAL_CARE[0], age)
            if population is not None and not n < population:
                raise ValueError(f"{FILE}: {key} {year} {age}: {n} children >= {population}")


def _rows(counts: base.Counts) -> Iterable[list[str]]:
    for k in base.KREISE:
        for year in base.YEARS:
            cells = counts[k.key, year]
            for kind, kind_label in (*CARE_TYPES, TOTAL_CARE):
                for measure, label in MEASURES:
                    ages = (*((a[0], a[1]) for a in AGES), base.TOTAL)
                    for age, age_label in ages if measure == "KIND01" else ((None, None),):
                        group = (*AGE_VARIABLE, age, age_label) if age is not None else ("",) * 4
                        n = _value(cells, measure, kind, age or "")
                        yield [
                            "22543", "Statistik der öffentlich geförderten Kindertagespflege",
                            "STAG", "Stichtag", f"{year}-03-01", *base._kreis(k),
                            *CARE_VARIABLE, kind, kind_label, *group,
                            base._value(k.key, year, n), "Anzahl", measure, label,
                        ]  # fmt: skip


def generate(out_dir: Path) -> list[Path]:
    """Write `22543-01-01-4_de_flat.csv` into `out_dir` (which must hold the Kreis population
    sample); same bytes on every run."""
    counts = _counts(random.Random(SEED), base_population())
    base._apply_transfers(counts)
    base._merge_eisenach(counts)
    _check(out_dir, counts)
    return [base._write(out_dir / FILE, 3, list(_rows(counts)), random.Random(SEED + 1))]
