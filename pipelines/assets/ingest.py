"""Ingest assets, one per data contract: delivered file → contract checks → `raw.<source>`.

Also `meta/source_file`, the provenance register the marts read licence and attribution from.
"""

import dagster as dg
import duckdb

from pipelines.assets.checks import gx_suite_check, release_memory
from pipelines.contracts import Contract, load_contract, load_contracts
from pipelines.ingest import ingest, write_source_register
from pipelines.landing import current_landing, land_inbox, landing_dir
from pipelines.readers.errors import InputError
from pipelines.resources import WarehouseResource

GROUP = "ingest"


def raw_key(contract: Contract) -> dg.AssetKey:
    return dg.AssetKey(["raw", contract.source])


def ingest_asset(contract: Contract) -> dg.AssetsDefinition:
    @dg.asset(
        key=raw_key(contract),
        group_name=GROUP,
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
        for result in land_inbox(contract_now, paths):
            context.log.info(result.describe())
        delivery = current_landing(contract_now, paths)
        path = landing_dir(paths) / delivery.path
        context.log.info(f"ingest {contract.source} from {delivery.original_name} ({delivery.how})")
        try:
            with duckdb.connect(str(warehouse.candidate)) as con:
                report = ingest(contract_now, path, con, warehouse.release, delivery.original_name)
            release_memory()
        except InputError as err:
            raise dg.Failure(
                description=f"{contract.source}: the delivered file cannot be used\n{err}",
                metadata={"file": delivery.original_name, "problems": len(err.problems)},
                allow_retries=False,
            ) from None
        return dg.MaterializeResult(
            metadata={
                "file": delivery.original_name,
                "landed_as": delivery.path,
                "sha256": report.sha256,
                "rows": report.rows,
                "special_signs": dg.MetadataValue.json(report.status_counts),
                "release": warehouse.release,
            }
        )

    return _ingest


def raw_check(contract: Contract) -> dg.AssetChecksDefinition:
    def expectations() -> list[dict]:
        from pipelines.audit.expectations import raw_expectations

        return raw_expectations(load_contract(contract.path).as_dict())

    return gx_suite_check(
        raw_key(contract),
        contract.raw_table,
        expectations,
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
    description="Provenance register: one row per ingested file with sha256, licence, attribution.",
)
def source_file(warehouse: WarehouseResource) -> dg.MaterializeResult:
    with duckdb.connect(str(warehouse.candidate)) as con:
        rows = write_source_register(con, list(CONTRACTS.values()))
    return dg.MaterializeResult(metadata={"files": rows})
