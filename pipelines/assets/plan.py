"""The first step of every refresh: decide whether there is anything to build.

Every trigger (CLI, schedule, sensor, the UI's "Materialize all") runs this step, so a
pinned release or unchanged inputs end every refresh the same way: the step yields no
output, Dagster skips everything downstream, and the run says why (tag `sozplan/skipped`).
"""

from collections.abc import Iterator

import dagster as dg

from pipelines.refresh_plan import SKIPPED_TAG, plan_refresh
from pipelines.resources import WarehouseResource

PLAN_KEY = dg.AssetKey(["meta", "refresh_plan"])


@dg.asset(
    key=PLAN_KEY,
    group_name="ingest",
    output_required=False,
    kinds={"python"},
    description="Decides whether the refresh builds: not over a pinned release, not when "
    "nothing changed since the published release (unless forced).",
)
def refresh_plan(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource
) -> Iterator[dg.Output]:
    plan = plan_refresh(warehouse.paths, warehouse.as_of, force=not warehouse.keep_unchanged)
    if plan.error:
        raise dg.Failure(description=plan.error, allow_retries=False)
    if plan.skip:
        context.instance.add_run_tags(context.run.run_id, {SKIPPED_TAG: plan.skip})
        context.log.info(plan.skip)
        return
    warehouse.prepare_candidate()
    yield dg.Output(
        None,
        metadata={
            "release": warehouse.release,
            "replaces": plan.published_release or "(first release)",
        },
    )
