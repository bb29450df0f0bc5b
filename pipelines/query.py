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

Only the analysts' layers are served: `marts` and the tables of `meta` that hold no delivered
values (`SERVED_META`). The build layers (`raw`, `raw_history`, `staging`, `intermediate`,
`reference`, `audit`, `main`) hold the deliveries before disclosure control and the build's
own tables, and are for the data engineers who open the file directly; the cities'
small-area deliveries (counts with only their own suppression, from which the city total
minus the other areas gives a suppressed count back) are emptied there before a release is
published (`pipelines/disclosure.py`). Which tables a statement reads is taken from DuckDB's
own parser (`json_serialize_sql`): every table and view it names, in CTEs, subqueries, joins,
`DESCRIBE`, `SUMMARIZE`, `PIVOT` and `EXPLAIN`, resolved as DuckDB resolves it (an unqualified
name is a CTE or lies in `main` or the system catalogue: the search path cannot be changed);
the check is on what the statement names, so a mart view may read any layer. Table functions
run only from a list (`TABLE_FUNCTIONS`); those that read a table by name (`query_table`,
`pragma_table_info`, …) only with literal names in the served layers; functions that run SQL
given as text (`query`, …) not at all.

Limits from the environment: `SOZPLAN_QUERY_MEMORY_LIMIT` (default 2GB),
`SOZPLAN_QUERY_TIMEOUT_SECONDS` (60), `SOZPLAN_QUERY_MAX_ROWS` (1,000,000).
"""

from __future__ import annotations

import json
import math
import os
import re
import threading
from collections.abc import Collection, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
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
# The analysts' layers: `marts`, and of `meta` the tables without delivered values (not
# `revision`: the values a later delivery changed, small-area counts as the cities sent them;
# `release_change` holds values of `marts.fct_indicator_value` only). A new table of `meta` is
# refused until it is added here.
SERVED_META = ("source_file", "coverage_gap", "release", "release_change", "release_change_summary")
SERVED = "marts and " + ", ".join(f"meta.{t}" for t in SERVED_META)
BUILD_LAYERS = "raw, raw_history, staging, intermediate, reference, audit, main"
LAYERS = (
    f"sozplan query serves {SERVED} (`sozplan tables` lists them); "
    f"the build layers ({BUILD_LAYERS}) hold the deliveries before disclosure control "
    "(without the cities' small-area counts, which are not published before secondary "
    "suppression) and the build's own tables; they are for the data engineers, who open the "
    "file directly"
)
# Catalogue views of DuckDB itself (duckdb_tables, information_schema.columns, pg_class …).
SYSTEM_SCHEMAS = frozenset({"system", "information_schema", "pg_catalog"})
# fmt: off
# Table functions (and table macros) that read a table named by a string or name argument.
BY_NAME_FUNCTIONS = frozenset({
    "query_table", "pragma_table_info", "pragma_show", "pragma_storage_info",
    "duckdb_table_sample", "histogram", "histogram_values",
})
# Functions that run or plan SQL given as text: what they read cannot be checked.
SQL_TEXT_FUNCTIONS = frozenset({"query", "json_execute_serialized_sql", "json_serialize_plan"})
# The other table functions that run: rows made up, and the catalogue (no table's values).
TABLE_FUNCTIONS = frozenset({
    "range", "generate_series", "unnest", "repeat", "repeat_row", "json_each", "json_tree",
    "summary", "pg_timezone_names", "icu_calendar_names", "pragma_collations",
    "pragma_database_size", "pragma_metadata_info", "pragma_platform", "pragma_user_agent",
    "pragma_version", "duckdb_approx_database_count", "duckdb_columns", "duckdb_constraints",
    "duckdb_databases", "duckdb_dependencies", "duckdb_extensions", "duckdb_functions",
    "duckdb_indexes", "duckdb_keywords", "duckdb_memory", "duckdb_optimizers", "duckdb_schemas",
    "duckdb_sequences", "duckdb_settings", "duckdb_tables", "duckdb_temporary_files",
    "duckdb_types", "duckdb_variables", "duckdb_views",
})
# fmt: on

_MEMORY = re.compile(r"\d+(?:\.\d+)?\s*(?:[KMGT]i?B|bytes)", re.IGNORECASE)
_LEADING = re.compile(r"(?:\s+|--[^\n]*(?:\n|$)|/\*.*?\*/)*", re.DOTALL)
_EXPLAIN = re.compile(r"explain\s+(?:analy[sz]e\s+)?(?:\([^)]*\)\s*)?", re.IGNORECASE)
_PRAGMA = re.compile(r"pragma\s+(\w+)", re.IGNORECASE)
_FUNCTION_SCHEMAS = ("", "main", "pg_catalog")
_CATALOGUE_NAMES = """
select lower(current_database()),
    (select coalesce(list(lower(table_name)), []) from duckdb_tables()
     where database_name = current_database() and schema_name = 'main')
    || (select coalesce(list(lower(view_name)), []) from duckdb_views()
        where database_name = current_database() and schema_name = 'main'),
    (select coalesce(list(lower(function_name)), []) from duckdb_functions() where not internal)
