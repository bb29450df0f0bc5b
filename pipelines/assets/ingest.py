"""Ingest assets, one per data contract: its deliveries → contract checks → `raw.<source>`.

Also `meta/source_file`, the provenance register the marts read licence and attribution from.
"""

import dagster as dg
import duckdb

from pipelines.assets.checks import gx_suite_check, release_memory
from pipelines.assets.plan import PLAN_KEY
from pipelines.contracts import Contract, load_contract, load_contracts
from pipelines.ingest import (
    ingest_deliveries,
    write_coverage_gaps,
    write_source_register,
)
from pipelines.landing import delivery_files
from pipelines.readers.errors import InputError
from pipelines.resources import WarehouseResource

GROUP = "ingest"


def raw_key(contract: Contract) -> dg.AssetKey:
    return dg.AssetKey(["raw", contract.source])


def ingest_asset(contract: Contract) -> dg.AssetsDefinition:
    @dg.asset(
        key=raw_key(contract),
        group_name=GROUP,
        deps=[PLAN_KEY],
        kinds={"duckdb"},
        description=f"{contract.table_code}: {contract.title}",
        metadata={
            "contract": str(contract.path.name),
            "table_code": contract.table_code,
            "publisher": contract.publisher,
            "licence": contract.licence,
        },
    )
    def _ingest(
        context: dg.AssetExecutionContext, warehouse: WarehouseResource
    ) -> dg.MaterializeResult:
        paths = warehouse.paths
        kept = warehouse.kept_from(contract.source)
        if kept:
            context.log.info(f"{contract.source}: delivery unchanged, raw table kept from {kept}")
            return dg.MaterializeResult(metadata={"kept_from_release": kept})
        contract_now = load_contract(contract.path)  # with the territory of this run
        files = delivery_files(contract_now, paths)
        names = ", ".join(f"{d.original_name} ({d.how})" for d in files) or "none"
        context.log.info(f"ingest {contract.source} from {len(files)} deliveries: {names}")
        try:
            with duckdb.connect(str(warehouse.candidate)) as con:
                report = ingest_deliveries(contract_now, files, con, warehouse.release)
            release_memory()
        except InputError as err:
            raise dg.Failure(
                description=f"{contract.source}: the delivered file cannot be used\n{err}",
                metadata={"files": names, "problems": len(err.problems)},
                allow_retries=False,
            ) from None
        return dg.MaterializeResult(
            metadata={
                "deliveries": names,
                "newest_sha256": report.sha256,
                "rows": report.rows,
                "revisions": report.revisions,
                "special_signs": dg.MetadataValue.json(report.status_counts),
                "release": warehouse.release,
            }
        )

    return _ingest


def raw_check(contract: Contract) -> dg.AssetChecksDefinition:
    def suite(warehouse: WarehouseResource):
        from pipelines.audit.suites import raw_suite

        return raw_suite(contract, release=warehouse.release)

    return gx_suite_check(
        raw_key(contract),
        contract.raw_table,
        suite,
        "gx_contract_suite",
        kept=lambda warehouse: warehouse.kept_from(contract.source),
    )


CONTRACTS = load_contracts()
INGEST_ASSETS = [ingest_asset(c) for c in CONTRACTS.values()]
RAW_CHECKS = [raw_check(c) for c in CONTRACTS.values()]


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
