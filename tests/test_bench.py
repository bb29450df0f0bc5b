"""The benchmark harness runs end to end on its `tiny` size (Thüringen, Bremen and the
Saarland, generated from the Gemeindeverzeichnis), so it cannot rot; its report has every
phase and stage, and its plain-DuckDB reference agrees with the warehouse."""

from __future__ import annotations

import csv
import zipfile
from pathlib import Path

import duckdb
import pytest

from pipelines.contracts import load_contracts
from tools.bench.harness import QUERIES, run_bench


@pytest.fixture(scope="module")
def tiny(tmp_path_factory, tiny_generated):
    """The benchmark on the tiny input the generator's command line wrote (shared with its
    tests): (warehouse folder, generated folder, result)."""
    generated, _ = tiny_generated
    root = tmp_path_factory.mktemp("bench") / "warehouse"
    return root, generated, run_bench("tiny", repeats=3, keep=root, generated=generated)


def _published_rates(exports: list[Path]) -> dict[tuple[str, int], float]:
    """Unemployment rate (ERWP09, field 12) per Kreis and year, read from the yearly classic
    exports (`year;key;name;7 counts;ERWP09;ERWP10;…`) with the csv module."""
    out = {}
    for path in exports:
        text = path.read_bytes().decode("cp1252")
        for fields in csv.reader(text.splitlines(), delimiter=";"):
            kreis = len(fields) > 11 and len(fields[1]) == 5 and fields[0].isdigit()
            if kreis and fields[11] != "-":
                out[(fields[1], int(fields[0]))] = float(fields[11].replace(",", "."))
    return out


def test_every_phase_and_stage_is_reported(tiny) -> None:
    _, generated, result = tiny
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
    raw_rows = sum(s.rows for s in full.stages if s.part and s.name.startswith("ingest "))
    assert stages["ingest (every source, one step)"].rows == raw_rows
    assert "checks raw tables (GX, every source, one validation)" in stages
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
    assert result.inputs.endswith(f", generated before (in {generated})")
    text = result.markdown()
    for heading in (
        "| phase | wall s |",
        "plain DuckDB reference",
        "| stage of the full refresh",
        "| stage of the refresh, one source changed | wall s | peak MB |",
    ):
        assert heading in text
    assert "| stage of the refresh, no new input" not in text  # skipped: no steps ran


def test_reference_computes_every_indicator_from_the_input_files(tiny) -> None:
    """The reference reads every text file of the input and runs the compiled dbt SQL: its
    fact table is the published one, and its unemployment rates are the files' own."""
    root, generated, result = tiny
    inputs = generated / "input"
    texts = [p.read_bytes() for p in sorted(inputs.glob("*.csv"))]
    for archive in sorted(inputs.glob("*.zip")):  # the API's ZIPs: their flat-file members
        with zipfile.ZipFile(archive) as z:
            texts += [z.read(m) for m in z.namelist() if m.endswith(".csv")]
    ref = result.reference
    assert ref.files == len(texts) and ref.skipped == tuple(
        p.name for p in sorted(inputs.glob("*.xlsx"))
    )
    lines = 0
    for data in texts:
        text = data.decode("latin-1").lstrip("\ufeff\xef\xbb\xbf")
        if text.startswith("statistics_code;"):  # a GENESIS flat file: records
            lines += sum(1 for line in text.splitlines() if line.strip()) - 1
        else:  # any other text table: every line
            lines += len(text.splitlines())
    assert ref.loaded == lines
    compared, largest = result.agreement
    assert compared == ref.values > 0 and largest < 1e-9
    rates = _published_rates(sorted(inputs.glob("13211-02-05-4_*.csv")))
    with (generated / "territory" / "ref_region.csv").open(encoding="utf-8") as f:
        today = {
            r["region_key"]
            for r in csv.DictReader(f)
            if r["level"] == "kreis" and not r["valid_to"]
        }
    assert len(today) == 22 + 2 + 6  # Thüringen, Bremen, Saarland
    with duckdb.connect(str(root / "reference" / "plain.duckdb"), read_only=True) as con:
        computed = dict(
            ((key, period), value)
            for key, period, value in con.execute(
                "select region_key, period, value from marts.fct_indicator_value "
                "where indicator_id = 'unemployment_rate' and period >= 2021 "
                "and length(region_key) = 5"
            ).fetchall()
        )
    expected = {k: v for k, v in rates.items() if k[1] >= 2021 and k[0] in today}
    assert len(expected) == len(today) * 4
    assert all(abs(computed[k] - v) < 1e-9 for k, v in expected.items())
    assert set(result.queries) == set(QUERIES)
    assert all(0 < q.median <= q.p95 and q.scan_median > 0 for q in result.queries.values())
    with duckdb.connect(str(root / "sozialplanung.duckdb"), read_only=True) as con:
        for name, sql in QUERIES.items():
            assert result.queries[name].rows == len(con.execute(sql).fetchall()), name


def test_unknown_size_is_refused() -> None:
    with pytest.raises(ValueError, match="sizes: tiny, thueringen, germany, germany-x4"):
        run_bench("europe")


def test_input_generated_for_another_size_is_refused(tiny_generated, tmp_path: Path) -> None:
    generated, _ = tiny_generated
    with pytest.raises(ValueError, match=f"{generated} holds the input of size tiny, not germany"):
        run_bench("germany", keep=tmp_path / "warehouse", generated=generated)


def test_a_folder_without_generated_input_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=f"{tmp_path} holds no generated input"):
        run_bench("tiny", keep=tmp_path / "warehouse", generated=tmp_path)


def test_ingest_profile_names_the_functions_that_take_the_time(warehouse_dir: Path) -> None:
    """The profile of the slowest ingest re-reads the source's deliveries under cProfile."""
    from tools.bench.harness import _ingest_profile

    lines = _ingest_profile("unemployment", warehouse_dir, top=5)
    assert lines[0].startswith("The same file ingested again under cProfile")
    rows = [line for line in lines if line.startswith("| `")]
    assert 1 <= len(rows) <= 5
    assert any("ingest_deliveries" in row for row in rows)
