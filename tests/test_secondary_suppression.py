"""Secondary suppression of small-area counts (README, "Small areas: secondary suppression").

The attacker's subtraction on the published sample warehouse (its marts, and its build
layers opened directly, which hold no row of the cities' deliveries: the next refresh reads
those again from their landed files, test_dbt_selection.py), the sample's suppression
against the method written out in tests/small_area_disclosure.py, and hand-made cases run
through the dbt model on a DuckDB file of their own.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path

import duckdb
import numpy as np
import pytest

from tests.conftest import run_dbt
from tests.small_area_disclosure import (
    THRESHOLD,
    Cell,
    Group,
    groups,
    sample_cells,
    sample_kreis_totals,
    sample_secondary_suppression,
)

# social index share -> (numerator, denominator)
SHARES = {
    "unemployment_share": ("unemployed", "pop_15_64"),
    "long_term_unemployment_share": ("unemployed_long_term", "pop_15_64"),
    "transfer_share": ("sgb2_lb", "pop_total"),
    "child_poverty_share": ("sgb2_lb_u15", "pop_u15"),
}


@pytest.fixture(scope="module")
def published(sample_refresh) -> Path:
    root, _ = sample_refresh
    return root / "sozialplanung.duckdb"


def _what_is_published(db: Path) -> dict[Cell, float]:
    """Every count a reader can take or work back from the curated tables: int_measure (all
    levels; the population N years before is the population of that year), the numerators
    and denominators of fct_indicator_value (and value x denominator / multiplier), and
    the shares of mart_social_index times their denominators."""
    known: dict[Cell, float] = {}
    with duckdb.connect(str(db), read_only=True) as con:
        for key, period, measure, value in con.execute(
            "select region_key, period, measure_id, value from intermediate.int_measure "
            "where value is not null"
        ).fetchall():
            known[Cell(key, period, measure)] = value
            if measure.startswith("pop_before_"):
                years = int(measure.removeprefix("pop_before_").removesuffix("y"))
                known[Cell(key, period - years, "pop_total")] = value
        for key, period, num_id, den_id, mult, value, num, den in con.execute(
            "select f.region_key, f.period, i.numerator, i.denominator, i.multiplier, f.value, "
            "f.numerator, f.denominator from marts.fct_indicator_value as f "
            "inner join marts.dim_indicator as i using (indicator_id) "
            "where not i.taken_as_published"
        ).fetchall():
            if num is not None:
                known[Cell(key, period, num_id)] = num
            if den is not None:
                known[Cell(key, period, den_id)] = den
            if value is not None and den is not None:
                known[Cell(key, period, num_id)] = round(value * den / mult)
        cursor = con.execute(
            f"select region_key, period, population, {', '.join(SHARES)} "
            "from marts.mart_social_index"
        )
        for key, period, population, *shares in cursor.fetchall():
            if population is not None:
                known[Cell(key, period, "pop_total")] = population
            for share, (num_id, den_id) in zip(shares, SHARES.values(), strict=True):
                den = known.get(Cell(key, period, den_id))
                if share is not None and den is not None:
                    known[Cell(key, period, num_id)] = round(share * den / 100)
    return known


def _attacker_groups(cells: Iterable[Cell], known: Mapping[Cell, float]) -> list[Group]:
    """The sample's groups with the totals as published: the Kreis's count and the
    Gemeinde's (the city), each a group of its own."""
    cells = list(cells)
    out = []
    for level_key in (lambda c: c.region_key[:5], lambda c: c.region_key.split("-")[0]):
        totals = {}
        for c in cells:
            total = known.get(Cell(level_key(c), c.period, c.measure_id))
            if total is not None:
                totals[c.region_key[:5], c.period, c.measure_id] = total
        out += groups(cells, totals)
    return out


def _subtractions(cells: Iterable[Cell], known: Mapping[Cell, float]) -> dict[Cell, float]:
    """Total minus the published parts of every group, for each cell that is the only
    unpublished one of a group: the counts an attacker recomputes."""
    recomputed = {}
    for parts, total in _attacker_groups(cells, known):
        total_value = known.get(total) if isinstance(total, Cell) else total
        unknown = [m for m in (*parts, total) if isinstance(m, Cell) and m not in known]
        if len(unknown) != 1:
            continue
        (cell,) = unknown
        if cell == total:
            recomputed[cell] = sum(known[p] for p in parts)
        elif total_value is not None:
            recomputed[cell] = total_value - sum(known[p] for p in parts if p != cell)
    return recomputed


