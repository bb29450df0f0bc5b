"""Deterministic generator of two sample workbooks laid out like the tables of the Statistik
der Bundesagentur für Arbeit (BA), with SYNTHETIC numbers.

- `ba_sgb2_kreise_2024.xlsx`: Grundsicherung für Arbeitsuchende (SGB II) – Leistungsberechtigte
  and Bedarfsgemeinschaften by type, Kreise of Thüringen, Jahresdurchschnitt 2024;
- `ba_arbeitslose_kreise_2024.xlsx`: Arbeitslose nach Rechtskreisen, Kreise of Thüringen,
  Jahresdurchschnitt 2024.

The numbers agree with the synthetic GENESIS-style sample of `generate.py`: LB and RLB are those
of `SGB2-01-4_de_flat.csv`; Arbeitslose, Langzeitarbeitslose, 15 bis unter 25 and the quota those
of `13211-02-05-4_2024.csv` (Land rows included);
everything else is derived from them with a fixed seed. The workbooks have what BA tables have:
a cover sheet, a title block, merged multi-row column headers, a row of column numbers, the
Land row, `*` (anonymised), `-` (nothing) and footnotes.

openpyxl stamps the save time into `docProps/core.xml` and every ZIP member; both are fixed
here (properties dated 2025-01-01, members re-written with a fixed date), so a second run
writes the same bytes.

    python -m pipelines.sample.generate   (writes every sample file)
"""

from __future__ import annotations

import csv
import io
import random
import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from pipelines.sample import unemployment
from pipelines.sample.generate import _largest_remainder

SEED = 16_2024
YEAR = 2024
DEFAULT_OUT = Path(__file__).resolve().parents[2] / "sample_data"
SGB2_SOURCE = "SGB2-01-4_de_flat.csv"
UNEMPLOYMENT_SOURCE = unemployment.file_name(2024)  # the year of the workbooks
SGB2_FILE = "ba_sgb2_kreise_2024.xlsx"
ALO_FILE = "ba_arbeitslose_kreise_2024.xlsx"
SHEET = "Tabelle 1"
LAND_NAMES = {"16": "Thüringen"}  # Land rows: one per Land of the Kreise in the tables
EISENACH = "16056"  # part of the Wartburgkreis since 01.07.2021: no own row in 2024
FIXED_TIME = datetime(2025, 1, 1, 0, 0, 0)
ZIP_TIME = (2025, 1, 1, 0, 0, 0)
SYNTHETIC = "SYNTHETISCHE BEISPIELDATEN – keine amtlichen Zahlen der Bundesagentur für Arbeit"
SOURCE_NOTE = "Quelle: Statistik der Bundesagentur für Arbeit"
COPYRIGHT = "© Statistik der Bundesagentur für Arbeit"
ANONYMISED = "*"  # BA: values of 1 or 2 (and values from which they could be derived)
NOTHING = "-"

THIN = Side(style="thin", color="808080")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
HEADER_ALIGN = Alignment(horizontal="center", vertical="center", wrap_text=True)
COUNT_FORMAT = "#,##0"
QUOTA_FORMAT = "0.0"


@dataclass(frozen=True)
class Kreis:
    key: str
    name: str  # as the BA writes it: "Erfurt, Stadt", "Eichsfeld"


Cell = int | float | str  # a number or a BA marker


def _ba_name(genesis_name: str) -> str:
    """'Erfurt, kreisfreie Stadt' -> 'Erfurt, Stadt'; 'Eichsfeld, Landkreis' -> 'Eichsfeld'."""
    if genesis_name.endswith(", kreisfreie Stadt"):
        return genesis_name.removesuffix(", kreisfreie Stadt") + ", Stadt"
    return genesis_name.removesuffix(", Landkreis")


def _read_2024(path: Path, total_only: bool) -> tuple[dict[str, dict[str, int | str]], list[Kreis]]:
    """Values of 2024 by Kreis key and measure code, from a GENESIS ffcsv sample file."""
    values: dict[str, dict[str, int | str]] = {}
    names: dict[str, str] = {}
    with path.open(encoding="utf-8-sig", newline="") as f:
        for row in csv.DictReader(f, delimiter=";", quoting=csv.QUOTE_NONE):
            key = row["1_variable_attribute_code"]
            if row["time"] != str(YEAR) or key == EISENACH:
                continue
            if total_only and row["2_variable_attribute_code"] != "":
                continue
            raw = row["value"]
            value: int | str = raw if "," in raw else int(raw)
            values.setdefault(key, {})[row["value_variable_code"]] = value
            names[key] = _ba_name(row["1_variable_attribute_label"])
    kreise = [Kreis(k, names[k]) for k in sorted(values)]
    return values, kreise


