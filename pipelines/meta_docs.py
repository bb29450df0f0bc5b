"""Descriptions of the `meta` tables (written in Python, not by dbt), stored as DuckDB
comments at publish so that `sozplan describe`, BI tools and `duckdb_columns()` explain them
like the marts (whose descriptions dbt's persist_docs writes)."""

from __future__ import annotations

import duckdb

META_DOCS: dict[str, tuple[str, dict[str, str]]] = {
    "meta.release": (
        "The release this file holds: one row, written when it was published.",
        {
            "release": "Release id (date and sequence), stamped on every indicator value",
            "run_id": "The Dagster run that built and published it",
            "published_at": "When it was published (UTC)",
            "gebietsstand": "Territorial status every series is expressed on",
            "input_fingerprint": "Hash of the delivered files, contracts and territory read",
            "structure_fingerprint": "Hash of contracts, territory, dbt project and code",
        },
    ),
    "meta.source_file": (
        "Provenance register: one row per delivered file with its sha256, table code, "
        "licence and attribution.",
        {
            "source": "Source id (its contract in data_contracts/)",
            "table_code": "The publisher's table code, e.g. 12411-02-03-4",
            "file_name": "The file's name as delivered",
            "file_sha256": "sha256 of the delivered file",
            "rows": "Rows the file delivered",
            "current_rows": "Rows of the file still current (not revised by a later delivery)",
            "periods": "Years the file holds, comma-separated",
            "reader": "The reader that read it",
            "licence": "Licence of the data, e.g. dl-de/by-2-0",
            "attribution": "Attribution the licence requires",
            "ingested_at": "When it was ingested (UTC)",
            "release": "Release that ingested it",
            "parts_tolerance": "How far the parts may miss the published total (contract)",
            "delivery_seq": "Order of the deliveries of its source (1: oldest)",
        },
    ),
    "meta.coverage_gap": (
        "Years of the territory's range that no delivery of a source holds (shown as missing).",
        {
            "source": "Source id",
            "period_year": "Year without a delivery",
            "source_delivered": "Whether the source has any delivery at all",
        },
    ),
    "meta.revision": (
        "Values a later delivery of the same source changed: old and new value with their files.",
        {
            "source": "Source id",
            "period_year": "Year of the value",
            "region_key": "Region key (AGS)",
            "key": "The row's key columns as text",
            "old_value": "Value of the earlier delivery",
            "old_status": "Special sign of the earlier delivery",
            "old_file": "Earlier file",
            "old_sha256": "sha256 of the earlier file",
            "new_value": "Value of the later delivery",
            "new_status": "Special sign of the later delivery",
            "new_file": "Later file",
            "new_sha256": "sha256 of the later file",
        },
    ),
    "meta.release_change": (
        "What changed against the release this one replaced: one row per changed value, "
        "indicator or file.",
        {
            "kind": "Kind of change: delivery_added, period_gone, value_changed, …",
            "indicator_id": "Indicator (where the change is one)",
            "region_key": "Region key (AGS)",
            "period": "Year",
            "old_value": "Value in the previous release",
            "new_value": "Value in this release",
            "old_status": "Special sign in the previous release",
            "new_status": "Special sign in this release",
            "source": "Source whose delivery caused it",
            "file_sha256": "sha256 of that delivery",
            "file_name": "Name of that delivery",
            "detail": "The change in words",
        },
    ),
    "meta.release_change_summary": (
        "Changes against the previous release, counted per kind.",
        {
            "release": "This release",
            "previous_release": "The release it replaced",
            "previous_published_at": "When that one was published (UTC)",
            "kind": "Kind of change",
            "changes": "How many",
            "indicators": "Indicators affected",
        },
    ),
    "meta.dbt_build": (
        "What dbt built for this release (the next refresh compares the manifest checksum).",
        {
            "release": "Release",
            "manifest_checksum": "Checksum of the dbt manifest the build used",
            "selection": "all, or the changed sources whose models were rebuilt",
        },
    ),
}


def _text(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def comment_meta_tables(con: duckdb.DuckDBPyConnection) -> int:
    """COMMENT ON every `meta` table of `con` described here and its described columns; the
    number of comments written (a table not in the file is left out)."""
    present = {
        f"{schema}.{table}"
        for schema, table in con.execute(
            "select schema_name, table_name from duckdb_tables() "
            "where schema_name = 'meta' and database_name = current_database()"
        ).fetchall()
    }
    written = 0
    for table, (description, columns) in META_DOCS.items():
        if table not in present:
            continue
        con.execute(f"comment on table {table} is {_text(description)}")
        existing = {
            row[0]
            for row in con.execute(
                "select column_name from duckdb_columns() where schema_name = 'meta' "
                "and table_name = ? and database_name = current_database()",
                [table.split(".")[1]],
            ).fetchall()
        }
        for column, text in columns.items():
            if column in existing:
                con.execute(f"comment on column {table}.{column} is {_text(text)}")
                written += 1
        written += 1
    return written
