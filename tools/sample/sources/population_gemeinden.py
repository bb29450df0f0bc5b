"""12411-01-01-5: population at 31.12. by sex for every Gemeinde (GENESIS ffcsv), SYNTHETIC.

Written in the GENESIS flat-file layout of the Kreis file
12411-02-03-4 (UTF-8 with BOM, `;`, LF, rows shuffled): variable 1 `GEMEIN` (8-digit AGS),
variable 2 `GES` (Insgesamt, `GESM`, `GESW`), measure `BEVSTD`, years 2015-2024.

The numbers are SYNTHETIC. For every Kreis, year and sex the Gemeinden add up exactly to
the Kreis figure (age `Insgesamt`) of `12411-02-03-4_de_flat.csv`: each Kreis total is
spread over the Gemeinden of that year's map in proportion to their population of
31.12.2022 in the Gemeindeverzeichnis extract of the territory (`ref_region_gv.csv`,
Gebietsstand 30.06.2024) with a little deterministic noise, and split into men and women
so that male + female = total in every Gemeinde (largest-remainder rounding throughout).

The map is the extract's 605 Gemeinden in every year, except two real changes:
- the Stadt Kaltennordheim, formed on 01.01.2019 (merger across a Kreis border): for
  2015-2018 the file holds the eight former Gemeinden instead of 16066095 - six in the
  Wartburgkreis 16063 (Kaltennordheim, Stadt 16063044, Andenhausen, Diedorf/Rhön,
  Fischbach/Rhön, Kaltenlengsfeld, Klings) and two in Schmalkalden-Meiningen 16066
  (Kaltensundheim, Unterweid); from 2019 these keys are shown with `-`, as GENESIS shows
  former Gemeinden, and 16066095 carries the merged town. In 2018 the six Wartburgkreis
  parts hold exactly the share of the Wartburgkreis total that the key history gives for
  the transfer 16063 -> 16066 in 2019 (`weight_population` in
  `data_contracts/territories/thueringen/key_history.csv`; 1.2 % while that row is missing), the two
  Schmalkalden-Meiningen parts 1,600 people. The sizes of the parts among themselves are
  synthetic.
- Eisenach: 2015-2020 the Gemeinde 16056000 "Eisenach, Stadt" is all of the kreisfreie
  Stadt 16056; from 2021 (joined the Wartburgkreis on 01.07.2021) it is the extract's
  16063105 inside the Wartburgkreis, and 16056000 is shown with `-`.
A Gemeinde key that does not exist yet (16066095 before 2019, 16063105 before 2021) has
no rows at all: a `-` there would read as "nothing" and make the sum over a key change
unknown. Every other change of 2015-2024 (Thüringen went from 849 to 605 Gemeinden) is
not modelled: those Gemeinden appear with their 2024 key in every year.
"""

from __future__ import annotations

import csv
import math
import random
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from pipelines.territory import DEFAULT_TERRITORY_DIR
from tools.sample import common

SEED = 16_066_095
GV_FILE = DEFAULT_TERRITORY_DIR / "ref_region_gv.csv"
KEY_HISTORY_FILE = DEFAULT_TERRITORY_DIR / "key_history.csv"
FILE = "12411-01-01-5_de_flat.csv"
GEMEIN_VAR = ("GEMEIN", "Gemeinden")

WARTBURGKREIS, SCHMALKALDEN_MEININGEN, EISENACH_KREIS = "16063", "16066", "16056"
KALTENNORDHEIM, KALTENNORDHEIM_YEAR = "16066095", 2019  # formed 01.01.2019
EISENACH_OLD, EISENACH_NAME, EISENACH_YEAR = "16056000", "Eisenach, Stadt", 2021
# Share of the Wartburgkreis that went to Schmalkalden-Meiningen in 2019, if the key history
# does not say it (`transfer_share`).
DEFAULT_TRANSFER_SHARE = 0.012
SM_PARTS_2018 = 1600  # the two Schmalkalden-Meiningen parts together, 31.12.2018

# Former Gemeinden merged into 16066095: key, name, relative size (synthetic).
# fmt: off
FORMER_WARTBURGKREIS: tuple[tuple[str, str, int], ...] = (
    ("16063044", "Kaltennordheim, Stadt", 1700),
    ("16063001", "Andenhausen", 250),
    ("16063016", "Diedorf/Rhön", 600),
    ("16063026", "Fischbach/Rhön", 700),
    ("16063043", "Kaltenlengsfeld", 650),
    ("16063045", "Klings", 350),
)
FORMER_SCHMALKALDEN_MEININGEN: tuple[tuple[str, str, int], ...] = (
    ("16066035", "Kaltensundheim", 1250),
    ("16066078", "Unterweid", 350),
)
# fmt: on
FORMER_KEYS = tuple(k for k, _, _ in (*FORMER_WARTBURGKREIS, *FORMER_SCHMALKALDEN_MEININGEN))


