"""The report as PDF (fpdf2): the same sections, tables and charts as the HTML, each section
on a new page, charts as PNG. The core fonts are Latin-1: umlauts print, dashes and
typographic quotes are replaced (`text.latin1`)."""

from __future__ import annotations

import io
from collections.abc import Sequence

from fpdf import FPDF, FontFace

from pipelines.report import tables, text
from pipelines.report.charts import DISPARITY
from pipelines.report.data import Label, Report

FONT = "Helvetica"
BLUE = (8, 81, 156)
HEADING_FILL = (238, 243, 248)


class _Document(FPDF):
    """A4 portrait with the report's title and the page number in the footer."""

    def __init__(self, report: Report):
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.report = report
        self.set_margins(15, 15, 15)
        self.set_auto_page_break(True, margin=18)
        self.set_title(text.latin1(report.title))
        self.set_lang("de")
        self.set_creator("sozplan report")

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(FONT, size=7)
        self.set_text_color(90, 90, 90)
        line = (
            f"{self.report.title} - Release {self.report.footnotes.release} - "
            f"Seite {self.page_no()}/{{nb}}"
        )
        self.cell(0, 5, text.latin1(line), align="C")
        self.set_text_color(0, 0, 0)

    # writing ---------------------------------------------------------------------------

    def write_text(self, content: str, size: float = 9, style: str = "", gap: float = 1) -> None:
        self.set_font(FONT, style=style, size=size)
        self.multi_cell(0, size * 0.45, text.latin1(content), new_x="LMARGIN", new_y="NEXT")
        self.ln(gap)

    def section(self, heading: str) -> None:
        """A new page starting with the section's heading."""
        self.add_page()
        self.set_font(FONT, style="B", size=14)
        self.set_text_color(*BLUE)
        self.cell(0, 8, text.latin1(heading), new_x="LMARGIN", new_y="NEXT")
        self.set_draw_color(*BLUE)
        self.line(self.l_margin, self.get_y(), self.w - self.r_margin, self.get_y())
        self.set_text_color(0, 0, 0)
        self.ln(3)

    def subheading(self, heading: str) -> None:
        if self.will_page_break(20):
            self.add_page()
        self.write_text(heading, size=10.5, style="B", gap=0.5)

    def write_table(
        self,
        headers: Sequence[str],
        rows: Sequence[Sequence[str]],
        widths: Sequence[float],
        numeric: set[int],
        size: float = 8,
    ) -> None:
        self.set_font(FONT, size=size)
        align = ["RIGHT" if i in numeric else "LEFT" for i in range(len(headers))]
        with self.table(
            col_widths=tuple(widths),
            width=self.epw,
            text_align=tuple(align),
            line_height=size * 0.5,
            headings_style=FontFace(emphasis="BOLD", fill_color=HEADING_FILL),
            borders_layout="HORIZONTAL_LINES",
            padding=(0.8, 1.2),
        ) as table:
            for values in [headers, *rows]:
                row = table.row()
                for value in values:
                    row.cell(text.latin1(value))
        self.ln(2)

    def images(
        self, pngs: Sequence[tuple[bytes, str]], per_row: int, max_width: float = 180
    ) -> None:
        """Charts side by side, `per_row` to a row, a new page where a row does not fit."""
        gap = 6
        width = min(max_width, (self.epw - gap * (per_row - 1)) / per_row)
        for start in range(0, len(pngs), per_row):
            row = pngs[start : start + per_row]
            heights = [width * _aspect(png) for png, _ in row]
            if self.will_page_break(max(heights) + 2):
                self.add_page()
            top = self.get_y()
            for i, (png, caption) in enumerate(row):
                x = self.l_margin + i * (width + gap)
                self.image(io.BytesIO(png), x=x, y=top, w=width, alt_text=text.latin1(caption))
            self.set_y(top + max(heights) + 3)

    def legend(self, labels: Sequence[Label]) -> None:
        for label in labels:
            self.write_text(f"{label.label}: {label.meaning}", size=8, gap=0.5)


def _aspect(png: bytes) -> float:
    """Height / width of a PNG, from its header."""
    width = int.from_bytes(png[16:20], "big")
    height = int.from_bytes(png[20:24], "big")
    return height / width if width else 1.0


