"""Releases say what changed: deliveries, periods, regions and values against the release before.

Three releases in one warehouse: the session's refresh of the sample (the first release), a
refresh after the SGB II table was delivered again with one value of Erfurt revised, and a
forced refresh of the same input. Expected changes are computed here from the delivered files
and from the two published files' numerators and denominators, never from the change record.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import duckdb
import pytest

from pipelines.cli import main
from pipelines.paths import WarehousePaths
from pipelines.publish import CURATED_TABLES, pin_file
from pipelines.release_changes import KINDS, UNNAMED, digest_lines, record_changes
from tests.conftest import REVISED_SGB2, REVISION, SAMPLE_DIR, revised_sgb2_bytes, sha256
from tests.test_accumulation import ERFURT, REVISED_YEAR, _erfurt_lb, _rows


def _release(path: Path) -> str:
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute("select release from meta.release").fetchone()[0]


def _recorded(path: Path) -> tuple[dict[str, list[dict]], list[tuple]]:
    """The change rows by kind and the summary rows of a release file."""
    with duckdb.connect(str(path), read_only=True) as con:
        cursor = con.execute("select * from meta.release_change")
        columns = [d[0] for d in cursor.description]
        rows = [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]
        summary = con.execute(
            "select release, previous_release, kind, changes from meta.release_change_summary"
        ).fetchall()
    by_kind: dict[str, list[dict]] = {kind: [] for kind in KINDS}
    for row in rows:
        by_kind[row["kind"]].append(row)
    return by_kind, summary


def _facts(path: Path) -> dict[tuple[str, str, int], tuple]:
    """(indicator, region, period) -> value, status, numerator, denominator."""
    with duckdb.connect(str(path), read_only=True) as con:
        rows = con.execute(
            "select indicator_id, region_key, period, value, value_status, numerator, "
            "denominator from marts.fct_indicator_value"
        ).fetchall()
    return {(i, r, p): rest for i, r, p, *rest in rows}


def _differs(a: float | None, b: float | None) -> bool:
    """Counts differ by whole people (or hundredths of km²), never by rounding noise."""
    if a is None or b is None:
        return (a is None) != (b is None)
    return abs(a - b) >= 0.005


@pytest.fixture(scope="module")
def releases(sample_refresh, revised_sgb2):
    """The session's release, then a revised SGB II delivery, then the same input again (the
    session's `revised_sgb2`, its rebuilt copy holds all three releases)."""
    root = revised_sgb2.full
    first = sample_refresh[1].release
    delivered_sha = hashlib.sha256(revised_sgb2_bytes()).hexdigest()
    header, rows = _rows()
    old = next(r for r in rows if _erfurt_lb(header, r))
    value = float(old[header.index("value")])
    second, third = revised_sgb2.changed.release, revised_sgb2.rebuilt.release
    return root, first, second, third, delivered_sha, value


def test_the_first_release_lists_everything_as_added(sample_refresh) -> None:
    published = sample_refresh[0] / "sozialplanung.duckdb"
    with duckdb.connect(str(published), read_only=True) as con:
        fct = "marts.fct_indicator_value"
        files = set(
            con.execute("select source, file_sha256, file_name from meta.source_file").fetchall()
        )
        periods = set(con.execute(f"select distinct indicator_id, period from {fct}").fetchall())
        regions = set(
            con.execute(f"select distinct indicator_id, region_key from {fct}").fetchall()
        )
    recorded, summary = _recorded(published)
    added = {(r["source"], r["file_sha256"], r["file_name"]) for r in recorded["delivery_added"]}
    assert added == files
    assert {(r["indicator_id"], r["period"]) for r in recorded["period_added"]} == periods
    assert {(r["indicator_id"], r["region_key"]) for r in recorded["region_added"]} == regions
    others = set(KINDS) - {"delivery_added", "period_added", "region_added"}
    assert not any(recorded[kind] for kind in others)
    assert {(release, previous) for release, previous, _k, _n in summary} == {
        (sample_refresh[1].release, None)
    }
    indicators = len({i for i, _ in periods})
    assert digest_lines(published) == [
        f"first release: nothing to compare with ({len(files)} deliveries, {indicators} indicators)"
    ]


