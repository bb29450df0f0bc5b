"""Format readers: each turns one kind of delivered file into the canonical long table.

A reader is a module in this package with
- `read(path: Path, con=None, **options) -> ReadResult` (options come from the contract's
  `reader_options`), writing the file's rows into a temporary table of the DuckDB connection
  `con` (none given: a private in-memory one) and raising `InputError` with file, line/cell,
  column, expected and found;
- `OPTIONS: dict[str, type]`, the options it accepts, so an invalid contract fails fast.
The canonical table has the columns of `raw.<source>` without lineage (`table.CANONICAL_COLUMNS`),
plus `_row` and `_value_column` (pipelines/readers/table.py). A large format is read by
DuckDB itself (genesis_ffcsv); a small one may build its rows in Python and hand them over
with `table.from_rows`.
Readers are imported on first use: a contract names one, the rest stay unloaded.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from types import ModuleType

import duckdb

from pipelines.readers.errors import InputError, Problem
from pipelines.readers.table import ReadResult

READERS: dict[str, str] = {
    "genesis_ffcsv": "pipelines.readers.genesis_ffcsv",
    "genesis_classic": "pipelines.readers.genesis_classic",
    "ba_xlsx": "pipelines.readers.ba_xlsx",
    "municipal": "pipelines.readers.municipal",
}


def reader_module(name: str) -> ModuleType:
    """The module of a named reader."""
    return importlib.import_module(READERS[name])


def read_file(
    path: Path, reader: str, con: duckdb.DuckDBPyConnection | None = None, **options: object
) -> ReadResult:
    """Read `path` with the named reader into a table of `con` (none: a private one)."""
    return reader_module(reader).read(Path(path), con=con, **options)


__all__ = ["READERS", "InputError", "Problem", "ReadResult", "read_file", "reader_module"]
