"""12411-04-02-4: population at 31.12. by sex and single years of age, Kreise, SYNTHETIC.

Written as `12411-04-02-4.zip` (one `12411-04-02-4_<stamp>_de_flat.csv`), as the GENESIS API
delivers the table "Bevölkerung nach Geschlecht und Altersjahren (79) - Stichtag 31.12. -
Kreise und krfr. Städte": statistic 12411, time `STAG` (`YYYY-12-31`), variable 1 `KREISE`,
variable 2 `ALTX76` (single years `ALT000` unter 1 Jahr … `ALT074`, then `ALT075B80`,
`ALT080B85`, `ALT085B90`, `ALT090UM`, and Insgesamt), variable 3 `GES` (`GESM`, `GESW`,
Insgesamt), measure `BEVSTD` Bevölkerungsstand (Anzahl), years 2015-2024. The order of the
variables is the table's: rows (Kreis, age) before columns (sex).

The numbers are `common.single_years`: each age group of the population file split into its
single years, so every group, every sex and every total equals that file EXACTLY;
Eisenach's `-` (from 2021) stays `-`. The weights are smooth with a little noise: the baby
boomers move through 65-74, the oldest groups grow (ageing, women older).
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from pathlib import Path

from tools.sample import common

FILE = "12411-04-02-4.zip"  # the API's ZIP: the table is large
AGE_VARIABLE = ("ALTX76", "Altersjahre (unter 1 bis 90, Altersgruppen)")
# (code, label, lower age): the 79 age classes of ALTX76 in table order
AGES: tuple[tuple[str, str, int], ...] = (
    ("ALT000", "unter 1 Jahr", 0),
    *((f"ALT{a:03d}", f"{a} bis unter {a + 1} Jahre", a) for a in range(1, 75)),
    *common.OLD_GROUPS,
)


def rows(split: common.SingleYears) -> Iterable[list[str]]:
    for k in common.KREISE:
        for year in common.YEARS:
            by_sex = {sex: split[k.key, year, sex] for sex, _ in common.SEXES}
            for code, label, _ in (*AGES, (*common.TOTAL, 0)):
                for sex, sex_label in (*common.SEXES, common.TOTAL):
                    sexes = [s for s, _ in common.SEXES] if not sex else [sex]
                    values = [by_sex[s] for s in sexes]
                    if any(v is None for v in values):
                        value = "-"
                    else:
                        value = str(sum(v[code] if code else sum(v.values()) for v in values if v))
                    yield [
                        *common.POPULATION_STATISTIC, f"{year}-12-31", *common.kreis_var(k),
                        *AGE_VARIABLE, code, label, *common.SEX_VARIABLE, sex, sex_label,
                        value, *common.POPULATION_MEASURE,
                    ]  # fmt: skip


def write(out_dir: Path) -> list[Path]:
    shuffle = random.Random(common.SINGLE_YEARS_SEED + 1)
    return [
        common.write_ffcsv(out_dir / FILE, 3, list(rows(common.single_years(out_dir))), shuffle)
    ]


SPEC = common.Spec("population_age_detail", (FILE,), write, needs=("population_age",))
