"""The landing area: every delivered file, immutable, named by its sha256.

`warehouse/landing/<source>/<sha256>.<ext>` plus one manifest row per landing (source,
original name, sha256, size, landed at, how it came). Landing the same bytes twice changes
nothing and says so. Inbox files are matched to a contract by their content
(`pipelines/matching.py`). A refresh reads every landed delivery of a source (the newest wins
where two deliver the same value); the bundled sample is landed and read only while a source
has no delivery of its own.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from fnmatch import fnmatch
from pathlib import Path

from filelock import FileLock

from pipelines.contracts import Contract
from pipelines.ingest import sha256_of
from pipelines.paths import WarehousePaths

SAMPLE = "bundled sample"  # `how` of the bundled sample's landings


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
    """Copy `file` into the landing area of `source` unless the same bytes are there already.

    The bundled sample and real deliveries are kept apart: a delivery with the sample's bytes
    is still a delivery (it ends the use of the sample).
    """
    sha = sha256_of(file)
    name = original_name or file.name
    suffix = Path(name).suffix.lower() or ".bin"
    relative = Path(source) / f"{sha}{suffix}"
    target = landing_dir(paths) / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    with FileLock(landing_dir(paths) / ".manifest.lock"):
        for row in read_manifest(paths):
            if (
                row.source == source
                and row.sha256 == sha
                and (row.how == SAMPLE) == (how == SAMPLE)
            ):
                return LandingResult(row, new=False)
        if not target.exists():
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


def contract_for(file: Path | str, contracts: list[Contract]) -> Contract | None:
    """The contract a delivered file belongs to: by its content when the file exists (the
    name is a hint), by its name's pattern otherwise. ValueError says why none fits."""
    path = Path(file)
    if path.is_file():
        from pipelines.matching import match_file

        match = match_file(path, contracts)
        if match.contract is None:
            raise ValueError(match.reason)
        return match.contract
    matches = [c for c in contracts if fnmatch(path.name, c.file_pattern)]
    if len(matches) > 1:
        sources = ", ".join(c.source for c in matches)
        raise ValueError(f"{path.name} matches the file patterns of several contracts: {sources}")
    return matches[0] if matches else None


@dataclass(frozen=True)
class Unmatched:
    """An inbox file no contract takes: it stays in the inbox and is reported."""

    name: str
    reason: str

    def describe(self) -> str:
        return f"{self.name} stays in the inbox: {self.reason}"


@dataclass
class InboxReport:
    landed: list[LandingResult] = field(default_factory=list)
    unmatched: list[Unmatched] = field(default_factory=list)

    def lines(self) -> list[str]:
        return [r.describe() for r in self.landed] + [u.describe() for u in self.unmatched]


def land_inbox(contracts: list[Contract], paths: WarehousePaths) -> InboxReport:
    """Land every inbox file (oldest first) with the contract its content matches.

    A file no contract takes stays in the inbox; the report says why (nearest contract).
    """
    from pipelines.matching import match_file

    report = InboxReport()
    inbox = paths.inbox_dir
    if not inbox.is_dir():
        return report
    files = sorted(
        (p for p in inbox.iterdir() if p.is_file() and not p.name.startswith(".")),
        key=lambda p: (p.stat().st_mtime_ns, p.name),
    )
    for file in files:
        match = match_file(file, contracts)
        if match.contract is None:
            report.unmatched.append(Unmatched(file.name, match.reason))
            continue
        report.landed.append(land(file, match.contract.source, "inbox", paths))
        file.unlink()
    return report


def deliveries(contract: Contract, paths: WarehousePaths) -> list[Landing]:
    """What a refresh reads for `contract`, oldest first: every landed delivery; while the
    source has none, the bundled sample as it is now (landed if it changed)."""
    rows = [r for r in read_manifest(paths) if r.source == contract.source and r.how != SAMPLE]
    if rows:
        return rows
    return [land(p, contract.source, SAMPLE, paths).landing for p in contract.sample_files]


def current_landing(contract: Contract, paths: WarehousePaths) -> Landing:
    """The newest delivery of `contract` (the sample's last file while there is none)."""
    rows = deliveries(contract, paths)
    if not rows:
        raise LookupError(f"{contract.source}: no delivery and no bundled sample")
    return rows[-1]
