"""Contract checks on the sample files and on copies with one deliberate change."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import pytest

from pipelines.conform import conform
from pipelines.contracts import Contract, load_contracts
from pipelines.readers import InputError, read_file

SAMPLE_DIR = Path(__file__).resolve().parents[1] / "sample_data"
SGB2_FILE = "SGB2-01-4_de_flat.csv"
LINE = 10  # the line the tests change: 16062 Nordhausen, 2021, ALT000B15, RLB, 1296


@pytest.fixture(scope="module")
def contracts() -> dict[str, Contract]:
    return load_contracts()


def _read_and_conform(path: Path, contract: Contract):
    return conform(read_file(path, contract.reader, **contract.reader_options), contract)


def _data_lines(path: Path) -> int:
    return len(path.read_text(encoding="utf-8").splitlines()) - 1


@pytest.mark.parametrize("source", ["population_age", "sgb2_benefits"])
def test_unchanged_samples_conform(contracts: dict[str, Contract], source: str) -> None:
    contract = contracts[source]
    frame = _read_and_conform(contract.sample_files[0], contract)
    assert len(frame) == _data_lines(contract.sample_files[0])
    assert set(frame["table_code"]) == {contract.table_code}


def _lines() -> list[str]:
    return (SAMPLE_DIR / SGB2_FILE).read_text(encoding="utf-8").splitlines()


def _set_field(lines: list[str], line: int, column: str, value: str) -> list[str]:
    """Replace one field of one file line (1-based, line 1 is the header)."""
    header = lines[0].lstrip("\ufeff").split(";")
    fields = lines[line - 1].split(";")
    fields[header.index(column)] = value
    return [*lines[: line - 1], ";".join(fields), *lines[line:]]


def _duplicate(lines: list[str]) -> list[str]:
    return [*lines, lines[LINE - 1]]


def _extra_group(lines: list[str]) -> list[str]:
    """Schema drift: every line gains a third variable group before `value`."""
    names = [
        "variable_code",
        "variable_label",
        "variable_attribute_code",
        "variable_attribute_label",
    ]
    header_group = ";".join(f"3_{name}" for name in names)
    out = []
    for i, line in enumerate(lines):
        fields = line.split(";")
        at = 13  # after 2_variable_attribute_label
        out.append(
            ";".join(
                [
                    *fields[:at],
                    header_group if i == 0 else "GES;Geschlecht;;Insgesamt",
                    *fields[at:],
                ]
            )
        )
    return out


N = len(_lines())  # the appended duplicate lands on line N + 1
# the file's own column names of the contract's key columns
KEY_COLUMNS = "1_variable_attribute_code+time+2_variable_attribute_code+value_variable_code"
CHANGES = {
    # id: (change, line, column in the message, fragments of the message)
    "duplicate_key": (
        _duplicate,
        N + 1,
        KEY_COLUMNS,
        [
            "expected one row per key",
            "region_key='16062'",
            "period_year=2021,",
            "measure_code='RLB'",
            f"(first at line {LINE})",
        ],
    ),
    "key_too_short": (
        lambda ls: _set_field(ls, LINE, "1_variable_attribute_code", "1605"),
        LINE,
        "1_variable_attribute_code",
        ["expected a 5-digit region key in Land 16", "found '1605'"],
    ),
    # keys of other Länder are left out (downloads of all Germany); a key of no real level stays
    "key_of_no_level": (
        lambda ls: _set_field(ls, LINE, "1_variable_attribute_code", "1605"),
        LINE,
        "1_variable_attribute_code",
        ["expected a 5-digit region key in Land 16", "found '1605'"],
    ),
    "period_outside_range": (
        lambda ls: _set_field(ls, LINE, "time", "2031"),
        LINE,
        "time",
        # open-ended: any period up to today
        [f"expected a period from 2000 to {date.today().year}", "found '2031'"],
    ),
    "unknown_measure": (
        lambda ls: _set_field(ls, LINE, "value_variable_code", "BG"),
        LINE,
        "value_variable_code",
        ["expected a measure of the contract (LB, RLB)", "found 'BG'"],
    ),
    "wrong_unit": (
        lambda ls: _set_field(ls, LINE, "value_unit", "1000"),
        LINE,
        "value_unit",
        ["expected the contract's units (LB: Anzahl, RLB: Anzahl)", "found '1000'"],
    ),
    "extra_variable_group": (
        _extra_group,
        2,
        "3_variable_code",
        [
            "expected 2 variable groups (schema drift",
            "found 'GES'",
            f"(and {N - 2} more rows like it)",
        ],
    ),
}


def test_line_under_change_is_the_one_described() -> None:
    fields = _lines()[LINE - 1].split(";")
    assert [fields[i] for i in (4, 7, 11, 13, 15)] == ["2021", "16062", "ALT000B15", "1296", "RLB"]


@pytest.mark.parametrize("case", CHANGES)
def test_changed_sample_fails_with_line_and_column(
    contracts: dict[str, Contract], tmp_path: Path, case: str
) -> None:
    change, line, column, fragments = CHANGES[case]
    path = tmp_path / SGB2_FILE
    path.write_text("\n".join(change(_lines())) + "\n", encoding="utf-8")
    with pytest.raises(InputError) as raised:
        _read_and_conform(path, contracts["sgb2_benefits"])
    message = str(raised.value)
    assert len(raised.value.problems) == 1, message
    assert message.startswith(f"{SGB2_FILE}, line {line}, column '{column}': expected "), message
    for fragment in fragments:
        assert fragment in message, message


def test_schema_drift_can_be_a_warning(contracts: dict[str, Contract], tmp_path: Path) -> None:
    """A contract with `schema_drift: warn` lets an extra breakdown through and says so."""
    from dataclasses import replace

    path = tmp_path / SGB2_FILE
    path.write_text("\n".join(_extra_group(_lines())) + "\n", encoding="utf-8")
    contract = replace(contracts["sgb2_benefits"], schema_drift="warn")
    warnings: list = []
    result = read_file(path, contract.reader, **contract.reader_options)
    frame = conform(result, contract, warnings)
    assert len(frame) == _data_lines(path)
    assert len(warnings) == 1 and "schema drift" in str(warnings[0])


def test_key_pattern_checks_small_area_keys(contracts: dict[str, Contract], tmp_path: Path) -> None:
    """Keys that are not plain AGS (Sozialräume) are checked against the contract's pattern."""
    from dataclasses import replace

    contract = contracts["sgb2_benefits"]
    strict = replace(
        contract,
        region=replace(contract.region, key_pattern=r"1605[1-5]", other_regions="error"),
    )
    with pytest.raises(InputError) as raised:
        _read_and_conform(contract.sample_files[0], strict)
    assert "expected a region key like 1605[1-5], found '16" in str(raised.value)


