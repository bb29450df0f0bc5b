"""The Dagster code location: ingest → dbt models → checks → publish, with schedule and sensor."""

import dagster as dg

from pipelines.assets.audit import MART_CHECKS
from pipelines.assets.exports import exports
from pipelines.assets.ingest import ingest, raw_gx_suites, source_file
from pipelines.assets.plan import refresh_plan
from pipelines.assets.publish import publish
from pipelines.assets.transform import TERRITORY_TABLES, warehouse_models
from pipelines.automation import REFRESH_JOB, inbox_sensor, monthly_refresh
from pipelines.resources import WarehouseResource
from pipelines.run_log import refresh_logger

# One process, steps in sequence: DuckDB allows a single writer per file.
refresh_job = dg.define_asset_job(
    name=REFRESH_JOB,
    selection=dg.AssetSelection.all(),
    executor_def=dg.in_process_executor,
    description="Full refresh: build a candidate warehouse, audit it, publish it.",
    tags={"sozplan/kind": "refresh"},
)

defs = dg.Definitions(
    assets=[
        refresh_plan,
        ingest,
        source_file,
        *TERRITORY_TABLES,
        warehouse_models,
        publish,
        exports,
    ],
    asset_checks=[raw_gx_suites, *MART_CHECKS],
    jobs=[refresh_job],
    schedules=[monthly_refresh],
    sensors=[inbox_sensor],
    resources={"warehouse": WarehouseResource()},
    # every job in one process, the UI's "Materialize selected" too: DuckDB allows one
    # writer per file, and the run's candidate lives in the warehouse resource
    executor=dg.in_process_executor,
    loggers={"sozplan": refresh_logger},
)