# --- numbers -----------------------------------------------------------------------------

SGB2_COLUMNS = ("LB", "RLB", "ELB", "NEF", "BG", "BG1", "BG2", "BG3", "BG4", "BG5")
# Bedarfsgemeinschaften by type: Single, Alleinerziehende, Partner ohne / mit Kindern (sonstige
# are drawn separately, as a small share).
BG_TYPE_WEIGHTS = (0.54, 0.17, 0.11, 0.18)


def _sgb2_numbers(source: Path, rng: random.Random) -> tuple[list[Kreis], dict[str, list[Cell]]]:
    values, kreise = _read_2024(source, total_only=True)
    true: dict[str, list[int]] = {}
    for k in kreise:
        lb, rlb = int(values[k.key]["LB"]), int(values[k.key]["RLB"])
        elb = round(lb * rng.uniform(0.72, 0.75))
        nef = rlb - elb  # RLB = ELB + NEF (BA definition); LB = RLB + sonstige LB
        bg = round(lb * rng.uniform(0.55, 0.60))
        other = round(bg * rng.uniform(0.002, 0.006))
        weights = [w * rng.uniform(0.95, 1.05) for w in BG_TYPE_WEIGHTS]
        true[k.key] = [lb, rlb, elb, nef, bg, *_largest_remainder(bg - other, weights), other]
    # The smallest Kreise get very few "sonstige BG": 2 and 1 are anonymised, 0 is "nothing".
    smallest = sorted(true, key=lambda key: (true[key][4], key))[:3]
    for key, n in zip(smallest, (2, 1, 0), strict=True):
        row = true[key]
        row[5] += row[9] - n  # keep the types summing to BG
        row[9] = n
    shown: dict[str, list[Cell]] = {}
    for land in sorted({key[:2] for key in true}):
        rows = [row for key, row in true.items() if key[:2] == land]
        shown[land] = [sum(col) for col in zip(*rows, strict=True)]
    for key, row in true.items():
        shown[key] = [ANONYMISED if n in (1, 2) else NOTHING if n == 0 else n for n in row]
    return kreise, shown


def _alo_numbers(source: Path, rng: random.Random) -> tuple[list[Kreis], dict[str, list[Cell]]]:
    """The 2024 figures 13211-02-05-4 publishes (all unemployed, long-term, 15 to under 25,
    the rate on all civilian labour force; Land rows as printed there), with the split into
    SGB III and SGB II drawn: the BA and the Regionalstatistik publish the same numbers."""
    figures, names = unemployment.read_year(source, YEAR)
    kreise = [
        Kreis(key, _ba_name(names[key]))
        for key in sorted(figures)
        if len(key) == 5 and key != EISENACH
    ]
    rows: dict[str, list[Cell]] = {}
    for key in [k.key for k in kreise] + sorted({k.key[:2] for k in kreise}):
        total = unemployment.count(figures, key)
        rows[key] = [
            total,
            0,  # SGB III and SGB II: drawn below for the Kreise, summed for the Land
            0,
            unemployment.count(figures, key, "ARBEITSLOS05"),
            unemployment.count(figures, key, "ARBEITSLOS13"),
            unemployment.rate(figures, key),
        ]
    for k in kreise:
        row = rows[k.key]
        sgb2 = round(int(row[0]) * rng.uniform(0.60, 0.65))
        row[1], row[2] = int(row[0]) - sgb2, sgb2
        land = rows[k.key[:2]]
        land[1], land[2] = int(land[1]) + int(row[1]), int(land[2]) + int(row[2])
    return kreise, rows


# --- layout ------------------------------------------------------------------------------


def _new_workbook(title: str) -> Workbook:
    wb = Workbook()
    props = wb.properties
    props.creator = "pipelines.sample.ba_workbooks (synthetische Beispieldaten)"
    props.lastModifiedBy = props.creator
    props.title = title
    props.created = FIXED_TIME
    props.modified = FIXED_TIME
    return wb


def _cover(ws: Worksheet, lines: list[str]) -> None:
    """The "Hinweise" sheet BA workbooks open with: title, notes, signs, licence."""
    ws.title = "Hinweise"
    for i, text in enumerate(lines, start=1):
        ws.cell(i, 1, text)
    ws["A1"].font = Font(bold=True, size=14)
    ws.column_dimensions["A"].width = 110


def _title_block(ws: Worksheet, lines: list[str], width: int) -> None:
    for i, text in enumerate(lines, start=1):
        ws.cell(i, 1, text)
        ws.merge_cells(start_row=i, start_column=1, end_row=i, end_column=width)
    ws["A1"].font = Font(bold=True, size=12)


