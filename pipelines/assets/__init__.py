"""Dagster assets in flow order: ingest → transform (dbt) → audit → publish."""
