"""Exports for BI tools: the refresh's own export of the sample, and `sozplan export`.

The session's refresh of the sample exports its release (Parquet, CSV, xlsx); the files are
compared with the marts of the published file they were written from, read here with DuckDB,
Python's csv module and openpyxl. The names the export adds beside keys come from the
published dimensions, looked up here by key.
"""

from __future__ import annotations

import csv
import io
import math
import shutil
from datetime import date, datetime
from pathlib import Path

import duckdb
import openpyxl
import pytest

from pipelines.cli import main
from pipelines.export_workbook import write_workbook
from pipelines.exports import ExportError, export_release, export_tables
from pipelines.paths import WarehousePaths
from pipelines.publish import publish

ADDED = {
    "region_name": ("region_key", "dim_region"),
    "indicator_title_de": ("indicator_id", "dim_indicator"),
}
SIGNS = {"-", ".", "/", "x", "..."}
# the workbook's sheets compared row by row (the others by their header)
ROWS_CHECKED = ("dim_region", "dim_indicator", "mart_disparity", "mart_goal_monitoring")


@pytest.fixture(scope="module")
def refreshed(sample_refresh) -> Path:
    """The warehouse folder of the session's refresh of the sample (read only here)."""
    root, _ = sample_refresh
    return root


@pytest.fixture(scope="module")
def marts(refreshed: Path) -> dict[str, tuple[list[tuple[str, str]], list[tuple]]]:
    """Columns (name, type) and rows of every mart of the published file."""
    found = {}
    with duckdb.connect(str(refreshed / "sozialplanung.duckdb"), read_only=True) as con:
        names = [r[0] for r in con.execute(
            "select table_name from information_schema.tables where table_schema = 'marts'"
        ).fetchall()]  # fmt: skip
        for name in names:
            columns = con.execute(
                "select column_name, data_type from information_schema.columns "
                "where table_schema = 'marts' and table_name = ? order by ordinal_position",
                [name],
            ).fetchall()
            found[name] = (columns, con.execute(f"select * from marts.{name}").fetchall())
    return found


@pytest.fixture(scope="module")
def release(refreshed: Path) -> str:
    with duckdb.connect(str(refreshed / "sozialplanung.duckdb"), read_only=True) as con:
        return con.execute("select release from meta.release").fetchone()[0]


@pytest.fixture(scope="module")
def labels(marts) -> dict[str, dict[str, str]]:
    """Added column -> key -> name, from the published dimensions."""
    region_cols = [c for c, _ in marts["dim_region"][0]]
    indicator_cols = [c for c, _ in marts["dim_indicator"][0]]
    regions = {
        r[region_cols.index("region_key")]: r[region_cols.index("name")]
        for r in marts["dim_region"][1]
    }
    indicators = {
        r[indicator_cols.index("indicator_id")]: r[indicator_cols.index("title_de")]
        for r in marts["dim_indicator"][1]
    }
    return {"region_name": regions, "indicator_title_de": indicators}


def _mart_part(columns: list[str], rows: list[tuple], mart_columns: list[str]) -> list[tuple]:
    """The exported rows on the mart's own columns, sorted for comparison."""
    assert [c for c in columns if c not in ADDED or c in mart_columns] == mart_columns
    picks = [columns.index(c) for c in mart_columns]
    return sorted((tuple(row[i] for i in picks) for row in rows), key=repr)


def _check_labels(columns: list[str], rows: list[tuple], mart_columns, labels) -> None:
    """Each added name sits right after its key and is the dimension's name for the key."""
    for added, (key, _) in ADDED.items():
        if added in columns and added not in mart_columns:
            assert columns.index(added) == columns.index(key) + 1
            i, k = columns.index(added), columns.index(key)
            assert all(row[i] == labels[added].get(row[k]) for row in rows)


def test_the_refresh_exports_its_release(refreshed: Path, marts, release: str) -> None:
    current = refreshed / "exports" / "current"
    assert current.is_symlink() and current.resolve() == refreshed / "exports" / release
    files = {p.name for p in current.iterdir()}
    expected = {f"{name}.{ext}" for name in marts for ext in ("parquet", "csv")}
    assert files == expected | {"sozialplanung.xlsx"}
    assert not [p for p in (refreshed / "exports").iterdir() if p.name.startswith(".")]


