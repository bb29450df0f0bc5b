"""Dashboard marts: one value per mart recomputed here from the sample files."""

from __future__ import annotations

import statistics
from pathlib import Path

import duckdb
import pytest
import yaml

from tests.conftest import PROJECT_ROOT
from tests.test_refresh_end_to_end import KREISE_2015, expected_values, published_rates

KREISE = sorted(KREISE_2015 - {"16056"})  # today's 22 Kreise


@pytest.fixture(scope="module")
def published(sample_refresh) -> Path:
    root, _ = sample_refresh
    return root / "sozialplanung.duckdb"


@pytest.fixture(scope="module")
def expected() -> dict:
    return {**expected_values(), **published_rates()}


def _query(path: Path, sql: str, params: list | None = None) -> list[tuple]:
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


def test_rank_z_score_and_land_value(published: Path, expected: dict) -> None:
    """SGB II quota 2024: rank 1 = lowest quota (higher is worse)."""
    values = {k: expected[("sgb2_quota", k, 2024)][0] for k in KREISE}
    ranking = sorted(KREISE, key=lambda k: values[k])
    mean, sd = statistics.mean(values.values()), statistics.stdev(values.values())
    rows = _query(
        published,
        "select region_key, rank_among_kreise, z_score_among_kreise, land_value, change_1y "
        "from marts.mart_indicator_values where indicator_id = 'sgb2_quota' and period = 2024 "
        "and level = 'kreis'",
    )
    assert len(rows) == 22
    for region, rank, z, land, change in rows:
        assert rank == ranking.index(region) + 1
        assert z == pytest.approx((values[region] - mean) / sd, rel=1e-9)
        assert land == pytest.approx(expected[("sgb2_quota", "16", 2024)][0], rel=1e-12)
        assert change == pytest.approx(
            values[region] - expected[("sgb2_quota", region, 2023)][0], rel=1e-9, abs=1e-12
        )


def test_population_weighted_gini(published: Path, expected: dict) -> None:
    year = 2022
    x = {k: expected[("child_poverty", k, year)][0] for k in KREISE}
    w = {k: expected[("population", k, year)][0] for k in KREISE}
    total = sum(w.values())
    mean = sum(w[k] * x[k] for k in KREISE) / total
    pairs = sum(w[i] * w[j] * abs(x[i] - x[j]) for i in KREISE for j in KREISE)
    gini = pairs / (2 * total * total * mean)
    cv = statistics.stdev(x.values()) / statistics.mean(x.values())
    ((got_gini, got_cv, ratio),) = _query(
        published,
        "select gini_population_weighted, coefficient_of_variation, max_min_ratio "
        "from marts.mart_disparity where indicator_id = 'child_poverty' and period = ?",
        [year],
    )
    assert got_gini == pytest.approx(gini, rel=1e-9)
    assert got_cv == pytest.approx(cv, rel=1e-9)
    assert ratio == pytest.approx(max(x.values()) / min(x.values()), rel=1e-9)


def test_goal_status(published: Path, expected: dict) -> None:
    goals = yaml.safe_load(
        (PROJECT_ROOT / "data_contracts" / "goals" / "goals.yml").read_text(encoding="utf-8")
    )["goals"]
    polarity = {
        p.stem: yaml.safe_load(p.read_text(encoding="utf-8"))["polarity"]
        for p in (PROJECT_ROOT / "data_contracts" / "indicators").glob("*.yml")
    }
    rows = {
        (r, i): (path, status)
        for r, i, path, status in _query(
            published,
            "select region_key, indicator_id, path_value, status from marts.mart_goal_monitoring",
        )
    }
    assert len(rows) == len(goals)
    for goal in goals:
        key = (goal["region"], goal["indicator"])
        base = expected[(goal["indicator"], goal["region"], goal["baseline_year"])][0]
        latest = expected[(goal["indicator"], goal["region"], 2024)][0]
        share = min(
            1.0, (2024 - goal["baseline_year"]) / (goal["target_year"] - goal["baseline_year"])
        )
        path = base + (goal["target"] - base) * share
        better = (
            (lambda a, b: a >= b)
            if polarity[goal["indicator"]] == "higher_is_better"
            else (lambda a, b: a <= b)
        )
        status = (
            "reached" if better(latest, goal["target"])
            else "on track" if better(latest, path)
            else "off track"
        )  # fmt: skip
        assert rows[key][0] == pytest.approx(path, rel=1e-9)
        assert rows[key][1] == status, key


def test_every_curated_column_is_described() -> None:
    marts = PROJECT_ROOT / "dbt_project" / "models" / "marts"
    models = [m for f in marts.glob("*.yml") for m in yaml.safe_load(f.read_text())["models"]]
    assert {m["name"] for m in models} >= {
        "dim_region", "dim_indicator", "fct_indicator_value",
        "mart_indicator_values", "mart_disparity", "mart_goal_monitoring",
    }  # fmt: skip
    for model in models:
        assert model.get("description"), model["name"]
        assert model["config"]["contract"]["enforced"] is True, model["name"]
        undescribed = [c["name"] for c in model["columns"] if not c.get("description")]
        assert undescribed == [], model["name"]
        if model["name"] == "mart_region_profile":  # its columns come from the catalogue
            continue
        sql = (marts / f"{model['name']}.sql").read_text(encoding="utf-8")
        for column in model["columns"]:
            assert f"as {column['name']}" in sql or column["name"] in sql, column["name"]


def test_region_profile_has_a_column_per_indicator() -> None:
    marts = PROJECT_ROOT / "dbt_project" / "models" / "marts"
    (profile,) = yaml.safe_load((marts / "_mart_region_profile.yml").read_text())["models"]
    indicators = {p.stem for p in (PROJECT_ROOT / "data_contracts" / "indicators").glob("*.yml")}
    assert {c["name"] for c in profile["columns"]} - {
        "region_key", "region_name", "level", "period", "gebietsstand",
    } == indicators  # fmt: skip
