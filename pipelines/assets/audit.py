"""GX gates on what is published beyond the raw tables: the provenance register and the
indicator values planners read (dbt tests run inside `dbt build`)."""

import dagster as dg

from pipelines.assets.checks import gx_suite_check
from pipelines.audit.suites import Suite
from pipelines.resources import WarehouseResource


def _indicator_suite(warehouse: WarehouseResource) -> Suite:
    from pipelines.audit.suites import indicator_suite

    return indicator_suite(release=warehouse.release, gebietsstand=warehouse.as_of)


def _register_suite(warehouse: WarehouseResource) -> Suite:
    from pipelines.audit.suites import register_suite
    from pipelines.contracts import load_contracts

    return register_suite(list(load_contracts().values()))


MART_CHECKS = [
    gx_suite_check(
        dg.AssetKey(["marts", "fct_indicator_value"]),
        "marts.fct_indicator_value",
        _indicator_suite,
        "gx_indicator_suite",
    ),
    gx_suite_check(
        dg.AssetKey(["meta", "source_file"]),
        "meta.source_file",
        _register_suite,
        "gx_register_suite",
    ),
]
