"""Synthetic input for several Länder (`tools.sample.scaled`), on the `tiny` size:
Thüringen, Bremen and the Saarland, 2015–2024, generated once from the real
Gemeindeverzeichnis.

Expected values come from plain `csv` reading of the generated files, of the bundled
`sample_data/` files and of the generated territory's tables (and openpyxl for the BA
workbooks), and from facts worked out by hand, never from the generator's own functions.
"""

from __future__ import annotations

import csv
import functools
import io
import re
import zipfile
from collections import Counter, defaultdict
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from pipelines.contracts import load_contract
from pipelines.paths import CONTRACTS_DIR, PROJECT_ROOT
from pipelines.territory import load_territory
from tests.conftest import GV_FILE
from tools.sample.scaled import (
    SIZES,
    FlatFile,
    Size,
    generate,
    template_year,
    with_measure_copies,
)

SAMPLE = PROJECT_ROOT / "sample_data"
YEARS = list(range(2015, 2025))
KREIS_POPULATION = "12411-02-03-4_de_flat.csv"
GEMEINDE_POPULATION = "12411-01-01-5_de_flat.csv"
UNEMPLOYMENT = "13211-02-05-4_{year}.csv"  # one classic export per year
COUNTS = 7  # value columns of 13211-02-05-4: 7 counts (Anzahl), then 6 rates (Prozent)
SGB2 = "SGB2-01-4_de_flat.csv"
AREA = "11111-01-01-4.csv"
BREMEN = ["04011", "04012"]
SAARLAND = ["10041", "10042", "10043", "10044", "10045", "10046"]
OTHERS = BREMEN + SAARLAND
NUMBER = re.compile(r"-?\d+(,\d+)?")


# --- plain reading ---------------------------------------------------------------------------


class Flat:
    """A GENESIS flat file read with `csv`: header, rows, and where the region key sits."""

    def __init__(self, path: Path) -> None:
        if path.suffix == ".zip":  # the API's ZIP: its one flat file
            with zipfile.ZipFile(path) as archive:
                (member,) = archive.namelist()
                text = archive.read(member).decode("utf-8-sig")
        else:
            text = path.read_text(encoding="utf-8-sig")
        table = list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))
        self.header, self.rows = table[0], table[1:]
        col = self.header.index
        group = next(
            i
            for i in range(1, 5)
            if f"{i}_variable_code" in self.header
            and self.rows[0][col(f"{i}_variable_code")] in ("KREISE", "GEMEIN")
        )
        self.key = col(f"{group}_variable_attribute_code")
        self.label = col(f"{group}_variable_attribute_label")
        self.value = col("value")
        self.unit = col("value_unit")
        self.measure = col("value_variable_code")
        self.time = col("time")

    def field(self, name: str) -> int:
        return self.header.index(name)

    def year(self, row: list[str]) -> int:
        return int(row[self.time][:4])

    def rest(self, row: list[str]) -> tuple[str, ...]:
        """Everything of a row but its region and its value (time, breakdown, measure, unit)."""
        return tuple(v for i, v in enumerate(row) if i not in (self.key, self.label, self.value))

    def cells(self, key: str) -> dict[tuple[str, ...], str]:
        out: dict[tuple[str, ...], str] = {}
        for row in self.rows:
            if row[self.key] == key:
                assert self.rest(row) not in out, f"{key}: cell twice: {row}"
                out[self.rest(row)] = row[self.value]
        return out


def _csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _number(value: str) -> Decimal:
    return Decimal(value.replace(",", "."))


@pytest.fixture(scope="module")
def tiny(tiny_generated):
    """The tiny size as the command line wrote it (shared with the benchmark's test)."""
    out, _ = tiny_generated
    return out, load_territory(out / "territory"), out / "input"


@pytest.fixture(scope="module")
def flat(tiny):
    _, _, inputs = tiny
    return functools.cache(lambda name: Flat(inputs / name))


@functools.cache
def _sample(name: str) -> Flat:
    return Flat(SAMPLE / name)


def _flat_names() -> list[str]:
    return sorted(p.name for p in SAMPLE.iterdir() if p.name.endswith(("_flat.csv", ".zip")))