@dataclass(frozen=True)
class Gemeinde:
    key: str
    name: str
    kreis: str
    weight: float  # population 31.12.2022 (Gemeindeverzeichnis), or a synthetic size


def extract_gemeinden(path: Path = GV_FILE) -> list[Gemeinde]:
    """The Gemeinden of the Gemeindeverzeichnis extract, by key."""
    with path.open(encoding="utf-8", newline="") as f:
        rows = [r for r in csv.DictReader(f) if r["level"] == "gemeinde"]
    if not rows:
        raise ValueError(f"{path.name}: no rows with level 'gemeinde'")
    return sorted(
        (Gemeinde(r["region_key"], r["name"], r["parent_key"], float(r["population_2022"]))
         for r in rows),
        key=lambda g: g.key,
    )  # fmt: skip


def transfer_share(path: Path = KEY_HISTORY_FILE) -> tuple[float, bool]:
    """(share, from the key history?) of the Wartburgkreis population that went to
    Schmalkalden-Meiningen in 2019: `weight_population` of the key history row
    16063 -> 16066 with a change date in 2019, else the default 1.2 %."""
    if path.is_file():
        with path.open(encoding="utf-8", newline="") as f:
            for r in csv.DictReader(f):
                if (
                    r["old_key"] in (WARTBURGKREIS, WARTBURGKREIS + "000")
                    and r["new_key"] in (SCHMALKALDEN_MEININGEN, SCHMALKALDEN_MEININGEN + "000")
                    and r["change_date"].startswith(str(KALTENNORDHEIM_YEAR))
                    and r["weight_population"]
                ):
                    return float(r["weight_population"]), True
    return DEFAULT_TRANSFER_SHARE, False


def kreis_totals(source_dir: Path) -> dict[tuple[str, int], dict[str, int]]:
    """(Kreis, year) -> sex code ('' total, GESM, GESW) -> population, from the Kreis file's
    age `Insgesamt` rows; Kreise shown with `-` are left out."""
    out: dict[tuple[str, int], dict[str, int]] = defaultdict(dict)
    for r in common.ffcsv_rows(source_dir / common.POPULATION_FILE):
        if r["3_variable_attribute_code"] != "" or r["value"] == "-":
            continue
        year = int(r["time"][:4])
        out[r["1_variable_attribute_code"], year][r["2_variable_attribute_code"]] = int(r["value"])
    for key, cells in out.items():
        if set(cells) != {"", "GESM", "GESW"} or cells[""] != cells["GESM"] + cells["GESW"]:
            raise ValueError(
                f"{common.POPULATION_FILE}: Kreis {key}: expected total = male + female"
            )
    return dict(out)


def _round_half_up(x: float) -> int:
    return math.floor(x + 0.5)


@dataclass
class _Map:
    """Which Gemeinden exist in a year, and which keys are shown as former (`-`)."""

    extract: list[Gemeinde]
    former: list[Gemeinde]
    eisenach_old: Gemeinde

    def current(self, year: int) -> list[Gemeinde]:
        out = []
        for g in self.extract:
            if g.key == KALTENNORDHEIM and year < KALTENNORDHEIM_YEAR:
                continue
            if g.kreis == WARTBURGKREIS and g.name == EISENACH_NAME and year < EISENACH_YEAR:
                continue
            out.append(g)
        if year < KALTENNORDHEIM_YEAR:
            out += self.former
        if year < EISENACH_YEAR:
            out.append(self.eisenach_old)
        return sorted(out, key=lambda g: g.key)

    def shown_as_former(self, year: int) -> list[Gemeinde]:
        out = list(self.former) if year >= KALTENNORDHEIM_YEAR else []
        if year >= EISENACH_YEAR:
            out.append(self.eisenach_old)
        return sorted(out, key=lambda g: g.key)


def _gemeinde_map(extract: list[Gemeinde]) -> _Map:
    keys = {g.key for g in extract}
    for key in (KALTENNORDHEIM,):
        if key not in keys:
            raise ValueError(f"{GV_FILE.name}: Gemeinde {key} is missing")
    eisenach = [g for g in extract if g.kreis == WARTBURGKREIS and g.name == EISENACH_NAME]
    if len(eisenach) != 1:
        raise ValueError(f"{GV_FILE.name}: expected one {EISENACH_NAME!r} in {WARTBURGKREIS}")
    clash = keys & {*FORMER_KEYS, EISENACH_OLD}
    if clash:
        raise ValueError(f"{GV_FILE.name}: former Gemeinde keys {sorted(clash)} still present")
    former = [
        Gemeinde(k, name, k[:5], size)
        for k, name, size in (*FORMER_WARTBURGKREIS, *FORMER_SCHMALKALDEN_MEININGEN)
    ]
    return _Map(extract, former, Gemeinde(EISENACH_OLD, EISENACH_NAME, EISENACH_KREIS, 1.0))


Counts = dict[tuple[str, int], dict[str, int]]  # (Gemeinde, year) -> sex code -> count


