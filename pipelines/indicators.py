"""The indicator catalogue (one YAML file per indicator in `data_contracts/indicators/`) and
the planning goals (`data_contracts/goals/goals.yml`).

Each file is the single description of an indicator: titles, topic, definition, numerator and
denominator (measures of the warehouse), multiplier, unit, polarity, lowest region level,
source tables, plausible range and largest plausible change from one year to the next. An
indicator the source publishes as a rate without its denominator (`taken_as_published: true`)
has the published value as numerator and no denominator: it is shown as published, for the
Land too, never recomputed. The
dbt seed `indicator_catalogue.csv` is generated from these files (`make` does it), so
`dim_indicator`, the docs and the plausibility checks all come from here. An incomplete file
fails with a message naming file and field.

    python -m pipelines.indicators [--check]
"""

from __future__ import annotations

import argparse
import csv
import io
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml

from pipelines.paths import CONTRACTS_DIR, DBT_PROJECT_DIR
from pipelines.yaml_text import load_yaml

CATALOGUE_DIR = CONTRACTS_DIR / "indicators"
SEED = DBT_PROJECT_DIR / "seeds" / "indicator_catalogue.csv"
GOALS = CONTRACTS_DIR / "goals" / "goals.yml"
GOALS_SEED = DBT_PROJECT_DIR / "seeds" / "goals.csv"
GOAL_COLUMNS = ["region_key", "indicator_id", "target", "target_year", "baseline_year", "note"]
PROFILE_YML = DBT_PROJECT_DIR / "models" / "marts" / "_mart_region_profile.yml"
LEVELS = ("land", "kreis", "gemeinde", "sozialraum")
POLARITIES = ("higher_is_better", "higher_is_worse", "neutral")
YOY_KINDS = ("points", "percent")
COLUMNS = [
    "indicator_id", "title_de", "title_en", "topic", "definition", "numerator_measure",
    "denominator_measure", "multiplier", "unit", "polarity", "source_tables", "lowest_level",
    "plausible_min", "plausible_max", "max_yoy_change", "max_yoy_change_kind",
    "taken_as_published",
]  # fmt: skip
TEXT_FIELDS = ("title_de", "title_en", "topic", "definition", "numerator", "unit")


class CatalogueError(ValueError):
    """An indicator file is incomplete or wrong; the message names file and field."""


