"""Disclosure control of the published file: no small-area count before secondary suppression.

The cities deliver their Sozialräume with their own (primary) suppression only; the city
total minus the other areas gives such a count back (README, "Small areas: secondary
suppression"). `int_measure_small_area_protected` adds secondary suppression, and
`int_measure` and the marts read only its output. The build layers would still hold the
deliveries as the cities made them: `raw.<source>`, `raw_history.<source>`, their rows of
`meta.revision`, and the views over them (`staging`, `intermediate.int_measure_small_area`).

Before a candidate is published, `empty_small_area_deliveries` deletes those rows (the tables
stay, with their columns, so every view and `sozplan tables` keep working; the views over
them return nothing) and refuses to go on when any other table of the build layers still
holds a row of a small-area source. `compact` then rewrites the file: DuckDB leaves deleted
rows' bytes in the file's blocks until they are reused. `meta.source_file` and
`meta.coverage_gap` (written at ingest) keep describing the deliveries; the landed files stay
in `warehouse/landing/`, and every refresh reads these sources again from them
(`pipelines.fingerprint.kept_sources` never keeps them from the published file).
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

import duckdb

from pipelines.contracts import Contract

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
    return [c for c in contracts if c.region.key_pattern]


def _exists(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> bool:
    sql = "select count(*) from duckdb_tables() where schema_name = ? and table_name = ?"
    return con.execute(sql, [schema, table]).fetchone()[0] > 0


def empty_small_area_deliveries(
    con: duckdb.DuckDBPyConnection, contracts: Iterable[Contract]
) -> dict[str, int]:
    """Delete every row of the small-area sources from `raw`, `raw_history` and
    `meta.revision` of the candidate `con`; the rows deleted per table.

    Then every other table of the build layers with a `region_key` is searched for keys of
    those sources (only `PROTECTED` may hold them): a table materialised from the
    deliveries would publish what disclosure control removed, so that stops the publish.
    """
    sources = small_area_sources(contracts)
    deleted: dict[str, int] = {}
    for contract in sources:
        for schema in ("raw", "raw_history"):
            if _exists(con, schema, contract.source):
                table = f"{schema}.{contract.source}"
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
    try:
        with duckdb.connect() as con:
            con.execute("attach ? as candidate (read_only)", [str(database)])
            con.execute("attach ? as rewritten", [str(rewritten)])
            con.execute("copy from database candidate to rewritten")
            con.execute("detach rewritten")
        os.replace(rewritten, database)
    finally:
        rewritten.unlink(missing_ok=True)