@pytest.fixture(scope="module")
def regions(tiny) -> dict[str, dict[str, str]]:
    _, territory, _ = tiny
    return {r["region_key"]: r for r in _csv(territory.table("ref_region"))}


@pytest.fixture(scope="module")
def gv_rows(tiny) -> dict[str, dict[str, str]]:
    _, territory, _ = tiny
    return {r["region_key"]: r for r in _csv(territory.table("ref_region_gv"))}


@pytest.fixture(scope="module")
def templates(flat) -> dict[str, tuple[str, int]]:
    """Per non-Thuringian Kreis: the Thuringian Kreis and the whole factor its population
    figures are multiples of, found from the totals (both sexes, all ages) of every year."""
    population = flat(KREIS_POPULATION)
    sex, age = (
        population.field("2_variable_attribute_code"),
        population.field("3_variable_attribute_code"),
    )
    totals: dict[str, dict[int, str]] = defaultdict(dict)
    for row in population.rows:
        if row[sex] == "" and row[age] == "":
            totals[row[population.key]][population.year(row)] = row[population.value]
    thuringian = [
        k
        for k, by_year in totals.items()
        if k.startswith("16") and all(by_year.get(y, "-").isdigit() for y in YEARS)
    ]
    out: dict[str, tuple[str, int]] = {}
    for kreis in OTHERS:
        mine = [int(totals[kreis][y]) for y in YEARS]
        fits = []
        for t in thuringian:
            theirs = [int(totals[t][y]) for y in YEARS]
            factors = {m // s for m, s in zip(mine, theirs, strict=True) if m % s == 0}
            if all(m % s == 0 for m, s in zip(mine, theirs, strict=True)) and len(factors) == 1:
                fits.append((t, factors.pop()))
        assert len(fits) == 1, f"{kreis}: totals {mine} fit {fits}"
        out[kreis] = fits[0]
    return out


# --- sizes and years -------------------------------------------------------------------------


def test_sizes() -> None:
    tiny, germany, x4 = SIZES["tiny"], SIZES["germany"], SIZES["germany-x4"]
    assert (tiny.laender, tiny.first, tiny.last, tiny.measure_copies) == (
        ("04", "10"),
        2015,
        2024,
        1,
    )
    assert (germany.laender, germany.first, germany.last, germany.measure_copies) == (
        None,
        2000,
        2024,
        1,
    )
    assert (x4.laender, x4.first, x4.last, x4.measure_copies) == (None, 2000, 2024, 4)


# Back from 2015 the years walk 2015, 2016, 2017, 2018, 2017, 2016, 2015, 2016, … (by hand).
BY_HAND = {
    **{y: y for y in YEARS},
    2014: 2016,
    2013: 2017,
    2012: 2018,
    2011: 2017,
    2010: 2016,
    2009: 2015,
    2008: 2016,
    2007: 2017,
    2006: 2018,
    2005: 2017,
    2004: 2016,
    2003: 2015,
    2002: 2016,
    2001: 2017,
    2000: 2018,
}


@pytest.mark.parametrize("year", sorted(BY_HAND))
def test_template_year(year: int) -> None:
    assert template_year(year) == BY_HAND[year]


def test_template_years_move_by_one_year_at_a_time() -> None:
    series = [template_year(y) for y in range(2000, 2025)]
    assert all(abs(a - b) == 1 for a, b in zip(series, series[1:], strict=False))


@pytest.mark.parametrize("year", [2025, 2030])
def test_template_year_after_the_sample_raises(year: int) -> None:
    with pytest.raises(ValueError, match=str(year)):
        template_year(year)


# --- what is written -------------------------------------------------------------------------


def test_generate_writes_territory_and_the_sample_file_names(tiny_generated) -> None:
    out, printed = tiny_generated
    inputs = out / "input"
    assert f"to {inputs} and the territory tiny (3 Länder, 2015–2024)" in printed
    territory = load_territory(out / "territory")
    assert territory.laender == ("04", "10", "16")
    assert (territory.first_period, territory.last_period) == (2015, 2024)
    assert territory.name == "tiny"
    expected = sorted(p.name for p in SAMPLE.iterdir() if p.is_file() and p.suffix != ".md")
    assert sorted(p.name for p in inputs.iterdir()) == expected
    assert not (out / "contracts").exists()  # only germany-x4 writes contracts


def test_territory_has_bremen_saarland_and_thueringen(regions) -> None:
    kreise = sorted(k for k, r in regions.items() if r["level"] == "kreis")
    assert [k for k in kreise if k.startswith("04")] == BREMEN
    assert [k for k in kreise if k.startswith("10")] == SAARLAND
    assert len([k for k in kreise if k.startswith("16")]) == 23  # with Eisenach
    assert sorted(k for k, r in regions.items() if r["level"] == "land") == ["04", "10", "16"]


def test_every_kreis_in_every_year_of_the_population_file(flat) -> None:
    population = flat(KREIS_POPULATION)
    sample = _sample(KREIS_POPULATION)
    sex, age = (
        population.field("2_variable_attribute_code"),
        population.field("3_variable_attribute_code"),
    )
    cells: dict[tuple[str, int], set] = defaultdict(set)
    for row in population.rows:
        cells[row[population.key], population.year(row)].add((row[sex], row[age]))
    template_cells: dict[int, set] = defaultdict(set)  # what a Thuringian Kreis has per year
    for row in sample.rows:
        if row[sample.key] == "16051":
            template_cells[sample.year(row)].add((row[sex], row[age]))
    for kreis in OTHERS:
        for year in YEARS:
            assert cells[kreis, year] == template_cells[year], (kreis, year)
    home = {(k, y) for k, y in cells if k.startswith("16")}
    assert home == {(r[sample.key], sample.year(r)) for r in sample.rows}
    assert {k for k, _ in cells} == {*OTHERS, *(k for k, _ in home)}


@pytest.mark.parametrize("name", _flat_names())
def test_thuringian_rows_are_the_sample_rows(flat, name: str) -> None:
    generated, sample = flat(name), _sample(name)
    assert generated.header == sample.header
    mine = sorted(r for r in generated.rows if r[generated.key].startswith("16"))
    assert mine == sorted(sample.rows)
    assert {r[generated.key][:2] for r in generated.rows} == {"04", "10", "16"}


def test_population_of_other_kreise_is_a_whole_multiple_of_a_thuringian_kreis(
    flat, templates, gv_rows
) -> None:
    population = flat(KREIS_POPULATION)
    for kreis, (template, factor) in templates.items():
        assert factor >= 1
        mine, theirs = population.cells(kreis), population.cells(template)
        assert set(mine) == set(theirs), kreis
        for cell, value in mine.items():
            if theirs[cell] == "-":
                assert value == "-", (kreis, cell)
            else:
                assert int(value) == factor * int(theirs[cell]), (kreis, template, cell)
        # The template is of similar size: the factor is the rounded ratio of the Kreise's
        # populations in the Gemeindeverzeichnis.
        kreis_pop = int(gv_rows[kreis]["population_2022"])
        template_pop = int(gv_rows[template]["population_2022"])
        assert abs(factor * template_pop - kreis_pop) <= template_pop / 2, (kreis, template)
        labels = {r[population.label] for r in population.rows if r[population.key] == kreis}
        assert labels == {gv_rows[kreis]["name"]}


def _classic_lines(path: Path) -> list[str]:
    return path.read_bytes().decode("cp1252").split("\n")


def _classic_rows(path: Path) -> dict[str, list[str]]:
    """Data rows `year;key;name;values` of a yearly classic export, by region key."""
    rows = csv.reader(_classic_lines(path), delimiter=";")
    return {f[1]: f for f in rows if f and re.fullmatch(r"\d{4}", f[0])}


def test_unemployment_exports_scale_counts_keep_rates_and_add_up(tiny, templates) -> None:
    _, _, inputs = tiny
    for year in YEARS:
        name = UNEMPLOYMENT.format(year=year)
        generated, sample = _classic_rows(inputs / name), _classic_rows(SAMPLE / name)
        lines, sample_lines = _classic_lines(inputs / name), _classic_lines(SAMPLE / name)
        assert lines[:9] == sample_lines[:9]  # title and column header as delivered
        footer = lines.index("__________")
        assert lines[footer:] == sample_lines[sample_lines.index("__________") :]
        assert {k: r for k, r in generated.items() if k.startswith("16")} == sample
        for kreis, (template, factor) in templates.items():
            mine, theirs = generated[kreis][3:], generated[template][3:]
            assert mine[COUNTS:] == theirs[COUNTS:], (kreis, year)  # rates: the template's
            assert [int(v) for v in mine[:COUNTS]] == [factor * int(v) for v in theirs[:COUNTS]]
        for land in ("04", "10"):
            kreise = [r[3:] for k, r in generated.items() if len(k) == 5 and k[:2] == land]
            values = generated[land][3:]
            for column in range(COUNTS):
                assert int(values[column]) == sum(int(r[column]) for r in kreise)
            for column in range(COUNTS, len(values)):
                rates = [_number(r[column]) for r in kreise]
                assert min(rates) <= _number(values[column]) <= max(rates), (land, year)
        keys = list(generated)  # each Land row above its Kreise
        assert keys == sorted(keys, key=lambda k: (k[:2], len(k), k))


@pytest.mark.parametrize("name", [n for n in _flat_names() if n != GEMEINDE_POPULATION])
def test_every_kreis_table_is_scaled_with_the_same_template_and_factor(
    flat, templates, name: str
) -> None:
    generated = flat(name)
    for kreis, (template, factor) in templates.items():
        mine, theirs = generated.cells(kreis), generated.cells(template)
        assert set(mine) == set(theirs), (name, kreis)
        for cell, value in mine.items():
            expected = theirs[cell]
            if not NUMBER.fullmatch(expected) or "Prozent" in cell:
                assert value == expected, (name, kreis, cell)
            else:
                assert NUMBER.fullmatch(value), (name, kreis, cell, value)
                assert ("," in value) == ("," in expected)
                assert _number(value) == factor * _number(expected), (name, kreis, cell)


# --- Gemeinden -------------------------------------------------------------------------------


def test_gemeinden_add_up_to_their_kreis(flat, gv_rows) -> None:
    gemeinden, kreise = flat(GEMEINDE_POPULATION), flat(KREIS_POPULATION)
    g_sex = gemeinden.field("2_variable_attribute_code")
    k_sex, k_age = (
        kreise.field("2_variable_attribute_code"),
        kreise.field("3_variable_attribute_code"),
    )
    kreis_total = {
        (r[kreise.key], kreise.year(r), r[k_sex]): int(r[kreise.value])
        for r in kreise.rows
        if r[k_age] == "" and r[kreise.key] in OTHERS
    }
    sums: dict[tuple[str, int, str], int] = defaultdict(int)
    values: dict[tuple[str, int], dict[str, str]] = defaultdict(dict)
    for row in gemeinden.rows:
        key = row[gemeinden.key]
        if key.startswith("16"):
            continue
        values[key, gemeinden.year(row)][row[g_sex]] = row[gemeinden.value]
        if row[gemeinden.value] != "-":
            sums[key[:5], gemeinden.year(row), row[g_sex]] += int(row[gemeinden.value])
    assert sums == kreis_total
    expected_keys = {
        k for k, r in gv_rows.items() if r["level"] == "gemeinde" and not k.startswith("16")
    }
    assert {k for k, _ in values} == expected_keys
    assert len(expected_keys) == 2 + 53
    for (key, year), by_sex in values.items():
        assert sorted(by_sex) == ["", "GESM", "GESW"], (key, year)
        if gv_rows[key]["population_2022"] == "0":
            continue
        assert int(by_sex["GESM"]) + int(by_sex["GESW"]) == int(by_sex[""]), (key, year)


def test_gemeinden_get_their_share_by_population(flat, gv_rows) -> None:
    """Per sex, each Gemeinde gets the Kreis figure times its share of the Kreis's population
    of 31.12.2022, rounded to a whole neighbour (largest remainder)."""
    gemeinden = flat(GEMEINDE_POPULATION)
    sex = gemeinden.field("2_variable_attribute_code")
    kreis_pop = defaultdict(int)
    for key, row in gv_rows.items():
        if row["level"] == "gemeinde" and not key.startswith("16"):
            kreis_pop[key[:5]] += int(row["population_2022"])
    totals: dict[tuple[str, int, str], int] = defaultdict(int)
    rows = [r for r in gemeinden.rows if not r[gemeinden.key].startswith("16")]
    for row in rows:
        if row[gemeinden.value] != "-":
            totals[row[gemeinden.key][:5], gemeinden.year(row), row[sex]] += int(
                row[gemeinden.value]
            )
    for row in rows:
        key, value = row[gemeinden.key], row[gemeinden.value]
        if row[sex] == "" or value == "-":
            continue
        total = totals[key[:5], gemeinden.year(row), row[sex]]
        exact = Decimal(total) * int(gv_rows[key]["population_2022"]) / kreis_pop[key[:5]]
        assert abs(int(value) - exact) < 1, (key, row[gemeinden.time], row[sex], value, exact)


def test_uninhabited_gemeinden_carry_nothing(flat, gv_rows) -> None:
    gemeinden = flat(GEMEINDE_POPULATION)
    uninhabited = {
        k
        for k, r in gv_rows.items()
        if r["level"] == "gemeinde" and r["population_2022"] == "0" and not k.startswith("16")
    }
    assert uninhabited == {"10042999"}  # the deutsch-luxemburgisches Hoheitsgebiet
    for key in uninhabited:
        cells = [r for r in gemeinden.rows if r[gemeinden.key] == key]
        assert len(cells) == 3 * len(YEARS)
        assert {r[gemeinden.value] for r in cells} == {"-"}
    inhabited = [
        r[gemeinden.value]
        for r in gemeinden.rows
        if r[gemeinden.key] not in uninhabited and not r[gemeinden.key].startswith("16")
    ]
    assert all(v.isdigit() for v in inhabited)


# --- the classic area table ------------------------------------------------------------------


def _area_lines(path: Path) -> tuple[list[str], list[str]]:
    """(data lines, other lines) of the classic export, read as cp1252."""
    lines = path.read_bytes().decode("cp1252").split("\n")
    data = [line for line in lines if re.match(r"\d\d\.\d\d\.\d{4};", line)]
    return data, [line for line in lines if line not in data]


def test_area_table_has_every_kreis_and_land_sums(tiny, regions, templates) -> None:
    _, _, inputs = tiny
    data, other = _area_lines(inputs / AREA)
    sample_data, sample_other = _area_lines(SAMPLE / AREA)
    assert other == sample_other  # header and footer as delivered
    values: dict[tuple[str, int], str] = {}
    names: dict[str, set[str]] = defaultdict(set)
    for line in data:
        date, key, name, value = line.split(";")
        assert (key, int(date[-4:])) not in values
        values[key, int(date[-4:])] = value
        names[key].add(name.strip())
    home = {(line.split(";")[1], int(line[6:10])) for line in sample_data}
    assert {(k, y) for k, y in values if k.startswith("16")} == home
    assert sorted(line for line in data if line.split(";")[1].startswith("16")) == sorted(
        sample_data
    )
    for kreis in OTHERS:
        template, factor = templates[kreis]
        for year in YEARS:
            assert _number(values[kreis, year]) == factor * _number(values[template, year])
        assert names[kreis] == {regions[kreis]["name"]}
    for land in ("04", "10", "16"):
        for year in YEARS:
            kreise = [
                v
                for (k, y), v in values.items()
                if y == year and len(k) == 5 and k[:2] == land and v != "-"
            ]
            assert _number(values[land, year]) == sum(map(_number, kreise)), (land, year)


# --- the BA workbooks ------------------------------------------------------------------------


def _workbook_rows(path: Path) -> dict[str, tuple]:
    workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        rows = list(workbook["Tabelle 1"].iter_rows(values_only=True))
    finally:
        workbook.close()
    return {r[0]: r for r in rows if isinstance(r[0], str) and re.fullmatch(r"\d{2}|\d{5}", r[0])}


def _unemployed_2024(inputs: Path) -> dict[str, int]:
    """All unemployed (the first value column) of every region in the 2024 export."""
    rows = _classic_rows(inputs / UNEMPLOYMENT.format(year=2024))
    return {k: int(r[3]) for k, r in rows.items() if r[3] != "-"}


def _value_2024(flat_file: Flat, measure: str, total_only: bool) -> dict[str, int]:
    breakdown = (
        flat_file.field("2_variable_attribute_code")
        if "2_variable_attribute_code" in flat_file.header
        else None
    )
    return {
        r[flat_file.key]: int(r[flat_file.value])
        for r in flat_file.rows
        if r[flat_file.time] == "2024"
        and r[flat_file.measure] == measure
        and not (total_only and breakdown is not None and r[breakdown] != "")
        and r[flat_file.value] != "-"
    }


@pytest.mark.parametrize(
    ("workbook", "source", "measure"),
    [
        ("ba_sgb2_kreise_2024.xlsx", SGB2, "LB"),
        ("ba_arbeitslose_kreise_2024.xlsx", UNEMPLOYMENT, "ERWP06"),
    ],
)
def test_ba_workbooks_list_every_kreis_of_2024(
    tiny, flat, regions, workbook: str, source: str, measure: str
) -> None:
    _, _, inputs = tiny
    rows = _workbook_rows(inputs / workbook)
    current = sorted(k for k, r in regions.items() if r["level"] == "kreis" and not r["valid_to"])
    assert len(current) == 22 + 8
    assert sorted(k for k in rows if len(k) == 5) == current
    assert sorted(k for k in rows if len(k) == 2) == ["04", "10", "16"]
    assert (rows["04"][1], rows["10"][1], rows["16"][1]) == ("Bremen", "Saarland", "Thüringen")
    totals = (
        _unemployed_2024(inputs)
        if source == UNEMPLOYMENT
        else _value_2024(flat(source), measure, total_only=True)
    )
    for kreis in current:
        assert rows[kreis][2] == totals[kreis], (workbook, kreis)
    for land in ("04", "10", "16"):
        assert rows[land][2] == sum(rows[k][2] for k in current if k[:2] == land)


# --- measure copies (germany-x4) ---------------------------------------------------------------


def test_measure_copies_repeat_every_row_under_suffixed_codes(tiny) -> None:
    _, territory, inputs = tiny
    contract = load_contract(CONTRACTS_DIR / "sgb2_benefits.yml", territory.laender)
    flat_file = FlatFile(inputs / SGB2, contract)
    plain = Flat(inputs / SGB2)
    measure = plain.measure
    rows = plain.rows
    copied = list(with_measure_copies(flat_file, flat_file.rows, 4))
    expected = []
    for row in rows:
        expected.append(row)
        for n in (2, 3, 4):
            expected.append([*row[:measure], f"{row[measure]}_{n}", *row[measure + 1 :]])
    assert copied == expected
    codes = Counter(r[measure] for r in copied)
    base = ("LB", "RLB")
    assert set(codes) == {f"{c}{s}" for c in base for s in ("", "_2", "_3", "_4")}
    assert len(set(codes.values())) == 1  # every copy as many rows as the original
    assert list(with_measure_copies(flat_file, flat_file.rows, 1)) == rows


# --- the command line: same bytes on a second run --------------------------------------------


def test_generate_writes_the_same_bytes_again(tiny, tmp_path: Path) -> None:
    """`generate` (the function behind the command line) a second time: the same territory
    and the same files, byte for byte."""
    out, _, _ = tiny
    again = tmp_path / "again"
    territory, inputs = generate(GV_FILE, "tiny", again)
    assert inputs == again / "input"
    assert territory.directory == (again / "territory").resolve()
    assert territory.laender == ("04", "10", "16")
    for folder in ("input", "territory"):
        first = sorted(p.name for p in (out / folder).iterdir())
        assert sorted(p.name for p in (again / folder).iterdir()) == first
        for name in first:
            assert (again / folder / name).read_bytes() == (out / folder / name).read_bytes(), name


def test_measure_copies_keep_every_contract_in_use(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A size with measure copies writes its own contracts folder, which replaces the
    project's: every project contract must be there, those without a sample too (their dbt
    models read their raw tables, empty until a delivery)."""
    if not GV_FILE.is_file():
        pytest.skip(f"the Gemeindeverzeichnis is absent: {GV_FILE}")
    monkeypatch.setitem(SIZES, "tiny-x2", Size(("04", "10"), 2023, 2024, measure_copies=2))
    generate(GV_FILE, "tiny-x2", tmp_path / "out")
    written = sorted(p.name for p in (tmp_path / "out" / "contracts").glob("*.yml"))
    project = sorted(p.name for p in CONTRACTS_DIR.glob("*.yml"))
    assert written == project
