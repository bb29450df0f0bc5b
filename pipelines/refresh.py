"""Run one full refresh in this process and report it: release, rows, checks, seconds.

The refresh job runs on the Dagster instance in `$DAGSTER_HOME`, so runs started here show
up in the UI like scheduled ones. A failed refresh names the failed step or check with its
table and example rows, and leaves the published warehouse as it was.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date

import duckdb

from pipelines.paths import warehouse_paths
from pipelines.publish import CURATED_TABLES


@dataclass
class RefreshOutcome:
    success: bool
    run_id: str
    seconds: float
    release: str | None = None
    rows: dict[str, int] = field(default_factory=dict)
    checks_passed: int = 0
    checks_failed: int = 0
    failures: list[str] = field(default_factory=list)
    skipped: bool = False  # nothing was built: inputs unchanged or a release pinned
    skip_reason: str = ""
    log_file: str = ""  # the run's full log (framework detail, stack traces)
    changes: list[str] = field(default_factory=list)  # what the release changed, in short
    inbox: list[str] = field(default_factory=list)  # what landed, what stayed in the inbox
    unmatched: int = 0  # inbox files no contract takes
    gaps: dict[str, list[int]] = field(default_factory=dict)  # source -> years nobody delivered
    undelivered: set[str] = field(default_factory=set)  # sources without any delivery
    published: bool = False  # the publish step ran: a failure after it left the release out
    published_path: str = ""  # the warehouse file this refresh publishes to
    # (start, end) epoch seconds of each step, from the run's event log
    step_spans: dict[str, tuple[float, float]] = field(default_factory=dict)
    # (start, end) of each source's part of a step that handles every source (ingest, GX),
    # named like a step of its own: `raw__<source>`, `raw__<source>_gx_contract_suite`
    part_spans: dict[str, tuple[float, float]] = field(default_factory=dict)

    @property
    def step_seconds(self) -> dict[str, float]:
        """Wall seconds per step."""
        return {step: end - start for step, (start, end) in self.step_spans.items()}

    def notes(self) -> list[str]:
        """Inbox files landed or left, and the years a source has no delivery for."""
        lines = [f"  inbox: {line}" for line in self.inbox]
        for source, years in sorted(self.gaps.items()):
            if source in self.undelivered:
                lines.append(f"  gap: {source} has no delivery yet (no sample either)")
            else:
                lines.append(
                    f"  gap: {source} has no delivery for {years_text(years)} (shown as missing)"
                )
        return lines

    def summary(self) -> str:
        if self.skipped:
            hint = " — `--force` rebuilds anyway" if "nothing changed" in self.skip_reason else ""
            return "\n".join(
                [
                    f"refresh skipped: {self.skip_reason}{hint}",
                    *self.notes(),
                    f"  {self.seconds:.1f} s",
                ]
            )
        if self.success:
            lines = [f"refresh ok: release {self.release} published at {self.published_path}"]
            lines += [f"  {table:<28} {n:>7,} rows" for table, n in self.rows.items()]
            lines.append(f"  checks passed: {self.checks_passed}, failed: {self.checks_failed}")
            lines += self.notes()
            lines += [f"  {line}" for line in self.changes]
        else:
            lines = ["refresh FAILED: the published warehouse was not changed"]
            if self.published:
                lines = [
                    f"refresh FAILED after publishing: release {self.release} is published at "
                    f"{self.published_path}, a step after the publish failed"
                ]
            lines += [f"  {line}" for failure in self.failures for line in failure.splitlines()]
            lines.append(f"  checks passed: {self.checks_passed}, failed: {self.checks_failed}")
            lines += [f"  inbox: {line}" for line in self.inbox]
            if self.log_file:
                lines.append(f"  full log: {self.log_file}")
        lines.append(f"  run {self.run_id}, {self.seconds:.1f} s")
        return "\n".join(lines)


def years_text(years: list[int]) -> str:
    """2015, 2017-2019, 2021"""
    runs: list[list[int]] = []
    for year in sorted(years):
        if runs and year == runs[-1][-1] + 1:
            runs[-1].append(year)
        else:
            runs.append([year])
    return ", ".join(str(r[0]) if len(r) == 1 else f"{r[0]}-{r[-1]}" for r in runs)


def run_refresh(
    lock_timeout_seconds: float = 0.0,
    log_level: str = "INFO",
    gebietsstand: str | None = None,
    force: bool = True,
    progress: Callable[[str], None] | None = None,
) -> RefreshOutcome:
    """Materialise the refresh job in-process on the warehouse's Dagster instance.

    `gebietsstand` (ISO date) picks the territorial status of all series (default: newest).
    Without `force`, a refresh whose inputs match the published release's builds nothing, and
    one whose structure matches keeps the raw tables of unchanged deliveries from it; with
    `force` everything is built from empty. Nothing is published over a pinned release. The
    job's first step decides that for every trigger; asked here first, the same answer comes
    without starting Dagster.
    """
    from pipelines.refresh_plan import SKIPPED_TAG, plan_refresh
    from pipelines.territory import current_territory, newest_gebietsstand

    started = time.perf_counter()
    paths = warehouse_paths()
    current_territory()  # an unusable territory folder stops the refresh before anything runs
    stand = date.fromisoformat(gebietsstand or newest_gebietsstand()).isoformat()
    warehouse_config: dict[str, object] = {
        "lock_timeout_seconds": lock_timeout_seconds,
        "gebietsstand": stand,
        "keep_unchanged": not force,
    }
    from pipelines.landing import land_inbox_now

    inbox = land_inbox_now(paths)
    plan = plan_refresh(paths, stand, force)
    if not plan.build:
        outcome = RefreshOutcome(
            success=plan.error is None,
            run_id="(not started)",
            seconds=time.perf_counter() - started,
            release=plan.published_release,
            skipped=plan.skip is not None,
            skip_reason=plan.skip or "",
            failures=[plan.error] if plan.error else [],
            inbox=inbox.lines(),
            unmatched=len(inbox.unmatched),
        )
        outcome.gaps, outcome.undelivered = _published_gaps()
        return outcome

    if progress:
        why = "rebuilding everything (--force)" if force else "inputs changed"
        replaces = plan.published_release or "nothing yet"
        progress(f"{why}: building a new release (replaces {replaces}) …")
    from pipelines.definitions import defs
    from pipelines.run_log import run_log_path

    job = defs.resolve_job_def("refresh")
    with refresh_instance(paths) as instance:
        result = job.execute_in_process(
            instance=instance,
            raise_on_error=False,
            run_config={
                "loggers": {"sozplan": {"config": {"log_level": log_level}}},
                "resources": {"warehouse": {"config": warehouse_config}},
            },
        )
        step_spans, part_spans = _step_spans(instance, result.run_id)
        run = instance.get_run_by_id(result.run_id)
        skip_reason = run.tags.get(SKIPPED_TAG, "") if run else ""
    outcome = RefreshOutcome(
        success=result.success,
        run_id=result.run_id,
        seconds=time.perf_counter() - started,
        inbox=inbox.lines(),
        unmatched=len(inbox.unmatched),
        skipped=bool(skip_reason),
        skip_reason=skip_reason,
        log_file=str(run_log_path(result.run_id)),
    )
    outcome.step_spans, outcome.part_spans = step_spans, part_spans
    outcome.checks_passed, outcome.checks_failed, outcome.failures = _failures(result)
    outcome.published_path = str(paths.published)
    outcome.published = any(
        e.is_step_success and e.step_key == "publish" for e in result.all_events
    )
    if outcome.published and not result.success:
        outcome.release, outcome.rows = _published_summary()
    if result.success and not outcome.skipped:
        from pipelines.release_changes import digest_lines

        outcome.release, outcome.rows = _published_summary()
        outcome.gaps, outcome.undelivered = _published_gaps()
        outcome.changes = digest_lines(paths.published)
    elif result.success:
        outcome.release = plan.published_release
        outcome.gaps, outcome.undelivered = _published_gaps()
    # what the run left on the heap goes back to the system: a process that refreshes again
    # (a scheduler's, the benchmark's) starts the next run from what it needs
    from pipelines.assets.checks import release_memory

    release_memory(collect=True)
    outcome.seconds = time.perf_counter() - started
    return outcome


@contextmanager
def refresh_instance(paths) -> Iterator:
    """The warehouse's persistent Dagster instance (its run history is what the UI shows);
    imported only when a run starts (pipelines.run_history)."""
    from pipelines.run_history import warehouse_instance

    with warehouse_instance(paths) as instance:
        yield instance


def _failures(result) -> tuple[int, int, list[str]]:
    """Checks passed and failed, and every failed check and step in words."""
    passed, failed, failures = 0, 0, []
    for evaluation in result.get_asset_check_evaluations():
        if evaluation.passed:
            passed += 1
            continue
        failed += 1
        failures.append(
            f"check {evaluation.check_name} on {evaluation.asset_key.to_user_string()} failed"
            + (f":\n{evaluation.description}" if evaluation.description else "")
        )
    for event in result.all_events:
        if event.is_step_failure:
            error = event.step_failure_data.error
            user = event.step_failure_data.user_failure_data
            if user and user.description:
                text = user.description
            else:
                text = _user_message(error) if error else "unknown error"
            failures.append(f"step {event.step_key} failed: {text}")
        elif event.is_resource_init_failure:
            error = getattr(event.event_specific_data, "error", None)
            failures.append(_user_message(error) if error else "a resource failed")
    if not result.success and not failures:
        failures.append("the run failed before any step ran")
    return passed, failed, failures


Span = tuple[float, float]


def _step_spans(instance, run_id: str) -> tuple[dict[str, Span], dict[str, Span]]:
    """(start, end) per step, from the run's event log (start to success or failure), and
    per source of the ingest step, which reads every source (its results' `span` metadata)."""
    from pipelines.assets.ingest import SPAN

    started: dict[str, float] = {}
    spans: dict[str, Span] = {}
    parts: dict[str, Span] = {}
    for entry in instance.all_logs(run_id):
        event = entry.dagster_event
        if event is None or not event.step_key:
            continue
        if event.is_step_start:
            started[event.step_key] = entry.timestamp
        elif (event.is_step_success or event.is_step_failure) and event.step_key in started:
            spans[event.step_key] = (started[event.step_key], entry.timestamp)
        elif event.is_step_materialization:
            result = event.event_specific_data.materialization
            span = result.metadata.get(SPAN)
            if span is not None:
                parts["__".join(result.asset_key.path)] = tuple(span.value)
    return spans, parts


def _user_message(error) -> str:
    """The message of our own exception in a chain of wrapped errors, else the innermost
    error's message without the framework's class names."""
    current, innermost = error, error
    while current is not None:
        if current.cls_name in ("RefreshLocked", "InputError", "ContractError"):
            return current.message.strip()
        innermost = current
        current = current.cause
    message = innermost.message.strip()
    # "SomeError: text" -> "text" (the class name means nothing to a reader)
    head, _, rest = message.partition(": ")
    return rest if rest and head.replace(".", "").replace("_", "").isalnum() else message


def _published_summary() -> tuple[str, dict[str, int]]:
    with duckdb.connect(str(warehouse_paths().published), read_only=True) as con:
        release = con.execute("select release from meta.release").fetchone()[0]
        rows = {t: con.execute(f"select count(*) from {t}").fetchone()[0] for t in CURATED_TABLES}
    return release, rows


def _published_gaps() -> tuple[dict[str, list[int]], set[str]]:
    """Years without a delivery per source, and the sources without any, as the published
    release records them."""
    try:
        with duckdb.connect(str(warehouse_paths().published), read_only=True) as con:
            rows = con.execute(
                "select source, period_year, source_delivered from meta.coverage_gap"
            ).fetchall()
    except duckdb.Error:
        return {}, set()
    gaps: dict[str, list[int]] = {}
    for source, year, _delivered in rows:
        gaps.setdefault(source, []).append(int(year))
    return gaps, {source for source, _year, delivered in rows if not delivered}
