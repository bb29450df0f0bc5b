"""What a release was built from, as one hash: a refresh whose inputs did not change is a no-op.

The fingerprint covers every delivery a refresh would read (sha256 of every landed file
per source, or of the bundled sample), the contracts and the indicator catalogue, the dbt
project, the code that reads and conforms files, the territory and the chosen Gebietsstand.
It is stored with each release (`meta.release.input_fingerprint`); `sozplan refresh`
compares it with the published one before it starts anything heavy.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import duckdb

from pipelines.contracts import Contract, load_contracts
from pipelines.disclosure import small_area_sources
from pipelines.landing import sha256_of
from pipelines.paths import (
    CONTRACTS_DIR,
    DBT_PROJECT_DIR,
    PROJECT_ROOT,
    WarehousePaths,
    contracts_dir,
)
from pipelines.territory import current_territory

CODE_DIRS = ("pipelines/readers", "pipelines/assets", "pipelines/audit")
CODE_FILES = (
    "pipelines/conform.py",
    "pipelines/ingest.py",
    "pipelines/contracts.py",
    "pipelines/disclosure.py",
)
DBT_DIRS = ("models", "seeds", "tests", "macros")


def delivery_shas(contract: Contract, paths: WarehousePaths) -> list[str]:
    """sha256 of every file the next refresh reads for `contract`, in delivery order (nothing
    is landed here: the inbox is landed before a refresh looks at this)."""
    from pipelines.landing import deliveries_in_use, read_manifest

    rows = deliveries_in_use(contract.source, read_manifest(paths))
    if rows:
        return [r.sha256 for r in rows]
    return [sha256_of(p) for p in contract.sample_files]


def delivery_sha(contract: Contract, paths: WarehousePaths) -> str:
    """One hash over the deliveries of `contract`."""
    return hashlib.sha256(" ".join(delivery_shas(contract, paths)).encode()).hexdigest()


def _files(root: Path, folders: tuple[str, ...]) -> list[Path]:
    return sorted(p for f in folders for p in (root / f).rglob("*") if p.is_file())


def input_fingerprint(paths: WarehousePaths, gebietsstand: str, structure: str = "") -> str:
    """One hash over everything a release depends on: its structure (computed unless given)
    and every delivery."""
    structure = structure or structure_fingerprint(gebietsstand)
    digest = hashlib.sha256(f"structure={structure}\n".encode())
    for source, contract in sorted(load_contracts().items()):
        digest.update(f"{source}={delivery_sha(contract, paths)}\n".encode())
    return digest.hexdigest()


def structure_fingerprint(gebietsstand: str) -> str:
    """Everything but the deliveries: contracts, territory, dbt project, code, Gebietsstand.

    While it is unchanged, a raw table built from the same delivery is the same table, so a
    refresh may keep it from the published release instead of reading the file again.
    """
    digest = hashlib.sha256(f"gebietsstand={gebietsstand}\n".encode())
    territory = current_territory()
    files = _files(CONTRACTS_DIR, (".",)) + _files(contracts_dir(), (".",)) + territory.files
    files += _files(DBT_PROJECT_DIR, DBT_DIRS)
    files += [DBT_PROJECT_DIR / "dbt_project.yml"]
    files += _files(PROJECT_ROOT, CODE_DIRS) + [PROJECT_ROOT / f for f in CODE_FILES]
    for path in files:
        if "__pycache__" in path.parts or path.suffix == ".geojson":  # maps: reports only
            continue
        name = path.relative_to(PROJECT_ROOT) if path.is_relative_to(PROJECT_ROOT) else path
        digest.update(f"{name}\n".encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def kept_sources(paths: WarehousePaths, gebietsstand: str) -> dict[str, str]:
    """Sources whose raw table a refresh can keep from the published release: same structure
    fingerprint, and the delivery it would read is the one the release read (source ->
    release). Empty when there is no published release or anything structural changed. The
    small-area sources are never kept: the published file holds no rows of theirs
    (pipelines/disclosure.py), they are read again from their landed files."""
    if not paths.published.is_file():
        return {}
    try:
        with duckdb.connect(str(paths.published), read_only=True) as con:
            release, structure = con.execute(
                "select release, structure_fingerprint from meta.release"
            ).fetchone()
            files = con.execute(
                "select source, file_sha256 from meta.source_file order by source, delivery_seq"
            ).fetchall()
    except (duckdb.Error, TypeError):
        return {}  # an older release without the structure fingerprint or delivery order
    if structure != structure_fingerprint(gebietsstand):
        return {}
    read: dict[str, list[str]] = {}
    for source, sha in files:
        read.setdefault(source, []).append(sha)
    contracts = load_contracts()
    small_areas = {c.source for c in small_area_sources(contracts.values())}
    return {  # the same deliveries in the same order (the newest wins where they overlap)
        source: release
        for source, contract in contracts.items()
        if source not in small_areas and read.get(source, []) == delivery_shas(contract, paths)
    }


def published_fingerprint(paths: WarehousePaths) -> tuple[str, str] | None:
    """(release, fingerprint) of the published warehouse, if it records one."""
    if not paths.published.is_file():
        return None
    try:
        with duckdb.connect(str(paths.published), read_only=True) as con:
            row = con.execute("select release, input_fingerprint from meta.release").fetchone()
    except duckdb.Error:
        return None
    return (row[0], row[1]) if row and row[1] else None
