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

import time
from collections.abc import Iterator

import dagster as dg
import duckdb

from pipelines.assets.checks import check_result, kept_result, release_memory
from pipelines.assets.plan import PLAN_KEY
from pipelines.contracts import Contract, load_contract, load_contracts
from pipelines.disclosure import is_small_area, kept_out_of_the_file
from pipelines.ingest import (
    ingest_deliveries,
    write_coverage_gaps,
    write_source_register,
)
from pipelines.landing import delivery_files
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


def _ingest_source(
    context: dg.AssetExecutionContext,
    warehouse: WarehouseResource,
    contract: Contract,
    con: duckdb.DuckDBPyConnection,
) -> dict:
    """Read, check and write one source's deliveries into the candidate (`con`); the metadata
    of its materialisation."""
    kept = warehouse.kept_from(contract.source)
    if kept:
        context.log.info(f"{contract.source}: delivery unchanged, raw table kept from {kept}")
        return {"kept_from_release": kept}
    contract_now = load_contract(contract.path)  # with the territory of this run
    files = delivery_files(contract_now, warehouse.paths)
    names = ", ".join(f"{d.original_name} ({d.how})" for d in files) or "none"
    context.log.info(f"ingest {contract.source} from {len(files)} deliveries: {names}")
    try:
        if is_small_area(contract_now):  # never in the file: pipelines/disclosure.py
            with kept_out_of_the_file(con, contract_now, warehouse.candidate):
                report = ingest_deliveries(contract_now, files, con, warehouse.release)
        else:
            report = ingest_deliveries(contract_now, files, con, warehouse.release)
    except InputError as err:
        raise SourceFailed(f"{contract.source}: the delivered file cannot be used\n{err}") from None
    return {
        "deliveries": names,
        "newest_sha256": report.sha256,
        "rows": report.rows,
        "revisions": report.revisions,
        "special_signs": dg.MetadataValue.json(report.status_counts),
        "release": warehouse.release,
    }


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
    failures = []
    # one connection for every source: opening the candidate and writing it back on close
    # cost more than reading a small source
    with duckdb.connect(str(warehouse.candidate)) as con:
        for contract in CONTRACTS.values():
            if raw_key(contract) not in context.selected_asset_keys:
                continue
            started = time.time()
            try:
                metadata = _ingest_source(context, warehouse, contract, con)
            except SourceFailed as failure:
                failures.append(str(failure))
                continue
            finally:
                release_memory()
            metadata[SPAN] = [started, time.time()]
            yield dg.MaterializeResult(asset_key=raw_key(contract), metadata=metadata)
    if failures:
        raise dg.Failure(
            description="\n".join(failures),
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
