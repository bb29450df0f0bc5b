"""22543-01-01-4: children in day care at 01.03., Kreise (GENESIS ffcsv), SYNTHETIC.

As the GENESIS API delivers the Regionalstatistik table: statistic 22543, time `STAG`
(`YYYY-03-01`), years 2015-2024; variable 1 `KREISE`, variable 2 `KINTE5` Art der
Kindertagesbetreuung (`ARTDHILFE69` Tageseinrichtung, `ARTDHILFE64` Tagespflege,
`INSGESAMT3` Insgesamt (ohne Doppelzählungen)), variable 3 `ALT033` (`ALT000B03` unter 3,
`ALT003B06` 3 bis unter 6, `ALT006B14` 6 bis unter 14 Jahre, Insgesamt) for `KIND01`
Betreute Kinder only; `KIND02` Kinder, Herkunft mind. 1 Elternteil ausländisch and `KIND03`
Kinder mit Mittagsverpflegung are not broken down by age, their third variable group is
empty. The order of the variables is the table's: rows (Kreis, kind of care) before columns
(measure, age).

The counts are drawn as care rates of the base population of the same age: under 3 about
52-58 %, 3 to 6 about 93-96 %, 6 to 14 about 3 % (in Thüringen the Horte belong to the
schools); about 6 % of the children under 3 are in Tagespflege, and a few children attend
both, so `INSGESAMT3` = Tageseinrichtung + Tagespflege - both. Then the transfers and the
merger are applied. Every count stays below the population of its age at 31.12. of the same
year in the population file, which `write` checks.
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from pathlib import Path

from tools.sample import common

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


def _counts(rng: random.Random, pop: common.Counts) -> common.Counts:
    """Cells (measure, kind of care or BOTH, age group or '') per Kreis and year."""
    out: common.Counts = {}
    for k in common.KREISE:
        town = -k.age  # the towns and the young Kreise have a little more care under 3
        foreign = 0.03 + 0.03 * max(town, 0)  # children with a foreign parent
        for year in common.YEARS:
            t = year - common.YEARS[0]
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
                r = min(r + common.noise(rng, 0.006 if rate > 0.1 else 0.002), 0.965)
                cared = round(children * r)
                tp = round(cared * day_care * (1 + common.noise(rng, 0.1)))
                both = round(tp * 0.04)
                c["KIND01", "ARTDHILFE69", code] = cared - tp + both
                c["KIND01", "ARTDHILFE64", code] = tp
                c["KIND01", BOTH, code] = both
            for kind in ("ARTDHILFE69", "ARTDHILFE64", BOTH):
                n = sum(v for (m, ty, _), v in c.items() if m == "KIND01" and ty == kind)
                share = foreign * (1 + 0.08 * t) * (1 + common.noise(rng, 0.05))
                c["KIND02", kind, ""] = round(n * share)
                c["KIND03", kind, ""] = round(n * (0.93 + common.noise(rng, 0.01)))
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


def _check(out_dir: Path, counts: common.Counts) -> None:
    """Children in care never reach the population of their age in the population file."""
    pop = common.file_population(out_dir)
    for (key, year), cells in counts.items():
        for age in ("ALT000B03", "ALT003B06"):
            n, population = _value(cells, "KIND01", TOTAL_CARE[0], age), pop[key, year, age]
            if population is not None and not n < population:
                raise ValueError(f"{FILE}: {key} {year} {age}: {n} children >= {population}")


def rows(counts: common.Counts) -> Iterable[list[str]]:
    for k in common.KREISE:
        for year in common.YEARS:
            cells = counts[k.key, year]
            for kind, kind_label in (*CARE_TYPES, TOTAL_CARE):
                for measure, label in MEASURES:
                    ages = (*((a[0], a[1]) for a in AGES), common.TOTAL)
                    for age, age_label in ages if measure == "KIND01" else ((None, None),):
                        group = (*AGE_VARIABLE, age, age_label) if age is not None else ("",) * 4
                        n = _value(cells, measure, kind, age or "")
                        yield [
                            "22543", "Statistik der öffentlich geförderten Kindertagespflege",
                            "STAG", "Stichtag", f"{year}-03-01", *common.kreis_var(k),
                            *CARE_VARIABLE, kind, kind_label, *group,
                            common.shown(k.key, year, n), "Anzahl", measure, label,
                        ]  # fmt: skip


def write(out_dir: Path) -> list[Path]:
    counts = common.drawn(out_dir, SEED, _counts, _check)
    return [common.write_ffcsv(out_dir / FILE, 3, list(rows(counts)), random.Random(SEED + 1))]


SPEC = common.Spec("childcare", (FILE,), write, needs=("population_age",))
