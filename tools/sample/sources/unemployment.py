"""13211-02-05-4 `_<year>.csv`: one classic export per year, 2015-2024 (SYNTHETIC numbers,
the layout of a real download from regionalstatistik.de).

Table 13211-02-05-4 "Arbeitslose nach ausgewählten Personengruppen sowie Arbeitslosenquoten -
Jahresdurchschnitt - Kreise und krfr. Städte" publishes unemployed by group (ERWP06 by ERWAQ7)
and rates (ERWP09 on the dependent, ERWP10 by ERWAQ8 on all civilian labour force), but no
count of the labour force. Planners download it one year at a time, so the sample is one file
per year: Thüringen (16) and its Kreise, Eisenach (16056) `-` from 2021.

The numbers: `common.kreis_draws` gives the unemployed and an internal civilian labour force
per Kreis and year; `breakdown` adds the groups and the parts of the labour force the rates
need (men, foreigners, 15 to under 25, dependent), with its own seed. The labour force is
never published: every printed rate is computed from it (half up, one decimal), the Land's
from the summed Kreise, and the Land's counts are the sums of its Kreise.

The layout is copied from `tests/fixtures/real/genesis_classic_recent/13211-02-05-4.csv`:
cp1252, LF, `Tabelle: <code>`, title lines padded with `;`, three header rows (measure, group,
unit), rows `year;key;indented name;values`, the footer with notes, © and `Stand:`.
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from pathlib import Path

from tools.sample import common

SEED = 13_211_0205
LAND, LAND_NAME = "16", "Thüringen"
# Internal cells (Counts keys) behind each column: a count, or a rate as (unemployed, labour
# force). "ALO" and "LF" come from common.kreis_draws; "LF*" are never published.
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
FOREIGN_ALO = common.by_year(0.075, 0.10, 0.13, 0.14, 0.145, 0.15, 0.155, 0.20, 0.235, 0.25)
FOREIGN_LF = common.by_year(0.025, 0.03, 0.035, 0.04, 0.045, 0.048, 0.052, 0.06, 0.066, 0.07)
# Long-term unemployment rose after the Covid year.
LONG_TERM = common.by_year(1.0, 0.98, 0.96, 0.93, 0.90, 0.92, 1.06, 1.03, 0.98, 0.97)


def breakdown(counts: common.Counts) -> None:
    """Add the groups of the unemployed and the parts of the labour force to every Kreis and
    year of `counts` (cells "ALO" and "LF"), before transfers and merger."""
    rng = random.Random(SEED)
    for k in common.KREISE:
        town = -k.age  # +1 young university town … -1 old rural Kreis
        for year in common.YEARS:
            cells = counts[k.key, year]
            alo, lf = cells[("ALO",)], cells[("LF",)]
            # nine draws for every Kreis and year, so one cell never shifts another's numbers;
            # the labour force parts reuse the draws of their groups (rates stay steady)
            draws = [common.noise(rng, 1.0) for _ in range(9)]
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
    for measure, attribute, *_ in common.UNEMPLOYMENT_COLUMNS:
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


def rows(counts: common.Counts) -> Iterable[str]:
    """Per year the Land row (sums of its Kreise, rates from the summed internal cells), then
    the Kreise by key; a dissolved Kreis shows `-` everywhere, as GENESIS keeps its row."""
    for year in common.YEARS:
        kreise = [k for k in common.KREISE if not common.gone(k.key, year)]
        cells = counts[kreise[0].key, year]
        land = {cell: sum(counts[k.key, year][cell] for k in kreise) for cell in cells}
        yield f"{year};{LAND};  {LAND_NAME};" + ";".join(_values(land))
        for k in common.KREISE:
            if common.gone(k.key, year):
                values = ["-"] * len(common.UNEMPLOYMENT_COLUMNS)
            else:
                _check(k.key, year, counts[k.key, year])
                values = _values(counts[k.key, year])
            yield f"{year};{k.key};      {k.name};" + ";".join(values)


def write(out_dir: Path) -> list[Path]:
    counts = common.kreis_draws().unemployment
    breakdown(counts)
    pad = ";" * (2 + len(common.UNEMPLOYMENT_COLUMNS))
    head = [f"Tabelle: {common.UNEMPLOYMENT_TABLE}", *(f"{t}{pad}" for t in TITLE)]
    head += [";;;" + ";".join(c[i] for c in common.UNEMPLOYMENT_COLUMNS) for i in (2, 3, 4)]
    return common.write_yearly(
        out_dir, common.UNEMPLOYMENT_TABLE, head, rows(common.moved(counts)), FOOTER.split("\n")
    )


SPEC = common.Spec(
    "unemployment",
    common.yearly_files(common.UNEMPLOYMENT_TABLE),
    write,
)
