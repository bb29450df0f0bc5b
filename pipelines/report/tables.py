"""The report's tables as rows of German text, the same for the HTML and the PDF."""

from __future__ import annotations

from pipelines.report import text
from pipelines.report.data import KreisValues, Report

# Explanations printed under the tables and charts (HTML and PDF alike).
NOTE_RANK = (
    "Rang 1 = günstigster Wert unter den Kreisen (bei Indikatoren ohne Wertung: höchster Wert)."
)
NOTE_CHANGE = "Veränderungen in Prozentpunkten (Pp.) bei Quoten und Anteilen."
NOTE_RANKING = "Rang 1 = günstigster Wert (ohne Wertung: höchster Wert)."
NOTE_DISPARITY = (
    "Variationskoeffizient: Standardabweichung der Kreiswerte geteilt durch ihren Mittelwert "
    "(sinkt er, nähern sich die Kreise an); Max/Min: höchster Kreiswert geteilt durch den "
    "niedrigsten."
)
NOTE_SOCIAL_INDEX = (
    "Statusindex: Mittel der z-Werte der vier Anteile (Arbeitslose, Langzeitarbeitslose, "
    "SGB II, Kinderarmut) unter den Gebieten der Stadt im Jahr; höher = ungünstiger. Dynamik: "
    "die Veränderung der Anteile über zwei Jahre. Der Index vergleicht die Gebiete einer Stadt "
    "in einem Jahr; Werte verschiedener Städte oder Jahre sind nicht vergleichbar. Gebiete mit "
    "geheim gehaltenen Zahlen (.) werden nicht eingestuft."
)
NOTE_GOALS = (
    "Sollwert: wo der geradlinige Weg vom Ausgangs- zum Zielwert im Jahr des letzten Werts "
    "steht; auf Kurs ist ein Ziel, dessen letzter Wert mindestens so gut ist."
)
NO_MAP = "Für das Gebiet liegt keine Karte der Kreise vor."
NO_SOZIALRAUM = "Für die Gemeinden dieses Kreises liegen keine Daten zu Sozialräumen vor."
NO_GOALS = "Für diese Region sind keine Planungsziele hinterlegt."


def note_headlines(report: Report) -> str:
    return NOTE_CHANGE if report.is_land else f"{NOTE_RANK} {NOTE_CHANGE}"


def note_series(report: Report) -> str:
    who = "das Land" if report.is_land else f"{report.region.name} und das Land"
    return f"Linien: {who}; graue Fläche: Spanne vom niedrigsten bis zum höchsten Wert der Kreise."


def note_maps(report: Report) -> str:
    marked = "" if report.is_land else f" {report.region.name} ist schwarz umrandet."
    return f"Werte {report.year}.{marked}"


def sozialraum_heading(report: Report) -> str:
    if not report.sozialraeume:
        return "Sozialräume"
    return f"Sozialräume und Sozialindex {report.sozialraum_year}"


def headline_rows(report: Report) -> tuple[list[str], list[list[str]]]:
    """Headers and rows of the headline table (the PDF prints the same)."""
    land = report.land.name
    if report.is_land:
        headers = [
            "Indikator",
            f"{land} {report.year}",
            "Veränderung zum Vorjahr",
            "Veränderung über 5 Jahre",
            "Spanne der Kreise",
        ]
    else:
        headers = [
            "Indikator",
            f"{report.year}",
            land,
            "Rang unter den Kreisen",
            "Veränderung zum Vorjahr",
            "Veränderung über 5 Jahre",
        ]
    spans = {
        s.indicator.id: next((p for p in s.points if p.period == report.year), None)
        for s in report.series
    }
    rows = []
    for h in report.headlines:
        unit = h.indicator.unit
        value = text.number(h.value, unit, h.status)
        changes = [text.change(h.change_1y, unit), text.change(h.change_5y, unit)]
        if report.is_land:
            span = spans.get(h.indicator.id)
            low, high = (span.kreis_min, span.kreis_max) if span else (None, None)
            spread = (
                f"{text.number(low, unit, with_unit=False)} bis {text.number(high, unit)}"
                if low is not None and high is not None
                else text.NO_VALUE
            )
            rows.append([h.indicator.title, value, *changes, spread])
        else:
            land_value = text.number(h.land_value, unit)
            rows.append(
                [h.indicator.title, value, land_value, text.rank(h.rank, h.kreise), *changes]
            )
    return headers, rows


