"""Run Great Expectations on pandas DataFrames and report failures with example rows.

Why pandas and not GX's SQL datasource: GX 1.24's SQL datasource returns wrong results on
DuckDB. The frames are small: `pipelines.audit.suites` lets DuckDB summarise a table (one row
per file, per indicator and period) and GX validates the summary; which promises GX checks
at all, and which the contract checks and dbt prove instead, is written down there.

Why the lazy imports: `import great_expectations` takes seconds, and this module is imported
whenever Dagster loads the code location. GX is imported inside the functions that need it,
and the GX context (ephemeral: nothing is written to disk) is built once per process.

Expectations are plain dicts: the snake_case GX expectation name under "type" plus the
expectation's keyword arguments, e.g.
``{"type": "expect_column_values_to_not_be_null", "column": "region_key"}``. They are cheap to
build, readable in logs and reports, and need no GX import until they are validated.

Row conditions: since GX 1.9 a string ``row_condition`` with ``condition_parser`` is deprecated
in favour of Condition objects. This module accepts

* a Condition dict as GX serialises it (what the suite builders below produce), e.g.
  ``{"type": "comparison", "column": {"name": "unit"}, "operator": "==", "parameter": "Prozent"}``
  or ``{"type": "nullity", "column": {"name": "value_status"}, "is_null": True}``;
* a pandas query string, optionally with ``"condition_parser": "pandas"``; it is passed to
  ``DataFrame.query`` unchanged (GX's ``PassThroughCondition``), without deprecation warnings;
* a GX Condition object.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
import numbers
import os
import threading
import time
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd
    from great_expectations.core.batch_definition import BatchDefinition
    from great_expectations.expectations import Expectation

# Must be set before great_expectations is imported anywhere in the process. (The 1.24.1 wheel
# in this venv ships no analytics module at all; the variable only appears in a docstring. We
# set it anyway so an upgrade that brings telemetry back stays silent.)
os.environ["GX_ANALYTICS_ENABLED"] = "False"

logger = logging.getLogger(__name__)

EXAMPLE_LIMIT = 5
"""How many failing rows an outcome carries: enough to see the pattern, small enough to log."""

_META_KEY = "audit_index"
_RESULT_FORMAT = {"result_format": "SUMMARY", "partial_unexpected_count": EXAMPLE_LIMIT}
_EVERY_ROW_FORMAT = {"result_format": "COMPLETE", "partial_unexpected_count": EXAMPLE_LIMIT}

_lock = threading.Lock()
_batch_definition_cache: BatchDefinition | None = None
# All validations share one datasource whose cached execution engine keys the batch by a fixed
# id ("audit_pandas-audit_dataframe"): two threads validating at once could read each other's
# DataFrame. A validation takes a fraction of a second, so we simply run them one at a time.
_validate_lock = threading.Lock()


@dataclass(frozen=True)
class ExpectationOutcome:
    """Result of one expectation on one DataFrame, small enough to log and store as JSON."""

    suite: str
    """Which table was checked, e.g. "raw.population_age" or "marts.fct_indicator_value"."""
    expectation: str
    """Readable name with kwargs, e.g. "expect_column_values_to_be_between(value, min=0)"."""
    passed: bool
    unexpected_count: int
    """Rows that broke the expectation (0 for table-level expectations such as row counts)."""
    examples: list[dict]
    """Up to EXAMPLE_LIMIT failing rows, full rows with JSON-friendly values."""
    error: str | None = None
    """Set when GX could not evaluate the expectation (e.g. a missing column): a failure too."""
    description: str = ""
    """What the expectation promises, in words (the spec's "description")."""
    unit: str = "rows"
    """What unexpected_count counts: rows of the frame, or of the table it summarises."""
    unexpected_rows: tuple[int, ...] = ()
    """Positions of every failing row of the frame (only when validated with `every_row`), so
    one validation of a frame that summarises many tables can be told per table."""


# --------------------------------------------------------------------------------------------
# GX context (built once per process)
# --------------------------------------------------------------------------------------------


def _quiet_gx_logging() -> None:
    """GX logs chatty INFO lines; keep them out of Dagster's logs.

    Setting the "great_expectations" logger is not enough: some GX modules pin their own logger
    to INFO at import (data_context.types.base announces a temporary docs directory for every
    ephemeral context), so every already-imported GX logger below WARNING is raised too.
    """
    logging.getLogger("great_expectations").setLevel(logging.WARNING)
    for name, gx_logger in list(logging.root.manager.loggerDict.items()):
        if (
            name.startswith("great_expectations.")
            and isinstance(gx_logger, logging.Logger)
            and logging.NOTSET < gx_logger.level < logging.WARNING
        ):
            gx_logger.setLevel(logging.WARNING)


def _get_batch_definition() -> BatchDefinition:
    """One ephemeral context + pandas datasource per process: building them costs seconds."""
    global _batch_definition_cache
    with _lock:
        if _batch_definition_cache is None:
            started = time.perf_counter()
            os.environ["GX_ANALYTICS_ENABLED"] = "False"
            _quiet_gx_logging()  # before the import: GX logs INFO lines while importing
            with _gx_warnings_silenced():  # GX imports deprecated stdlib modules (sre_parse)
                import great_expectations as gx
                from great_expectations.data_context.types.base import ProgressBarsConfig
            _quiet_gx_logging()  # after: catches the loggers GX pins to INFO at import

            context = gx.get_context(mode="ephemeral")
            # tqdm progress bars on stderr are noise in Dagster runs and pytest output.
            context.variables.progress_bars = ProgressBarsConfig(
                globally=False, metric_calculations=False
            )
            context.enable_analytics(False)
            source = context.data_sources.add_pandas(name="audit_pandas")
            asset = source.add_dataframe_asset(name="audit_dataframe")
            _batch_definition_cache = asset.add_batch_definition_whole_dataframe(
                name="whole_dataframe"
            )
            logger.debug("GX context ready in %.2f s", time.perf_counter() - started)
        return _batch_definition_cache


@contextmanager
def _gx_warnings_silenced() -> Iterator[None]:
    """Hide GX's Deprecation/Future warnings: none of them is actionable in a pipeline run.

    GX 1.24 imports the deprecated stdlib modules sre_constants/sre_parse and warns about its
    own deprecations (string row conditions). No warnings were seen during validation with
    pandas 3.1 in our tests; the filter is there so a GX/pandas bump does not flood run logs.
    """
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", category=DeprecationWarning)
        warnings.filterwarnings("ignore", category=FutureWarning)
        warnings.filterwarnings("ignore", category=UserWarning, module=r"great_expectations")
        yield


# --------------------------------------------------------------------------------------------
# dict -> GX Expectation
# --------------------------------------------------------------------------------------------


def _class_name(expectation_type: str) -> str:
    """expect_column_pair_values_a_to_be_greater_than_b -> ExpectColumnPairValuesAToBeGreaterThanB

    (GX keeps the CamelCase classes in great_expectations.expectations.)
    """
    return "".join(part[:1].upper() + part[1:] for part in expectation_type.split("_"))


def _expectation_class(expectation_type: str) -> type[Expectation]:
    import great_expectations.expectations as gxe
    from great_expectations.expectations.expectation import Expectation as GxExpectation

    cls = getattr(gxe, _class_name(expectation_type), None)
    if isinstance(cls, type) and issubclass(cls, GxExpectation):
        return cls
    from great_expectations.expectations.registry import get_expectation_impl

    try:
        return get_expectation_impl(expectation_type)
    except Exception as exc:  # GX raises its own ExpectationNotFoundError
        raise ValueError(f"unknown expectation type {expectation_type!r}") from exc


def _row_condition(value: Any, parser: str | None) -> Any:
    """Translate our row_condition forms into what GX 1.24 wants (see module docstring)."""
    from great_expectations.expectations.row_conditions import (
        PassThroughCondition,
        deserialize_row_condition,
    )

    if isinstance(value, str):
        if parser in (None, "pandas"):
            return PassThroughCondition(pass_through_filter=value)
        raise ValueError(
            f"condition_parser {parser!r} is not supported here; use a Condition dict or a "
            "pandas query string"
        )
    if isinstance(value, dict):
        return deserialize_row_condition(value)
    return value


def _build_expectation(spec: dict[str, Any], index: int) -> Expectation:
    if "type" not in spec:
        raise ValueError(f"expectation without 'type': {spec!r}")
    kwargs = {key: value for key, value in spec.items() if key != "type"}
    parser = kwargs.pop("condition_parser", None)
    if kwargs.get("row_condition") is not None:
        kwargs["row_condition"] = _row_condition(kwargs["row_condition"], parser)
    # The index lets us pair GX's results with our specs regardless of the order GX returns.
    kwargs["meta"] = {**(kwargs.get("meta") or {}), _META_KEY: index}
    cls = _expectation_class(spec["type"])
    try:
        return cls(**kwargs)
    except Exception as exc:  # pydantic validation error: a programming error in the suite
        raise ValueError(f"invalid expectation {describe_expectation(spec)}: {exc}") from exc


# --------------------------------------------------------------------------------------------
# readable names
# --------------------------------------------------------------------------------------------

_POSITIONAL = ("column", "column_A", "column_B", "column_list")
_ALIASES = {"min_value": "min", "max_value": "max"}
_HIDDEN = {"type", "row_condition", "condition_parser", "meta", "notes", "description"}


def _fmt(value: Any) -> str:
    if isinstance(value, str):
        return f"'{value}'"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_fmt(item) for item in value) + "]"
    return str(value)