def test_a_revised_delivery_is_recorded_with_the_values_it_changed(releases) -> None:
    root, first, second, _third, delivered_sha, old_lb = releases
    before = _facts(root / "releases" / f"{first}.duckdb")
    after = _facts(root / "releases" / f"{second}.duckdb")
    assert before.keys() == after.keys()
    expected = {
        key
        for key, (_v, status, num, den) in after.items()
        if before[key][1] != status
        or _differs(before[key][2], num)
        or _differs(before[key][3], den)
    }
    assert ("sgb2_quota", ERFURT, REVISED_YEAR) in expected
    assert ("sgb2_quota", "16", REVISED_YEAR) in expected
    assert {(r, p) for _i, r, p in expected} <= {(ERFURT, REVISED_YEAR), ("16", REVISED_YEAR)}

    recorded, summary = _recorded(root / "releases" / f"{second}.duckdb")
    changed = {
        (r["indicator_id"], r["region_key"], r["period"]): r for r in recorded["value_changed"]
    }
    assert changed.keys() == expected
    # the release replaced the sample of sgb2_benefits by the revised delivery
    sample = SAMPLE_DIR / "SGB2-01-4_de_flat.csv"
    files = sorted([(sha256(sample), sample.name), (delivered_sha, REVISED_SGB2)])
    for key, row in changed.items():
        assert (row["old_value"], row["new_value"]) == (before[key][0], after[key][0])
        assert (row["source"], row["file_sha256"], row["file_name"]) == (
            "sgb2_benefits",
            " ".join(sha for sha, _ in files),
            ", ".join(name for _, name in files),
        )
    erfurt = changed["sgb2_quota", ERFURT, REVISED_YEAR]
    under_65 = after["sgb2_quota", ERFURT, REVISED_YEAR][3]
    assert erfurt["old_value"] == pytest.approx(100 * old_lb / under_65)
    assert erfurt["new_value"] == pytest.approx(100 * (old_lb + REVISION) / under_65)

    assert [
        (r["source"], r["file_sha256"], r["file_name"]) for r in recorded["delivery_added"]
    ] == [("sgb2_benefits", delivered_sha, REVISED_SGB2)]
    withdrawn = recorded["delivery_withdrawn"]
    assert [(r["source"], r["file_sha256"], r["file_name"]) for r in withdrawn] == [
        ("sgb2_benefits", sha256(sample), sample.name)
    ]
    assert "bundled sample" in withdrawn[0]["detail"]
    others = set(KINDS) - {"delivery_added", "delivery_withdrawn", "value_changed"}
    assert not any(recorded[kind] for kind in others)
    counts = {
        kind: n for release, previous, kind, n in summary if (release, previous) == (second, first)
    }
    assert counts == {kind: len(rows) for kind, rows in recorded.items()}

    digest = digest_lines(root / "releases" / f"{second}.duckdb")
    assert digest[0] == (
        f"changes against release {first}: 1 delivery added, 1 delivery withdrawn, "
        f"{len(expected)} values changed"
    )
    assert f"  deliveries added: sgb2_benefits {REVISED_SGB2}" in digest
    per_indicator: dict[str, int] = {}
    for indicator, _region, _period in expected:
        per_indicator[indicator] = per_indicator.get(indicator, 0) + 1
    ranked = sorted(per_indicator.items(), key=lambda kv: (-kv[1], kv[0]))
    examples = ", ".join(f"{i} ×{n}" if n > 1 else i for i, n in ranked[:3])
    assert f"  values changed: {examples}{', …' if len(ranked) > 3 else ''}" in digest


