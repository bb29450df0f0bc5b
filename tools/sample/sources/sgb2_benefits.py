"""SGB2-01-4 (the project's own table code): SGB II Leistungsberechtigte (`LB`) and
Regelleistungsberechtigte (`RLB`), Jahresdurchschnitt, Kreise, by `ALTSG2` (Insgesamt,
`ALT000B15` unter 15 Jahre, a subset, not a part of a sum), GENESIS ffcsv, 2015-2024.

The Bundesagentur für Arbeit does not publish SGB II figures on GENESIS; the file lays out
figures of the kind it publishes in the same format. The numbers are the SGB II draw of
`common.kreis_draws` (shares of each Kreis' own population), moved and merged.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from tools.sample import common

MEASURES = {"LB": "Leistungsberechtigte", "RLB": "Regelleistungsberechtigte"}
AGES = {"": "Insgesamt", "ALT000B15": "unter 15 Jahre"}


def rows(sgb2: common.Counts) -> Iterable[list[str]]:
    for k in common.KREISE:
        for year in common.YEARS:
            for (age, measure), n in sgb2[k.key, year].items():
                yield [
                    "SGB2", "Statistik der Grundsicherung für Arbeitsuchende (SGB II)",
                    "JAHR", "Jahr", str(year), *common.kreis_var(k),
                    "ALTSG2", "Altersgruppen SGB II", age, AGES[age],
                    common.shown(k.key, year, n), "Anzahl", measure, MEASURES[measure],
                ]  # fmt: skip


def write(out_dir: Path) -> list[Path]:
    sgb2 = common.moved(common.kreis_draws().sgb2)
    shuffle = common.shuffle_stream(
        common.SEED + 1, common.POPULATION_ROWS
    )  # after the population file's rows
    return [common.write_ffcsv(out_dir / common.SGB2_FILE, 2, list(rows(sgb2)), shuffle)]


SPEC = common.Spec("sgb2_benefits", (common.SGB2_FILE,), write)
