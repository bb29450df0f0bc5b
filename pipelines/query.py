"""The door through which a person reads the published warehouse (`sozplan query`, `tables`,
`describe`).

The published file is opened read-only with DuckDB locked down before the first statement:
no file outside the warehouse file (`enable_external_access=false`: no `read_csv`,
`read_text`, `glob`, `copy … to`, `attach`, `export database`, stored secrets), no
extensions installed or loaded, no spilling to disk (`temp_directory` empty), a memory
limit, few threads, and `lock_configuration=true` last, so that no `SET` / `PRAGMA` can
undo any of it. On top of that only read statements run: `SELECT` (with `WITH`, `FROM`,
`VALUES`, `DESCRIBE`, `SHOW`, `SUMMARIZE`, `PIVOT`, `UNPIVOT`), `EXPLAIN` of such a
statement and the pragmas that list the catalogue (`READ_PRAGMAS`); anything else is
refused, naming what it is, before it reaches DuckDB. A timer interrupts a statement that
runs longer than the time limit, and at most `max_rows` rows are fetched.

Limits from the environment: `SOZPLAN_QUERY_MEMORY_LIMIT` (default 2GB),
`SOZPLAN_QUERY_TIMEOUT_SECONDS` (60), `SOZPLAN_QUERY_MAX_ROWS` (1,000,000).
"""

from __future__ import annotations

import math
import os
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from typing import Any

import duckdb

from pipelines.paths import WarehousePaths, warehouse_paths

ENV_MEMORY_LIMIT = "SOZPLAN_QUERY_MEMORY_LIMIT"
ENV_TIMEOUT = "SOZPLAN_QUERY_TIMEOUT_SECONDS"
ENV_MAX_ROWS = "SOZPLAN_QUERY_MAX_ROWS"
THREADS = 2
READ_PRAGMAS = frozenset(
    {
        "table_info",
        "show_tables",
        "show_tables_expanded",
        "show_databases",
        "database_list",
        "database_size",
        "storage_info",
        "metadata_info",
        "version",
        "platform",
        "functions",
        "collations",
        "user_agent",
    }
)
ALLOWED = (
    "SELECT (and WITH, FROM, VALUES, DESCRIBE, SHOW, SUMMARIZE, PIVOT), EXPLAIN of one of "
    "them, and the PRAGMAs that list the catalogue (table_info, show_tables, …)"
)
# Schemas listed last by `tables`: what the refresh keeps for its own bookkeeping.
LAST_SCHEMAS = ("raw_history", "audit")
FIRST_SCHEMAS = ("marts", "reference", "meta", "raw", "intermediate", "staging")

_MEMORY = re.compile(r"\d+(?:\.\d+)?\s*(?:[KMGT]i?B|bytes)", re.IGNORECASE)
_LEADING = re.compile(r"(?:\s+|--[^\n]*(?:\n|$)|/\*.*?\*/)*", re.DOTALL)
_EXPLAIN = re.compile(r"explain\s+(?:analy[sz]e\s+)?(?:\([^)]*\)\s*)?", re.IGNORECASE)
_PRAGMA = re.compile(r"pragma\s+(\w+)", re.IGNORECASE)


class QueryError(Exception):
    """What the person is told when the door does not run a statement or it fails."""


@dataclass(frozen=True)
class Limits:
    """How much one `sozplan query` / `tables` / `describe` may take."""

    memory_limit: str = "2GB"
    timeout_seconds: float = 60.0
    max_rows: int = 1_000_000
    threads: int = THREADS

    @classmethod
    def from_env(cls) -> Limits:
        values: dict[str, Any] = {}
        memory = os.environ.get(ENV_MEMORY_LIMIT, "").strip()
        if memory:
            if not _MEMORY.fullmatch(memory):
                raise QueryError(
                    f"{ENV_MEMORY_LIMIT}={memory!r}: expected a size like 2GB or 500MB"
                )
            values["memory_limit"] = memory
        for var, name, convert in (
            (ENV_TIMEOUT, "timeout_seconds", float),
            (ENV_MAX_ROWS, "max_rows", int),
        ):
            raw = os.environ.get(var, "").strip()
            if not raw:
                continue
            try:
                value = convert(raw)
            except ValueError:
                value = 0
            if not (value > 0 and math.isfinite(value)):
                what = "a whole number" if convert is int else "a number of seconds"
                raise QueryError(f"{var}={raw!r}: expected {what} above 0")
            values[name] = value
        return cls(**values)

    def config(self) -> dict[str, Any]:
        """DuckDB settings of the door, `lock_configuration` last."""
        return {
            "enable_external_access": False,
            "autoinstall_known_extensions": False,
            "autoload_known_extensions": False,
            "allow_community_extensions": False,
            "temp_directory": "",
            "memory_limit": self.memory_limit,
            "threads": self.threads,
            "lock_configuration": True,
        }


