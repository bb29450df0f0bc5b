"""Format readers: each turns one kind of delivered file into the canonical long table.

A contract names its reader here. The canonical table has the columns of `raw.<source>`
without the lineage columns (see `pipelines.readers.genesis_ffcsv.CANONICAL_COLUMNS`).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from pipelines.readers import genesis_ffcsv
from pipelines.readers.errors import InputError, Problem
from pipelines.readers.table import ReadResult

Reader = Callable[..., ReadResult]

READERS: dict[str, Reader] = {
    "genesis_ffcsv": genesis_ffcsv.read,
}


def read_file(path: Path, reader: str, **options: object) -> ReadResult:
    """Read `path` with the named reader."""
    return READERS[reader](path, **options)


__all__ = ["READERS", "InputError", "Problem", "ReadResult", "read_file"]
