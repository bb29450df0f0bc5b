"""Disclosure control of the published file: no small-area count before secondary suppression.

The cities deliver their Sozialräume with their own (primary) suppression only; the city
total minus the other areas gives such a count back (README, "Small areas: secondary
suppression"). `int_measure_small_area_protected` adds secondary suppression, and
`int_measure` and the marts read only its output.

The deliveries as the cities made them never enter the candidate file: their ingest writes
into an in-memory catalog (`kept_out_of_the_file`), `raw.<source>` and
`raw_history.<source>` go to Parquet files beside the candidate (`unpublished_dir`), and the
candidate holds views over them, so the ingest checks, GX, dbt and the failure report read
them like any raw table. Their rows of `meta.revision` stay in memory.

Before a candidate is published, `empty_small_area_deliveries` turns those views into empty
tables with the same columns (every view over them and `sozplan tables` keep working and
return nothing) and refuses to go on when any other table of the build layers holds a row of
a small-area source. A candidate that still holds such rows in a table (copied from a file
published before the deliveries were kept out of it) has them deleted, and `compact` then
rewrites the file: DuckDB leaves deleted rows' bytes in the file's blocks until they are
reused. `meta.source_file` and `meta.coverage_gap` (written at ingest) keep describing the
deliveries; the landed files stay in `warehouse/landing/`, and every refresh reads these
sources again from them (`pipelines.fingerprint.kept_sources` never keeps them from the
published file).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

from pipelines.contracts import Contract
from pipelines.paths import LATE_STEP_MEMORY_LIMIT

# Tables materialised from the small-area deliveries that hold only protected counts.
PROTECTED = ("intermediate.int_measure_small_area_protected", "intermediate.int_measure")
# The layers built from the deliveries before disclosure control (`reference` holds the
# territory and the seeds, `marts` and `meta` read only protected counts).
BUILD_SCHEMAS = ("raw", "raw_history", "staging", "intermediate", "audit", "main")


class DisclosureError(RuntimeError):
    """A table of the candidate still holds small-area counts before disclosure control."""


def small_area_sources(contracts: Iterable[Contract]) -> list[Contract]:
    """The contracts whose regions are Sozialräume: keys like `<AGS8>-<code>`, described by
    the region's `key_pattern` (Kreise, Gemeinden and Länder are plain AGS)."""
    return [c for c in contracts if is_small_area(c)]


def is_small_area(contract: Contract) -> bool:
    return bool(contract.region.key_pattern)


def unpublished_dir(candidate: Path) -> Path:
    """Where a run keeps the small-area deliveries as read: Parquet files beside its candidate,
    removed with it."""
    return candidate.with_name(f"{candidate.stem}.unpublished")


def remove_unpublished(candidate: Path) -> None:
    shutil.rmtree(unpublished_dir(candidate), ignore_errors=True)


