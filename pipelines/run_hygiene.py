"""Leftovers of refreshes that died: runs still marked as running, candidate files.

A refresh killed with `kill -9` cannot report its end, so its Dagster run stays STARTED
and, with one run at a time, would block every later run. Each refresh records the process
that runs it (run tags `sozplan/host`, `sozplan/pid`); a run whose process is gone is marked
failed by the next refresh and by the sensor and schedule before they ask for a run (the
run queue counts it otherwise). Candidates of failed or killed runs are kept for
inspection, the newest few only.
"""

from __future__ import annotations

import os
import socket
import time
from pathlib import Path

import dagster as dg

from pipelines.disclosure import remove_unpublished
from pipelines.paths import WarehousePaths

HOST_TAG, PID_TAG = "sozplan/host", "sozplan/pid"
KEEP_CANDIDATES = 3
# A run without a process tag (killed before its first step) counts as dead after this long.
UNTAGGED_GRACE_SECONDS = 15 * 60
RUNNING = [dg.DagsterRunStatus.STARTED, dg.DagsterRunStatus.STARTING, dg.DagsterRunStatus.CANCELING]


def process_tags() -> dict[str, str]:
    return {HOST_TAG: socket.gethostname(), PID_TAG: str(os.getpid())}


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _dead(run: dg.DagsterRun, started: float | None) -> bool:
    host, pid = run.tags.get(HOST_TAG), run.tags.get(PID_TAG)
    if pid is None:
        return started is not None and time.time() - started > UNTAGGED_GRACE_SECONDS
    if host != socket.gethostname():
        return False  # another machine's run: only that machine can tell
    return int(pid) != os.getpid() and not _alive(int(pid))


def fail_dead_runs(instance: dg.DagsterInstance, current_run_id: str | None = None) -> list[str]:
    """Mark runs whose process is gone as failed; their ids. Every job of this code location
    writes the warehouse (the refresh job, the UI's "Materialize all" or a selection of it)."""
    records = instance.get_run_records(filters=dg.RunsFilter(statuses=RUNNING))
    failed = []
    for record in records:
        run = record.dagster_run
        if run.run_id == current_run_id or not _dead(run, record.start_time):
            continue
        instance.report_run_failed(
            run, "the process running this refresh ended without reporting (killed?)"
        )
        failed.append(run.run_id)
    return failed


def remove_old_candidates(paths: WarehousePaths, keep_run_id: str, keep: int = KEEP_CANDIDATES):
    """Delete candidate files of earlier runs beyond the newest `keep`, and their release-id
    markers (call under the lock)."""
    build = paths.build_dir
    if not build.is_dir():
        return []
    candidates = sorted(
        (p for p in build.glob("*.duckdb") if p.stem != keep_run_id and _is_run_file(p)),
        key=lambda p: p.stat().st_mtime,
        reverse=True,
    )
    for marker in build.glob("*.release"):  # a run's release id, needed during that run only
        if marker.stem != keep_run_id:
            marker.unlink(missing_ok=True)
    removed = []
    for old in candidates[keep:]:
        for leftover in (old, old.with_suffix(".duckdb.wal")):
            leftover.unlink(missing_ok=True)
        remove_unpublished(old)
        removed.append(old)
    return removed


def _is_run_file(path: Path) -> bool:
    """A run's candidate (`<run uuid>.duckdb`) or a rollback's staging copy."""
    stem = path.stem
    return stem.startswith("rollback-") or (len(stem) == 36 and stem.count("-") == 4)
