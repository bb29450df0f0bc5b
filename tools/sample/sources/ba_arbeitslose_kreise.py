"""`ba_arbeitslose_kreise_2024.xlsx`: Arbeitslose nach Rechtskreisen, Kreise,
Jahresdurchschnitt 2024, laid out like a table of the Statistik der Bundesagentur für Arbeit,
SYNTHETIC numbers.

Arbeitslose, Langzeitarbeitslose, 15 bis unter 25 and the rate on all civilian labour force
are those `13211-02-05-4_2024.csv` in the output folder publishes (Land rows included): the
BA and the Regionalstatistik publish the same numbers. Only the split into SGB III and SGB II
is drawn. A cover sheet, a title block, merged column headers, the Land row after its
Kreise, footnotes.
"""

from __future__ import annotations

import random
from pathlib import Path

from openpyxl import Workbook

from tools.sample import common

FILE = "ba_arbeitslose_kreise_2024.xlsx"


def numbers(out_dir: Path) -> tuple[list[common.BaKreis], dict[str, list[common.Cell]]]:
    """The Kreise and the row of every Kreis and Land: all, SGB III, SGB II, long-term,
    15 to under 25, rate."""
    figures, names = common.read_unemployment(out_dir, common.BA_YEAR)
    kreise = [
        common.BaKreis(key, common.ba_name(names[key]))
        for key in sorted(figures)
        if len(key) == 5 and key != common.EISENACH
    ]
    _, sgb2_kreise = common.read_sgb2_2024(out_dir)
    if [k.key for k in kreise] != [k.key for k in sgb2_kreise]:
        raise ValueError(f"{common.SGB2_FILE} and the unemployment table cover different Kreise")
    rng = random.Random(common.BA_SEED)  # the stream continues after the SGB II workbook's draws
    for _ in range(common.BA_SGB2_DRAWS_PER_KREIS * len(sgb2_kreise)):
        rng.random()
    rows: dict[str, list[common.Cell]] = {}
    for key in [k.key for k in kreise] + sorted({k.key[:2] for k in kreise}):
        rows[key] = [
            common.unemployed(figures, key),
            0,  # SGB III and SGB II: drawn below for the Kreise, summed for the Land
            0,
            common.unemployed(figures, key, "ARBEITSLOS05"),
            common.unemployed(figures, key, "ARBEITSLOS13"),
            common.unemployment_rate(figures, key),
        ]
    for k in kreise:
        row = rows[k.key]
        sgb2 = round(int(row[0]) * rng.uniform(0.60, 0.65))
        row[1], row[2] = int(row[0]) - sgb2, sgb2
        land = rows[k.key[:2]]
        land[1], land[2] = int(land[1]) + int(row[1]), int(land[2]) + int(row[2])
    return kreise, rows


def workbook(
    kreise: list[common.BaKreis], rows: dict[str, list[common.Cell]], names: dict[str, str]
) -> Workbook:
    title = "Arbeitsmarkt in Zahlen – Arbeitslose nach Rechtskreisen – Kreise und kreisfreie Städte"
    subtitle = "Arbeitslose nach Rechtskreisen – Kreise und kreisfreie Städte"
    wb = common.new_workbook(title)
    area = common.area_name(kreise, names)
    common.cover(wb.active, "Arbeitsmarkt in Zahlen", subtitle, area)
    ws = wb.create_sheet(common.BA_SHEET)
    width = 8
    common.title_block(
        ws,
        [
            "Arbeitsmarkt in Zahlen",
            subtitle,
            f"Land: {area}",
            "Jahresdurchschnitt 2024",
            "Datenstand: Januar 2025",
            common.SYNTHETIC,
        ],
        width,
    )
    common.header(
        ws,
        [
            ("A8:A9", "Regional-\nschlüssel"),
            ("B8:B9", "Region"),
            ("C8:G8", "Arbeitslose"),
            ("C9", "Insgesamt"),
            ("D9", "SGB III"),
            ("E9", "SGB II"),
            ("F9", "darunter Langzeit-\narbeitslose"),
            ("G9", "darunter 15 bis unter 25 Jahre"),
            ("H8:H9", "Arbeitslosenquote bezogen auf alle zivilen Erwerbspersonen 1)"),
        ],
        range(8, 10),
        width,
    )
    row = 9  # no row of column numbers here; the Land row comes after its Kreise
    for land in common.laender(kreise):
        for k in (k for k in kreise if k.key[:2] == land):
            row += 1
            common.data_row(ws, row, k.key, k.name, rows[k.key])
        row += 1
        common.data_row(ws, row, land, names.get(land, land), rows[land])
    notes = [
        "1) Arbeitslose in Prozent aller zivilen Erwerbspersonen (abhängige zivile "
        "Erwerbspersonen, Selbständige und mithelfende Familienangehörige)."
    ]
    common.footnotes(ws, row + 2, notes, width)
    ws.freeze_panes = "C10"
    return wb


def write(out_dir: Path, land_names: dict[str, str] | None = None) -> list[Path]:
    """Write the workbook (numbers from the unemployment export of 2024 in `out_dir`);
    `land_names` names the Land rows."""
    kreise, rows = numbers(out_dir)
    return [
        common.save_workbook(
            workbook(kreise, rows, land_names or common.LAND_NAMES), out_dir / FILE
        )
    ]


SPEC = common.Spec("ba_arbeitslose_kreise", (FILE,), write, needs=("sgb2_benefits", "unemployment"))
