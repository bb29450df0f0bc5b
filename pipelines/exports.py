"""Exports for BI tools and spreadsheets: the curated tables of a release as plain files.

Each publish (and `sozplan export`) writes every table of schema `marts` to
`warehouse/exports/<release>/`: `<table>.parquet` (Power BI, Superset, Metabase, pandas),
`<table>.csv` for spreadsheets (`;`, decimal comma, UTF-8 with BOM: Excel and LibreOffice in a
German locale open it as it is) and one workbook `sozialplanung.xlsx`
(`pipelines/export_workbook.py`).
File names and columns follow the marts, so a report reading `exports/current/<table>.parquet`
keeps working from release to release. Tables keyed by region or indicator also carry the
region's name and the indicator's German title, for readers without a join.

A release's folder is written beside its place and renamed into it, and `exports/current` is a
symlink replaced in one rename: a half-written export is never current. Exports are kept for
the kept releases (`pipelines/publish.py`), older folders are removed.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path

import duckdb

from pipelines.paths import WarehousePaths
from pipelines.publish import list_releases

FORMATS = ("parquet", "csv", "xlsx")
WORKBOOK = "sozialplanung.xlsx"
CURRENT = "current"
RELEASE_DB = "release_file"  # the release's file, attached read-only
# The rows being written are held in memory up to this, the rest spills: the export runs at
# the end of a refresh, whose process holds the most by then (Dagster, dbt, GX loaded).
EXPORT_MEMORY_LIMIT = "384MB"
# The tables dashboards start from come first; the other marts follow by name.
LEADING_TABLES = ("dim_region", "dim_indicator", "fct_indicator_value")
NUMBER_TYPES = ("DOUBLE", "FLOAT", "REAL", "DECIMAL")
BOM = "\ufeff".encode()


@dataclass(frozen=True)
class Label:
    """A name column the export adds beside a key column (the marts join on keys only)."""

    key: str
    column: str
    dimension: str
    source: str
    description: str


LABELS = (
    Label(
        "region_key",
        "region_name",
        "dim_region",
        "name",
        "Name der Region (aus dim_region.name), im Export ergänzt; verknüpfen über region_key.",
    ),
    Label(
        "indicator_id",
        "indicator_title_de",
        "dim_indicator",
        "title_de",
        "Titel des Indikators (aus dim_indicator.title_de), im Export ergänzt; verknüpfen "
        "über indicator_id.",
    ),
)


class ExportError(RuntimeError):
    """The export cannot be written; the message says why, for the user."""


@dataclass(frozen=True)
class Column:
    name: str
    data_type: str
    added: str = ""  # the description of a label column the export adds (not in the mart)


@dataclass(frozen=True)
class ExportTable:
    """One mart as exported: its columns (with added labels) and the query for its rows."""

    name: str
    columns: tuple[Column, ...]
    select: str  # every row, in a stable order

    def csv_select(self) -> str:
        """The rows with numbers written with a decimal comma (DuckDB's CSV writer has no
        option for it) and everything else as DuckDB writes it: ISO dates, NULL empty."""
        parts = [
            f"replace(cast({_quote(c.name)} as varchar), '.', ',') as {_quote(c.name)}"
            if c.data_type.startswith(NUMBER_TYPES)
            else _quote(c.name)
            for c in self.columns
        ]
        return f"select {', '.join(parts)} from ({self.select})"


def export_release(
    database: Path,
    release: str,
    paths: WarehousePaths,
    formats: Iterable[str] = FORMATS,
) -> Path:
    """Write the marts of `database` (the published file or a kept release, opened read-only)
    to `exports/<release>/` in `formats`, point `exports/current` at the published release's
    export and remove the exports of releases no longer kept. Returns the release's folder.
    The caller holds the warehouse lock (one export at a time)."""
    wanted = check_formats(formats)
    root = paths.exports_dir
    root.mkdir(parents=True, exist_ok=True)
    _remove_abandoned(root)
    staging = root / f".{release}.{os.getpid()}.tmp"
    spill = root / f".spill.{os.getpid()}.tmp"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir()
    try:
        # the release read-only, the rows to export in memory beside it
        with duckdb.connect() as con, ThreadPoolExecutor(1, "workbook") as beside:
            # no progress bar: the workbook's rows stream for seconds, the terminal is the user's
            con.execute("set enable_progress_bar = false")
            con.execute(f"set memory_limit = '{EXPORT_MEMORY_LIMIT}'")
            # what does not fit spills beside the export, not into the working directory
            con.execute(f"set temp_directory = {_literal(spill)}")
            con.execute(f"attach {_literal(database)} as {RELEASE_DB} (read_only)")
            con.execute(f"use {RELEASE_DB}")
            _check_release(con, database, release)
            tables = [_rows_once(con, table) for table in export_tables(con)]
            workbook = None
            if "xlsx" in wanted:  # written in Python: beside DuckDB's writers, not after them
                workbook = beside.submit(_write_workbook, con.cursor(), tables, staging, release)
            for table in tables:
                if "parquet" in wanted:
                    target = staging / f"{table.name}.parquet"
                    con.execute(f"copy ({table.select}) to {_literal(target)} (format parquet)")
                if "csv" in wanted:
                    _write_csv(con, table, staging / f"{table.name}.csv")
            if workbook is not None:
                workbook.result()
        _keep_other_formats(root / release, staging)
        folder = _move_into_place(staging, root / release)
    except duckdb.Error as exc:
        shutil.rmtree(staging, ignore_errors=True)
        first = str(exc).splitlines()[0]
        raise ExportError(f"reading release {release} from {database} failed: {first}") from None
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    finally:
        shutil.rmtree(spill, ignore_errors=True)
    published = release if database == paths.published else published_release(paths)
    point_current(paths, published)
    prune_exports(paths, keep={release, published or release})
    return folder


def refresh_formats() -> tuple[str, ...]:
    """The formats a refresh exports: `SOZPLAN_EXPORT_FORMATS` (e.g. `parquet,csv`), else all.
    The workbook is the slow part (each cell is written in Python)."""
    configured = os.environ.get("SOZPLAN_EXPORT_FORMATS", "")
    return check_formats(configured.split(",")) if configured.strip() else FORMATS


def check_formats(formats: Iterable[str]) -> tuple[str, ...]:
    """The formats asked for, in the order of FORMATS; an unknown one is an ExportError."""
    asked = [f.strip().lower() for f in formats if f.strip()]
    unknown = sorted(set(asked) - set(FORMATS))
    if unknown or not asked:
        raise ExportError(
            f"unknown export format {', '.join(unknown) or '(none)'}; formats: {', '.join(FORMATS)}"
        )
    return tuple(f for f in FORMATS if f in asked)


def release_database(paths: WarehousePaths, release: str | None = None) -> tuple[str, Path]:
    """The release and its file: the published one by default, else a kept release."""
    published = published_release(paths)
    if release is None or release == published:
        if published is None:
            raise ExportError(f"no published warehouse at {paths.published}: run `make run` first")
        return published, paths.published
    kept = paths.releases_dir / f"{release}.duckdb"
    if Path(release).name != release or not kept.is_file():
        names = ", ".join(p.stem for p in list_releases(paths)) or "none"
        raise ExportError(f"no kept release {release!r}; kept releases: {names}")
    return release, kept


def published_release(paths: WarehousePaths) -> str | None:
    """The release id the published file records (None without a published file)."""
    from pipelines.fingerprint import published_fingerprint

    found = published_fingerprint(paths)
    return found[0] if found else None


def export_tables(con: duckdb.DuckDBPyConnection) -> list[ExportTable]:
    """Every table and view of schema `marts`, the dashboards' tables first."""
    found = con.execute(
        "select table_name, column_name, data_type from information_schema.columns "
        "where table_schema = 'marts' order by table_name, ordinal_position"
    ).fetchall()
    columns: dict[str, list[Column]] = {}
    for table, column, data_type in found:
        columns.setdefault(table, []).append(Column(column, data_type))
    rank = {name: i for i, name in enumerate(LEADING_TABLES)}
    names = sorted(columns, key=lambda name: (rank.get(name, len(rank)), name))
    return [_export_table(name, columns[name], set(columns)) for name in names]


