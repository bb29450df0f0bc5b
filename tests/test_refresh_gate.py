"""Write–audit–publish: a delivery that breaks a check never reaches the published warehouse.

On a copy of the published sample: the lock, unchanged inputs. One refresh per gate
elsewhere: a contract check at ingest refusing `sozplan refresh` in test_refresh_paths.py (a
bad delivery withdrawn; every kind of bad file in test_bad_deliveries.py, at ingest), dbt
tests refusing a build (disclosure control among them) in test_dbt_selection.py; the pin in
test_refresh_paths.py."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from filelock import FileLock

from pipelines.refresh import run_refresh
from tests.conftest import PROJECT_ROOT, sha256


def test_second_refresh_is_refused_while_one_runs(
    published_warehouse: Path, warehouse_dir: Path
) -> None:
    before = sha256(published_warehouse)
    with FileLock(warehouse_dir / ".refresh.lock", timeout=0):
        outcome = run_refresh(log_level="WARNING")
    assert not outcome.success
    assert "another refresh is running" in outcome.summary()
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
