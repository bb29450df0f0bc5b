"""Ingest a source: read each of its deliveries, conform them to the contract, write raw.

A source is the history of its deliveries: `raw_history.<source>` keeps every delivered value,
`raw.<source>` the newest per key, `meta.revision` what a later delivery changed. Every raw
row carries its file's name and sha256, the time of ingestion and the release. From the raw
tables `meta.source_file` registers one row per file with table code, licence and
attribution, so every value downstream can be traced to the file it came from.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from pipelines.conform import check, source_gap_problems
from pipelines.contracts import Contract
from pipelines.disclosure import drop_relation
from pipelines.landing import Delivery
from pipelines.paths import WarehousePaths
from pipelines.readers import InputError, read_file
from pipelines.readers.table import CANONICAL_COLUMNS, ReadResult, drop_scratch, scratch_names


@dataclass(frozen=True)
class IngestReport:
    source: str
    file: Path  # the newest delivery
    sha256: str
    rows: int  # current values
    status_counts: dict[str, int]
    deliveries: int = 1
    revisions: int = 0


def read_delivery(
    path: Path, contract: Contract, con: duckdb.DuckDBPyConnection | None = None
) -> ReadResult:
    """Read a delivery with the reader its content calls for (the format is the reader's
    business): a GENESIS table may come as ffcsv, as the API's ZIP or as a classic export,
    whatever reader the contract names. The rows go into a temporary table of `con` (none
    given: a private in-memory connection)."""
    from pipelines.readers import reader_module
    from pipelines.readers.detect import detect, genesis_format

    reader = contract.reader
    if reader in ("genesis_ffcsv", "genesis_classic"):
        found = genesis_format(path)
        if found in ("genesis_ffcsv", "genesis_zip"):
            reader = "genesis_ffcsv"
        elif found == "genesis_classic":
            reader = "genesis_classic"
        else:
            kind = detect(path)
            raise InputError.single(path, expected="a GENESIS table", found=kind.description)
    accepted = reader_module(reader).OPTIONS
    options = {k: v for k, v in contract.reader_options.items() if k in accepted}
    if reader != contract.reader:  # options written for another format's layout
        options.pop("decimal", None)
    return read_file(path, reader, con=con, **options)


def ingest_deliveries(
    contract: Contract,
    deliveries: list[Delivery],
    con: duckdb.DuckDBPyConnection,
    release: str,
) -> IngestReport:
    """Read every delivery of a source and write its history and its current values.

    `raw_history.<source>` holds every delivered value with its delivery; `raw.<source>` the
    current one per key (the newest delivery wins); `meta.revision` each value a later
    delivery changed. Each delivery passes the contract checks, then the deliveries together
    must hold every region of each period. Problems are reported under the name the user
    knows the file by.
    """
    before = scratch_names(con)
    try:
        checked = _checked(contract, deliveries, con)
        ingested_at = datetime.now(UTC).replace(tzinfo=None)
        prepare_raw_schemas(con)
        history = f"raw_history.{contract.source}"
        con.execute(f"create or replace table {history} as select * from ({empty_raw_sql()})")
        canonical = ", ".join(c for c in CANONICAL_COLUMNS if c != "table_code")
        for seq, (delivery, result) in enumerate(zip(deliveries, checked, strict=True), 1):
            con.execute(
                f"""insert into {history} by name
                select {canonical}, ? as table_code, ? as _source_file,
                       ? as _source_file_sha256, ? as _ingested_at, ? as _release,
                       ? as _delivery_seq, ? as _landed_at
                from {result.table}""",
                [
                    contract.table_code,
                    delivery.original_name,
                    delivery.sha256,
                    ingested_at,
                    release,
                    seq,
                    delivery.landed_at,
                ],
            )
        drop_scratch(con, before)  # the reads' tables are written: free them
        _write_current(con, contract, history, len(deliveries))
        revisions = record_revisions(con, contract, history)
    finally:
        drop_scratch(con, before)
    rows = con.execute(f"select count(*) from {contract.raw_table}").fetchone()[0]
    status_counts = dict(
        con.execute(
            f"select value_status, count(*) from {contract.raw_table} "
            "where value_status is not null group by 1"
        ).fetchall()
    )
    newest = deliveries[-1] if deliveries else None
    return IngestReport(
        contract.source,
        newest.path if newest else Path(),
        newest.sha256 if newest else "",
        rows,
        status_counts,
        deliveries=len(deliveries),
        revisions=revisions,
    )


def _write_current(
    con: duckdb.DuckDBPyConnection, contract: Contract, history: str, deliveries: int
) -> None:
    """`raw.<source>`: the canonical columns and the lineage of the newest delivered value per
    key. One delivery holds each key once: raw is a view of its history (no copy of millions
    of rows); several: a table of the newest value per key. Not sorted: every reader of raw
    groups or orders what it needs."""
    keys = ", ".join(contract.key_columns)
    lineage = ", ".join(f"h.{c}" for c in LINEAGE_COLUMNS)
    select = f"""select h.* exclude ({", ".join(LINEAGE_COLUMNS)}, _delivery_seq, _landed_at),
            {lineage}
        from {history} as h"""
    schema, name = contract.raw_table.split(".")
    drop_relation(con, schema, name)
    if deliveries <= 1:
        con.execute(f"create view {contract.raw_table} as {select}")
    else:
        con.execute(
            f"""create table {contract.raw_table} as {select}
            qualify row_number() over (partition by {keys} order by h._delivery_seq desc) = 1"""
        )


def _checked(
    contract: Contract, deliveries: list[Delivery], con: duckdb.DuckDBPyConnection
) -> list[ReadResult]:
    """Each delivery read into `con` and checked, then all of them together for every region
    of each period; problems under the name the user knows the file by."""
    checked = []
    for delivery in deliveries:
        try:
            conformed = check(read_delivery(delivery.path, contract, con), contract, others=None)
            if conformed.problems:
                raise InputError(conformed.problems)
        except InputError as err:
            raise InputError(
                [replace(p, file=delivery.original_name) for p in err.problems]
            ) from None
        checked.append(conformed.result)
    # every region of a period, over all deliveries: a revision completes an earlier one
    gaps = source_gap_problems(checked, contract)
    if gaps:
        names = {d.path.name: d.original_name for d in deliveries}
        raise InputError([replace(p, file=names.get(p.file, p.file)) for p in gaps])
    return checked


def prepare_raw_schemas(con: duckdb.DuckDBPyConnection) -> None:
    """The schemas and the revision table every source writes into, made before sources are
    ingested side by side (two transactions creating the same one conflict)."""
    for schema in ("raw", "raw_history", "meta"):
        con.execute(f"create schema if not exists {schema}")
    con.execute(f"create table if not exists meta.revision ({REVISION_COLUMNS})")


REVISION_COLUMNS = """source varchar, period_year bigint, region_key varchar, key varchar,
    old_value double, old_status varchar, old_file varchar, old_sha256 varchar,
    new_value double, new_status varchar, new_file varchar, new_sha256 varchar"""


def record_revisions(con: duckdb.DuckDBPyConnection, contract: Contract, history: str) -> int:
    """Write the source's rows of `meta.revision` (made by `prepare_raw_schemas`): values a
    later delivery changed."""
    keys = list(contract.key_columns)
    key_text = " || ', ' || ".join(f"'{k}=' || coalesce(cast({k} as varchar), '')" for k in keys)
    con.execute("delete from meta.revision where source = ?", [contract.source])
    if con.execute(f"select count(distinct _delivery_seq) < 2 from {history}").fetchone()[0]:
        return 0  # one delivery revises nothing
    con.execute(
        f"""insert into meta.revision
        select ?, period_year, region_key, key, old_value, old_status, old_file, old_sha256,
               value, value_status, _source_file, _source_file_sha256
        from (
            select *, {key_text} as key,
                lag(value) over w as old_value, lag(value_status) over w as old_status,
                lag(_source_file) over w as old_file,
                lag(_source_file_sha256) over w as old_sha256,
                lag(_delivery_seq) over w as old_seq
            from {history}
            window w as (partition by {", ".join(keys)} order by _delivery_seq)
        )
        where old_seq is not null
          and (value is distinct from old_value or value_status is distinct from old_status)""",
        [contract.source],
    )
    return con.execute(
        "select count(*) from meta.revision where source = ?", [contract.source]
    ).fetchone()[0]


# Lineage of every raw row (after the canonical columns).
LINEAGE_COLUMNS = ("_source_file", "_source_file_sha256", "_ingested_at", "_release")
DELIVERY_COLUMNS = ("_source_file", "_source_file_sha256", "_delivery_seq", "_landed_at")
_TYPES = {"period_year": "bigint", "value": "double", "_source_line": "bigint"}


def empty_raw_sql() -> str:
    """An empty history table: the canonical columns, lineage and the delivery order."""
    columns = [f"cast(null as {_TYPES.get(c, 'varchar')}) as {c}" for c in CANONICAL_COLUMNS]
    columns += [
        "cast(null as varchar) as _source_file",
        "cast(null as varchar) as _source_file_sha256",
        "cast(null as timestamp) as _ingested_at",
        "cast(null as varchar) as _release",
        "cast(null as bigint) as _delivery_seq",
        "cast(null as varchar) as _landed_at",
    ]
    return f"select {', '.join(columns)} limit 0"


def write_source_register(con: duckdb.DuckDBPyConnection, contracts: list[Contract]) -> int:
    """Rebuild `meta.source_file` (one row per delivered file: provenance, licence, rows it
    delivered, rows of it still current) from the lineage columns of the raw tables."""
    selects = []
    params: list[str] = []
    for c in contracts:
        selects.append(
            f"""select ? as source, ? as table_code, h._source_file as file_name,
                   h._source_file_sha256 as file_sha256, count(*) as rows,
                   coalesce(max(cur.rows), 0) as current_rows,
                   string_agg(distinct cast(h.period_year as varchar), ',' order by
                       cast(h.period_year as varchar)) as periods,
                   ? as reader, ? as licence, ? as attribution, min(h._ingested_at) as ingested_at,
                   min(h._release) as release, ?::double as parts_tolerance,
                   min(h._delivery_seq) as delivery_seq
            from raw_history.{c.source} as h
            left join (
                select _source_file_sha256, count(*) as rows from {c.raw_table} group by 1
            ) as cur using (_source_file_sha256)
            group by h._source_file, h._source_file_sha256"""
        )
        params += [c.source, c.table_code, c.reader, c.licence, c.attribution, c.parts_tolerance]
    con.execute("create schema if not exists meta")
    con.execute(
        "create or replace table meta.source_file as " + " union all ".join(selects), params
    )
    return con.execute("select count(*) from meta.source_file").fetchone()[0]


def write_coverage_gaps(
    con: duckdb.DuckDBPyConnection, contracts: list[Contract], first_period: int
) -> list[tuple[str, int]]:
    """Rebuild `meta.coverage_gap`: per source, the years from the territory's first year to
    the newest delivered year (of any source) that no delivery of it holds. A gap is shown
    as missing, never invented, and does not fail a refresh."""
    selects = [
        f"select '{c.source}' as source, period_year from {c.raw_table} group by period_year"
        for c in contracts
    ]
    con.execute("create schema if not exists meta")
    con.execute(
        f"""create or replace table meta.coverage_gap as
        with delivered as ({" union all ".join(selects)}),
        years as (
            select range as period_year
            from range(?, (select coalesce(max(period_year), ?) from delivered) + 1)
        ),
        sources as (select unnest(?::varchar[]) as source)
        select s.source, y.period_year,
               s.source in (select source from delivered) as source_delivered
        from sources as s cross join years as y
        anti join delivered as d on d.source = s.source and d.period_year = y.period_year
        order by s.source, y.period_year""",
        [first_period, first_period - 1, [c.source for c in contracts]],
    )
    return con.execute("select source, period_year from meta.coverage_gap").fetchall()


def landed_results(
    contract: Contract,
    paths: WarehousePaths,
    but: str = "",
    con: duckdb.DuckDBPyConnection | None = None,
) -> list[ReadResult]:
    """The source's deliveries in use in the warehouse at `paths`, read into `con` and
    checked, oldest first (none landed: none; `but`: leave out the delivery with this
    sha256). What a file inspected now would join: `sozplan inspect` checks every region of a
    period over them as the refresh would. A delivery that no longer passes its checks is
    left out."""
    from pipelines.landing import deliveries_in_use, landing_dir, manifest_path, read_manifest

    if not manifest_path(paths).is_file():
        return []
    results = []
    for row in deliveries_in_use(contract.source, read_manifest(paths)):
        if row.sha256 == but:
            continue
        try:
            conformed = check(
                read_delivery(landing_dir(paths) / row.path, contract, con), contract, None
            )
        except (InputError, OSError):
            continue
        if not conformed.problems:
            results.append(conformed.result)
    return results
