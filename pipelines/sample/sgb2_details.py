"""Deterministic generator of the SGB II detail sample `SGB2-02-4_de_flat.csv` (SYNTHETIC numbers).

Erwerbsfähige Leistungsberechtigte (ELB), Leistungsberechtigte 15 bis unter 18 Jahre (LB1517),
Bedarfsgemeinschaften (BG) and Alleinerziehenden-Bedarfsgemeinschaften (BGALL), Kreise of
Thüringen, Jahresdurchschnitt 2015–2024, laid out as GENESIS ffcsv like `SGB2-01-4`.

The numbers are derived from the existing sample so that they stay consistent with it:
- LB and RLB come from `SGB2-01-4_de_flat.csv` (ELB < RLB ≤ LB, LB1517 ≤ LB − LB unter 15,
  BGALL < BG < LB);
- 2024 takes ELB, BG and Alleinerziehende-BG from the BA workbook `ba_sgb2_kreise_2024.xlsx`
  (read with the project's reader and contract), so both sources agree; the earlier years use
  the 2024 ratios of each Kreis with a little yearly noise.
The source file already has the 2019 transfers applied and Eisenach merged into the
Wartburgkreis from 2021 (its own rows `-`): ratios of those figures carry both along, so the
transfers are not applied a second time; Eisenach's rows are `-` from 2021 as in the source.

    python -m pipelines.sample.sgb2_details [--out DIR]
"""

from __future__ import annotations

import csv
import random
from collections.abc import Iterable
from pathlib import Path

from pipelines.sample.generate import (
    DEFAULT_OUT,
    EISENACH,
    KREISE,
    MERGE_YEAR,
    SGB2_FILE,
    YEARS,
    _kreis,
    _noise,
    _value,
    _write,
)

SEED = 16_0202
FILE = "SGB2-02-4_de_flat.csv"
WORKBOOK = "ba_sgb2_kreise_2024.xlsx"
WORKBOOK_YEAR = 2024
MEASURES = {
    "ELB": "Erwerbsfähige Leistungsberechtigte",
    "LB1517": "Leistungsberechtigte 15 bis unter 18 Jahre",
    "BG": "Bedarfsgemeinschaften",
    "BGALL": "Alleinerziehenden-Bedarfsgemeinschaften",
}
# workbook measure code -> this table's measure code
FROM_WORKBOOK = {"ELB": "ELB", "BG": "BG", "BG_ALLEINERZ": "BGALL"}

Values = dict[tuple[str, int], dict[str, int]]  # (kreis, year) -> measure -> count


def read_ffcsv(path: Path, measures: Iterable[str], attribute: str = "") -> Values:
    """Numeric counts by (Kreis, year) and measure from a GENESIS ffcsv sample file; rows with
    a sign (`-`) are left out. `attribute` selects the 2nd variable's attribute if there is one."""
    wanted = set(measures)
    out: Values = {}
    with path.open(encoding="utf-8-sig", newline="") as f:
        for row in csv.DictReader(f, delimiter=";", quoting=csv.QUOTE_NONE):
            code = row["value_variable_code"]
            if code not in wanted or row.get("2_variable_attribute_code", attribute) != attribute:
                continue
            if not row["value"].isdigit():
                continue
            key = (row["1_variable_attribute_code"], int(row["time"][:4]))
            out.setdefault(key, {})[code] = int(row["value"])
    return out


def read_workbook(path: Path, source: str) -> dict[str, dict[str, int]]:
    """Numeric Kreis values of a BA sample workbook, read with the project's reader and
    contract (anonymised and empty cells are left out)."""
    from pipelines.contracts import load_contract
    from pipelines.paths import contracts_dir
    from pipelines.readers import read_file

    contract = load_contract(contracts_dir() / f"{source}.yml")  # only the one it reads
    frame = read_file(path, contract.reader, **contract.reader_options).frame
    out: dict[str, dict[str, int]] = {}
    for row in frame.itertuples():
        if len(row.region_key) == 5 and row.value_status is None:
            out.setdefault(row.region_key, {})[row.measure_code] = int(row.value)
    return out


def source_dir(out_dir: Path, *names: str) -> Path:
    """Where the files to derive from are: `out_dir` if it holds them all, else sample_data."""
    if all((out_dir / n).is_file() for n in names):
        return out_dir
    return DEFAULT_OUT


def _numbers(sgb2: Values, sgb2_u15: Values, workbook: dict[str, dict[str, int]]) -> Values:
    rng = random.Random(SEED)
    out: Values = {}
    for k in KREISE:
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
        for year in YEARS:
            factor = {m: 1 + _noise(rng, 0.012) for m in MEASURES}  # drawn for every cell
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


def _rows(numbers: Values) -> Iterable[list[str]]:
    for k in KREISE:
        for year in YEARS:
            cells = numbers.get((k.key, year), {})
            if not cells and not (k.key == EISENACH and year >= MERGE_YEAR):
                raise ValueError(f"no SGB II figures for {k.key} {year}")
            for code, label in MEASURES.items():
                yield [
                    "SGB2", "Statistik der Grundsicherung für Arbeitsuchende (SGB II)",
                    "JAHR", "Jahr", str(year), *_kreis(k),
                    _value(k.key, year, cells.get(code, 0)), "Anzahl", code, label,
                ]  # fmt: skip


def generate(out_dir: Path, source: Path | None = None) -> list[Path]:
    """Write `SGB2-02-4_de_flat.csv` into `out_dir`; same bytes on every run. The figures are
    derived from `SGB2-01-4_de_flat.csv` and `ba_sgb2_kreise_2024.xlsx` in `source` (default:
    `out_dir` if it holds both, else the project's sample_data/)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    src = source or source_dir(out_dir, SGB2_FILE, WORKBOOK)
    sgb2 = read_ffcsv(src / SGB2_FILE, ("LB", "RLB"))
    sgb2_u15 = read_ffcsv(src / SGB2_FILE, ("LB",), attribute="ALT000B15")
    workbook = read_workbook(src / WORKBOOK, "ba_sgb2_kreise")
    numbers = _numbers(sgb2, sgb2_u15, workbook)
    return [_write(out_dir / FILE, 1, list(_rows(numbers)), random.Random(SEED + 1))]
