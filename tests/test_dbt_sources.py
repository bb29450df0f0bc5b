"""dbt's sources and staging models stay in step with the data contracts."""

from __future__ import annotations

import json

import yaml

from pipelines.contracts import load_contracts
from tests.conftest import PROJECT_ROOT

STAGING = PROJECT_ROOT / "dbt_project" / "models" / "staging"


def _raw_sources() -> dict[str, dict]:
    sources = yaml.safe_load((STAGING / "_sources.yml").read_text(encoding="utf-8"))["sources"]
    raw = next(s for s in sources if s["name"] == "raw")
    assert raw["schema"] == "raw"
    return {t["name"]: t for t in raw["tables"]}


def test_every_contract_is_a_dbt_source_and_back() -> None:
    assert set(_raw_sources()) == set(load_contracts())


def test_source_descriptions_name_the_contract_table_code() -> None:
    contracts = load_contracts()
    for name, table in _raw_sources().items():
        assert table["description"].startswith(f"{contracts[name].table_code}:"), name


def test_every_source_has_a_staging_model() -> None:
    """Each raw table is read by its `stg_<source>` model (dbt's own record of the model's
    dependencies, in the manifest `make` builds: a macro may make the `source()` call)."""
    manifest = json.loads(
        (PROJECT_ROOT / "dbt_project" / "target" / "manifest.json").read_text(encoding="utf-8")
    )
    for name in load_contracts():
        model = STAGING / f"stg_{name}.sql"
        assert model.is_file(), f"{model.name} is missing"
        node = manifest["nodes"][f"model.sozialplanung.stg_{name}"]
        assert f"source.sozialplanung.raw.{name}" in node["depends_on"]["nodes"], name
