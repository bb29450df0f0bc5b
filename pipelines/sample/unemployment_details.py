"""Deterministic generator of the unemployment detail sample `13211-02-06-4_de_flat.csv`
(SYNTHETIC numbers).

Arbeitslose im Rechtskreis SGB II (ALO_SGB2), Langzeitarbeitslose (ALO_LZA), Arbeitslose 15 bis
unter 25 Jahre (ALO_U25) and zivile Erwerbspersonen 15 bis unter 25 Jahre (ERWZIV_U25), Kreise
of Thüringen, Jahresdurchschnitt 2015–2024, laid out as GENESIS ffcsv like `13211-02-05-4`.

The numbers are derived from the existing sample so that they stay consistent with it:
- Arbeitslose (ERW003) and zivile Erwerbspersonen (ERWZIV) come from `13211-02-05-4_de_flat.csv`
  (ALO_SGB2, ALO_LZA, ALO_U25 ≤ ERW003; ALO_U25 ≤ ERWZIV_U25 < ERWZIV);
- 2024 takes ALO_SGB2, ALO_LZA and ALO_U25 from the BA workbook `ba_arbeitslose_kreise_2024.xlsx`
  (read with the project's reader and contract); the earlier years use the 2024 ratios of each
  Kreis with a little yearly noise.
The source file already has the 2019 transfers applied and Eisenach merged into the
Wartburgkreis from 2021 (its own rows `-`), so ratios carry both along; Eisenach's rows are `-`
from 2021 as in the source.

    python -m pipelines.sample.generate   (writes every sample file)
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from pathlib import Path

from pipelines.sample.generate import (
    EISENACH,
    KREISE,
    MERGE_YEAR,
    UNEMPLOYMENT_FILE,
    YEARS,
    _kreis,
    _noise,
    _value,
    _write,
)
from pipelines.sample.sgb2_details import Values, read_ffcsv, read_workbook, source_dir

SEED = 16_0206
FILE = "13211-02-06-4_de_flat.csv"
WORKBOOK = "ba_arbeitslose_kreise_2024.xlsx"
WORKBOOK_YEAR = 2024
MEASURES = {
    "ALO_SGB2": "Arbeitslose im Rechtskreis SGB II",
    "ALO_LZA": "Langzeitarbeitslose",
    "ALO_U25": "Arbeitslose 15 bis unter 25 Jahre",
    "ERWZIV_U25": "Zivile Erwerbspersonen 15 bis unter 25 Jahre",
}
FROM_WORKBOOK = ("ALO_SGB2", "ALO_LZA", "ALO_U25")  # same codes in the workbook contract


def _numbers(unemp: Values, workbook: dict[str, dict[str, int]]) -> Values:
    rng = random.Random(SEED)
    out: Values = {}
    for k in KREISE:
        # ratios of the Kreis: ALO_* / ERW003 and ERWZIV_U25 / ERWZIV; 2024 from the workbook
        base = {
            "ALO_SGB2": rng.uniform(0.60, 0.65),
            "ALO_LZA": rng.uniform(0.32, 0.38),
            "ALO_U25": rng.uniform(0.07, 0.09),
            "ERWZIV_U25": rng.uniform(0.08, 0.09),
        }
        wb = workbook.get(k.key, {})
        last = unemp.get((k.key, WORKBOOK_YEAR))
        anchored = bool(last) and set(FROM_WORKBOOK) <= wb.keys()
        if anchored:
            base |= {m: wb[m] / last["ERW003"] for m in FROM_WORKBOOK}
        for year in YEARS:
            factor = {m: 1 + _noise(rng, 0.012) for m in MEASURES}  # drawn for every cell
            if (k.key, year) not in unemp:
                continue  # Eisenach from 2021: written as `-`
            alo, labour = unemp[k.key, year]["ERW003"], unemp[k.key, year]["ERWZIV"]
            cells = {
                m: round((labour if m == "ERWZIV_U25" else alo) * base[m] * factor[m])
                for m in MEASURES
            }
            if year == WORKBOOK_YEAR and anchored:
                cells |= {m: wb[m] for m in FROM_WORKBOOK}
            if not (
                max(cells["ALO_SGB2"], cells["ALO_LZA"], cells["ALO_U25"]) <= alo
                and cells["ALO_U25"] <= cells["ERWZIV_U25"] < labour
            ):
                raise ValueError(f"inconsistent unemployment details for {k.key} {year}")
            out[k.key, year] = cells
    return out


def _rows(numbers: Values) -> Iterable[list[str]]:
    for k in KREISE:
        for year in YEARS:
            cells = numbers.get((k.key, year), {})
            if not cells and not (k.key == EISENACH and year >= MERGE_YEAR):
                raise ValueError(f"no unemployment figures for {k.key} {year}")
            for code, label in MEASURES.items():
                yield [
                    "13211", "Arbeitsmarktstatistik der Bundesagentur für Arbeit",
                    "JAHR", "Jahr", str(year), *_kreis(k),
                    _value(k.key, year, cells.get(code, 0)), "Anzahl", code, label,
                ]  # fmt: skip


def generate(out_dir: Path, source: Path | None = None) -> list[Path]:
    """Write `13211-02-06-4_de_flat.csv` into `out_dir`; same bytes on every run. The figures
    are derived from `13211-02-05-4_de_flat.csv` and `ba_arbeitslose_kreise_2024.xlsx` in
    `source` (default: `out_dir` if it holds both, else the project's sample_data/)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    src = source or source_dir(out_dir, UNEMPLOYMENT_FILE, WORKBOOK)
    unemp = read_ffcsv(src / UNEMPLOYMENT_FILE, ("ERW003", "ERWZIV"))
    workbook = read_workbook(src / WORKBOOK, "ba_arbeitslose_kreise")
    numbers = _numbers(unemp, workbook)
    return [_write(out_dir / FILE, 1, list(_rows(numbers)), random.Random(SEED + 1))]
