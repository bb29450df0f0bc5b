"""One refresh path: every trigger skips, pins and cleans up the same way; deliveries can be
withdrawn; a killed refresh never blocks the next one; failures read as sentences."""

from __future__ import annotations

import contextlib
import csv
import io
import os
import shutil
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from pipelines.paths import warehouse_paths
from tests.conftest import PROJECT_ROOT, SAMPLE_DIR, dbt_ran, sha256


def _cli(
    *args: str, timeout: float = 300, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess:
    env = {**os.environ, **(env or {})}
    env.pop("DAGSTER_HOME", None)
    return subprocess.run(
        [sys.executable, "-m", "pipelines.cli", *args],
        cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=timeout,
    )  # fmt: skip


def _main(*args: str) -> subprocess.CompletedProcess:
    """`sozplan <args>` in this process (`pipelines.cli.main`): its exit code and output."""
    from pipelines import cli

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli.main(list(args))
    return subprocess.CompletedProcess(["sozplan", *args], code, out.getvalue(), err.getvalue())


def _run_job(instance: dg.DagsterInstance, tags: dict[str, str] | None = None):
    """The refresh job as the UI, the schedule or the sensor start it: default config."""
    from pipelines.definitions import defs

    return defs.resolve_job_def("refresh").execute_in_process(
        instance=instance, raise_on_error=False, tags=tags or {}
    )


def _release_of(path: Path) -> str:
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute("select release from meta.release").fetchone()[0]


def test_unchanged_inputs_skip_in_the_job_itself(published_warehouse: Path) -> None:
    """A run the UI or the sensor starts (no CLI in between) builds nothing either."""
    from pipelines.refresh import refresh_instance
    from pipelines.refresh_plan import SKIPPED_TAG

    before = sha256(published_warehouse)
    with refresh_instance(warehouse_paths()) as instance:
        result = _run_job(instance)
        run = instance.get_run_by_id(result.run_id)
    assert result.success
    assert "nothing changed since release" in run.tags[SKIPPED_TAG]
    skipped = {e.step_key for e in result.all_events if e.event_type_value == "STEP_SKIPPED"}
    assert {"publish", "warehouse_models", "ingest", "raw_gx_suites"} <= skipped
    assert sha256(published_warehouse) == before
    assert not (published_warehouse.parent / "releases").exists()


def test_rollback_pins_until_unpin_and_refuses_a_tampered_release(
    published_warehouse: Path,
) -> None:
    from pipelines.publish import PublishRefused, publish, release_records, rollback
    from pipelines.refresh import refresh_instance, run_refresh
    from pipelines.refresh_plan import SKIPPED_TAG

    paths = warehouse_paths()
    release = _release_of(published_warehouse)
    candidate = paths.build_dir / "candidate.duckdb"
    candidate.parent.mkdir(parents=True)
    shutil.copyfile(published_warehouse, candidate)
    publish(candidate, release, paths)  # registered with its checksum
    assert release_records(paths)[release].sha256 == sha256(published_warehouse)

    proc = _main("rollback", release)
    assert proc.returncode == 0, proc.stderr
    assert "pinned" in proc.stdout

    # every trigger answers the pin instead of publishing, even when forced
    forced = run_refresh(log_level="WARNING", force=True)
    assert forced.success and forced.skipped
    assert f"release {release} is pinned" in forced.summary()
    with refresh_instance(paths) as instance:
        result = _run_job(instance)
        assert "is pinned" in instance.get_run_by_id(result.run_id).tags[SKIPPED_TAG]
    assert result.success
    # and the file itself refuses a publish over the pin
    shutil.copyfile(published_warehouse, candidate)
    with pytest.raises(PublishRefused, match="pinned"):
        publish(candidate, release, paths)

    proc = _main("unpin")
    assert proc.returncode == 0 and f"release {release} is no longer pinned" in proc.stdout
    assert not run_refresh(log_level="WARNING", force=False).failures  # unchanged: skipped

    # a kept release replaced by another DuckDB file, or by bytes that are no database
    kept = paths.releases_dir / f"{release}.duckdb"
    published_before = sha256(published_warehouse)
    kept.unlink()  # (a hard link of the published file: replace it, don't write through it)
    with duckdb.connect(str(kept)) as con:
        con.execute(
            "create schema meta; create table meta.release as select ? as release", [release]
        )
    with pytest.raises(PublishRefused, match="changed after it was published"):
        rollback(release, paths)
    kept.unlink()
    kept.write_bytes(b"not a database")
    proc = _main("rollback", release)
    assert proc.returncode == 1 and "changed after it was published" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert sha256(published_warehouse) == published_before


def _deliver(inbox: Path, name: str, data: bytes) -> None:
    inbox.mkdir(exist_ok=True)
    (inbox / name).write_bytes(data)


def test_a_bad_delivery_is_withdrawn_and_the_refresh_recovers(
    published_warehouse: Path, warehouse_dir: Path
) -> None:
    """The scenario that used to need a byte-different file or a hand-edited manifest."""
    from pipelines.refresh import run_refresh

    good = (SAMPLE_DIR / "13211-02-05-4_2024.csv").read_bytes()
    erfurt = next(line for line in good.splitlines() if line.startswith(b"2024;16051;"))
    count = erfurt.split(b";")[3]
    bad = good.replace(erfurt, erfurt.replace(b";" + count + b";", b";-" + count + b";", 1))
    assert bad != good
    inbox = warehouse_dir / "inbox"
    _deliver(inbox, "13211-02-05-4_2024.csv", good)
    time.sleep(0.01)  # landed oldest first: the bad file is the newest delivery
    _deliver(inbox, "13211-02-05-4_2024_korrigiert.csv", bad)
    # a negative count of people: outside the contract's plausible range
    lines = (SAMPLE_DIR / "12411-02-03-4_de_flat.csv").read_bytes().split(b"\n")
    at = next(i for i, line in enumerate(lines) if b";16053;" in line and b";GESW;" in line)
    fields = lines[at].split(b";")
    fields[-4] = b"-" + fields[-4]  # the value column
    lines[at] = b";".join(fields)
    _deliver(inbox, "bevoelkerung.csv", b"\n".join(lines))
    before = sha256(published_warehouse)

    failed = _cli("refresh")
    assert failed.returncode == 1, failed.stdout
    assert "refresh FAILED: the published warehouse was not changed" in failed.stdout
    for noise in ("Stack Trace", "dagster._core", "Traceback", "DagsterExecution"):
        assert noise not in failed.stdout + failed.stderr, noise
    summary = failed.stdout[failed.stdout.index("refresh FAILED") :]
    assert "full log: " in summary
    # every failure is named, each with its file and line
    assert "step ingest failed: " in summary
    unemployment = summary.index("unemployment: the delivered file cannot be used")
    assert "13211-02-05-4_2024_korrigiert.csv, line" in summary[unemployment:]
    population = summary.index("population_age: the delivered file cannot be used")
    assert (
        f"bevoelkerung.csv, line {at + 1}, column 'value': expected a value from 0 "
    ) in summary[population:]
    found = fields[-4].decode()
    assert f"(plausible_range of BEVSTD Bevölkerungsstand), found {found}" in summary
    log = Path(summary.split("full log: ")[1].split()[0])
    assert log.is_file() and log.parent == warehouse_dir / "logs"
    assert sha256(published_warehouse) == before
    assert not list((warehouse_dir / "releases").glob("*.duckdb"))

    listed = _main("deliveries", "unemployment", "--format", "csv")
    rows = [r.split(",") for r in listed.stdout.splitlines()[1:]]
    bad_id = next(r[1] for r in rows if r[4] == "13211-02-05-4_2024_korrigiert.csv")
    proc = _main("withdraw", "unemployment", bad_id, "--reason", "Erfurt negative")
    assert proc.returncode == 0, proc.stderr
    proc = _main("withdraw", "population_age", "bevoelkerung.csv", "--reason", "Jena negative")
    assert proc.returncode == 0, proc.stderr

    ok = run_refresh(log_level="WARNING", force=False)
    assert ok.success, ok.summary()
    assert ok.summary().startswith("refresh ok")
    with duckdb.connect(str(published_warehouse), read_only=True) as con:
        read = con.execute(
            "select file_name from meta.source_file where source = 'unemployment'"
        ).fetchall()
    assert read == [("13211-02-05-4_2024.csv",)]

    # the current delivery once more: nothing changes, nothing is published
    before = sha256(published_warehouse)
    _deliver(inbox, "nochmal.csv", good)
    again = _main("refresh")
    assert again.returncode == 0 and "is the newest delivery; nothing changed" in again.stdout
    assert "refresh skipped: nothing changed" in again.stdout
    assert sha256(published_warehouse) == before


def test_a_killed_refresh_does_not_block_the_next_run(
    published_warehouse: Path, warehouse_dir: Path
) -> None:
    """kill -9 in the middle of a refresh: the sensor marks the run failed, the queue opens,
    the next run publishes; old candidates are cleared away."""
    from pipelines.definitions import defs
    from pipelines.refresh import refresh_instance, run_refresh
    from pipelines.run_hygiene import KEEP_CANDIDATES, RUNNING
    from tests.conftest import REFERENCE_DATA

    release = _release_of(published_warehouse)
    _deliver(  # a new delivery: there is something to build
        warehouse_dir / "inbox",
        "73111-01-01-4_de_flat.csv",
        (REFERENCE_DATA / "genesis_ffcsv/73111-01-01-4_de_flat.csv").read_bytes(),
    )
    env = {**os.environ}
    env.pop("DAGSTER_HOME", None)
    proc = subprocess.Popen(
        [sys.executable, "-m", "pipelines.cli", "refresh"],
        cwd=PROJECT_ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    build = warehouse_dir / "build"
    deadline = time.monotonic() + 240
    while not list(build.glob("*-*-*-*-*.duckdb")) and time.monotonic() < deadline:
        time.sleep(0.5)
    assert list(build.glob("*-*-*-*-*.duckdb")), "the refresh never started its candidate"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)

    paths = warehouse_paths()
    with refresh_instance(paths) as instance:
        running = instance.get_run_records(filters=dg.RunsFilter(statuses=RUNNING))
        assert len(running) == 1  # the killed run still says STARTED
        killed = running[0].dagster_run.run_id
        sensor = defs.resolve_sensor_def("inbox_sensor")
        with dg.build_sensor_context(instance=instance, cursor=None) as context:
            sensor(context)
        assert instance.get_run_by_id(killed).status == dg.DagsterRunStatus.FAILURE
        assert not instance.get_run_records(filters=dg.RunsFilter(statuses=RUNNING))

    for n in range(KEEP_CANDIDATES + 2):  # candidates of earlier failed runs
        old = build / f"{uuid.uuid4()}.duckdb"
        old.write_bytes(b"x")
        os.utime(old, (time.time() - 3600 * (n + 1),) * 2)
    outcome = run_refresh(log_level="WARNING", force=False)
    assert outcome.success, outcome.summary()
    assert _release_of(published_warehouse) == outcome.release != release
    left = {p.stem for p in build.glob("*-*-*-*-*.duckdb")}
    assert len(left) == KEEP_CANDIDATES  # the killed run's candidate and the two newest
    assert killed in left
    assert not list(build.glob("*.release"))  # release-id markers of ended runs are gone


def test_a_selection_made_in_the_ui_builds_on_the_published_release(
    published_warehouse: Path,
) -> None:
    """ "Materialize selected" in the UI runs Dagster's asset job without the first step: in
    one process, on a copy of the published release, dbt builds the selected model and its
    tests only (the in-process dbt runner passes the selection on), and nothing is
    published, not even with `publish` selected; the exports alone write the release in
    place."""
    from pipelines.definitions import defs
    from pipelines.refresh import refresh_instance

    with duckdb.connect(str(published_warehouse)) as con:  # emptied here: rebuilt by the run
        con.execute("delete from marts.dim_indicator")
    before = sha256(published_warehouse)
    job = defs.resolve_implicit_global_asset_job_def()
    assert job.executor_def is dg.in_process_executor  # one writer of the candidate at a time
    with refresh_instance(warehouse_paths()) as instance:
        result = job.execute_in_process(
            instance=instance,
            asset_selection=[dg.AssetKey(["marts", "dim_indicator"])],
            raise_on_error=False,
        )
    assert result.success, [e.message for e in result.all_events if e.is_failure]
    ran = dbt_ran(published_warehouse.parent)
    assert {u for u in ran if not u.startswith("test.")} == {"model.sozialplanung.dim_indicator"}
    assert any(u.startswith("test.sozialplanung.unique_dim_indicator_indicator_id") for u in ran)
    seed = PROJECT_ROOT / "dbt_project" / "seeds" / "indicator_catalogue.csv"
    with seed.open(encoding="utf-8", newline="") as f:
        catalogue = {r["indicator_id"]: r["title_de"] for r in csv.DictReader(f)}
    candidate = warehouse_paths().candidate(result.run_id)
    with duckdb.connect(str(candidate), read_only=True) as con:
        built = con.execute("select indicator_id, title_de from marts.dim_indicator").fetchall()
    assert dict(built) == catalogue
    assert sha256(published_warehouse) == before

    # publish in a selection: refused (the release would claim deliveries it did not build)
    with refresh_instance(warehouse_paths()) as instance:
        result = job.execute_in_process(
            instance=instance,
            asset_selection=[dg.AssetKey(["marts", "dim_indicator"]), dg.AssetKey("publish")],
            raise_on_error=False,
        )
    failures = [e.step_failure_data.error.message for e in result.all_events if e.is_step_failure]
    assert not result.success and len(failures) == 1
    assert "publish runs only in a whole refresh" in failures[0]
    assert sha256(published_warehouse) == before

    # the exports alone: the release in place is written again
    with refresh_instance(warehouse_paths()) as instance:
        result = job.execute_in_process(
            instance=instance, asset_selection=[dg.AssetKey("exports")], raise_on_error=False
        )
    assert result.success, [e.message for e in result.all_events if e.is_failure]
    current = published_warehouse.parent / "exports" / "current"
    assert current.resolve().name == _release_of(published_warehouse)
    with duckdb.connect() as con:
        exported = con.execute(
            f"select indicator_id from '{current / 'dim_indicator.parquet'}'"
        ).fetchall()
    assert exported == []  # this copy's dim_indicator was emptied above, and is exported so
    assert sha256(published_warehouse) == before


def test_a_stale_dbt_manifest_stops_the_refresh_before_it_starts(
    published_warehouse: Path, tmp_path: Path
) -> None:
    """A dbt model changed after the manifest was built: the refresh names the file and
    `make setup`, builds nothing and leaves the published warehouse as it was (on a copy of
    the dbt project, `SOZPLAN_DBT_PROJECT_DIR`: the real one is never touched)."""
    from pipelines.paths import DBT_PROJECT_DIR

    project = tmp_path / "dbt_project"
    shutil.copytree(
        DBT_PROJECT_DIR, project, ignore=shutil.ignore_patterns("target", "logs", "dbt_packages")
    )
    manifest = project / "target" / "manifest.json"
    manifest.parent.mkdir()
    shutil.copy2(DBT_PROJECT_DIR / "target" / "manifest.json", manifest)
    built = manifest.stat().st_mtime
    for path in project.rglob("*"):  # as `make setup` leaves it: nothing newer than the manifest
        if path != manifest:
            os.utime(path, (built - 60,) * 2)
    os.utime(project / "models" / "marts" / "fct_indicator_value.sql", (built + 60,) * 2)
    before = sha256(published_warehouse)

    proc = _cli("refresh", env={"SOZPLAN_DBT_PROJECT_DIR": str(project)})

    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "refresh FAILED: the published warehouse was not changed" in proc.stdout
    assert (
        "the dbt manifest is older than models/marts/fct_indicator_value.sql: run `make setup`"
        in proc.stdout
    )
    assert "Traceback" not in proc.stdout + proc.stderr
    assert sha256(published_warehouse) == before
    assert not (published_warehouse.parent / "build").exists()


def test_a_failure_after_the_publish_says_the_release_is_published(warehouse_dir: Path) -> None:
    """The export runs after the swap: its failure must not claim nothing was published."""
    from pipelines.refresh import RefreshOutcome

    failure = "step exports failed: release r1 is published, but its export failed: disk full"
    outcome = RefreshOutcome(
        success=False,
        run_id="run",
        seconds=1.0,
        release="r1",
        published=True,
        published_path="/srv/w/sozialplanung.duckdb",
        failures=[failure],
    )
    first, *rest = outcome.summary().splitlines()
    assert first == (
        "refresh FAILED after publishing: release r1 is published at "
        "/srv/w/sozialplanung.duckdb, a step after the publish failed"
    )
    assert "was not changed" not in outcome.summary()
    assert f"  {failure}" in rest
    outcome.published = False
    assert outcome.summary().startswith("refresh FAILED: the published warehouse was not changed")
