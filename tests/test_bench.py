"""The benchmark harness runs end to end, so it cannot rot; its reference agrees with the
warehouse on the values both compute."""

from __future__ import annotations

import csv

import pytest

from pipelines.bench import QUERIES, run_bench
from tests.conftest import SAMPLE_DIR


def _reference_count() -> int:
    """Kreis-years of the three reference indicators, counted in the sample files."""
    with (SAMPLE_DIR / "13211-02-05-4_de_flat.csv").open(encoding="utf-8-sig") as f:
        kreis_years = {
            (r["1_variable_attribute_code"], r["time"])
            for r in csv.DictReader(f, delimiter=";")
            if r["value"] != "-"
        }
    return 3 * len(kreis_years)


def test_bench_reports_every_phase_and_agrees_with_the_reference(tmp_path) -> None:
    result = run_bench("thueringen", repeats=3, keep=tmp_path / "warehouse")

    assert [p.name for p in result.phases] == [
        "full refresh from empty",
        "refresh, no new input",
        "refresh, one source changed",
    ]
    full, noop, changed = result.phases
    assert not full.skipped and full.rows > 0 and "warehouse_models" in full.step_seconds
    assert noop.skipped and noop.rows == 0 and noop.seconds < 5
    assert not changed.skipped and "13211-02-05-4" in changed.note
    assert result.reference_rows == _reference_count()
    compared, largest = result.agreement
    assert compared == 3 * 22 * 4 and largest < 1e-9  # 2021–2024: today's map, no conversion
    assert set(result.queries) == set(QUERIES)
    assert all(median > 0 for median, _ in result.queries.values())
    text = result.markdown()
    assert "| phase | wall s |" in text and "plain DuckDB reference" in text


def test_unknown_size_is_refused() -> None:
    with pytest.raises(ValueError, match="sizes: thueringen"):
        run_bench("germany")
