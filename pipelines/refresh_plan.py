"""Whether a refresh builds anything: one decision for every trigger (CLI, schedule, sensor, UI).

A refresh builds nothing while a release is pinned (`sozplan rollback` pins it until
`sozplan unpin`) or when its inputs are those of the published release (the input
fingerprint: deliveries in use, contracts, code, dbt project, territory, Gebietsstand). It
cannot start at all with a dbt manifest older than the dbt project (run `make setup`).
The refresh job's first asset asks this; `sozplan refresh` asks the same before it starts
Dagster, so a refresh with nothing to do answers at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pipelines.paths import DBT_PROJECT_DIR, WarehousePaths

DBT_FOLDERS = ("models", "seeds", "tests", "macros")
SKIPPED_TAG = "sozplan/skipped"  # run tag: why a refresh built nothing


@dataclass(frozen=True)
class RefreshPlan:
    skip: str | None = None  # why nothing is built
    error: str | None = None  # why the refresh cannot start
    published_release: str | None = None

    @property
    def build(self) -> bool:
        return not self.skip and not self.error


def stale_manifest_files() -> list[Path]:
    """dbt project files newer than the manifest Dagster loads (run `make setup`)."""
    manifest = DBT_PROJECT_DIR / "target" / "manifest.json"
    if not manifest.is_file():
        return [manifest]
    built = manifest.stat().st_mtime
    files = [p for f in DBT_FOLDERS for p in (DBT_PROJECT_DIR / f).rglob("*") if p.is_file()]
    files += [DBT_PROJECT_DIR / "dbt_project.yml"]
    return sorted(p for p in files if p.stat().st_mtime > built)


def plan_refresh(paths: WarehousePaths, gebietsstand: str, force: bool) -> RefreshPlan:
    """What a refresh of `paths` on `gebietsstand` does; `force` rebuilds unchanged inputs
    (never over a pin)."""
    from pipelines.fingerprint import input_fingerprint, published_fingerprint
    from pipelines.publish import pinned_release

    stale = stale_manifest_files()
    if stale:
        names = ", ".join(str(p.relative_to(DBT_PROJECT_DIR)) for p in stale[:5])
        return RefreshPlan(error=f"the dbt manifest is older than {names}: run `make setup`")
    published = published_fingerprint(paths)
    release = published[0] if published else None
    pinned = pinned_release(paths)
    if pinned:
        return RefreshPlan(
            skip=f"release {pinned} is pinned (sozplan rollback): nothing is published over it "
            "until `sozplan unpin`",
            published_release=release,
        )
    if not force and published and published[1] == input_fingerprint(paths, gebietsstand):
        return RefreshPlan(
            skip=f"nothing changed since release {release} (deliveries, contracts, code, "
            f"Gebietsstand {gebietsstand}): nothing to build",
            published_release=release,
        )
    return RefreshPlan(published_release=release)
