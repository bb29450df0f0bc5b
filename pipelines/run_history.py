"""The warehouse's run history (its Dagster instance), written cheaply by a refresh.

Dagster's SQLite event log opens a new database engine and connection for every event it
stores, and a refresh stores about 500 (outputs, materialisations and check results of every
dbt model and test): about 10 ms each, seconds per refresh, in the step that also streams
dbt's results. `PooledSqliteEventLogStorage` keeps one open connection per database file for
the life of the instance. The files, their schema and the WAL journal are Dagster's own, so
the UI and the daemon, which open the same files with Dagster's default storage, read and
write them as before.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import dagster as dg
import yaml
from dagster._core.instance.ref import InstanceRef
from dagster._core.storage.event_log.sqlite.sqlite_event_log import (
    SQLITE_BUSY_TIMEOUT_SECONDS,
    SqliteEventLogStorage,
)
from dagster._core.storage.sql import create_engine
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.pool import QueuePool

from pipelines.paths import PROJECT_ROOT, WarehousePaths

# dagster.yaml keys that choose the storage; where one is set, the instance uses it unchanged
STORAGE_KEYS = frozenset({"storage", "run_storage", "event_log_storage", "schedule_storage"})


class PooledSqliteEventLogStorage(SqliteEventLogStorage):
    """Dagster's per-run SQLite event log, with one engine (and pooled connection) per
    database file instead of one per stored event."""

    def __init__(self, base_dir: str, inst_data: Any = None) -> None:
        self._engines: dict[str, Engine] = {}
        super().__init__(base_dir, inst_data)

    @classmethod
    def from_config_value(
        cls, inst_data: Any, config_value: Any
    ) -> PooledSqliteEventLogStorage:  # Dagster's builds its own class, not `cls`
        return cls(inst_data=inst_data, **config_value)

    @contextmanager
    def _connect(self, shard: str) -> Iterator[Connection]:
        with self._db_lock:  # one transaction at a time, as Dagster's own storage does
            engine = self._engines.get(shard)
            if engine is None:
                engine = create_engine(
                    self.conn_string_for_shard(shard),
                    poolclass=QueuePool,
                    pool_size=1,
                    # used by the thread that holds the lock, whichever it is
                    connect_args={
                        "timeout": SQLITE_BUSY_TIMEOUT_SECONDS,
                        "check_same_thread": False,
                    },
                )
                # WAL (Dagster's journal) without a sync per event: a crash may lose the
                # newest events, never the file
                event.listen(engine, "connect", _without_sync_per_commit)
                if shard not in self._initialized_dbs:
                    self._initdb(engine)
                    self._initialized_dbs.add(shard)
                self._engines[shard] = engine
            with engine.connect() as conn, conn.begin():
                yield conn

    def dispose(self) -> None:
        with self._db_lock:
            engines, self._engines = self._engines, {}
        for engine in engines.values():
            engine.dispose()
        super().dispose()


def _without_sync_per_commit(connection: Any, _record: Any) -> None:
    connection.execute("pragma synchronous = normal")


@contextmanager
def warehouse_instance(paths: WarehousePaths) -> Iterator[dg.DagsterInstance]:
    """The warehouse's persistent Dagster instance (its run history is what the UI shows),
    its event log written through `PooledSqliteEventLogStorage` unless the warehouse's
    dagster.yaml chooses a storage of its own."""
    home = paths.dagster_home
    home.mkdir(parents=True, exist_ok=True)
    settings = home / "dagster.yaml"
    if not settings.is_file():
        shutil.copyfile(PROJECT_ROOT / "pipelines" / "dagster.yaml", settings)
    configured = yaml.safe_load(settings.read_text("utf-8")) or {}
    overrides = {}
    if not STORAGE_KEYS & set(configured):  # storage set in dagster.yaml is used as set
        overrides["event_log_storage"] = {
            "module": __name__,
            "class": PooledSqliteEventLogStorage.__name__,
            "config": {"base_dir": f"{Path(home) / 'history' / 'runs'}/"},
        }
    ref = InstanceRef.from_dir(str(home), overrides=overrides)
    with dg.DagsterInstance.from_ref(ref) as instance:
        yield instance
