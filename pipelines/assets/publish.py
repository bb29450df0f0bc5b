"""The publish asset: the last step of a refresh, after every blocking check has passed."""

from datetime import UTC, datetime

import dagster as dg
import duckdb

from pipelines.contracts import load_contracts
from pipelines.disclosure import compact, empty_small_area_deliveries, remove_unpublished
from pipelines.fingerprint import input_fingerprint, structure_fingerprint
from pipelines.landing import read_manifest
from pipelines.meta_docs import comment_meta_tables
from pipelines.paths import LATE_STEP_MEMORY_LIMIT
from pipelines.publish import CURATED_TABLES
from pipelines.publish import publish as publish_file
from pipelines.release_changes import record_changes
from pipelines.resources import WarehouseResource

RELEASE_DDL = """
create schema if not exists meta;
create or replace table meta.release (
    release varchar not null,
    run_id varchar not null,
    published_at timestamp not null,
    gebietsstand date not null,
    input_fingerprint varchar not null,
    structure_fingerprint varchar not null
);
"""


@dg.asset(
    group_name="publish",
    deps=[dg.AssetKey(t.split(".")) for t in CURATED_TABLES]
    + [dg.AssetKey(["meta", "source_file"])],
    kinds={"duckdb"},
    description="Swap the audited candidate in as warehouse/sozialplanung.duckdb (atomic rename).",
)
def publish(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource
) -> dg.MaterializeResult:
    if warehouse.is_selection:
        # the release would claim inputs its selection did not build (the landed deliveries,
        # the fingerprint): the next refresh would then find nothing to do
        raise dg.Failure(
            description="publish runs only in a whole refresh (`sozplan refresh`, the UI's "
            "'Materialize all'): a selection builds a candidate to inspect, "
            f"{warehouse.candidate}",
            allow_retries=False,
        )
    candidate = warehouse.candidate
    structure = structure_fingerprint(warehouse.as_of)
    fingerprint = input_fingerprint(warehouse.paths, warehouse.as_of, structure)
    with duckdb.connect(str(candidate)) as con:
        con.execute(f"set memory_limit = '{LATE_STEP_MEMORY_LIMIT}'")  # comparing two releases
        con.execute(RELEASE_DDL)
        con.execute(
            "insert into meta.release values (?, ?, ?, ?, ?, ?)",
            [
                warehouse.release,
                context.run.run_id,
                datetime.now(UTC).replace(tzinfo=None),
                warehouse.as_of,
                fingerprint,
                structure,
            ],
        )
        rows = {t: con.execute(f"select count(*) from {t}").fetchone()[0] for t in CURATED_TABLES}
        # against the release it replaces: meta.release_change, meta.release_change_summary
        changes = record_changes(con, warehouse.paths.published, read_manifest(warehouse.paths))
        comment_meta_tables(con)  # the marts' descriptions come from dbt (persist_docs)
        # the cities' deliveries before secondary suppression are not published (landed only)
        emptied = empty_small_area_deliveries(con, load_contracts().values())
    if any(emptied.values()):  # deleted rows' bytes would stay in the file's blocks
        compact(candidate)
    published = publish_file(candidate, warehouse.release, warehouse.paths)
    remove_unpublished(candidate)
    (warehouse.paths.build_dir / f"{context.run.run_id}.release").unlink(missing_ok=True)
    context.log.info(f"published release {warehouse.release} at {published}")
    return dg.MaterializeResult(
        metadata={
            "release": warehouse.release,
            "path": str(published),
            **{f"rows {t}": n for t, n in rows.items()},
            **{f"changes {kind}": n for kind, n in changes.items() if n},
            **{f"emptied {t}": n for t, n in emptied.items()},
        }
    )
