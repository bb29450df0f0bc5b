"""12411-02-03-4: population at 31.12. by sex and age groups, Kreise (GENESIS ffcsv).

Variables `KREISE`, `GES` (`GESM`, `GESW`, Insgesamt) and `ALTX20` (17 age groups
`ALT000B03` … `ALT075UM`, Insgesamt), measure `BEVSTD`, years 2015-2024. The numbers are the
population of `common.kreis_draws` (the 2015 totals are the real ones), moved and merged;
every total is the sum of its parts in both dimensions.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from tools.sample import common

AGE_VARIABLE = ("ALTX20", "Altersgruppen (unter 3 bis 75 u. m.)")


def rows(pop: common.Counts) -> Iterable[list[str]]:
    ages = [(g[0], g[1]) for g in common.AGE_GROUPS]
    for k in common.KREISE:
        for year in common.YEARS:
            cells = pop[k.key, year]
            for sex in (*common.SEXES, common.TOTAL):
                for age in (*ages, common.TOTAL):
                    n = sum(
                        v for (s, a), v in cells.items() if sex[0] in ("", s) and age[0] in ("", a)
                    )
                    yield [
                        *common.POPULATION_STATISTIC, f"{year}-12-31", *common.kreis_var(k),
                        *common.SEX_VARIABLE, *sex, *AGE_VARIABLE, *age,
                        common.shown(k.key, year, n), *common.POPULATION_MEASURE,
                    ]  # fmt: skip


def write(out_dir: Path) -> list[Path]:
    pop = common.moved(common.kreis_draws().population)
    return [
        common.write_ffcsv(
            out_dir / common.POPULATION_FILE,
            3,
            list(rows(pop)),
            common.shuffle_stream(common.SEED + 1),
        )
    ]


SPEC = common.Spec("population_age", (common.POPULATION_FILE,), write)
