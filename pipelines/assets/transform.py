"""dbt models as Dagster assets: staging → intermediate → marts, dbt tests as blocking checks.

`dbt build` runs models and tests in dependency order and skips what sits downstream of a
failed test. Tests store their failing rows in the `audit` schema of the candidate, from
where a failure report takes its examples. The manifest is built by `make` (`dbt parse`).
"""

import importlib.metadata
import json
import shutil
import sys
from collections.abc import Iterator, Mapping
from functools import cached_property
from pathlib import Path
from typing import Any

import dagster as dg
import duckdb
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, DbtProject, dbt_assets
from packaging import version

from pipelines.paths import DBT_PROJECT_DIR
from pipelines.resources import WarehouseResource
from pipelines.territory import current_territory

DBT_PROJECT = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)
DBT_EXECUTABLE = str(Path(sys.executable).parent / "dbt")
EXAMPLE_ROWS = 3


class ProjectDbtCliResource(DbtCliResource):
    """dbt from this venv. Its version comes from the installed package: dagster-dbt would
    otherwise start `dbt --version` (about 5 s) before every invocation."""

    @cached_property
    def _cli_version(self) -> version.Version:
        return version.parse(importlib.metadata.version("dbt-core"))


def dbt_resource() -> DbtCliResource:
    return ProjectDbtCliResource(
        project_dir=DBT_PROJECT,
        profiles_dir=str(DBT_PROJECT_DIR),
        dbt_executable=DBT_EXECUTABLE,
    )


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
            relation = node.get("relation_name")
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


KEEP_INVOCATIONS = 10


def _prune_invocation_dirs(target: Path) -> None:
    """dagster-dbt gives every dbt call its own target folder (artifacts, compiled SQL, ~5 MB);
    keep the newest few for inspection instead of one per refresh forever."""
    folders = sorted(
        (p for p in target.glob("warehouse_models-*") if p.is_dir()),
        key=lambda p: p.stat().st_mtime,
    )
    for old in folders[:-KEEP_INVOCATIONS]:
        shutil.rmtree(old, ignore_errors=True)


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
    context: dg.AssetExecutionContext, dbt: DbtCliResource, warehouse: WarehouseResource
) -> Iterator[Any]:
    """Build and test all dbt models in the run's candidate database."""
    dbt_vars = {
        "db_path": str(warehouse.candidate),
        "release": warehouse.release,
        "gebietsstand": warehouse.as_of,
        **current_territory().dbt_vars(),
    }
    invocation = dbt.cli(
        ["build", "--vars", json.dumps(dbt_vars)], context=context, raise_on_error=False
    )
    yield from invocation.stream()
    _prune_invocation_dirs(DBT_PROJECT_DIR / "target")
    if not invocation.is_successful():
        run_results = invocation.get_artifact("run_results.json")
        manifest = invocation.get_artifact("manifest.json")
        lines = _failed_tests(run_results, manifest, warehouse.candidate)
        raise dg.Failure(
            description="dbt build failed:\n" + "\n".join(lines or ["see the dbt log above"]),
            allow_retries=False,
        )
