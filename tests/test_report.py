"""`sozplan report`: the Kreisprofil of Erfurt (16051) and the Landesübersicht (16), built once
from a copy of the published sample. The HTML opens offline in headless Chromium, its headline
numbers are those the sample files give (read here with the csv module), the PDF has its
sections on their pages with the sources and the map's licence, the map one shape per Kreis."""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image

from pipelines.cli import main
from tests.sample_cells import AGES_15_64, KREISE, SGB2, U15, gone, numbers, population

KREIS, LAND = "16051", "16"
YEAR = 2024
CHROMIUM = Path("/usr/bin/chromium")
MAP_ATTRIBUTION = "© GeoBasis-DE / BKG 2021"


@pytest.fixture(scope="module")
def reports(sample_refresh, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict]:
    """Both reports through the CLI, into the warehouse's default folder of the release."""
    source, _ = sample_refresh
    root = tmp_path_factory.mktemp("report") / "warehouse"
    root.mkdir()
    shutil.copy2(source / "sozialplanung.duckdb", root / "sozialplanung.duckdb")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SOZPLAN_WAREHOUSE_DIR", str(root))
        assert main(["report", "--region", KREIS]) == 0
        assert main(["report", "--region", LAND, "--year", str(YEAR)]) == 0
        (folder,) = (root / "reports").iterdir()  # warehouse/reports/<release>/
        yield {
            "root": root,
            "release": folder.name,
            "kreis": folder / f"kreisprofil_{KREIS}_{YEAR}",
            "land": folder / f"landesuebersicht_{LAND}_{YEAR}",
        }


# --- expected values from the sample files -------------------------------------------------


def _de(value: float, decimals: int) -> str:
    """German number format, written out here independently of the report's code."""
    text = f"{value:,.{decimals}f}"
    return text.replace(",", " ").replace(".", ",").replace(" ", ".")


def _kreise(year: int) -> list[str]:
    return [k for k in KREISE if not gone(k, year)]


def _sgb2_quota(keys: list[str], year: int) -> float:
    """SGB II Leistungsberechtigte per 100 inhabitants under 65, summed over `keys`."""
    pop = population()
    sgb2 = numbers(SGB2, "2_variable_attribute_code", "value_variable_code")
    lb = sum(sgb2[k, year, "", "LB"] for k in keys)
    under_65 = sum(pop[k, year, "", a] for k in keys for a in (*U15, *AGES_15_64))
    return 100 * lb / under_65


def _headline_rows(html: str) -> dict[str, list[str]]:
    """The headline table's cells by indicator title."""
    section = re.search(r'<section id="kennzahlen">(.*?)</section>', html, re.S)
    assert section, "no headline section"
    rows = {}
    for row in re.findall(r"<tr>(.*?)</tr>", section.group(1), re.S):
        cells = re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
        if cells:
            rows[cells[0]] = cells[1:]
    return rows


# --- HTML ----------------------------------------------------------------------------------


@pytest.mark.parametrize("which", ["kreis", "land"])
def test_html_opens_offline_in_chromium(reports, which: str, tmp_path: Path) -> None:
    html = reports[which].with_suffix(".html")
    text = html.read_text(encoding="utf-8")
    assert '<html lang="de">' in text
    assert not re.search(r"""(?:src|href)\s*=\s*["']?\s*(?:https?:)?//""", text, re.I)
    assert "<script" not in text and "<link" not in text and "@import" not in text
    if not CHROMIUM.exists():
        pytest.fail("Debian's chromium is missing: run `make test-tools`")
    screenshot = tmp_path / "report.png"
    subprocess.run(
        [
            str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
            "--no-first-run", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", f"--user-data-dir={tmp_path / 'profile'}",
            "--proxy-server=127.0.0.1:9", f"--screenshot={screenshot}",
            "--window-size=1280,4000", html.as_uri(),
        ],
        check=True, capture_output=True, timeout=180,
    )  # fmt: skip
    with Image.open(screenshot) as image:
        assert image.size == (1280, 4000)
        colours = image.convert("RGB").getcolors(maxcolors=1 << 20)
    assert colours is not None and len(colours) > 100, "the screenshot is (nearly) blank"