def test_other_regions_can_be_left_out(contracts: dict[str, Contract]) -> None:
    """A download of all Germany (real 12411-01-01-4) keeps only the Thuringian Kreise."""
    from dataclasses import replace

    from tests.conftest import REFERENCE_DATA

    path = REFERENCE_DATA / "genesis_ffcsv" / "12411-01-01-4_de_flat.csv"
    if not path.is_file():
        pytest.skip("tests/fixtures/real is absent: reference files not available")
    base = contracts["population_age"]
    contract = replace(
        base,
        table_code="12411-01-01-4",
        period_range=(2024, 2024),
        variables=(replace(base.variables[0], attributes=("", "GESM", "GESW")),),
        key_columns=("region_key", "period_year", "var1_attr_code", "measure_code"),
        region=replace(base.region, other_regions="drop"),
    )
    with pytest.raises(InputError, match="expected a 5-digit region key in Land 16"):
        _read_and_conform(
            path, replace(contract, region=replace(base.region, other_regions="error"))
        )

    frame = _read_and_conform(path, contract)

    lines = path.read_text(encoding="utf-8-sig").splitlines()[1:]
    thuringian = [line.split(";") for line in lines if line.split(";")[7].startswith("16")]
    assert len(frame) == len(thuringian) == 23 * 3
    totals = frame[frame["var1_attr_code"] == ""]
    assert totals["value"].sum() == 2_100_277
    assert totals.loc[totals["region_key"] == "16056", "value_status"].tolist() == ["-"]


SIGNS = {"-", ".", "/", "x", "..."}


def test_variables_are_placed_by_code_not_by_order(contracts: dict[str, Contract]) -> None:
    """A contract listing GES before NAT takes the real 13111-01-03-4 (NAT before GES): the
    variables land at the contract's positions, values unchanged."""
    from dataclasses import replace

    from pipelines.contracts import _positioned
    from tests.conftest import REFERENCE_DATA

    path = REFERENCE_DATA / "genesis_ffcsv" / "13111-01-03-4_de_flat.csv"
    base = contracts["employees_workplace"]
    nat, ges = base.variables
    swapped = replace(base, variables=tuple(_positioned([ges, nat])))

    frame = _read_and_conform(path, swapped)

    assert set(frame["var1_code"]) == {"GES"} and set(frame["var2_code"]) == {"NAT"}
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = [r for r in csv.DictReader(handle, delimiter=";") if r["value"] not in SIGNS]
    expected = {
        (
            r["1_variable_attribute_code"],
            r["3_variable_attribute_code"],
            r["2_variable_attribute_code"],
        ): float(r["value"])
        for r in rows
        if r["1_variable_attribute_code"].startswith("16")
        and len(r["1_variable_attribute_code"]) in (2, 5)  # the Land and its Kreise
    }
    found = {
        (k, ges_code, nat_code): v
        for k, ges_code, nat_code, v in frame[
            ["region_key", "var1_attr_code", "var2_attr_code", "value"]
        ].itertuples(index=False)
        if v == v
    }
    assert found == expected