def _describe_condition(condition: Any) -> str:
    if isinstance(condition, str):
        return condition
    if not isinstance(condition, dict):
        return repr(condition)  # a GX Condition object has a readable repr
    kind = condition.get("type")
    if kind == "comparison":
        column = condition["column"]["name"]
        operator = str(condition["operator"])
        if operator in ("IN", "NOT_IN"):
            word = "in" if operator == "IN" else "not in"
            return f"{column} {word} {_fmt(list(condition['parameter']))}"
        return f"{column} {operator} {_fmt(condition['parameter'])}"
    if kind == "nullity":
        column = condition["column"]["name"]
        return f"{column} is null" if condition["is_null"] else f"{column} is not null"
    if kind in ("and", "or"):
        parts = [_describe_condition(part) for part in condition["conditions"]]
        return "(" + f" {kind} ".join(parts) + ")"
    if kind == "pass_through":
        return str(condition["pass_through_filter"])
    return repr(condition)


def describe_expectation(spec: dict[str, Any]) -> str:
    """Readable one-line name: type(columns, kwargs..., where condition)."""
    args = []
    for key in _POSITIONAL:
        if key in spec:
            value = spec[key]
            args.append(_fmt(list(value)) if key == "column_list" else str(value))
    for key, value in spec.items():
        if key in _HIDDEN or key in _POSITIONAL:
            continue
        args.append(f"{_ALIASES.get(key, key)}={_fmt(value)}")
    if spec.get("row_condition") is not None:
        args.append(f"where {_describe_condition(spec['row_condition'])}")
    return f"{spec.get('type', '?')}({', '.join(args)})"


