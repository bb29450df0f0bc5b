"""The income sample (82411-01-03-4): byte-stable generator, the layout of the real classic
export, consistency with the Kreis population sample. Expected values come from plain `csv`
parsing, never from the generator."""

from __future__ import annotations

import csv
from pathlib import Path

import duckdb
import pytest

from pipelines.conform import conform
from pipelines.contracts import load_contracts
from pipelines.ingest import read_delivery
from pipelines.sample import income
from tests.conftest import REFERENCE_DATA

PROJECT = Path(__file__).resolve().parents[1]
SAMPLE_DIR = PROJECT / "sample_data"
POPULATION = "12411-02-03-4_de_flat.csv"
TABLE = "82411-01-03-4"
REAL = REFERENCE_DATA / "genesis_classic_recent" / f"{TABLE}.csv"
KREISE = [f"160{n}" for n in (*range(51, 57), *range(61, 78))]
YEARS = range(2015, 2025)


def _lines(path: Path) -> list[str]:
    return path.read_bytes().decode("cp1252").split("\n")


def _files() -> list[Path]:
    return [SAMPLE_DIR / f"{TABLE}_{year}.csv" for year in YEARS]


def _sample() -> dict:
    """`_data` of every yearly file together."""
    return {cell: value for path in _files() for cell, value in _data(path).items()}


def _data(path: Path) -> dict[tuple[str, int], tuple[str, str]]:
    """(key, year) -> (total in Tsd. EUR, EUR per inhabitant) as printed."""
    out = {}
    for fields in csv.reader(_lines(path), delimiter=";"):
        if len(fields) == 5 and fields[0].isdigit():
            out[fields[1], int(fields[0])] = (fields[3], fields[4])
    return out


def _population() -> dict[tuple[str, int], int]:
    """(Kreis, year) -> population at 31.12., both sexes (numeric cells only)."""
    with (SAMPLE_DIR / POPULATION).open(encoding="utf-8-sig", newline="") as f:
        return {
            (r["1_variable_attribute_code"], int(r["time"][:4])): int(r["value"])
            for r in csv.DictReader(f, delimiter=";")
            if r["2_variable_attribute_code"] == r["3_variable_attribute_code"] == ""
            and r["value"] != "-"
        }


def test_generator_is_byte_stable(tmp_path: Path) -> None:
    (tmp_path / POPULATION).write_bytes((SAMPLE_DIR / POPULATION).read_bytes())
    written = income.generate(tmp_path)
    assert [p.name for p in written] == [p.name for p in _files()]
    for path in _files():
        assert (tmp_path / path.name).read_bytes() == path.read_bytes(), path.name


def test_layout_is_the_real_exports() -> None:
    """Title, header and column layout as in the real download; LF, cp1252, a footer; one
    year per file, the Land row first."""
    real = _lines(REAL)
    for year, path in zip(YEARS, _files(), strict=True):
        mine = _lines(path)
        assert mine[:7] == real[:7]
        assert mine[-1] == "" and mine[-2].startswith("Stand: ")
        assert "__________" in mine and b"\r" not in path.read_bytes()
        assert set(_data(path)) == {(k, year) for k in ["16", *KREISE]}
        assert mine[7].startswith(f"{year};16;  Thüringen;")
        names = [line.split(";")[2] for line in mine if line[:4].isdigit()]
        assert {name[: len(name) - len(name.lstrip())] for name in names} == {"  ", "      "}


def test_land_row_sums_its_kreise_and_per_head_is_plausible() -> None:
    data, pop = _sample(), _population()
    for year in YEARS:
        kreise = [data[k, year] for k in KREISE if data[k, year][0] != "-"]
        assert int(data["16", year][0]) == sum(int(total) for total, _ in kreise)
        # the Land's amount per inhabitant lies within the Kreise's
        per_head = sorted(int(p) for _, p in kreise)
        assert per_head[0] <= int(data["16", year][1]) <= per_head[-1]
    for (key, year), (total, per_head) in data.items():
        if key == "16056" and year >= 2021:
            assert (total, per_head) == ("-", "-")
            continue
        implied = int(total) * 1000 / int(per_head)  # the VGR's average population
        if key != "16":
            assert abs(implied / pop[key, year] - 1) < 0.012, (key, year)
        assert 17_000 < int(per_head) < 28_000, (key, year)
        if year > 2015:
            before = int(data[key, year - 1][1])
            assert 0.99 < int(per_head) / before < 1.07, (key, year)


def test_a_real_2021_delivery_continues_the_series() -> None:
    """The real 2021 amounts per inhabitant lie within 7 % of the sample's 2020 and 2022 (the
    indicator allows 8 % from one year to the next)."""
    mine, real = _sample(), _data(REAL)
    for key in ["16", *KREISE]:
        if key == "16056":
            continue
        value = int(real[key, 2021][1])
        for year in (2020, 2022):
            assert abs(value / int(mine[key, year][1]) - 1) < 0.07, (key, year)


@pytest.mark.parametrize("path", [SAMPLE_DIR / f"{TABLE}_2024.csv", REAL], ids=["sample", "real"])
def test_contract_reads_euro_and_codes(path: Path) -> None:
    contract = load_contracts()["income"]
    frame = conform(read_delivery(path, contract), contract)
    data = _data(path)
    year = 2024 if path.parent == SAMPLE_DIR else 2021
    rows = frame[(frame["region_key"] == "16053") & (frame["period_year"] == year)]
    values = dict(zip(rows["measure_code"], rows["value"], strict=True))
    assert values == {
        "EKM006": int(data["16053", year][0]) * 1000,
        "EKM014": int(data["16053", year][1]),
    }
    assert set(frame["region_key"]) == {"16", *KREISE}


def test_indicator_is_the_published_amount(sample_refresh) -> None:
    """A Kreis on its own map shows the published EKM014; the Land and Kreise whose map changed
    are summed income over summed inhabitants, the Land within 1 EUR of its published row."""
    root, _ = sample_refresh
    with duckdb.connect(str(root / "sozialplanung.duckdb"), read_only=True) as con:
        published = dict(
            ((key, period), value)
            for key, period, value in con.execute(
                "select region_key, period, value from marts.fct_indicator_value "
                "where indicator_id = 'disposable_income_per_inhabitant'"
            ).fetchall()
        )
    data = _sample()
    moved = {"16054", "16063", "16066", "16070", "16072", "16073"}  # 2019 transfers, Eisenach
    assert len(published) == 23 * len(YEARS)
    for (key, year), value in published.items():
        printed = int(data[key, year][1])
        if key == "16":
            assert abs(value - printed) < 1, (key, year)
        elif year >= 2021 or key not in moved:
            assert value == pytest.approx(printed, abs=1e-6), (key, year)
        else:
            assert abs(value / printed - 1) < 0.02, (key, year)
