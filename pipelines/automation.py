"""When a refresh runs: monthly on schedule, and whenever a new file lands in the inbox.

Both first mark refresh runs whose process died as failed (one run at a time: a dead run
left STARTED would keep the queue closed for good). Whether a run builds anything is
decided by the job itself (`pipelines/assets/plan.py`), the same for every trigger.
"""

import hashlib
import json

import dagster as dg

from pipelines.paths import warehouse_paths
from pipelines.run_hygiene import fail_dead_runs

REFRESH_JOB = "refresh"


def inbox_listing() -> dict[str, list[int]]:
    """Name → [size, mtime_ns] of every file in the inbox (hidden files ignored)."""
    inbox = warehouse_paths().inbox_dir
    if not inbox.is_dir():
        return {}
    return {
        p.name: [p.stat().st_size, p.stat().st_mtime_ns]
        for p in sorted(inbox.iterdir())
        if p.is_file() and not p.name.startswith(".")
    }


@dg.schedule(
    name="monthly_refresh",
    job_name=REFRESH_JOB,
    cron_schedule="0 6 1 * *",
    execution_timezone="Europe/Berlin",
    description="Refresh at 06:00 on the first day of every month.",
    default_status=dg.DefaultScheduleStatus.RUNNING,
)
def monthly_refresh(context: dg.ScheduleEvaluationContext) -> dg.RunRequest:
    fail_dead_runs(context.instance)
    return dg.RunRequest()


@dg.sensor(
    name="inbox_sensor",
    job_name=REFRESH_JOB,
    minimum_interval_seconds=60,
    description="Requests a refresh when a new or changed file appears in warehouse/inbox/.",
    default_status=dg.DefaultSensorStatus.RUNNING,
)
def inbox_sensor(context: dg.SensorEvaluationContext) -> dg.SensorResult | dg.SkipReason:
    fail_dead_runs(context.instance)
    listing = inbox_listing()
    seen = json.loads(context.cursor) if context.cursor else {}
    new = sorted(name for name, stat in listing.items() if seen.get(name) != stat)
    if not new:
        return dg.SkipReason("no new file in the inbox")
    run_key = hashlib.sha256(json.dumps(listing, sort_keys=True).encode()).hexdigest()[:16]
    return dg.SensorResult(
        run_requests=[
            dg.RunRequest(run_key=run_key, tags={"sozplan/inbox_files": ",".join(new)[:200]})
        ],
        cursor=json.dumps(listing, sort_keys=True),
    )
