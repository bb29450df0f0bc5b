"""Audit of the curated marts with great-expectations (dbt tests run inside `dbt build`)."""

import dagster as dg

from pipelines.assets.checks import gx_suite_check


def _indicator_expectations() -> list[dict]:
    from pipelines.audit.expectations import indicator_expectations

    return indicator_expectations()


MART_CHECKS = [
    gx_suite_check(
        dg.AssetKey(["marts", "fct_indicator_value"]),
        "marts.fct_indicator_value",
        _indicator_expectations,
        "gx_indicator_suite",
    )
]
