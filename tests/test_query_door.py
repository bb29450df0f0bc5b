"""`sozplan query`, `tables` and `describe` read the published warehouse and nothing else,
and of it only the analysts' layers (marts, meta without delivered values).

A small DuckDB file written here stands for the published warehouse (plus tests on the real
sample). Every attack must fail with a message and leave the warehouse folder as it was:
the published file byte-identical, no file written where an attack points.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from pipelines import cli
from pipelines.query import Limits, QueryError, open_published

SOZPLAN = Path(sys.executable).parent / "sozplan"
TOKEN = "tok-7c1f0e9d2b4a-not-for-output"
VALUES = [("16", 2023, 10.5), ("16051", 2023, 12.25), ("16052", 2024, 8.0)]
TABLE_COMMENT = "Values per region and year (test table)"
COLUMN_COMMENT = "the value in per cent"
RELEASE = "20260101T000000Z-test"


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def folder_state(root: Path) -> dict[str, str]:
    """Every file below `root` with its content hash."""
    return {str(p.relative_to(root)): digest(p) for p in sorted(root.rglob("*")) if p.is_file()}


BUILD_LAYERS = ("raw", "raw_history", "staging", "intermediate", "reference", "audit")


@pytest.fixture(scope="module")
def published_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small published warehouse: a commented mart table, a mart view that reads raw, served
    and refused tables of meta, a table name in every build layer and in main, a name in marts
    and meta; a kept release and an empty inbox beside it. Built once, copied for each test."""
    warehouse_dir = tmp_path_factory.mktemp("query_door") / "warehouse"
    warehouse_dir.mkdir()
    path = warehouse_dir / "sozialplanung.duckdb"
    with duckdb.connect(str(path)) as con:
        for schema in ("marts", "meta", *BUILD_LAYERS):
            con.execute(f"create schema {schema}")
        con.execute("create table marts.fct_value (region_key varchar, period int, value double)")
        con.executemany("insert into marts.fct_value values (?, ?, ?)", VALUES)
        con.execute(f"comment on table marts.fct_value is '{TABLE_COMMENT}'")
        con.execute(f"comment on column marts.fct_value.value is '{COLUMN_COMMENT}'")
        for schema in BUILD_LAYERS:
            con.execute(f"create table {schema}.fct_value as select * from marts.fct_value")
        con.execute("create table main.fct_main as select * from marts.fct_value")
        con.execute("create view marts.latest as select * from raw.fct_value where period = 2024")
        con.execute("create table meta.source_file as select 'f.csv' as file_name, 3 as rows")
        con.execute("create table meta.revision as select '16051' as region_key, 2.0 as old_value")
        con.execute("create table meta.release as select 'r1' as release")
        con.execute("create view marts.release as select 'r1' as release")
        con.execute("create table audit.failing (a int)")
    (warehouse_dir / "releases").mkdir()
    shutil.copy2(path, warehouse_dir / "releases" / f"{RELEASE}.duckdb")
    (warehouse_dir / "inbox").mkdir()
    return warehouse_dir


@pytest.fixture
def published(published_template: Path, warehouse_dir: Path) -> Path:
    """This test's copy of the small published warehouse (`published_template`)."""
    shutil.copytree(published_template, warehouse_dir, dirs_exist_ok=True)
    return warehouse_dir / "sozialplanung.duckdb"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def refused(capsys: pytest.CaptureFixture[str], root: Path, sql: str) -> str:
    """What `sozplan query` says to an attack that fails and changes nothing in `root`."""
    before = folder_state(root)
    code, out, err = run(capsys, "query", sql)
    assert code == cli.EXIT_FAILED
    assert "Traceback" not in err
    assert out == ""
    assert folder_state(root) == before  # nothing written, nothing changed
    return err


