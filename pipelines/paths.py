"""Where the project keeps its files. One place, so tests and users can relocate the warehouse.

`SOZPLAN_WAREHOUSE_DIR` moves the whole warehouse folder (published file, candidates,
releases, lock); tests point it at a temporary folder. `SOZPLAN_DBT_PROJECT_DIR` (read at
import) runs another copy of the dbt project, e.g. one generated from other contracts
(`SOZPLAN_CONTRACTS_DIR`).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]
CONTRACTS_DIR = PROJECT_ROOT / "data_contracts"
DBT_PROJECT_DIR = Path(
    os.environ.get("SOZPLAN_DBT_PROJECT_DIR") or PROJECT_ROOT / "dbt_project"
).resolve()
SAMPLE_DIR = PROJECT_ROOT / "sample_data"
# What DuckDB may hold in memory in the refresh process (the ingest) before it spills to
# its temporary directory. dbt's DuckDB, in the same process, gets less
# (dbt_project/profiles.yml), and so do the exports (`pipelines.exports`): by then the refresh
# process holds more of its own.
# Without it DuckDB takes up to 80 % of the machine's memory.
DUCKDB_MEMORY_LIMIT = "512MB"
# Sources the ingest reads at once (they share that cap): a read runs much of its time on one
# core, so two fill a two-core machine. More would hold more files' rows at once.
INGEST_THREADS = 2
# DuckDB's threads for the ingest: the cores shared out among the reads, so that two reads do
# not oversubscribe them. On 2 cores, one thread per read instead of two: a germany ingest
# 49-53 s -> 41-49 s, the whole refresh 114-118 s -> 94-109 s (three runs against two).
ALL_CORES = os.cpu_count() or INGEST_THREADS
INGEST_DUCKDB_THREADS = max(1, ALL_CORES // INGEST_THREADS)
# Publish (comparing the candidate with the release it replaces) and the rewrite after
# disclosure control come last, in a process that holds most of its peak by then. Both stream:
# at `germany` the comparison takes 1.4 s with 256 MB against 1.25 s with 512 MB, and DuckDB
# would fill whatever it is given with cached blocks.
LATE_STEP_MEMORY_LIMIT = "256MB"


@dataclass(frozen=True)
class WarehousePaths:
    """The files of one warehouse folder."""

    root: Path

    @property
    def published(self) -> Path:
        return self.root / "sozialplanung.duckdb"

    @property
    def build_dir(self) -> Path:
        return self.root / "build"

    @property
    def releases_dir(self) -> Path:
        return self.root / "releases"

    @property
    def exports_dir(self) -> Path:
        """Parquet, CSV and xlsx of the marts per release (`pipelines/exports.py`)."""
        return self.root / "exports"

    @property
    def inbox_dir(self) -> Path:
        return self.root / "inbox"

    @property
    def logs_dir(self) -> Path:
        return self.root / "logs"

    @property
    def dagster_home(self) -> Path:
        """The Dagster instance (run history) of this warehouse, unless `$DAGSTER_HOME` says."""
        configured = os.environ.get("DAGSTER_HOME")
        return Path(configured) if configured else self.root / "dagster_home"

    @property
    def lock_file(self) -> Path:
        return self.root / ".refresh.lock"

    def candidate(self, run_id: str) -> Path:
        return self.build_dir / f"{run_id}.duckdb"


def contracts_dir() -> Path:
    """The source contracts in use: `SOZPLAN_CONTRACTS_DIR` or `<project>/data_contracts`.

    Read when the Dagster definitions load; the benchmark's stress size points it at contracts
    with more measures per table.
    """
    configured = os.environ.get("SOZPLAN_CONTRACTS_DIR")
    return Path(configured).resolve() if configured else CONTRACTS_DIR


def warehouse_paths() -> WarehousePaths:
    """The warehouse folder in use: `SOZPLAN_WAREHOUSE_DIR` or `<project>/warehouse`."""
    root = os.environ.get("SOZPLAN_WAREHOUSE_DIR")
    return WarehousePaths(Path(root).resolve() if root else PROJECT_ROOT / "warehouse")
