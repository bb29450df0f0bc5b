"""Write–audit–publish: a delivery that breaks a check never reaches the published warehouse.

One refresh per gate, each on a copy of the published sample: a contract check at ingest
(every kind of bad file is in test_bad_deliveries.py, at ingest), a dbt test, the lock; the
pin and the skip of unchanged inputs are in test_refresh_paths.py."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from filelock import FileLock

from pipelines.refresh import run_refresh
from tests.conftest import PROJECT_ROOT, SAMPLE_DIR, sha256


def _drop_into_inbox(warehouse: Path, name: str, text: str) -> Path:
    inbox = warehouse / "inbox"
    inbox.mkdir(exist_ok=True)
    path = inbox / name
    path.write_text(text, encoding="utf-8-sig", newline="\n")
    return path


def _sample_lines(name: str) -> list[str]:
    return (SAMPLE_DIR / name).read_text(encoding="utf-8-sig").splitlines()


def test_negative_population_fails_the_refresh_with_a_clear_message(
    published_warehouse: Path, warehouse_dir: Path
) -> None:
    before = sha256(published_warehouse)
    lines = _sample_lines("12411-02-03-4_de_flat.csv")
    target = next(i for i, line in enumerate(lines) if ";16053;" in line and ";GESW;" in line)
    fields = lines[target].split(";")
    fields[-4] = "-" + fields[-4]  # value column: a negative count
    lines[target] = ";".join(fields)
    _drop_into_inbox(warehouse_dir, "12411-02-03-4_de_flat.csv", "\n".join(lines) + "\n")

    env = {**os.environ, "SOZPLAN_WAREHOUSE_DIR": str(warehouse_dir)}
    env.pop("DAGSTER_HOME", None)
    proc = subprocess.run(
        [sys.executable, "-m", "pipelines.cli", "refresh", "--log-level", "WARNING"],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 1, proc.stdout + proc.stderr
    out = proc.stdout
    assert "refresh FAILED: the published warehouse was not changed" in out
    # refused at ingest, before anything reaches raw: counts lie in their plausible range
    assert "step ingest failed: population_age: the delivered file cannot" in out
    assert (
        f"12411-02-03-4_de_flat.csv, line {target + 1}, column 'value': expected a value from 0 "
    ) in out
    assert f"(plausible_range of BEVSTD Bevölkerungsstand), found {fields[-4]}" in out
    assert sha256(published_warehouse) == before
    assert not list((warehouse_dir / "releases").glob("*.duckdb"))


def test_second_refresh_is_refused_while_one_runs(
    published_warehouse: Path, warehouse_dir: Path
) -> None:
    before = sha256(published_warehouse)
    with FileLock(warehouse_dir / ".refresh.lock", timeout=0):
        outcome = run_refresh(log_level="WARNING")
    assert not outcome.success
    assert "another refresh is running" in outcome.summary()
    assert sha256(published_warehouse) == before


def test_small_area_count_must_arrive_suppressed(
    published_warehouse: Path, warehouse_dir: Path
) -> None:
    """A Stadtteil count of 1 or 2 as a number is not published (disclosure control)."""
    before = sha256(published_warehouse)
    lines = (SAMPLE_DIR / "erfurt_stadtteile_2024.csv").read_bytes().split(b"\r\n")
    target = next(i for i, line in enumerate(lines) if b";*" in line and line[:1].isdigit())
    lines[target] = lines[target].replace(b";*", b";2", 1)
    inbox = warehouse_dir / "inbox"
    inbox.mkdir()
    (inbox / "erfurt_stadtteile_2024.csv").write_bytes(b"\r\n".join(lines))

    outcome = run_refresh(log_level="WARNING", force=False)

    text = outcome.summary()
    assert not outcome.success
    assert text.startswith("refresh FAILED: the published warehouse was not changed")
    assert "erfurt_stadtteile_counts_are_disclosure_controlled" in text
    assert '"value": 2.0' in text and '"region_key": "16051000-' in text
    assert sha256(published_warehouse) == before


def test_unchanged_inputs_skip_the_refresh(published_warehouse: Path, warehouse_dir: Path) -> None:
    """Same deliveries, contracts, models and Gebietsstand: nothing is rebuilt."""
    from pipelines.fingerprint import input_fingerprint, published_fingerprint
    from pipelines.paths import warehouse_paths
    from pipelines.territory import newest_gebietsstand

    before = sha256(published_warehouse)
    env = {**os.environ, "SOZPLAN_WAREHOUSE_DIR": str(warehouse_dir)}
    env.pop("DAGSTER_HOME", None)
    proc = subprocess.run(
        [sys.executable, "-m", "pipelines.cli", "refresh"],
        cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "refresh skipped: nothing changed since release" in proc.stdout
    assert sha256(published_warehouse) == before
    assert not (warehouse_dir / "releases").exists()

    paths = warehouse_paths()
    release, fingerprint = published_fingerprint(paths)
    assert fingerprint == input_fingerprint(paths, newest_gebietsstand())
    assert fingerprint != input_fingerprint(paths, "2020-12-31")