"""
_KEYWORD = duckdb.token_type.keyword
_PIVOT_ENDS = frozenset({"using", "group", "order", "limit", "offset"})
_PRAGMA_ARGS = re.compile(
    r"pragma\s+(\w+)\s*(?:\((.*)\)|=(.*))?\s*;?\s*", re.IGNORECASE | re.DOTALL
)


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
            "python_enable_replacements": False,  # no Python variable read as a table
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
        try:
            refused = self._reads_outside(statements[0])
        except duckdb.Error as exc:
            raise QueryError(f"query failed: {exc}") from None
        if refused:
            raise QueryError(f"refused: {refused}")

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

    def _reads_outside(self, statement: Any) -> str | None:
        """None when the read statement names only the analysts' layers, else why not."""
        text = _LEADING.sub("", statement.query, count=1)
        while statement.type == duckdb.StatementType.EXPLAIN:
            text = text[_EXPLAIN.match(text).end() :]
            [statement] = self.con.extract_statements(text)
        if statement.type == duckdb.StatementType.PRAGMA:  # as its table function
            match = _PRAGMA_ARGS.fullmatch(text)
            name, args = (match[1], match[2] or match[3]) if match else ("", "")
            if match and not (args or "").strip():
                return None  # names no table
            text = f"select * from pragma_{name}({args})"
        elif statement.type == duckdb.StatementType.MULTI:  # PIVOT without IN list
            text = _with_in_lists(text)
        parsed = json.loads(self.con.execute("select json_serialize_sql(?)", [text]).fetchone()[0])
        if parsed.get("error"):
            return (
                f"sozplan query cannot tell which tables this statement reads "
                f"({parsed.get('error_message')}); {LAYERS}"
            )
        found = _Found()
        _walk(parsed["statements"], found)
        names = _Names(*self.con.execute(_CATALOGUE_NAMES).fetchone())
        for parts in found.tables:
            if outside := names.outside(parts, found.ctes):
                return f"{outside} is not in the analysts' layers; {LAYERS}"
        for function, in_from in found.functions:
            if refused := names.function_refused(function, in_from):
                return refused
        return None

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
        """Tables and views of the analysts' layers, the marts first, with row counts."""
        with self._time_limit():
            listed = []
            served = [t for t in self._catalogue() if _served(t)]
            for info in sorted(served, key=lambda t: (t.schema != "marts", t.schema, t.name)):
                if info.kind == "table":
                    counted = self.con.execute(
                        f"select count(*) from {_quote(info.schema)}.{_quote(info.name)}"
                    ).fetchone()
                    info = replace(info, rows=counted[0])
                listed.append(info)
        return listed

    def describe(self, name: str) -> tuple[TableInfo, list[Column]]:
        """The table or view `name` of the analysts' layers (`schema.table`, or `table` when
        one of them has it) and its columns with type and comment."""
        schema, _, table = name.strip().rpartition(".")
        schema, table = _unquote(schema).lower(), _unquote(table).lower()
        with self._time_limit():
            found = [
                t
                for t in self._catalogue()
                if t.name.lower() == table and (not schema or t.schema.lower() == schema)
            ]
            matches = [t for t in found if _served(t)]
            if found and not matches:
                named = ", ".join(t.qualified for t in found)
                raise QueryError(f"refused: {named} is not in the analysts' layers; {LAYERS}")
            if not matches:
                raise QueryError(f"no table or view {name!r}; `sozplan tables` lists them")
            if len(matches) > 1:
                names = ", ".join(sorted(t.qualified for t in matches))
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


