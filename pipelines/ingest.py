"""Ingest one delivery: find the file, read it, conform it to its contract, write `raw.<source>`.

Every raw row carries its file's sha256, the time of ingestion and the release. From the raw
tables `meta.source_file` registers one row per file with table code, licence and
attribution, so every value downstream can be traced to the file it came from.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from pipelines.conform import conform
from pipelines.contracts import Contract
from pipelines.readers import InputError, read_file


@dataclass(frozen=True)
class IngestReport:
    source: str
    file: Path
    sha256: str
    rows: int
    status_counts: dict[str, int]


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def ingest(
    contract: Contract,
    path: Path,
    con: duckdb.DuckDBPyConnection,
    release: str,
    original_name: str | None = None,
) -> IngestReport:
    """Read `path` as `contract` says and replace `raw.<source>` in the open database.

    Problems are reported under `original_name`, the name the user knows the file by.
    """
    name = original_name or path.name
    try:
        result = read_file(path, contract.reader, **contract.reader_options)
        frame = conform(result, contract)
    except InputError as err:
        raise InputError([replace(p, file=name) for p in err.problems]) from None
    sha = sha256_of(path)
    ingested_at = datetime.now(UTC).replace(tzinfo=None)
    frame["_source_file"] = name
    frame["_source_file_sha256"] = sha
    frame["_ingested_at"] = ingested_at
    frame["_release"] = release

    con.execute("create schema if not exists raw")
    con.register("delivery", frame)
    try:
        con.execute(f"create or replace table {contract.raw_table} as select * from delivery")
    finally:
        con.unregister("delivery")
    status_counts = frame["value_status"].value_counts().to_dict()
    return IngestReport(contract.source, path, sha, len(frame), status_counts)


def write_source_register(con: duckdb.DuckDBPyConnection, contracts: list[Contract]) -> int:
    """Rebuild `meta.source_file` from the lineage columns of the raw tables."""
    selects = []
    params: list[str] = []
    for c in contracts:
        selects.append(
            f"""select ? as source, table_code, _source_file as file_name,
                   _source_file_sha256 as file_sha256, count(*) as rows, ? as reader,
                   ? as licence, ? as attribution, min(_ingested_at) as ingested_at,
                   min(_release) as release, ?::double as parts_tolerance
            from {c.raw_table}
            group by table_code, _source_file, _source_file_sha256"""
        )
        params += [c.source, c.reader, c.licence, c.attribution, c.parts_tolerance]
    con.execute("create schema if not exists meta")
    con.execute(
        "create or replace table meta.source_file as " + " union all ".join(selects), params
    )
    return con.execute("select count(*) from meta.source_file").fetchone()[0]
