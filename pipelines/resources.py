"""The warehouse as a Dagster resource: the run's candidate file, its release id and the lock.

One refresh at a time: the resource holds a file lock for the whole run (every job runs in
one process, so the resource is set up once per run). A second refresh waits up to
`lock_timeout_seconds` and then fails with a message naming the lock file. A selection made
in the UI, without the first step, starts from a copy of the published release and is never
published.
"""

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import dagster as dg
from filelock import FileLock, Timeout
from pydantic import PrivateAttr

from pipelines.landing import land_inbox_now
from pipelines.paths import WarehousePaths, warehouse_paths


class RefreshLocked(RuntimeError):
    """Another refresh holds the warehouse lock."""


class WarehouseResource(dg.ConfigurableResource):
    """Candidate database, release id and lock of one refresh run."""

    lock_timeout_seconds: float = 0.0
    # The territorial status every series is expressed on (ISO date, a dbt var); empty: the
    # newest (`pipelines.territory.newest_gebietsstand`).
    gebietsstand: str = ""
    # Start from a copy of the published release and keep the raw tables whose delivery did
    # not change (nothing structural changed either); False builds everything from empty.
    keep_unchanged: bool = True

    _run_id: str = PrivateAttr(default="")
    _release: str = PrivateAttr(default="")
    _kept: dict[str, str] = PrivateAttr(default_factory=dict)
    _selection: bool = PrivateAttr(default=False)

    @property
    def paths(self) -> WarehousePaths:
        return warehouse_paths()

    @property
    def candidate(self) -> Path:
        return self.paths.candidate(self._run_id)

    @property
    def as_of(self) -> str:
        """The Gebietsstand of this run."""
        from pipelines.territory import newest_gebietsstand

        return self.gebietsstand or newest_gebietsstand()

    @property
    def release(self) -> str:
        return self._release

    @property
    def copied_from_published(self) -> bool:
        """The candidate started as a copy of the published release (it keeps raw tables)."""
        return bool(self._kept)

    def kept_from(self, source: str) -> str | None:
        """The release whose raw table of `source` this run keeps, if it keeps it."""
        return self._kept.get(source)

    @contextmanager
    def yield_for_execution(self, context: dg.InitResourceContext) -> Iterator["WarehouseResource"]:
        from pipelines.run_hygiene import fail_dead_runs, process_tags, remove_old_candidates

        paths = self.paths
        paths.build_dir.mkdir(parents=True, exist_ok=True)
        self._run_id = context.run.run_id if context.run else "adhoc"
        instance = context.instance
        if instance is not None and context.run is not None:
            instance.add_run_tags(self._run_id, process_tags())
        lock = FileLock(paths.lock_file, timeout=self.lock_timeout_seconds)
        try:
            lock.acquire()
        except Timeout as exc:
            raise RefreshLocked(
                f"another refresh is running (lock {paths.lock_file} held); "
                "wait for it to finish or pass --wait"
            ) from exc
        try:
            if instance is not None:  # under the lock, no other refresh of this warehouse runs
                for run_id in fail_dead_runs(instance, self._run_id):
                    context.log.info(f"run {run_id} had been killed: marked failed")
            remove_old_candidates(paths, self._run_id)
            self._release = _release_id(paths, self._run_id)
            for line in land_inbox_now(paths).lines():
                context.log.info(line)
            self._selection = _without_plan(context.dagster_run)
            if self._selection:
                self._start_selection(context)
            yield self
        finally:
            lock.release()

    @property
    def is_selection(self) -> bool:
        """The run materialises a selection made in the UI, without the first step: its
        candidate is for inspection, never published."""
        return self._selection

    def _start_selection(self, context: dg.InitResourceContext) -> None:
        """A run of a selection without the first step (the UI's "Materialize selected"):
        the candidate starts as a copy of the published release, so that what the selected
        steps read but do not build is there. With nothing published it starts empty."""
        if self.paths.published.is_file() and self._copy_published():
            context.log.info(
                "a selection of assets: the candidate starts as a copy of the published release"
            )

    def prepare_candidate(self) -> None:
        """Start from a copy of the published file when some raw tables can be kept (the
        first step decides there is something to build)."""
        self._kept = self._start_from_published(self.paths) if self.keep_unchanged else {}

    def _start_from_published(self, paths: WarehousePaths) -> dict[str, str]:
        """Copy the published file as the candidate when some raw tables can be kept."""
        from pipelines.fingerprint import kept_sources

        kept = kept_sources(paths, self.as_of)
        return kept if kept and self._copy_published() else {}

    def _copy_published(self) -> bool:
        """The published file copied as the run's candidate, unless the candidate exists
        already (a step run again); whether the candidate now exists."""
        candidate = self.paths.candidate(self._run_id)
        if not candidate.exists():
            shutil.copyfile(self.paths.published, candidate)
        return candidate.exists()


def _without_plan(run: dg.DagsterRun | None) -> bool:
    """The run materialises a selection of assets that leaves out the first step (which
    decides how the candidate starts): a selection made in the UI."""
    from pipelines.assets.plan import PLAN_KEY

    selection = run.asset_selection if run is not None else None
    return bool(selection) and PLAN_KEY not in selection  # none or empty: the whole job


def _release_id(paths: WarehousePaths, run_id: str) -> str:
    """`<UTC timestamp>-<run id prefix>`, fixed at the first step of the run."""
    marker = paths.build_dir / f"{run_id}.release"
    if marker.exists():
        return marker.read_text().strip()
    release = f"{datetime.now(UTC):%Y%m%dT%H%M%SZ}-{run_id[:8]}"
    marker.write_text(release)
    return release
