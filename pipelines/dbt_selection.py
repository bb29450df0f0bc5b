"""Which dbt nodes a refresh builds: all of them, or only what depends on changed deliveries.

A refresh whose candidate starts as a copy of the published release (contracts, territory,
Gebietsstand, dbt project and code unchanged: `pipelines.fingerprint.kept_sources`) already
holds every model built from the unchanged deliveries, tested there. dbt then builds only
the models and tests downstream of the sources whose deliveries changed, of the provenance
register `meta.source_file` (every delivery changes it) and of the models whose rows carry
the release id (a documented column `release`: `fct_indicator_value`,
`mart_indicator_values`); what is kept is never downstream of what is built. Everything is
built when the candidate starts empty (first release, `--force`, anything structural
changed) or when the published release was built with another dbt project than this
manifest's (its checksum is recorded in `meta.dbt_build`).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from graphlib import TopologicalSorter
from pathlib import Path
from typing import Any

import duckdb

from pipelines.contracts import load_contracts
from pipelines.paths import DBT_PROJECT_DIR, WarehousePaths

MANIFEST = DBT_PROJECT_DIR / "target" / "manifest.json"
BUILT_NODES = ("model", "seed", "test", "snapshot")
PROVENANCE_SOURCE = "source.sozialplanung.meta.source_file"
# Keys of a manifest that change with every parse or with the database file, not the project.
VOLATILE_KEYS = {"created_at", "root_path", "database", "relation_name", "compiled_path"}

BUILD_DDL = """
create schema if not exists meta;
create or replace table meta.dbt_build (
    release varchar not null,
    manifest_checksum varchar not null,
    selection varchar not null
);
"""


@dataclass(frozen=True)
class DbtBuild:
    """What one dbt invocation builds; `excluded` nodes are kept from `kept_from`."""

    reason: str
    changed_sources: tuple[str, ...] = ()
    excluded: tuple[str, ...] = ()  # unique ids of the nodes not built, upstream first
    kept_from: str | None = None
    manifest: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @property
    def full(self) -> bool:
        return not self.excluded

    def args(self) -> list[str]:
        """dbt arguments that leave out exactly the excluded nodes (dagster-dbt selects
        everything). Indirect selection is off: dbt would otherwise also leave out every test
        that reads an excluded model, such as a test of a rebuilt mart against `dim_region`."""
        if self.full:
            return []
        nodes = self.manifest["nodes"]
        names = " ".join(sorted(nodes[uid]["name"] for uid in self.excluded))
        return ["--exclude", names, "--indirect-selection", "empty"]

    def describe(self) -> str:
        if self.full:
            return f"dbt builds and tests every selected model: {self.reason}"
        sources = ", ".join(self.changed_sources) or "none"
        return (
            f"dbt builds what depends on the changed deliveries ({sources}); "
            f"{len(self.excluded)} models and tests are kept from release {self.kept_from}"
        )


@lru_cache(maxsize=4)
def _load(path: Path, stamp: float) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


def load_manifest(path: Path = MANIFEST) -> dict[str, Any]:
    """The manifest `make setup` built (the one dagster-dbt loads)."""
    return _load(path, path.stat().st_mtime)


def _stable(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _stable(v) for k, v in value.items() if k not in VOLATILE_KEYS}
    if isinstance(value, list):
        return [_stable(v) for v in value]
    return value


def manifest_checksum(manifest: Mapping[str, Any]) -> str:
    """One hash over the dbt project as dbt understood it: models, tests, seeds, sources,
    macros (dbt's own too), the dbt version and adapter; the same for every parse of the same
    project, whichever database file the profile names."""
    parts = {k: _stable(manifest.get(k, {})) for k in ("nodes", "sources", "macros", "exposures")}
    meta = manifest.get("metadata", {})
    parts["version"] = [meta.get("dbt_version"), meta.get("adapter_type")]
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()


def descendants(manifest: Mapping[str, Any], roots: Iterable[str]) -> set[str]:
    """The roots and every node downstream of them (tests of a node are its children)."""
    children = manifest["child_map"]
    found: set[str] = set()
    todo = [r for r in roots if r in children]
    while todo:
        node = todo.pop()
        if node not in found:
            found.add(node)
            todo.extend(children.get(node, []))
    return found


def topological(manifest: Mapping[str, Any]) -> list[str]:
    """The nodes (models, tests, seeds), every node after the nodes it depends on."""
    nodes = manifest["nodes"]
    parents = {uid: [p for p in manifest["parent_map"].get(uid, []) if p in nodes] for uid in nodes}
    return list(TopologicalSorter(parents).static_order())


def release_models(manifest: Mapping[str, Any]) -> set[str]:
    """Models with a documented column `release`: rebuilt by every refresh, whose release id
    their rows carry."""
    return {
        uid
        for uid, node in manifest["nodes"].items()
        if node["resource_type"] == "model" and "release" in node.get("columns", {})
    }


def published_build(paths: WarehousePaths) -> tuple[str, str, dict[str, list[str]]] | None:
    """(release, manifest checksum, deliveries read per source) of the published warehouse;
    None when there is none or it records no dbt build."""
    if not paths.published.is_file():
        return None
    try:
        with duckdb.connect(str(paths.published), read_only=True) as con:
            release, checksum = con.execute(
                "select release, manifest_checksum from meta.dbt_build"
            ).fetchone()
            read = dict(
                con.execute(
                    "select source, list(file_sha256 order by delivery_seq) "
                    "from meta.source_file group by source"
                ).fetchall()
            )
    except (duckdb.Error, TypeError):
        return None
    return release, checksum, read


def changed_sources(paths: WarehousePaths, read: Mapping[str, list[str]]) -> list[str]:
    """Sources whose deliveries in use are not the ones the published release read."""
    from pipelines.fingerprint import delivery_shas

    return sorted(
        source
        for source, contract in load_contracts().items()
        if list(read.get(source, [])) != delivery_shas(contract, paths)
    )


def plan_dbt_build(
    paths: WarehousePaths, copied_from_published: bool, manifest: Mapping[str, Any] | None = None
) -> DbtBuild:
    """What dbt builds in a candidate; `copied_from_published`: the candidate started as a
    copy of the published release (see `WarehouseResource.prepare_candidate`)."""
    manifest = manifest if manifest is not None else load_manifest()
    if not copied_from_published:
        return DbtBuild("the candidate starts empty", manifest=manifest)
    published = published_build(paths)
    if published is None:
        return DbtBuild("the published release records no dbt build", manifest=manifest)
    release, checksum, read = published
    if checksum != manifest_checksum(manifest):
        return DbtBuild(
            f"the dbt project differs from the one release {release} was built with",
            manifest=manifest,
        )
    changed = changed_sources(paths, read)
    roots = [f"source.sozialplanung.raw.{s}" for s in changed] + [PROVENANCE_SOURCE]
    wanted = descendants(manifest, [*roots, *release_models(manifest)])
    excluded = [
        uid
        for uid in topological(manifest)
        if manifest["nodes"][uid]["resource_type"] in BUILT_NODES and uid not in wanted
    ]
    return DbtBuild(
        "only some deliveries changed",
        changed_sources=tuple(changed),
        excluded=tuple(excluded),
        kept_from=release,
        manifest=manifest,
    )


def record_build(
    candidate: Path, release: str, build: DbtBuild, manifest: Mapping[str, Any] | None = None
) -> None:
    """`meta.dbt_build` of the candidate: the release (fct_indicator_value reads it), the
    manifest checksum the next refresh compares, what was built."""
    manifest = manifest if manifest is not None else build.manifest or load_manifest()
    selection = "all" if build.full else "changed: " + (", ".join(build.changed_sources) or "none")
    with duckdb.connect(str(candidate)) as con:
        con.execute(BUILD_DDL)
        con.execute(
            "insert into meta.dbt_build values (?, ?, ?)",
            [release, manifest_checksum(manifest), selection],
        )
