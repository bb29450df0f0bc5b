"""`ba_sgb2_kreise_2024.xlsx`: Grundsicherung für Arbeitsuchende (SGB II) –
Leistungsberechtigte and Bedarfsgemeinschaften by type, Kreise, Jahresdurchschnitt 2024,
laid out like a table of the Statistik der Bundesagentur für Arbeit, SYNTHETIC numbers.

LB and RLB are those of `SGB2-01-4_de_flat.csv` in the output folder; ELB, NEF and the
Bedarfsgemeinschaften are drawn from them (RLB = ELB + NEF, the types add up to BG). The
workbook has what BA tables have: a cover sheet, a title block, merged multi-row column
headers, a row of column numbers, the Land row above its Kreise, `*` (anonymised), `-`
(nothing) and footnotes.
"""

from __future__ import annotations

import random
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from tools.sample import common

FILE = "ba_sgb2_kreise_2024.xlsx"
COLUMNS = ("LB", "RLB", "ELB", "NEF", "BG", "BG1", "BG2", "BG3", "BG4", "BG5")
ANONYMISED = "*"  # BA: values of 1 or 2 (and values from which they could be derived)
NOTHING = "-"
# Bedarfsgemeinschaften by type: Single, Alleinerziehende, Partner ohne / mit Kindern (sonstige
# are drawn separately, as a small share).
BG_TYPE_WEIGHTS = (0.54, 0.17, 0.11, 0.18)


def numbers(
    out_dir: Path, rng: random.Random
) -> tuple[list[common.BaKreis], dict[str, list[common.Cell]]]:
    """The Kreise and the row of every Kreis and Land (Land rows: sums of the true counts)."""
    values, kreise = common.read_sgb2_2024(out_dir)
    true: dict[str, list[int]] = {}
    for k in kreise:  # BA_SGB2_DRAWS_PER_KREIS (7) draws each
        lb, rlb = values[k.key]["LB"], values[k.key]["RLB"]
        elb = round(lb * rng.uniform(0.72, 0.75))
        nef = rlb - elb  # RLB = ELB + NEF (BA definition); LB = RLB + sonstige LB
        bg = round(lb * rng.uniform(0.55, 0.60))
        other = round(bg * rng.uniform(0.002, 0.006))
        weights = [w * rng.uniform(0.95, 1.05) for w in BG_TYPE_WEIGHTS]
        true[k.key] = [lb, rlb, elb, nef, bg, *common.largest_remainder(bg - other, weights), other]
    # The smallest Kreise get very few "sonstige BG": 2 and 1 are anonymised, 0 is "nothing".
    smallest = sorted(true, key=lambda key: (true[key][4], key))[:3]
    for key, n in zip(smallest, (2, 1, 0), strict=True):
        row = true[key]
        row[5] += row[9] - n  # keep the types summing to BG
        row[9] = n
    shown: dict[str, list[common.Cell]] = {}
    for land in sorted({key[:2] for key in true}):
        rows = [row for key, row in true.items() if key[:2] == land]
        shown[land] = [sum(col) for col in zip(*rows, strict=True)]
    for key, row in true.items():
        shown[key] = [ANONYMISED if n in (1, 2) else NOTHING if n == 0 else n for n in row]
    return kreise, shown


def workbook(
    kreise: list[common.BaKreis], rows: dict[str, list[common.Cell]], names: dict[str, str]
) -> Workbook:
    title = "Grundsicherung für Arbeitsuchende (SGB II) – Kreise und kreisfreie Städte"
    wb = common.new_workbook(title)
    area = common.area_name(kreise, names)
    common.cover(wb.active, title, "Leistungsberechtigte und Bedarfsgemeinschaften nach Typ", area)
    ws = wb.create_sheet(common.BA_SHEET)
    width = 2 + len(COLUMNS)
    common.title_block(
        ws,
        [
            "Grundsicherung für Arbeitsuchende (SGB II)",
            "Leistungsberechtigte und Bedarfsgemeinschaften – Kreise und kreisfreie Städte",
            f"Region: {area}",
            "Berichtszeitraum: Jahresdurchschnitt 2024",
            "Datenstand: April 2025 (Wartezeit 3 Monate)",
            common.SYNTHETIC,
        ],
        width,
    )
    common.header(
        ws,
        [
            ("A8:A10", "Regional-\nschlüssel"),
            ("B8:B10", "Kreis / kreisfreie Stadt"),
            ("C8:F8", "Leistungsberechtigte (LB)"),
            ("C9:C10", "Insgesamt"),
            ("D9:F9", "darunter Regelleistungsberechtigte (RLB)"),
            ("D10", "zusammen"),
            ("E10", "davon erwerbsfähige Leistungs-\nberechtigte (ELB)"),
            ("F10", "davon nicht erwerbsfähige Leistungs-\nberechtigte (NEF)"),
            ("G8:L8", "Bedarfsgemeinschaften (BG)"),
            ("G9:G10", "Insgesamt"),
            ("H9:L9", "davon"),
            ("H10", "Single-BG"),
            ("I10", "Alleinerziehende-BG"),
            ("J10", "Partner-BG ohne Kinder"),
            ("K10", "Partner-BG mit Kindern"),
            ("L10", "sonstige BG 1)"),
        ],
        range(8, 11),
        width,
    )
    for c in range(1, width + 1):  # the row of column numbers under the header
        cell = ws.cell(11, c, c)
        cell.alignment = Alignment(horizontal="center")
        cell.font = Font(italic=True, size=8)
    row = 11
    for land in common.laender(kreise):  # the Land row above its Kreise
        row += 1
        common.data_row(ws, row, land, names.get(land, land), rows[land])
        for k in (k for k in kreise if k.key[:2] == land):
            row += 1
            common.data_row(ws, row, k.key, k.name, rows[k.key])
    notes = [
        "1) Bedarfsgemeinschaften, die keinem der übrigen Typen zugeordnet werden können.",
        "Leistungsberechtigte (LB) = Regelleistungsberechtigte (RLB) + sonstige "
        "Leistungsberechtigte; RLB = ELB + NEF.",
        common.SIGNS_NOTE,
    ]
    common.footnotes(ws, row + 2, notes, width)
    ws.freeze_panes = "C12"
    return wb


def write(out_dir: Path, land_names: dict[str, str] | None = None) -> list[Path]:
    """Write the workbook (numbers from the SGB II file in `out_dir`); `land_names` names the
    Land rows."""
    kreise, rows = numbers(out_dir, random.Random(common.BA_SEED))
    return [
        common.save_workbook(
            workbook(kreise, rows, land_names or common.LAND_NAMES), out_dir / FILE
        )
    ]


SPEC = common.Spec("ba_sgb2_kreise", (FILE,), write, needs=("sgb2_benefits",))
