"""What great-expectations checks before a release is published, and why only that.

Every promise is proved once, by the layer that sees it first:

layer            | promises it proves
-----------------|----------------------------------------------------------------------
contract checks  | per delivery (`pipelines/conform.py`): statistic, region variable and
at ingest        | key format, variables and attributes, measures and units, allowed
(conform)        | special signs, periods in `period_range`, one row per key
                 | (`contract_problems`); the Land row is the sum of its regions
                 | (`land_total_problems`); counts are whole numbers, values lie in their
                 | `plausible_range`, so no negative count (`value_problems`); keys are
                 | regions of the territory, every region of a period is there
                 | (`unknown_region_problems`, `missing_region_problems`,
                 | `source_gap_problems`)
dbt tests        | small-area counts arrive suppressed (source tests on the city tables);
                 | fct_indicator_value: keys not null, one row per indicator, region and
                 | period, indicator and region exist, accepted signs, a value exactly
                 | where no sign (`value_or_status`), rates 0-100, population > 0,
                 | numerator <= denominator, plausible values and changes, every region
                 | every period (`dbt_project/models/marts/_marts.yml`, `dbt_project/tests`)
GX `raw_suite`   | raw.<source>: every row carries its lineage (file name, sha256 of 64
                 | hex digits, release, ingested_at) and the contract's table code; a
                 | value exactly where no special sign replaced it; exactly the current
                 | row per key of raw_history.<source>; rows at all when the source has
                 | a bundled sample. One frame for all raw tables, one validation
GX `register_    | meta.source_file: each file's rows as raw_history holds them and its
suite`           | current rows as raw holds them (every file registered); licence and
                 | attribution
GX `indicator_   | fct_indicator_value: this release and Gebietsstand on every row; every
suite`           | row's files registered with licence and attribution; value = numerator
                 | / denominator x multiplier (counts: numerator x multiplier); no
                 | Gemeinde or Sozialraum count of 1 or 2 in value, numerator, denominator

A promise the contract checks or dbt prove does not come back here: add it to its layer.

GX never sees a large table. DuckDB computes a small summary frame (one row per delivered
file, per indicator and period) with the lineage values and, per promise, how many rows
break it; GX validates that frame. Where a count must be 0, the failure's examples are the
offending rows themselves, selected in SQL (`Suite.examples`), and the count is of rows.
raw and raw_history are compared per file by row count and a sum of row hashes (streamed,
8 bytes a row); only a failure looks for the rows that differ.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from pipelines.audit.expectations import EXAMPLE_LIMIT, ExpectationOutcome, validate_dataframe

if TYPE_CHECKING:
    import duckdb

    from pipelines.contracts import Contract

SHA256 = r"^[0-9a-f]{64}$"
TEXT = r"\S"  # not empty, not only blanks
RELATIVE_TOLERANCE = 1e-9
"""How far a stored value may lie from numerator / denominator x multiplier (doubles)."""


@dataclass(frozen=True)
class Suite:
    """A table's promises: the summary GX validates and the rows behind each count."""

    table: str
    """The published table, e.g. "raw.population_age"."""
    summary: str
    """SQL of the small frame GX validates."""
    grain: str
    """What one summary row stands for, e.g. "files"."""
    expectations: list[dict[str, Any]]
    examples: dict[str, str] = field(default_factory=dict)
    """Column of the summary -> SQL selecting the table's rows behind a failure of it."""


def _zero(column: str, description: str) -> dict[str, Any]:
    return {
        "type": "expect_column_values_to_be_between",
        "column": column,
        "min_value": 0,
        "max_value": 0,
        "description": description,
    }


def _not_null(column: str, description: str) -> dict[str, Any]:
    return {
        "type": "expect_column_values_to_not_be_null",
        "column": column,
        "description": description,
    }


def _matches(column: str, regex: str, description: str) -> dict[str, Any]:
    return {
        "type": "expect_column_values_to_match_regex",
        "column": column,
        "regex": regex,
        "description": description,
    }


