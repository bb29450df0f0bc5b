"""Sozialplanung indicator warehouse: Dagster code location and the `sozplan` CLI."""