@dataclass(frozen=True)
class Result:
    columns: list[str]
    rows: list[tuple]
    truncated: bool = False  # more rows than `max_rows`: only the first ones are here


@dataclass(frozen=True)
class Column:
    name: str
    data_type: str
    nullable: bool
    comment: str | None


@dataclass(frozen=True)
class TableInfo:
    schema: str
    name: str
    kind: str  # "table" or "view"
    rows: int | None  # None for views (not counted)
    comment: str | None

    @property
    def qualified(self) -> str:
        return f"{self.schema}.{self.name}"


class PublishedWarehouse:
    """A locked-down read-only connection to the published warehouse."""

    def __init__(self, con: duckdb.DuckDBPyConnection, limits: Limits):
        self.con = con
        self.limits = limits
        self._stopped = False

    # running with limits ---------------------------------------------------------------

    @contextmanager
    def _time_limit(self) -> Iterator[None]:
        """Interrupt whatever runs longer than the limit; translate DuckDB's errors."""
        self._stopped = False

        def stop() -> None:
            self._stopped = True
            self.con.interrupt()

        timer = threading.Timer(self.limits.timeout_seconds, stop)
        timer.daemon = True
        timer.start()
        try:
            yield
        except duckdb.Error as exc:
            raise QueryError(self._explain_error(exc)) from None
        except (KeyboardInterrupt, RuntimeError) as exc:  # Ctrl-C: DuckDB says "interrupted"
            if isinstance(exc, RuntimeError) and "interrupt" not in str(exc).lower():
                raise
            raise QueryError("query cancelled") from None
        finally:
            timer.cancel()

    def _explain_error(self, exc: duckdb.Error) -> str:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        if isinstance(exc, duckdb.InterruptException) and self._stopped:
            return (
                f"query stopped after {self.limits.timeout_seconds:g} s ({ENV_TIMEOUT}); "
                "narrow it (where, limit) or raise the limit"
            )
        if isinstance(exc, duckdb.OutOfMemoryException):
            return (
                f"query needs more memory than the limit of {self.limits.memory_limit} "
                f"({ENV_MEMORY_LIMIT}); narrow it (where, limit) or raise the limit"
            )
        if isinstance(exc, duckdb.PermissionException):
            return (
                "refused: sozplan query reads only the published warehouse, no other files, "
                f"extensions or secrets ({first})"
            )
        return f"query failed: {exc}"

    # statements ------------------------------------------------------------------------

    def check(self, sql: str) -> None:
        """Refuse anything that is not one read statement, naming what it is."""
        try:
            statements = self.con.extract_statements(sql)
        except duckdb.Error as exc:
            raise QueryError(f"query failed: {exc}") from None
        if not statements:
            raise QueryError("no statement to run")
        if len(statements) > 1:
            raise QueryError(f"one statement at a time, found {len(statements)}")
        refused = self._refused(statements[0])
        if refused:
            raise QueryError(
                f"refused: {refused} is not a read statement; sozplan query is read-only and "
                f"runs only {ALLOWED}"
            )

    def _refused(self, statement: Any) -> str | None:
        """None for a read statement, else what it is (`COPY`, `PRAGMA enable_profiling`,
        `USE (SET)`, `EXPLAIN CREATE`)."""
        text = _LEADING.sub("", statement.query, count=1)
        word = _first_word(text)
        try:
            kind = statement.type
        except ValueError:  # a kind the Python client has no name for (UPDATE EXTENSIONS)
            return word
        if kind == duckdb.StatementType.SELECT:
            return None
        if kind == duckdb.StatementType.MULTI and word == "PIVOT":
            return None  # PIVOT without an IN list: a temporary enum type and a SELECT
        if kind == duckdb.StatementType.PRAGMA:
            match = _PRAGMA.match(text)
            if match and match.group(1).lower() in READ_PRAGMAS:
                return None
            return f"PRAGMA {match.group(1)}" if match else word
        if kind == duckdb.StatementType.EXPLAIN:
            match = _EXPLAIN.match(text)
            try:
                inner = self.con.extract_statements(text[match.end() :]) if match else []
            except duckdb.Error:
                inner = []
            if len(inner) != 1:
                return "EXPLAIN of no single statement"
            refused = self._refused(inner[0])
            return f"EXPLAIN {refused}" if refused else None
        label = kind.name.replace("_", " ")
        return word if word == label.split()[0] else f"{word} ({label})"

    def query(self, sql: str) -> Result:
        """Run one read statement; at most `max_rows` rows."""
        self.check(sql)
        with self._time_limit():
            cursor = self.con.execute(sql)
            columns = [d[0] for d in cursor.description or []]
            rows = cursor.fetchmany(self.limits.max_rows + 1)
        truncated = len(rows) > self.limits.max_rows
        return Result(columns, rows[: self.limits.max_rows], truncated)

    # the catalogue ---------------------------------------------------------------------

    def tables(self) -> list[TableInfo]:
        """Tables and views of the warehouse, the analysts' schemas first, with row counts."""
        with self._time_limit():
            listed = []
            for info in sorted(
                self._catalogue(), key=lambda t: (_schema_rank(t.schema), t.schema, t.name)
            ):
                if info.kind == "table":
                    counted = self.con.execute(
                        f"select count(*) from {_quote(info.schema)}.{_quote(info.name)}"
                    ).fetchone()
                    info = replace(info, rows=counted[0])
                listed.append(info)
        return listed

    def describe(self, name: str) -> tuple[TableInfo, list[Column]]:
        """The table or view `name` (`schema.table`, or `table` when one schema has it) and its
        columns with type and comment."""
        schema, _, table = name.strip().rpartition(".")
        schema, table = _unquote(schema).lower(), _unquote(table).lower()
        with self._time_limit():
            matches = [
                t
                for t in self._catalogue()
                if t.name.lower() == table and (not schema or t.schema.lower() == schema)
            ]
            if not matches:
                raise QueryError(f"no table or view {name!r}; `sozplan tables` lists them")
            if len(matches) > 1:
                names = ", ".join(t.qualified for t in matches)
                raise QueryError(f"{name!r} is in several schemas: name one of {names}")
            [info] = matches
            columns = self.con.execute(
                """
                select column_name, data_type, is_nullable, comment from duckdb_columns()
                where database_name = current_database() and schema_name = ? and table_name = ?
                order by column_index
                """,
                [info.schema, info.name],
            ).fetchall()
        return info, [Column(n, t, bool(null), c or None) for n, t, null, c in columns]

    def _catalogue(self) -> list[TableInfo]:
        rows = self.con.execute(
            """
            select schema_name, table_name, 'table', comment from duckdb_tables()
            where database_name = current_database() and not internal and not temporary
            union all
            select schema_name, view_name, 'view', comment from duckdb_views()
            where database_name = current_database() and not internal and not temporary
            """
        ).fetchall()
        return [TableInfo(s, n, k, None, c or None) for s, n, k, c in rows]