def _exists(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> bool:
    sql = (
        "select count(*) from duckdb_tables() where schema_name = ? and table_name = ? "
        "and database_name = current_database()"
    )
    return con.execute(sql, [schema, table]).fetchone()[0] > 0


def _is_view(con: duckdb.DuckDBPyConnection, schema: str, view: str) -> bool:
    sql = (
        "select count(*) from duckdb_views() where schema_name = ? and view_name = ? "
        "and database_name = current_database()"
    )
    return con.execute(sql, [schema, view]).fetchone()[0] > 0


def drop_relation(con: duckdb.DuckDBPyConnection, schema: str, name: str) -> None:
    """Drop `schema.name` of the current database, table or view (a release may hold either)."""
    if _is_view(con, schema, name):
        con.execute(f'drop view "{schema}"."{name}"')
    elif _exists(con, schema, name):
        con.execute(f'drop table "{schema}"."{name}"')


@contextmanager
def kept_out_of_the_file(
    con: duckdb.DuckDBPyConnection, contract: Contract, candidate: Path
) -> Iterator[None]:
    """Within: `con` (on the candidate) writes into an in-memory catalog. After: that
    catalog's `raw.<source>` and `raw_history.<source>` are Parquet files in
    `unpublished_dir(candidate)` and the candidate holds views of the same names over them."""
    home = con.execute("select current_database()").fetchone()[0]
    con.execute("attach ':memory:' as unpublished")
    con.execute("use unpublished")
    try:
        yield
        folder = unpublished_dir(candidate)
        folder.mkdir(parents=True, exist_ok=True)
        targets = {}
        for schema in ("raw", "raw_history"):  # copied while their views bind in memory
            targets[schema] = folder / f"{schema}.{contract.source}.parquet"
            con.execute(
                f"copy (from unpublished.{schema}.{contract.source}) to '{targets[schema]}' "
                "(format parquet)"
            )
        con.execute(f'use "{home}"')
        for schema, target in targets.items():
            con.execute(f"create schema if not exists {schema}")
            drop_relation(con, schema, contract.source)
            con.execute(
                f"create view {schema}.{contract.source} as select * from read_parquet('{target}')"
            )
    finally:
        con.execute(f'use "{home}"')
        con.execute("detach unpublished")


def empty_small_area_deliveries(
    con: duckdb.DuckDBPyConnection, contracts: Iterable[Contract]
) -> dict[str, int]:
    """Turn the small-area sources' views of `raw` and `raw_history` in the candidate `con`
    into empty tables; delete rows a table of theirs or `meta.revision` still holds (a
    candidate copied from an older release): the rows deleted per table (0: a view replaced).

    Then every other table of the build layers with a `region_key` is searched for keys of
    those sources (only `PROTECTED` may hold them): a table materialised from the
    deliveries would publish what disclosure control removed, so that stops the publish.
    """
    sources = small_area_sources(contracts)
    deleted: dict[str, int] = {}
    for contract in sources:
        for schema in ("raw", "raw_history"):
            table = f"{schema}.{contract.source}"
            if _is_view(con, schema, contract.source):
                empty = f"{contract.source}__empty"
                con.execute(f"create table {schema}.{empty} as select * from {table} limit 0")
                con.execute(f"drop view {table}")
                con.execute(f"alter table {schema}.{empty} rename to {contract.source}")
                deleted[table] = 0
            elif _exists(con, schema, contract.source):
                deleted[table] = con.execute(f"delete from {table}").fetchone()[0]
    if sources and _exists(con, "meta", "revision"):
        names = [c.source for c in sources]
        deleted["meta.revision"] = con.execute(
            "delete from meta.revision where source in (select unnest(?::varchar[]))", [names]
        ).fetchone()[0]
    if sources:
        _refuse_unprotected(con, [c.region.key_pattern or "" for c in sources])
    return deleted


def _refuse_unprotected(con: duckdb.DuckDBPyConnection, patterns: list[str]) -> None:
    """Raise when a table of the build layers other than PROTECTED holds a small-area key."""
    tables = con.execute(
        "select t.schema_name, t.table_name from duckdb_tables() as t "
        "inner join duckdb_columns() as c on c.table_oid = t.table_oid "
        "where c.column_name = 'region_key' and t.database_name = current_database() "
        "and t.schema_name in (select unnest(?::varchar[])) order by all",
        [list(BUILD_SCHEMAS)],
    ).fetchall()
    pattern = "|".join(f"(?:{p})" for p in patterns)
    found = []
    for schema, table in tables:
        name = f"{schema}.{table}"
        if name in PROTECTED:
            continue
        rows = con.execute(
            f'select count(*) from "{schema}"."{table}" '
            "where regexp_full_match(cast(region_key as varchar), ?)",
            [pattern],
        ).fetchone()[0]
        if rows:
            found.append(f"{name} ({rows} rows)")
    if found:
        raise DisclosureError(
            "not published: tables of the build layers hold small-area counts before "
            f"disclosure control: {', '.join(found)}. Make them views over the raw tables, or "
            "empty them in pipelines/disclosure.py"
        )


def compact(database: Path) -> None:
    """Rewrite `database` with its live rows only (same schemas, tables, views, constraints
    and comments): a deleted row's bytes stay in DuckDB's blocks until they are reused."""
    rewritten = database.with_name(f"{database.stem}.compact{database.suffix}")
    rewritten.unlink(missing_ok=True)
    spill = database.with_name(f"{database.stem}.compact.tmp")
    # a copy streams table by table: without a cap DuckDB keeps every block it read
    config = {"memory_limit": LATE_STEP_MEMORY_LIMIT, "temp_directory": str(spill)}
    try:
        with duckdb.connect(config=config) as con:
            con.execute("attach ? as candidate (read_only)", [str(database)])
            con.execute("attach ? as rewritten", [str(rewritten)])
            con.execute("copy from database candidate to rewritten")
            con.execute("detach rewritten")
        os.replace(rewritten, database)
    finally:
        rewritten.unlink(missing_ok=True)
        shutil.rmtree(spill, ignore_errors=True)
