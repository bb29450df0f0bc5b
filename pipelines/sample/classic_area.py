"""Sample area table in the classic GENESIS table export (like 11111-01-01-4, cp1252).

Areas start from those of the real 11111-01-01-4 export for 31.12.2015; from 2019 the three
Gemeinde transfers between Kreise of the key history move their area shares, and from 2021
the Wartburgkreis includes Eisenach (16056, shown as `-`). The Land row is the sum of its Kreise.
The layout is the real one: header block, two column-header rows, period-first data rows
with indented names, a footer with quoted notes, copyright and `Stand`.
"""

from __future__ import annotations

import csv
from pathlib import Path

from pipelines.territory import DEFAULT_TERRITORY_DIR

FILE = "11111-01-01-4.csv"
YEARS = range(2015, 2025)
MERGE_YEAR = 2021
EISENACH, WARTBURGKREIS = "16056", "16063"

# Key, name as in the classic export, area in km² at 31.12.2015.
KREISE: tuple[tuple[str, str, float], ...] = (
    ("16051", "Erfurt, krsfr. Stadt", 269.91),
    ("16052", "Gera, krsfr. Stadt", 152.19),
    ("16053", "Jena, krsfr. Stadt", 114.76),
    ("16054", "Suhl, krsfr. Stadt", 103.03),
    ("16055", "Weimar, krsfr. Stadt", 84.48),
    ("16056", "Eisenach, krsfr. Stadt", 104.17),
    ("16061", "Eichsfeld, Kreis", 943.07),
    ("16062", "Nordhausen, Kreis", 713.91),
    ("16063", "Wartburgkreis", 1307.43),
    ("16064", "Unstrut-Hainich-Kreis", 979.69),
    ("16065", "Kyffhäuserkreis", 1037.89),
    ("16066", "Schmalkalden-Meiningen, Kreis", 1210.73),
    ("16067", "Gotha, Kreis", 936.08),
    ("16068", "Sömmerda, Kreis", 806.84),
    ("16069", "Hildburghausen, Kreis", 938.42),
    ("16070", "Ilm-Kreis", 843.71),
    ("16071", "Weimarer Land, Kreis", 804.48),
    ("16072", "Sonneberg, Kreis", 433.61),
    ("16073", "Saalfeld-Rudolstadt, Kreis", 1036.03),
    ("16074", "Saale-Holzland-Kreis", 815.25),
    ("16075", "Saale-Orla-Kreis", 1151.30),
    ("16076", "Greiz, Kreis", 845.98),
    ("16077", "Altenburger Land, Kreis", 569.41),
)

HEADER = [
    "GENESIS-Tabelle: 11111-01-01-4",
    "Gebietsstand: Gebietsfläche in qkm - Stichtag 31.12. -;;;",
    "regionale Tiefe: Kreise und krfr. Städte;;;",
    "Feststellung des Gebietsstandes;;;",
    ";;;Gebietsfläche",
    ";;;qkm",
]
FOOTER = [
    "__________",
    '"Gebietsfläche:',
    'Thüringen: Umstellung auf das ""Amtliche',
    'Liegenschaftskataster-Informationssystem"" (ALKIS®) ab dem',
    'Berichtsjahr 2014"',
    '"© Statistische Ämter des Bundes und der Länder, Deutschland, 2025.',
    "Dieses Werk ist lizensiert unter der Datenlizenz Deutschland",
    '- Namensnennung - Version 2.0."',
    "Stand: 14.03.2025 / 10:12:07",
]


def _number(value: float) -> str:
    return f"{value:.2f}".replace(".", ",")


def _transfers() -> list[tuple[str, str, str, float]]:
    """Kreis transfers of the key history: (change date, old, new, area weight)."""
    seed = DEFAULT_TERRITORY_DIR / "key_history.csv"
    with seed.open(encoding="utf-8", newline="") as handle:
        return [
            (r["change_date"], r["old_key"], r["new_key"], float(r["weight_area"]))
            for r in csv.DictReader(handle)
            if r["kind"] == "transfer" and r["old_key"] != r["new_key"] and len(r["old_key"]) == 5
        ]


def _rows() -> list[str]:
    rows = []
    transfers = _transfers()
    for year in YEARS:
        date = f"31.12.{year}"
        merged = year >= MERGE_YEAR
        areas = {key: area for key, _, area in KREISE}
        for change_date, old, new, weight in transfers:
            if change_date <= f"{year}-12-31":
                moved = round(areas[old] * weight, 2)
                areas[old] = round(areas[old] - moved, 2)
                areas[new] = round(areas[new] + moved, 2)
        if merged:
            areas[WARTBURGKREIS] = round(areas[WARTBURGKREIS] + areas.pop(EISENACH), 2)
        rows.append(f"{date};16;  Thüringen;{_number(sum(areas.values()))}")
        for key, name, _ in KREISE:
            value = "-" if key not in areas else _number(areas[key])
            rows.append(f"{date};{key};      {name};{value}")
    return rows


def generate(out_dir: Path) -> list[Path]:
    """Write the classic export into `out_dir` (cp1252, LF)."""
    path = out_dir / FILE
    text = "\n".join([*HEADER, *_rows(), *FOOTER]) + "\n"
    path.write_bytes(text.encode("cp1252"))
    return [path]
