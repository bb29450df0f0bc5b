"""Ingest: every data contract's deliveries → contract checks → `raw.<source>`, in one step.

One asset per contract (`raw/<source>`, so the UI's graph and the run history show each
table), all materialised by one step: a Dagster step costs about half a second of events
and bookkeeping, and a step per source made that the floor of every refresh. A source whose
delivery cannot be used does not stop the others from being read, so one run names every
unusable file; the step then fails and nothing downstream runs.

Each table's great-expectations suite is one blocking check; all of them run in one step
too (`raw_gx_suites`), after the ingest, with one GX context. Also `meta/source_file`, the
provenance register the marts read licence and attribution from.
"""

import contextlib
import queue
import time
import zipfile
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path

import dagster as dg
import duckdb

from pipelines.assets.checks import check_result, kept_result, release_memory
from pipelines.assets.plan import PLAN_KEY
from pipelines.contracts import Contract, load_contract, load_contracts
from pipelines.disclosure import is_small_area, kept_out_of_the_file
from pipelines.ingest import (
    ingest_deliveries,
    prepare_raw_schemas,
    write_coverage_gaps,
    write_source_register,
)
from pipelines.landing import Delivery, delivery_files
from pipelines.paths import (
    ALL_CORES,
    DUCKDB_MEMORY_LIMIT,
    INGEST_DUCKDB_THREADS,
    INGEST_THREADS,
)
from pipelines.readers.errors import InputError
from pipelines.resources import WarehouseResource

GROUP = "ingest"
RAW_CHECK = "gx_contract_suite"
SPAN = "span"  # metadata of each source's result: [start, end] in epoch seconds


def raw_key(contract: Contract) -> dg.AssetKey:
    return dg.AssetKey(["raw", contract.source])


CONTRACTS = load_contracts()


def _spec(contract: Contract) -> dg.AssetSpec:
    return dg.AssetSpec(
        key=raw_key(contract),
        group_name=GROUP,
        deps=[PLAN_KEY],
        kinds={"duckdb"},
        skippable=True,
        description=f"{contract.table_code}: {contract.title}",
        metadata={
            "contract": str(contract.path.name),
            "table_code": contract.table_code,
            "publisher": contract.publisher,
            "licence": contract.licence,
        },
    )


class SourceFailed(Exception):
    """One source's deliveries cannot be used; the message names the file and line."""


@dataclass(frozen=True)
class _Job:
    """One source to read: its contract (with this run's territory) and its deliveries."""

    contract: Contract
    files: list[Delivery]

    @property
    def size(self) -> int:
        """The bytes its reader goes through (a ZIP's: unpacked)."""
        return sum(_unpacked_size(d.path) for d in self.files)


def _unpacked_size(path: Path) -> int:
    if not path.is_file():
        return 0
    if zipfile.is_zipfile(path):
        with contextlib.suppress(zipfile.BadZipFile, OSError), zipfile.ZipFile(path) as archive:
            return sum(member.file_size for member in archive.infolist())
    return path.stat().st_size


def _ingest_job(
    job: _Job,
    warehouse: WarehouseResource,
    con: duckdb.DuckDBPyConnection,
    log: Callable[[str], None],
) -> dict:
    """Read, check and write one source's deliveries into the candidate (`con`); the metadata
    of its materialisation, with its span."""
    started = time.time()
    contract, files = job.contract, job.files
    names = ", ".join(f"{d.original_name} ({d.how})" for d in files) or "none"
    log(f"ingest {contract.source} from {len(files)} deliveries: {names}")
    try:
        if is_small_area(contract):  # never in the file: pipelines/disclosure.py
            with kept_out_of_the_file(con, contract, warehouse.candidate):
                report = ingest_deliveries(contract, files, con, warehouse.release)
        else:
            report = ingest_deliveries(contract, files, con, warehouse.release)
    except InputError as err:
        raise SourceFailed(f"{contract.source}: the delivered file cannot be used\n{err}") from None
    finally:
        release_memory()
    return {
        "deliveries": names,
        "newest_sha256": report.sha256,
        "rows": report.rows,
        "revisions": report.revisions,
        "special_signs": dg.MetadataValue.json(report.status_counts),
        "release": warehouse.release,
        SPAN: [started, time.time()],
    }


def _outcome(ingest: Callable[[], dict]) -> dict | SourceFailed:
    try:
        return ingest()
    except SourceFailed as failure:
        return failure