@dataclass
class _Found:
    """What a parsed statement names: tables and views (name parts as written), functions
    (the parser's node, whether in FROM) and the CTEs it defines."""

    tables: list[tuple[str, ...]] = field(default_factory=list)
    functions: list[tuple[dict, bool]] = field(default_factory=list)
    ctes: set[str] = field(default_factory=set)


@dataclass(frozen=True)
class _Names:
    """How DuckDB resolves a name in the published file (`_CATALOGUE_NAMES`), and whether
    what it names is served."""

    database: str
    in_main: list[str]  # tables and views in the default schema
    stored: list[str]  # functions and macros stored in the file

    def outside(self, parts: tuple[str, ...], ctes: Collection[str] = ()) -> str | None:
        """The name as shown when it resolves outside the analysts' layers, else None (also
        for a name that resolves to nothing: DuckDB says so)."""
        parts = tuple(p.lower() for p in parts)
        if len(parts) == 1:  # search path: temp.main (empty), main, the system catalogue
            return parts[0] if parts[0] not in ctes and parts[0] in self.in_main else None
        catalog, schema, name = ("",) * (3 - len(parts)) + parts[-3:]
        if len(parts) > 3:
            return ".".join(parts)
        if catalog == "system" or (not catalog and schema in SYSTEM_SCHEMAS):
            return None  # DuckDB's own catalogue views
        if catalog in ("", self.database) and (
            schema == "marts" or (schema == "meta" and name in SERVED_META)
        ):
            return None
        return ".".join(parts)

    def function_refused(self, function: dict, in_from: bool) -> str | None:
        """Why a function call is refused: it runs SQL text, is stored in the file, is a table
        function not in `TABLE_FUNCTIONS`, or reads a table outside the layers by name."""
        name = str(function.get("function_name", "")).lower()
        called = f"{name}(…)"
        if name in SQL_TEXT_FUNCTIONS:
            return f"{called} runs SQL given as text, which sozplan query cannot check; {LAYERS}"
        catalog, schema = (str(function.get(k) or "").lower() for k in ("catalog", "schema"))
        if name in self.stored or catalog not in ("", "system") or schema not in _FUNCTION_SCHEMAS:
            return (
                f"{called} is stored in the warehouse file; sozplan query runs only DuckDB's own "
                "functions"
            )
        if not in_from or name in TABLE_FUNCTIONS:
            return None
        if name not in BY_NAME_FUNCTIONS:
            return (
                "sozplan query reads only the published warehouse, no other files, extensions or "
                f"secrets: {called} is not among its table functions (range, generate_series, "
                "unnest, the catalogue's duckdb_…() and pragma_…())"
            )
        for argument in function.get("arguments") or []:
            names = _names(argument.get("expression") or {})
            if names is None:
                return f"{called} reads a table named by a literal only ('marts.dim_region')"
            for parts in names:
                if self.outside(parts) or (len(parts) == 1 and "." in parts[0]):
                    shown = ".".join(parts)
                    return f"{called} reads {shown}, which is not in the analysts' layers; {LAYERS}"
        return None


def _walk(node: Any, found: _Found, in_from: bool = False) -> None:
    """Collect from `json_serialize_sql` output, whatever the nesting (subqueries, CTEs,
    joins, set operations, lambdas, `DESCRIBE` / `SUMMARIZE` / `SHOW`)."""
    if isinstance(node, list):
        for item in node:
            _walk(item, found)
        return
    if not isinstance(node, dict):
        return
    kind = node.get("type")
    if kind == "BASE_TABLE" or (
        kind == "SHOW_REF" and node.get("show_type") in ("SHOW", "DESCRIBE", "SUMMARY")
    ):
        path = tuple((node.get("qualified_name") or {}).get("path") or ())
        fields = tuple(node.get(k) or "" for k in ("catalog_name", "schema_name", "table_name"))
        for parts in {path, tuple(p for p in fields if p)} - {()}:
            found.tables.append(parts)
    if node.get("class") == "FUNCTION":
        found.functions.append((node, in_from))
    for entry in (node.get("cte_map") or {}).get("map") or []:
        found.ctes.add(str(entry.get("key", "")).lower())
    for key, value in node.items():
        _walk(value, found, in_from=kind == "TABLE_FUNCTION" and key == "function")


