"""dbt builds what changed, parses once, and publishes what a full build would.

A copy of the session's sample warehouse receives the SGB II table again with one value of
Erfurt revised; its refresh builds only the dbt nodes downstream of that delivery (read from
dbt's run_results.json of the invocation). A copy of that warehouse then rebuilds
everything from empty (`force`) in another folder: every table dbt builds must be equal row
by row. Every build reuses the parse `make setup` made (the debug log of each invocation);
a second change, breaking dbt tests (one of them disclosure control), fails with the tests
and example rows named and leaves the published file as it was.
"""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import tempfile
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from pipelines.dbt_selection import BUILD_DDL, load_manifest, manifest_checksum, plan_dbt_build
from pipelines.paths import WarehousePaths
from pipelines.refresh import refresh_instance, run_refresh
from tests.conftest import REVISION, SAMPLE_DIR, revised_sgb2_bytes, sha256
from tests.test_accumulation import ERFURT, REVISED_YEAR, _erfurt_lb, _rows
from tests.test_secondary_suppression import CITY_SOURCES

CHANGED = "sgb2_benefits"
UNTOUCHED = ("population_age", "unemployment", "area")
BUILT_SCHEMAS = ("staging", "intermediate", "marts", "reference")


def _deliver(root: Path, name: str, add: int) -> None:
    """The SGB II sample again, Erfurt's Leistungsberechtigte of one year `add` higher."""
    (root / "inbox").mkdir(exist_ok=True)
    (root / "inbox" / name).write_bytes(revised_sgb2_bytes(add))


def _refresh(root: Path, force: bool):
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SOZPLAN_WAREHOUSE_DIR", str(root))
        return run_refresh(log_level="WARNING", force=force)


def _last_invocation_log(root: Path) -> list[str]:
    """The messages of the newest dbt invocation of `root` (dbt's debug log)."""
    folder = root / "build" / "dbt"
    lines = [
        json.loads(line)["info"]["msg"]
        for log in sorted(folder.glob("dbt.log*"), reverse=True)  # rotated ones first
        for line in log.read_text("utf-8").splitlines()
        if line.startswith("{")
    ]
    starts = [i for i, msg in enumerate(lines) if msg.startswith("Running with dbt")]
    return lines[starts[-1] :]


def _tables(path: Path) -> dict[str, list[tuple]]:
    """Every base table dbt builds, its rows sorted, without the release column."""
    with duckdb.connect(str(path), read_only=True) as con:
        names = con.execute(
            "select schema_name, table_name from duckdb_tables() where schema_name in "
            f"({', '.join('?' for _ in BUILT_SCHEMAS)}) order by 1, 2",
            list(BUILT_SCHEMAS),
        ).fetchall()
        tables = {}
        for schema, table in names:
            columns = [
                c
                for (c,) in con.execute(
                    "select column_name from duckdb_columns() where schema_name = ? and "
                    "table_name = ? and column_name <> 'release' order by column_index",
                    [schema, table],
                ).fetchall()
            ]
            select = ", ".join(f'"{c}"' for c in columns)
            rows = con.execute(f'select {select} from "{schema}"."{table}"').fetchall()
            tables[f"{schema}.{table}"] = sorted(rows, key=repr)
    return tables


def _releases(path: Path) -> tuple[str, set[str]]:
    """The release of a published file and the release ids its facts carry."""
    with duckdb.connect(str(path), read_only=True) as con:
        release = con.execute("select release from meta.release").fetchone()[0]
        stamped = {
            r
            for table in ("fct_indicator_value", "mart_indicator_values")
            for (r,) in con.execute(f"select distinct release from marts.{table}").fetchall()
        }
    return release, stamped


@pytest.fixture(scope="module")
def changed_once(revised_sgb2):
    """One changed delivery refreshed without force, then the same input rebuilt from empty
    in a copy of that warehouse (the session's `revised_sgb2`)."""
    r = revised_sgb2
    return r.root, r.changed, r.changed_ran, r.full, r.rebuilt, r.rebuilt_ran


