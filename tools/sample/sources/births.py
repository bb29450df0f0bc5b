"""12612-01-01-4: live births by sex, Kreise (GENESIS ffcsv), SYNTHETIC.

Statistik der Geburten (12612), "Lebendgeborene nach Geschlecht": calendar-year sums (time
`JAHR`, years 2015-2024), variable 1 `KREISE`, variable 2 `GES`; `BEV001` Lebendgeborene.
The numbers are `common.movement` (about 7-9 per 1,000, falling after 2017), so births -
deaths + net migration roughly (not exactly) match the change of the population file.
"""

from __future__ import annotations

from pathlib import Path

from tools.sample import common

FILE = "12612-01-01-4_de_flat.csv"


def write(out_dir: Path) -> list[Path]:
    """Shuffled after the migration table (one stream)."""
    return common.write_natural(
        out_dir, FILE, ("12612", "Statistik der Geburten"), common.BIRTHS, common.MIGRATION_ROWS
    )


SPEC = common.Spec("births", (FILE,), write, needs=("population_age",))
