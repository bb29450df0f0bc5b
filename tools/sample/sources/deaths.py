"""12613-01-01-4: deaths by sex, Kreise (GENESIS ffcsv), SYNTHETIC.

Statistik der Sterbefälle (12613), "Gestorbene nach Geschlecht": calendar-year sums (time
`JAHR`, years 2015-2024), variable 1 `KREISE`, variable 2 `GES`; `BEV002` Gestorbene. The
numbers are `common.movement` (about 10-16 per 1,000, older Kreise higher, a Covid bump
2020-2022).
"""

from __future__ import annotations

from pathlib import Path

from tools.sample import common

FILE = "12613-01-01-4_de_flat.csv"


def write(out_dir: Path) -> list[Path]:
    """Shuffled after the migration and births tables (one stream)."""
    return common.write_natural(
        out_dir,
        FILE,
        ("12613", "Statistik der Sterbefälle"),
        common.DEATHS,
        common.MIGRATION_ROWS,
        common.NATURAL_ROWS,
    )


SPEC = common.Spec("deaths", (FILE,), write, needs=("population_age",))