def test_the_subtraction_finds_the_counts_the_cities_suppressed() -> None:
    """The attack works on what the cities delivered (only their own suppression): Schmira's
    unemployed (2024) and Closewitz's (2022-2024) come out as the attacker found them."""
    known = {c: v for c, v in sample_cells().items() if v is not None}
    known |= {Cell(*key): v for key, v in sample_kreis_totals().items()}
    recomputed = _subtractions(sample_cells(), known)
    assert recomputed[Cell("16051000-19", 2024, "unemployed")] == 2
    for year in (2022, 2023, 2024):
        assert recomputed[Cell("16053000-18", year, "unemployed")] == 1
    assert recomputed[Cell("16053000-18", 2022, "sgb2_lb_u15")] == 0


def test_no_suppressed_count_can_be_recomputed(published: Path) -> None:
    """Every suppressed count of the sample, every group it belongs to, totals from the Kreis
    and the Gemeinde as published (int_measure, fct_indicator_value numerators): the
    subtraction never isolates one count, what it leaves holds at least 3, and not even all
    the groups' equations together determine any suppressed count."""
    known = _what_is_published(published)
    cells = sample_cells()
    hidden = sorted(c for c in cells if c not in known)
    primary = {c for c, v in cells.items() if v is None}
    assert primary <= set(hidden), "a count the city suppressed is published"
    assert set(hidden) == primary | sample_secondary_suppression()

    assert _subtractions(cells, known) == {}
    all_groups = _attacker_groups(cells, known)
    for parts, total in all_groups:
        total_value = known.get(total) if isinstance(total, Cell) else total
        if total_value is not None and any(p not in known for p in parts):
            rest = total_value - sum(known[p] for p in parts if p in known)
            assert rest >= THRESHOLD, (parts[0], "suppressed counts hold", rest)

    # the groups as linear equations over the suppressed counts: a count is determined when
    # its unit vector lies in the row space of the equations
    column = {c: i for i, c in enumerate(hidden)}
    rows = []
    for parts, total in all_groups:
        total_value = known.get(total) if isinstance(total, Cell) else total
        if total_value is None and not (isinstance(total, Cell) and total in column):
            continue
        row = np.zeros(len(hidden))
        for p in parts:
            if p in column:
                row[column[p]] = 1.0
        if isinstance(total, Cell) and total in column:
            row[column[total]] = -1.0
        if row.any():
            rows.append(row)
    equations = np.array(rows)
    rank = np.linalg.matrix_rank(equations)
    determined = [
        c
        for c, i in column.items()
        if np.linalg.matrix_rank(np.vstack([equations, np.eye(len(hidden))[i]])) == rank
    ]
    assert determined == []


# The attacker's subtraction on the raw deliveries (only the cities' own suppression): the
# city's count as published for the Kreis minus those of the areas the city published.
RAW_SUBTRACTION = (
    "select {total} - sum(value) as recomputed from raw.{parts} "
    "where period_year = {year} and measure_code = 'ALO'"
)
CITY_SOURCES = ("erfurt_stadtteile", "jena_planungsraeume")
# The tables that hold small-area counts after secondary suppression (besides the marts).
PROTECTED = {"intermediate.int_measure", "intermediate.int_measure_small_area_protected"}


