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


def _mapped(*items: dict[str, Any]) -> Callable[[dict[str, Any]], Any]:
    return _set("measure_map", list(items))


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
    # measure_map (the base has measures LB, RLB and the variable ALTSG2: '', ALT000B15)
    "measure_map_not_a_list": (
        _set("measure_map", {"sgb2_lb": "LB"}),
        "measure_map",
        "expected a list",
    ),
    "measure_map_unknown_field": (
        _mapped({"measure_id": "sgb2_lb", "measure_code": "LB", "filter": {}}),
        "measure_map[0].filter",
        "not a field of a measure_map item",
    ),
    "measure_map_id_not_an_identifier": (
        _mapped({"measure_id": "SGB2 LB", "measure_code": "LB"}),
        "measure_map[0].measure_id",
        "expected a lower-case identifier, found 'SGB2 LB'",
    ),
    "measure_map_id_twice": (
        _mapped(
            {"measure_id": "sgb2_lb", "measure_code": "LB"},
            {"measure_id": "sgb2_lb", "measure_code": "RLB"},
        ),
        "measure_map[1].measure_id",
        "'sgb2_lb' is mapped twice",
    ),
    "measure_map_code_missing": (
        _mapped({"measure_id": "sgb2_lb"}),
        "measure_map[0].measure_code",
        "missing",
    ),
    "measure_map_unknown_code": (
        _mapped({"measure_id": "sgb2_lb", "measure_code": "LBX"}),
        "measure_map[0].measure_code",
        "expected a measure of the contract (LB, RLB), found 'LBX'",
    ),
    "measure_map_unknown_attribute": (
        _mapped(
            {"measure_id": "sgb2_lb_u18", "measure_code": "LB", "where": {"ALTSG2": "ALT000B18"}}
        ),
        "measure_map[0].where.ALTSG2",
        "found 'ALT000B18'",
    ),
    "measure_map_unknown_variable": (
        _mapped({"measure_id": "sgb2_lb_women", "measure_code": "LB", "where": {"GES": "GESW"}}),
        "measure_map[0].where.GES",
        "not a variable that breaks LB down (variables: ALTSG2)",
    ),
    "measure_map_where_not_a_mapping": (
        _mapped({"measure_id": "sgb2_lb_u15", "measure_code": "LB", "where": ["ALT000B15"]}),
        "measure_map[0].where",
        "expected a mapping of variable codes to attribute codes",
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


def _with_map(tmp_path: Path, source: str, items: list[dict[str, Any]]) -> Path:
    data = yaml.safe_load((CONTRACTS_DIR / f"{source}.yml").read_text(encoding="utf-8"))
    data["measure_map"] = items
    path = tmp_path / f"{source}.yml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def test_a_rate_is_no_measure(tmp_path: Path) -> None:
    """Measures are summed over rows and regions: a published rate cannot be one."""
    path = _with_map(tmp_path, "unemployment", [{"measure_id": "rate", "measure_code": "ERWP10"}])
    with pytest.raises(ContractError, match=r"unemployment.yml: field 'measure_map\[0\]"
                       r".measure_code': ERWP10 is not additive \(Prozent\)"):  # fmt: skip
        load_contract(path)


def test_a_variable_without_insgesamt_must_be_named(tmp_path: Path) -> None:
    """Childcare's kind of care has no Insgesamt (''): leaving it out would sum every kind."""
    item = {
        "measure_id": "childcare_u3",
        "measure_code": "KIND01",
        "where": {"ALT033": "ALT000B03"},
    }
    path = _with_map(tmp_path, "childcare", [item])
    with pytest.raises(ContractError) as raised:
        load_contract(path)
    assert str(raised.value) == (
        "childcare.yml: field 'measure_map[0].where.KINTE5': missing: the variable has no "
        "Insgesamt (''), name one of ['ARTDHILFE69', 'ARTDHILFE64', 'INSGESAMT3']"
    )


def test_measure_rows_sum_the_named_attributes_with_the_other_variables_insgesamt() -> None:
    """pop_u15 of 12411-02-03-4 is four age groups of both sexes (GES ''); pop_15_64_women the
    eleven groups from 15 to 65 of GESW; pop_total the one Insgesamt row."""
    contract = load_contracts()["population_age"]
    rows = contract.measure_rows()
    under_15 = ["ALT000B03", "ALT003B06", "ALT006B10", "ALT010B15"]
    assert [r for r in rows if r[0] == "pop_u15"] == [
        ("pop_u15", "BEVSTD", ("", group, "")) for group in under_15
    ]
    women = [r[2] for r in rows if r[0] == "pop_15_64_women"]
    assert len(women) == 11 and {sex for sex, _, _ in women} == {"GESW"}
    assert {group for _, group, _ in women} == {
        "ALT015B18", "ALT018B20", "ALT020B25", "ALT025B30", "ALT030B35", "ALT035B40",
        "ALT040B45", "ALT045B50", "ALT050B55", "ALT055B60", "ALT060B65",
    }  # fmt: skip
    assert [r for r in rows if r[0] == "pop_total"] == [("pop_total", "BEVSTD", ("", "", ""))]


def test_a_measure_of_a_level_comes_from_one_table(tmp_path: Path) -> None:
    """Two Kreis tables both mapping pop_total would be summed into one count."""
    for source in ("population_age", "population_nationality"):
        _with_map(tmp_path, source, [{"measure_id": "pop_total", "measure_code": "BEVSTD"}])
    with pytest.raises(ContractError) as raised:
        load_contracts(tmp_path)
    assert str(raised.value) == (
        "population_nationality.yml: field 'measure_map': 'pop_total' of the kreis level is "
        "already mapped in population_age.yml"
    )


def test_a_folder_without_contracts_is_a_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """SOZPLAN_CONTRACTS_DIR naming an empty or missing folder stops with its name, before any
    refresh step (an empty register would otherwise fail deep inside the run)."""
    from pipelines.cli import main

    with pytest.raises(ContractError, match="no data contracts"):
        load_contracts(tmp_path)
    monkeypatch.setenv("SOZPLAN_CONTRACTS_DIR", str(tmp_path / "missing"))
    monkeypatch.setenv("SOZPLAN_WAREHOUSE_DIR", str(tmp_path / "warehouse"))
    assert main(["refresh"]) == 1
    err = capsys.readouterr().err
    assert f"cannot use the data contracts: {tmp_path / 'missing'}: no data contracts" in err
