"""The benchmark harness runs end to end on its `tiny` size (Thüringen, Bremen and the
Saarland, generated from the Gemeindeverzeichnis), so it cannot rot; its report has every
phase and stage, and its plain-DuckDB reference agrees with the warehouse."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from pipelines.bench import DEFAULT_GV, QUERIES, run_bench
from pipelines.contracts import load_contracts


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    if not DEFAULT_GV.is_file():
        pytest.skip(f"{DEFAULT_GV} is not there")
    root = tmp_path_factory.mktemp("bench") / "warehouse"
    return root, run_bench("tiny", repeats=3, keep=root)


def _kreis_years(exports: list[Path]) -> set[tuple[str, str]]:
    """Kreis-years with a published unemployment rate, read from the yearly classic exports
    (`year;key;name;7 counts;ERWP09;ERWP10;…`)."""
    out = set()
    for path in exports:
        text = path.read_bytes().decode("cp1252")
        for fields in csv.reader(text.splitlines(), delimiter=";"):
            kreis = len(fields) > 11 and len(fields[1]) == 5 and fields[0].isdigit()
            if kreis and fields[11] != "-":
                out.add((fields[1], fields[0]))
    return out


def test_every_phase_and_stage_is_reported(tiny) -> None:
    _, result = tiny
    assert [p.name for p in result.phases] == [
        "full refresh from empty",
        "refresh, no new input",
        "refresh, one source changed",
    ]
    full, noop, changed = result.phases
    assert not full.skipped and full.rows > 0 and full.peak_mb > 100
    stages = {s.name: s for s in full.stages}
    assert "dbt build (models and tests)" in stages and "publish" in stages
    assert stages["ingest population_gemeinden"].rows > 0
    assert (
        stages["checks population_gemeinden (GX)"].rows
        == stages["ingest population_gemeinden"].rows
    )
    assert noop.skipped and noop.rows == 0 and "nothing rebuilt" in noop.note
    assert not changed.skipped and "13211-02-05-4" in changed.note
    # only the changed source and the cities' small areas (never kept: the published file
    # holds no rows of theirs) are read and validated again; the others are kept (the input is
    # made from the bundled samples: a source without one has no file to read or keep)
    sources = sum(1 for c in load_contracts().values() if c.sample_files)
    assert (
        "ingested and validated 3 sources (erfurt_stadtteile, jena_planungsraeume, unemployment)"
        in changed.note
    )
    assert f"kept {sources - 3} raw tables from the published release" in changed.note
    assert f"ingested and validated {sources} sources" in full.note and "kept" not in full.note
    text = result.markdown()
    for heading in ("| phase | wall s |", "plain DuckDB reference", "| stage of the full refresh"):
        assert heading in text


def test_reference_agrees_with_the_warehouse(tiny) -> None:
    root, result = tiny
    generated = root / "generated"
    exports = sorted((generated / "input").glob("13211-02-05-4_*.csv"))
    assert [p.name for p in exports] == [f"13211-02-05-4_{y}.csv" for y in range(2015, 2025)]
    kreis_years = _kreis_years(exports)
    assert result.reference_values == 3 * len(kreis_years)
    flat_files = sorted((generated / "input").glob("*_flat.csv"))
    assert result.reference_files == len(flat_files) + len(exports)
    data_lines = 0
    for path in flat_files:
        with path.open(encoding="utf-8-sig") as f:
            data_lines += sum(1 for line in f if line.strip()) - 1  # minus the header
    for path in exports:  # loaded as lines, every one
        data_lines += len(path.read_bytes().decode("cp1252").splitlines())
    assert result.reference_rows == data_lines
    with (generated / "territory" / "ref_region.csv").open(encoding="utf-8") as f:
        today = [r for r in csv.DictReader(f) if r["level"] == "kreis" and not r["valid_to"]]
    assert len(today) == 22 + 2 + 6  # Thüringen, Bremen, Saarland
    compared, largest = result.agreement
    assert compared == 3 * len(today) * 4 and largest < 1e-9  # 2021–2024, today's map
    assert set(result.queries) == set(QUERIES)
    assert all(median > 0 for median, _ in result.queries.values())


def test_unknown_size_is_refused() -> None:
    with pytest.raises(ValueError, match="sizes: tiny, thueringen, germany, germany-x4"):
        run_bench("europe")


def test_ingest_profile_names_the_functions_that_take_the_time(warehouse_dir: Path) -> None:
    """The profile of the slowest ingest re-reads the source's deliveries under cProfile."""
    from pipelines.bench import _ingest_profile

    lines = _ingest_profile("unemployment", warehouse_dir, top=5)
    assert lines[0].startswith("The same file ingested again under cProfile")
    rows = [line for line in lines if line.startswith("| `")]
    assert 1 <= len(rows) <= 5
    assert any("ingest_deliveries" in row for row in rows)