def gemeinde_counts(source_dir: Path) -> tuple[Counts, _Map, float]:
    """Population per Gemeinde, year and sex; every Kreis/year/sex adds up exactly."""
    totals = kreis_totals(source_dir)
    gmap = _gemeinde_map(extract_gemeinden())
    share, _ = transfer_share()
    rng = random.Random(SEED)
    everyone = sorted([*gmap.extract, *gmap.former, gmap.eisenach_old], key=lambda g: g.key)
    # Persistent profile per Gemeinde: a trend of its share, and its share of men.
    trend = {g.key: common.noise(rng, 0.004) for g in everyone}
    male_bias = {g.key: common.noise(rng, 0.008) for g in everyone}
    wbk_parts = {k for k, _, _ in FORMER_WARTBURGKREIS}
    sm_parts = {k for k, _, _ in FORMER_SCHMALKALDEN_MEININGEN}
    counts: Counts = {}
    for year in common.YEARS:
        by_kreis: dict[str, list[Gemeinde]] = defaultdict(list)
        for g in gmap.current(year):
            by_kreis[g.kreis].append(g)
        if set(by_kreis) != {k for k, y in totals if y == year}:
            raise ValueError(
                f"{year}: Kreise of the Gemeinde map differ from {common.POPULATION_FILE}"
            )
        for kreis, members in sorted(by_kreis.items()):
            cells = totals[kreis, year]
            total = cells[""]
            groups: list[tuple[int | None, list[Gemeinde]]] = []
            if year < KALTENNORDHEIM_YEAR and kreis in (WARTBURGKREIS, SCHMALKALDEN_MEININGEN):
                parts = wbk_parts if kreis == WARTBURGKREIS else sm_parts
                drift = 1 + 0.003 * (KALTENNORDHEIM_YEAR - 1 - year)  # the Rhön shrinks
                if kreis == WARTBURGKREIS:
                    base = share * total
                else:
                    base = SM_PARTS_2018 * total / totals[kreis, KALTENNORDHEIM_YEAR - 1][""]
                group_total = _round_half_up(base * drift)
                groups.append((group_total, [g for g in members if g.key in parts]))
                groups.append((None, [g for g in members if g.key not in parts]))
            elif kreis == SCHMALKALDEN_MEININGEN:
                # the new town continues the sum of its former parts (no jump in 2019)
                before = KALTENNORDHEIM_YEAR - 1
                parts_2018 = share * totals[WARTBURGKREIS, before][""] + SM_PARTS_2018
                town = _round_half_up(parts_2018 * (1 - 0.003 * (year - before)))
                groups.append((town, [g for g in members if g.key == KALTENNORDHEIM]))
                groups.append((None, [g for g in members if g.key != KALTENNORDHEIM]))
            else:
                groups.append((None, members))
            fixed = sum(n for n, _ in groups if n is not None)
            ordered: list[Gemeinde] = []
            sizes: list[int] = []
            for n, group in groups:
                weights = [
                    g.weight * (1 + trend[g.key] * (year - 2022)) * (1 + common.noise(rng, 0.003))
                    for g in group
                ]
                sizes += common.largest_remainder(total - fixed if n is None else n, weights)
                ordered += group
            male_share = cells["GESM"] / total
            male_weights = [
                n * (male_share + male_bias[g.key] + common.noise(rng, 0.004))
                for g, n in zip(ordered, sizes, strict=True)
            ]
            males = common.largest_remainder(cells["GESM"], male_weights)
            for g, n, m in zip(ordered, sizes, males, strict=True):
                if not 0 <= m <= n:
                    raise AssertionError(f"{g.key} {year}: {m} men of {n}")
                counts[g.key, year] = {"": n, "GESM": m, "GESW": n - m}
    return counts, gmap, share


def _rows(counts: Counts, gmap: _Map) -> Iterable[list[str]]:
    for year in common.YEARS:
        shown = [(g, True) for g in gmap.current(year)] + [
            (g, False) for g in gmap.shown_as_former(year)
        ]
        for g, exists in sorted(shown, key=lambda x: x[0].key):
            for sex in (*common.SEXES, common.TOTAL):
                value = str(counts[g.key, year][sex[0]]) if exists else "-"
                yield [
                    *common.POPULATION_STATISTIC, f"{year}-12-31", *GEMEIN_VAR, g.key, g.name,
                    *common.SEX_VARIABLE, *sex, value, *common.POPULATION_MEASURE,
                ]  # fmt: skip


def write(out_dir: Path) -> list[Path]:
    """The Kreis totals come from the population file in `out_dir`."""
    counts, gmap, _ = gemeinde_counts(out_dir)
    rows = list(_rows(counts, gmap))
    return [common.write_ffcsv(out_dir / FILE, 2, rows, random.Random(SEED + 1))]


SPEC = common.Spec("population_gemeinden", (FILE,), write, needs=("population_age",))
