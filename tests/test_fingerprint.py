"""Which raw tables a refresh may keep from the published release: only those whose delivery
is the one the release read, none once anything structural changed, and never the cities'
small-area deliveries (the published file holds no rows of theirs)."""

from __future__ import annotations

import shutil
from pathlib import Path

from pipelines.fingerprint import kept_sources
from pipelines.paths import WarehousePaths
from pipelines.territory import DEFAULT_TERRITORY_DIR, newest_gebietsstand
from tests.conftest import SAMPLE_DIR

GEBIETSSTAND = newest_gebietsstand()  # what a refresh uses by default
SOURCES = {p.stem for p in (SAMPLE_DIR.parent / "data_contracts").glob("*.yml")}
# Sozialräume: emptied in the published file, read again from their landed files every refresh
SMALL_AREAS = {"erfurt_stadtteile", "jena_planungsraeume"}


def test_unchanged_deliveries_are_kept(published_warehouse: Path, warehouse_dir: Path) -> None:
    kept = kept_sources(WarehousePaths(warehouse_dir), GEBIETSSTAND)
    assert set(kept) == SOURCES - SMALL_AREAS
    assert len(set(kept.values())) == 1  # all from the published release


def test_a_new_delivery_is_read_again(published_warehouse: Path, warehouse_dir: Path) -> None:
    """A refresh lands the inbox first; the source it landed for is read again."""
    from pipelines.contracts import load_contracts
    from pipelines.landing import land_inbox

    inbox = warehouse_dir / "inbox"
    inbox.mkdir()
    shutil.copyfile(SAMPLE_DIR / "13211-02-05-4_2024.csv", inbox / "13211-02-05-4.csv")
    report = land_inbox(list(load_contracts().values()), WarehousePaths(warehouse_dir))
    assert [r.landing.source for r in report.landed] == ["unemployment"]
    kept = kept_sources(WarehousePaths(warehouse_dir), GEBIETSSTAND)
    assert set(kept) == SOURCES - SMALL_AREAS - {"unemployment"}


def test_another_gebietsstand_keeps_nothing(published_warehouse: Path, warehouse_dir: Path) -> None:
    assert kept_sources(WarehousePaths(warehouse_dir), "2020-12-31") == {}


def test_a_changed_territory_keeps_nothing(
    published_warehouse: Path, warehouse_dir: Path, tmp_path: Path, monkeypatch
) -> None:
    territory = tmp_path / "territory"
    shutil.copytree(DEFAULT_TERRITORY_DIR, territory)
    with (territory / "key_history.csv").open("a", encoding="utf-8") as handle:
        handle.write("16077001,16077002,2024-01-01,merger,1.0,1.0,a change of the map\n")
    monkeypatch.setenv("SOZPLAN_TERRITORY_DIR", str(territory))
    assert kept_sources(WarehousePaths(warehouse_dir), GEBIETSSTAND) == {}


def test_the_map_of_the_territory_is_not_structure(tmp_path: Path, monkeypatch) -> None:
    """The boundaries drawn in reports do not shape a single value of the warehouse: a new
    map keeps the raw tables, a new territorial change does not."""
    from pipelines.fingerprint import structure_fingerprint

    territory = tmp_path / "territory"
    shutil.copytree(DEFAULT_TERRITORY_DIR, territory)
    monkeypatch.setenv("SOZPLAN_TERRITORY_DIR", str(territory))
    before = structure_fingerprint(GEBIETSSTAND)
    maps = sorted(territory.glob("*.geojson"))
    assert maps
    for path in maps:
        path.write_text(path.read_text(encoding="utf-8").replace("Erfurt", "Erfurt "), "utf-8")
    assert structure_fingerprint(GEBIETSSTAND) == before
    with (territory / "key_history.csv").open("a", encoding="utf-8") as handle:
        handle.write("16077001,16077002,2024-01-01,merger,1.0,1.0,a change of the map\n")
    assert structure_fingerprint(GEBIETSSTAND) != before


def test_no_published_release_keeps_nothing(warehouse_dir: Path) -> None:
    assert kept_sources(WarehousePaths(warehouse_dir), GEBIETSSTAND) == {}