def test_one_changed_source_builds_fewer_nodes(changed_once) -> None:
    root, changed, ran, _, _, full_ran = changed_once
    manifest = load_manifest()
    children = manifest["child_map"]
    built = {
        uid
        for uid, node in manifest["nodes"].items()
        if node["resource_type"] in ("model", "seed", "test")
    }
    assert full_ran == built  # a forced refresh builds and tests everything
    assert ran < full_ran
    # everything reading the changed delivery directly was built again
    assert set(children[f"source.sozialplanung.raw.{CHANGED}"]) <= ran
    # nodes that read only an untouched delivery were not, nor the seeds
    only_untouched = {
        uid
        for source in UNTOUCHED
        for uid in children[f"source.sozialplanung.raw.{source}"]
        if manifest["parent_map"][uid] == [f"source.sozialplanung.raw.{source}"]
    }
    assert only_untouched and not only_untouched & ran
    assert not {uid for uid in ran if uid.startswith("seed.")}
    assert changed.checks_failed == 0


def _asset_key(node: dict) -> str:
    """The Dagster asset key of a dbt model or seed (its schema folder and name)."""
    return f"{node['config']['schema']}/{node['name']}"


def test_kept_models_are_reported_kept(changed_once, sample_refresh) -> None:
    """The models dbt did not build are materialised as kept from the published release
    (and their tests as passed there), so that the checks and publish after dbt run as after
    a full build."""
    root, changed, ran, *_ = changed_once
    previous = sample_refresh[1].release
    with refresh_instance(WarehousePaths(root)) as instance:
        materialized = instance.get_records_for_run(
            changed.run_id, of_type=dg.DagsterEventType.ASSET_MATERIALIZATION, limit=1000
        ).records
        evaluated = instance.get_records_for_run(
            changed.run_id, of_type=dg.DagsterEventType.ASSET_CHECK_EVALUATION, limit=1000
        ).records
    kept = {}
    for record in materialized:
        event = record.event_log_entry.asset_materialization
        value = event.metadata.get("kept_from_release")
        kept[event.asset_key.to_user_string()] = value.value if value else None
    manifest = load_manifest()
    models = {
        _asset_key(node): uid
        for uid, node in manifest["nodes"].items()
        if node["resource_type"] in ("model", "seed")
    }
    assert set(models) <= set(kept)  # every dbt asset materialised, built or kept
    assert {key: release for key, release in kept.items() if key in models} == {
        key: None if uid in ran else previous for key, uid in models.items()
    }
    assert kept["publish"] is None
    checks = [r.event_log_entry.dagster_event.event_specific_data for r in evaluated]
    assert checks and all(check.passed for check in checks)
    kept_checks = [  # dbt tests (the raw tables' suites say kept too)
        c
        for c in checks
        if "kept_from_release" in c.metadata and c.check_name != "gx_contract_suite"
    ]
    not_run = {uid for uid in manifest["nodes"] if uid.startswith("test.")} - ran
    assert 0 < len(kept_checks) <= len(not_run)


def test_changed_source_publishes_what_a_full_build_does(changed_once) -> None:
    root, changed, _, full, rebuilt, _ = changed_once
    published, rebuilt_file = root / "sozialplanung.duckdb", full / "sozialplanung.duckdb"
    assert _releases(published) == (changed.release, {changed.release})
    assert _releases(rebuilt_file) == (rebuilt.release, {rebuilt.release})
    ours, theirs = _tables(published), _tables(rebuilt_file)
    assert list(ours) == list(theirs)
    for table, rows in theirs.items():
        assert ours[table] == rows, table
    # and the revision is in it: Erfurt's count as delivered
    header, rows = _rows()
    delivered = next(r for r in rows if _erfurt_lb(header, r))
    with duckdb.connect(str(published), read_only=True) as con:
        values = con.execute(
            "select value from intermediate.int_measure_kreis where region_key = ? and "
            "period = ? and table_code = 'SGB2-01-4' and value = ?",
            [ERFURT, REVISED_YEAR, float(delivered[header.index("value")]) + REVISION],
        ).fetchall()
    assert values


