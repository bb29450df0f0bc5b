"""Data contracts: the project's load; broken ones fail naming file and field."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from pipelines.contracts import ContractError, load_contract, load_contracts
from pipelines.readers import READERS

CONTRACTS_DIR = Path(__file__).resolve().parents[1] / "data_contracts"
BASE = CONTRACTS_DIR / "sgb2_benefits.yml"


def test_all_project_contracts_load() -> None:
    contracts = load_contracts()
    assert sorted(contracts) == sorted(p.stem for p in CONTRACTS_DIR.glob("*.yml"))
    for source, contract in contracts.items():
        assert contract.path == CONTRACTS_DIR / f"{source}.yml"
        assert contract.reader in READERS
        assert all(p.is_file() for p in contract.sample_files)
        assert contract.verified_against
        assert contract.period_range[0] <= contract.period_range[1]
        assert contract.raw_table == f"raw.{source}"


def _base() -> dict[str, Any]:
    return yaml.safe_load(BASE.read_text(encoding="utf-8"))


def _set(key: str, value: Any) -> Callable[[dict[str, Any]], Any]:
    return lambda data: {**data, key: value}


def _drop(key: str) -> Callable[[dict[str, Any]], Any]:
    return lambda data: {k: v for k, v in data.items() if k != key}


INVALID = {
    # id: (change of the base contract, field, fragment of the message)
    "missing_table_code": (_drop("table_code"), "table_code", "missing"),
    "unknown_reader": (_set("reader", "genesis_xlsx"), "reader", "found 'genesis_xlsx'"),
    "period_range_reversed": (
        _set("period_range", [2024, 2015]),
        "period_range",
        "expected [first_year] or [first_year, last_year], found [2024, 2015]",
    ),
    "unknown_sign": (
        _set("allowed_status", ["-", "*"]),
        "allowed_status",
        "found ['*']",
    ),
    "region_land_is_the_territorys": (
        _set("region", {"variable": "KREISE", "land": "16", "key_length": 5}),
        "region.land",
        "not a field of region",
    ),
}


@pytest.mark.parametrize("case", INVALID)
def test_invalid_contract_names_file_and_field(tmp_path: Path, case: str) -> None:
    change, field, fragment = INVALID[case]
    path = tmp_path / BASE.name
    path.write_text(yaml.safe_dump(change(_base()), allow_unicode=True), encoding="utf-8")
    with pytest.raises(ContractError) as raised:
        load_contract(path)
    message = str(raised.value)
    assert message.startswith(f"{BASE.name}: field '{field}': "), message
    assert fragment in message, message


def test_unchanged_copy_is_valid(tmp_path: Path) -> None:
    """The base of the invalid contracts loads, so each failure is due to its one change."""
    path = tmp_path / BASE.name
    path.write_text(yaml.safe_dump(_base(), allow_unicode=True), encoding="utf-8")
    assert load_contract(path).table_code == "SGB2-01-4"


def test_source_must_match_file_name(tmp_path: Path) -> None:
    path = tmp_path / "sgb2_leistungen.yml"
    path.write_text(yaml.safe_dump(_base(), allow_unicode=True), encoding="utf-8")
    with pytest.raises(ContractError) as raised:
        load_contract(path)
    assert str(raised.value) == (
        "sgb2_leistungen.yml: field 'source': must equal the file name 'sgb2_leistungen', "
        "found 'sgb2_benefits'"
    )


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("- source: sgb2_benefits\n- reader: genesis_ffcsv\n", "expected a mapping of fields"),
        ("just a sentence\n", "expected a mapping of fields, found str"),
        ("", "expected a mapping of fields, found NoneType"),
        ("source: sgb2_benefits\nvariables: [ALTSG2\nreader: x\n", "not valid YAML"),
        ("source: sgb2_benefits\n  reader:\tgenesis_ffcsv\n", "not valid YAML"),
    ],
    ids=["list", "scalar", "empty", "unclosed_bracket", "bad_indent"],
)
def test_not_a_contract_file(tmp_path: Path, text: str, fragment: str) -> None:
    path = tmp_path / "sgb2_benefits.yml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ContractError) as raised:
        load_contract(path)
    assert str(raised.value).startswith(f"sgb2_benefits.yml: {fragment}"), str(raised.value)


def test_unknown_key_column_is_named(tmp_path: Path) -> None:
    text = (CONTRACTS_DIR / "unemployment.yml").read_text(encoding="utf-8")
    path = tmp_path / "unemployment.yml"
    path.write_text(text.replace("key_columns: [region_key,", "key_columns: [regionkey,"))
    with pytest.raises(ContractError, match=r"unemployment.yml: field 'key_columns': .*regionkey"):
        load_contract(path)
