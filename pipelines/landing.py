"""The landing area: every delivered file, immutable, named by its sha256.

`warehouse/landing/<source>/<sha256>.<ext>` plus one manifest row per event (source,
original name, sha256, size, when, how it came, what happened: `landed`, `redelivered`,
`withdrawn` with its reason). Landed files are never changed or removed; the manifest says
which deliveries are in use. Inbox files are matched to a contract by their content
(`pipelines/matching.py`). A refresh reads every delivery of a source in use (the newest wins
where two deliver the same value); the bundled sample is landed and read only while a source
has no delivery of its own in use.

Delivering the current delivery again changes nothing. Delivering bytes that were landed
before (withdrawn, or superseded by a newer delivery) makes them the newest delivery again,
so a withdrawn bad file is undone by delivering the previous good one.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from fnmatch import fnmatch
from pathlib import Path

from filelock import FileLock

from pipelines.contracts import Contract
from pipelines.paths import WarehousePaths


def sha256_of(path: Path) -> str:
    """The file's sha256, read in chunks (deliveries can be large)."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


@dataclass(frozen=True)
class Delivery:
    """One landed file of a source, in landing order."""

    path: Path
    original_name: str
    sha256: str
    landed_at: str
    how: str


SAMPLE = "bundled sample"  # `how` of the bundled sample's landings
LANDED, REDELIVERED, WITHDRAWN = "landed", "redelivered", "withdrawn"


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
    event: str = LANDED  # landed | redelivered | withdrawn
    reason: str = ""  # why a delivery was withdrawn (or who asked)

    @property
    def delivery_id(self) -> str:
        """How a person names a delivery: the start of its sha256."""
        return self.sha256[:12]


@dataclass(frozen=True)
class LandingResult:
    landing: Landing
    new: bool  # False: the same bytes had landed before

    def describe(self) -> str:
        row = self.landing
        if self.new and row.event == REDELIVERED:
            return (
                f"{row.original_name} was landed before as {row.source}/{Path(row.path).name}; "
                f"it is the newest delivery of {row.source} again"
            )
        if self.new:
            return f"landed {row.original_name} as {row.source}/{Path(row.path).name}"
        return (
            f"{row.original_name} is already landed as {row.source}/{Path(row.path).name} "
            f"(since {row.landed_at}) and is the newest delivery; nothing changed"
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
    file: Path,
    source: str,
    how: str,
    paths: WarehousePaths,
    original_name: str | None = None,
    move: bool = False,
) -> LandingResult:
    """Copy `file` into the landing area of `source` unless the same bytes are there already
    (`move`: the file is the caller's to give away, e.g. from the inbox: renamed into place
    where the landing area is on its file system, not copied).

    Bytes that are the newest delivery already change nothing; bytes landed before and since
    withdrawn or superseded become the newest delivery again (a `redelivered` row). The
    bundled sample and real deliveries are kept apart: a delivery with the sample's bytes is
    still a delivery (it ends the use of the sample).
    """
    sha = sha256_of(file)
    name = original_name or file.name
    suffix = Path(name).suffix.lower() or ".bin"
    relative = Path(source) / f"{sha}{suffix}"
    target = landing_dir(paths) / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    with FileLock(landing_dir(paths) / ".manifest.lock"):
        manifest = read_manifest(paths)
        event = LANDED
        if how == SAMPLE:
            for row in manifest:
                if row.source == source and row.sha256 == sha and row.how == SAMPLE:
                    return LandingResult(row, new=False)
        else:
            in_use = deliveries_in_use(source, manifest)
            if in_use and in_use[-1].sha256 == sha:
                return LandingResult(in_use[-1], new=False)
            earlier = [r for r in manifest if r.source == source and r.sha256 == sha]
            if any(r.how != SAMPLE for r in earlier):
                event = REDELIVERED
            if earlier:  # the same bytes are landed already (perhaps under another suffix)
                relative = Path(earlier[-1].path)
                target = landing_dir(paths) / relative
        if not target.exists():
            _place(file, target, move)
        row = Landing(
            source=source,
            original_name=name,
            sha256=sha,
            size=target.stat().st_size,
            landed_at=_now(),
            how=how,
            path=str(relative),
            event=event,
        )
        _append(paths, row)
    return LandingResult(row, new=True)


def _place(file: Path, target: Path, move: bool) -> None:
    """`file`'s bytes at `target`, read-only, appearing there whole (a rename)."""
    if move and not file.is_symlink() and file.stat().st_nlink == 1:  # bytes of its own
        try:
            os.replace(file, target)
            os.chmod(target, 0o444)
            return
        except OSError:
            pass  # another file system: copied
    with (
        tempfile.NamedTemporaryFile(dir=target.parent, delete=False) as tmp,
        file.open("rb") as src,
    ):
        shutil.copyfileobj(src, tmp)
    os.chmod(tmp.name, 0o444)
    os.replace(tmp.name, target)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _append(paths: WarehousePaths, row: Landing) -> None:
    with manifest_path(paths).open("a", encoding="utf-8") as handle:
        handle.write(json.dumps(asdict(row), ensure_ascii=False) + "\n")


