"""Write – audit – publish on files: the audited candidate replaces the published warehouse.

`os.replace` is atomic on one file system, so a reader sees either the old or the new
file, never a half-written one; a reader that opened the old file keeps reading it. Every
published file is also kept (hard link) under `releases/` so that rollback is a rename.
"""

from __future__ import annotations

import os
from pathlib import Path

from pipelines.paths import WarehousePaths

KEEP_RELEASES = 5
# The tables dashboards and analysts read; their names and columns are a promise.
CURATED_TABLES = ["marts.dim_region", "marts.dim_indicator", "marts.fct_indicator_value"]


def publish(
    candidate: Path, release: str, paths: WarehousePaths, keep: int = KEEP_RELEASES
) -> Path:
    """Swap the audited candidate in as the published warehouse; keep the last `keep` releases."""
    paths.releases_dir.mkdir(parents=True, exist_ok=True)
    kept = paths.releases_dir / f"{release}.duckdb"
    if not kept.exists():
        os.link(candidate, kept)
    os.replace(candidate, paths.published)
    for old in list_releases(paths)[keep:]:
        old.unlink()
    return paths.published


def list_releases(paths: WarehousePaths) -> list[Path]:
    """Kept releases, newest first (release ids start with a UTC timestamp)."""
    if not paths.releases_dir.is_dir():
        return []
    return sorted(paths.releases_dir.glob("*.duckdb"), key=lambda p: p.name, reverse=True)


def rollback(release: str, paths: WarehousePaths) -> Path:
    """Publish a kept release again."""
    kept = paths.releases_dir / f"{release}.duckdb"
    if not kept.is_file():
        names = ", ".join(p.stem for p in list_releases(paths)) or "none"
        raise FileNotFoundError(f"no kept release {release!r}; kept releases: {names}")
    staging = paths.build_dir / f"rollback-{release}.duckdb"
    staging.parent.mkdir(parents=True, exist_ok=True)
    staging.unlink(missing_ok=True)
    os.link(kept, staging)
    os.replace(staging, paths.published)
    return paths.published


def pin_file(paths: WarehousePaths) -> Path:
    return paths.releases_dir / "PINNED"


def pinned_release(paths: WarehousePaths) -> str | None:
    """The release a rollback pinned: no refresh publishes over it until `sozplan unpin`."""
    pin = pin_file(paths)
    return pin.read_text(encoding="utf-8").strip() or None if pin.is_file() else None
