"""The GX gate on what is published: each suite passes on the published sample warehouse and
each of its expectations fails on a copy made bad in one place (real DuckDB, real GX).

Expected counts and examples come from SQL on the bad copy, not from the suites.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import dagster as dg
import duckdb
import pandas as pd
import pytest

from pipelines.assets.checks import check_result
from pipelines.audit.expectations import (
    ExpectationOutcome,
    describe_expectation,
    validate_dataframe,
)
from pipelines.audit.suites import (
    Suite,
    indicator_suite,
    raw_suite,
    register_suite,
    validate_raw_tables,
    validate_suite,
)
from pipelines.contracts import load_contracts

CONTRACTS = load_contracts()
POPULATION = CONTRACTS["population_age"]
RAW = "raw.population_age"
HISTORY = "raw_history.population_age"
FIRST_LINE = f"_source_line = (select min(_source_line) from {RAW})"
# raw of a source with one delivery is a view of its history (pipelines/ingest.py); a table
# as several deliveries (or an older release) leave it lets these tests break raw alone.
RAW_AS_TABLE = (
    f"create table {RAW}_table as from {RAW}",
    f"drop view {RAW}",
    f"alter table {RAW}_table rename to population_age",
)


def raw_as_table(con: duckdb.DuckDBPyConnection) -> None:
    views = "select count(*) from duckdb_views() where schema_name = 'raw' and view_name = ?"
    if con.execute(views, [RAW.split(".")[1]]).fetchone()[0]:
        for statement in RAW_AS_TABLE:
            con.execute(statement)


# Publish empties the small-area sources' raw tables (disclosure control); meta.source_file
# keeps their files, so the published file is checked without them.
PUBLISHED_SOURCES = [c for c in CONTRACTS.values() if not c.region.key_pattern]


def cases(*rows: tuple[str, str, str]) -> list[Any]:
    """pytest parameters from (id, SQL assignment, failing expectation) rows."""
    return [pytest.param(assignment, expectation, id=id_) for id_, assignment, expectation in rows]


def outcomes(db: Path, suite: Suite, *statements: str) -> list[ExpectationOutcome]:
    """Run `statements` on the warehouse copy, then the suite."""
    with duckdb.connect(str(db)) as con:
        for statement in statements:
            con.execute(statement)
        return validate_suite(con, suite)


def raw_outcomes(
    db: Path, *statements: str, contract: Any = POPULATION
) -> list[ExpectationOutcome]:
    """The raw suite of `contract` (population_age) for the copy's release, after `statements`
    (validated with every published raw table, told for `contract`)."""
    contracts = [contract, *(c for c in PUBLISHED_SOURCES if c.source != contract.source)]
    release = release_of(db)
    with duckdb.connect(str(db)) as con:
        raw_as_table(con)
        for statement in statements:
            con.execute(statement)
        return validate_raw_tables(con, contracts, release)[contract.source]


def fact_outcomes(db: Path, *statements: str) -> list[ExpectationOutcome]:
    """The indicator suite for the copy's release and Gebietsstand, after `statements`."""
    return outcomes(db, indicator_suite(release_of(db), gebietsstand_of(db)), *statements)


def failed(result: list[ExpectationOutcome]) -> dict[str, ExpectationOutcome]:
    return {o.expectation: o for o in result if not o.passed}


def scalar(db: Path, sql: str) -> Any:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql).fetchone()[0]


def release_of(db: Path) -> str:
    return scalar(db, "select release from meta.release")


def gebietsstand_of(db: Path) -> str:
    return scalar(
        db, "select distinct cast(gebietsstand as varchar) from marts.fct_indicator_value"
    )