def test_parquet_round_trips_to_the_marts(refreshed: Path, marts, labels) -> None:
    folder = refreshed / "exports" / "current"
    with duckdb.connect() as con:
        for name, (mart_columns, mart_rows) in marts.items():
            cursor = con.execute(f"select * from read_parquet('{folder / name}.parquet')")
            columns = [d[0] for d in cursor.description]
            rows = cursor.fetchall()
            names = [c for c, _ in mart_columns]
            assert len(rows) == len(mart_rows), name
            assert _mart_part(columns, rows, names) == sorted(mart_rows, key=repr), name
            _check_labels(columns, rows, names, labels)


def _from_csv(text: str, data_type: str) -> object:
    """A CSV field back to its value: decimal comma, ISO dates, empty is NULL."""
    if text == "":
        return None
    if data_type.startswith(("DOUBLE", "FLOAT", "DECIMAL")):
        assert "." not in text.lower().split("e")[0], text  # a decimal comma, never a point
        return float(text.replace(",", "."))
    if data_type in ("INTEGER", "BIGINT"):
        return int(text)
    if data_type == "DATE":
        return date.fromisoformat(text)
    if data_type == "BOOLEAN":
        return {"true": True, "false": False}[text]
    return text


def test_csv_round_trips_to_the_marts(refreshed: Path, marts, labels) -> None:
    folder = refreshed / "exports" / "current"
    for name, (mart_columns, mart_rows) in marts.items():
        raw = (folder / f"{name}.csv").read_bytes()
        assert raw.startswith(b"\xef\xbb\xbf"), name  # UTF-8 with BOM, for Excel
        reader = csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline=""), delimiter=";")
        header, *records = list(reader)
        types = dict(mart_columns) | {c: "VARCHAR" for c in ADDED}
        rows = [
            tuple(_from_csv(v, types[c]) for c, v in zip(header, r, strict=True)) for r in records
        ]
        names = [c for c, _ in mart_columns]
        expected = [tuple(None if v == "" else v for v in row) for row in mart_rows]
        assert len(rows) == len(mart_rows), name
        assert _mart_part(header, rows, names) == sorted(expected, key=repr), name
        _check_labels(header, rows, names, labels)


def test_special_signs_stay_in_value_status(refreshed: Path) -> None:
    path = refreshed / "exports" / "current" / "fct_indicator_value.csv"
    rows = list(csv.DictReader(io.StringIO(path.read_text("utf-8-sig"), newline=""), delimiter=";"))
    signed = [r for r in rows if r["value_status"]]
    assert signed, "the sample has missing values with a sign"
    assert {r["value_status"] for r in signed} <= SIGNS
    assert all(r["value"] == "" for r in signed)  # missing, never a zero


def _sheet_rows(sheet) -> tuple[list[str], list[tuple]]:
    """Header and rows of a sheet (read-only mode leaves out a row's empty trailing cells)."""
    header, *rows = list(sheet.iter_rows(values_only=True))
    return list(header), [row + (None,) * (len(header) - len(row)) for row in rows]


def _cell(value: object, data_type: str) -> object:
    """An xlsx cell as the mart's value (Excel stores dates as date-times)."""
    if data_type == "DATE" and isinstance(value, datetime):
        return value.date()
    if data_type.startswith(("DOUBLE", "FLOAT")) and isinstance(value, int):
        return float(value)
    return value


def _rounded(row: tuple) -> str:
    return repr(tuple(f"{v:.12g}" if isinstance(v, float) else v for v in row))


def _same(found: object, expected: object) -> bool:
    """Equal; numbers to 15 significant digits (xlsxwriter writes 16, Excel shows 15)."""
    if isinstance(found, float) and isinstance(expected, float):
        return math.isclose(found, expected, rel_tol=1e-15)
    return found == expected


