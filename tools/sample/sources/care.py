"""22411-02-03-4: people in need of care by kind of benefit and sex, Kreise (GENESIS ffcsv),
SYNTHETIC.

As the GENESIS API delivers the Pflegestatistik table: statistic 22411 Pflegestatistik
(Pflegeeinricht./Pflegebedürftige), time `STAG` (`YYYY-12-31`, the date the
Regionalstatistik gives its Pflege tables), variable 1 `KREISE`, variable 2 `GES` (`GESM`,
`GESW`, Insgesamt), nine measures (Anzahl): `PFL016` Pflegebedürftige = `PFL017` ambulante
Pflege + `PFL018` Pflegebedürftige der Pflegeheime, vollstationär + `PFL021`
Pflegegeldempfänger; `PFL018` = `PFL019` Dauerpflege + `PFL020` Kurzzeitpflege; `PFL022`
nachrichtlich: teilstationäre Pflege; `PFL023` mit erheblich eingeschränkter
Alltagskompetenz and `PFL024` nachrichtl.: ohne Pflegestufe mit erheblich eingeschränkter
Alltagskompetenz, notions of the law before the Pflegegrade of 2017 and so `x` (not
meaningful) from 2017. The real statistic is biennial (odd years); the sample has EVERY year
2015-2024 so that the series is complete.

The total is drawn as rates of the base population aged 65 and over (rising from about 27 %
to about 32 %, after the Pflegegrade reform of 2017) plus about 1 % of the population under
65, then moved and merged (Eisenach `-` from 2021). That is about 7-9 % of the population;
about 62 % are women, a little over half receive only Pflegegeld.
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from pathlib import Path

from tools.sample import common

SEED = 16_22411
FILE = "22411-02-03-4_de_flat.csv"
REFORM_YEAR = 2017  # Pflegegrade replace Pflegestufen and "eingeschränkte Alltagskompetenz"
MEASURES = (
    ("PFL016", "Pflegebedürftige"),
    ("PFL017", "ambulante Pflege"),
    ("PFL018", "Pflegebedürftige der Pflegeheime, vollstationär"),
    ("PFL019", "Pflegebedürft.d.Pflegeheime Dauerpflege, vollstat."),
    ("PFL020", "Pflegebed.d.Pflegeheime vollstat. Kurzzeitpflege"),
    ("PFL021", "Pflegegeldempfänger"),
    ("PFL023", "mit erheblich eingeschränkter Alltagskompetenz"),
    ("PFL022", "nachrichtlich: teilstationäre Pflege"),
    ("PFL024", "nachrichtl.: o.Pflegest.m.erheb.eingesch.Alltagsk."),
)
# The measures drawn; PFL016 and PFL018 are sums of them.
PARTS = ("PFL017", "PFL019", "PFL020", "PFL021")
SUMS = {"PFL016": ("PFL017", "PFL019", "PFL020", "PFL021"), "PFL018": ("PFL019", "PFL020")}
BEFORE_REFORM = ("PFL023", "PFL024")


def _counts(rng: random.Random, pop: common.Counts) -> common.Counts:
    """Cells (measure, sex) per Kreis and year, for the drawn measures and the ones given
    'nachrichtlich'."""
    out: common.Counts = {}
    for k in common.KREISE:
        for year in common.YEARS:
            t = year - common.YEARS[0]
            cells = pop[k.key, year]
            old = sum(n for (_, age), n in cells.items() if age in common.O65)
            young = sum(cells.values()) - old
            rate_old = (0.27 + 0.005 * t + 0.01 * k.age) * (1 + common.noise(rng, 0.02))
            rate_young = 0.010 + 0.0003 * t + 0.02 * (k.sgb2 - 0.075)
            total = round(old * rate_old + young * rate_young)
            home = 0.52 + 0.004 * t + 0.03 * k.age  # Pflegegeld only, more in rural Kreise
            nursing_home = (0.22 - 0.004 * t) * (1 + common.noise(rng, 0.04))
            short_stay = 0.008 * (1 + common.noise(rng, 0.1))
            shares = [1 - home - nursing_home - short_stay, nursing_home, short_stay, home]
            c: dict[tuple[str, ...], int] = {}
            for code, n in zip(PARTS, common.largest_remainder(total, shares), strict=True):
                women = (0.64 if code in ("PFL019", "PFL020") else 0.60) + common.noise(rng, 0.01)
                c[code, "GESM"], c[code, "GESW"] = common.largest_remainder(n, [1 - women, women])
            for code, share in (("PFL022", 0.045), ("PFL023", 0.36), ("PFL024", 0.015)):
                n = round(total * share * (1 + common.noise(rng, 0.05)))
                c[code, "GESM"], c[code, "GESW"] = common.largest_remainder(n, [0.39, 0.61])
            out[k.key, year] = c
    return out


def _value(cells: dict[tuple[str, ...], int], measure: str, sex: str) -> int:
    codes = SUMS.get(measure, (measure,))
    return sum(n for (m, s), n in cells.items() if m in codes and sex in ("", s))


def rows(counts: common.Counts) -> Iterable[list[str]]:
    for k in common.KREISE:
        for year in common.YEARS:
            for measure, label in MEASURES:
                for sex, sex_label in (*common.SEXES, common.TOTAL):
                    n = _value(counts[k.key, year], measure, sex)
                    value = "x" if measure in BEFORE_REFORM and year >= REFORM_YEAR else n
                    yield [
                        "22411", "Pflegestatistik (Pflegeeinricht./Pflegebedürftige)",
                        "STAG", "Stichtag", f"{year}-12-31", *common.kreis_var(k),
                        *common.SEX_VARIABLE, sex, sex_label,
                        common.shown(k.key, year, value), "Anzahl", measure, label,
                    ]  # fmt: skip


def _check(out_dir: Path, counts: common.Counts) -> None:
    """People in need of care stay between 4 % and 12 % of the population file's people."""
    pop = common.file_population(out_dir)
    for (key, year), cells in counts.items():
        p = pop[key, year, ""]
        if p is not None and not 0.04 < _value(cells, "PFL016", "") / p < 0.12:
            raise ValueError(f"{FILE}: {key} {year}: implausible share in need of care")


def write(out_dir: Path) -> list[Path]:
    counts = common.drawn(out_dir, SEED, _counts, _check)
    return [common.write_ffcsv(out_dir / FILE, 2, list(rows(counts)), random.Random(SEED + 1))]


SPEC = common.Spec("care", (FILE,), write, needs=("population_age",))
