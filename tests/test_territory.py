"""Territory folders: loading and checking them (`pipelines.territory`) and writing them for
several Länder from the Destatis Gemeindeverzeichnis (`pipelines.regions.territory`).

Expected values come from the bundled files read as bytes or with plain `csv`, from the GV
workbook read directly with openpyxl (layout written out by hand: row 7 onwards; A Satzart,
B Textkennzeichen, C–G ARS parts Land/RB/Kreis/VB/Gem, H name, I area, J population), and
from facts counted by hand, never from the code under test.
"""

from __future__ import annotations

import csv
import re
import shutil
from collections import Counter, defaultdict
from decimal import Decimal
from pathlib import Path

import duckdb
import openpyxl
import pytest

from pipelines.paths import PROJECT_ROOT
from pipelines.regions.territory import build_territory, main, read_germany
from pipelines.territory import (
    DEFAULT_TERRITORY_DIR,
    TerritoryError,
    current_territory,
    load_territory,
)
from tests.conftest import REFERENCE_DATA

GV_FILE = REFERENCE_DATA / "gemeindeverzeichnis" / "AuszugGV2QAktuell.xlsx"
BUNDLED = PROJECT_ROOT / "data_contracts" / "territories" / "thueringen"
TABLE_FILES = ("ref_region.csv", "ref_region_gv.csv", "key_history.csv")
FIRST_DATA_ROW = 7
# Textkennzeichen of Satzart 40 (Kreis), from the GV's legend.
KREIS_TYPES = {"41": "kreisfreie Stadt", "42": "Stadtkreis", "43": "Kreis", "44": "Landkreis"}
KREIS_TYPES["45"] = "Regionalverband"


def _needs_gv() -> None:
    if not GV_FILE.is_file():
        pytest.skip(f"the Gemeindeverzeichnis is absent: {GV_FILE}")


def _csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _lines(path: Path) -> list[bytes]:
    return path.read_bytes().split(b"\n")


def _write_territory(directory: Path, spec: str | None, tables=TABLE_FILES) -> Path:
    """A territory folder with `spec` as territory.yml (None: no file) and the bundled tables."""
    directory.mkdir(parents=True, exist_ok=True)
    if spec is not None:
        (directory / "territory.yml").write_text(spec, encoding="utf-8")
    for name in tables:
        shutil.copyfile(BUNDLED / name, directory / name)
    return directory


VALID_SPEC = 'name: Test\nlaender: ["16"]\nperiods: [2015, 2024]\n'


# --- the GV read independently ---------------------------------------------------------------


class RawGV:
    """The GV table sheet as plain rows: (satzart, textkennzeichen, ars parts…, name, area, pop)."""

    def __init__(self, path: Path) -> None:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
        try:
            sheet = next(n for n in workbook.sheetnames if n.startswith("Onlineprodukt_Gemeinden"))
            rows = workbook[sheet].iter_rows(min_row=FIRST_DATA_ROW, values_only=True)
            self.rows = [
                r[:10] for r in rows if isinstance(r[0], str) and len(r[0]) == 2 and r[0].isdigit()
            ]
        finally:
            workbook.close()

    def of(self, satzart: str, land: str | None = None) -> list[tuple]:
        return [r for r in self.rows if r[0] == satzart and (land is None or r[2] == land)]

    @staticmethod
    def kreis_key(row: tuple) -> str:
        return row[2] + row[3] + row[4]

    @staticmethod
    def ags(row: tuple) -> str:  # Gemeinde: Land + RB + Kreis + Gem
        return row[2] + row[3] + row[4] + row[6]

    def gemeinde_counts(self) -> Counter:
        return Counter(r[2] for r in self.of("60"))

    def gemeinde_area(self, prefix: str) -> Decimal:
        total = sum(
            (Decimal(str(r[8])) for r in self.of("60") if self.ags(r).startswith(prefix)),
            Decimal(0),
        )
        return total.quantize(Decimal("0.01"))


@pytest.fixture(scope="module")
def raw_gv() -> RawGV:
    _needs_gv()
    return RawGV(GV_FILE)


@pytest.fixture(scope="module")
def germany():
    _needs_gv()
    return read_germany(GV_FILE)


