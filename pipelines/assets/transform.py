"""dbt models as Dagster assets: staging → intermediate → marts, dbt tests as blocking checks.

`dbt build` runs models and tests in dependency order and skips what sits downstream of a
failed test. Tests store their failing rows in the `audit` schema of the candidate, from
where a failure report takes its examples. The manifest is built by `make` (`dbt parse`).

dbt runs in the refresh process (`pipelines.dbt_runner`), not as a second Python.

dbt parses the project once: nothing that changes from run to run reaches the parse. The
candidate is reached through a link at one fixed path of the dbt project
(`pipelines/dbt_parse.py`), the release id through `meta.dbt_build`, and every run of a
warehouse uses the same target folder, so dbt's `partial_parse.msgpack` holds. When
the candidate is a copy of the published release, only what depends on the changed
deliveries is built (`pipelines.dbt_selection`); the other models and their tests are
reported as kept from the published release.
"""

import json
import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import dagster as dg
import duckdb
from dagster_dbt import DagsterDbtTranslator, DbtProject, dbt_assets
from filelock import FileLock

from pipelines.dbt_parse import DB_PATH_ENV, DBT_DATABASE, refresh_vars
from pipelines.dbt_runner import run_dbt
from pipelines.dbt_selection import DbtBuild, plan_dbt_build, record_build
from pipelines.paths import DBT_PROJECT_DIR, WarehousePaths
from pipelines.resources import WarehouseResource
from pipelines.territory import SCHEMA as TERRITORY_SCHEMA
from pipelines.territory import TABLES as TERRITORY_FILES

DBT_PROJECT = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)
UNIQUE_ID = "dagster_dbt/unique_id"  # asset and check metadata dagster-dbt sets
EXAMPLE_ROWS = 3


# The territory's tables the reference models read (schema `territory`): written into the
# candidate with every dbt build (`candidate_for_dbt`), shown in the graph beside the seeds.
TERRITORY_TABLES = [
    dg.AssetSpec(
        key=dg.AssetKey([TERRITORY_SCHEMA, name]),
        group_name="reference",
        kinds={"duckdb"},
        description=f"{name}.csv of the territory in use (SOZPLAN_TERRITORY_DIR), as text",
    )
    for name in TERRITORY_FILES
]


def dbt_target(paths: WarehousePaths) -> Path:
    """The dbt target folder of a warehouse: artifacts of the newest build (run_results.json,
    compiled SQL) and the partial parse every later build starts from."""
    return paths.build_dir / "dbt"


@contextmanager
def candidate_for_dbt(paths: WarehousePaths, candidate: Path) -> Iterator[Path]:
    """Write the current territory's tables into the candidate, link the candidate at
    `DBT_DATABASE` and point `SOZPLAN_DB_PATH` at it for dbt.

    The link is one for every warehouse of this checkout: a refresh of another warehouse
    waits here until this dbt build has ended. A hard link (DuckDB names the database after
    the file a symbolic link points to); a warehouse on another file system gets it beside
    its candidate, and dbt parses the project again for it."""
    from pipelines.territory import current_territory

    with duckdb.connect(str(candidate)) as con:
        current_territory().write_tables(con)
    nearby = paths.build_dir / DBT_DATABASE.name
    DBT_DATABASE.parent.mkdir(parents=True, exist_ok=True)
    with FileLock(DBT_DATABASE.with_suffix(".lock")):
        for leftover in (DBT_DATABASE, nearby):  # of a run that died: its log must not replay
            leftover.unlink(missing_ok=True)
            leftover.with_name(leftover.name + ".wal").unlink(missing_ok=True)
        try:
            os.link(candidate, DBT_DATABASE)
            link = DBT_DATABASE
        except OSError:
            os.link(candidate, nearby)
            link = nearby
        saved = os.environ.get(DB_PATH_ENV)
        os.environ[DB_PATH_ENV] = str(link)
        try:
            yield link
        finally:
            if saved is None:
                os.environ.pop(DB_PATH_ENV, None)
            else:
                os.environ[DB_PATH_ENV] = saved
            if link.with_name(link.name + ".wal").exists():  # dbt ended without a checkpoint
                with duckdb.connect(str(link)) as con:
                    con.execute("checkpoint")
            link.unlink(missing_ok=True)


