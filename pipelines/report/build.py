"""Build a Kreisprofil or the Landesübersicht: read the release, draw the charts, write the
HTML and the PDF side by side (`sozplan report`)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pipelines.paths import WarehousePaths, warehouse_paths
from pipelines.report import charts
from pipelines.report.data import Report, ReportError, load_report
from pipelines.report.html import figure_ids, render_html


@dataclass(frozen=True)
class Figure:
    """One chart, rendered for the screen (SVG) and for print (PNG)."""

    svg: str
    png: bytes


@dataclass(frozen=True)
class Built:
    report: Report
    html: Path
    pdf: Path


def default_out_dir(report: Report, paths: WarehousePaths | None = None) -> Path:
    """warehouse/reports/<release>/: a report belongs to the release it was made from."""
    return (paths or warehouse_paths()).root / "reports" / report.footnotes.release


def build_report(
    region_key: str,
    year: int | None = None,
    out_dir: Path | None = None,
    paths: WarehousePaths | None = None,
) -> Built:
    """Write `kreisprofil_<key>_<year>.html|.pdf` (a Kreis) or `landesuebersicht_<key>_<year>`
    (the Land) into `out_dir`. Raises ReportError with a message for the planner."""
    from pipelines.report.pdf import render_pdf

    report = load_report(region_key, year, paths)
    attribution = map_attribution()
    figures = draw(report, with_maps=attribution is not None)
    out = Path(out_dir) if out_dir else default_out_dir(report, paths)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ReportError(f"cannot write the report to {out}: {exc.strerror}") from None
    html_path = out / f"{report.file_stem}.html"
    pdf_path = out / f"{report.file_stem}.pdf"
    svgs = {key: figure.svg for key, figure in figures.items()}
    html_path.write_text(render_html(report, svgs, attribution), encoding="utf-8")
    pngs = {key: figure.png for key, figure in figures.items()}
    pdf_path.write_bytes(render_pdf(report, pngs, attribution))
    return Built(report, html_path, pdf_path)


def map_attribution() -> str | None:
    """The licence text of the territory's Kreis boundaries, or None when it has no map."""
    from pipelines.report.maps import attribution, territory_map

    path = territory_map()
    return attribution(path) if path else None


def draw(report: Report, with_maps: bool = True) -> dict[str, Figure]:
    """Every figure of the report by id (`html.figure_ids`), as SVG and PNG."""
    from pipelines.report.maps import MapError
    from pipelines.report.render import RenderError, render_png, render_svg

    made = {}
    for figure_id in figure_ids(report):
        kind, _, name = figure_id.partition("_")
        try:
            if kind == "series":
                chart = charts.series_chart(
                    next(s for s in report.series if s.indicator.id == name), report
                )
            elif kind == "map":
                if not with_maps:
                    continue
                chart = charts.map_chart(
                    next(m for m in report.maps if m.indicator.id == name), report
                )
            else:
                chart = charts.disparity_chart(report.disparity, *charts.DISPARITY[name])
            spec = chart.to_dict()  # validated once, drawn twice
            made[figure_id] = Figure(render_svg(spec), render_png(spec))
        except (MapError, RenderError) as exc:
            raise ReportError(f"cannot draw {figure_id}: {exc}") from None
    return made
