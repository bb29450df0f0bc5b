"""Format readers: each turns one kind of delivered file into the canonical long table.

A reader is a module in this package with
- `read(path: Path, **options) -> ReadResult` (options come from the contract's
  `reader_options`), raising `InputError` with file, line/cell, column, expected and found;
- `OPTIONS: dict[str, type]`, the options it accepts, so an invalid contract fails fast.
The canonical table has the columns of `raw.<source>` without lineage (`table.CANONICAL_COLUMNS`).
Readers are imported on first use: a contract names one, the rest stay unloaded.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from types import ModuleType

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


def read_file(path: Path, reader: str, **options: object) -> ReadResult:
    """Read `path` with the named reader."""
    return reader_module(reader).read(Path(path), **options)


__all__ = ["READERS", "InputError", "Problem", "ReadResult", "read_file", "reader_module"]