def test_kreis_headlines_equal_the_sample(reports) -> None:
    rows = _headline_rows(reports["kreis"].with_suffix(".html").read_text(encoding="utf-8"))
    pop = population()
    people = pop[KREIS, YEAR, "", ""]
    land_people = sum(pop[k, YEAR, "", ""] for k in _kreise(YEAR))
    change_1y = people - pop[KREIS, YEAR - 1, "", ""]
    change_5y = people - pop[KREIS, YEAR - 5, "", ""]
    assert rows["Bevölkerung"][:2] == [_de(people, 0), _de(land_people, 0)]
    assert rows["Bevölkerung"][3:] == [f"+{_de(change_1y, 0)}", f"+{_de(change_5y, 0)}"]

    quota = _sgb2_quota([KREIS], YEAR)
    quotas = {k: _sgb2_quota([k], YEAR) for k in _kreise(YEAR)}
    rank = sorted(quotas.values()).index(quotas[KREIS]) + 1  # 1 = lowest (higher is worse)
    assert rows["SGB-II-Quote"][:3] == [
        f"{_de(quota, 1)} %",
        f"{_de(_sgb2_quota(_kreise(YEAR), YEAR), 1)} %",
        f"{rank} von {len(quotas)}",
    ]
    change = quota - _sgb2_quota([KREIS], YEAR - 1)
    assert rows["SGB-II-Quote"][3] == f"{'+' if change > 0 else '−'}{_de(abs(change), 1)} Pp."


def test_land_overview_equals_the_sample(reports) -> None:
    html = reports["land"].with_suffix(".html").read_text(encoding="utf-8")
    rows = _headline_rows(html)
    pop = population()
    assert rows["Bevölkerung"][0] == _de(sum(pop[k, YEAR, "", ""] for k in _kreise(YEAR)), 0)
    assert rows["SGB-II-Quote"][0] == f"{_de(_sgb2_quota(_kreise(YEAR), YEAR), 1)} %"
    # the ranking of the Kreise by SGB II rate: the lowest first
    quotas = {k: _sgb2_quota([k], YEAR) for k in _kreise(YEAR)}
    best = min(quotas, key=quotas.get)
    ranking = re.search(r"<h3>SGB-II-Quote 2024</h3><table>(.*?)</table>", html, re.S)
    assert ranking, "no ranking table of the SGB II rate"
    first = re.findall(r"<td[^>]*>(.*?)</td>", ranking.group(1))[:3]
    assert first[0] == "1" and first[2] == f"{_de(quotas[best], 1)} %"
    assert len(re.findall(r"<tr>", ranking.group(1))) == 1 + len(quotas)
    for section in ("disparitaet", "rangfolgen", "karten", "ziele", "zeitreihen"):
        assert f'<section id="{section}">' in html


@pytest.mark.parametrize("which", ["kreis", "land"])
def test_map_has_one_shape_per_kreis(reports, which: str) -> None:
    html = reports[which].with_suffix(".html").read_text(encoding="utf-8")
    maps = re.findall(
        r'<figure class="karte" data-figure="map_(\w+)"[^>]*>(.*?)</figure>', html, re.S
    )
    assert [name for name, _ in maps] == ["sgb2_quota", "child_poverty", "unemployment_rate"]
    for _, svg in maps:
        # the first shape layer holds the filled Kreise: one path each
        layer = re.search(r'<g class="mark-shape role-mark layer_0_marks"[^>]*>(.*?)</g>', svg)
        assert layer, "no shape layer in the map"
        assert layer.group(1).count("<path") == len(_kreise(YEAR))
        assert MAP_ATTRIBUTION in svg


def test_kreis_shows_sozialraeume_goals_and_footnotes(reports) -> None:
    html = reports["kreis"].with_suffix(".html").read_text(encoding="utf-8")
    sozialraeume = re.search(r'<section id="sozialraeume">(.*?)</section>', html, re.S).group(1)
    assert "Sozialindex 2024" in sozialraeume and "Altstadt (Erfurt)" in sozialraeume
    assert "Statusklassen" in sozialraeume and "mittlerer Status" in sozialraeume
    goals = re.search(r'<section id="ziele">(.*?)</section>', html, re.S).group(1)
    assert "Erfurt - SGB-II-Quote senken" in goals
    footer = html[html.index('<footer id="fussnoten">') :]
    for text in (reports["release"], "Gebietsstand 31.12.", MAP_ATTRIBUTION, "dl-de/by-2-0"):
        assert text in footer, text
    assert "Zahlenwert unbekannt oder geheim zu halten" in footer  # the special signs