def test_importing_and_building_suites_does_not_import_gx() -> None:
    code = (
        "import sys\n"
        "from pipelines.audit.suites import indicator_suite, raw_suite, register_suite\n"
        "from pipelines.contracts import load_contracts\n"
        "import pipelines.definitions\n"
        "contracts = list(load_contracts().values())\n"
        "raw_suite(contracts, 'r'); register_suite(contracts); indicator_suite('r', 'g')\n"
        "assert 'great_expectations' not in sys.modules, 'GX imported eagerly'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


# ------------------------------------------------------------------------------------------
# raw.<source>
# ------------------------------------------------------------------------------------------


def test_published_raw_tables_pass(published_warehouse: Path) -> None:
    release = release_of(published_warehouse)
    with duckdb.connect(str(published_warehouse), read_only=True) as con:
        result = validate_raw_tables(con, PUBLISHED_SOURCES, release)
    assert sorted(result) == sorted(c.source for c in PUBLISHED_SOURCES)
    for source, told in result.items():
        assert failed(told) == {}, source
        assert len(told) == len(raw_suite(PUBLISHED_SOURCES, release).expectations)


def both_tables(assignment: str) -> tuple[str, str]:
    """The same change to the first row of raw and its row in raw_history."""
    return (
        f"update {HISTORY} set {assignment} where {FIRST_LINE}",
        f"update {RAW} set {assignment} where {FIRST_LINE}",
    )


@pytest.mark.parametrize(
    ("assignment", "expectation"),
    cases(
        (
            "row-without-sha256",
            "_source_file_sha256 = null",
            "expect_column_values_to_not_be_null(_source_file_sha256)",
        ),
        (
            "sha256-not-64-hex",
            "_source_file_sha256 = 'ABC123'",
            "expect_column_values_to_match_regex(_source_file_sha256, regex='^[0-9a-f]{64}$')",
        ),
        (
            "row-without-file-name",
            "_source_file = null",
            "expect_column_values_to_not_be_null(_source_file)",
        ),
        (
            "blank-file-name",
            "_source_file = ' '",
            "expect_column_values_to_match_regex(_source_file, regex='\\S')",
        ),
        ("row-without-release", "_release = null", "expect_column_values_to_not_be_null(_release)"),
        (
            "row-of-another-release",
            "_release = 'older'",
            "expect_column_values_to_be_in_set(_release, value_set=[RELEASE])",
        ),
        (
            "row-without-ingested-at",
            "_ingested_at = null",
            "expect_column_values_to_not_be_null(_ingested_at)",
        ),
        (
            "other-table-code",
            "table_code = '99999-99-99-4'",
            "expect_column_pair_values_to_be_equal(table_code, contract_table_code, "
            "ignore_row_if='either_value_is_missing')",
        ),
        (
            "row-without-table-code",
            "table_code = null",
            "expect_column_values_to_not_be_null(table_code)",
        ),
    ),
)
def test_raw_lineage_fault_names_the_file(
    published_warehouse: Path, assignment: str, expectation: str
) -> None:
    release = release_of(published_warehouse)
    expectation = expectation.replace("RELEASE", f"'{release}'")
    file_name = scalar(published_warehouse, f"select _source_file from {RAW} where {FIRST_LINE}")
    result = raw_outcomes(published_warehouse, *both_tables(assignment))
    (outcome,) = failed(result).values()
    assert outcome.expectation == expectation
    assert (outcome.unexpected_count, outcome.unit) == (1, "files")
    (example,) = outcome.examples
    assert example["rows"] == 1  # the one changed row forms its own group
    assert example["_source_file"] in (file_name, None, " ")


def test_one_validation_tells_each_raw_table_its_own_faults(published_warehouse: Path) -> None:
    """All raw tables are validated in one frame: a fault counts for its table only."""
    income = CONTRACTS["income"]
    release = release_of(published_warehouse)
    first_income = "_source_line = (select min(_source_line) from raw.income)"
    with duckdb.connect(str(published_warehouse)) as con:
        raw_as_table(con)
        con.execute(f"update {RAW} set _release = 'older' where {FIRST_LINE}")
        con.execute(f"update {HISTORY} set _release = 'older' where {FIRST_LINE}")
        con.execute(f"update raw.income set value_status = '.' where {first_income}")
        con.execute(f"update raw_history.income set value_status = '.' where {first_income}")
        result = validate_raw_tables(con, PUBLISHED_SOURCES, release)
    assert [o.expectation for o in failed(result[POPULATION.source]).values()] == [
        f"expect_column_values_to_be_in_set(_release, value_set=['{release}'])"
    ]
    (bad_income,) = failed(result[income.source]).values()
    assert bad_income.expectation.startswith("expect_column_values_to_be_between(value_and_sign")
    assert bad_income.examples[0]["_source_file"].startswith("82411-01-03-4_")
    others = [s for s in result if s not in (POPULATION.source, income.source)]
    assert others and all(failed(result[s]) == {} for s in others)


def test_raw_value_without_value_or_sign(published_warehouse: Path) -> None:
    line = scalar(published_warehouse, f"select min(_source_line) from {RAW}")
    result = raw_outcomes(
        published_warehouse,
        *both_tables("value = null, value_status = null"),
    )
    (outcome,) = failed(result).values()
    assert (
        outcome.expectation
        == "expect_column_values_to_be_between(value_and_sign_disagree, min=0, max=0)"
    )
    assert outcome.description == "a value exactly where no special sign replaced it"
    assert (outcome.unexpected_count, outcome.unit) == (1, "rows")
    (example,) = outcome.examples
    assert example["_source_line"] == line
    assert example["value"] is None and example["value_status"] is None
    assert example["_source_file"] == "12411-02-03-4_de_flat.csv"


def test_raw_value_and_sign_together(published_warehouse: Path) -> None:
    result = raw_outcomes(published_warehouse, *both_tables("value_status = '.'"))
    (outcome,) = failed(result).values()
    assert outcome.expectation.startswith("expect_column_values_to_be_between(value_and_sign")
    assert outcome.unexpected_count == 1
    assert outcome.examples[0]["value_status"] == "."
    assert outcome.examples[0]["value"] is not None


SAME = "expect_column_values_to_be_in_set(same_rows, value_set=[True])"
COUNT = "expect_column_pair_values_to_be_equal(rows, current_rows)"
EXTRA = "in raw, not the current row of raw_history"
ABSENT = "current in raw_history, not in raw"


def test_raw_value_changed_after_ingest(published_warehouse: Path) -> None:
    """raw says something raw_history's current row does not: both rows named."""
    value, line = (
        scalar(published_warehouse, f"select {column} from {RAW} where {FIRST_LINE}")
        for column in ("value", "_source_line")
    )
    result = raw_outcomes(
        published_warehouse,
        f"update {RAW} set value = value + 1 where {FIRST_LINE}",
    )
    (outcome,) = failed(result).values()
    assert outcome.expectation == SAME
    assert (outcome.unexpected_count, outcome.unit) == (1, "files")
    assert [(e["problem"], e["_source_line"], e["value"]) for e in outcome.examples] == [
        (EXTRA, line, value + 1),
        (ABSENT, line, value),
    ]


@pytest.mark.parametrize(
    ("statement", "problem"),
    [
        pytest.param(
            f"insert into {RAW} select * from {RAW} where {FIRST_LINE}", EXTRA, id="duplicate"
        ),
        pytest.param(f"delete from {RAW} where {FIRST_LINE}", ABSENT, id="lost"),
    ],
)
def test_raw_row_duplicated_or_lost(
    published_warehouse: Path, statement: str, problem: str
) -> None:
    line = scalar(published_warehouse, f"select min(_source_line) from {RAW}")
    current = scalar(published_warehouse, f"select count(*) from {HISTORY}")
    bad = failed(raw_outcomes(published_warehouse, statement))
    assert set(bad) == {COUNT, SAME}
    (count,) = bad[COUNT].examples
    assert count["current_rows"] == current
    assert count["rows"] == current + (1 if problem == EXTRA else -1)
    # a duplicate shows both copies of the row
    shown = [(e["problem"], e["_source_line"]) for e in bad[SAME].examples]
    assert shown == [(problem, line)] * (2 if problem == EXTRA else 1)


def test_raw_keeps_a_superseded_value(published_warehouse: Path) -> None:
    """A later delivery revised a value; raw still holds the old one."""
    newer = (
        "insert into raw_history.income select * replace ("
        "  value + 1 as value, '82411-01-03-4_2025.csv' as _source_file,"
        "  repeat('a', 64) as _source_file_sha256,"
        "  (select max(_delivery_seq) + 1 from raw_history.income) as _delivery_seq)"
        " from raw_history.income where rowid ="
        "  (select min(rowid) from raw_history.income where _delivery_seq = 1)"
    )
    first = scalar(
        published_warehouse,
        "select count(*) from raw.income where _source_file = '82411-01-03-4_2015.csv'",
    )
    result = raw_outcomes(published_warehouse, newer, contract=CONTRACTS["income"])
    bad = failed(result)
    assert set(bad) == {COUNT, SAME}
    # the old file has one current row less than raw holds, the new one a row raw lacks
    assert [(e["_source_file"], e["rows"], e["current_rows"]) for e in bad[COUNT].examples] == [
        ("82411-01-03-4_2015.csv", first, first - 1),
        ("82411-01-03-4_2025.csv", 0, 1),
    ]
    assert [(e["problem"], e["_source_file"]) for e in bad[SAME].examples] == [
        (EXTRA, "82411-01-03-4_2015.csv"),
        (ABSENT, "82411-01-03-4_2025.csv"),
    ]


def test_raw_empty_source_with_sample(published_warehouse: Path) -> None:
    result = raw_outcomes(
        published_warehouse,
        f"delete from {RAW}",
        f"delete from {HISTORY}",
    )
    (outcome,) = failed(result).values()
    assert outcome.expectation == "expect_column_values_to_be_in_set(has_files, value_set=[True])"
    assert (outcome.unexpected_count, outcome.unit) == (1, "sources")
    # ...while a source without a sample may be empty until its first delivery
    assert CONTRACTS["income_tax"].sample_files == ()
    assert failed(raw_outcomes(published_warehouse, contract=CONTRACTS["income_tax"])) == {}


# ------------------------------------------------------------------------------------------
# meta.source_file
# ------------------------------------------------------------------------------------------

REGISTER = register_suite(PUBLISHED_SOURCES)
ROWS = (
    "expect_column_pair_values_to_be_equal(registered_rows, delivered_rows, "
    "ignore_row_if='neither')"
)
CURRENT = (
    "expect_column_pair_values_to_be_equal(registered_current_rows, current_rows, "
    "ignore_row_if='neither')"
)


def test_published_register_passes(published_warehouse: Path) -> None:
    assert failed(outcomes(published_warehouse, REGISTER)) == {}


def test_register_rows_off(published_warehouse: Path) -> None:
    delivered = scalar(published_warehouse, f"select count(*) from {HISTORY}")
    result = outcomes(
        published_warehouse,
        REGISTER,
        "update meta.source_file set rows = rows + 1 where source = 'population_age'",
    )
    (outcome,) = failed(result).values()
    assert outcome.expectation == ROWS
    (example,) = outcome.examples
    assert example["file_name"] == "12411-02-03-4_de_flat.csv"
    assert (example["registered_rows"], example["delivered_rows"]) == (delivered + 1, delivered)


def test_register_misses_a_file(published_warehouse: Path) -> None:
    result = outcomes(
        published_warehouse,
        REGISTER,
        "delete from meta.source_file where source = 'population_age'",
    )
    bad = failed(result)
    assert set(bad) == {
        ROWS,
        CURRENT,  # ...and so it names no licence and no attribution either
        "expect_column_values_to_not_be_null(licence)",
        "expect_column_values_to_not_be_null(attribution)",
    }
    assert bad[ROWS].examples[0]["registered_rows"] is None
    assert bad[ROWS].examples[0]["file_name"] == "12411-02-03-4_de_flat.csv"


@pytest.mark.parametrize("column", ["licence", "attribution"])
def test_register_without_licence_or_attribution(published_warehouse: Path, column: str) -> None:
    result = outcomes(
        published_warehouse,
        REGISTER,
        f"update meta.source_file set {column} = '' where source = 'population_age'",
    )
    (outcome,) = failed(result).values()
    assert outcome.expectation == f"expect_column_values_to_match_regex({column}, regex='\\S')"
    assert outcome.examples[0]["source"] == "population_age"


# ------------------------------------------------------------------------------------------
# marts.fct_indicator_value
# ------------------------------------------------------------------------------------------

FACT = "marts.fct_indicator_value"
A_RATE = (
    "indicator_id = 'sgb2_quota' and region_key = '16051' and period = "
    "(select max(period) from marts.fct_indicator_value)"
)


def test_published_fact_table_passes(published_warehouse: Path) -> None:
    assert scalar(published_warehouse, f"select count(*) from {FACT} where {A_RATE}") == 1
    assert failed(fact_outcomes(published_warehouse)) == {}


@pytest.mark.parametrize(
    ("assignment", "expectation"),
    cases(
        ("row-without-release", "release = null", "expect_column_values_to_not_be_null(release)"),
        (
            "row-of-another-release",
            "release = 'older'",
            "expect_column_values_to_be_in_set(release, value_set=[RELEASE])",
        ),
        (
            "row-without-gebietsstand",
            "gebietsstand = null",
            "expect_column_values_to_not_be_null(gebietsstand)",
        ),
        (
            "row-on-another-gebietsstand",
            "gebietsstand = date '2020-12-31'",
            "expect_column_values_to_be_in_set(gebietsstand, value_set=[GEBIETSSTAND])",
        ),
    ),
)
def test_fact_stamp_fault_names_indicator_and_period(
    published_warehouse: Path, assignment: str, expectation: str
) -> None:
    release, gebietsstand = release_of(published_warehouse), gebietsstand_of(published_warehouse)
    expectation = expectation.replace("RELEASE", f"'{release}'")
    expectation = expectation.replace("GEBIETSSTAND", f"'{gebietsstand}'")
    period = scalar(published_warehouse, f"select period from {FACT} where {A_RATE}")
    result = outcomes(
        published_warehouse,
        indicator_suite(release, gebietsstand),
        f"update {FACT} set {assignment} where {A_RATE}",
    )
    (outcome,) = failed(result).values()
    assert outcome.expectation == expectation
    assert (outcome.unexpected_count, outcome.unit) == (1, "indicator-periods")
    (example,) = outcome.examples
    assert (example["indicator_id"], example["period"], example["rows"]) == (
        "sgb2_quota",
        period,
        1,
    )


def test_rate_that_is_not_numerator_over_denominator(published_warehouse: Path) -> None:
    numerator, denominator = (
        scalar(published_warehouse, f"select {column} from {FACT} where {A_RATE}")
        for column in ("numerator", "denominator")
    )
    result = fact_outcomes(
        published_warehouse,
        f"update {FACT} set value = value + 0.1 where {A_RATE}",
    )
    (outcome,) = failed(result).values()
    assert (
        outcome.expectation
        == "expect_column_values_to_be_between(values_not_recomputed, min=0, max=0)"
    )
    assert (outcome.unexpected_count, outcome.unit) == (1, "rows")
    (example,) = outcome.examples
    assert example["region_key"] == "16051"
    assert example["value"] == pytest.approx(numerator / denominator * 100 + 0.1)


def test_count_that_is_not_its_numerator(published_warehouse: Path) -> None:
    where = "indicator_id = 'population' and region_key = '16' and period = 2020"
    result = fact_outcomes(
        published_warehouse,
        f"update {FACT} set value = value * 2 where {where}",
    )
    (outcome,) = failed(result).values()
    assert outcome.expectation.startswith("expect_column_values_to_be_between(values_not_rec")
    assert outcome.examples[0]["region_key"] == "16"


@pytest.mark.parametrize("columns", ["value = 2, numerator = 2", "numerator = 1"])
def test_small_area_count_below_3(published_warehouse: Path, columns: str) -> None:
    gemeinde = scalar(
        published_warehouse,
        "select min(region_key) from marts.dim_region where level = 'gemeinde'",
    )
    where = f"indicator_id = 'population' and region_key = '{gemeinde}' and period = 2020"
    assert scalar(published_warehouse, f"select count(*) from {FACT} where {where}") == 1
    result = fact_outcomes(
        published_warehouse,
        f"update {FACT} set {columns} where {where}",
    )
    bad = failed(result)
    small = "expect_column_values_to_be_between(small_area_counts_below_3, min=0, max=0)"
    assert small in bad
    assert bad[small].unexpected_count == 1
    assert bad[small].examples[0]["region_key"] == gemeinde
    assert bad[small].examples[0]["level"] == "gemeinde"


def test_small_counts_of_kreise_are_fine(published_warehouse: Path) -> None:
    result = fact_outcomes(
        published_warehouse,
        f"update {FACT} set value = 2, numerator = 2 "
        "where indicator_id = 'population' and region_key = '16051' and period = 2020",
    )
    assert failed(result) == {}


@pytest.mark.parametrize("sha", ["''", "repeat('0', 64)"])
def test_fact_row_without_registered_file(published_warehouse: Path, sha: str) -> None:
    result = fact_outcomes(
        published_warehouse,
        f"update {FACT} set source_file_sha256 = {sha} where {A_RATE}",
    )
    (outcome,) = failed(result).values()
    assert outcome.expectation.startswith(
        "expect_column_values_to_be_between(rows_without_attribution"
    )
    assert outcome.examples[0]["indicator_id"] == "sgb2_quota"


def test_fact_row_whose_file_lost_its_attribution(published_warehouse: Path) -> None:
    sha = scalar(published_warehouse, f"select source_file_sha256 from {FACT} where {A_RATE}")
    first = sha.split()[0]
    rows = scalar(
        published_warehouse,
        f"select count(*) from {FACT} where contains(source_file_sha256, '{first}')",
    )
    result = fact_outcomes(
        published_warehouse,
        f"update meta.source_file set attribution = null where file_sha256 = '{first}'",
    )
    (outcome,) = failed(result).values()
    assert outcome.unexpected_count == rows


# ------------------------------------------------------------------------------------------
# the failure as a refresh prints it
# ------------------------------------------------------------------------------------------


def test_check_result_names_expectation_table_and_rows(published_warehouse: Path) -> None:
    result = fact_outcomes(
        published_warehouse,
        f"update {FACT} set value = value + 0.1 where {A_RATE}",
    )
    check = check_result(FACT, result)
    assert isinstance(check, dg.AssetCheckResult) and not check.passed
    first, example = check.description.splitlines()[:2]
    assert first == (
        "expect_column_values_to_be_between(values_not_recomputed, min=0, max=0) on "
        "marts.fct_indicator_value (value = numerator / denominator x multiplier): 1 row"
    )
    assert example.startswith('    e.g. {"indicator_id": "sgb2_quota", "region_key": "16051"')


# ------------------------------------------------------------------------------------------
# validate_dataframe itself
# ------------------------------------------------------------------------------------------


def test_outcomes_follow_input_order_and_non_default_index() -> None:
    df = pd.DataFrame({"a": [1, 2, 300], "b": ["x", "y", None]}, index=[10, 20, 30])
    expectations = [
        {"type": "expect_column_values_to_not_be_null", "column": "b"},
        {"type": "expect_column_values_to_be_between", "column": "a", "max_value": 100},
        {"type": "expect_table_row_count_to_be_between", "min_value": 1, "max_value": 3},
    ]
    result = validate_dataframe(df, "adhoc", expectations)
    assert [outcome.expectation for outcome in result] == [
        "expect_column_values_to_not_be_null(b)",
        "expect_column_values_to_be_between(a, max=100)",
        "expect_table_row_count_to_be_between(min=1, max=3)",
    ]
    assert [outcome.passed for outcome in result] == [False, False, True]
    assert result[0].examples == [{"a": 300, "b": None}]
    assert result[1].examples == [{"a": 300, "b": None}]


def test_pandas_query_string_row_condition() -> None:
    df = pd.DataFrame({"unit": ["Prozent", "je 100", "Prozent"], "value": [50.0, 150.0, 101.0]})
    spec = {
        "type": "expect_column_values_to_be_between",
        "column": "value",
        "max_value": 100,
        "row_condition": 'unit == "Prozent"',
        "condition_parser": "pandas",
    }
    (outcome,) = validate_dataframe(df, "adhoc", [spec])
    assert outcome.expectation == (
        'expect_column_values_to_be_between(value, max=100, where unit == "Prozent")'
    )
    assert not outcome.passed
    assert outcome.unexpected_count == 1
    assert outcome.examples == [{"unit": "Prozent", "value": 101.0}]


def test_missing_column_is_a_failed_outcome_with_error() -> None:
    df = pd.DataFrame({"a": [1]})
    (outcome,) = validate_dataframe(
        df, "adhoc", [{"type": "expect_column_values_to_not_be_null", "column": "nope"}]
    )
    assert not outcome.passed
    assert outcome.error and "nope" in outcome.error


def test_invalid_specs_raise() -> None:
    df = pd.DataFrame({"a": [1]})
    with pytest.raises(ValueError, match="unknown expectation type"):
        validate_dataframe(df, "adhoc", [{"type": "expect_the_unexpected", "column": "a"}])
    with pytest.raises(ValueError, match="invalid expectation"):
        validate_dataframe(df, "adhoc", [{"type": "expect_column_values_to_be_between"}])
    assert validate_dataframe(df, "adhoc", []) == []


def test_describe_expectation() -> None:
    spec = {
        "type": "expect_column_values_to_be_between",
        "column": "value",
        "min_value": 0,
        "description": "not negative",
    }
    assert describe_expectation(spec) == "expect_column_values_to_be_between(value, min=0)"
    (outcome,) = validate_dataframe(pd.DataFrame({"value": [1]}), "adhoc", [spec])
    assert outcome.passed and outcome.description == "not negative"


def test_raw_of_one_delivery_is_a_view_of_several_a_table(published_warehouse: Path) -> None:
    """One delivery holds each key once: raw is its history without the delivery columns;
    several: a table of the newest value per key. Either way one row per key."""
    kinds = dict(
        scalar_rows(
            published_warehouse,
            "select table_name, table_type from information_schema.tables "
            "where table_schema = 'raw' and table_name in ('population_age', 'income')",
        )
    )
    assert kinds == {"population_age": "VIEW", "income": "BASE TABLE"}
    for contract in (POPULATION, CONTRACTS["income"]):
        keys = ", ".join(contract.key_columns)
        duplicates = scalar(
            published_warehouse,
            f"select count(*) from (select {keys} from {contract.raw_table} "
            "group by all having count(*) > 1)",
        )
        assert duplicates == 0, contract.source
    history = scalar(published_warehouse, f"select count(*) from {HISTORY}")
    assert scalar(published_warehouse, f"select count(*) from {RAW}") == history


def scalar_rows(db: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql).fetchall()