def _names(expression: dict) -> list[tuple[str, ...]] | None:
    """The table names an argument of a by-name table function gives: a string literal, a
    name, or a list of them; None for anything computed."""
    literal = expression.get("literal") or {}
    if expression.get("class") == "CONSTANT" and literal.get("kind") == "STRING":
        return [_split_name(literal.get("text") or "")]
    if expression.get("class") == "CONSTANT" and "literal" in expression:
        return []  # a number, boolean or NULL (by_name := true)
    if expression.get("class") == "COLUMN_REF":
        return [tuple(expression.get("column_names") or ())]
    if expression.get("class") == "FUNCTION" and expression.get("function_name") == "list_value":
        names = [_names(a.get("expression") or {}) for a in expression.get("arguments") or []]
        return None if None in names else [n for listed in names for n in listed]
    return None


def _split_name(text: str) -> tuple[str, ...]:
    """`marts.dim_region`, `"marts"."dim_region"` as DuckDB splits a qualified name."""
    parts, current, quoted, i = [], "", False, 0
    while i < len(text):
        char = text[i]
        if char == '"' and quoted and text[i + 1 : i + 2] == '"':
            current, i = current + '"', i + 2
            continue
        if char == '"':
            quoted = not quoted
        elif char == "." and not quoted:
            parts.append(current)
            current = ""
        else:
            current += char
        i += 1
    return (*parts, current)


def _with_in_lists(sql: str) -> str:
    """A `PIVOT` without `IN` list (DuckDB first reads the values, so it is not one statement)
    with `IN (NULL)` after each such ON column: one SELECT naming the same tables. Unchanged
    when the ON list is not found; then it does not parse as one SELECT and is refused."""
    tokens = duckdb.tokenize(sql)
    words, depth = [], 0  # (start, end, lowercase text, depth, kind) of each but comments
    for i, (start, kind) in enumerate(tokens):
        end = tokens[i + 1][0] if i + 1 < len(tokens) else len(sql)
        text = sql[start:end].rstrip()
        if kind == duckdb.token_type.comment:
            continue
        if kind == duckdb.token_type.operator:
            depth -= text.count(")")
        words.append((start, start + len(text), text.lower(), depth, kind))
        if kind == duckdb.token_type.operator:
            depth += text.count("(")
    keywords = [(i, w[2]) for i, w in enumerate(words) if w[3] == 0 and w[4] == _KEYWORD]
    ons = [i for i, word in keywords if word == "on"]  # the last: those before join tables
    if not ons:
        return sql
    stop = min([i for i, word in keywords if i > ons[-1] and word in _PIVOT_ENDS] + [len(words)])
    inserts, column = [], []
    for i in range(ons[-1] + 1, stop + 1):
        if i == stop or (words[i][3] == 0 and words[i][2] == ","):
            if column and not any(w[3] == 0 and w[2] == "in" for w in column):
                inserts.append(column[-1][1])
            column = []
        else:
            column.append(words[i])
    for at in reversed(inserts):
        sql = f"{sql[:at]} IN (NULL){sql[at:]}"
    return sql


def _first_word(sql: str) -> str:
    words = _LEADING.sub("", sql, count=1).split(None, 1)
    return re.sub(r"\W.*", "", words[0]).upper() if words else ""


def _served(info: TableInfo) -> bool:
    """In the analysts' layers: `marts`, and the tables of `meta` without delivered values."""
    schema, name = info.schema.lower(), info.name.lower()
    return schema == "marts" or (schema == "meta" and name in SERVED_META)


def _quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def _unquote(identifier: str) -> str:
    identifier = identifier.strip()
    if len(identifier) > 1 and identifier[0] == identifier[-1] == '"':
        return identifier[1:-1].replace('""', '"')
    return identifier