@pytest.fixture(scope="module")
def bremen_saarland(germany, tmp_path_factory: pytest.TempPathFactory):
    out = tmp_path_factory.mktemp("territory") / "bremen_saarland"
    territory = build_territory(germany, ["10", "04"], out, 'Nord "West" – Süd', (2015, 2024))
    return territory, out


@pytest.fixture(scope="module")
def all_laender(germany, raw_gv: RawGV, tmp_path_factory: pytest.TempPathFactory):
    out = tmp_path_factory.mktemp("territory") / "deutschland"
    laender = sorted(r[2] for r in raw_gv.of("10"))
    territory = build_territory(germany, laender, out, "Deutschland", (2000, 2024))
    return territory, out


# --- the bundled territory -------------------------------------------------------------------


def test_bundled_territory_is_thueringen_from_2015_open_ended() -> None:
    territory = load_territory(BUNDLED)
    assert DEFAULT_TERRITORY_DIR.resolve() == BUNDLED.resolve()
    assert territory.directory == BUNDLED.resolve()
    assert territory.name == "Thüringen"
    assert territory.laender == ("16",)
    assert (territory.first_period, territory.last_period) == (2015, None)
    assert territory.table("ref_region") == BUNDLED.resolve() / "ref_region.csv"
    assert territory.files == [
        BUNDLED.resolve() / "territory.yml",
        BUNDLED.resolve() / "ref_region.csv",
        BUNDLED.resolve() / "ref_region_gv.csv",
        BUNDLED.resolve() / "key_history.csv",
        BUNDLED.resolve() / "small_areas.csv",
    ]
    assert all(p.is_file() for p in territory.files)
    assert territory.key_prefix == "(?:16)"


def test_tables_reach_dbt_as_text_with_every_row_and_leading_zero(tmp_path: Path) -> None:
    """dbt's reference models read the territory from schema `territory` of the build: every
    row of each CSV, every field as the file holds it (an empty field: NULL)."""
    territory = load_territory(BUNDLED)
    with duckdb.connect(str(tmp_path / "build.duckdb")) as con:
        territory.write_tables(con)
        for name in ("ref_region", "ref_region_gv", "key_history"):
            cursor = con.execute(f"select * from territory.{name}")
            columns = [d[0] for d in cursor.description]
            written = [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]
            expected = [{k: v or None for k, v in r.items()} for r in _csv(BUNDLED / f"{name}.csv")]
            assert written == expected, name
        keys = con.execute("select region_key from territory.ref_region_gv").fetchall()
    assert ("16051000",) in keys  # Erfurt's AGS, as text


def test_bundled_tables_hold_22_current_kreise_eisenach_and_605_gemeinden() -> None:
    regions = _csv(BUNDLED / "ref_region.csv")
    kreise = [r for r in regions if r["level"] == "kreis"]
    assert len([r for r in kreise if not r["valid_to"]]) == 22
    assert [(r["region_key"], r["valid_to"]) for r in kreise if r["valid_to"]] == [
        ("16056", "2021-06-30")
    ]
    gv = _csv(BUNDLED / "ref_region_gv.csv")
    assert sum(r["level"] == "gemeinde" for r in gv) == 605


def test_laender_are_sorted_and_key_prefix_matches_only_them(tmp_path: Path) -> None:
    spec = 'laender: ["16", "04"]\nperiods: [2020, 2020]\n'
    territory = load_territory(_write_territory(tmp_path / "zwei", spec))
    assert territory.laender == ("04", "16")
    assert territory.name == "zwei"  # no name: the folder's
    assert (territory.first_period, territory.last_period) == (2020, 2020)
    pattern = territory.key_prefix + r"\d{3}"
    assert re.fullmatch(pattern, "04011")
    assert re.fullmatch(pattern, "16051")
    assert not re.fullmatch(pattern, "05011")
    assert not re.fullmatch(pattern, "10041")


# --- broken territory folders ----------------------------------------------------------------


def test_missing_territory_yml_names_the_file(tmp_path: Path) -> None:
    directory = _write_territory(tmp_path / "leer", None)
    with pytest.raises(TerritoryError) as info:
        load_territory(directory)
    message = str(info.value)
    assert str(directory / "territory.yml") in message
    assert "laender" in message and "periods" in message  # what the file must hold
    assert isinstance(info.value, ValueError)