# --- PDF -----------------------------------------------------------------------------------


def _pdf_pages(path: Path) -> list[str]:
    if not shutil.which("pdftotext"):
        pytest.fail("poppler-utils is missing: run `make test-tools`")
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True)
    pages = int(re.search(r"^Pages:\s+(\d+)", info.stdout, re.M).group(1))
    found = text.split("\f")
    assert found[-1].strip() == "" and len(found) - 1 == pages
    return found[:-1]


@pytest.mark.parametrize(
    ("which", "title", "sections"),
    [
        (
            "kreis",
            "Kreisprofil Erfurt, kreisfreie Stadt 2024",
            ["Zeitreihen", "Karten der Kreise", "Gemeinden", "Sozialräume und Sozialindex 2024"],
        ),
        (
            "land",
            "Landesübersicht Thüringen 2024",
            ["Zeitreihen", "Karten der Kreise", "Unterschiede zwischen den Kreisen",
             "Rangfolge der Kreise"],
        ),
    ],
)  # fmt: skip
def test_pdf_has_its_sections_on_their_pages(
    reports, which: str, title: str, sections: list[str]
) -> None:
    pages = _pdf_pages(reports[which].with_suffix(".pdf"))
    first = pages[0].strip().splitlines()
    assert first[0].strip() == title
    assert "Kennzahlen im Überblick" in pages[0] and "SGB-II-Quote" in pages[0]
    starts = [p.strip().splitlines()[0].strip() if p.strip() else "" for p in pages]
    expected = [*sections, "Zielmonitoring", "Fußnoten und Quellen"]
    positions = [starts.index(heading) for heading in expected]  # each opens a page
    assert positions == sorted(positions)
    assert all(f"Release {reports['release']}" in page for page in pages)  # the footer
    notes = "".join(pages[positions[-1] :])
    assert MAP_ATTRIBUTION in notes
    assert "Datenlizenz Deutschland - Namensnennung - Version 2.0" in notes


# --- errors --------------------------------------------------------------------------------


def test_report_errors_are_plain_messages(reports, capsys, monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setenv("SOZPLAN_WAREHOUSE_DIR", str(reports["root"]))
    assert main(["report", "--region", "16999"]) == 1
    assert "no region with the key '16999'" in capsys.readouterr().err
    assert main(["report", "--region", "Erfurt"]) == 1
    assert "did you mean: 16051 Erfurt, kreisfreie Stadt" in capsys.readouterr().err
    assert main(["report", "--region", KREIS, "--year", "2030"]) == 1
    assert "years with data: 2015–2024" in capsys.readouterr().err
    assert main(["report", "--region", "16051000"]) == 1
    assert "its Kreis: 16051 Erfurt" in capsys.readouterr().err
    monkeypatch.setenv("SOZPLAN_WAREHOUSE_DIR", str(tmp_path))
    assert main(["report", "--region", KREIS]) == 1
    assert "no published warehouse" in capsys.readouterr().err


def test_a_value_that_cannot_be_computed_shows_its_sign(reports, monkeypatch) -> None:
    """The sample starts in 2015: the change over five years of 2019 has no base year, so the
    report shows the secrecy/unknown sign `.` where a value would stand, never 0."""
    from pipelines.report.data import load_report
    from pipelines.report.tables import headline_rows

    monkeypatch.setenv("SOZPLAN_WAREHOUSE_DIR", str(reports["root"]))
    _, rows = headline_rows(load_report(KREIS, 2019))
    by_title = {row[0]: row[1:] for row in rows}
    assert by_title["Bevölkerungsentwicklung über fünf Jahre"][0] == "."
    pop = population()
    assert by_title["Bevölkerung"][0] == _de(pop[KREIS, 2019, "", ""], 0)