def _one_of(column: str, values: list[Any], description: str) -> dict[str, Any]:
    return {
        "type": "expect_column_values_to_be_in_set",
        "column": column,
        "value_set": values,
        "description": description,
    }


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _sql_text(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


# --- raw.<source> ---------------------------------------------------------------------------

LINEAGE = ("_source_file", "_source_file_sha256", "_release", "_ingested_at", "table_code")
VALUE_AND_SIGN = "(value is null) = (value_status is not null)"
SHOWN = ("_source_file", "_source_line", "region_key", "period_year", "measure_code")
COMPARED = ("value", "value_status", "_source_line")
"""Besides keys and lineage, what raw must hold as raw_history's current row has it."""


def _current_rows(contract: Contract) -> tuple[str, str]:
    """The CTE `current` (raw_history's current row per key: its lineage and the hash `h`
    of the columns raw must hold) and the hash expression. One delivery: all its rows,
    streamed; several: the newest per key. Hashes keep the comparison to a few bytes a row,
    so a table of millions of rows never sits in memory."""
    history = f"raw_history.{contract.source}"
    keys = [_quote(k) for k in contract.key_columns]
    hashed = [*dict.fromkeys([*keys, *(_quote(c) for c in (*LINEAGE, *COMPARED))])]
    row_hash = f"hash({', '.join(hashed)})"
    of_x = f"hash({', '.join(f'x.{c}' for c in hashed)})"
    lineage = ", ".join(f"x.{c}" for c in LINEAGE)
    ctes = f"""deliveries as (select count(distinct _delivery_seq) as n from {history}),
        newest as (
            select max(_delivery_seq) as seq, arg_max({row_hash}, _delivery_seq) as h
            from {history} where (select n from deliveries) > 1
            group by {", ".join(keys)}
        ),
        current as (
            select {lineage}, {of_x} as h
            from {history} as x where (select n from deliveries) <= 1
            union all
            select {lineage}, newest.h from {history} as x
            join newest on x._delivery_seq = newest.seq and {of_x} = newest.h
        )"""
    return ctes, row_hash


def _file_summary(contract: Contract) -> tuple[str, dict[str, str]]:
    """raw.<source> per delivered file: lineage, rows, current rows in raw_history, whether
    raw holds exactly those, rows with a value and a sign (or neither); and per count column
    the SQL of the table's rows behind a failure."""
    raw, history = contract.raw_table, f"raw_history.{contract.source}"
    current, row_hash = _current_rows(contract)
    lineage = ", ".join(LINEAGE)
    same = " and ".join(f"s.{c} is not distinct from c.{c}" for c in LINEAGE)
    summary = f"""with {current},
        current_files as (
            select {lineage}, count(*) as rows, sum(h::hugeint) as checksum
            from current group by all
        ),
        stored_files as (
            select {lineage}, count(*) as rows, sum({row_hash}::hugeint) as checksum,
                count(*) filter (
                    where not coalesce({VALUE_AND_SIGN}, false)
                ) as value_and_sign_disagree
            from {raw} group by all
        )
        select {_sql_text(contract.source)} as source,
            {", ".join(f"coalesce(s.{c}, c.{c}) as {c}" for c in LINEAGE)},
            coalesce(s.rows, 0) as rows,
            coalesce(c.rows, 0) as current_rows,
            coalesce(s.checksum = c.checksum, false) as same_rows,
            coalesce(s.value_and_sign_disagree, 0) as value_and_sign_disagree
        from stored_files as s full join current_files as c on {same}"""
    shown = ", ".join(dict.fromkeys([*SHOWN, *contract.key_columns, "value", "value_status"]))
    examples = {
        "value_and_sign_disagree": (
            f"select {shown}, _source_file_sha256 from {raw} "
            f"where not coalesce({VALUE_AND_SIGN}, false) order by _source_file, _source_line"
        ),
        "same_rows": f"""with {current},
            stored as (select {row_hash} as h from {raw}),
            extra as (
                select h from stored except all select h from current limit {EXAMPLE_LIMIT}
            ),
            missing as (
                select h from current except all select h from stored limit {EXAMPLE_LIMIT}
            )
            select 'in raw, not the current row of raw_history' as problem, {shown}
            from {raw} where {row_hash} in (select h from extra)
            union all
            select 'current in raw_history, not in raw', {shown}
            from {history} where {row_hash} in (select h from missing)""",
    }
    return summary, examples


def raw_suite(contracts: list[Contract], release: str | None = None) -> Suite:
    """Every raw.<source> of `contracts` as ingested by this refresh (`release`: the run's,
    None: any) in one frame of one row per source and file, so GX validates all raw tables
    at once (its cost is per expectation, not per row); `validate_raw_tables` tells the
    outcome per table. A source with a bundled sample and no file gets one row without
    lineage (`has_files` false)."""
    files = " union all ".join(f"select * from ({_file_summary(c)[0]})" for c in contracts)
    declared = ", ".join(
        f"({_sql_text(c.source)}, {_sql_text(c.table_code)}, {bool(c.sample_files)})"
        for c in contracts
    )
    summary = f"""with files as ({files}),
        contract(source, contract_table_code, has_sample) as (values {declared})
        select c.source, c.contract_table_code, f.* exclude (source),
            f.source is not null as has_files
        from contract as c left join files as f on f.source = c.source
        where f.source is not null or c.has_sample
        order by c.source, f._source_file, f._source_file_sha256"""
    expectations: list[dict[str, Any]] = [
        _one_of("has_files", [True], "a source with a bundled sample holds at least one file"),
        _not_null("_source_file", "every row names the file it came from"),
        _matches("_source_file", TEXT, "every row names the file it came from"),
        _not_null("_source_file_sha256", "every row carries its file's sha256"),
        _matches("_source_file_sha256", SHA256, "a sha256 is 64 hex digits"),
        _not_null("_release", "every row carries the release that ingested it"),
    ]
    if release:
        expectations.append(_one_of("_release", [release], "ingested by this release"))
    expectations += [
        _not_null("_ingested_at", "every row carries when it was ingested"),
        _not_null("table_code", "every row carries the contract's table code"),
        {
            "type": "expect_column_pair_values_to_be_equal",
            "column_A": "table_code",
            "column_B": "contract_table_code",
            "ignore_row_if": "either_value_is_missing",
            "description": "the contract's table code",
        },
        _zero("value_and_sign_disagree", "a value exactly where no special sign replaced it"),
        {
            "type": "expect_column_pair_values_to_be_equal",
            "column_A": "rows",
            "column_B": "current_rows",
            "description": "raw holds as many rows of each file as raw_history has current",
        },
        _one_of("same_rows", [True], "raw holds exactly the current row per key of raw_history"),
    ]
    return Suite(table="raw", summary=summary, grain="files", expectations=expectations)


# --- meta.source_file -----------------------------------------------------------------------


def register_suite(contracts: list[Contract]) -> Suite:
    """meta.source_file's files of `contracts` against their raw tables (the refresh passes
    every contract: kept sources too)."""
    delivered = " union all ".join(
        f"select {_sql_text(c.source)} as source, _source_file as file_name, "
        f"_source_file_sha256 as file_sha256, count(*) as rows "
        f"from raw_history.{c.source} group by all"
        for c in contracts
    )
    stored = " union all ".join(
        f"select {_sql_text(c.source)} as source, _source_file_sha256 as file_sha256, "
        f"count(*) as rows from {c.raw_table} group by all"
        for c in contracts
    )
    sources = ", ".join(_sql_text(c.source) for c in contracts)
    summary = f"""with delivered as ({delivered}), stored as ({stored})
        select coalesce(m.source, d.source) as source,
            coalesce(m.file_name, d.file_name) as file_name,
            coalesce(m.file_sha256, d.file_sha256) as file_sha256,
            m.licence, m.attribution,
            -- doubles: GX compares a missing (NaN) count, not a pandas NA
            m.rows::double as registered_rows, coalesce(d.rows, 0)::double as delivered_rows,
            m.current_rows::double as registered_current_rows,
            coalesce(s.rows, 0)::double as current_rows
        from (select * from meta.source_file where source in ({sources})) as m
        full join delivered as d
            on d.source = m.source and d.file_sha256 = m.file_sha256
            and d.file_name = m.file_name
        left join stored as s
            on s.source = coalesce(m.source, d.source)
            and s.file_sha256 = coalesce(m.file_sha256, d.file_sha256)
        order by 1, 2"""
    pair = "expect_column_pair_values_to_be_equal"
    return Suite(
        table="meta.source_file",
        summary=summary,
        grain="files",
        expectations=[
            {
                "type": pair,
                "column_A": "registered_rows",
                "column_B": "delivered_rows",
                "ignore_row_if": "neither",
                "description": "each file's rows as raw_history holds them (every file registered)",
            },
            {
                "type": pair,
                "column_A": "registered_current_rows",
                "column_B": "current_rows",
                "ignore_row_if": "neither",
                "description": "each file's current rows as raw holds them",
            },
            _not_null("licence", "every file names its licence"),
            _matches("licence", TEXT, "every file names its licence"),
            _not_null("attribution", "every file carries the attribution its licence requires"),
            _matches(
                "attribution", TEXT, "every file carries the attribution its licence requires"
            ),
        ],
    )


# --- marts.fct_indicator_value --------------------------------------------------------------

FACT = "marts.fct_indicator_value"


def _small_count(column: str) -> str:
    """Is `column` a count of 1 or 2 (false for NULL)?"""
    return f"coalesce({column} > 0 and {column} < 3, false)"


# Each rule holds for a good row of the fact table (aliases: f fact, i dim_indicator,
# r dim_region, a the attributed files); NULL counts as broken.
RECOMPUTED = f"""f.value is null or abs(f.value - case
        when f.denominator is null then f.numerator * i.multiplier
        else f.numerator / f.denominator * i.multiplier
    end) <= {RELATIVE_TOLERANCE} * greatest(1, abs(f.value))"""
NO_SMALL_COUNT = f"""r.level not in ('gemeinde', 'sozialraum')
    or (not (f.unit = 'Anzahl' and {_small_count("f.value")})
        -- a change (pop_change_*) is no count and may be small
        and not (i.numerator not like 'pop_change_%' and {_small_count("f.numerator")})
        and not {_small_count("f.denominator")})"""
ATTRIBUTED = """trim(f.source_file_sha256) <> ''
    and list_has_all(a.files, string_split(trim(f.source_file_sha256), ' '))"""
FACT_RULES = {
    "values_not_recomputed": RECOMPUTED,
    "small_area_counts_below_3": NO_SMALL_COUNT,
    "rows_without_attribution": ATTRIBUTED,
}
RULES = FACT_RULES.items()
FACT_ROWS = f"""with attributed as (
        select coalesce(list(file_sha256), []) as files from meta.source_file
        where regexp_matches(licence, '{TEXT}') and regexp_matches(attribution, '{TEXT}')
    ),
    fact as (
        select f.*, r.level, i.multiplier, i.numerator as numerator_measure,
            {", ".join(f"coalesce({rule}, false) as {name}_ok" for name, rule in RULES)}
        from {FACT} as f
        left join marts.dim_indicator as i using (indicator_id)
        left join marts.dim_region as r using (region_key)
        cross join attributed as a
    )"""
FACT_SHOWN = (
    "indicator_id, region_key, level, period, value, numerator, denominator, multiplier, "
    "numerator_measure, unit, value_status, source_file_sha256, release, gebietsstand"
)


def indicator_suite(release: str | None = None, gebietsstand: str | None = None) -> Suite:
    """marts.fct_indicator_value as this refresh built it (`release`, `gebietsstand`: the
    run's; None: any, but stamped)."""
    counts = ", ".join(f"count(*) filter (where not {name}_ok) as {name}" for name in FACT_RULES)
    summary = f"""{FACT_ROWS}
        select indicator_id, period, release, cast(gebietsstand as varchar) as gebietsstand,
            count(*) as rows, {counts}
        from fact group by all order by all"""
    expectations = [_not_null("release", "every row names the release that published it")]
    if release:
        expectations.append(_one_of("release", [release], "published by this release"))
    expectations.append(_not_null("gebietsstand", "every row names its Gebietsstand"))
    if gebietsstand:
        expectations.append(_one_of("gebietsstand", [gebietsstand], "this refresh's Gebietsstand"))
    expectations += [
        _zero("values_not_recomputed", "value = numerator / denominator x multiplier"),
        _zero("small_area_counts_below_3", "no Gemeinde or Sozialraum count of 1 or 2"),
        _zero(
            "rows_without_attribution", "every row's files registered with licence and attribution"
        ),
    ]
    return Suite(
        table=FACT,
        summary=summary,
        grain="indicator-periods",
        expectations=expectations,
        examples={
            name: f"{FACT_ROWS} select {FACT_SHOWN} from fact where not {name}_ok order by all"
            for name in FACT_RULES
        },
    )


# --- validation -----------------------------------------------------------------------------


def validate_suite(con: duckdb.DuckDBPyConnection, suite: Suite) -> list[ExpectationOutcome]:
    """Summarise the table in DuckDB, validate the summary with GX. A failed expectation on a
    column with example SQL shows the table's offending rows; a failed count says how many
    rows of the table, other failures how many summary rows (`Suite.grain`)."""
    import pandas as pd

    frame = con.execute(suite.summary).df()
    outcomes = validate_dataframe(frame, suite.table, suite.expectations)
    result = []
    for spec, outcome in zip(suite.expectations, outcomes, strict=True):
        column = spec.get("column")
        failed = not outcome.passed and not outcome.error
        if failed and column in suite.examples:
            outcome = replace(outcome, examples=_sql_examples(con, suite.examples[column]))
            if pd.api.types.is_integer_dtype(frame[column]):  # a count of the table's rows
                result.append(replace(outcome, unexpected_count=int(frame[column].sum())))
                continue
        result.append(replace(outcome, unit=suite.grain) if failed else outcome)
    return result


HAS_FILES = "expect_column_values_to_be_in_set(has_files"
ROW_COUNTS = ("value_and_sign_disagree",)
"""Columns of the raw summary that count a file's rows (the rest: one value per file)."""


def validate_raw_tables(
    con: duckdb.DuckDBPyConnection, contracts: list[Contract], release: str | None = None
) -> dict[str, list[ExpectationOutcome]]:
    """The raw suite of every contract's raw table, validated in one GX run; the outcomes per
    source, as `validate_suite` gives them for one table. A sample source without any file
    fails only for that: it has nothing else to check."""
    suite = raw_suite(contracts, release)
    frame = con.execute(suite.summary).df()
    outcomes = validate_dataframe(frame, suite.table, suite.expectations, every_row=True)
    result = {}
    for contract in contracts:
        mine = set(frame.index[frame["source"] == contract.source])
        examples_sql = _file_summary(contract)[1]
        told = []
        for spec, outcome in zip(suite.expectations, outcomes, strict=True):
            rows = [p for p in outcome.unexpected_rows if p in mine]
            base = replace(outcome, suite=contract.raw_table, unexpected_rows=())
            if outcome.error:
                told.append(base)
            elif not rows:
                told.append(replace(base, passed=True, unexpected_count=0, examples=[]))
            elif spec.get("column") == "has_files":
                told.append(replace(base, unexpected_count=1, examples=[], unit="sources"))
            elif spec.get("column") in examples_sql:
                column = spec["column"]
                examples = _sql_examples(con, examples_sql[column])
                counted = column in ROW_COUNTS
                count = int(frame.loc[rows, column].sum()) if counted else len(rows)
                unit = "rows" if counted else suite.grain
                told.append(replace(base, unexpected_count=count, examples=examples, unit=unit))
            else:
                shown = frame.loc[rows[:EXAMPLE_LIMIT]].to_dict(orient="records")
                examples = [_row(record) for record in shown]
                told.append(
                    replace(base, unexpected_count=len(rows), examples=examples, unit=suite.grain)
                )
        if any(not o.passed and o.expectation.startswith(HAS_FILES) for o in told):
            told = [o if o.expectation.startswith(HAS_FILES) else _passed(o) for o in told]
        result[contract.source] = told
    return result


def _passed(outcome: ExpectationOutcome) -> ExpectationOutcome:
    return replace(outcome, passed=True, unexpected_count=0, examples=[], error=None)


def _sql_examples(con: duckdb.DuckDBPyConnection, sql: str) -> list[dict[str, Any]]:
    """The first EXAMPLE_LIMIT rows of `sql`: the table's rows behind a failed count."""
    found = con.execute(f"{sql} limit {EXAMPLE_LIMIT}").df()
    return [_row(record) for record in found.to_dict(orient="records")]


def _row(record: dict[str, Any]) -> dict[str, Any]:
    from pipelines.audit.expectations import jsonable

    return {str(key): jsonable(value) for key, value in record.items()}
