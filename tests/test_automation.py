"""The monthly schedule and the inbox sensor, evaluated through Dagster's own machinery."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import dagster as dg

from pipelines.definitions import defs


def test_schedule_requests_a_refresh_on_the_first_of_the_month() -> None:
    schedule = defs.resolve_schedule_def("monthly_refresh")
    assert schedule.job_name == "refresh"
    assert schedule.execution_timezone == "Europe/Berlin"
    assert schedule.cron_schedule == "0 6 1 * *"  # 06:00 on the 1st of every month
    tick = dt.datetime(2026, 12, 1, 6, 0, tzinfo=dt.timezone(dt.timedelta(hours=1)))
    with (
        dg.instance_for_test() as instance,
        dg.build_schedule_context(scheduled_execution_time=tick, instance=instance) as context,
    ):
        result = schedule.evaluate_tick(context)
    assert len(result.run_requests) == 1
    assert result.run_requests[0].job_name in (None, "refresh")


def _evaluate(cursor: str | None) -> dg.SensorResult | dg.SkipReason:
    sensor = defs.resolve_sensor_def("inbox_sensor")
    with (
        dg.instance_for_test() as instance,
        dg.build_sensor_context(cursor=cursor, definitions=defs, instance=instance) as context,
    ):
        return sensor(context)


def test_inbox_sensor_requests_a_refresh_for_a_new_file(warehouse_dir: Path) -> None:
    assert isinstance(_evaluate(None), dg.SkipReason)  # no inbox yet

    inbox = warehouse_dir / "inbox"
    inbox.mkdir()
    (inbox / "13211-02-05-4_de_flat.csv").write_text("statistics_code;...\n", encoding="utf-8")
    first = _evaluate(None)
    assert isinstance(first, dg.SensorResult)
    assert len(first.run_requests) == 1
    assert first.run_requests[0].tags["sozplan/inbox_files"] == "13211-02-05-4_de_flat.csv"
    assert json.loads(first.cursor) == {
        "13211-02-05-4_de_flat.csv": [
            (inbox / "13211-02-05-4_de_flat.csv").stat().st_size,
            (inbox / "13211-02-05-4_de_flat.csv").stat().st_mtime_ns,
        ]
    }

    again = _evaluate(first.cursor)
    assert isinstance(again, dg.SkipReason)

    (inbox / "SGB2-01-4_de_flat.csv").write_text("x\n", encoding="utf-8")
    second = _evaluate(first.cursor)
    assert isinstance(second, dg.SensorResult)
    assert second.run_requests[0].tags["sozplan/inbox_files"] == "SGB2-01-4_de_flat.csv"
    assert second.run_requests[0].run_key != first.run_requests[0].run_key


def test_asset_graph_flows_from_ingest_to_publish() -> None:
    graph = defs.resolve_asset_graph()
    keys = {k.to_user_string() for k in graph.get_all_asset_keys()}
    assert {"raw/population_age", "raw/sgb2_benefits", "raw/unemployment"} <= keys
    assert {
        "marts/fct_indicator_value",
        "marts/dim_region",
        "marts/dim_indicator",
        "publish",
    } <= keys
    for key in graph.get_all_asset_keys():  # every refresh starts by deciding whether to build
        if key.path[0] == "raw":
            assert dg.AssetKey(["meta", "refresh_plan"]) in graph.get(key).parent_keys, key
    groups = {graph.get(k).group_name for k in graph.get_all_asset_keys()}
    assert groups == {"ingest", "reference", "staging", "intermediate", "marts", "publish"}
    assert graph.get(dg.AssetKey(["marts", "fct_indicator_value"])).group_name == "marts"
    upstream = graph.get(dg.AssetKey("publish")).parent_keys
    assert dg.AssetKey(["marts", "fct_indicator_value"]) in upstream
    stg = graph.get(dg.AssetKey(["staging", "stg_population_age"])).parent_keys
    assert dg.AssetKey(["raw", "population_age"]) in stg
    checks = {k.name for k in graph.asset_check_keys}
    assert {
        "gx_contract_suite",
        "gx_indicator_suite",
        "every_kreis_and_land_every_period",
    } <= checks
    for key in graph.asset_check_keys:
        assert graph.get_check_spec(key).blocking, key  # every check gates publish
    job = defs.resolve_job_def("refresh")
    assert job.executor_def.name == "in_process"
