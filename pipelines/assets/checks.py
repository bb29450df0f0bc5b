"""Great-expectations suites as blocking Dagster asset checks.

DuckDB summarises the candidate's table into a small frame and GX validates it
(`pipelines.audit.suites`: which promises, and why only those). A failed check names the
expectation, the table and example rows.
"""

import contextlib
import ctypes
import gc
import json
from collections.abc import Callable

import dagster as dg
import duckdb

from pipelines.audit.suites import Suite
from pipelines.resources import WarehouseResource


def check_result(table: str, outcomes: list, **target) -> dg.AssetCheckResult:
    """One asset check result for a whole suite, failures spelled out in the description;
    `target` (asset_key, check_name, metadata) where one step runs several checks."""
    failed = [o for o in outcomes if not o.passed]
    lines = []
    for o in failed:
        unit = o.unit.removesuffix("s") if o.unexpected_count == 1 else o.unit
        cause = o.error or f"{o.unexpected_count} {unit}"
        promise = f" ({o.description})" if o.description else ""
        lines.append(f"{o.expectation} on {table}{promise}: {cause}")
        lines.extend(
            f"    e.g. {json.dumps(row, ensure_ascii=False, default=str)}" for row in o.examples[:3]
        )
    extra = target.pop("metadata", {})
    return dg.AssetCheckResult(
        passed=not failed,
        severity=dg.AssetCheckSeverity.ERROR,
        description="\n".join(lines) if failed else f"{len(outcomes)} expectations met",
        **target,
        metadata={
            **extra,
            "table": table,
            "expectations": len(outcomes),
            "failed": len(failed),
            "failures": dg.MetadataValue.json(
                [
                    {
                        "expectation": o.expectation,
                        "description": o.description,
                        "unexpected_count": o.unexpected_count,
                        "unit": o.unit,
                        "error": o.error,
                        "examples": o.examples,
                    }
                    for o in failed
                ]
            ),
        },
    )


def kept_result(table: str, release: str, **target) -> dg.AssetCheckResult:
    """A table kept unchanged from a published release passed its suite in that release."""
    extra = target.pop("metadata", {})
    return dg.AssetCheckResult(
        passed=True,
        description=f"{table} kept unchanged from release {release}, validated there",
        **target,
        metadata={**extra, "kept_from_release": release},
    )


def release_memory(collect: bool = False) -> None:
    """Give freed heap back to the system after a step that held a large DataFrame (glibc
    keeps it otherwise, and the refresh process would carry it into the dbt build); with
    `collect`, after a garbage collection (cycles left by Dagster and dbt)."""
    if collect:
        gc.collect()
    with contextlib.suppress(OSError, AttributeError):  # not glibc: nothing to do
        ctypes.CDLL("libc.so.6").malloc_trim(0)


def gx_suite_check(
    asset_key: dg.AssetKey,
    table: str,
    suite: Callable[[WarehouseResource], Suite],
    name: str,
    kept: Callable[[WarehouseResource], str | None] | None = None,
) -> dg.AssetChecksDefinition:
    """A blocking asset check that validates `table` of the candidate with a GX suite.

    `suite` builds the suite for this run (its release, its Gebietsstand); `kept` names the
    release a table was kept from unchanged: it passed the suite there.
    """

    @dg.asset_check(
        asset=asset_key,
        name=name,
        blocking=True,
        description=f"great-expectations suite on {table}",
    )
    def _check(warehouse: WarehouseResource) -> dg.AssetCheckResult:
        release = kept(warehouse) if kept else None
        if release:
            return kept_result(table, release)
        from pipelines.audit.suites import validate_suite

        with duckdb.connect(str(warehouse.candidate), read_only=True) as con:
            outcomes = validate_suite(con, suite(warehouse))
        return check_result(table, outcomes)

    return _check
