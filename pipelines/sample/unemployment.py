"""The unemployment sample `13211-02-05-4_<year>.csv`: one classic export per year (SYNTHETIC
numbers, the layout of a real download from regionalstatistik.de).

Table 13211-02-05-4 "Arbeitslose nach ausgewählten Personengruppen sowie Arbeitslosenquoten -
Jahresdurchschnitt - Kreise und krfr. Städte" publishes unemployed by group (ERWP06 by ERWAQ7)
and rates (ERWP09 on the dependent, ERWP10 by ERWAQ8 on all civilian labour force), but no
count of the labour force. Planners download it one year at a time, so the sample is one file
per year, 2015–2024: Thüringen (16) and its Kreise, Eisenach (16056) `-` from 2021.

The numbers: `generate.py` draws the unemployed and an internal civilian labour force per
Kreis and year (as before); `breakdown` adds the groups and the parts of the labour force the
rates need (men, foreigners, 15 to under 25, dependent), with its own seed so the totals stay
those of the shared random stream. The labour force is never published: every printed rate is
computed from it (half up, one decimal), the Land's from the summed Kreise, and the Land's
counts are the sums of its Kreise.

The layout is copied from `tests/fixtures/real/genesis_classic_recent/13211-02-05-4.csv`:
cp1252, LF, `Tabelle: <code>`, title lines padded with `;`, three header rows (measure, group,
unit), rows `year;key;indented name;values`, the footer with notes, © and `Stand:`.
"""

from __future__ import annotations

import csv
import random
from collections.abc import Iterable
from pathlib import Path

from pipelines.sample.generate import EISENACH, KREISE, MERGE_YEAR, YEARS, Counts, _noise

SEED = 13_211_0205
TABLE = "13211-02-05-4"
ENCODING = "cp1252"
LAND, LAND_NAME = "16", "Thüringen"


def file_name(year: int) -> str:
    """The site names the download `13211-02-05-4.csv`; the year keeps the files apart."""
    return f"{TABLE}_{year}.csv"


# (measure code, attribute code, measure label, group label, unit) of each value column, in
# the order of the real export.
COUNT, RATE_DEP, RATE = (
    "Arbeitslose",
    "Arbeitslosenquote bez. abh. zivile Erwerbspers.",
    "Arbeitslosenquote bez. auf alle zivile Erwerbsp.",
)
COLUMNS: tuple[tuple[str, str, str, str, str], ...] = (
    ("ERWP06", "", COUNT, "", "Anzahl"),
    ("ERWP06", "ARBEITSLOS08", COUNT, "ausländisch", "Anzahl"),
    ("ERWP06", "ARBEITSLOS06", COUNT, "schwerbehindert", "Anzahl"),
    ("ERWP06", "ARBEITSLOS12", COUNT, "15 bis unter 20 Jahre", "Anzahl"),
    ("ERWP06", "ARBEITSLOS13", COUNT, "15 bis unter 25 Jahre", "Anzahl"),
    ("ERWP06", "ARBEITSLOS14", COUNT, "55 bis unter 65 Jahre", "Anzahl"),
    ("ERWP06", "ARBEITSLOS05", COUNT, "langzeitarbeitslos", "Anzahl"),
    ("ERWP09", "", RATE_DEP, "", "Prozent"),
    ("ERWP10", "", RATE, "", "Prozent"),
    ("ERWP10", "ARBEITSQUO05", RATE, "Männer", "Prozent"),
    ("ERWP10", "ARBEITSQUO06", RATE, "Frauen", "Prozent"),
    ("ERWP10", "ARBEITSQUO07", RATE, "ausländisch", "Prozent"),
    ("ERWP10", "ARBEITSQUO09", RATE, "15 bis unter 25 Jahre", "Prozent"),
)
# Internal cells (Counts keys) behind each column: a count, or a rate as (unemployed, labour
# force). "ALO" and "LF" are drawn in generate.py; "LF*" are never published.
SOURCES: dict[tuple[str, str], tuple[str, ...]] = {
    ("ERWP06", ""): ("ALO",),
    ("ERWP06", "ARBEITSLOS08"): ("ALO_FOREIGN",),
    ("ERWP06", "ARBEITSLOS06"): ("ALO_DISABLED",),
    ("ERWP06", "ARBEITSLOS12"): ("ALO_15_19",),
    ("ERWP06", "ARBEITSLOS13"): ("ALO_15_24",),
    ("ERWP06", "ARBEITSLOS14"): ("ALO_55_64",),
    ("ERWP06", "ARBEITSLOS05"): ("ALO_LONG_TERM",),
    ("ERWP09", ""): ("ALO", "LF_DEPENDENT"),
    ("ERWP10", ""): ("ALO", "LF"),
    ("ERWP10", "ARBEITSQUO05"): ("ALO_MEN", "LF_MEN"),
    ("ERWP10", "ARBEITSQUO06"): ("ALO_WOMEN", "LF_WOMEN"),
    ("ERWP10", "ARBEITSQUO07"): ("ALO_FOREIGN", "LF_FOREIGN"),
    ("ERWP10", "ARBEITSQUO09"): ("ALO_15_24", "LF_15_24"),
}