def _ingested(
    jobs: list[_Job],
    warehouse: WarehouseResource,
    con: duckdb.DuckDBPyConnection,
    log: Callable[[str], None],
) -> Iterator[tuple[Contract, dict | SourceFailed]]:
    """Each source's outcome (its metadata, or why it failed) as it ends.

    A read spends much of its time on one core (Python's passes over the file, DuckDB's
    numbered CSV scan), so `INGEST_THREADS` sources are read at once, each on a cursor of
    its own, the largest first, with DuckDB's threads shared out among them until one is
    left. A small-area source switches its connection to an in-memory
    catalog the whole database sees: those are read alone, before the others. The worker
    threads' messages reach the run's log from this thread."""
    alone = [j for j in jobs if is_small_area(j.contract)]
    together = sorted((j for j in jobs if j not in alone), key=lambda j: j.size, reverse=True)
    for job in alone:
        yield job.contract, _outcome(lambda job=job: _ingest_job(job, warehouse, con, log))
    messages: queue.SimpleQueue[str] = queue.SimpleQueue()

    def on_cursor(job: _Job) -> dict | SourceFailed:
        with con.cursor() as cursor:
            return _outcome(lambda: _ingest_job(job, warehouse, cursor, messages.put))

    with ThreadPoolExecutor(INGEST_THREADS, thread_name_prefix="ingest") as pool:
        running = {pool.submit(on_cursor, job): job for job in together}
        try:
            pending = set(running)
            while pending:
                done, pending = wait(pending, timeout=0.2, return_when=FIRST_COMPLETED)
                while not messages.empty():
                    log(messages.get())
                for future in done:
                    yield running[future].contract, future.result()
                if len(pending) == 1 and INGEST_DUCKDB_THREADS < ALL_CORES:
                    # the last read (the largest often ends last) gets every core
                    con.execute(f"set threads = {ALL_CORES}")
        finally:
            pool.shutdown(cancel_futures=True)


@dg.multi_asset(
    name="ingest",
    specs=[_spec(c) for c in CONTRACTS.values()],
    can_subset=True,
    description="Every contract's deliveries: read, checked against the contract, written "
    "to raw.<source> with their history (raw_history.<source>).",
)
def ingest(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource
) -> Iterator[dg.MaterializeResult]:
    jobs = []
    for contract in CONTRACTS.values():
        if raw_key(contract) not in context.selected_asset_keys:
            continue
        kept = warehouse.kept_from(contract.source)
        if kept:
            context.log.info(f"{contract.source}: delivery unchanged, raw table kept from {kept}")
            now = time.time()
            metadata = {"kept_from_release": kept, SPAN: [now, now]}
            yield dg.MaterializeResult(asset_key=raw_key(contract), metadata=metadata)
            continue
        contract_now = load_contract(contract.path)  # with the territory of this run
        jobs.append(_Job(contract_now, delivery_files(contract_now, warehouse.paths)))
    failures = []
    # One connection for every source: opening the candidate and writing it back on close
    # cost more than reading a small source. What the reads hold beyond the cap spills:
    # millions of rows ingest in bounded memory.
    config = {"memory_limit": DUCKDB_MEMORY_LIMIT, "threads": INGEST_DUCKDB_THREADS}
    with duckdb.connect(str(warehouse.candidate), config=config) as con:
        prepare_raw_schemas(con)
        for contract, outcome in _ingested(jobs, warehouse, con, context.log.info):
            if isinstance(outcome, SourceFailed):
                failures.append(str(outcome))
            else:
                yield dg.MaterializeResult(asset_key=raw_key(contract), metadata=outcome)
    if failures:
        raise dg.Failure(
            description="\n".join(sorted(failures)),
            metadata={"sources failed": len(failures)},
            allow_retries=False,
        )


@dg.multi_asset_check(
    name="raw_gx_suites",
    specs=[
        dg.AssetCheckSpec(
            RAW_CHECK,
            asset=raw_key(c),
            blocking=True,
            description=f"great-expectations suite on {c.raw_table}",
        )
        for c in CONTRACTS.values()
    ],
    can_subset=True,
)
def raw_gx_suites(
    context: dg.AssetCheckExecutionContext, warehouse: WarehouseResource
) -> Iterator[dg.AssetCheckResult]:
    """The GX suite of every raw table this run wrote, validated at once (a kept table passed
    it in its release)."""
    selected = [
        c
        for c in CONTRACTS.values()
        if dg.AssetCheckKey(raw_key(c), RAW_CHECK) in context.selected_asset_check_keys
    ]
    kept = {c.source: warehouse.kept_from(c.source) for c in selected}
    checked = [c for c in selected if not kept[c.source]]
    outcomes = {}
    if checked:
        from pipelines.audit.suites import validate_raw_tables

        with duckdb.connect(str(warehouse.candidate), read_only=True) as con:
            outcomes = validate_raw_tables(con, checked, release=warehouse.release)
    for contract in selected:
        target = {"asset_key": raw_key(contract), "check_name": RAW_CHECK}
        if kept[contract.source]:
            yield kept_result(contract.raw_table, kept[contract.source], **target)
        else:
            yield check_result(contract.raw_table, outcomes[contract.source], **target)


@dg.asset(
    key=dg.AssetKey(["meta", "source_file"]),
    group_name=GROUP,
    deps=[raw_key(c) for c in CONTRACTS.values()],
    kinds={"duckdb"},
    description="Provenance register: one row per delivered file with sha256, licence, "
    "attribution; the years no delivery of a source holds (meta.coverage_gap).",
)
def source_file(warehouse: WarehouseResource) -> dg.MaterializeResult:
    from pipelines.territory import current_territory

    contracts = list(CONTRACTS.values())
    with duckdb.connect(str(warehouse.candidate)) as con:
        rows = write_source_register(con, contracts)
        gaps = write_coverage_gaps(con, contracts, current_territory().first_period)
    return dg.MaterializeResult(metadata={"files": rows, "coverage_gaps": len(gaps)})