def test_the_cities_deliveries_are_read_again(changed_once, monkeypatch, capsys) -> None:
    """A refresh that keeps the unchanged deliveries' raw tables from the published file
    reads the cities' (unchanged) deliveries again from their landed files, whose rows the
    published file does not hold (disclosure control), and empties them again; the release
    records only the delivery that changed, and `sozplan deliveries` the cities' periods."""
    from pipelines import cli
    from pipelines.contracts import load_contracts

    root, changed, *_ = changed_once
    with duckdb.connect(str(root / "sozialplanung.duckdb"), read_only=True) as con:
        read_again = {
            source
            for source, read_by in con.execute(
                "select source, release from meta.source_file"
            ).fetchall()
            if read_by == changed.release
        }
        kept = con.execute(
            "select count(distinct source) from meta.source_file where release <> ?",
            [changed.release],
        ).fetchone()[0]
        added = con.execute(
            "select changes from meta.release_change_summary where kind = 'delivery_added'"
        ).fetchall()
        emptied = [
            con.execute(f"select count(*) from {layer}.{source}").fetchone()[0]
            for source in CITY_SOURCES
            for layer in ("raw", "raw_history")
        ]
    assert read_again == {CHANGED, *CITY_SOURCES}
    samples = sum(1 for c in load_contracts().values() if c.sample_files)
    assert kept == samples - 1 - len(CITY_SOURCES)  # the other sources kept their raw tables
    assert added == [(1,)]
    assert emptied == [0, 0, 0, 0]
    monkeypatch.setenv("SOZPLAN_WAREHOUSE_DIR", str(root))
    capsys.readouterr()  # what the refresh printed
    assert cli.main(["deliveries", "jena_planungsraeume", "--format", "csv"]) == 0
    (row,) = csv.DictReader(io.StringIO(capsys.readouterr().out))
    assert (row["file"], row["periods"], row["status"]) == (
        "jena_planungsraeume_2024.csv",
        "2022-2024",
        "in use, newest",
    )


def _parsed_again(root: Path) -> list[str]:
    """Why the newest dbt invocation of `root` parsed the whole project (empty: it did not)."""
    messages = _last_invocation_log(root)
    assert any(m.startswith("Partial parsing enabled") for m in messages), messages[:5]
    return [m for m in messages if m.startswith("Unable to do partial parsing")]


def test_every_warehouse_starts_from_the_saved_parse(changed_once, sample_refresh) -> None:
    """The sample warehouse's first build started from the parse `make setup` made, and the
    copy rebuilt in another folder kept it: the database path dbt sees is one per checkout."""
    _, _, _, full, _, _ = changed_once
    assert _parsed_again(sample_refresh[0]) == []
    assert _parsed_again(full) == []


def test_second_change_reuses_the_parse_and_names_a_failing_test(changed_once) -> None:
    """Failing dbt tests in a partial build refuse the refresh, each reported with its model
    and example rows, and the published file stays as it was: an implausible SGB II count,
    and a Stadtteil count of 2 delivered as a number (disclosure control: the city must
    suppress it). In the warehouse of the first change itself; the last test to use it."""
    root, *_ = changed_once
    published = root / "sozialplanung.duckdb"
    before = sha256(published)
    _deliver(root, "SGB2-01-4_too_many_de_flat.csv", 10_000_000)
    lines = (SAMPLE_DIR / "erfurt_stadtteile_2024.csv").read_bytes().split(b"\r\n")
    at = next(i for i, line in enumerate(lines) if b";*" in line and line[:1].isdigit())
    lines[at] = lines[at].replace(b";*", b";2", 1)
    (root / "inbox" / "erfurt_stadtteile_2024.csv").write_bytes(b"\r\n".join(lines))
    outcome = _refresh(root, force=False)
    assert "Partial parsing enabled, no changes found, skipping parsing" in (
        _last_invocation_log(root)
    )
    assert _parsed_again(root) == []
    assert not outcome.success
    text = outcome.summary()
    assert text.startswith("refresh FAILED: the published warehouse was not changed")
    assert "dbt build failed:" in text
    assert "dbt test" in text and "e.g. {" in text, text
    assert "erfurt_stadtteile_counts_are_disclosure_controlled" in text
    assert '"value": 2.0' in text and '"region_key": "16051000-' in text
    assert sha256(published) == before


def _device(path: Path) -> int:
    return path.stat().st_dev


def test_dbt_opens_the_candidate_through_one_link(tmp_path: Path) -> None:
    """A candidate on the dbt project's file system is linked at the one fixed path; one on
    another file system beside itself. Both links are gone afterwards, the candidate stays."""
    from pipelines.dbt_parse import DBT_DATABASE

    DBT_DATABASE.parent.mkdir(parents=True, exist_ok=True)
    folders = [tmp_path]
    other = Path("/dev/shm")
    if other.is_dir() and _device(other) != _device(DBT_DATABASE.parent):
        folders.append(Path(tempfile.mkdtemp(dir=other)))
    try:
        for folder in folders:
            _link_and_write(folder)
    finally:
        for folder in folders[1:]:
            shutil.rmtree(folder, ignore_errors=True)