def sozplan(*argv: str, root: Path, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(SOZPLAN), *argv],
        env={**os.environ, "SOZPLAN_WAREHOUSE_DIR": str(root), **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


# --- attacks ------------------------------------------------------------------------------

OUTSIDE = "refused: sozplan query reads only the published warehouse"
ATTACKS = [
    ("select * from read_text('/proc/self/environ')", OUTSIDE),
    ("select * from read_csv('/etc/passwd')", OUTSIDE),
    ("select * from read_blob('/etc/passwd')", OUTSIDE),
    ("select * from glob('/etc/*')", OUTSIDE),
    ("select * from duckdb_secrets()", OUTSIDE),
    ("copy (select 1) to '{root}/inbox/evil.csv'", "refused: COPY is not a read statement"),
    (
        "copy marts.fct_value to '{root}/releases/" + RELEASE + ".duckdb'",
        "refused: COPY is not a read statement",
    ),
    ("export database '{root}/export'", "refused: EXPORT is not a read statement"),
    ("import database '{root}'", "refused: IMPORT is not a read statement"),
    ("attach '{root}/other.duckdb' as other", "refused: ATTACH is not a read statement"),
    ("detach sozialplanung", "refused: DETACH is not a read statement"),
    ("set memory_limit = '100GB'", "refused: SET is not a read statement"),
    ("set enable_external_access = true", "refused: SET is not a read statement"),
    ("reset threads", "refused: RESET (SET) is not a read statement"),
    ("use audit", "refused: USE (SET) is not a read statement"),
    ("set variable x = 1", "refused: SET is not a read statement"),
    ("install httpfs", "refused: INSTALL (LOAD) is not a read statement"),
    ("load httpfs", "refused: LOAD is not a read statement"),
    ("load '{root}/evil.duckdb_extension'", "refused: LOAD is not a read statement"),
    ("update extensions", "refused: UPDATE is not a read statement"),
    (
        "create secret leak (type s3, key_id 'a', secret 'b')",
        "refused: CREATE is not a read statement",
    ),
    ("create temp table t as select 1", "refused: CREATE is not a read statement"),
    ("insert into marts.fct_value values ('x', 1, 1)", "refused: INSERT is not a read statement"),
    ("delete from marts.fct_value", "refused: DELETE is not a read statement"),
    ("drop table marts.fct_value", "refused: DROP is not a read statement"),
    ("comment on table marts.fct_value is 'x'", "refused: COMMENT (ALTER) is not a read"),
    ("pragma enable_profiling", "refused: PRAGMA enable_profiling is not a read statement"),
    ("pragma memory_limit = '100GB'", "refused: PRAGMA (SET) is not a read statement"),
    ("checkpoint", "refused: CHECKPOINT (CALL) is not a read statement"),
    ("call enable_logging()", "refused: CALL is not a read statement"),
    ("vacuum", "refused: VACUUM is not a read statement"),
    ("begin transaction", "refused: BEGIN (TRANSACTION) is not a read statement"),
    (
        "explain analyze create temp table t as select 1",
        "refused: EXPLAIN CREATE is not a read statement",
    ),
    (
        "explain analyze copy (select 1) to '{root}/inbox/evil.csv'",
        "refused: EXPLAIN COPY is not a read statement",
    ),
    ("select 1; copy (select 1) to '{root}/inbox/evil.csv'", "one statement at a time, found 2"),
]


LAYER = "is not in the analysts' layers; sozplan query serves marts and meta.source_file"
SQL_TEXT = "runs SQL given as text, which sozplan query cannot check"
BY_NAME = "which is not in the analysts' layers"
# The attacker's subtraction (a total minus the other parts) needs the deliveries: every way
# of naming a table outside marts and meta's served tables is refused before DuckDB runs it.
BUILD_LAYER_READS = [
    *[(f"select sum(value) from {schema}.fct_value", LAYER) for schema in BUILD_LAYERS],
    ("from meta.revision", LAYER),
    ("from fct_main", LAYER),  # unqualified: resolved in main, as DuckDB does
    ("from main.fct_main", LAYER),
    ("from sozialplanung.fct_main", LAYER),
    ('from "RAW"."FCT_VALUE"', LAYER),
    ("from sozialplanung.raw.fct_value", LAYER),
    ("from sozialplanung.raw.fct_value.x", LAYER),
    ("from temp.main.fct_value", LAYER),
    ("with t as (select * from raw.fct_value) select sum(value) from t", LAYER),
    (
        "with recursive r(n) as (select 1 union all select n + 1 from r, raw.fct_value) from r",
        LAYER,
    ),
    (
        "select (select sum(value) from marts.fct_value) - (select sum(value) from raw.fct_value)",
        LAYER,
    ),
    ("from marts.fct_value where value < (select max(value) from staging.fct_value)", LAYER),
    ("from marts.fct_value where region_key in (from intermediate.fct_value)", LAYER),
    (
        "from marts.fct_value f, lateral (from raw_history.fct_value r where r.period = f.period)",
        LAYER,
    ),
    ("from marts.fct_value join raw.fct_value using (region_key)", LAYER),
    ("from marts.fct_value positional join raw.fct_value", LAYER),
    ("from marts.fct_value union all by name from raw.fct_value", LAYER),
    ("select list_transform([1], lambda x: (select max(value) from raw.fct_value))", LAYER),
    ("from unnest((select list(value) from raw.fct_value))", LAYER),
    ("from summary((from raw.fct_value))", LAYER),
    ("describe raw.fct_value", LAYER),
    ("summarize raw.fct_value", LAYER),
    ("show raw.fct_value", LAYER),
    ("describe (from raw.fct_value)", LAYER),
    ("explain select * from raw.fct_value", LAYER),
    ("explain analyze select sum(value) from raw.fct_value", LAYER),
    ("pivot raw.fct_value on period using sum(value)", LAYER),
    ("pivot raw.fct_value on period in (2023, 2024) using sum(value)", LAYER),
    ("pivot marts.fct_value join raw.fct_value using (region_key) on period using count(*)", LAYER),
    ("unpivot raw.fct_value on value into name k value v", LAYER),
    ("from query_table('raw.fct_value')", BY_NAME),
    ('from query_table(\'"raw"."fct_value"\')', BY_NAME),
    ("from query_table(['marts.fct_value', 'raw.fct_value'])", BY_NAME),
    ("from system.main.query_table('staging.fct_value')", BY_NAME),
    ("from query_table('fct_main')", BY_NAME),
    ("from histogram(raw.fct_value, value)", BY_NAME),
    ("from histogram_values('raw.fct_value', value)", BY_NAME),
    ("from duckdb_table_sample('raw.fct_value')", BY_NAME),
    ("pragma table_info('raw.fct_value')", BY_NAME),
    ("pragma storage_info('raw.fct_value')", BY_NAME),  # min and max of every column
    ("from pragma_storage_info('raw.fct_value')", BY_NAME),
    ("from pragma_show('audit.failing')", BY_NAME),
    ("from query('select * from raw.fct_value')", SQL_TEXT),
    ("from query('select 1')", SQL_TEXT),
    ("from marts.fct_value where value > (from query('select 1'))", SQL_TEXT),
    ("from json_execute_serialized_sql(json_serialize_sql('from raw.fct_value'))", SQL_TEXT),
    ("select json_serialize_plan('select * from raw.fct_value')", SQL_TEXT),
    ("from query_table(concat('raw.', 'fct_value'))", "reads a table named by a literal only"),
    ("from enable_logging()", "enable_logging(…) is not among its table functions"),
    ("from checkpoint()", "checkpoint(…) is not among its table functions"),
    ("from raw.some_macro()", "is stored in the warehouse file"),
]


@pytest.mark.parametrize(
    ("sql", "message"),
    ATTACKS + BUILD_LAYER_READS,
    ids=[a[0][:60] for a in ATTACKS + BUILD_LAYER_READS],
)
def test_attacks_fail_with_a_message_and_change_nothing(
    published: Path,
    warehouse_dir: Path,
    capsys: pytest.CaptureFixture[str],
    sql: str,
    message: str,
) -> None:
    err = refused(capsys, warehouse_dir, sql.format(root=warehouse_dir))
    assert message in err, err
    assert not (warehouse_dir / "inbox" / "evil.csv").exists()
    if message in (LAYER, BY_NAME, SQL_TEXT):  # why the build layers are not served
        assert "the build layers (raw, raw_history, staging, intermediate, reference, audit" in err
        assert "hold the deliveries before disclosure control" in err


def test_the_environment_does_not_leak(published: Path, warehouse_dir: Path) -> None:
    """In a process whose environment holds the GENESIS token."""
    env = {"SOZPLAN_GENESIS_TOKEN": TOKEN}
    environ = sozplan(
        "query", "select * from read_text('/proc/self/environ')", root=warehouse_dir, **env
    )
    assert environ.returncode == cli.EXIT_FAILED
    assert OUTSIDE in environ.stderr
    settings = sozplan(
        "query", "select * from duckdb_settings()", "--format", "csv", root=warehouse_dir, **env
    )
    assert settings.returncode == 0, settings.stderr
    assert "enable_external_access" in settings.stdout  # the settings were listed
    for proc in (environ, settings):
        assert TOKEN not in proc.stdout + proc.stderr


def test_duckdb_itself_refuses_what_the_statement_check_stops(
    published: Path, warehouse_dir: Path
) -> None:
    """The settings hold even for statements that got past the check (second line of defence)."""
    target = warehouse_dir / "inbox" / "evil.csv"
    before = folder_state(warehouse_dir)
    with open_published() as warehouse:
        for sql in (
            f"copy (select 1) to '{target}'",
            f"attach '{warehouse_dir / 'other.duckdb'}' as other",
            f"export database '{warehouse_dir / 'export'}'",
            "set enable_external_access = true",
            "set lock_configuration = false",
            "set memory_limit = '100GB'",
            "install httpfs",
            "load httpfs",
            "create secret leak (type s3, key_id 'a', secret 'b')",
            "insert into marts.fct_value values ('x', 1, 1)",
        ):
            with pytest.raises(duckdb.Error):
                warehouse.con.execute(sql)
        settings = dict(
            warehouse.con.execute(
                "select name, value from duckdb_settings() where name in ('lock_configuration', "
                "'enable_external_access', 'autoinstall_known_extensions', "
                "'autoload_known_extensions', 'threads', 'temp_directory')"
            ).fetchall()
        )
    assert settings == {
        "lock_configuration": "true",
        "enable_external_access": "false",
        "autoinstall_known_extensions": "false",
        "autoload_known_extensions": "false",
        "threads": "2",
        "temp_directory": "",
    }
    assert folder_state(warehouse_dir) == before


# --- reading ------------------------------------------------------------------------------


def test_select_in_every_format(published: Path, capsys: pytest.CaptureFixture[str]) -> None:
    sql = "select region_key, period, value from marts.fct_value order by region_key"
    code, out, _ = run(capsys, "query", sql, "--format", "json")
    assert code == 0
    assert json.loads(out) == [
        {"region_key": k, "period": p, "value": v} for k, p, v in sorted(VALUES)
    ]
    code, out, _ = run(capsys, "query", sql, "--format", "csv")
    assert code == 0
    assert out.splitlines() == [
        "region_key,period,value",
        "16,2023,10.5",
        "16051,2023,12.25",
        "16052,2024,8.0",
    ]
    code, out, _ = run(capsys, "query", sql)
    assert code == 0
    assert "16051" in out and "12.25" in out and out.rstrip().endswith("(3 rows)")


@pytest.mark.parametrize(
    ("sql", "expected"),
    [
        ("describe marts.fct_value", "region_key"),
        ("show all tables", "fct_value"),
        ("summarize marts.fct_value", "12.25"),
        ("pragma table_info('marts.fct_value')", "period"),
        ("select * from pragma_table_info('marts.fct_value')", "period"),
        ("explain select * from marts.fct_value", "physical_plan"),
        ("explain analyze select count(*) from marts.fct_value", "analyzed_plan"),
        ("from marts.latest", "16052"),  # a mart view may read raw
        ("with t as (select * from marts.fct_value) select max(value) from t", "12.25"),
        ("pivot marts.fct_value on period using sum(value)", "2024"),
        ("-- a comment first\nselect 'ok' as answer;", "ok"),
    ],
)
def test_read_statements_run(
    published: Path, capsys: pytest.CaptureFixture[str], sql: str, expected: str
) -> None:
    code, out, err = run(capsys, "query", sql)
    assert code == 0, err
    assert expected in out


def test_sql_from_stdin(
    published: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO("select count(*) as n\nfrom marts.fct_value;\n"))
    code, out, _ = run(capsys, "query", "-", "--format", "csv")
    assert code == 0
    assert out.splitlines() == ["n", str(len(VALUES))]


def test_a_closed_pipe_ends_quietly(published: Path, warehouse_dir: Path) -> None:
    """`sozplan query … | head -1`: far more output than a pipe holds, the reader stops."""
    proc = subprocess.run(
        f"'{SOZPLAN}' query 'select * from range(200000)' | head -1",
        shell=True,
        env={**os.environ, "SOZPLAN_WAREHOUSE_DIR": str(warehouse_dir)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.stdout.splitlines() == ["  range"]
    assert proc.stderr == ""


def test_syntax_errors_and_empty_input(published: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "query", "selec 1")
    assert code == cli.EXIT_FAILED and err.startswith("query failed: Parser Error")
    code, _, err = run(capsys, "query", "  -- nothing\n")
    assert code == cli.EXIT_FAILED and err.strip() == "no statement to run"
    code, _, err = run(capsys, "query", "select * from marts.nowhere")
    assert code == cli.EXIT_FAILED and "nowhere" in err and "Traceback" not in err


def test_no_published_warehouse(warehouse_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for argv in (["query", "select 1"], ["tables"], ["describe", "marts.fct_value"]):
        code, _, err = run(capsys, *argv)
        assert code == cli.EXIT_FAILED
        assert f"no published warehouse at {warehouse_dir / 'sozialplanung.duckdb'}" in err


# --- limits -------------------------------------------------------------------------------


def test_a_long_query_is_stopped(
    published: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOZPLAN_QUERY_TIMEOUT_SECONDS", "0.5")
    started = time.monotonic()
    code, out, err = run(
        capsys, "query", "select count(*) from range(100000) a, range(100000) b, range(100) c"
    )
    assert time.monotonic() - started < 10  # 10^12 rows: hours without the limit
    assert code == cli.EXIT_FAILED and out == ""
    assert err.startswith("query stopped after 0.5 s (SOZPLAN_QUERY_TIMEOUT_SECONDS)")


def test_memory_limit_without_spilling_to_disk(
    published: Path,
    warehouse_dir: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SOZPLAN_QUERY_MEMORY_LIMIT", "30MB")
    before = folder_state(warehouse_dir)
    code, _, err = run(
        capsys,
        "query",
        "select count(*) from (select * from range(20000000) t(i) order by random())",
    )
    assert code == cli.EXIT_FAILED
    assert err.startswith("query needs more memory than the limit of 30MB")
    assert folder_state(warehouse_dir) == before
    assert not (warehouse_dir / "sozialplanung.duckdb.tmp").exists()
    monkeypatch.setenv("SOZPLAN_QUERY_MEMORY_LIMIT", "300MB")
    code, out, _ = run(
        capsys,
        "query",
        "select value from duckdb_settings() where name = 'memory_limit'",
        "--format",
        "csv",
    )
    assert code == 0
    assert out.splitlines()[1] == f"{300e6 / 2**20:.1f} MiB"


def test_rows_beyond_the_limit_are_cut_with_a_note(
    published: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOZPLAN_QUERY_MAX_ROWS", "5")
    code, out, err = run(capsys, "query", "select * from range(10)", "--format", "csv")
    assert code == 0
    assert out.splitlines() == ["range", "0", "1", "2", "3", "4"]
    assert "showing the first 5 rows of a longer result (SOZPLAN_QUERY_MAX_ROWS)" in err
    code, out, err = run(capsys, "query", "select * from range(5)", "--format", "csv")
    assert len(out.splitlines()) == 6 and err == ""


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("SOZPLAN_QUERY_TIMEOUT_SECONDS", "soon", "expected a number of seconds above 0"),
        ("SOZPLAN_QUERY_TIMEOUT_SECONDS", "0", "expected a number of seconds above 0"),
        ("SOZPLAN_QUERY_TIMEOUT_SECONDS", "inf", "expected a number of seconds above 0"),
        ("SOZPLAN_QUERY_MEMORY_LIMIT", "lots", "expected a size like 2GB or 500MB"),
        ("SOZPLAN_QUERY_MAX_ROWS", "1.5", "expected a whole number above 0"),
    ],
)
def test_unusable_limits_are_named(
    published: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    variable: str,
    value: str,
    message: str,
) -> None:
    monkeypatch.setenv(variable, value)
    code, _, err = run(capsys, "query", "select 1")
    assert code == cli.EXIT_FAILED
    assert err.strip() == f"{variable}={value!r}: {message}"


def test_limits_default(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("MEMORY_LIMIT", "TIMEOUT_SECONDS", "MAX_ROWS"):
        monkeypatch.delenv(f"SOZPLAN_QUERY_{name}", raising=False)
    assert Limits.from_env() == Limits("2GB", 60.0, 1_000_000, 2)
    assert list(Limits().config())[-1] == "lock_configuration"


# --- tables and describe ------------------------------------------------------------------


def test_tables_lists_only_the_analysts_layers(
    published: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "tables", "--format", "json")
    assert code == 0
    assert json.loads(out) == [
        {"table": "marts.fct_value", "kind": "table", "rows": 3, "description": TABLE_COMMENT},
        {"table": "marts.latest", "kind": "view", "rows": None, "description": ""},
        {"table": "marts.release", "kind": "view", "rows": None, "description": ""},
        {"table": "meta.release", "kind": "table", "rows": 1, "description": ""},
        {"table": "meta.source_file", "kind": "table", "rows": 1, "description": ""},
    ]
    code, out, _ = run(capsys, "tables")
    assert code == 0
    assert TABLE_COMMENT in out and "meta.revision" not in out
    assert "build layers raw, raw_history, staging, intermediate" in out


def test_describe_shows_types_and_comments(
    published: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "describe", "marts.fct_value", "--format", "json")
    assert code == 0
    assert json.loads(out) == [
        {"column": "region_key", "type": "VARCHAR", "nullable": "yes", "description": ""},
        {"column": "period", "type": "INTEGER", "nullable": "yes", "description": ""},
        {"column": "value", "type": "DOUBLE", "nullable": "yes", "description": COLUMN_COMMENT},
    ]
    code, out, _ = run(capsys, "describe", "MARTS.FCT_VALUE")
    assert code == 0
    assert out.splitlines()[0] == f"marts.fct_value (table): {TABLE_COMMENT}"
    assert COLUMN_COMMENT in out
    code, out, _ = run(capsys, "describe", "latest")  # one schema has it
    assert code == 0 and out.splitlines()[0] == "marts.latest (view)"


def test_describe_names_what_it_cannot_find(
    published: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(capsys, "describe", "release")
    assert code == cli.EXIT_FAILED
    assert "'release' is in several schemas: name one of marts.release, meta.release" in err
    code, _, err = run(capsys, "describe", "marts.nowhere")
    assert code == cli.EXIT_FAILED
    assert "no table or view 'marts.nowhere'; `sozplan tables` lists them" in err
    code, _, err = run(capsys, "describe", "x'; drop table marts.fct_value; --")
    assert code == cli.EXIT_FAILED and "no table or view" in err


def test_describe_of_a_build_layer_says_why_not(
    published: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "describe", "fct_value")  # the only one served
    assert code == 0 and out.splitlines()[0].startswith("marts.fct_value (table)")
    for name, named in [
        ("raw.fct_value", "raw.fct_value"),
        ("RAW_HISTORY.fct_value", "raw_history.fct_value"),
        ("meta.revision", "meta.revision"),
        ("fct_main", "main.fct_main"),
    ]:
        code, out, err = run(capsys, "describe", name)
        assert code == cli.EXIT_FAILED and out == ""
        assert err.startswith(f"refused: {named} is not in the analysts' layers"), err
        assert "hold the deliveries before disclosure control" in err
        assert "for the data engineers, who open the file directly" in err


def test_the_door_opens_only_the_published_file(warehouse_dir: Path) -> None:
    (warehouse_dir / "sozialplanung.duckdb").write_text("not a database")
    with (
        pytest.raises(QueryError, match="cannot open the published warehouse"),
        open_published(),
    ):
        pass


def test_tables_and_describe_on_the_published_sample(
    published_warehouse: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with duckdb.connect(str(published_warehouse), read_only=True) as con:
        facts = con.execute("select count(*) from marts.fct_indicator_value").fetchone()[0]
    code, out, _ = run(capsys, "tables", "--format", "json")
    assert code == 0
    listed = json.loads(out)
    schemas = [row["table"].split(".")[0] for row in listed]
    assert schemas[0] == "marts" and set(schemas) == {"marts", "meta"}
    assert {row["table"] for row in listed if row["table"].startswith("meta.")} == {
        "meta.source_file",
        "meta.coverage_gap",
        "meta.release",
        "meta.release_change",
        "meta.release_change_summary",
    }
    [fact] = [row for row in listed if row["table"] == "marts.fct_indicator_value"]
    assert fact["rows"] == facts
    code, out, _ = run(capsys, "describe", "marts.fct_indicator_value", "--format", "json")
    assert code == 0
    # the curated columns as the README promises them
    assert [row["column"] for row in json.loads(out)] == [
        "indicator_id",
        "region_key",
        "period",
        "value",
        "numerator",
        "denominator",
        "unit",
        "value_status",
        "gebietsstand",
        "source_tables",
        "source_file_sha256",
        "release",
    ]


# --- the analysts' layers only ------------------------------------------------------------


@pytest.mark.parametrize(
    ("sql", "expected"),
    [
        ("select count(*) as n from marts.latest", "1"),  # a mart view that reads raw
        (
            "from marts.fct_value f join meta.source_file s on s.rows = 3 where f.period = 2024",
            "16052",
        ),
        ("with fct_main as (select 42 as n) from fct_main", "42"),  # a CTE, not main
        ("with raw as (select 42 as n) select n from raw", "42"),
        ("from meta.release", "r1"),
        ("from sozialplanung.marts.fct_value where period = 2024", "16052"),
        ("from query_table('marts.fct_value') where period = 2024", "16052"),
        ("from query_table(['marts.fct_value', 'marts.fct_value']) limit 1", "16"),
        ("from histogram(marts.fct_value, value)", "x <= "),
        ("from pragma_storage_info('marts.fct_value') limit 1", "region_key"),
        ("pragma storage_info('marts.fct_value')", "region_key"),
        ("pivot marts.fct_value on period, region_key using sum(value)", "2024_16052"),
        ("pivot marts.fct_value on period using sum(value) group by region_key", "16051"),
        ("select count(*) from duckdb_tables() where schema_name = 'raw'", "1"),  # catalogue
        ("select count(*) from information_schema.tables where table_schema = 'raw'", "1"),
        ("select count(*) from duckdb_columns where table_name = 'fct_value'", "21"),
        ("show all tables", "fct_value"),
        ("from range(3) t(i) where i = 2", "2"),
        ("from generate_series(1, 3) t(i), unnest([10, 20]) u(x) where i = 3 and x = 20", "20"),
        ("select query_text from (select 'select * from raw.fct_value' as query_text)", "raw"),
    ],
)
def test_the_analysts_layers_are_read(
    published: Path, capsys: pytest.CaptureFixture[str], sql: str, expected: str
) -> None:
    code, out, err = run(capsys, "query", sql, "--format", "csv")
    assert code == 0, err
    assert expected in out


def test_unqualified_names_resolve_as_duckdb_resolves_them(
    published: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """No search path but main (and the system catalogue): `use` is refused, so a table of
    marts needs its schema, and an unqualified name never reaches a build layer."""
    code, _, err = run(capsys, "query", "use raw")
    assert code == cli.EXIT_FAILED and "refused: USE (SET) is not a read statement" in err
    code, _, err = run(capsys, "query", "set search_path = 'raw'")
    assert code == cli.EXIT_FAILED and "refused: SET is not a read statement" in err
    code, _, err = run(capsys, "query", "select * from fct_value")
    assert code == cli.EXIT_FAILED
    assert err.startswith("query failed: Catalog Error: Table with name fct_value does not exist")
    code, out, err = run(capsys, "query", "select count(*) from duckdb_tables", "--format", "csv")
    assert code == 0 and out.splitlines()[0] == "count_star()", err


# --- the attacker's subtraction on the published sample -----------------------------------

# The city's unemployed 2024 as published for the Kreis minus those of the Stadtteile the
# city published: Schmira's count, which the city suppressed (tests/test_secondary_suppression.py
# shows it comes out when the file is opened directly).
SUBTRACTION = """
select u.value - (select sum(s.value) from {parts} s
                  where s.period_year = 2024 and s.measure_code = 'ALO') as schmira
from {total} u where u.region_key = '16051' and u.period_year = 2024
"""


def test_the_subtraction_on_the_sample_is_refused_and_the_marts_are_read(
    published_warehouse: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for sql in (
        SUBTRACTION.format(parts="raw.erfurt_stadtteile", total="raw.unemployment"),
        SUBTRACTION.format(parts="query_table('raw.erfurt_stadtteile')", total="raw.unemployment"),
        SUBTRACTION.format(
            parts="query('select * from raw.erfurt_stadtteile')", total="raw.unemployment"
        ),
        SUBTRACTION.format(parts="raw_history.erfurt_stadtteile", total="raw_history.unemployment"),
        "with parts as (from raw.jena_planungsraeume) "
        + SUBTRACTION.format(parts="parts", total="marts.fct_indicator_value"),
        "select * from marts.fct_indicator_value where value = (select min(value) from "
        "staging.stg_erfurt_stadtteile)",
        "from intermediate.int_measure",
    ):
        code, out, err = run(capsys, "query", sql)
        assert code == cli.EXIT_FAILED and out == "", sql
        assert err.startswith("refused: ") and "before disclosure control" in err, err
    code, out, err = run(
        capsys,
        "query",
        "select r.name, f.value, s.file_name from marts.fct_indicator_value f "
        "join marts.dim_region r using (region_key) "
        "join meta.source_file s on s.file_sha256 = f.source_file_sha256 "
        "where f.indicator_id = 'unemployment_rate' and f.region_key = '16051' "
        "order by f.period desc limit 1",
        "--format",
        "json",
    )
    assert code == 0, err
    [row] = json.loads(out)
    assert row["name"] == "Erfurt, kreisfreie Stadt" and row["value"] > 0 and row["file_name"]
