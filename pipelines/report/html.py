"""The report as one self-contained HTML file: inline CSS and inline SVG, no script, no font,
image or style sheet from anywhere else, so it opens offline and prints as it is."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from html import escape

from pipelines.report import tables, text
from pipelines.report.charts import DISPARITY
from pipelines.report.data import Label, Report

CSS = """
body { font-family: "Liberation Sans", Arial, Helvetica, sans-serif; color: #222; margin: 0 auto;
  max-width: 1100px; padding: 1.5em; font-size: 14px; line-height: 1.4; }
h1 { font-size: 1.7em; margin-bottom: 0.2em; } h2 { font-size: 1.3em; margin-top: 1.6em;
  border-bottom: 2px solid #08519c; padding-bottom: 0.15em; } h3 { font-size: 1.05em; }
.stand { color: #555; margin-top: 0; }
table { border-collapse: collapse; margin: 0.6em 0; font-size: 0.92em; }
th, td { border-bottom: 1px solid #ddd; padding: 0.25em 0.6em; text-align: left;
  vertical-align: top; }
th { background: #eef3f8; } td.num, th.num { text-align: right; white-space: nowrap; }
.charts { display: flex; flex-wrap: wrap; gap: 1em 2em; }
figure { margin: 0.5em 2.5em 0.5em 0; break-inside: avoid; }
figure svg { max-width: 100%; height: auto; overflow: visible; }
figure svg text { font-family: Arial, "Liberation Sans", Helvetica, sans-serif; }
.note { color: #555; font-size: 0.9em; } dl.legend dt { font-weight: bold; }
dl.legend dd { margin: 0 0 0.4em 1.2em; } footer { font-size: 0.88em; color: #333; }
@media print { body { max-width: none; padding: 0; font-size: 11px; }
  h2 { break-after: avoid; } section { break-inside: auto; } }
"""


def render_html(report: Report, figures: dict[str, str], map_attribution: str | None) -> str:
    """The whole HTML document. `figures`: rendered SVG per figure id (see `figure_ids`);
    `map_attribution`: the licence text of the map's boundaries (None without a map)."""
    body = [
        _header(report),
        _headlines(report),
        _series(report, figures),
        _maps(report, figures),
    ]
    if report.is_land:
        body += [_disparity(figures), _rankings(report)]
    else:
        body += [_gemeinden(report), _sozialraeume(report)]
    body += [_goals(report), _footnotes(report, map_attribution)]
    return (
        '<!DOCTYPE html>\n<html lang="de">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{escape(report.title)}</title>\n<style>{CSS}</style>\n</head>\n<body>\n"
        + "\n".join(part for part in body if part)
        + "\n</body>\n</html>\n"
    )


def figure_ids(report: Report) -> list[str]:
    """The figures the report shows, in order: series_<id>, map_<id>, disparity_<measure>."""
    ids = [f"series_{s.indicator.id}" for s in report.series]
    ids += [f"map_{m.indicator.id}" for m in report.maps]
    if report.is_land:
        ids += [f"disparity_{key}" for key in DISPARITY]
    return ids


# --- pieces --------------------------------------------------------------------------------


def _section(css_id: str, heading: str, *content: str) -> str:
    return f'<section id="{css_id}"><h2>{escape(heading)}</h2>{"".join(content)}</section>'


def _note(content: str) -> str:
    return f'<p class="note">{escape(content)}</p>'


def _table(headers: Sequence[str], rows: Iterable[Sequence[str]], numeric: set[int]) -> str:
    def cell(tag: str, i: int, value: str) -> str:
        css = ' class="num"' if i in numeric else ""
        return f"<{tag}{css}>{escape(value)}</{tag}>"

    head = "".join(cell("th", i, h) for i, h in enumerate(headers))
    body = "".join(
        "<tr>" + "".join(cell("td", i, v) for i, v in enumerate(row)) + "</tr>" for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _figures(figures: dict[str, str], shown: Sequence[tuple[str, str]], css: str) -> str:
    """The SVGs of `shown` (figure id, caption) side by side."""
    parts = [
        f'<figure class="{css}" data-figure="{escape(key)}" aria-label="{escape(caption)}">'
        f"{figures[key]}</figure>"
        for key, caption in shown
        if key in figures
    ]
    return f'<div class="charts">{"".join(parts)}</div>'


def _header(report: Report) -> str:
    f = report.footnotes
    return (
        f"<header><h1>{escape(report.title)}</h1>"
        f'<p class="stand">Berichtsjahr {report.year} · Datenstand: Release {escape(f.release)}'
        f" · Gebietsstand {text.date_de(f.gebietsstand)}</p></header>"
    )


def _headlines(report: Report) -> str:
    headers, rows = tables.headline_rows(report)
    table = _table(headers, rows, set(range(1, len(headers))))
    return _section(
        "kennzahlen", "Kennzahlen im Überblick", table, _note(tables.note_headlines(report))
    )


def _series(report: Report, figures: dict[str, str]) -> str:
    shown = [(f"series_{s.indicator.id}", s.indicator.title) for s in report.series]
    return _section(
        "zeitreihen",
        "Zeitreihen",
        _note(tables.note_series(report)),
        _figures(figures, shown, "zeitreihe"),
    )


def _maps(report: Report, figures: dict[str, str]) -> str:
    shown = [(f"map_{m.indicator.id}", m.indicator.title) for m in report.maps]
    if not any(key in figures for key, _ in shown):
        return _section("karten", "Karten der Kreise", _note(tables.NO_MAP))
    return _section(
        "karten",
        "Karten der Kreise",
        _note(tables.note_maps(report)),
        _figures(figures, shown, "karte"),
    )


def _disparity(figures: dict[str, str]) -> str:
    shown = [(f"disparity_{key}", spec[1]) for key, spec in DISPARITY.items()]
    return _section(
        "disparitaet",
        "Unterschiede zwischen den Kreisen",
        _note(tables.NOTE_DISPARITY),
        _figures(figures, shown, "disparitaet"),
    )


def _rankings(report: Report) -> str:
    parts = [
        f"<h3>{escape(v.indicator.title)} {v.period}</h3>"
        + _table(["Rang", "Kreis", "Wert"], tables.ranking_rows(v), {0, 2})
        for v in report.rankings
    ]
    return _section("rangfolgen", "Rangfolge der Kreise", _note(tables.NOTE_RANKING), *parts)


def _gemeinden(report: Report) -> str:
    if not report.gemeinden:
        return ""
    headers, rows = tables.gemeinde_rows(report)
    return _section("gemeinden", "Gemeinden", _table(headers, rows, {2, 3}))


def _legend(labels: Sequence[Label]) -> str:
    items = "".join(
        f"<dt>{escape(label.label)}</dt><dd>{escape(label.meaning)}</dd>" for label in labels
    )
    return f'<dl class="legend">{items}</dl>'


def _sozialraeume(report: Report) -> str:
    heading = tables.sozialraum_heading(report)
    if not report.sozialraeume:
        return _section("sozialraeume", heading, _note(tables.NO_SOZIALRAUM))
    headers, rows = tables.sozialraum_rows(report)
    return _section(
        "sozialraeume",
        heading,
        _note(tables.NOTE_SOCIAL_INDEX),
        _table(headers, rows, {1, 2, 3, 4, 5}),
        "<h3>Statusklassen</h3>",
        _legend(report.status_classes),
        "<h3>Dynamikklassen</h3>",
        _legend(report.dynamics_classes),
    )


def _goals(report: Report) -> str:
    if not report.goals:
        return _section("ziele", "Zielmonitoring", _note(tables.NO_GOALS))
    headers, rows = tables.goal_rows(report)
    return _section(
        "ziele", "Zielmonitoring", _table(headers, rows, {1, 2, 3, 4}), _note(tables.NOTE_GOALS)
    )


def _footnotes(report: Report, map_attribution: str | None) -> str:
    parts = []
    for heading, lines in tables.footnote_lines(report, map_attribution).items():
        if lines:
            items = "".join(f"<li>{escape(line)}</li>" for line in lines)
            parts.append(f"<h3>{escape(heading)}</h3><ul>{items}</ul>")
    return f'<footer id="fussnoten"><h2>Fußnoten und Quellen</h2>{"".join(parts)}</footer>'
