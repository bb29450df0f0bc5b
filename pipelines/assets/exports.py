"""The exports asset: after publish, the release's marts as files for BI tools and spreadsheets.

A failed export leaves the publish as it is (the release is already in place) and fails this
step with a message that says so; `sozplan export` writes the export again.
"""

import time

import dagster as dg

from pipelines.resources import WarehouseResource


@dg.asset(
    group_name="publish",
    deps=[dg.AssetKey("publish")],
    kinds={"parquet", "csv", "excel"},
    description="The published release's marts as Parquet, CSV (;, decimal comma, UTF-8 with "
    "BOM) and one xlsx workbook with a data dictionary in warehouse/exports/<release>/; "
    "warehouse/exports/current points at it.",
)
def exports(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource
) -> dg.MaterializeResult:
    from pipelines.exports import ExportError, export_release, published_release, refresh_formats

    paths = warehouse.paths
    # a selection made in the UI publishes nothing: it exports the release in place
    release = published_release(paths) if warehouse.is_selection else warehouse.release
    if release is None:
        raise dg.Failure(
            description=f"nothing is published at {paths.published}: nothing to export",
            allow_retries=False,
        )
    started = time.perf_counter()
    try:
        formats = refresh_formats()
        folder = export_release(paths.published, release, paths, formats)
    except (ExportError, OSError) as exc:
        raise dg.Failure(
            description=f"release {release} is published, but its export to "
            f"{paths.exports_dir} failed: {exc}. Run `sozplan export` to write it again.",
            allow_retries=False,
        ) from None
    seconds = time.perf_counter() - started
    context.log.info(f"exported release {release} to {folder} in {seconds:.1f} s")
    return dg.MaterializeResult(
        metadata={
            "release": release,
            "formats": ", ".join(formats),
            "path": str(folder),
            "files": len(list(folder.iterdir())),
            "seconds": round(seconds, 1),
        }
    )
