"""12711-04-02-4: migration over the Kreis borders by age groups and sex, Kreise (GENESIS
ffcsv), SYNTHETIC.

Wanderungsstatistik (12711), "Zu- und Fortzüge nach Altersgruppen (über die Kreisgrenzen)":
calendar-year sums (time `JAHR`, `YYYY`, years 2015-2024), variable 1 `KREISE`, variable 2
`ALTX01` (`ALT000B18`, `ALT018B25`, `ALT025B30`, `ALT030B50`, `ALT050B65`, `ALT065UM`,
Insgesamt), variable 3 `GES` (`GESM`, `GESW`, Insgesamt); `BEV085` Zuzüge über die
Kreisgrenzen, `BEV086` Fortzüge über die Kreisgrenzen (Anzahl). The order of the variables is
the table's: rows (Kreis, age) before columns (sex).

The numbers are `common.movement` (drawn together with births and deaths): moves spread
over age groups and sexes by largest remainder (students into the towns, young families out
of them; more men in the refugee years); every Insgesamt is the sum of its cells.
"""

from __future__ import annotations

from collections.abc import Iterable
from itertools import product
from pathlib import Path

from tools.sample import common

FILE = "12711-04-02-4_de_flat.csv"
AGE_VARIABLE = ("ALTX01", "Altersgruppen (unter 18 bis 65 u. m.)")


def rows(counts: common.Counts) -> Iterable[list[str]]:
    for k in common.KREISE:
        for year in common.YEARS:
            cells = counts[k.key, year]
            for (code, label), (age, age_label, _), (sex, sex_label) in product(
                common.MIGRATION,
                (*common.MOVER_AGES, (*common.TOTAL, 0.0)),
                (*common.SEXES, common.TOTAL),
            ):
                yield [
                    "12711", "Wanderungsstatistik", "JAHR", "Jahr", str(year), *common.kreis_var(k),
                    *AGE_VARIABLE, age, age_label, *common.SEX_VARIABLE, sex, sex_label,
                    common.shown(k.key, year, common.cell_sum(cells, code, age, sex)),
                    "Anzahl", code, label,
                ]  # fmt: skip


def write(out_dir: Path) -> list[Path]:
    table = list(rows(common.movement(out_dir)))
    return [
        common.write_ffcsv(
            out_dir / FILE, 3, table, common.shuffle_stream(common.MOVEMENT_SEED + 1)
        )
    ]


SPEC = common.Spec("population_movement", (FILE,), write, needs=("population_age",))