@contextmanager
def open_published(
    paths: WarehousePaths | None = None, limits: Limits | None = None
) -> Iterator[PublishedWarehouse]:
    """The published warehouse, opened for reading by a person (see the module docstring)."""
    limits = limits or Limits.from_env()
    published = (paths or warehouse_paths()).published
    if not published.is_file():
        raise QueryError(f"no published warehouse at {published}: run `make run` first")
    try:
        con = duckdb.connect(str(published), read_only=True, config=limits.config())
    except duckdb.Error as exc:
        raise QueryError(f"cannot open the published warehouse {published}: {exc}") from None
    try:
        yield PublishedWarehouse(con, limits)
    finally:
        con.close()


def _first_word(sql: str) -> str:
    words = _LEADING.sub("", sql, count=1).split(None, 1)
    return re.sub(r"\W.*", "", words[0]).upper() if words else ""


def _schema_rank(schema: str) -> int:
    if schema in FIRST_SCHEMAS:
        return FIRST_SCHEMAS.index(schema)
    if schema in LAST_SCHEMAS:
        return len(FIRST_SCHEMAS) + 1 + LAST_SCHEMAS.index(schema)
    return len(FIRST_SCHEMAS)


def _quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def _unquote(identifier: str) -> str:
    identifier = identifier.strip()
    if len(identifier) > 1 and identifier[0] == identifier[-1] == '"':
        return identifier[1:-1].replace('""', '"')
    return identifier
