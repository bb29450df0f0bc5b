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
import queue
import shutil
import threading
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

PARTIAL_PARSE = "partial_parse.msgpack"
_DONE = object()  # the end of a build's events
# the events dagster-dbt turns into outputs and check results
RESULT_EVENTS = frozenset({"LogSeedResult", "LogModelResult", "LogSnapshotResult", "LogTestResult"})


@dataclass
class DbtRun:
    """One dbt invocation running in a thread of this process. `stream()` turns its result
    events into Dagster events while it runs (Dagster records each event, which takes as
    long as a small dbt node: done beside the build, not after it); afterwards `success`
    and `error` say how it ended."""

    argv: list[str]
    target_path: Path
    manifest: dict[str, Any]
    translator: Any
    project: Any
    success: bool = False
    error: str | None = None
    _events: queue.Queue = field(default_factory=queue.Queue)

    def stream(self, context: dg.AssetExecutionContext) -> Iterator[Any]:
        """Outputs of the models and seeds, check results of the tests, in build order."""
        worker = threading.Thread(target=self._build, name="dbt build", daemon=True)
        worker.start()
        try:
            while (raw := self._events.get()) is not _DONE:
                yield from DbtCoreCliEventMessage(
                    raw_event=raw, event_history_metadata={}
                ).to_default_asset_events(
                    manifest=self.manifest,
                    dagster_dbt_translator=self.translator,
                    context=context,
                    target_path=self.target_path,
                    project=self.project,
                )
        finally:
            worker.join()  # the candidate's link must outlive the build

    def _build(self) -> None:
        from dbt_common.events.functions import msg_to_dict

        def collect(message: Any) -> None:
            if message.info.name in RESULT_EVENTS:
                self._events.put(msg_to_dict(message))

        try:
            result = invoke_dbt(self.argv, callbacks=[collect])
            self.success = bool(result.success)
            if result.exception is not None:
                self.error = f"{type(result.exception).__name__}: {result.exception}"
            del result  # dbt's parsed manifest: not carried into the steps after dbt
        except BaseException as exc:  # noqa: BLE001 - reported by the step, not lost in a thread
            self.error = f"{type(exc).__name__}: {exc}"
        finally:
            gc.collect()
            self._events.put(_DONE)

    def get_artifact(self, name: str) -> dict[str, Any]:
        return json.loads((self.target_path / name).read_text("utf-8"))


def run_dbt(args: Sequence[str], context: dg.AssetExecutionContext, target_path: Path) -> DbtRun:
    """`dbt <args>` on the project, in this process, for the assets of `context` (started by
    `stream()`): a subset selected in the UI is passed to dbt as dagster-dbt would pass it."""
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
    indirect = params.indirect_selection
    argv = [
        *cleaned,
        *params.selection_args,
        *(["--indirect-selection", indirect] if indirect else []),
        *project_args(target_path),
    ]
    start_from_saved_parse(target_path)
    release_memory(collect=True)  # what the steps before left on the heap: the build needs it
    return DbtRun(
        argv=argv,
        target_path=target_path,
        manifest=dict(params.manifest),
        translator=params.dagster_dbt_translator,
        project=params.dbt_project or project,
    )


def project_args(target_path: Path) -> list[str]:
    """dbt's arguments for the project, its artifacts and its JSON log in `target_path`."""
    return [
        "--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir", str(DBT_PROJECT_DIR),
        "--target-path", str(target_path), "--log-path", str(target_path),
        "--log-format-file", "json", "--no-send-anonymous-usage-stats",
    ]  # fmt: skip


def invoke_dbt(argv: Sequence[str], callbacks: Sequence[Any] = ()) -> Any:
    """`dbt <argv>` in this process (dbt's `dbtRunnerResult`), with the dbt project as the
    working directory while it runs and its database closed afterwards."""
    from dbt.cli.main import dbtRunner

    saved = os.getcwd()
    # the project's file paths (seeds, territory files) are relative to it; the refresh's
    # own paths are absolute (pipelines.paths), so the step's thread is not affected
    os.chdir(DBT_PROJECT_DIR)
    try:
        return dbtRunner(callbacks=list(callbacks)).invoke(list(argv))
    finally:
        os.chdir(saved)
        close_dbt_database()


def start_from_saved_parse(target_path: Path) -> None:
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