def _fail(path: Path, field: str, message: str) -> CatalogueError:
    return CatalogueError(f"{path.parent.name}/{path.name}: field '{field}': {message}")


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def load_indicator(path: Path) -> dict[str, Any]:
    """Validate one indicator file and return its seed row."""
    try:
        data = load_yaml(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise CatalogueError(f"{path.name}: not valid YAML: {exc}") from exc
    if not isinstance(data, dict):
        raise CatalogueError(f"{path.name}: expected a mapping of fields")
    if data.get("id") != path.stem:
        raise _fail(path, "id", f"must equal the file name {path.stem!r}, found {data.get('id')!r}")
    for field in TEXT_FIELDS:
        if not isinstance(data.get(field), str) or not data[field].strip():
            raise _fail(path, field, "missing or empty")
    denominator = data.get("denominator")
    if denominator is not None and not (isinstance(denominator, str) and denominator.strip()):
        raise _fail(path, "denominator", f"expected a measure or null, found {denominator!r}")
    published = data.get("taken_as_published", False)
    if not isinstance(published, bool):
        raise _fail(path, "taken_as_published", f"expected true or false, found {published!r}")
    if published and (denominator is not None or data.get("multiplier") != 1):
        raise _fail(
            path,
            "taken_as_published",
            "a value taken as published has no denominator and multiplier 1, found "
            f"denominator {denominator!r}, multiplier {data.get('multiplier')!r}",
        )
    if not _number(data.get("multiplier")) or data["multiplier"] <= 0:
        raise _fail(
            path, "multiplier", f"expected a positive number, found {data.get('multiplier')!r}"
        )
    if data.get("polarity") not in POLARITIES:
        raise _fail(
            path, "polarity", f"expected one of {list(POLARITIES)}, found {data.get('polarity')!r}"
        )
    if data.get("lowest_level") not in LEVELS:
        raise _fail(
            path,
            "lowest_level",
            f"expected one of {list(LEVELS)}, found {data.get('lowest_level')!r}",
        )
    sources = data.get("sources")
    if not isinstance(sources, list) or not sources or not all(isinstance(s, str) for s in sources):
        raise _fail(path, "sources", "expected a list of table codes")
    plausible = data.get("plausible_range")
    if (
        not isinstance(plausible, list)
        or len(plausible) != 2
        or not all(_number(v) for v in plausible)
        or plausible[0] > plausible[1]
    ):
        raise _fail(path, "plausible_range", f"expected [min, max], found {plausible!r}")
    yoy = data.get("max_yoy_change")
    if (
        not isinstance(yoy, dict)
        or not _number(yoy.get("value"))
        or yoy.get("kind") not in YOY_KINDS
    ):
        raise _fail(
            path,
            "max_yoy_change",
            f"expected {{value: <number>, kind: points|percent}}, found {yoy!r}",
        )
    return {
        "indicator_id": data["id"],
        "title_de": data["title_de"].strip(),
        "title_en": data["title_en"].strip(),
        "topic": data["topic"].strip(),
        "definition": " ".join(data["definition"].split()),
        "numerator_measure": data["numerator"],
        "denominator_measure": denominator or "",
        "multiplier": data["multiplier"],
        "unit": data["unit"],
        "polarity": data["polarity"],
        "source_tables": " ".join(sources),
        "lowest_level": data["lowest_level"],
        "plausible_min": plausible[0],
        "plausible_max": plausible[1],
        "max_yoy_change": yoy["value"],
        "max_yoy_change_kind": yoy["kind"],
        "taken_as_published": "true" if published else "false",
    }


def load_catalogue(directory: Path = CATALOGUE_DIR) -> list[dict[str, Any]]:
    """Every indicator, sorted by id."""
    return [load_indicator(p) for p in sorted(directory.glob("*.yml"))]


def load_goals(path: Path = GOALS, indicators: set[str] | None = None) -> list[dict[str, Any]]:
    """Planning goals, checked against the catalogue (the indicator must exist)."""
    data = load_yaml(path.read_text(encoding="utf-8")) or {}
    goals = data.get("goals")
    if not isinstance(goals, list):
        raise CatalogueError(f"{path.name}: field 'goals': expected a list of goals")
    known = indicators if indicators is not None else {r["indicator_id"] for r in load_catalogue()}
    rows = []
    for i, goal in enumerate(goals):
        where = f"goals[{i}]"
        if not isinstance(goal, dict):
            raise CatalogueError(f"{path.name}: field '{where}': expected a mapping")
        region = goal.get("region")
        if not isinstance(region, str) or not region.isdigit() or len(region) not in (2, 5, 8):
            raise CatalogueError(
                f"{path.name}: field '{where}.region': expected an AGS, found {region!r}"
            )
        if goal.get("indicator") not in known:
            raise CatalogueError(
                f"{path.name}: field '{where}.indicator': expected an indicator of the catalogue, "
                f"found {goal.get('indicator')!r}"
            )
        for field in ("target", "target_year", "baseline_year"):
            if not _number(goal.get(field)):
                raise CatalogueError(f"{path.name}: field '{where}.{field}': expected a number")
        if not goal["baseline_year"] < goal["target_year"]:
            raise CatalogueError(
                f"{path.name}: field '{where}.target_year': must be after the baseline year"
            )
        rows.append(
            {
                "region_key": region,
                "indicator_id": goal["indicator"],
                "target": goal["target"],
                "target_year": goal["target_year"],
                "baseline_year": goal["baseline_year"],
                "note": str(goal.get("note", "")),
            }
        )
    return rows


def seed_text(rows: list[dict[str, Any]], columns: list[str] = COLUMNS) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


def profile_yml(rows: list[dict[str, Any]]) -> str:
    """The contract of mart_region_profile: one column per indicator of the catalogue."""
    not_null = [{"type": "not_null"}]
    fixed = [
        ("region_key", "The region (dim_region).", "varchar", not_null),
        ("region_name", "The region's current name.", "varchar", None),
        ("level", "land, kreis, gemeinde or sozialraum.", "varchar", None),
        ("period", "The year.", "integer", not_null),
        ("gebietsstand", "The territorial status of all values.", "date", None),
    ]
    columns: list[dict[str, Any]] = [
        {"name": n, "description": d, "data_type": t, **({"constraints": c} if c else {})}
        for n, d, t, c in fixed
    ]
    columns += [
        {
            "name": r["indicator_id"],
            "description": f"{r['title_de']} ({r['unit']}): {r['definition']}",
            "data_type": "double",
        }
        for r in rows
    ]
    model = {
        "name": "mart_region_profile",
        "description": (
            "One row per region and year, one column per indicator (generated from "
            "data_contracts/indicators/ by `python -m pipelines.indicators`)."
        ),
        "config": {"contract": {"enforced": True}},
        "data_tests": [
            {
                "unique_combination_of_columns": {
                    "name": "mart_region_profile_one_row_per_region_and_period",
                    "arguments": {"combination": ["region_key", "period"]},
                }
            }
        ],
        "columns": columns,
    }
    header = "# Generated by `python -m pipelines.indicators` from data_contracts/indicators/.\n"
    return header + yaml.safe_dump(
        {"version": 2, "models": [model]}, allow_unicode=True, sort_keys=False, width=100
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only check the seed is current")
    args = parser.parse_args(argv)
    try:
        catalogue = load_catalogue()
        seeds = {
            SEED: seed_text(catalogue),
            GOALS_SEED: seed_text(
                load_goals(indicators={r["indicator_id"] for r in catalogue}), GOAL_COLUMNS
            ),
            PROFILE_YML: profile_yml(catalogue),
        }
    except CatalogueError as exc:
        print(f"indicator catalogue: {exc}", file=sys.stderr)
        return 1
    for seed, text in seeds.items():
        current = seed.read_text(encoding="utf-8") if seed.is_file() else ""
        if current == text:
            continue
        if args.check:
            print(f"{seed} is out of date: run `python -m pipelines.indicators`", file=sys.stderr)
            return 1
        seed.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
