"""Ingest one delivery: find the file, read it, conform it to its contract, write `raw.<source>`.

Every raw row carries its file's sha256, the time of ingestion and the release. One row per
file goes to `meta.source_file` with table code, licence and attribution, so every value
downstream can be traced to the file it came from.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime
from fnmatch import fnmatch
from pathlib import Path

import duckdb

from pipelines.conform import conform
from pipelines.contracts import Contract
from pipelines.paths import WarehousePaths
from pipelines.readers import read_file

SOURCE_FILE_DDL = """
create schema if not exists meta;
create table if not exists meta.source_file (
    source varchar not null,
    table_code varchar not null,
    file_name varchar not null,
    file_sha256 varchar not null,
    file_size bigint not null,
    rows bigint not null,
    reader varchar not null,
    licence varchar not null,
    attribution varchar not null,
    ingested_at timestamp not null,
    release varchar not null
);
"""


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


def input_file(contract: Contract, paths: WarehousePaths) -> Path:
    """The delivery to use: the newest matching file in the inbox, else the bundled sample."""
    inbox = paths.inbox_dir
    candidates = (
        [p for p in inbox.iterdir() if p.is_file() and fnmatch(p.name, contract.file_pattern)]
        if inbox.is_dir()
        else []
    )
    if candidates:
        return max(candidates, key=lambda p: (p.stat().st_mtime_ns, p.name))
    return contract.sample_file


def ingest(
    contract: Contract, path: Path, con: duckdb.DuckDBPyConnection, release: str
) -> IngestReport:
    """Read `path` as `contract` says and replace `raw.<source>` in the open database."""
    result = read_file(path, contract.reader, **contract.reader_options)
    frame = conform(result, contract)
    sha = sha256_of(path)
    ingested_at = datetime.now(UTC).replace(tzinfo=None)
    frame["_source_file"] = path.name
    frame["_source_file_sha256"] = sha
    frame["_ingested_at"] = ingested_at
    frame["_release"] = release

    con.execute("create schema if not exists raw")
    con.register("delivery", frame)
    try:
        con.execute(f"create or replace table {contract.raw_table} as select * from delivery")
    finally:
        con.unregister("delivery")
    con.execute(SOURCE_FILE_DDL)
    con.execute("delete from meta.source_file where source = ?", [contract.source])
    con.execute(
        "insert into meta.source_file values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            contract.source,
            contract.table_code,
            path.name,
            sha,
            path.stat().st_size,
            len(frame),
            contract.reader,
            contract.licence,
            contract.attribution,
            ingested_at,
            release,
        ],
    )
    status_counts = frame["value_status"].value_counts().to_dict()
    return IngestReport(contract.source, path, sha, len(frame), status_counts)
