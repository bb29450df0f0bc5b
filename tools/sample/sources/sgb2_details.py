"""`SGB2-02-4_de_flat.csv`: SGB II details, Kreise, Jahresdurchschnitt 2015–2024 (GENESIS
ffcsv like `SGB2-01-4`), SYNTHETIC.

Erwerbsfähige Leistungsberechtigte (ELB), Leistungsberechtigte 15 bis unter 18 Jahre (LB1517),
Bedarfsgemeinschaften (BG) and Alleinerziehenden-Bedarfsgemeinschaften (BGALL). The numbers
are derived from the files in the output folder so that they stay consistent with them:
- LB and RLB come from `SGB2-01-4_de_flat.csv` (ELB < RLB ≤ LB, LB1517 ≤ LB − LB unter 15,
  BGALL < BG < LB);
- 2024 takes ELB, BG and Alleinerziehende-BG from the BA workbook `ba_sgb2_kreise_2024.xlsx`
  (read with the project's reader and contract), so both sources agree; the earlier years use
  the 2024 ratios of each Kreis with a little yearly noise.
The SGB II file already has the 2019 transfers applied and Eisenach merged into the
Wartburgkreis from 2021: ratios of those figures carry both along, so the transfers are not
applied a second time; Eisenach's rows are `-` from 2021 as in the SGB II file.
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from tools.sample import common

SEED = 16_0202
FILE = "SGB2-02-4_de_flat.csv"
WORKBOOK, WORKBOOK_SOURCE, WORKBOOK_YEAR = "ba_sgb2_kreise_2024.xlsx", "ba_sgb2_kreise", 2024
MEASURES = {
    "ELB": "Erwerbsfähige Leistungsberechtigte",
    "LB1517": "Leistungsberechtigte 15 bis unter 18 Jahre",
    "BG": "Bedarfsgemeinschaften",
    "BGALL": "Alleinerziehenden-Bedarfsgemeinschaften",
}
# workbook measure code -> this table's measure code
FROM_WORKBOOK = {"ELB": "ELB", "BG": "BG", "BG_ALLEINERZ": "BGALL"}

Values = dict[tuple[str, int], dict[str, int]]  # (kreis, year) -> measure -> count


def _sgb2(path: Path, attribute: str) -> Values:
    """LB and RLB by (Kreis, year) of one ALTSG2 attribute; rows with a sign are left out."""
    out: Values = {}
    for row in common.ffcsv_rows(path):
        if row["2_variable_attribute_code"] == attribute and row["value"].isdigit():
            key = (row["1_variable_attribute_code"], int(row["time"][:4]))
            out.setdefault(key, {})[row["value_variable_code"]] = int(row["value"])
    return out


def _workbook(path: Path) -> dict[str, dict[str, int]]:
    """Numeric Kreis values of the BA workbook, read with the project's reader and contract
    (anonymised and empty cells are left out)."""
    from pipelines.contracts import load_contract
    from pipelines.paths import contracts_dir
    from pipelines.readers import read_file

    contract = load_contract(contracts_dir() / f"{WORKBOOK_SOURCE}.yml")  # only the one it reads
    frame = read_file(path, contract.reader, **contract.reader_options).frame
    out: dict[str, dict[str, int]] = {}
    for row in frame.itertuples():
        if len(row.region_key) == 5 and pd.isna(row.value_status):
            out.setdefault(row.region_key, {})[row.measure_code] = int(row.value)
    return out


def _numbers(sgb2: Values, sgb2_u15: Values, workbook: dict[str, dict[str, int]]) -> Values:
    rng = random.Random(SEED)
    out: Values = {}
    for k in common.KREISE:
        # ratios of the Kreis: ELB/LB, LB1517/LB, BG/LB, BGALL/BG; 2024 from the workbook
        base = {
            "ELB": rng.uniform(0.72, 0.75),
            "LB1517": rng.uniform(0.03, 0.04),
            "BG": rng.uniform(0.55, 0.60),
            "BGALL": rng.uniform(0.17, 0.20),
        }
        wb = workbook.get(k.key, {})
        last = sgb2.get((k.key, WORKBOOK_YEAR))
        if last and FROM_WORKBOOK.keys() <= wb.keys():
            base["ELB"] = wb["ELB"] / last["LB"]
            base["BG"] = wb["BG"] / last["LB"]
            base["BGALL"] = wb["BG_ALLEINERZ"] / wb["BG"]
        for year in common.YEARS:
            factor = {m: 1 + common.noise(rng, 0.012) for m in MEASURES}  # drawn for every cell
            if (k.key, year) not in sgb2:
                continue  # Eisenach from 2021: written as `-`
            lb = sgb2[k.key, year]["LB"]
            rlb = sgb2[k.key, year]["RLB"]
            lb15 = sgb2_u15[k.key, year]["LB"]
            if year == WORKBOOK_YEAR and FROM_WORKBOOK.keys() <= wb.keys():
                elb, bg, bgall = wb["ELB"], wb["BG"], wb["BG_ALLEINERZ"]
            else:
                elb = round(lb * base["ELB"] * factor["ELB"])
                bg = round(lb * base["BG"] * factor["BG"])
                bgall = round(bg * base["BGALL"] * factor["BGALL"])
            lb1517 = round(lb * base["LB1517"] * factor["LB1517"])
            if not (elb < rlb <= lb and lb1517 <= lb - lb15 and bgall < bg < lb):
                raise ValueError(f"inconsistent SGB II details for {k.key} {year}")
            out[k.key, year] = {"ELB": elb, "LB1517": lb1517, "BG": bg, "BGALL": bgall}
    return out


def rows(numbers: Values) -> Iterable[list[str]]:
    for k in common.KREISE:
        for year in common.YEARS:
            cells = numbers.get((k.key, year), {})
            if not cells and not common.gone(k.key, year):
                raise ValueError(f"no SGB II figures for {k.key} {year}")
            for code, label in MEASURES.items():
                yield [
                    "SGB2", "Statistik der Grundsicherung für Arbeitsuchende (SGB II)",
                    "JAHR", "Jahr", str(year), *common.kreis_var(k),
                    common.shown(k.key, year, cells.get(code, 0)), "Anzahl", code, label,
                ]  # fmt: skip


def write(out_dir: Path) -> list[Path]:
    sgb2, sgb2_u15 = (
        _sgb2(out_dir / common.SGB2_FILE, ""),
        _sgb2(out_dir / common.SGB2_FILE, "ALT000B15"),
    )
    numbers = _numbers(sgb2, sgb2_u15, _workbook(out_dir / WORKBOOK))
    return [common.write_ffcsv(out_dir / FILE, 1, list(rows(numbers)), random.Random(SEED + 1))]


SPEC = common.Spec("sgb2_details", (FILE,), write, needs=("sgb2_benefits", "ba_sgb2_kreise"))