def _failed_tests(
    run_results: dict[str, Any], manifest: dict[str, Any], candidate: Path
) -> list[str]:
    """Failed or errored dbt nodes, each with its table and example failing rows."""
    lines = []
    with duckdb.connect(str(candidate), read_only=True) as con:
        for result in run_results.get("results", []):
            if result["status"] not in ("fail", "error"):
                continue
            node = manifest["nodes"].get(result["unique_id"], {})
            model = (node.get("attached_node") or "").split(".")[-1] or ", ".join(
                n.split(".")[-1] for n in node.get("depends_on", {}).get("nodes", [])
            )
            kind = node.get("resource_type", "node")
            name = node.get("name", result["unique_id"])
            lines.append(
                f"dbt {kind} {name} on {model}: {result['status']}"
                + (f", {result['failures']} rows" if result.get("failures") else "")
                + (
                    f" ({(result.get('message') or '').strip()})"
                    if result["status"] == "error"
                    else ""
                )
            )
            # schema and table only: dbt opened the candidate under another file name
            relation = node.get("relation_name") and f'"{node["schema"]}"."{node["alias"]}"'
            if kind == "test" and relation:
                try:
                    frame = con.execute(f"select * from {relation} limit {EXAMPLE_ROWS}").df()
                except duckdb.Error:
                    continue
                lines.extend(
                    "    e.g. " + json.dumps(row, ensure_ascii=False, default=str)
                    for row in frame.to_dict("records")
                )
    return lines


class FlowTranslator(DagsterDbtTranslator):
    """Asset groups named by the flow's layer (the dbt folder: staging, intermediate, marts,
    reference for seeds), so the UI's graph reads like the flow."""

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        if dbt_resource_props.get("resource_type") == "seed":
            return "reference"
        fqn = dbt_resource_props.get("fqn") or []
        return fqn[1] if len(fqn) > 2 else super().get_group_name(dbt_resource_props)


@dbt_assets(
    manifest=DBT_PROJECT.manifest_path,
    project=DBT_PROJECT,
    dagster_dbt_translator=FlowTranslator(),
)
def warehouse_models(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource
) -> Iterator[Any]:
    """Build and test the dbt models in the run's candidate database: all of them, or what
    depends on the changed deliveries when the candidate is a copy of the published release."""
    if context.is_subset:  # a selection made in the UI: dagster-dbt selects its nodes
        build = DbtBuild("a selection of the models is materialised")
    else:
        build = plan_dbt_build(warehouse.paths, warehouse.copied_from_published)
    context.log.info(build.describe())
    record_build(warehouse.candidate, warehouse.release, build)
    # before dbt's own: what is kept is never downstream of what dbt builds
    yield from _kept(context, build)
    # stable between runs on one Gebietsstand: a changed var means a full parse
    dbt_vars = refresh_vars(warehouse.as_of)
    with candidate_for_dbt(warehouse.paths, warehouse.candidate):
        dbt = run_dbt(
            ["build", "--vars", json.dumps(dbt_vars), *build.args()],
            context,
            dbt_target(warehouse.paths),
        )
        yield from dbt.stream(context)
    if not dbt.success:
        if dbt.error:
            raise dg.Failure(description=f"dbt build failed: {dbt.error}", allow_retries=False)
        run_results = dbt.get_artifact("run_results.json")
        manifest = dbt.get_artifact("manifest.json")
        lines = _failed_tests(run_results, manifest, warehouse.candidate)
        raise dg.Failure(
            description="dbt build failed:\n" + "\n".join(lines or ["see the dbt log above"]),
            allow_retries=False,
        )


def _kept(
    context: dg.AssetExecutionContext, build: DbtBuild
) -> Iterator[dg.Output | dg.AssetCheckResult]:
    """The models and tests dbt leaves out, as kept from the published release: they are in
    the candidate (a copy of it) unchanged and were tested there. Reported so that the steps
    after dbt (checks, publish) run as after a full build; upstream first, as Dagster wants."""
    if build.full:
        return
    assets = context.assets_def
    metadata = {"kept_from_release": build.kept_from or ""}
    selected = context.selected_asset_keys
    key_of = {spec.metadata.get(UNIQUE_ID): key for key, spec in assets.specs_by_key.items()}
    for uid in build.excluded:
        key = key_of.get(uid)
        if key in selected:
            name = assets.get_output_name_for_asset_key(key)
            yield dg.Output(None, output_name=name, metadata=metadata)
    excluded = set(build.excluded)
    for spec in assets.check_specs:
        if spec.key in context.selected_asset_check_keys and (
            (spec.metadata or {}).get(UNIQUE_ID) in excluded
        ):
            yield dg.AssetCheckResult(
                asset_key=spec.asset_key,
                check_name=spec.name,
                passed=True,
                description=f"model and data unchanged since release {build.kept_from}, "
                "tested there",
                metadata=metadata,
            )
