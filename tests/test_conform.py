"""Contract checks on the sample files and on copies with one deliberate change."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import duckdb
import pytest
from openpyxl import load_workbook

from pipelines.conform import check, conform
from pipelines.contracts import Contract, ContractError, load_contract, load_contracts
from pipelines.ingest import ingest_deliveries, read_delivery
from pipelines.inspection import inspect_file
from pipelines.landing import Delivery, sha256_of
from pipelines.matching import match_file
from pipelines.readers import InputError, read_file
from tests.conftest import REFERENCE_DATA

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


# --- bad deliveries that once passed: counts, ranges, every region, known keys ---------------
#
# Each case writes a broken copy of a bundled sample (or a real file) into tmp_path, runs the
# ingest's read and conform step on it and compares the message with what `sozplan inspect`
# says of the same file. Places and values are found in the files here (csv, openpyxl), the
# territory's regions read from its CSV files, never from the code under test.

TERRITORY_DIR = SAMPLE_DIR.parent / "data_contracts" / "territories" / "thueringen"
REAL_UNEMPLOYMENT = "genesis_classic_recent/13211-02-05-4.csv"


@pytest.fixture(autouse=True)
def _no_deliveries(warehouse_dir: Path) -> None:
    """An empty warehouse: `sozplan inspect` judges a file as the only delivery of its source
    (the ingest's view of a first delivery)."""


def _territory_rows(name: str) -> list[dict[str, str]]:
    with (TERRITORY_DIR / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _kreise_on(day: str) -> dict[str, str]:
    """Key -> name of the territory's Kreise that exist on `day` (ISO date)."""
    return {
        r["region_key"]: r["name"]
        for r in _territory_rows("ref_region.csv")
        if r["level"] == "kreis"
        and (r["valid_from"] or day) <= day
        and (not r["valid_to"] or day <= r["valid_to"])
    }


def _refused(path: Path, source: str) -> list[str]:
    """The problems the ingest's read-and-conform step finds, checked against `sozplan
    inspect` on the same file (one check, one answer)."""
    contract = load_contracts()[source]
    with pytest.raises(InputError) as raised:
        conform(read_delivery(path, contract), contract)
    problems = [str(p) for p in raised.value.problems]
    assert inspect_file(path, contract_name=source).problems == problems
    assert all("Traceback" not in p and "Error" not in p for p in problems)
    return problems


def _one(problems: list[str], *fragments: str) -> str:
    """The one problem that holds every fragment."""
    hits = [p for p in problems if all(f in p for f in fragments)]
    assert len(hits) == 1, (fragments, problems)
    return hits[0]


# The unemployment export of 2024: Gotha's line, its count and its rate on all civilian
# labour force (columns 4 and 12 of the file, read by eye from the header).
UNEMPLOYMENT_2024 = "13211-02-05-4_2024.csv"


def _classic_with(name: str, key: str, column: int, value, tmp_path: Path, real=False):
    """A classic export with one field of `key`'s line replaced by `value` (or by
    `value(old)`); (path, line, old value)."""
    source = (REFERENCE_DATA if real else SAMPLE_DIR) / name
    lines = source.read_bytes().decode("cp1252").split("\n")
    at = next(i for i, line in enumerate(lines) if line.split(";")[1:2] == [key])
    fields = lines[at].split(";")
    old = fields[column - 1]
    fields[column - 1] = value(old) if callable(value) else value
    lines[at] = ";".join(fields)
    path = tmp_path / Path(name).name
    path.write_bytes("\n".join(lines).encode("cp1252"))
    return path, at + 1, old


def test_fractional_unemployed_count_in_the_classic_export(tmp_path: Path) -> None:
    path, line, old = _classic_with(UNEMPLOYMENT_2024, "16067", 4, "3477,5", tmp_path)
    assert old == "3477"

    (problem,) = _refused(path, "unemployment")

    assert problem == (
        f"{UNEMPLOYMENT_2024}, line {line}, column '4 (Arbeitslose)': expected a whole number "
        "(ERWP06 Arbeitslose is a count), found 3477.5"
    )


def test_fractional_count_in_the_real_export(tmp_path: Path) -> None:
    """The real download of all Germany: the Thuringian row is checked after the others
    are left out."""
    path, line, old = _classic_with(
        REAL_UNEMPLOYMENT, "16053", 10, lambda old: f"{old},25", tmp_path, real=True
    )
    assert old.isdigit()

    (problem,) = _refused(path, "unemployment")

    assert problem == (
        f"13211-02-05-4.csv, line {line}, column '10 (langzeitarbeitslos)': expected a whole "
        f"number (ERWP06 Arbeitslose is a count), found {old}.25"
    )


def test_rate_above_100_percent_in_the_classic_export(tmp_path: Path) -> None:
    path, line, old = _classic_with(UNEMPLOYMENT_2024, "16067", 12, "150,0", tmp_path)
    assert "," in old

    (problem,) = _refused(path, "unemployment")

    assert problem.startswith(
        f"{UNEMPLOYMENT_2024}, line {line}, column '12 (Arbeitslosenquote bez. auf alle zivile "
        "Erwerbsp.)': expected a value from 0 to 100 Prozent (plausible_range of ERWP10 "
    )
    assert problem.endswith("found 150")


# The BA workbooks: the row of one Kreis and the cell the case changes (column letters of the
# sample's layout: key A, name B, counts from C, the rate of ba_arbeitslose_kreise in H).
BA = {"ba_arbeitslose_kreise": "16067", "ba_sgb2_kreise": "16052"}


def _workbook(source: str, tmp_path: Path, change) -> tuple[Path, int, dict[str, object]]:
    """The sample workbook of `source` with `change(sheet, row)` applied to its Kreis's row;
    (path, row, the row's cells by column letter before the change)."""
    workbook = load_workbook(SAMPLE_DIR / f"{source}_2024.xlsx")
    sheet = workbook["Tabelle 1"]
    row = next(r for r in range(1, sheet.max_row + 1) if sheet[f"A{r}"].value == BA[source])
    before = {cell.column_letter: cell.value for cell in sheet[row]}
    change(sheet, row)
    path = tmp_path / f"{source}_2024.xlsx"
    workbook.save(path)
    return path, row, before


def _set(column: str, value: object):
    """A change of the Kreis's cell in `column`: the value, or a function of the old one."""

    def change(sheet, row: int) -> None:
        cell = sheet[f"{column}{row}"]
        cell.value = value(cell.value) if callable(value) else value

    return change


@pytest.mark.parametrize("source", list(BA))
def test_workbook_with_a_kreis_deleted(source: str, tmp_path: Path) -> None:
    path, _row, before = _workbook(source, tmp_path, lambda sheet, row: sheet.delete_rows(row))
    kreise = _kreise_on("2024-12-31")
    name = kreise[BA[source]]

    problems = _refused(path, source)

    problem = _one(problems, "expected every Kreis of 2024")
    assert problem.startswith(f"{path.name}, sheet 'Tabelle 1': expected every Kreis of 2024: ")
    assert f"the {len(kreise)} Kreise of Thüringen on 31.12.2024" in problem
    assert f"found no row of {BA[source]} {name} for " in problem
    assert before["A"] == BA[source]


@pytest.mark.parametrize("source", list(BA))
def test_workbook_with_an_unknown_kreis_key(source: str, tmp_path: Path) -> None:
    path, row, _ = _workbook(source, tmp_path, _set("A", "16099"))
    measures = len(load_contracts()[source].measures)  # one row per measure of the Kreis

    problems = _refused(path, source)

    assert problems == [
        f"{path.name}, sheet 'Tabelle 1', cell A{row}: expected a Kreis of Thüringen "
        f"(ref_region.csv of the territory, {len(_kreise_on('2020-12-31'))}: 16051 … 16077), "
        f"found '16099' (and {measures - 1} more rows like it)"
    ]


@pytest.mark.parametrize("source", list(BA))
def test_workbook_with_a_fractional_count(source: str, tmp_path: Path) -> None:
    path, row, before = _workbook(source, tmp_path, _set("D", lambda old: old + 0.5))
    assert isinstance(before["D"], int)

    (problem,) = _refused(path, source)

    assert problem.startswith(f"{path.name}, sheet 'Tabelle 1', cell D{row}: expected a whole ")
    assert problem.endswith(f"is a count), found {before['D']}.5")


@pytest.mark.parametrize("source", list(BA))
def test_workbook_with_a_count_of_1e15(source: str, tmp_path: Path) -> None:
    path, row, _ = _workbook(source, tmp_path, _set("E", 1e15))

    problems = _refused(path, source)

    problem = _one(problems, f"cell E{row}")
    assert problem.startswith(f"{path.name}, sheet 'Tabelle 1', cell E{row}: expected a value ")
    assert "plausible_range of" in problem and problem.endswith("found 1e+15")


def test_workbook_with_a_rate_of_150_percent(tmp_path: Path) -> None:
    source = "ba_arbeitslose_kreise"
    path, row, before = _workbook(source, tmp_path, _set("H", 150))
    assert isinstance(before["H"], float) and before["H"] < 100

    (problem,) = _refused(path, source)

    assert problem == (
        f"{path.name}, sheet 'Tabelle 1', cell H{row}: expected a value from 0 to 100 Prozent "
        "(plausible_range of ALQ Arbeitslosenquote bezogen auf alle zivilen Erwerbspersonen), "
        "found 150"
    )


GEMEINDEN = "12411-01-01-5_de_flat.csv"
JENA = "jena_planungsraeume_2024.csv"
ERFURT = "erfurt_stadtteile_2024.csv"
ENCODING = {GEMEINDEN: "utf-8-sig", JENA: "utf-8", ERFURT: "cp1252"}  # classic: cp1252


def _sample_with(name: str, tmp_path: Path, edit) -> tuple[Path, list[int]]:
    """The sample `name` with `edit(lines) -> lines` applied (line ends and encoding kept);
    the path and the numbers of the lines the edit changed or added."""
    encoding = ENCODING.get(name, "cp1252")
    lines = (SAMPLE_DIR / name).read_bytes().decode(encoding).split("\n")
    edited = edit(lines)
    path = tmp_path / name
    path.write_bytes("\n".join(edited).encode(encoding))
    old = set(lines)
    return path, [i + 1 for i, line in enumerate(edited) if line not in old]


def _without(predicate):
    """An edit that leaves out the lines `predicate` holds for (at least one)."""

    def edit(lines: list[str]) -> list[str]:
        kept = [line for line in lines if not predicate(line)]
        assert len(kept) < len(lines)
        return kept

    return edit


def _replacing(old: str, new: str):
    return lambda lines: [line.replace(old, new) for line in lines]


def _listed(city: str) -> list[str]:
    return sorted(
        r["region_key"] for r in _territory_rows("small_areas.csv") if r["gemeinde_key"] == city
    )


def _small_areas(city: str, name: str) -> str:
    listed = _listed(city)
    return (
        f"a Sozialraum of {city} {name} in the territory's small_areas.csv ({len(listed)} "
        f"listed: {listed[0]} … {listed[-1]}); a new or renumbered area is added there first"
    )


# today's Gemeinden and the former ones of the key history
GEMEINDE_KEYS = {
    r["region_key"] for r in _territory_rows("ref_region_gv.csv") if r["level"] == "gemeinde"
} | {r["old_key"] for r in _territory_rows("key_history.csv") if len(r["old_key"]) == 8}
# file, source, the change, the file's key column, the expected key, the key found, values a
# line holds (the Erfurt table: one column per measure)
RENUMBERED = {
    "Gemeinde rekeyed to 16099999": (
        GEMEINDEN,
        "population_gemeinden",
        (";16061001;", ";16099999;"),
        "1_variable_attribute_code",
        "a Gemeinde of Thüringen (ref_region_gv.csv and key_history.csv of the territory, "
        f"{len(GEMEINDE_KEYS)}: {min(GEMEINDE_KEYS)} … {max(GEMEINDE_KEYS)})",
        "16099999",
        1,
    ),
    "Jena district renumbered 99": (
        JENA,
        "jena_planungsraeume",
        (",18,Closewitz,", ",99,Closewitz,"),
        "Bezirk-Nr",
        _small_areas("16053000", "Jena, Stadt"),
        "16053000-99",
        1,
    ),
    "Erfurt Stadtteil renumbered 99": (
        ERFURT,
        "erfurt_stadtteile",
        ("19;Schmira;", "99;Schmira;"),
        "Stadtteil-Nr.",
        _small_areas("16051000", "Erfurt, Stadt"),
        "16051000-99",
        len(load_contracts()["erfurt_stadtteile"].measures),
    ),
}


@pytest.mark.parametrize("case", list(RENUMBERED))
def test_a_renumbered_region_is_no_new_region(case: str, tmp_path: Path) -> None:
    name, source, (old, new), column, expected, found, per_line = RENUMBERED[case]
    path, at = _sample_with(name, tmp_path, _replacing(old, new))

    (problem,) = _refused(path, source)

    rows = len(at) * per_line
    assert problem == (
        f"{name}, line {at[0]}, column '{column}': expected {expected}, found '{found}'"
        + (f" (and {rows - 1} more rows like it)" if rows > 1 else "")
    )


def test_gemeinde_missing_in_one_year(tmp_path: Path) -> None:
    """Every Gemeinde of the year's map: Kaltennordheim (16066095) exists from 2019 on, so a
    2019 file without it is incomplete."""
    path, _ = _sample_with(
        GEMEINDEN, tmp_path, _without(lambda line: ";16066095;" in line and ";2019-12-31;" in line)
    )

    (problem,) = _refused(path, "population_gemeinden")

    assert "expected every Gemeinde of 2019: " in problem
    assert "found no row of 16066095 Kaltennordheim, Stadt for BEVSTD" in problem


def test_erfurt_stadtteil_missing(tmp_path: Path) -> None:
    path, _ = _sample_with(ERFURT, tmp_path, _without(lambda line: line.startswith("19;Schmira;")))

    (problem,) = _refused(path, "erfurt_stadtteile")

    assert problem.startswith(
        f"{ERFURT}, column 'Stadtteil-Nr.': expected every Sozialraum of 2024: the "
        f"{len(_listed('16051000'))} Sozialräume of 16051000 Erfurt, Stadt on 31.12.2024"
    )
    assert "found no row of 16051000-19 Schmira for " in problem


def test_kreis_of_the_period_map_missing(tmp_path: Path) -> None:
    """Eisenach (16056) belongs to the map of 2020, not to that of 2022: without its line the
    2020 export is incomplete, the 2022 one is not."""
    assert "16056" in _kreise_on("2020-12-31") and "16056" not in _kreise_on("2022-12-31")
    eisenach = _without(lambda line: line.split(";")[1:2] == ["16056"])
    contract = load_contracts()["unemployment"]
    path, _ = _sample_with("13211-02-05-4_2022.csv", tmp_path, eisenach)
    assert len(conform(read_delivery(path, contract), contract)) > 0

    path, _ = _sample_with("13211-02-05-4_2020.csv", tmp_path, eisenach)

    problems = _refused(path, "unemployment")
    _one(problems, "expected every Kreis of 2020", "found no row of 16056 Eisenach")


def test_a_refused_delivery_writes_no_raw_table(tmp_path: Path) -> None:
    """The ingest itself: the Jena file with a renumbered district is refused under the name
    it was delivered as, and `raw` gets no table of it."""

    text = (SAMPLE_DIR / JENA).read_text(encoding="utf-8")
    path = tmp_path / "landed.csv"
    path.write_text(text.replace(",18,Closewitz,", ",99,Closewitz,"), encoding="utf-8")
    delivery = Delivery(path, "Planungsraeume Jena.csv", sha256_of(path), "2026-01-01", "inbox")
    contract = load_contracts()["jena_planungsraeume"]
    with duckdb.connect(str(tmp_path / "candidate.duckdb")) as con:
        with pytest.raises(InputError) as raised:
            ingest_deliveries(contract, [delivery], con, "test")
        tables = con.execute("select table_schema, table_name from information_schema.tables")
        assert tables.fetchall() == []
    assert str(raised.value).startswith("Planungsraeume Jena.csv, line ")
    assert "found '16053000-99'" in str(raised.value)


def _one_row_revision(tmp_path: Path) -> Path:
    """A file with one value of the SGB II table (Nordhausen 2021), revised: a revision, or a
    download of one region."""
    header, line = _lines()[0], _set_field(_lines(), LINE, "value", "1300")[LINE - 1]
    path = tmp_path / "revision_de_flat.csv"
    path.write_text(header + "\n" + line + "\n", encoding="utf-8")
    return path


def test_a_partial_delivery_is_completed_by_the_earlier_ones(tmp_path: Path) -> None:
    """Every region of a period over all deliveries of a source: one revised value on top of
    the full table is accepted; alone it leaves the other Kreise of 2021 missing."""
    contract = load_contracts()["sgb2_benefits"]
    full = SAMPLE_DIR / SGB2_FILE
    revision = _one_row_revision(tmp_path)
    delivered = [
        Delivery(path, path.name, sha256_of(path), "2026-01-01", "inbox")
        for path in (full, revision)
    ]
    with duckdb.connect(str(tmp_path / "candidate.duckdb")) as con:
        ingest_deliveries(contract, delivered, con, "test")
        value = con.execute(
            "select value, _source_file from raw.sgb2_benefits where region_key = '16062' "
            "and period_year = 2021 and var1_attr_code = 'ALT000B15' and measure_code = 'RLB'"
        ).fetchall()
    assert value == [(1300.0, revision.name)]

    alone = duckdb.connect(str(tmp_path / "alone.duckdb"))
    with alone as con, pytest.raises(InputError) as raised:
        ingest_deliveries(contract, delivered[1:], con, "test")
    kreise = _kreise_on("2021-12-31")
    assert str(raised.value) == (
        f"{revision.name}, column '1_variable_attribute_code': expected every Kreis of 2021: "
        f"the {len(kreise)} Kreise of Thüringen on 31.12.2021 (ref_region.csv of the "
        f"territory), found no row of 16051 {kreise['16051']} for ALT000B15 RLB (and "
        f"{len(kreise) - 2} more rows like it)"
    )


def test_inspect_takes_a_file_as_the_newest_delivery(warehouse_dir: Path, tmp_path: Path) -> None:
    """`sozplan inspect` answers as the refresh would: with the full table landed, the one
    revised value is fine; in an empty warehouse it is incomplete."""
    from pipelines.landing import land
    from pipelines.paths import WarehousePaths

    revision = _one_row_revision(tmp_path)
    alone = inspect_file(revision, contract_name="sgb2_benefits").problems
    assert len(alone) == 1 and "expected every Kreis of 2021" in alone[0]

    land(SAMPLE_DIR / SGB2_FILE, "sgb2_benefits", "inbox", WarehousePaths(warehouse_dir))

    assert inspect_file(revision, contract_name="sgb2_benefits").problems == []


# --- the contract's check properties ----------------------------------------------------------


def test_plausible_range_and_whole_numbers_are_contract_properties(tmp_path: Path) -> None:
    """A measure's `plausible_range` replaces its unit's default, `whole_numbers: false` lets
    a fraction of a count through."""
    from dataclasses import replace

    path, _line, _old = _classic_with(UNEMPLOYMENT_2024, "16067", 4, "3477,5", tmp_path)
    contract = load_contracts()["unemployment"]
    counts, dependent, rates = contract.measures
    lenient = replace(contract, measures=(replace(counts, whole_numbers=False), dependent, rates))
    assert len(conform(read_delivery(path, lenient), lenient)) > 0

    strict = replace(lenient, measures=(counts, replace(dependent, plausible_range=(0, 5)), rates))
    with pytest.raises(InputError) as raised:
        conform(read_delivery(path, strict), strict)
    assert "expected a value from 0 to 5 Prozent (plausible_range of ERWP09 " in str(raised.value)


def test_a_unit_without_default_range_needs_one(tmp_path: Path) -> None:

    text = (SAMPLE_DIR.parent / "data_contracts" / "area.yml").read_text(encoding="utf-8")
    path = tmp_path / "area.yml"
    text = text.replace("unit: qkm", "unit: qkm\n    additive: true")  # summed as before
    path.write_text(text.replace("unit: qkm", "unit: Meter"), encoding="utf-8")
    with pytest.raises(ContractError, match=r"measures\[0\]\.plausible_range': missing"):
        load_contract(path)
    path.write_text(
        text.replace("unit: qkm", "unit: Meter\n    plausible_range: [10, 1]"), encoding="utf-8"
    )
    with pytest.raises(ContractError, match=r"expected \[lowest, highest\]"):
        load_contract(path)
    path.write_text(
        text.replace("unit: qkm", "unit: Meter\n    plausible_range: [0, null]"), encoding="utf-8"
    )
    assert load_contract(path).measures[0].plausible_range == (0, None)


# --- real data passes every check -------------------------------------------------------------


def _real_files() -> list[tuple[str, str]]:

    contracts = list(load_contracts().values())
    found = []
    for path in sorted(REFERENCE_DATA.rglob("*.csv")):
        contract = match_file(path, contracts).contract
        if contract is not None:
            found.append((str(path.relative_to(REFERENCE_DATA)), contract.source))
    return found


@pytest.mark.parametrize(("name", "source"), _real_files())
def test_real_files_pass_every_check(name: str, source: str) -> None:
    """Every real download a contract takes passes its checks (the bundled samples: in
    test_sample_generator, without a warning either)."""
    path = REFERENCE_DATA / name
    contract = load_contracts()[source]
    checked = check(read_delivery(path, contract), contract)
    assert [str(p) for p in checked.problems] == []