def _export_table(name: str, columns: list[Column], tables: set[str]) -> ExportTable:
    """The mart's columns, each key of LABELS followed by its name unless the mart has one."""
    present = {c.name for c in columns}
    selected, exported, joins = [], [], []
    for column in columns:
        selected.append(f"t.{_quote(column.name)}")
        exported.append(column)
        for i, label in enumerate(LABELS):
            if (
                column.name == label.key
                and name != label.dimension
                and label.dimension in tables
                and not present & {label.column, label.source}
            ):
                alias = f"l{i}"
                joins.append(
                    f"left join marts.{_quote(label.dimension)} as {alias} "
                    f"on {alias}.{_quote(label.key)} = t.{_quote(label.key)}"
                )
                selected.append(f"{alias}.{_quote(label.source)} as {_quote(label.column)}")
                exported.append(Column(label.column, "VARCHAR", label.description))
    select = (
        f"select {', '.join(selected)} from marts.{_quote(name)} as t {' '.join(joins)} "
        "order by all"
    )
    return ExportTable(name, tuple(exported), select)


def _rows_once(con: duckdb.DuckDBPyConnection, table: ExportTable) -> ExportTable:
    """The table with its rows computed once (labels joined, sorted) into the in-memory
    database of `con`: every format, and the workbook's counts and widths, read them there."""
    rows = f"memory.main.{_quote(f'export__{table.name}')}"
    con.execute(f"create table {rows} as {table.select}")
    return replace(table, select=f"select * from {rows}")