def ranking_rows(values: KreisValues) -> list[list[str]]:
    unit = values.indicator.unit
    return [
        [text.rank(r.rank, None), r.name, text.number(r.value, unit, r.status)] for r in values.rows
    ]


def gemeinde_rows(report: Report) -> tuple[list[str], list[list[str]]]:
    headers = ["Gemeinde", "Schlüssel", f"Bevölkerung {report.year}", "Veränderung über 5 Jahre"]
    rows = []
    for g in report.gemeinden:
        pop = g.values.get("population")
        rows.append(
            [
                g.name,
                g.key,
                text.number(pop.value if pop else None, "Anzahl", pop.status if pop else None),
                text.change(pop.change_5y if pop else None, "Anzahl"),
            ]
        )
    return headers, rows


def sozialraum_rows(report: Report) -> tuple[list[str], list[list[str]]]:
    headers = [
        "Sozialraum",
        "Einwohner",
        "SGB II je 100 EW",
        "Kinderarmut %",
        "Arbeitslose je 100 EW 15–64",
        "Statusindex",
        "Status",
        "Dynamik",
    ]
    rows = []
    for s in report.sozialraeume:
        status = s.status_class_de + (
            f" ({s.exclusion_reason_de})" if s.exclusion_reason_de else ""
        )
        shares = [s.transfer_share, s.child_poverty_share, s.unemployment_share]
        rows.append(
            [
                f"{s.name} ({s.city.split(',')[0]})",
                text.number(s.population, "Anzahl", "."),
                *[text.number(v, "Prozent", ".", with_unit=False) for v in shares],
                text.index(s.status_index),
                status,
                s.dynamics_class_de,
            ]
        )
    return headers, rows


def goal_rows(report: Report) -> tuple[list[str], list[list[str]]]:
    headers = ["Ziel", "Ausgangswert", "Zielwert", "Letzter Wert", "Sollwert (Pfad)", "Stand"]
    rows = []
    for g in report.goals:
        unit = g.indicator.unit
        rows.append(
            [
                f"{g.note} ({g.indicator.title})",
                f"{text.number(g.baseline_value, unit)} ({g.baseline_year})",
                f"{text.number(g.target_value, unit)} ({g.target_year})",
                f"{text.number(g.latest_value, unit)} ({g.latest_year or text.NO_VALUE})",
                text.number(g.path_value, unit),
                g.status_de,
            ]
        )
    return headers, rows


def footnote_lines(report: Report, map_attribution: str | None) -> dict[str, list[str]]:
    """The footnotes as headed lists of lines (the PDF prints the same)."""
    f = report.footnotes
    published = f"{f.published_at:%d.%m.%Y %H:%M} UTC" if f.published_at else text.NO_VALUE
    stand = [
        f"Release {f.release}, veröffentlicht {published}.",
        f"Gebietsstand {text.date_de(f.gebietsstand)}: alle Zeitreihen auf den Gebietsstand "
        "umgerechnet, Landeswerte aus den summierten Zählern und Nennern der Kreise.",
    ]
    sources = [f"{i.title}: Statistik {i.source_statistics} ({i.licence})" for i in f.indicators]
    licences = list(f.attributions)
    if map_attribution:
        licences.append(f"Kartengrundlage: {map_attribution}")
    signs = [f"{s.code}  {s.label}" + (f": {s.meaning}" if s.meaning else "") for s in f.signs]
    polarity = [f"{p.label}: {p.meaning}" for p in report.polarities if p.meaning]
    return {
        "Datenstand": stand,
        "Quellen": sources,
        "Lizenzen und Namensnennung": licences,
        "Zeichenerklärung": signs,
        "Rang und Wertung": polarity,
    }