def _header(ws: Worksheet, cells: list[tuple[str, str]], rows: range, width: int) -> None:
    """Merged header cells: (range like 'C8:F8', text); every cell of the block gets a border."""
    for ref, text in cells:
        first = ref.split(":")[0]
        ws[first] = text
        if ":" in ref:
            ws.merge_cells(ref)
    for r in rows:
        ws.row_dimensions[r].height = 45
        for c in range(1, width + 1):
            cell = ws.cell(r, c)
            cell.border = BOX
            cell.alignment = HEADER_ALIGN
            cell.font = Font(bold=True)


def _area(kreise: list[Kreis], names: dict[str, str]) -> str:
    """What the workbook covers: one Land's name, or 'Länder' and their keys."""
    laender = _laender(kreise)
    return (
        names.get(laender[0], laender[0]) if len(laender) == 1 else "Länder " + ", ".join(laender)
    )


def _laender(kreise: list[Kreis]) -> list[str]:
    return sorted({k.key[:2] for k in kreise})


def _data_row(ws: Worksheet, row: int, key: str, name: str, cells: Sequence[Cell]) -> None:
    ws.cell(row, 1, key)
    ws.cell(row, 2, name)
    for c, value in enumerate(cells, start=3):
        cell = ws.cell(row, c, value)
        if isinstance(value, str):
            cell.alignment = Alignment(horizontal="right")
        else:
            cell.number_format = QUOTA_FORMAT if isinstance(value, float) else COUNT_FORMAT
    if len(key) == 2:
        for c in range(1, len(cells) + 3):
            ws.cell(row, c).font = Font(bold=True)


def _footnotes(ws: Worksheet, first_row: int, lines: list[str], width: int) -> None:
    for i, text in enumerate(lines):
        ws.cell(first_row + i, 1, text)
        ws.merge_cells(
            start_row=first_row + i, start_column=1, end_row=first_row + i, end_column=width
        )


def _widths(ws: Worksheet, width: int) -> None:
    ws.column_dimensions["A"].width = 14
    ws.column_dimensions["B"].width = 30
    for c in range(3, width + 1):
        ws.column_dimensions[get_column_letter(c)].width = 15


SIGNS_NOTE = (
    "Zeichenerklärung: * Zahlenwert anonymisiert (1 oder 2 Personen bzw. Bedarfsgemeinschaften "
    "oder Rückrechnung auf einen solchen Wert möglich); - nichts vorhanden; "
    "x Nachweis nicht sinnvoll"
)


