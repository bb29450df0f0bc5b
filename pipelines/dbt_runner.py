"""dbt in the refresh process (dbt's `dbtRunner`), its results turned into Dagster events.

dagster-dbt starts dbt as a second Python process. That costs seconds per build (a new
interpreter importing dbt, which dagster-dbt has already imported here) and a second Python's
memory beside the refresh, at the moment the DuckDB build needs it most. dbt's programmatic
entry point runs the same `dbt build` here; its result events become the same Dagster outputs
and check results as dagster-dbt's stream (dagster-dbt's own conversion). The artifacts
(manifest.json, run_results.json, the JSON log dbt.log) land in the target folder as before.
"""

from __future__ import annotations

import gc
import json
import os
import shutil
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import dagster as dg
from dagster_dbt.asset_utils import (
    extract_runtime_selection_from_args,
    get_manifest_and_translator_from_dbt_assets,
    get_updated_cli_invocation_params_for_context,
)
from dagster_dbt.core.dbt_cli_event import DbtCoreCliEventMessage

from pipelines.assets.checks import release_memory
from pipelines.paths import DBT_PROJECT_DIR

# the events dagster-dbt turns into outputs and check results
PARTIAL_PARSE = "partial_parse.msgpack"
RESULT_EVENTS = frozenset({"LogSeedResult", "LogModelResult", "LogSnapshotResult", "LogTestResult"})


@dataclass
class DbtRun:
    """One finished dbt invocation: its result events and where its artifacts are."""

    target_path: Path
    success: bool
    error: str | None
    manifest: dict[str, Any]
    translator: Any
    project: Any
    events: list[dict[str, Any]] = field(default_factory=list)

    def stream(self, context: dg.AssetExecutionContext) -> Iterator[Any]:
        """Outputs of the models and seeds, check results of the tests, in build order."""
        for raw in self.events:
            yield from DbtCoreCliEventMessage(
                raw_event=raw, event_history_metadata={}
            ).to_default_asset_events(
                manifest=self.manifest,
                dagster_dbt_translator=self.translator,
                context=context,
                target_path=self.target_path,
                project=self.project,
            )

    def get_artifact(self, name: str) -> dict[str, Any]:
        return json.loads((self.target_path / name).read_text("utf-8"))


def run_dbt(args: Sequence[str], context: dg.AssetExecutionContext, target_path: Path) -> DbtRun:
    """`dbt <args>` on the project, in this process, for the assets of `context`: a subset
    selected in the UI is passed to dbt as dagster-dbt would pass it."""
    from dbt.cli.main import dbtRunner
    from dbt_common.events.functions import msg_to_dict

    manifest, translator, project = get_manifest_and_translator_from_dbt_assets(
        [context.assets_def]
    )
    cleaned, selects, excludes = extract_runtime_selection_from_args(list(args))
    params = get_updated_cli_invocation_params_for_context(
        context=context,
        manifest=manifest,
        dagster_dbt_translator=translator,
        runtime_selects=selects,
        runtime_excludes=excludes,
    )
    argv = [
        *cleaned,
        *params.selection_args,
        *(["--indirect-selection", params.indirect_selection] if params.indirect_selection else []),
        "--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir", str(DBT_PROJECT_DIR),
        "--target-path", str(target_path), "--log-path", str(target_path),
        "--log-format-file", "json", "--no-send-anonymous-usage-stats",
    ]  # fmt: skip
    _start_from_saved_parse(target_path)
    events: list[dict[str, Any]] = []

    def collect(message: Any) -> None:
        if message.info.name in RESULT_EVENTS:
            events.append(msg_to_dict(message))

    gc.collect()
    release_memory()  # what the steps before left on the heap: the build needs the room
    saved = os.getcwd()
    os.chdir(DBT_PROJECT_DIR)  # the project's file paths (seeds, territory files) are relative
    try:
        result = dbtRunner(callbacks=[collect]).invoke(argv)
    finally:
        os.chdir(saved)
        close_dbt_database()
    error = None if result.exception is None else f"{type(result.exception).__name__}: "
    if result.exception is not None:
        error = f"{error}{result.exception}"
    run = DbtRun(
        target_path=target_path,
        success=bool(result.success),
        error=error,
        manifest=dict(params.manifest),
        translator=params.dagster_dbt_translator,
        project=params.dbt_project or project,
        events=events,
    )
    del result  # dbt's parsed manifest: not carried into the steps after dbt
    gc.collect()
    return run


def _start_from_saved_parse(target_path: Path) -> None:
    """A new target folder starts from the project's saved parse (`make setup`), as
    dagster-dbt's own invocations do: dbt then parses only what changed since."""
    saved = DBT_PROJECT_DIR / "target" / PARTIAL_PARSE
    if saved.is_file() and not (target_path / PARTIAL_PARSE).exists():
        target_path.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(saved, target_path / PARTIAL_PARSE)


def close_dbt_database() -> None:
    """Close the database dbt-duckdb keeps open for the process (until exit, otherwise): the
    steps after dbt open the candidate themselves, and the next build opens another file
    under the same path."""
    from dbt.adapters.duckdb.connections import DuckDBConnectionManager
    from dbt.adapters.factory import reset_adapters

    reset_adapters()
    with DuckDBConnectionManager._LOCK:
        environment, DuckDBConnectionManager._ENV = DuckDBConnectionManager._ENV, None
    if environment is not None:
        environment.close()
