"""Write – audit – publish on files: the audited candidate replaces the published warehouse.

`os.replace` is atomic on one file system, so a reader sees either the old or the new
file, never a half-written one; a reader that opened the old file keeps reading it. Every
published file is also kept (hard link) under `releases/` so that rollback is a rename.

Each kept release is registered in `releases/registry.jsonl` with its sha256 and the row
counts of its curated tables; publish and rollback verify the file they are about to
publish (it opens as DuckDB, is the release it claims, has the curated tables, and a kept
file still has its registered checksum), so a tampered or foreign file is refused and
nothing changes. A rollback pins its release: no refresh publishes over a pin until
`sozplan unpin`.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from pipelines.paths import WarehousePaths

KEEP_RELEASES = 5
# The tables dashboards and analysts read; their names and columns are a promise.
CURATED_TABLES = ["marts.dim_region", "marts.dim_indicator", "marts.fct_indicator_value"]


class PublishRefused(RuntimeError):
    """The file to publish is not the audited release it claims to be."""


@dataclass(frozen=True)
class ReleaseRecord:
    release: str
    sha256: str
    published_at: str
    rows: dict[str, int]


def registry_path(paths: WarehousePaths) -> Path:
    return paths.releases_dir / "registry.jsonl"


def release_records(paths: WarehousePaths) -> dict[str, ReleaseRecord]:
    """The registered releases by id (the newest registration of each)."""
    registry = registry_path(paths)
    if not registry.is_file():
        return {}
    records = {}
    for line in registry.read_text(encoding="utf-8").splitlines():
        if line.strip():
            record = ReleaseRecord(**json.loads(line))
            records[record.release] = record
    return records


def _sha256(path: Path) -> str:
    from pipelines.landing import sha256_of

    return sha256_of(path)


def verify_release(file: Path, release: str) -> dict[str, int]:
    """Row counts of the curated tables of `file`, after checking that it opens as DuckDB and
    is `release` (meta.release) with every curated table; PublishRefused says what is wrong."""
    try:
        with duckdb.connect(str(file), read_only=True) as con:
            found = con.execute("select release from meta.release").fetchall()
            if [r[0] for r in found] != [release]:
                names = ", ".join(str(r[0]) for r in found) or "none"
                raise PublishRefused(
                    f"{file.name} records release {names}, not {release}: not published"
                )
            return {
                t: con.execute(f"select count(*) from {t}").fetchone()[0] for t in CURATED_TABLES
            }
    except duckdb.Error as exc:
        first = str(exc).splitlines()[0]
        raise PublishRefused(
            f"{file.name} is not a complete warehouse release ({first}): not published"
        ) from None


def publish(
    candidate: Path, release: str, paths: WarehousePaths, keep: int = KEEP_RELEASES
) -> Path:
    """Swap the audited candidate in as the published warehouse; keep the last `keep` releases."""
    pinned = pinned_release(paths)
    if pinned:
        raise PublishRefused(f"release {pinned} is pinned: run `sozplan unpin` to publish again")
    rows = verify_release(candidate, release)
    paths.releases_dir.mkdir(parents=True, exist_ok=True)
    kept = paths.releases_dir / f"{release}.duckdb"
    if not kept.exists():
        os.link(candidate, kept)
    record = ReleaseRecord(
        release=release,
        sha256=_sha256(candidate),
        published_at=datetime.now(UTC).isoformat(timespec="seconds"),
        rows=rows,
    )
    with registry_path(paths).open("a", encoding="utf-8") as handle:
        handle.write(json.dumps(record.__dict__) + "\n")
    os.replace(candidate, paths.published)
    for old in list_releases(paths)[keep:]:
        if old.stem != pinned_release(paths):
            old.unlink()
    return paths.published


def list_releases(paths: WarehousePaths) -> list[Path]:
    """Kept releases, newest first (release ids start with a UTC timestamp)."""
    if not paths.releases_dir.is_dir():
        return []
    return sorted(paths.releases_dir.glob("*.duckdb"), key=lambda p: p.name, reverse=True)


def rollback(release: str, paths: WarehousePaths) -> Path:
    """Publish a kept release again, after verifying it, and pin it."""
    kept = paths.releases_dir / f"{release}.duckdb"
    if not kept.is_file():
        names = ", ".join(p.stem for p in list_releases(paths)) or "none"
        raise FileNotFoundError(f"no kept release {release!r}; kept releases: {names}")
    record = release_records(paths).get(release)
    if record is None:
        raise PublishRefused(
            f"release {release} has no registered checksum in {registry_path(paths).name} "
            "(published before releases were registered, or not by a refresh): it cannot be "
            "verified and is not published"
        )
    if _sha256(kept) != record.sha256:
        raise PublishRefused(
            f"{kept} was changed after it was published (sha256 differs from the registry): "
            "not published"
        )
    verify_release(kept, release)
    staging = paths.build_dir / f"rollback-{release}.duckdb"
    staging.parent.mkdir(parents=True, exist_ok=True)
    staging.unlink(missing_ok=True)
    os.link(kept, staging)
    os.replace(staging, paths.published)
    pin_file(paths).write_text(release + "\n", encoding="utf-8")
    return paths.published


def unpin(paths: WarehousePaths) -> str | None:
    """Lift the pin; the release that was pinned (None if none was)."""
    pinned = pinned_release(paths)
    pin_file(paths).unlink(missing_ok=True)
    return pinned


def pin_file(paths: WarehousePaths) -> Path:
    return paths.releases_dir / "PINNED"


def pinned_release(paths: WarehousePaths) -> str | None:
    """The release a rollback pinned: no refresh publishes over it until `sozplan unpin`."""
    pin = pin_file(paths)
    return pin.read_text(encoding="utf-8").strip() or None if pin.is_file() else None