# --------------------------------------------------------------------------------------------
# validation
# --------------------------------------------------------------------------------------------


def jsonable(value: Any) -> Any:
    """Make one cell JSON-friendly: NaN/NA/NaT -> None, numpy scalars -> Python, dates -> ISO."""
    import pandas as pd

    if value is None:
        return None
    if isinstance(value, list | tuple):
        return [jsonable(item) for item in value]
    if isinstance(value, dict):
        return {str(key): jsonable(item) for key, item in value.items()}
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):  # arrays and other non-scalars
        pass
    if type(value).__module__ == "numpy" and hasattr(value, "item"):
        value = value.item()
    if isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, dt.datetime | dt.date | dt.time):  # includes pd.Timestamp
        return value.isoformat()
    if isinstance(value, pd.Timedelta | dt.timedelta):
        return str(value)
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, bytes):
        return value.hex()
    return str(value)


def _error_message(exception_info: Any) -> str | None:
    """GX reports exceptions either flat or keyed by metric; return the first message."""
    if not isinstance(exception_info, dict):
        return None
    if "raised_exception" in exception_info:
        if exception_info.get("raised_exception"):
            return str(exception_info.get("exception_message") or "exception in GX")
        return None
    for info in exception_info.values():
        message = _error_message(info)
        if message:
            return message
    return None