def render_pdf(report: Report, pngs: dict[str, bytes], map_attribution: str | None) -> bytes:
    """The report as PDF bytes. `pngs`: the charts by figure id (see `html.figure_ids`)."""
    pdf = _Document(report)
    f = report.footnotes
    pdf.section(report.title)
    pdf.write_text(
        f"Berichtsjahr {report.year} - Datenstand: Release {f.release} - Gebietsstand "
        f"{text.date_de(f.gebietsstand)}",
        size=9,
        gap=3,
    )
    pdf.subheading("Kennzahlen im Überblick")
    headers, rows = tables.headline_rows(report)
    widths = [62, 28, 28, 28, 34] if report.is_land else [62, 22, 22, 24, 25, 25]
    pdf.write_table(headers, rows, widths, set(range(1, len(headers))))
    pdf.write_text(tables.note_headlines(report), size=8)

    pdf.section("Zeitreihen")
    pdf.write_text(tables.note_series(report), size=8, gap=2)
    series = [(pngs[f"series_{s.indicator.id}"], s.indicator.title) for s in report.series]
    pdf.images(series, per_row=2)

    pdf.section("Karten der Kreise")
    maps = [
        (pngs[f"map_{m.indicator.id}"], m.indicator.title)
        for m in report.maps
        if f"map_{m.indicator.id}" in pngs
    ]
    if maps:
        pdf.write_text(tables.note_maps(report), size=8, gap=2)
        pdf.images(maps, per_row=1, max_width=140)
    else:
        pdf.write_text(tables.NO_MAP, size=9)

    if report.is_land:
        _land_sections(pdf, report, pngs)
    else:
        _kreis_sections(pdf, report)

    pdf.section("Zielmonitoring")
    if report.goals:
        headers, rows = tables.goal_rows(report)
        pdf.write_table(headers, rows, [62, 24, 24, 24, 24, 22], {1, 2, 3, 4})
        pdf.write_text(tables.NOTE_GOALS, size=8)
    else:
        pdf.write_text(tables.NO_GOALS, size=9)

    pdf.section("Fußnoten und Quellen")
    for heading, lines in tables.footnote_lines(report, map_attribution).items():
        if lines:
            pdf.subheading(heading)
            for line in lines:
                pdf.write_text(f"- {line}", size=8, gap=0.5)
            pdf.ln(1)
    return bytes(pdf.output())


def _land_sections(pdf: _Document, report: Report, pngs: dict[str, bytes]) -> None:
    pdf.section("Unterschiede zwischen den Kreisen")
    pdf.write_text(tables.NOTE_DISPARITY, size=8, gap=2)
    figures = [
        (pngs[f"disparity_{key}"], spec[1])
        for key, spec in DISPARITY.items()
        if f"disparity_{key}" in pngs
    ]
    pdf.images(figures, per_row=1)
    pdf.section("Rangfolge der Kreise")
    pdf.write_text(tables.NOTE_RANKING, size=8)
    for values in report.rankings:
        pdf.subheading(f"{values.indicator.title} {values.period}")
        pdf.write_table(
            ["Rang", "Kreis", "Wert"], tables.ranking_rows(values), [20, 110, 50], {0, 2}
        )


def _kreis_sections(pdf: _Document, report: Report) -> None:
    if report.gemeinden:
        pdf.section("Gemeinden")
        headers, rows = tables.gemeinde_rows(report)
        pdf.write_table(headers, rows, [80, 30, 35, 35], {2, 3})
    if not report.sozialraeume:  # a note, on the Gemeinden's page where there is one
        if report.gemeinden:
            pdf.subheading(tables.sozialraum_heading(report))
        else:
            pdf.section(tables.sozialraum_heading(report))
        pdf.write_text(tables.NO_SOZIALRAUM, size=9)
        return
    pdf.section(tables.sozialraum_heading(report))
    pdf.write_text(tables.NOTE_SOCIAL_INDEX, size=8, gap=2)
    headers, rows = tables.sozialraum_rows(report)
    pdf.write_table(headers, rows, [32, 16, 16, 20, 20, 16, 34, 26], {1, 2, 3, 4, 5}, size=7)
    pdf.subheading("Statusklassen")
    pdf.legend(report.status_classes)
    pdf.subheading("Dynamikklassen")
    pdf.legend(report.dynamics_classes)
