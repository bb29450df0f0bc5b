"""The landing area: every delivered file, immutable, named by its sha256.

`warehouse/landing/<source>/<sha256>.<ext>` plus one manifest row per landing (source,
original name, sha256, size, landed at, how it came). Landing the same bytes twice changes
nothing and says so. A refresh reads, per source, the most recently landed file; the bundled
sample is landed like any delivery when a source has none yet.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from fnmatch import fnmatch
from pathlib import Path

from filelock import FileLock

from pipelines.contracts import Contract
from pipelines.ingest import sha256_of
from pipelines.paths import WarehousePaths


@dataclass(frozen=True)
class Landing:
    """One manifest row: a file in the landing area and how it got there."""

    source: str
    original_name: str
    sha256: str
    size: int
    landed_at: str
    how: str
    path: str  # relative to the landing folder


@dataclass(frozen=True)
class LandingResult:
    landing: Landing
    new: bool  # False: the same bytes had landed before

    def describe(self) -> str:
        row = self.landing
        if self.new:
            return f"landed {row.original_name} as {row.source}/{Path(row.path).name}"
        return (
            f"{row.original_name} is already landed as {row.source}/{Path(row.path).name} "
            f"(since {row.landed_at}); nothing changed"
        )


def landing_dir(paths: WarehousePaths) -> Path:
    return paths.root / "landing"


def manifest_path(paths: WarehousePaths) -> Path:
    return landing_dir(paths) / "manifest.jsonl"


def read_manifest(paths: WarehousePaths) -> list[Landing]:
    """All manifest rows, oldest first."""
    manifest = manifest_path(paths)
    if not manifest.is_file():
        return []
    with manifest.open(encoding="utf-8") as handle:
        return [Landing(**json.loads(line)) for line in handle if line.strip()]


def land(
    file: Path, source: str, how: str, paths: WarehousePaths, original_name: str | None = None
) -> LandingResult:
    """Copy `file` into the landing area of `source` unless the same bytes are there already."""
    sha = sha256_of(file)
    name = original_name or file.name
    suffix = Path(name).suffix.lower() or ".bin"
    relative = Path(source) / f"{sha}{suffix}"
    target = landing_dir(paths) / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    with FileLock(landing_dir(paths) / ".manifest.lock"):
        for row in read_manifest(paths):
            if row.source == source and row.sha256 == sha:
                return LandingResult(row, new=False)
        with (
            tempfile.NamedTemporaryFile(dir=target.parent, delete=False) as tmp,
            file.open("rb") as src,
        ):
            shutil.copyfileobj(src, tmp)
        os.chmod(tmp.name, 0o444)
        os.replace(tmp.name, target)
        row = Landing(
            source=source,
            original_name=name,
            sha256=sha,
            size=target.stat().st_size,
            landed_at=datetime.now(UTC).isoformat(timespec="seconds"),
            how=how,
            path=str(relative),
        )
        with manifest_path(paths).open("a", encoding="utf-8") as handle:
            handle.write(json.dumps(asdict(row), ensure_ascii=False) + "\n")
    return LandingResult(row, new=True)


def contract_for(name: str, contracts: list[Contract]) -> Contract | None:
    """The contract whose file pattern matches a delivered file name."""
    matches = [c for c in contracts if fnmatch(name, c.file_pattern)]
    if len(matches) > 1:
        sources = ", ".join(c.source for c in matches)
        raise ValueError(f"{name} matches the file patterns of several contracts: {sources}")
    return matches[0] if matches else None


def land_inbox(contract: Contract, paths: WarehousePaths) -> list[LandingResult]:
    """Land the inbox files of one source (oldest first) and take them out of the inbox."""
    inbox = paths.inbox_dir
    if not inbox.is_dir():
        return []
    files = sorted(
        (p for p in inbox.iterdir() if p.is_file() and fnmatch(p.name, contract.file_pattern)),
        key=lambda p: (p.stat().st_mtime_ns, p.name),
    )
    results = []
    for file in files:
        results.append(land(file, contract.source, "inbox", paths))
        file.unlink()
    return results


SAMPLE = "bundled sample"


def current_landing(contract: Contract, paths: WarehousePaths) -> Landing:
    """The delivery a refresh reads for `contract`: the latest landed one; while a source
    has no delivery of its own, the bundled sample as it is now (landed if it changed)."""
    rows = [r for r in read_manifest(paths) if r.source == contract.source]
    if all(r.how == SAMPLE for r in rows):
        return land(contract.sample_file, contract.source, SAMPLE, paths).landing
    return rows[-1]