def test_workbook_has_every_table_and_the_dictionary(
    refreshed: Path, marts, labels, release
) -> None:
    workbook = openpyxl.load_workbook(
        refreshed / "exports" / "current" / "sozialplanung.xlsx", read_only=True
    )
    assert set(workbook.sheetnames) == {"Hinweise", "Datenlexikon", *marts}
    exported = {}
    for name in marts.keys() - set(ROWS_CHECKED):  # the header (every row would take long)
        exported[name] = list(next(workbook[name].iter_rows(max_row=1, values_only=True)))
        _mart_part(exported[name], [], [c for c, _ in marts[name][0]])  # the mart's columns
    for name in ROWS_CHECKED:
        mart_columns, mart_rows = marts[name]
        header, rows = _sheet_rows(workbook[name])
        types = dict(mart_columns) | {c: "VARCHAR" for c in ADDED}
        rows = [tuple(_cell(v, types[c]) for c, v in zip(header, r, strict=True)) for r in rows]
        names = [c for c, _ in mart_columns]
        got = sorted(_mart_part(header, rows, names), key=_rounded)
        assert len(got) == len(mart_rows), name
        for row, expected in zip(got, sorted(mart_rows, key=_rounded), strict=True):
            assert all(map(_same, row, expected)), (name, row, expected)
        _check_labels(header, rows, names, labels)
        exported[name] = header

    header, entries = _sheet_rows(workbook["Datenlexikon"])
    assert header == ["Tabelle", "Blatt", "Spalte", "Typ", "Beschreibung"]
    assert sorted((e[0], e[2]) for e in entries) == sorted(
        (name, column) for name, columns in exported.items() for column in columns
    )
    described = {(e[0], e[2]): e[4] for e in entries}
    assert described[("fct_indicator_value", "value_status")]  # from the dbt docs
    assert described[("fct_indicator_value", "region_name")].startswith("Name der Region")

    notes = [c for row in workbook["Hinweise"].iter_rows(values_only=True) for c in row if c]
    assert release in notes and "Gebietsstand" in notes
    assert {"-", ".", "/", "x", "..."} <= set(notes) and "nichts vorhanden" in notes
    assert "dl-de/by-2-0" in notes  # the sources' licence, with their attribution
    assert any("Bundesagentur für Arbeit" in str(c) for c in notes)


def test_a_table_over_the_row_limit_gets_no_sheet_but_a_note(
    refreshed: Path, marts, tmp_path: Path
) -> None:
    indicators, goals = len(marts["dim_indicator"][1]), len(marts["mart_goal_monitoring"][1])
    limit = 10
    assert goals <= limit < indicators
    target = tmp_path / "limited.xlsx"
    with duckdb.connect(str(refreshed / "sozialplanung.duckdb"), read_only=True) as con:
        tables = [
            t for t in export_tables(con) if t.name in ("dim_indicator", "mart_goal_monitoring")
        ]
        write_workbook(con, tables, target, "test", max_rows=limit)

    workbook = openpyxl.load_workbook(target)  # not read-only: styles and widths too
    assert workbook.sheetnames == ["Hinweise", "Datenlexikon", "mart_goal_monitoring"]
    notes = {row[0]: row for row in workbook["Hinweise"].iter_rows(values_only=True)}
    _, rows, where, _ = notes["dim_indicator"]
    assert rows == indicators
    assert f"kein Blatt ({indicators} Zeilen, mehr als 10)" in where
    assert "dim_indicator.csv und dim_indicator.parquet neben dieser Arbeitsmappe" in where
    assert notes["mart_goal_monitoring"][1:3] == (goals, "mart_goal_monitoring")

    _, entries = _sheet_rows(workbook["Datenlexikon"])
    described = [e for e in entries if e[0] == "dim_indicator"]
    assert [e[2] for e in described] == [c for c, _ in marts["dim_indicator"][0]]
    assert {e[1] for e in described} == {"kein Blatt: dim_indicator.csv / dim_indicator.parquet"}

    sheet = workbook["mart_goal_monitoring"]
    header, rows = _sheet_rows(sheet)
    assert len(rows) == goals
    assert sheet.freeze_panes == "A2" and all(cell.font.b for cell in sheet[1])
    widths = {  # a <col> element may span several columns of one width
        i: d.width for d in sheet.column_dimensions.values() for i in range(d.min, d.max + 1)
    }
    for column, name in enumerate(header, start=1):  # at least as wide as the header
        assert widths[column] >= len(name), name


def _current(root: Path) -> Path:
    return (root / "exports" / "current").resolve()