@pytest.mark.parametrize(
    "laender",
    [
        '"16"',  # text, not a list
        "[16]",  # a number
        "[04, 10]",  # YAML reads unquoted keys as numbers
        '["1"]',
        '["016"]',
        '["16", "Thüringen"]',
        "[]",
        None,  # no field at all
    ],
)
def test_bad_laender_name_file_and_field(tmp_path: Path, laender: str | None) -> None:
    line = "" if laender is None else f"laender: {laender}\n"
    directory = _write_territory(tmp_path / "t", f"name: X\n{line}periods: [2015, 2024]\n")
    with pytest.raises(TerritoryError) as info:
        load_territory(directory)
    message = str(info.value)
    assert str(directory / "territory.yml") in message
    assert "'laender'" in message
    assert "'periods'" not in message


@pytest.mark.parametrize(
    "periods",
    [
        "[2024, 2015]",  # first after last
        "[]",
        "[2015, 2020, 2024]",
        '["2015", "2024"]',
        "[2015.0, 2024]",
        "2015",
        "{first: 2015, last: 2024}",
        None,
    ],
)
def test_bad_periods_name_file_and_field(tmp_path: Path, periods: str | None) -> None:
    line = "" if periods is None else f"periods: {periods}\n"
    directory = _write_territory(tmp_path / "t", f'name: X\nlaender: ["16"]\n{line}')
    with pytest.raises(TerritoryError) as info:
        load_territory(directory)
    message = str(info.value)
    assert str(directory / "territory.yml") in message
    assert "'periods'" in message
    assert "'laender'" not in message


def test_empty_territory_yml_names_the_first_missing_field(tmp_path: Path) -> None:
    directory = _write_territory(tmp_path / "t", "")
    with pytest.raises(TerritoryError, match="'laender'") as info:
        load_territory(directory)
    assert str(directory / "territory.yml") in str(info.value)


@pytest.mark.parametrize(
    "spec",
    [
        '- "16"\n- 2015\n',  # a YAML list, not a mapping
        "Thüringen\n",  # a YAML scalar
        'laender: ["16"\nperiods: [2015, 2024]\n',  # not YAML at all (unclosed bracket)
    ],
    ids=["list", "scalar", "invalid-yaml"],
)
def test_territory_yml_that_is_no_mapping_is_a_territory_error(tmp_path: Path, spec: str) -> None:
    """A bad folder must raise TerritoryError naming territory.yml, whatever is wrong with it
    (the CLIs catch ValueError; an AttributeError or a YAMLError escapes them)."""
    directory = _write_territory(tmp_path / "t", spec)
    try:
        load_territory(directory)
    except Exception as exc:  # the kind of error is what is tested
        error = exc
    else:
        pytest.fail(f"{directory / 'territory.yml'} ({spec!r}) was accepted")
    assert isinstance(error, TerritoryError), f"{type(error).__name__}: {error}"
    assert "territory.yml" in str(error)


@pytest.mark.parametrize(
    "missing",
    [("ref_region.csv",), ("ref_region_gv.csv",), ("key_history.csv",), TABLE_FILES],
    ids=["ref_region", "ref_region_gv", "key_history", "all"],
)
def test_missing_tables_are_named(tmp_path: Path, missing: tuple[str, ...]) -> None:
    present = [t for t in TABLE_FILES if t not in missing]
    directory = _write_territory(tmp_path / "t", VALID_SPEC, present)
    with pytest.raises(TerritoryError) as info:
        load_territory(directory)
    message = str(info.value)
    assert str(directory) in message
    for name in missing:
        assert name in message
    for name in present:
        assert name not in message


# --- current_territory -------------------------------------------------------------------------


def test_current_territory_follows_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    spec = 'name: "Bremen und Thüringen"\nlaender: ["04", "16"]\nperiods: [2000, 2024]\n'
    directory = _write_territory(tmp_path / "bremen", spec)
    monkeypatch.setenv("SOZPLAN_TERRITORY_DIR", str(directory))
    territory = current_territory()
    assert territory.directory == directory.resolve()
    assert territory.name == "Bremen und Thüringen"
    assert territory.laender == ("04", "16")
    assert (territory.first_period, territory.last_period) == (2000, 2024)


@pytest.mark.parametrize("value", [None, ""])
def test_current_territory_without_the_environment_is_the_bundled_one(
    monkeypatch: pytest.MonkeyPatch, value: str | None
) -> None:
    if value is None:
        monkeypatch.delenv("SOZPLAN_TERRITORY_DIR", raising=False)
    else:
        monkeypatch.setenv("SOZPLAN_TERRITORY_DIR", value)
    territory = current_territory()
    assert territory.directory == BUNDLED.resolve()
    assert territory.laender == ("16",)