def _small_area_rows(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Rows with a Sozialraum key (`<AGS8>-<code>`) per table and view of the build layers."""
    relations = con.execute(
        "select schema_name, table_name from duckdb_columns() where column_name = 'region_key' "
        "and schema_name in ('raw', 'raw_history', 'staging', 'intermediate', 'audit', 'main') "
        "order by all"
    ).fetchall()
    return {
        f"{schema}.{name}": con.execute(
            f'select count(*) from "{schema}"."{name}" '
            "where regexp_full_match(cast(region_key as varchar), '\\d{8}-\\d{2}')"
        ).fetchone()[0]
        for schema, name in relations
    }


def test_the_published_file_holds_no_small_area_count_before_protection(
    published_warehouse: Path,
) -> None:
    """Opened directly, the published file's build layers hold no row of the cities'
    deliveries: the subtraction that gave Schmira's (2024) and Closewitz's (2022) suppressed
    unemployed back finds nothing; the protected counts of int_measure and the marts are
    there, the tables keep their columns, meta.source_file still describes the deliveries,
    and no deleted row stays in the file's blocks. `sozplan query` does not read raw."""
    totals = sample_kreis_totals()
    attacks = [
        RAW_SUBTRACTION.format(
            total=totals["16051", 2024, "unemployed"], parts="erfurt_stadtteile", year=2024
        ),
        RAW_SUBTRACTION.format(
            total=totals["16053", 2022, "unemployed"], parts="jena_planungsraeume", year=2022
        ),
    ]
    cells = sample_cells()
    hidden = {c for c, v in cells.items() if v is None} | sample_secondary_suppression()
    with duckdb.connect(str(published_warehouse), read_only=True) as con:
        for sql in attacks:
            assert con.execute(sql).fetchall() == [(None,)]  # nothing to subtract
        for source in CITY_SOURCES:
            for table in (f"raw.{source}", f"raw_history.{source}", f"staging.stg_{source}"):
                assert con.execute(f"select count(*) from {table}").fetchone()[0] == 0, table
            described = con.execute(f"describe raw.{source}").fetchall()
            columns = {c[0] for c in described}
            assert {"region_key", "period_year", "measure_code", "value"} <= columns
        revisions = con.execute(
            "select count(*) from meta.revision where source in ('erfurt_stadtteile', "
            "'jena_planungsraeume')"
        ).fetchone()[0]
        leaks = {t: n for t, n in _small_area_rows(con).items() if n and t not in PROTECTED}
        protected = {
            Cell(key, period, measure): value
            for key, period, measure, value in con.execute(
                "select region_key, period, measure_id, value from intermediate.int_measure "
                "where level = 'sozialraum'"
            ).fetchall()
        }
        index_rows = con.execute("select count(*) from marts.mart_social_index").fetchone()[0]
        registered = con.execute(
            "select source, rows, current_rows, periods from meta.source_file "
            "where source in ('erfurt_stadtteile', 'jena_planungsraeume') order by source"
        ).fetchall()
    assert revisions == 0 and leaks == {}
    assert {c: protected[c] for c in cells} == {
        c: (None if c in hidden else v) for c, v in cells.items()
    }
    assert index_rows == 25 + 3 * 18  # Erfurt 2024, Jena 2022-2024
    assert registered == [  # 25 Stadtteile x 10 measures; 18 districts x 3 years x 9 measures
        ("erfurt_stadtteile", 250, 250, "2024"),
        ("jena_planungsraeume", 486, 486, "2022,2023,2024"),
    ]
    # the region variable of the city files, held by their raw rows only: no deleted row's
    # bytes stay in the file
    assert b"SOZRAUM" not in published_warehouse.read_bytes()
    proc = subprocess.run(
        [str(Path(sys.executable).parent / "sozplan"), "query", attacks[0], "--format", "csv"],
        env={**os.environ, "SOZPLAN_WAREHOUSE_DIR": str(published_warehouse.parent)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 1 and proc.stdout == ""
    assert proc.stderr.startswith("refused: raw.")
    assert "is not in the analysts' layers" in proc.stderr


def test_publish_empties_the_small_area_sources_and_refuses_a_table_built_from_them(
    tmp_path: Path,
) -> None:
    """pipelines/disclosure.py on a file of its own: the rows of the Sozialraum sources go
    from raw, raw_history and meta.revision (the tables stay, other sources keep theirs), the
    rewritten file keeps no deleted row, and a table materialised from the deliveries stops
    the publish, naming it."""
    from pipelines.contracts import load_contracts
    from pipelines.disclosure import (
        DisclosureError,
        compact,
        empty_small_area_deliveries,
        small_area_sources,
    )

    contracts = load_contracts()
    assert {c.source for c in small_area_sources(contracts.values())} == set(CITY_SOURCES)
    database = tmp_path / "candidate.duckdb"
    with duckdb.connect(str(database)) as con:
        con.execute("create schema raw; create schema raw_history; create schema meta")
        con.execute("create schema intermediate")
        for source, key in (*((s, "16051000-19") for s in CITY_SOURCES), ("area", "16051")):
            for schema in ("raw", "raw_history"):
                con.execute(
                    f"create table {schema}.{source} as select '{key}' as region_key, "
                    f"'{source.upper()}' as marker, range::double as value from range(5000)"
                )
        con.execute(
            "create table meta.revision as select * from (values ('jena_planungsraeume', "
            "'16053000-18'), ('area', '16053')) as t(source, region_key)"
        )
        con.execute(
            "create view intermediate.int_measure_small_area as select * from raw.erfurt_stadtteile"
        )
        con.execute(
            "create table intermediate.int_measure_small_area_protected as "
            "select '16051000-01' as region_key, null::double as value"
        )
    with duckdb.connect(str(database)) as con:  # as in publish: the ingest wrote them before
        deleted = empty_small_area_deliveries(con, contracts.values())
        assert deleted == {
            "raw.erfurt_stadtteile": 5000,
            "raw_history.erfurt_stadtteile": 5000,
            "raw.jena_planungsraeume": 5000,
            "raw_history.jena_planungsraeume": 5000,
            "meta.revision": 1,
        }
        assert con.execute("from intermediate.int_measure_small_area").fetchall() == []
        assert con.execute("select source from meta.revision").fetchall() == [("area",)]
        assert con.execute("select count(*) from raw.area").fetchone()[0] == 5000
        con.execute(
            "create table intermediate.int_unprotected as select '16053000-18' as region_key, "
            "1.0 as value"
        )
        with pytest.raises(DisclosureError, match=r"intermediate.int_unprotected \(1 rows\)"):
            empty_small_area_deliveries(con, contracts.values())
        con.execute("drop table intermediate.int_unprotected")
    assert b"ERFURT_STADTTEILE" in database.read_bytes()  # deleted, yet still in the blocks
    compact(database)
    assert b"ERFURT_STADTTEILE" not in database.read_bytes()
    assert b"JENA_PLANUNGSRAEUME" not in database.read_bytes()
    with duckdb.connect(str(database), read_only=True) as con:
        assert con.execute("select count(distinct marker) from raw_history.area").fetchone() == (1,)
        assert con.execute("select count(*) from raw_history.area").fetchone()[0] == 5000
        assert con.execute("describe raw.erfurt_stadtteile").fetchall()[0][:2] == (
            "region_key",
            "VARCHAR",
        )
    assert [p.name for p in tmp_path.iterdir()] == ["candidate.duckdb"]


def test_small_area_deliveries_never_enter_the_candidate_file(tmp_path: Path) -> None:
    """An ingest inside kept_out_of_the_file writes into memory; the candidate gets views over
    Parquet files beside it, which publish turns into empty tables: nothing to delete, so
    nothing of the deliveries in the file's blocks and no rewrite of the file."""
    from pipelines.contracts import load_contracts
    from pipelines.disclosure import (
        empty_small_area_deliveries,
        kept_out_of_the_file,
        remove_unpublished,
        unpublished_dir,
    )

    contracts = load_contracts()
    jena = contracts["jena_planungsraeume"]
    database = tmp_path / "candidate.duckdb"
    with duckdb.connect(str(database)) as con:
        con.execute("create schema raw; create table raw.area as select 1 as value")
        with kept_out_of_the_file(con, jena, database):
            con.execute("create schema raw; create schema raw_history")
            for schema in ("raw", "raw_history"):
                con.execute(
                    f"create table {schema}.jena_planungsraeume as select "
                    "'16053000-18' as region_key, 'JENA_' || 'MARKER' as marker, "
                    "range::double as value from range(5000)"
                )
        assert con.execute("select count(*) from raw.jena_planungsraeume").fetchone() == (5000,)
        assert con.execute("select value from raw.area").fetchone() == (1,)
        kinds = con.execute(
            "select view_name from duckdb_views() where schema_name in ('raw', 'raw_history') "
            "and database_name = current_database() order by all"
        ).fetchall()
        assert kinds == [("jena_planungsraeume",), ("jena_planungsraeume",)]
    parquet = sorted(p.name for p in unpublished_dir(database).iterdir())
    assert parquet == ["raw.jena_planungsraeume.parquet", "raw_history.jena_planungsraeume.parquet"]
    assert b"JENA_MARKER" not in database.read_bytes()
    with duckdb.connect(str(database)) as con:
        deleted = empty_small_area_deliveries(con, [jena])
        assert deleted == {"raw.jena_planungsraeume": 0, "raw_history.jena_planungsraeume": 0}
        for schema in ("raw", "raw_history"):
            table = f"{schema}.jena_planungsraeume"
            assert con.execute(f"select count(*) from {table}").fetchone() == (0,)
            assert [c[0] for c in con.execute(f"describe {table}").fetchall()] == [
                "region_key",
                "marker",
                "value",
            ]
    remove_unpublished(database)
    assert b"JENA_MARKER" not in database.read_bytes()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["candidate.duckdb"]


def test_sample_counts_primary_and_secondary(published: Path) -> None:
    """26 counts the cities suppressed, 14 more by secondary suppression, all with status
    '.', never a zero; the shares over them are not shown either."""
    secondary = sample_secondary_suppression()
    assert sum(v is None for v in sample_cells().values()) == 26
    assert len(secondary) == 14
    with duckdb.connect(str(published), read_only=True) as con:
        rows = con.execute(
            "select region_key, period, measure_id, value, value_status "
            "from intermediate.int_measure where level = 'sozialraum' and value_status = '.' "
            "and measure_id not like 'pop_before_%' and measure_id not like 'pop_change_%'"
        ).fetchall()
        child_poverty = con.execute(
            "select region_key, period, value, numerator, value_status "
            "from marts.fct_indicator_value where indicator_id = 'child_poverty' "
            "and region_key like '%-%'"
        ).fetchall()
        index = con.execute(
            "select region_key, period, unemployment_share, status_index, exclusion_reason "
            "from marts.mart_social_index"
        ).fetchall()
    assert {Cell(*r[:3]) for r in rows} == {
        c for c, v in sample_cells().items() if v is None
    } | secondary
    assert all(r[3] is None for r in rows)
    hidden = {Cell(*r[:3]) for r in rows}
    for key, period, value, numerator, status in child_poverty:
        if Cell(key, period, "sgb2_lb_u15") in hidden:
            assert (value, numerator, status) == (None, None, ".")
        else:
            assert value is not None and numerator is not None
    index_measures = {m for pair in SHARES.values() for m in pair}
    areas = {(c.region_key, c.period) for c in secondary if c.measure_id in index_measures}
    for key, period, share, status_index, reason in index:
        if (key, period) in areas:
            assert status_index is None and reason is not None
            if Cell(key, period, "unemployed") in secondary:
                assert share is None


# --- the method on hand-made cases, through the dbt model ---------------------------------

# Kreis 99001 is a kreisfreie Stadt (Gemeinde 99001000, Sozialräume -01 to -05), Kreis 99002
# a Landkreis (Gemeinden 99002001 to 99002004; Sozialräume of 99002003 without a total).
# None: suppressed by the source (the true value in the comment).
AREAS = [f"99001000-0{i}" for i in range(1, 6)]
HAND_MADE = {
    # one suppressed count: the next smallest too; 4 and 4 tie, the smaller key wins
    "unemployed": (AREAS, [None, 5, 4, 9, 4], 24),  # None: 2
    # suppressed counts that hold fewer than 3 together (1 + 0): one more
    "sgb2_lb": (AREAS, [None, None, 3, 7, 20], 31),  # None: 1, 0
    # two suppressed counts that must both be 2 (total minus the rest = 4): one more
    "unemployed_long_term": (AREAS, [None, None, 6, 8, 5], 23),  # None: 2, 2
    # age groups of -01: 65 and over suppressed; the areas' age groups against the city's
    # and each area's against its population: the pattern closes as a rectangle
    "pop_total": (AREAS, [100, 200, 300, 400, 500], 1500),
    "pop_u15": (AREAS, [10, 30, 40, 50, 60], 190),
    "pop_15_64": (AREAS, [88, 150, 230, 300, 380], 1148),
    "pop_65plus": (AREAS, [None, 20, 30, 50, 60], 162),  # None: 2
}
GEMEINDEN = (["99002001", "99002002", "99002003", "99002004"], [None, 40, 50, 45], 137)
NO_TOTAL = (["99002003-01", "99002003-02", "99002003-03"], [None, 10, 12])
EXPECTED_SECONDARY = {
    ("99001000-03", "unemployed"),
    ("99001000-03", "sgb2_lb"),
    ("99001000-05", "unemployed_long_term"),
    ("99001000-02", "pop_65plus"),
    ("99001000-01", "pop_u15"),
    ("99001000-02", "pop_u15"),
    ("99002002", "pop_total"),
    ("99002003-02", "unemployed"),
}


def _hand_made_database(path: Path) -> None:
    small, kreis = [], []
    for measure, (keys, values, total) in HAND_MADE.items():
        small += [(k, "sozialraum", measure, v) for k, v in zip(keys, values, strict=True)]
        kreis.append(("99001", measure, total))
    small.append(("99001000", "gemeinde", "pop_total", 1500))
    keys, values, total = GEMEINDEN
    small += [(k, "gemeinde", "pop_total", v) for k, v in zip(keys, values, strict=True)]
    kreis += [("99002", "pop_total", total), ("99002", "unemployed", 400)]
    keys, values = NO_TOTAL
    small += [(k, "sozialraum", "unemployed", v) for k, v in zip(keys, values, strict=True)]
    with duckdb.connect(str(path)) as con:
        con.execute("create schema intermediate; create schema reference")
        con.execute(
            "create table intermediate.int_measure_small_area (region_key varchar, "
            "level varchar, period integer, measure_id varchar, value double, "
            "value_status varchar, table_code varchar, source_file_sha256 varchar)"
        )
        con.executemany(
            "insert into intermediate.int_measure_small_area values "
            "(?, ?, 2024, ?, ?, case when ? is null then '.' end, 'HAND-01', 'abc')",
            [(k, level, m, v, v) for k, level, m, v in small],
        )
        con.execute(
            "create table intermediate.int_key_map (period integer, from_key varchar, "
            "to_key varchar, weight_population double, weight_area double)"
        )
        con.execute(
            "create table intermediate.int_measure_harmonised (region_key varchar, "
            "period integer, measure_id varchar, value double, value_status varchar, "
            "table_code varchar, source_file_sha256 varchar)"
        )
        con.executemany(
            "insert into intermediate.int_measure_harmonised "
            "values (?, 2024, ?, ?, null, 'HAND-K', 'def')",
            kreis,
        )
        con.execute(
            "create table reference.ref_region as select * from (values "
            "('99001', 'kreis', 'kreisfreie Stadt'), ('99002', 'kreis', 'Landkreis')) "
            "as t(region_key, level, kreis_type)"
        )


def test_the_method_on_hand_made_cases(tmp_path: Path) -> None:
    database = tmp_path / "hand_made.duckdb"
    _hand_made_database(database)
    proc = run_dbt("run", "int_measure_small_area_protected", database, tmp_path)
    assert proc.returncode == 0, proc.stdout
    with duckdb.connect(str(database), read_only=True) as con:
        rows = con.execute(
            "select region_key, measure_id, value, value_status "
            "from intermediate.int_measure_small_area_protected"
        ).fetchall()
        delivered = con.execute(
            "select region_key, measure_id, value, value_status "
            "from intermediate.int_measure_small_area"
        ).fetchall()
    assert len(rows) == len(delivered)
    primary = {(k, m) for k, m, _, status in delivered if status is not None}
    hidden = {(k, m) for k, m, value, status in rows if status is not None}
    assert hidden == primary | EXPECTED_SECONDARY
    assert all(status == "." and value is None for k, m, value, status in rows if (k, m) in hidden)
    published = {(k, m): v for k, m, v, status in rows if status is None}
    assert published == {(k, m): v for k, m, v, _ in delivered if (k, m) not in hidden}