def _link_and_write(folder: Path) -> None:
    """A candidate in `folder`, linked for dbt and written through the link."""
    from pipelines.assets.transform import candidate_for_dbt
    from pipelines.dbt_parse import DB_PATH_ENV, DBT_DATABASE

    before = os.environ.get(DB_PATH_ENV)
    paths = WarehousePaths(folder / "warehouse")
    paths.build_dir.mkdir(parents=True)
    candidate = paths.build_dir / "run.duckdb"
    with duckdb.connect(str(candidate)) as con:
        con.execute("create table t as select 42 as x")
    same = _device(folder) == _device(DBT_DATABASE.parent)
    with candidate_for_dbt(paths, candidate) as link:
        assert link == (DBT_DATABASE if same else paths.build_dir / DBT_DATABASE.name)
        assert os.environ[DB_PATH_ENV] == str(link)
        with duckdb.connect(str(link)) as con:
            assert con.execute("select current_database(), x from t").fetchone() == (
                "dbt_candidate",
                42,
            )
            con.execute("insert into t values (43)")
    assert not link.exists() and os.environ.get(DB_PATH_ENV) == before
    with duckdb.connect(str(candidate), read_only=True) as con:
        assert con.execute("select sum(x) from t").fetchone() == (85,)


def _published_with_build(root: Path, checksum: str) -> WarehousePaths:
    """A warehouse whose published file records a dbt build and reads every sample delivery."""
    from pipelines.contracts import load_contracts
    from pipelines.fingerprint import delivery_shas

    paths = WarehousePaths(root)
    root.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(paths.published)) as con:
        con.execute(
            "create schema meta; create table meta.source_file "
            "(source varchar, file_sha256 varchar, delivery_seq integer)"
        )
        for source, contract in load_contracts().items():
            for seq, sha in enumerate(delivery_shas(contract, paths)):
                changed = source == CHANGED and seq == 0
                con.execute(
                    "insert into meta.source_file values (?, ?, ?)",
                    [source, "0" * 64 if changed else sha, seq],
                )
        con.execute(BUILD_DDL)
        con.execute("insert into meta.dbt_build values ('r1', ?, 'all')", [checksum])
    return paths


def test_plan_builds_all_when_the_dbt_project_changed(tmp_path: Path) -> None:
    manifest = load_manifest()
    paths = _published_with_build(tmp_path / "warehouse", "another project")
    build = plan_dbt_build(paths, copied_from_published=True, manifest=manifest)
    assert build.full and "differs from the one release r1 was built with" in build.reason
    assert plan_dbt_build(paths, copied_from_published=False, manifest=manifest).full


def test_plan_keeps_what_does_not_depend_on_the_change(tmp_path: Path) -> None:
    manifest = load_manifest()
    paths = _published_with_build(tmp_path / "warehouse", manifest_checksum(manifest))
    build = plan_dbt_build(paths, copied_from_published=True, manifest=manifest)
    assert not build.full and build.changed_sources == (CHANGED,) and build.kept_from == "r1"
    excluded = set(build.excluded)
    assert not excluded & set(manifest["child_map"][f"source.sozialplanung.raw.{CHANGED}"])
    assert "model.sozialplanung.fct_indicator_value" not in excluded
    assert {uid for uid in manifest["nodes"] if uid.startswith("seed.")} <= excluded
    args = build.args()
    assert args[0] == "--exclude" and args[-2:] == ["--indirect-selection", "empty"]


def test_manifest_checksum_ignores_the_parse_and_the_database() -> None:
    manifest = load_manifest()
    moved = json.loads(json.dumps(manifest))
    for node in moved["nodes"].values():
        node["created_at"] = 0.0
        node["database"] = "elsewhere"
        node["relation_name"] = '"elsewhere"."x"."y"'
    assert manifest_checksum(moved) == manifest_checksum(manifest)
    edited = json.loads(json.dumps(manifest))
    edited["nodes"]["model.sozialplanung.fct_indicator_value"]["checksum"]["checksum"] = "0"
    assert manifest_checksum(edited) != manifest_checksum(manifest)
