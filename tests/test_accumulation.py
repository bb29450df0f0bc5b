"""Deliveries accumulate: a table delivered year by year, a revision, and a year nobody delivered.

The SGB II table is delivered as three files (2015–2019, 2021–2022, 2023–2024: 2020 is never
delivered) and a fourth, newest file that revises one value of 2022, refreshed at once.
Expected values are read from the files the test writes, never from the warehouse.
"""

from __future__ import annotations

import csv
import io
import shutil
import time
from pathlib import Path

import duckdb
import pytest

from pipelines.refresh import run_refresh
from tests.conftest import SAMPLE_DIR

SAMPLE = SAMPLE_DIR / "SGB2-01-4_de_flat.csv"
ERFURT = "16051"
REVISED_YEAR = 2022


def _rows() -> tuple[list[str], list[list[str]]]:
    with SAMPLE.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle, delimiter=";"))
    return rows[0], rows[1:]


def _write(path: Path, header: list[str], rows: list[list[str]]) -> None:
    text = io.StringIO()
    csv.writer(text, delimiter=";", lineterminator="\n").writerows([header, *rows])
    path.write_text("\ufeff" + text.getvalue(), encoding="utf-8")


def _erfurt_lb(header: list[str], row: list[str]) -> bool:
    field = dict(zip(header, row, strict=True))
    return (
        field["1_variable_attribute_code"] == ERFURT
        and field["value_variable_code"] == "LB"
        and field["2_variable_attribute_code"] == ""
        and field["time"] == str(REVISED_YEAR)
    )


@pytest.fixture(scope="module")
def accumulated(sample_refresh, tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp("accumulate") / "warehouse"
    shutil.copytree(sample_refresh[0], root)
    inbox = root / "inbox"
    inbox.mkdir(exist_ok=True)
    header, rows = _rows()
    year = header.index("time")
    parts = {"2015-2019": range(2015, 2020), "2021-2022": (2021, 2022), "2023-2024": (2023, 2024)}
    for name, years in parts.items():
        _write(
            inbox / f"SGB2-01-4_{name}_de_flat.csv",
            header,
            [r for r in rows if int(r[year]) in years],
        )
        time.sleep(0.01)  # landing order follows the files' times
    value = header.index("value")
    old = next(r for r in rows if _erfurt_lb(header, r))
    revised = [*old[:value], str(int(old[value]) + 250), *old[value + 1 :]]
    _write(inbox / "download.csv", header, [revised])  # one value, under any name, newest
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SOZPLAN_WAREHOUSE_DIR", str(root))
        refreshed = run_refresh(log_level="WARNING", force=False)
    return root, refreshed, float(old[value]), float(revised[value])


def test_years_delivered_in_separate_files_add_up(accumulated) -> None:
    root, refreshed, _old, _new = accumulated
    assert refreshed.success, refreshed.summary()
    assert "sgb2_benefits has no delivery for 2020" in refreshed.summary()
    header, rows = _rows()
    delivered = {r[header.index("time")] for r in rows} - {"2020"}
    with duckdb.connect(str(root / "sozialplanung.duckdb"), read_only=True) as con:
        years = {
            str(y)
            for (y,) in con.execute(
                "select distinct period from marts.fct_indicator_value "
                "where indicator_id = 'sgb2_quota'"
            ).fetchall()
        }
        gaps = con.execute(
            "select period_year from meta.coverage_gap where source = 'sgb2_benefits'"
        ).fetchall()
    assert years == delivered
    assert gaps == [(2020,)]


def test_a_revision_wins_and_history_keeps_both(accumulated) -> None:
    root, refreshed, old, new = accumulated
    assert refreshed.success, refreshed.summary()
    with duckdb.connect(str(root / "sozialplanung.duckdb"), read_only=True) as con:
        where = (
            f"region_key = '{ERFURT}' and period_year = {REVISED_YEAR} "
            "and measure_code = 'LB' and var1_attr_code = ''"
        )
        current = con.execute(
            f"select value, _source_file from raw.sgb2_benefits where {where}"
        ).fetchall()
        history = con.execute(
            f"select value, _source_file from raw_history.sgb2_benefits where {where} "
            "order by _delivery_seq"
        ).fetchall()
        revision = con.execute(
            "select old_value, new_value, old_file, new_file from meta.revision "
            "where source = 'sgb2_benefits'"
        ).fetchall()
        numerator = con.execute(
            "select numerator from marts.fct_indicator_value where indicator_id = 'sgb2_quota' "
            f"and region_key = '{ERFURT}' and period = {REVISED_YEAR}"
        ).fetchone()[0]
    assert current == [(new, "download.csv")]
    assert history == [(old, "SGB2-01-4_2021-2022_de_flat.csv"), (new, "download.csv")]
    assert revision == [(old, new, "SGB2-01-4_2021-2022_de_flat.csv", "download.csv")]
    assert numerator == pytest.approx(new)
