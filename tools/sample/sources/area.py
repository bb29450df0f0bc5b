"""11111-01-01-4: area in km² at 31.12., Kreise, as the classic GENESIS table export (cp1252).

Areas start from those of the real export for 31.12.2015; from 2019 the three Gemeinde
transfers between Kreise of the key history move their area shares, and from 2021 the
Wartburgkreis includes Eisenach (16056, shown as `-`). The Land row is the sum of its Kreise.
The layout is the real one: header block, two column-header rows, period-first data rows
with indented names, a footer with quoted notes, copyright and `Stand`.
"""

from __future__ import annotations

from pathlib import Path

from tools.sample import common

FILE = "11111-01-01-4.csv"
HEAD = """GENESIS-Tabelle: 11111-01-01-4
Gebietsstand: Gebietsfläche in qkm - Stichtag 31.12. -;;;
regionale Tiefe: Kreise und krfr. Städte;;;
Feststellung des Gebietsstandes;;;
;;;Gebietsfläche
;;;qkm"""
FOOT = """__________
"Gebietsfläche:
Thüringen: Umstellung auf das ""Amtliche
Liegenschaftskataster-Informationssystem"" (ALKIS®) ab dem
Berichtsjahr 2014"
"© Statistische Ämter des Bundes und der Länder, Deutschland, 2025.
Dieses Werk ist lizensiert unter der Datenlizenz Deutschland
- Namensnennung - Version 2.0."
Stand: 14.03.2025 / 10:12:07"""


def _number(value: float) -> str:
    return f"{value:.2f}".replace(".", ",")


def rows() -> list[str]:
    out = []
    moves = common.transfers("weight_area")
    for year in common.YEARS:
        date = f"31.12.{year}"
        areas = {key: area for key, _, area in common.CLASSIC_KREISE}
        for change_date, old, new, weight in moves:
            if change_date <= f"{year}-12-31":
                share = round(areas[old] * weight, 2)
                areas[old] = round(areas[old] - share, 2)
                areas[new] = round(areas[new] + share, 2)
        if year >= common.MERGE_YEAR:
            areas[common.WARTBURGKREIS] = round(
                areas[common.WARTBURGKREIS] + areas.pop(common.EISENACH), 2
            )
        out.append(f"{date};16;  Thüringen;{_number(sum(areas.values()))}")
        for key, name, _ in common.CLASSIC_KREISE:
            value = "-" if key not in areas else _number(areas[key])
            out.append(f"{date};{key};      {name};{value}")
    return out


def write(out_dir: Path) -> list[Path]:
    path = out_dir / FILE
    path.write_bytes(("\n".join([HEAD, *rows(), FOOT]) + "\n").encode("cp1252"))
    return [path]


SPEC = common.Spec("area", (FILE,), write)
