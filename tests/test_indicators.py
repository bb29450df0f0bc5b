"""The indicator catalogue in data_contracts/indicators/ is complete and drives the seed."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from pipelines.indicators import (
    CATALOGUE_DIR,
    SEED,
    CatalogueError,
    load_catalogue,
    load_indicator,
    seed_text,
)


def test_committed_seed_is_generated_from_the_catalogue() -> None:
    assert SEED.read_text(encoding="utf-8") == seed_text(load_catalogue())


def test_every_indicator_names_measures_and_sources() -> None:
    rows = load_catalogue()
    assert len(rows) == len(list(CATALOGUE_DIR.glob("*.yml"))) >= 11
    for row in rows:
        assert row["numerator_measure"] and row["source_tables"]
        assert row["plausible_min"] <= row["plausible_max"]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda d: d.pop("title_en"), "title_en"),
        (lambda d: d.update(definition="  "), "definition"),
        (lambda d: d.update(polarity="better"), "polarity"),
        (lambda d: d.update(lowest_level="stadtteil"), "lowest_level"),
        (lambda d: d.update(plausible_range=[30, 0]), "plausible_range"),
        (lambda d: d.pop("max_yoy_change"), "max_yoy_change"),
        (lambda d: d.update(sources=[]), "sources"),
        (lambda d: d.update(multiplier=0), "multiplier"),
        (lambda d: d.update(id="other"), "id"),
    ],
)
def test_incomplete_indicator_names_file_and_field(tmp_path: Path, change, field: str) -> None:
    folder = tmp_path / "data_contracts" / "indicators"
    folder.mkdir(parents=True)
    data = yaml.safe_load((CATALOGUE_DIR / "sgb2_quota.yml").read_text(encoding="utf-8"))
    change(data)
    path = folder / "sgb2_quota.yml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(CatalogueError, match=rf"indicators/sgb2_quota.yml: field '{field}'"):
        load_indicator(path)


def test_a_broken_catalogue_is_refused_whole(tmp_path: Path) -> None:
    folder = tmp_path / "indicators"
    shutil.copytree(CATALOGUE_DIR, folder)
    (folder / "population.yml").write_text("id: population\n", encoding="utf-8")
    with pytest.raises(CatalogueError, match="indicators/population.yml: field 'title_de'"):
        load_catalogue(folder)