def deliveries_in_use(source: str, manifest: list[Landing]) -> list[Landing]:
    """The deliveries of `source` a refresh reads, oldest first: every real landing not
    withdrawn since, each at the place of its latest landing or redelivery."""
    in_use: dict[str, Landing] = {}
    for row in manifest:
        if row.source != source or row.how == SAMPLE:
            continue
        in_use.pop(row.sha256, None)
        if row.event != WITHDRAWN:
            in_use[row.sha256] = row
    return list(in_use.values())


class DeliveryError(ValueError):
    """A delivery named by a person cannot be found or withdrawn."""


def withdraw(source: str, delivery: str, reason: str, paths: WarehousePaths) -> Landing:
    """Take a delivery out of use: its file stays landed, the manifest records why.

    `delivery` is the start of its sha256 (at least 6 characters, as `sozplan deliveries`
    shows it) or its original file name when that names exactly one delivery in use.
    """
    if not reason.strip():
        raise DeliveryError("say why the delivery is withdrawn (--reason)")
    with FileLock(landing_dir(paths) / ".manifest.lock"):
        manifest = read_manifest(paths)
        in_use = deliveries_in_use(source, manifest)
        wanted = delivery.strip().lower()
        found = [
            r
            for r in in_use
            if (len(wanted) >= 6 and r.sha256.startswith(wanted))
            or r.original_name.lower() == wanted
        ]
        if len(found) != 1:
            listed = ", ".join(f"{r.delivery_id} ({r.original_name})" for r in in_use) or "none"
            what = "names several deliveries" if found else "names no delivery in use"
            raise DeliveryError(f"{delivery!r} {what} of {source}; deliveries in use: {listed}")
        row = replace(
            found[0],
            landed_at=_now(),
            how="sozplan withdraw",
            event=WITHDRAWN,
            reason=reason.strip(),
        )
        _append(paths, row)
    return row


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
    # Recognising a file reads it whole (a flat file's codes, a ZIP's member): two at a time,
    # as the ingest reads; landed in their order.
    with ThreadPoolExecutor(2, thread_name_prefix="match") as pool:
        matches = list(pool.map(lambda file: match_file(file, contracts), files))
    for file, match in zip(files, matches, strict=True):
        if match.contract is None:
            report.unmatched.append(Unmatched(file.name, match.reason))
            continue
        report.landed.append(land(file, match.contract.source, "inbox", paths, move=True))
        file.unlink(missing_ok=True)
    return report


def land_inbox_now(paths: WarehousePaths) -> InboxReport:
    """Land what waits in the inbox, each file with the contract its content matches."""
    from pipelines.contracts import load_contracts

    return land_inbox(list(load_contracts().values()), paths)


def deliveries(contract: Contract, paths: WarehousePaths) -> list[Landing]:
    """What a refresh reads for `contract`, oldest first: every delivery in use; while the
    source has none, the bundled sample as it is now (landed if it changed)."""
    rows = deliveries_in_use(contract.source, read_manifest(paths))
    if rows:
        return rows
    return [land(p, contract.source, SAMPLE, paths).landing for p in contract.sample_files]


def delivery_files(contract: Contract, paths: WarehousePaths) -> list[Delivery]:
    """`deliveries` as the files a refresh reads, oldest first."""
    return [
        Delivery(landing_dir(paths) / d.path, d.original_name, d.sha256, d.landed_at, d.how)
        for d in deliveries(contract, paths)
    ]


def current_landing(contract: Contract, paths: WarehousePaths) -> Landing:
    """The newest delivery of `contract` (the sample's last file while there is none)."""
    rows = deliveries(contract, paths)
    if not rows:
        raise LookupError(f"{contract.source}: no delivery and no bundled sample")
    return rows[-1]


@dataclass(frozen=True)
class DeliveryState:
    """One delivery of a source as `sozplan deliveries` shows it."""

    first: Landing  # when and how it first came
    last: Landing  # its latest event (landed, redelivered or withdrawn)
    in_use: bool
    newest: bool

    @property
    def status(self) -> str:
        if not self.in_use and self.last.event != WITHDRAWN:
            return "no longer read (an older bundled sample)"
        if not self.in_use:
            return f"withdrawn {self.last.landed_at[:10]}: {self.last.reason}"
        return "in use, newest" if self.newest else "in use"


def delivery_states(
    source: str, manifest: list[Landing], sample_shas: list[str] | None = None
) -> list[DeliveryState]:
    """Every delivery ever landed for `source` (the bundled sample only while nothing else
    is: those of its files in `sample_shas`), in the order they first came, with whether the
    next refresh reads it."""
    rows = [r for r in manifest if r.source == source]
    real = [r for r in rows if r.how != SAMPLE]
    if real:
        rows = real
        in_use_shas = [r.sha256 for r in deliveries_in_use(source, manifest)]
    else:
        in_use_shas = [s for s in sample_shas or [] if any(r.sha256 == s for r in rows)]
    first: dict[str, Landing] = {}
    last: dict[str, Landing] = {}
    for row in rows:
        first.setdefault(row.sha256, row)
        last[row.sha256] = row
    return [
        DeliveryState(
            first=row,
            last=last[sha],
            in_use=sha in in_use_shas,
            newest=bool(in_use_shas) and sha == in_use_shas[-1],
        )
        for sha, row in first.items()
    ]
