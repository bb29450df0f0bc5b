"""Audit layer: data-quality checks on raw tables and marts, reported with failing example rows.

Great Expectations is imported lazily inside the functions of `pipelines.audit.expectations`
(it costs seconds to import), so importing this package stays cheap for Dagster code loading.
"""