def _sgb2_workbook(
    kreise: list[Kreis], numbers: dict[str, list[Cell]], names: dict[str, str]
) -> Workbook:
    title = "Grundsicherung für Arbeitsuchende (SGB II) – Kreise und kreisfreie Städte"
    wb = _new_workbook(title)
    _cover(
        wb.active,
        [
            title,
            "Leistungsberechtigte und Bedarfsgemeinschaften nach Typ",
            f"{_area(kreise, names)}, Jahresdurchschnitt 2024",
            "",
            SYNTHETIC,
            "",
            SIGNS_NOTE,
            "",
            SOURCE_NOTE,
            "Datenlizenz Deutschland – Namensnennung – Version 2.0 (www.govdata.de/dl-de/by-2-0)",
            COPYRIGHT,
        ],
    )
    ws = wb.create_sheet(SHEET)
    width = 2 + len(SGB2_COLUMNS)
    _title_block(
        ws,
        [
            "Grundsicherung für Arbeitsuchende (SGB II)",
            "Leistungsberechtigte und Bedarfsgemeinschaften – Kreise und kreisfreie Städte",
            f"Region: {_area(kreise, names)}",
            "Berichtszeitraum: Jahresdurchschnitt 2024",
            "Datenstand: April 2025 (Wartezeit 3 Monate)",
            SYNTHETIC,
        ],
        width,
    )
    _header(
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
    for land in _laender(kreise):  # the Land row above its Kreise
        row += 1
        _data_row(ws, row, land, names.get(land, land), numbers[land])
        for k in (k for k in kreise if k.key[:2] == land):
            row += 1
            _data_row(ws, row, k.key, k.name, numbers[k.key])
    _footnotes(
        ws,
        row + 2,
        [
            "1) Bedarfsgemeinschaften, die keinem der übrigen Typen zugeordnet werden können.",
            "Leistungsberechtigte (LB) = Regelleistungsberechtigte (RLB) + sonstige "
            "Leistungsberechtigte; RLB = ELB + NEF.",
            SIGNS_NOTE,
            SYNTHETIC,
            SOURCE_NOTE,
            COPYRIGHT,
        ],
        width,
    )
    _widths(ws, width)
    ws.freeze_panes = "C12"
    return wb


def _alo_workbook(
    kreise: list[Kreis], numbers: dict[str, list[Cell]], names: dict[str, str]
) -> Workbook:
    title = "Arbeitsmarkt in Zahlen – Arbeitslose nach Rechtskreisen – Kreise und kreisfreie Städte"
    wb = _new_workbook(title)
    _cover(
        wb.active,
        [
            "Arbeitsmarkt in Zahlen",
            "Arbeitslose nach Rechtskreisen – Kreise und kreisfreie Städte",
            f"{_area(kreise, names)}, Jahresdurchschnitt 2024",
            "",
            SYNTHETIC,
            "",
            SIGNS_NOTE,
            "",
            SOURCE_NOTE,
            "Datenlizenz Deutschland – Namensnennung – Version 2.0 (www.govdata.de/dl-de/by-2-0)",
            COPYRIGHT,
        ],
    )
    ws = wb.create_sheet(SHEET)
    width = 8
    _title_block(
        ws,
        [
            "Arbeitsmarkt in Zahlen",
            "Arbeitslose nach Rechtskreisen – Kreise und kreisfreie Städte",
            f"Land: {_area(kreise, names)}",
            "Jahresdurchschnitt 2024",
            "Datenstand: Januar 2025",
            SYNTHETIC,
        ],
        width,
    )
    _header(
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
    for land in _laender(kreise):
        for k in (k for k in kreise if k.key[:2] == land):
            row += 1
            _data_row(ws, row, k.key, k.name, numbers[k.key])
        row += 1
        _data_row(ws, row, land, names.get(land, land), numbers[land])
    _footnotes(
        ws,
        row + 2,
        [
            "1) Arbeitslose in Prozent aller zivilen Erwerbspersonen (abhängige zivile "
            "Erwerbspersonen, Selbständige und mithelfende Familienangehörige).",
            SYNTHETIC,
            SOURCE_NOTE,
            COPYRIGHT,
        ],
        width,
    )
    _widths(ws, width)
    ws.freeze_panes = "C10"
    return wb


# --- byte-stable output --------------------------------------------------------------------


def _fixed_core(xml: bytes) -> bytes:
    """openpyxl sets `dcterms:modified` to the time of saving; put the fixed date back."""
    stamp = FIXED_TIME.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    return re.sub(
        rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)", rb"\g<1>" + stamp + rb"\g<2>", xml
    )


def _save(wb: Workbook, path: Path) -> Path:
    """Save with fixed document properties and fixed ZIP member dates."""
    buffer = io.BytesIO()
    wb.save(buffer)
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as src,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst,
    ):
        for item in src.infolist():
            info = zipfile.ZipInfo(item.filename, date_time=ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 0
            info.external_attr = 0
            data = src.read(item.filename)
            if item.filename == "docProps/core.xml":
                data = _fixed_core(data)
            dst.writestr(info, data)
    path.write_bytes(out.getvalue())
    return path


def _source_dir(out_dir: Path) -> Path:
    """The ffcsv sample to derive from: in `out_dir` if written there, else the project's."""
    if (out_dir / SGB2_SOURCE).is_file() and (out_dir / UNEMPLOYMENT_SOURCE).is_file():
        return out_dir
    return DEFAULT_OUT


def generate(
    out_dir: Path, source_dir: Path | None = None, land_names: dict[str, str] | None = None
) -> list[Path]:
    """Write the two BA sample workbooks into `out_dir`; same bytes on every run.

    The numbers are derived from the ffcsv sample files in `source_dir` (default: `out_dir` if
    it holds them, else the project's `sample_data/`); `land_names` names the Land rows.
    """
    names = land_names or LAND_NAMES
    out_dir.mkdir(parents=True, exist_ok=True)
    source = source_dir or _source_dir(out_dir)
    rng = random.Random(SEED)
    kreise, sgb2 = _sgb2_numbers(source / SGB2_SOURCE, rng)
    kreise_alo, alo = _alo_numbers(source, rng)
    if [k.key for k in kreise] != [k.key for k in kreise_alo]:
        raise ValueError("the SGB II and unemployment samples cover different Kreise")
    return [
        _save(_sgb2_workbook(kreise, sgb2, names), out_dir / SGB2_FILE),
        _save(_alo_workbook(kreise_alo, alo, names), out_dir / ALO_FILE),
    ]