TITLE = (
    "Arbeitslose nach ausgewählten Personengruppen sowie",
    "Arbeitslosenquoten - Jahresdurchschnitt - (ab 2009)",
    "regionale Tiefe:",
    "Kreise und krfr. Städte",
    "Arbeitsmarktstatistik der Bundesagentur für Arbeit",
)
# The footer as the site writes it (two of its "empty" lines hold one space, `\x20`).
FOOTER = """__________
"zu ""gesamte Tabelle"":
Berichtsjahre 2001-2007: Daten sind nicht revidiert.
Berichtjahre 2008-2013: Rheinland-Pfalz, Sachsen: Auf Ebene
der Regierungsbezirke/Statistischen Regionen liegen
aufgrund geänderter Gebietsgliederungen bei der Aufnahme
der revidierten Ergebnisse der Bundesagentur für Arbeit
keine Daten vor.

Quelle: Arbeitsmarktstatistik der Bundesagentur für Arbeit
(BA).
Die Daten zur Arbeitslosigkeit basieren seit der Einführung
des Sozialgesetzbuches II zum Jahresbeginn 2005 auf
Informationen aus dem IT-Fachverfahren der BA, aus plausibel
bewerteten Datenlieferungen zugelassener kommunaler Träger
und - sofern keine plausiblen Daten geliefert wurden - aus
ergänzenden Schätzungen der BA.
Bestandsergebnisse sind nach soziodemografischen Merkmalen
(Geschlecht, Altersgruppen, Nationalität) und regionalen
Gebietsstrukturen (politisch bis auf Kreis-/Gemeindeebene,
BA- und SGB II Gebietsstruktur) verfügbar.

Weitere Informationen zur Methode, Statistikverfahren,
Datenqualität können dem entsprechenden Qualitätsbericht der
BA entnommen werden:
https://statistik.arbeitsagentur.de/DE/Statischer-Content/Grundlagen/Methodik-Qualitaet/Qualitaetsberichte/Generische-Publikationen/Qualitaetsbericht-Statistik-Arbeitslose-Arbeitsuchende.pdf

2017: Aufgrund der starken Zuwanderung wird die Ausländerar-
beitslosenquote auf Kreisebene nicht ausgewiesen.

Baden-Württemberg: Berichtsjahr 1995-2010 Gebietsstand
01.01.1979; ab Berichtsjahr 2011 Gebietsstand 01.01.2011
\x20
zu ""Arbeitslosenquote (bez. auf Erwerbspersonen)"":
Niedersachsen (2001): Ergebnisse für die Region Hannover
errechnet aus dem ehemaligen Landkreis Hannover und der
Landeshauptstadt Hannover. (Rundungsdifferenzen sind mög-
lich.)
\x20
zu ""Arbeitslosenquote (bez. auf abhängige Erwerbspersonen)"":
Niedersachsen (2001): Ergebnisse für die Region Hannover
errechnet aus dem ehemaligen Landkreis Hannover und der
Landeshauptstadt Hannover. (Rundungsdifferenzen sind mög-
lich.)"
"© Statistische Ämter des Bundes und der Länder, Deutschland, 2026.
Dieses Werk ist lizenziert unter der Datenlizenz Deutschland
- Namensnennung - Version 2.0."
Stand: 09.07.2026 / 11:01:42"""

