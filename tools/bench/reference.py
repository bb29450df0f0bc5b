"""The benchmark's reference: the same data work in plain DuckDB, without orchestration or checks.

Two timed parts, on a copy of the published warehouse:

1. **Load**: every input file read with DuckDB's CSV reader — a GENESIS flat file (also the
   member of an API ZIP) into a table with its header, any other text table (classic
   exports, city files) line by line. Workbooks are not read: DuckDB has no Excel reader
   without an extension.
2. **Compute**: the SQL dbt compiled in the refresh's full build, every model in dependency
   order, run as one script (`create or replace table|view … as <compiled SQL>`) on the raw
   tables — every catalogue indicator for the same regions and periods, by the same SQL, so no
   second implementation exists to drift.

What it leaves out, and the refresh does: turning each file's layout into the canonical long
table (the readers), delivery history and revisions, the contract checks, the
great-expectations suites, the dbt tests, disclosure control, the release registry and the
swap, and Dagster.
"""

from __future__ import annotations

import contextlib
import json
import shutil
import time
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from graphlib import TopologicalSorter
from pathlib import Path

import duckdb

from pipelines.paths import DBT_PROJECT_DIR

FFCSV_HEADER = "statistics_code;"
MATERIALISED = {"table": "table", "incremental": "table", "view": "view"}


@dataclass(frozen=True)
class Reference:
    load_seconds: float
    compute_seconds: float
    loaded: int  # rows loaded from the files
    files: int  # files loaded
    skipped: tuple[str, ...]  # input files DuckDB cannot read without an extension
    models: int  # dbt models run
    values: int  # rows of the fact table it computed

    @property
    def seconds(self) -> float:
        return self.load_seconds + self.compute_seconds


def _text_tables(directory: Path, scratch: Path) -> Iterator[tuple[str, Path]]:
    """(kind, path) of every text table of the input: `flat` for GENESIS flat files (a ZIP's
    member extracted to `scratch`), `lines` for any other CSV."""
    for path in sorted(directory.iterdir()):
        suffix = path.suffix.lower()
        if suffix == ".zip":
            with zipfile.ZipFile(path) as archive:
                for member in archive.namelist():
                    if member.lower().endswith(".csv"):
                        target = scratch / f"{path.stem}__{Path(member).name}"
                        target.write_bytes(archive.read(member))
                        yield "flat", target
        elif suffix == ".csv":
            with path.open("rb") as handle:
                head = handle.readline().decode("latin-1").lstrip("\ufeff\xef\xbb\xbf")
            yield ("flat" if head.startswith(FFCSV_HEADER) else "lines"), path


def _as_utf8(path: Path, scratch: Path) -> Path:
    """The file itself when it is UTF-8, else a UTF-8 copy of it (classic exports and city
    files often come as Windows-1252, which DuckDB's CSV reader does not decode)."""
    data = path.read_bytes()
    try:
        data.decode("utf-8")
        return path
    except UnicodeDecodeError:
        copy = scratch / f"{path.stem}.utf8{path.suffix}"
        copy.write_text(data.decode("cp1252", errors="replace"), encoding="utf-8")
        return copy


def load_files(con: duckdb.DuckDBPyConnection, directory: Path, scratch: Path) -> int:
    """Every text table of the input into its own table; the rows loaded."""
    loaded = 0
    for number, (kind, path) in enumerate(_text_tables(directory, scratch)):
        table = f"file_{number}"
        if kind == "flat":
            source = "read_csv(?, delim=';', header=true, all_varchar=true)"
        else:
            source = (
                "read_csv(?, columns={'line': 'varchar'}, delim='\x01', header=false, "
                "quote='', escape='', auto_detect=false)"
            )
            path = _as_utf8(path, scratch)
        con.execute(f"create table {table} as select * from {source}", [str(path)])
        loaded += con.execute(f"select count(*) from {table}").fetchone()[0]
    return loaded


def compiled_models(manifest: Path) -> list[dict]:
    """The models a full build compiled (its `manifest.json`), in dependency order."""
    nodes = json.loads(manifest.read_text(encoding="utf-8"))["nodes"]
    models = {
        uid: node
        for uid, node in nodes.items()
        if node["resource_type"] == "model" and node["config"]["materialized"] in MATERIALISED
    }
    missing = [uid for uid, node in models.items() if not node.get("compiled_code")]
    if missing:
        raise ValueError(f"{manifest} is not of a full build: {len(missing)} models not compiled")
    graph = {
        uid: [d for d in node["depends_on"]["nodes"] if d in models] for uid, node in models.items()
    }
    return [models[uid] for uid in TopologicalSorter(graph).static_order()]


def run_models(con: duckdb.DuckDBPyConnection, models: list[dict]) -> None:
    """Each model's compiled SQL as `create table|view`; file paths in it (the territory's
    CSVs) are relative to the dbt project, as when dbt runs them."""
    con.execute("set file_search_path = ?", [str(DBT_PROJECT_DIR)])
    con.execute(f"use {models[0]['database']}")
    for node in models:
        kind = MATERIALISED[node["config"]["materialized"]]
        con.execute(f"create schema if not exists {node['schema']}")
        for existing in ("view", "table"):  # the published release's relation, either kind
            with contextlib.suppress(duckdb.CatalogException):
                con.execute(f"drop {existing} if exists {node['relation_name']}")
        con.execute(f"create {kind} {node['relation_name']} as {node['compiled_code']}")


def reference(directory: Path, published: Path, manifest: Path, scratch: Path) -> Reference:
    """Load the input files and compute every model, timed; `scratch` holds a copy of the
    published warehouse (its raw tables and seeds are the compiled SQL's input). The SQL is
    what the refresh's full dbt build ran (`manifest`): its relations name dbt's database, so
    the copy is attached under that name."""
    scratch.mkdir(parents=True, exist_ok=True)
    database = scratch / "plain.duckdb"
    shutil.copyfile(published, database)
    models = compiled_models(manifest)
    started = time.perf_counter()
    with duckdb.connect() as con:
        loaded = load_files(con, directory, scratch)
        files = con.execute("select count(*) from duckdb_tables()").fetchone()[0]
    load_seconds = time.perf_counter() - started
    started = time.perf_counter()
    with duckdb.connect() as con:
        con.execute(f"attach ? as {models[0]['database']}", [str(database)])
        run_models(con, models)
        compute_seconds = time.perf_counter() - started
        values = con.execute("select count(*) from marts.fct_indicator_value").fetchone()[0]
    skipped = tuple(p.name for p in sorted(directory.glob("*.xlsx")))
    return Reference(load_seconds, compute_seconds, loaded, files, skipped, len(models), values)