def test_current_territory_pointing_at_a_broken_folder_raises(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOZPLAN_TERRITORY_DIR", str(tmp_path / "nirgends"))
    with pytest.raises(TerritoryError, match="territory.yml"):
        current_territory()


# --- build_territory: Bremen and the Saarland --------------------------------------------------


def test_gv_counts_by_hand(raw_gv: RawGV) -> None:
    """The figures the tests below rely on, counted in the workbook itself."""
    gemeinden = raw_gv.gemeinde_counts()
    # Satzart-60 rows: the Saarland has 52 Gemeinden and one gemeindefreies Gebiet (10042999,
    # the deutsch-luxemburgisches Hoheitsgebiet, Textkennzeichen 66); Germany 10,752
    # Gemeinden and 207 gemeindefreie Gebiete (Textkennzeichen 65/66).
    assert (gemeinden["04"], gemeinden["10"], gemeinden["16"]) == (2, 53, 605)
    saarland = raw_gv.of("60", "10")
    assert sum(r[1] not in ("65", "66") for r in saarland) == 52
    assert [raw_gv.ags(r) for r in saarland if r[1] in ("65", "66")] == ["10042999"]
    assert sum(gemeinden.values()) == 10_959
    assert sum(r[1] in ("65", "66") for r in raw_gv.of("60")) == 207
    assert len(raw_gv.of("10")) == 16
    assert len(raw_gv.of("40")) == 400
    assert sorted(raw_gv.kreis_key(r) for r in raw_gv.of("40", "04")) == ["04011", "04012"]
    assert len(raw_gv.of("40", "10")) == 6


def test_two_laender_territory_loads_with_thueringen(bremen_saarland) -> None:
    territory, out = bremen_saarland
    assert territory.directory == out.resolve()
    assert territory.laender == ("04", "10", "16")
    assert territory.name == 'Nord "West" – Süd'
    assert (territory.first_period, territory.last_period) == (2015, 2024)
    assert load_territory(out) == territory


def test_two_laender_ref_region_keeps_thueringen_byte_for_byte(bremen_saarland) -> None:
    _, out = bremen_saarland
    written, bundled = _lines(out / "ref_region.csv"), _lines(BUNDLED / "ref_region.csv")
    assert written[0] == bundled[0]  # header
    assert [line for line in written[1:] if line.startswith(b"16")] == [
        line for line in bundled[1:] if line.startswith(b"16")
    ]
    keys = [r["region_key"] for r in _csv(out / "ref_region.csv")]
    assert keys == sorted(keys)
    assert len(keys) == len(set(keys))
    assert {k[:2] for k in keys} == {"04", "10", "16"}


def test_two_laender_ref_region_has_their_kreise_under_the_land(
    bremen_saarland, raw_gv: RawGV
) -> None:
    _, out = bremen_saarland
    rows = {r["region_key"]: r for r in _csv(out / "ref_region.csv")}
    names = {raw_gv.kreis_key(r): r[7] for r in raw_gv.of("40")}
    names.update({r[2]: r[7] for r in raw_gv.of("10")})
    types = {raw_gv.kreis_key(r): KREIS_TYPES[r[1]] for r in raw_gv.of("40")}
    expected_kreise = {
        "04": ["04011", "04012"],
        "10": ["10041", "10042", "10043", "10044", "10045", "10046"],
    }
    for land, kreise in expected_kreise.items():
        mine = sorted(k for k, r in rows.items() if k[:2] == land and r["level"] == "kreis")
        assert mine == kreise
        land_row = rows[land]
        assert (land_row["level"], land_row["parent_key"], land_row["name"]) == (
            "land",
            "",
            names[land],
        )
        assert land_row["area_km2"] == str(raw_gv.gemeinde_area(land))
        for key in kreise:
            row = rows[key]
            assert row["parent_key"] == land
            assert row["name"] == names[key]
            assert row["kreis_type"] == types[key]
            assert (row["valid_from"], row["valid_to"]) == ("", "")
            assert row["area_km2"] == str(raw_gv.gemeinde_area(key))
    assert rows["04011"]["kreis_type"] == "kreisfreie Stadt"
    assert rows["10041"]["kreis_type"] == "Regionalverband"
    assert rows["10042"]["kreis_type"] == "Landkreis"


def test_two_laender_ref_region_gv_counts_match_the_workbook(
    bremen_saarland, raw_gv: RawGV
) -> None:
    _, out = bremen_saarland
    rows = _csv(out / "ref_region_gv.csv")
    keys = [r["region_key"] for r in rows]
    assert keys == sorted(keys)
    assert len(keys) == len(set(keys))
    gemeinden = [r for r in rows if r["level"] == "gemeinde"]
    counted = raw_gv.gemeinde_counts()
    by_land = Counter(r["region_key"][:2] for r in gemeinden)
    assert by_land == {land: counted[land] for land in ("04", "10", "16")}
    assert by_land == {"04": 2, "10": 53, "16": 605}  # 10: 52 + 1 gemeindefreies Gebiet
    verbaende = Counter(r["region_key"][:2] for r in rows if r["level"] == "gemeindeverband")
    raw_verbaende = Counter(r[2] for r in raw_gv.of("50"))
    assert verbaende == {land: raw_verbaende[land] for land in ("04", "10", "16")}
    # Every Gemeinde of Bremen and the Saarland with its key, parent and population.
    raw = {raw_gv.ags(r): r for r in raw_gv.of("60") if r[2] in ("04", "10")}
    mine = {r["region_key"]: r for r in gemeinden if r["region_key"][:2] in ("04", "10")}
    assert sorted(mine) == sorted(raw)
    for key, row in mine.items():
        assert row["parent_key"] == key[:5]
        assert row["name"] == raw[key][7]
        assert row["population_2022"] == str(raw[key][9])
    # Kreise carry the population of their Gemeinden.
    for kreis in (r for r in rows if r["level"] == "kreis" and r["region_key"][:2] != "16"):
        expected = sum(r[9] for k, r in raw.items() if k.startswith(kreis["region_key"]))
        assert kreis["population_2022"] == str(expected)


def test_two_laender_ref_region_gv_keeps_thueringen_byte_for_byte(bremen_saarland) -> None:
    _, out = bremen_saarland
    written, bundled = _lines(out / "ref_region_gv.csv"), _lines(BUNDLED / "ref_region_gv.csv")
    assert written[0] == bundled[0]
    assert [line for line in written[1:] if line.startswith(b"16")] == [
        line for line in bundled[1:] if line.startswith(b"16")
    ]


def test_key_history_is_copied(bremen_saarland) -> None:
    _, out = bremen_saarland
    assert (out / "key_history.csv").read_bytes() == (BUNDLED / "key_history.csv").read_bytes()


def test_thueringen_alone_gives_the_bundled_tables(germany, tmp_path: Path) -> None:
    territory = build_territory(germany, ["16"], tmp_path / "nur16", "Nur", (2015, 2024))
    assert territory.laender == ("16",)
    for name in TABLE_FILES:
        assert (tmp_path / "nur16" / name).read_bytes() == (BUNDLED / name).read_bytes(), name


def test_thueringen_is_always_part_of_it(germany, tmp_path: Path) -> None:
    territory = build_territory(germany, ["04"], tmp_path / "bremen", "Bremen", (2015, 2024))
    assert territory.laender == ("04", "16")


@pytest.mark.parametrize("laender", [["04", "17"], ["99"], ["4"]])
def test_unknown_land_is_a_value_error_naming_it(
    germany, tmp_path: Path, laender: list[str]
) -> None:
    out = tmp_path / "t"
    with pytest.raises(ValueError) as info:
        build_territory(germany, laender, out, "X", (2015, 2024))
    message = str(info.value)
    unknown = [k for k in laender if k != "04"]
    for key in unknown:
        assert key in message
    assert "04" not in message
    assert not out.exists()  # nothing written


def test_reversed_periods_are_refused(germany, tmp_path: Path) -> None:
    with pytest.raises(TerritoryError, match="'periods'"):
        build_territory(germany, ["04"], tmp_path / "t", "X", (2024, 2015))
    assert not (tmp_path / "t").exists()


# --- build_territory: all of Germany ---------------------------------------------------------


def test_all_laender(all_laender, raw_gv: RawGV) -> None:
    territory, out = all_laender
    assert territory.laender == tuple(f"{i:02d}" for i in range(1, 17))
    assert territory.laender == tuple(sorted(r[2] for r in raw_gv.of("10")))
    assert (territory.first_period, territory.last_period) == (2000, 2024)
    assert territory.name == "Deutschland"


def test_all_laender_ref_region_has_400_kreise_and_eisenach(all_laender, raw_gv: RawGV) -> None:
    _, out = all_laender
    rows = _csv(out / "ref_region.csv")
    assert sorted(r["region_key"] for r in rows if r["level"] == "land") == [
        f"{i:02d}" for i in range(1, 17)
    ]
    kreise = [r for r in rows if r["level"] == "kreis"]
    current = sorted(r["region_key"] for r in kreise if not r["valid_to"])
    assert len(current) == 400
    assert current == sorted(raw_gv.kreis_key(r) for r in raw_gv.of("40"))
    assert [(r["region_key"], r["valid_to"]) for r in kreise if r["valid_to"]] == [
        ("16056", "2021-06-30")
    ]
    assert all(r["parent_key"] == r["region_key"][:2] for r in kreise)
    per_land = Counter(r["region_key"][:2] for r in kreise if not r["valid_to"])
    assert per_land == Counter(r[2] for r in raw_gv.of("40"))


def test_all_laender_ref_region_gv_has_every_gemeinde(all_laender, raw_gv: RawGV) -> None:
    _, out = all_laender
    rows = _csv(out / "ref_region_gv.csv")
    gemeinden = [r["region_key"] for r in rows if r["level"] == "gemeinde"]
    assert len(gemeinden) == 10_959
    assert len(gemeinden) == sum(raw_gv.gemeinde_counts().values())
    assert sorted(gemeinden) == sorted(raw_gv.ags(r) for r in raw_gv.of("60"))
    assert Counter(k[:2] for k in gemeinden) == raw_gv.gemeinde_counts()
    keys = [r["region_key"] for r in rows]
    assert len(keys) == len(set(keys))


# --- the command line ------------------------------------------------------------------------


def test_cli_writes_a_territory(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    _needs_gv()
    out = tmp_path / "saar"
    argv = [str(GV_FILE), "--laender", "10", "--periods", "2000", "2024"]
    assert main([*argv, "--name", "Saar", "--out", str(out)]) == 0
    territory = load_territory(out)
    assert territory.laender == ("10", "16")
    assert territory.name == "Saar"
    assert (territory.first_period, territory.last_period) == (2000, 2024)
    assert "Saar" in capsys.readouterr().out
    saar = [r for r in _csv(out / "ref_region.csv") if r["region_key"].startswith("10")]
    assert len([r for r in saar if r["level"] == "kreis"]) == 6


def test_cli_unknown_land_exits_2_naming_it(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    _needs_gv()
    out = tmp_path / "t"
    assert main([str(GV_FILE), "--laender", "04, 99", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "99" in err
    assert not out.exists()


def test_cli_missing_workbook_exits_1(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    missing = tmp_path / "kein.xlsx"
    assert main([str(missing), "--laender", "04", "--out", str(tmp_path / "t")]) == 1
    assert "kein.xlsx" in capsys.readouterr().err


def test_per_land_kreis_prefixes_are_consistent(bremen_saarland) -> None:
    """Every Gemeinde and Gemeindeverband hangs on a Kreis of the same table."""
    _, out = bremen_saarland
    rows = _csv(out / "ref_region_gv.csv")
    kreise = {r["region_key"] for r in rows if r["level"] == "kreis"}
    children: dict[str, int] = defaultdict(int)
    for row in rows:
        if row["level"] in ("gemeinde", "gemeindeverband"):
            assert row["parent_key"] in kreise, row
            children[row["parent_key"]] += 1
    assert set(children) == kreise


def test_refresh_with_an_unusable_territory_says_so(tmp_path: Path, monkeypatch, capsys) -> None:
    from pipelines.cli import main as cli

    monkeypatch.setenv("SOZPLAN_WAREHOUSE_DIR", str(tmp_path / "warehouse"))
    monkeypatch.setenv("SOZPLAN_TERRITORY_DIR", str(tmp_path / "nowhere"))
    assert cli(["refresh", "--log-level", "WARNING"]) == 1
    err = capsys.readouterr().err
    assert "cannot use the territory" in err and "nowhere/territory.yml" in err
    assert "Traceback" not in err