# Share of foreigners among the unemployed and in the labour force, Thüringen-like, by year:
# low in 2015, rising with the arrivals of 2015/16 and 2022.
FOREIGN_ALO = dict(
    zip(YEARS, (0.075, 0.10, 0.13, 0.14, 0.145, 0.15, 0.155, 0.20, 0.235, 0.25), strict=True)
)
FOREIGN_LF = dict(
    zip(YEARS, (0.025, 0.03, 0.035, 0.04, 0.045, 0.048, 0.052, 0.06, 0.066, 0.07), strict=True)
)
# Long-term unemployment rose after the Covid year.
LONG_TERM = dict(
    zip(YEARS, (1.0, 0.98, 0.96, 0.93, 0.90, 0.92, 1.06, 1.03, 0.98, 0.97), strict=True)
)


def breakdown(counts: Counts) -> None:
    """Add the groups of the unemployed and the parts of the labour force to every Kreis and
    year of `counts` (cells "ALO" and "LF" from generate.py), before transfers and merger."""
    rng = random.Random(SEED)
    for k in KREISE:
        town = -k.age  # +1 young university town … -1 old rural Kreis
        for year in YEARS:
            cells = counts[k.key, year]
            alo, lf = cells[("ALO",)], cells[("LF",)]
            # nine draws for every Kreis and year, so one cell never shifts another's numbers;
            # the labour force parts reuse the draws of their groups (rates stay steady)
            draws = [_noise(rng, 1.0) for _ in range(9)]
            foreign = FOREIGN_ALO[year] * (1 + 0.25 * town) * (1 + 0.05 * draws[0])
            foreign_lf = FOREIGN_LF[year] * (1 + 0.25 * town) * (1 + 0.03 * draws[1])
            u25 = (0.095 + 0.005 * town) * (1 + 0.04 * draws[2])
            alo_15_24 = round(alo * u25)
            men = round(alo * (0.56 + 0.01 * draws[3]))
            lf_men = round(lf * (0.53 + 0.005 * draws[4]))
            cells |= {
                ("ALO_FOREIGN",): round(alo * foreign),
                ("ALO_DISABLED",): round(alo * (0.065 - 0.008 * town + 0.004 * draws[5])),
                ("ALO_15_19",): round(alo_15_24 * (0.28 + 0.02 * draws[6])),
                ("ALO_15_24",): alo_15_24,
                ("ALO_55_64",): round(alo * (0.26 - 0.03 * town + 0.01 * draws[7])),
                ("ALO_LONG_TERM",): round(alo * LONG_TERM[year] * (0.35 + 0.015 * draws[8])),
                ("ALO_MEN",): men,
                ("ALO_WOMEN",): alo - men,
                ("LF_DEPENDENT",): round(lf * (0.915 + 0.004 * draws[4])),
                ("LF_MEN",): lf_men,
                ("LF_WOMEN",): lf - lf_men,
                ("LF_FOREIGN",): round(lf * foreign_lf),
                ("LF_15_24",): round(lf * (0.085 + 0.004 * town) * (1 + 0.02 * draws[2])),
            }


def _quota(unemployed: int, labour: int) -> str:
    """round(100 * unemployed / labour, 1), half up, with decimal comma (exact integers)."""
    q = (2000 * unemployed + labour) // (2 * labour)
    return f"{q // 10},{q % 10}"


def _values(cells: dict[tuple[str, ...], int]) -> list[str]:
    """The 13 printed cells of a region: counts as they are, rates from the internal cells."""
    out = []
    for measure, attribute, *_ in COLUMNS:
        source = SOURCES[measure, attribute]
        if len(source) == 1:
            out.append(str(cells[source]))
        else:
            out.append(_quota(cells[(source[0],)], cells[(source[1],)]))
    return out