def _positions(frame: pd.DataFrame, indexes: Any) -> list[int]:
    return [
        int(position)
        for position in indexes or []
        if isinstance(position, numbers.Integral) and 0 <= position < len(frame)
    ]


def _examples(frame: pd.DataFrame, result: dict[str, Any]) -> list[dict]:
    # Index labels of the RangeIndex frame (ints, possibly numpy ints); dicts would only appear
    # with unexpected_index_column_names, which we do not set.
    positions = _positions(frame, result.get("partial_unexpected_index_list"))[:EXAMPLE_LIMIT]
    rows = frame.iloc[positions].to_dict(orient="records")
    return [{str(key): jsonable(value) for key, value in row.items()} for row in rows]


def validate_dataframe(
    df: pd.DataFrame, suite: str, expectations: list[dict], every_row: bool = False
) -> list[ExpectationOutcome]:
    """Validate df against expectation dicts; one outcome per dict, in the same order.

    expectations: dicts like
    {"type": "expect_column_values_to_not_be_null", "column": "region_key"},
    {"type": "expect_column_values_to_be_between", "column": "value", "min_value": 0,
    "max_value": 100, "row_condition": ...},
    {"type": "expect_column_pair_values_a_to_be_greater_than_b", "column_A": "denominator",
    "column_B": "numerator", "or_equal": True, "ignore_row_if": "either_value_is_missing"},
    {"type": "expect_compound_columns_to_be_unique", "column_list": [...]},
    {"type": "expect_column_values_to_match_regex", ...},
    {"type": "expect_table_row_count_to_be_between", ...}: the snake_case GX expectation name
    plus its kwargs, mapped generically to the GX class. An invalid dict (unknown type, bad
    kwargs) raises ValueError, because that is a bug in the suite; a data problem GX cannot
    evaluate (e.g. a missing column) becomes a failed outcome with `error` set. `every_row`:
    each outcome lists the positions of all its failing rows (`unexpected_rows`).
    """
    if not expectations:
        return []
    started = time.perf_counter()
    batch_definition = _get_batch_definition()
    from great_expectations import ExpectationSuite

    built = [_build_expectation(spec, index) for index, spec in enumerate(expectations)]
    # Positional index == label, so GX's unexpected index list addresses rows with iloc.
    frame = df.reset_index(drop=True)
    with _validate_lock, _gx_warnings_silenced():
        batch = batch_definition.get_batch(batch_parameters={"dataframe": frame})
        gx_suite = ExpectationSuite(name=suite, expectations=built)
        validation = batch.validate(
            gx_suite, result_format=_EVERY_ROW_FORMAT if every_row else _RESULT_FORMAT
        )

    by_index = {
        result.expectation_config.meta.get(_META_KEY): result for result in validation.results
    }
    outcomes = []
    for index, spec in enumerate(expectations):
        result = by_index.get(index)
        if result is None:
            raise RuntimeError(f"GX returned no result for {describe_expectation(spec)}")
        details = result.result or {}
        unexpected_count = int(details.get("unexpected_count") or 0)
        outcomes.append(
            ExpectationOutcome(
                suite=suite,
                expectation=describe_expectation(spec),
                passed=bool(result.success),
                unexpected_count=unexpected_count,
                examples=_examples(frame, details) if unexpected_count else [],
                error=_error_message(result.exception_info),
                description=str(spec.get("description") or ""),
                unexpected_rows=tuple(_positions(frame, details.get("unexpected_index_list"))),
            )
        )
    failed = sum(not outcome.passed for outcome in outcomes)
    logger.debug(
        "suite %s: %d expectations on %d rows, %d failed, %.2f s",
        suite,
        len(outcomes),
        len(frame),
        failed,
        time.perf_counter() - started,
    )
    return outcomes
