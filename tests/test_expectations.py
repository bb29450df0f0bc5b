"""Great Expectations suites on hand-built DataFrames (real GX, no mocks).

The GX context is cached per process by pipelines.audit.expectations, so only the first test
pays for importing GX; every later validation takes a few tens of milliseconds.
"""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

import duckdb
import pandas as pd
import pytest

from pipelines.audit.expectations import (
    EXAMPLE_LIMIT,
    ExpectationOutcome,
    describe_expectation,
    indicator_expectations,
    raw_expectations,
    validate_dataframe,
)

CONTRACT: dict[str, Any] = {
    "source": "population_age",
    "table_code": "12411-02-03-4",
    "period_range": [2015, 2024],
    "region": {"variable": "KREISE", "laender": ["16"], "key_length": 5},
    "measures": [{"code": "BEVSTD", "label": "Bevölkerungsstand", "unit": "Anzahl"}],
    "allowed_status": ["-", ".", "/", "x", "..."],
    "key_columns": [
        "region_key",
        "period_year",
        "var1_attr_code",
        "var2_attr_code",
        "measure_code",
    ],
}
RAW_SUITE = "raw.population_age"
MART_SUITE = "marts.fct_indicator_value"


def raw_row(**overrides: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "table_code": "12411-02-03-4",
        "statistics_code": "12411",
        "time_code": "STAG",
        "time": "2024-12-31",
        "period_year": 2024,
        "region_variable": "KREISE",
        "region_key": "16051",
        "region_name": "Erfurt, Stadt",
        "var1_code": "GES",
        "var1_attr_code": "",  # '' = Insgesamt, not null
        "var1_attr_label": "Insgesamt",
        "var2_code": "ALTX20",
        "var2_attr_code": "",
        "var2_attr_label": "Insgesamt",
        "measure_code": "BEVSTD",
        "measure_label": "Bevölkerungsstand",
        "value": 214_000.0,
        "unit": "Anzahl",
        "value_status": None,
        "_source_line": 2,
    }
    row.update(overrides)
    return row


def raw_frame(*extra: dict[str, Any]) -> pd.DataFrame:
    """Four valid rows (two sexes x two Kreise, one with a suppressed value) plus extra rows."""
    rows = [
        raw_row(),
        raw_row(var1_attr_code="GESW", value=110_000.0, _source_line=3),
        raw_row(region_key="16052", region_name="Gera, Stadt", _source_line=4),
        raw_row(
            region_key="16052",
            var1_attr_code="GESW",
            value=None,
            value_status="-",
            _source_line=5,
        ),
    ]
    return pd.DataFrame([*rows, *extra])


def indicator_row(**overrides: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "indicator_id": "sgb2_quote",
        "region_key": "16051",
        "period": 2024,
        "value": 7.5,
        "numerator": 15.0,
        "denominator": 200.0,
        "unit": "Prozent",
        "value_status": None,
        "gebietsstand": pd.Timestamp("2024-12-31"),
        "release": "2025-01",
    }
    row.update(overrides)
    return row


def indicator_frame(*extra: dict[str, Any]) -> pd.DataFrame:
    rows = [
        indicator_row(),
        indicator_row(region_key="16052", value=100.0, numerator=80.0, denominator=80.0),
        indicator_row(
            indicator_id="population",
            value=214_000.0,
            numerator=None,
            denominator=None,
            unit="Anzahl",
        ),
        # The old-age ratio is 'je 100' and may exceed 100.
        indicator_row(
            indicator_id="old_age_ratio",
            value=180.0,
            numerator=None,
            denominator=None,
            unit="je 100",
        ),
        # A suppressed rate: no value, no numerator; nothing to compare.
        indicator_row(region_key="16053", value=None, numerator=None, value_status="-"),
    ]
    return pd.DataFrame([*rows, *extra])


def failures(outcomes: list[ExpectationOutcome]) -> list[ExpectationOutcome]:
    return [outcome for outcome in outcomes if not outcome.passed]


def only_failure(outcomes: list[ExpectationOutcome]) -> ExpectationOutcome:
    failed = failures(outcomes)
    assert len(failed) == 1, [outcome.expectation for outcome in failed]
    return failed[0]


# ------------------------------------------------------------------------------------------
# import cost
# ------------------------------------------------------------------------------------------