def _check(key: str, year: int, cells: dict[tuple[str, ...], int]) -> None:
    """Stop before writing a file whose groups exceed their total or whose rates cannot be."""
    alo = cells[("ALO",)]
    groups = [cells[(c,)] for c in ("ALO_FOREIGN", "ALO_DISABLED", "ALO_55_64", "ALO_LONG_TERM")]
    if not (
        0 <= cells[("ALO_15_19",)] <= cells[("ALO_15_24",)] <= alo
        and all(0 <= n <= alo for n in groups)
        and all(
            0 < cells[(u,)] < cells[(lf,)] for u, lf in (s for s in SOURCES.values() if len(s) == 2)
        )
    ):
        raise ValueError(f"inconsistent unemployment figures for {key} {year}")


def _rows(counts: Counts, year: int) -> Iterable[str]:
    """The Land row (sums of its Kreise, rates from the summed internal cells), then the
    Kreise by key; a dissolved Kreis shows `-` everywhere, as GENESIS keeps its row."""
    merged = year >= MERGE_YEAR
    kreise = [k for k in KREISE if not (merged and k.key == EISENACH)]
    cells = counts[kreise[0].key, year]
    land = {cell: sum(counts[k.key, year][cell] for k in kreise) for cell in cells}
    yield f"{year};{LAND};  {LAND_NAME};" + ";".join(_values(land))
    for k in KREISE:
        if merged and k.key == EISENACH:
            values = ["-"] * len(COLUMNS)
        else:
            _check(k.key, year, counts[k.key, year])
            values = _values(counts[k.key, year])
        yield f"{year};{k.key};      {k.name};" + ";".join(values)


def render(counts: Counts, year: int) -> bytes:
    """One year's export, byte for byte as the site writes it (cp1252, LF)."""
    width = 3 + len(COLUMNS)
    pad = ";" * (width - 1)
    lines = [f"Tabelle: {TABLE}", *(f"{t}{pad}" for t in TITLE)]
    lines += [
        ";;;" + ";".join(c[2] for c in COLUMNS),
        ";;;" + ";".join(c[3] for c in COLUMNS),
        ";;;" + ";".join(c[4] for c in COLUMNS),
    ]
    lines += list(_rows(counts, year))
    return ("\n".join([*lines, FOOTER]) + "\n").encode(ENCODING)


def write(out_dir: Path, counts: Counts) -> list[Path]:
    """Write one export per year into `out_dir`."""
    paths = []
    for year in YEARS:
        path = out_dir / file_name(year)
        path.write_bytes(render(counts, year))
        paths.append(path)
    return paths


# --- reading the sample back (for the files derived from it) ---------------------------------


Figures = dict[str, dict[tuple[str, str], str]]  # region key -> (measure, attribute) -> cell


def read_year(directory: Path, year: int) -> tuple[Figures, dict[str, str]]:
    """The cells of one year's export by region key, and the region names (unindented)."""
    text = (directory / file_name(year)).read_bytes().decode(ENCODING)
    figures: Figures = {}
    names: dict[str, str] = {}
    for fields in csv.reader(text.split("\n"), delimiter=";"):
        if len(fields) == 3 + len(COLUMNS) and fields[0] == str(year):
            key = fields[1]
            names[key] = fields[2].strip()
            figures[key] = {(c[0], c[1]): v for c, v in zip(COLUMNS, fields[3:], strict=True)}
    if not figures:
        raise ValueError(f"{file_name(year)}: no data rows for {year}")
    return figures, names


def count(figures: Figures, key: str, attribute: str = "") -> int:
    """An ERWP06 count of a region (`attribute` '' for all unemployed)."""
    return int(figures[key]["ERWP06", attribute])


def rate(figures: Figures, key: str, measure: str = "ERWP10", attribute: str = "") -> float:
    """A published rate of a region."""
    return float(figures[key][measure, attribute].replace(",", "."))