def _write_workbook(
    cursor: duckdb.DuckDBPyConnection, tables: list[ExportTable], staging: Path, release: str
) -> None:
    """The workbook, on its own connection to the export's database (run in a thread)."""
    from pipelines.export_workbook import write_workbook

    with cursor:
        cursor.execute(f"use {RELEASE_DB}")
        write_workbook(cursor, tables, staging / WORKBOOK, release)


def _write_csv(con: duckdb.DuckDBPyConnection, table: ExportTable, target: Path) -> None:
    """`;`-separated with decimal comma, UTF-8 with BOM (DuckDB writes no BOM: prepend it)."""
    plain = target.with_suffix(".plain")
    con.execute(
        f"copy ({table.csv_select()}) to {_literal(plain)} (format csv, header, delimiter ';')"
    )
    with target.open("wb") as out, plain.open("rb") as rows:
        out.write(BOM)
        shutil.copyfileobj(rows, out, 1 << 20)
    plain.unlink()


def _check_release(con: duckdb.DuckDBPyConnection, database: Path, release: str) -> None:
    found = [r[0] for r in con.execute("select release from meta.release").fetchall()]
    if found != [release]:
        raise ExportError(
            f"{database.name} holds release {', '.join(found) or 'none'}, not {release}"
        )


def _keep_other_formats(existing: Path, staging: Path) -> None:
    """An export of some formats keeps the release's files of the others (same release,
    same rows): link them into the new folder."""
    if not existing.is_dir():
        return
    for file in existing.iterdir():
        if file.is_file() and not (staging / file.name).exists():
            os.link(file, staging / file.name)


def _move_into_place(staging: Path, folder: Path) -> Path:
    """Rename the finished folder into place (an earlier export of the release goes aside
    first: a directory cannot be renamed over a full one)."""
    aside = folder.with_name(f".{folder.name}.{os.getpid()}.old")
    if folder.is_dir():
        folder.rename(aside)
    staging.rename(folder)
    shutil.rmtree(aside, ignore_errors=True)
    return folder


def point_current(paths: WarehousePaths, release: str | None) -> None:
    """`exports/current` → the published release's export (when it has one), replaced by
    one rename so a reader always finds a complete folder."""
    root = paths.exports_dir
    if not release or not (root / release).is_dir():
        return
    link = root / CURRENT
    staging = root / f".{CURRENT}.{os.getpid()}.tmp"
    staging.unlink(missing_ok=True)
    try:
        os.symlink(release, staging, target_is_directory=True)
    except OSError:  # no symlinks on this file system: the release's name in a file
        staging.write_text(release + "\n", encoding="utf-8")
    if link.is_dir() and not link.is_symlink():  # a copy of the warehouse followed the link
        shutil.rmtree(link)
    os.replace(staging, link)


def current_export(paths: WarehousePaths) -> Path | None:
    """The folder `exports/current` points at (symlink, or a file naming the release)."""
    link = paths.exports_dir / CURRENT
    if link.is_symlink():
        return link.resolve()
    if link.is_file():
        return paths.exports_dir / link.read_text(encoding="utf-8").strip()
    return None


def prune_exports(paths: WarehousePaths, keep: set[str]) -> list[str]:
    """Remove the export folders of releases that are no longer kept; the removed names."""
    keep = keep | {p.stem for p in list_releases(paths)}
    current = current_export(paths)
    if current is not None:
        keep.add(current.name)
    removed = []
    for folder in sorted(paths.exports_dir.iterdir()):
        stale = folder.name not in keep and not folder.name.startswith(".")
        if stale and folder.is_dir() and not folder.is_symlink():
            shutil.rmtree(folder)
            removed.append(folder.name)
    return removed


def _remove_abandoned(root: Path) -> None:
    """Folders and links an export left behind when its process was killed. Exports run under
    the warehouse lock (the refresh's, or `sozplan export`'s), so none is in use."""
    for leftover in [*root.glob(".*.tmp"), *root.glob(".*.old")]:
        if leftover.is_dir() and not leftover.is_symlink():
            shutil.rmtree(leftover, ignore_errors=True)
        else:
            leftover.unlink(missing_ok=True)


def _quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def _literal(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"