def test_the_same_input_built_again_changes_nothing(releases) -> None:
    root, _first, second, third, _sha, _old = releases
    published = root / "sozialplanung.duckdb"
    assert _release(published) == third
    # Built anew, every value is the same to the last bit: sums of non-integer Kreis values
    # are exact (macro exact_sum), whatever order DuckDB adds them in.
    before, after = _facts(root / "releases" / f"{second}.duckdb"), _facts(published)
    assert before == after
    # so is every other mart (disparity, social index, z-scores: exact means and deviations)
    with duckdb.connect() as con:
        con.execute(f"attach '{root / 'releases' / f'{second}.duckdb'}' as a (read_only)")
        con.execute(f"attach '{published}' as b (read_only)")
        marts = con.execute(
            "select table_name from duckdb_tables() where database_name = 'b' "
            "and schema_name = 'marts'"
        ).fetchall()
        assert len(marts) >= 5
        for (table,) in marts:
            columns = ", ".join(
                f'"{name}"'
                for (name,) in con.execute(
                    "select column_name from duckdb_columns() where database_name = 'b' "
                    "and schema_name = 'marts' and table_name = ? and column_name <> 'release'",
                    [table],
                ).fetchall()
            )
            differing = con.execute(
                f"select count(*) from (select {columns} from a.marts.{table} "
                f"except all select {columns} from b.marts.{table})"
            ).fetchone()[0]
            assert differing == 0, table
    recorded, summary = _recorded(published)
    assert not any(recorded.values())
    assert sorted(summary) == sorted((third, second, kind, 0) for kind in KINDS)
    assert digest_lines(published) == [
        f"no changes against release {second}: the same deliveries, no published value changed"
    ]


def test_rounding_noise_is_no_change_and_every_kind_is_recorded(published_warehouse: Path) -> None:
    """A candidate altered by hand against the published file: noise in the last digits of
    every Land value, and one change of each kind."""
    candidate = published_warehouse.parent / "candidate.duckdb"
    shutil.copyfile(published_warehouse, candidate)
    fct = "marts.fct_indicator_value"
    with duckdb.connect(str(candidate)) as con:
        last = con.execute(
            f"select max(period) from {fct} where indicator_id = 'elb_quota'"
        ).fetchone()[0]
        kreise = con.execute(
            f"select count(*) from {fct} where indicator_id = 'elb_quota' and period = {last}"
        ).fetchone()[0]
        old = dict(
            con.execute(
                f"select indicator_id, value from {fct} where region_key = '{ERFURT}' "
                "and period = 2020 and indicator_id in ('sgb2_quota', 'child_poverty')"
            ).fetchall()
        )
        gone = con.execute(
            f"select value from {fct} where indicator_id = 'share_65_plus' "
            "and region_key = '16052' and period = 2019"
        ).fetchone()[0]
        withdrawn = con.execute(
            "select source, file_sha256 from meta.source_file where source = 'area'"
        ).fetchone()
        con.execute(f"update {fct} set value = value * (1 + 4e-16) + 1e-15 where region_key = '16'")
        con.execute(
            f"update {fct} set value = value + 0.001 where indicator_id = 'sgb2_quota' "
            f"and region_key = '{ERFURT}' and period = 2020"
        )
        con.execute(
            f"update {fct} set value = null, value_status = '.' "
            f"where indicator_id = 'child_poverty' and region_key = '{ERFURT}' and period = 2020"
        )
        con.execute(
            f"delete from {fct} where indicator_id = 'share_65_plus' and region_key = '16052' "
            "and period = 2019"
        )
        con.execute(f"delete from {fct} where indicator_id = 'elb_quota' and period = {last}")
        con.execute(
            f"insert into {fct} select * replace (period + 1 as period) from {fct} "
            "where indicator_id = 'sgb2_quota' and period = (select max(period) from "
            f"{fct} where indicator_id = 'sgb2_quota')"
        )
        con.execute("delete from meta.source_file where source = 'area'")
        counts = record_changes(con, published_warehouse)
    recorded, _summary = _recorded(candidate)
    values = {
        kind: {
            (
                r["indicator_id"],
                r["region_key"],
                r["period"],
                r["old_value"],
                r["new_value"],
                r["new_status"],
            )
            for r in recorded[kind]
        }
        for kind in ("value_changed", "value_gone", "value_added")
    }
    assert values == {
        "value_changed": {
            ("sgb2_quota", ERFURT, 2020, old["sgb2_quota"], old["sgb2_quota"] + 0.001, None),
            ("child_poverty", ERFURT, 2020, old["child_poverty"], None, "."),
        },
        "value_gone": {("share_65_plus", "16052", 2019, gone, None, None)},
        "value_added": set(),
    }
    assert [
        (r["indicator_id"], r["period"], r["detail"].split("; ")[0])
        for r in recorded["period_gone"]
    ] == [("elb_quota", last, f"{kreise} regions")]
    assert [r["indicator_id"] for r in recorded["period_added"]] == ["sgb2_quota"]
    assert [(r["source"], r["file_sha256"]) for r in recorded["delivery_withdrawn"]] == [withdrawn]
    # the changed values name no file of the withdrawn source: the record says so
    for row in recorded["value_changed"]:
        assert (row["source"], row["file_sha256"], row["detail"]) == (*withdrawn, UNNAMED)
    assert counts == {kind: len(rows) for kind, rows in recorded.items()}