def test_module_import_does_not_import_gx() -> None:
    code = (
        "import sys, pipelines.audit.expectations as e; "
        "e.raw_expectations({}); e.indicator_expectations(); "
        "assert 'great_expectations' not in sys.modules, 'GX imported eagerly'"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


# ------------------------------------------------------------------------------------------
# raw.<source>
# ------------------------------------------------------------------------------------------


def test_raw_valid_frame_passes() -> None:
    outcomes = validate_dataframe(raw_frame(), RAW_SUITE, raw_expectations(CONTRACT))
    assert failures(outcomes) == []
    assert len(outcomes) == len(raw_expectations(CONTRACT))
    assert all(outcome.suite == RAW_SUITE for outcome in outcomes)
    assert all(outcome.examples == [] and outcome.error is None for outcome in outcomes)


@pytest.mark.parametrize(
    ("bad_row", "expectation"),
    [
        pytest.param(
            raw_row(region_key="16053", value=-5.0),
            "expect_column_values_to_be_between(value, min=0, "
            "where (measure_code in ['BEVSTD'] or unit == 'Anzahl'))",
            id="negative-count",
        ),
        pytest.param(
            raw_row(region_key="16053", value=None, value_status="*"),
            "expect_column_values_to_be_in_set(value_status, "
            "value_set=['-', '.', '/', 'x', '...'])",
            id="status-sign-not-allowed",
        ),
        pytest.param(
            raw_row(region_key="15001"),
            "expect_column_values_to_match_regex(region_key, regex='^(?:16)(?:\\d{3})?$')",
            id="key-outside-land-16",
        ),
        pytest.param(
            raw_row(region_key="160511"),
            "expect_column_values_to_match_regex(region_key, regex='^(?:16)(?:\\d{3})?$')",
            id="key-too-long",
        ),
        pytest.param(
            raw_row(region_key="16053", period_year=2014),
            "expect_column_values_to_be_between(period_year, min=2015, max=2024)",
            id="period-before-range",
        ),
        pytest.param(
            raw_row(region_key="16053", value=None, value_status=None),
            "expect_column_values_to_not_be_null(value, where value_status is null)",
            id="value-missing-without-sign",
        ),
        pytest.param(
            raw_row(region_key=None),
            "expect_column_values_to_not_be_null(region_key)",
            id="null-key",
        ),
        pytest.param(
            raw_row(region_key="16053", var2_attr_code=None),
            "expect_column_values_to_not_be_null(var2_attr_code, where var2_code is not null)",
            id="null-var2-attr-with-var2-present",
        ),
        pytest.param(
            raw_row(region_key="16053", measure_code="BEVDI"),
            "expect_column_values_to_be_in_set(measure_code, value_set=['BEVSTD'])",
            id="undeclared-measure",
        ),
    ],
)
def test_raw_single_fault_is_reported_with_its_row(bad_row: dict, expectation: str) -> None:
    outcomes = validate_dataframe(raw_frame(bad_row), RAW_SUITE, raw_expectations(CONTRACT))
    failed = only_failure(outcomes)
    assert failed.expectation == expectation
    assert failed.unexpected_count == 1
    assert failed.examples == [bad_row]


def test_raw_duplicate_key_reports_both_rows() -> None:
    duplicate = raw_row(value=999.0, _source_line=6)  # same key as the first row
    frame = raw_frame(duplicate)
    failed = only_failure(validate_dataframe(frame, RAW_SUITE, raw_expectations(CONTRACT)))
    assert failed.expectation.startswith("expect_compound_columns_to_be_unique(")
    # GX counts every row of a duplicated key (pandas duplicated(keep=False)).
    assert failed.unexpected_count == 2
    assert failed.examples == [raw_row(), duplicate]


def test_raw_fewer_variable_groups_null_var2_is_fine_but_still_unique() -> None:
    """A file with one variable group leaves var2_* NULL: not a key violation by itself."""
    one_group = raw_frame().assign(var2_code=None, var2_attr_code=None, var2_attr_label=None)
    expectations = raw_expectations(CONTRACT)
    assert failures(validate_dataframe(one_group, RAW_SUITE, expectations)) == []

    # ...but two rows equal on all other key columns are duplicates (NULL == NULL for keys).
    doubled = pd.concat([one_group, one_group.iloc[[0]]], ignore_index=True)
    failed = only_failure(validate_dataframe(doubled, RAW_SUITE, expectations))
    assert failed.expectation.startswith("expect_compound_columns_to_be_unique(")
    assert failed.unexpected_count == 2


def test_raw_empty_table_fails_row_count() -> None:
    empty = raw_frame().iloc[0:0]
    failed = only_failure(validate_dataframe(empty, RAW_SUITE, raw_expectations(CONTRACT)))
    assert failed.expectation == "expect_table_row_count_to_be_between(min=1)"
    assert failed.unexpected_count == 0
    assert failed.examples == []


def test_raw_examples_are_capped_and_several_faults_reported_separately() -> None:
    bad = [raw_row(region_key=f"15{i:03d}", value=-1.0) for i in range(EXAMPLE_LIMIT + 2)]
    outcomes = validate_dataframe(raw_frame(*bad), RAW_SUITE, raw_expectations(CONTRACT))
    failed = failures(outcomes)
    assert [outcome.expectation.split("(")[0] for outcome in failed] == [
        "expect_column_values_to_be_between",  # negative count
        "expect_column_values_to_match_regex",  # Land 15
    ]
    for outcome in failed:
        assert outcome.unexpected_count == len(bad)
        assert outcome.examples == bad[:EXAMPLE_LIMIT]


def test_raw_from_duckdb_roundtrip() -> None:
    """The real caller path: DuckDB -> .df() (pandas 3 str / Int32 dtypes, NULL -> NaN/NA)."""
    con = duckdb.connect()
    con.register("frame", raw_frame(raw_row(region_key="15001", period_year=2014)))
    con.execute(
        "CREATE TABLE raw_t AS SELECT * REPLACE (period_year::INTEGER AS period_year) FROM frame"
    )
    df = con.sql("SELECT * FROM raw_t").df()
    outcomes = validate_dataframe(df, RAW_SUITE, raw_expectations(CONTRACT))
    failed = {outcome.expectation: outcome for outcome in failures(outcomes)}
    assert set(failed) == {
        "expect_column_values_to_match_regex(region_key, regex='^(?:16)(?:\\d{3})?$')",
        "expect_column_values_to_be_between(period_year, min=2015, max=2024)",
    }
    for outcome in failed.values():
        assert outcome.unexpected_count == 1
        assert outcome.examples[0]["region_key"] == "15001"
        assert outcome.examples[0]["period_year"] == 2014
        assert outcome.examples[0]["value_status"] is None
    json.dumps([outcome.examples for outcome in outcomes])


# ------------------------------------------------------------------------------------------
# marts.fct_indicator_value
# ------------------------------------------------------------------------------------------


def test_indicator_valid_frame_passes() -> None:
    outcomes = validate_dataframe(indicator_frame(), MART_SUITE, indicator_expectations())
    assert failures(outcomes) == []


@pytest.mark.parametrize(
    ("bad_row", "expectation"),
    [
        pytest.param(
            indicator_row(region_key="16054", value=104.0, numerator=None, denominator=None),
            "expect_column_values_to_be_between(value, min=0, max=100, where unit == 'Prozent')",
            id="rate-above-100",
        ),
        pytest.param(
            indicator_row(region_key="16054", value=-0.5, numerator=None, denominator=None),
            "expect_column_values_to_be_between(value, min=0, max=100, where unit == 'Prozent')",
            id="negative-rate",
        ),
        pytest.param(
            indicator_row(region_key="16054", value=50.0, numerator=30.0, denominator=20.0),
            "expect_column_pair_values_a_to_be_greater_than_b(denominator, numerator, "
            "or_equal=True, ignore_row_if='either_value_is_missing', where unit == 'Prozent')",
            id="numerator-above-denominator",
        ),
        pytest.param(
            indicator_row(
                indicator_id="population",
                region_key="16054",
                value=0.0,
                numerator=None,
                denominator=None,
                unit="Anzahl",
            ),
            "expect_column_values_to_be_between(value, min=0, strict_min=True, "
            "where indicator_id == 'population')",
            id="population-zero",
        ),
        pytest.param(
            indicator_row(period=None),
            "expect_column_values_to_not_be_null(period)",
            id="null-period",
        ),
    ],
)
def test_indicator_single_fault(bad_row: dict, expectation: str) -> None:
    outcomes = validate_dataframe(indicator_frame(bad_row), MART_SUITE, indicator_expectations())
    failed = only_failure(outcomes)
    assert failed.expectation == expectation
    assert failed.unexpected_count == 1
    assert len(failed.examples) == 1
    example = failed.examples[0]
    assert example["region_key"] == bad_row["region_key"]
    assert example["value"] == bad_row["value"]
    assert example["gebietsstand"] == "2024-12-31T00:00:00"  # JSON-friendly
    json.dumps(failed.examples)


def test_indicator_duplicate_key() -> None:
    frame = indicator_frame(indicator_row(value=8.0, numerator=16.0))
    failed = only_failure(validate_dataframe(frame, MART_SUITE, indicator_expectations()))
    assert failed.expectation == (
        "expect_compound_columns_to_be_unique(['indicator_id', 'region_key', 'period'], "
        "ignore_row_if='never')"
    )
    assert failed.unexpected_count == 2
    assert [example["value"] for example in failed.examples] == [7.5, 8.0]


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
    outcomes = validate_dataframe(df, "adhoc", expectations)
    assert [outcome.expectation for outcome in outcomes] == [
        "expect_column_values_to_not_be_null(b)",
        "expect_column_values_to_be_between(a, max=100)",
        "expect_table_row_count_to_be_between(min=1, max=3)",
    ]
    assert [outcome.passed for outcome in outcomes] == [False, False, True]
    assert outcomes[0].examples == [{"a": 300, "b": None}]
    assert outcomes[1].examples == [{"a": 300, "b": None}]


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
    assert (
        describe_expectation(
            {"type": "expect_column_values_to_be_between", "column": "value", "min_value": 0}
        )
        == "expect_column_values_to_be_between(value, min=0)"
    )