def test_sozplan_export_writes_the_published_release(
    published_warehouse: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = published_warehouse.parent
    with duckdb.connect(str(published_warehouse), read_only=True) as con:
        release = con.execute("select release from meta.release").fetchone()[0]
        names = [r[0] for r in con.execute(
            "select table_name from information_schema.tables where table_schema = 'marts'"
        ).fetchall()]  # fmt: skip
    stale = root / "exports" / "20200101T000000Z-gone"  # a release no longer kept
    stale.mkdir(parents=True)

    assert main(["export", "--format", "parquet"]) == 0
    assert f"exported release {release}" in capsys.readouterr().out
    assert _current(root) == root / "exports" / release
    assert {p.name for p in _current(root).iterdir()} == {f"{n}.parquet" for n in names}
    assert not stale.exists()

    assert main(["export", "--format", "csv"]) == 0  # adds the CSV, keeps the Parquet
    assert {p.name for p in _current(root).iterdir()} == {
        f"{n}.{ext}" for n in names for ext in ("parquet", "csv")
    }


def test_a_failed_export_changes_nothing(published_warehouse: Path) -> None:
    root = published_warehouse.parent
    paths = WarehousePaths(root)
    assert main(["export", "--format", "parquet"]) == 0
    before = {p.name for p in (root / "exports").iterdir()}
    with pytest.raises(ExportError, match="not 20990101T000000Z-other"):
        export_release(published_warehouse, "20990101T000000Z-other", paths, ["parquet"])
    assert {p.name for p in (root / "exports").iterdir()} == before  # no half-written folder


def test_sozplan_export_names_the_kept_releases_for_an_unknown_one(
    published_warehouse: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    kept = published_warehouse.parent / "releases"
    kept.mkdir()
    (kept / "20261101T060000Z-aaaaaaaa.duckdb").write_bytes(b"")
    assert main(["export", "--release", "20990101T000000Z-nope"]) == 1
    err = capsys.readouterr().err
    assert "no kept release '20990101T000000Z-nope'" in err
    assert "kept releases: 20261101T060000Z-aaaaaaaa" in err
    assert main(["export", "--format", "parquet,pdf"]) == 1
    assert "unknown export format pdf" in capsys.readouterr().err
    assert not (published_warehouse.parent / "exports").exists()


def test_a_rollback_points_current_at_the_release_it_publishes_again(
    published_warehouse: Path,
) -> None:
    """Two releases: the sample's and a copy recorded as a later one; rollback to the first."""
    root = published_warehouse.parent
    paths = WarehousePaths(root)
    with duckdb.connect(str(published_warehouse), read_only=True) as con:
        first = con.execute("select release from meta.release").fetchone()[0]
    later = "20991231T000000Z-later000"
    candidate = root / "later.duckdb"
    shutil.copyfile(published_warehouse, candidate)
    with duckdb.connect(str(candidate)) as con:
        con.execute("update meta.release set release = ?", [later])
    first_candidate = root / "first.duckdb"
    shutil.copyfile(published_warehouse, first_candidate)
    publish(first_candidate, first, paths)  # registered and kept, as a refresh does
    assert main(["export", "--format", "parquet"]) == 0
    publish(candidate, later, paths)
    assert main(["export", "--format", "parquet"]) == 0
    assert _current(root) == root / "exports" / later

    assert main(["rollback", first]) == 0
    assert _current(root) == root / "exports" / first
    assert {p.name for p in (root / "exports").iterdir()} == {first, later, "current"}


def test_a_copied_warehouse_exports_again(published_warehouse: Path, tmp_path: Path) -> None:
    """A copy of the warehouse folder made by following links (shutil.copytree, `cp -rL`)
    holds `exports/current` as a plain folder; the next export points it at the release."""
    root = published_warehouse.parent
    with duckdb.connect(str(published_warehouse), read_only=True) as con:
        release = con.execute("select release from meta.release").fetchone()[0]
    paths = WarehousePaths(root)
    export_release(published_warehouse, release, paths, ("parquet",))
    copy = tmp_path / "copy"
    shutil.copytree(root, copy)
    assert (copy / "exports" / "current").is_dir()
    assert not (copy / "exports" / "current").is_symlink()
    export_release(copy / "sozialplanung.duckdb", release, WarehousePaths(copy), ("parquet",))
    current = copy / "exports" / "current"
    assert current.is_symlink() and current.resolve() == (copy / "exports" / release).resolve()