def test_the_commands_list_releases_and_their_changes(
    releases,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    shared, first, second, third, _sha, old_lb = releases
    root = tmp_path / "warehouse"  # the pin below must not reach the shared warehouse
    shutil.copytree(shared, root)
    monkeypatch.setenv("SOZPLAN_WAREHOUSE_DIR", str(root))
    pin_file(WarehousePaths(root)).write_text(second)
    try:
        assert main(["releases"]) == 0
    finally:
        pin_file(WarehousePaths(root)).unlink()
    lines = capsys.readouterr().out.splitlines()
    listed = [line for line in lines if line[:8].isdigit()]
    assert [line.split()[0] for line in listed] == [third, second, first]
    recorded, _ = _recorded(root / "releases" / f"{second}.duckdb")
    n_changed = len(recorded["value_changed"])
    assert "current" in listed[0] and "no changes" in listed[0] and "pinned" not in listed[0]
    assert "pinned" in listed[1] and "current" not in listed[1]
    assert f"1 delivery added, 1 delivery withdrawn, {n_changed} values changed" in listed[1]
    assert "first release" in listed[2]
    with duckdb.connect(str(root / "releases" / f"{first}.duckdb"), read_only=True) as con:
        deliveries = con.execute("select count(*) from meta.source_file").fetchone()[0]
        rows = [con.execute(f"select count(*) from {t}").fetchone()[0] for t in CURATED_TABLES]
    assert listed[2].split()[3 : 4 + len(rows)] == [f"{n:,}" for n in [deliveries, *rows]]

    assert main(["changes", second]) == 0
    out = capsys.readouterr().out
    erfurt = recorded["value_changed"]
    erfurt = next(
        r for r in erfurt if (r["indicator_id"], r["region_key"]) == ("sgb2_quota", ERFURT)
    )
    assert f"changes against release {first}: 1 delivery added" in out
    assert "deliveries added (1)" in out and REVISED_SGB2 in out
    assert f"values changed ({n_changed})" in out
    assert f"{erfurt['old_value']:.10g} → {erfurt['new_value']:.10g}" in out
    assert f"{ERFURT} Erfurt" in out

    assert main(["changes"]) == 0
    assert f"no changes against release {second}" in capsys.readouterr().out

    assert main(["changes", first]) == 0
    short = capsys.readouterr().out
    assert "first release" in short and "more (`sozplan changes --all` lists them)" in short
    assert main(["changes", first, "--all"]) == 0
    every = capsys.readouterr().out
    assert "--all` lists them" not in every
    region_rows = len(_recorded(root / "releases" / f"{first}.duckdb")[0]["region_added"])
    assert f"regions added ({region_rows:,})" in every
    assert len(every.splitlines()) > len(short.splitlines())

    assert main(["changes", second, "--format", "json"]) == 0
    records = json.loads(capsys.readouterr().out)
    assert len(records) == sum(len(rows) for rows in recorded.values())
    assert main(["changes", "20200101T000000Z-nothing"]) == 1
    assert "kept releases" in capsys.readouterr().err
