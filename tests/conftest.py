"""Shared fixtures: an isolated warehouse folder per test and one real refresh of the sample."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import pickle
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from filelock import FileLock

PROJECT_ROOT = Path(__file__).resolve().parents[1]
SAMPLE_DIR = PROJECT_ROOT / "sample_data"
REFERENCE_DATA = PROJECT_ROOT / "tests" / "fixtures" / "real"


def sample_bytes(name: str) -> bytes:
    """A sample file's bytes; for a sample kept as the GENESIS API's ZIP, its one member's."""
    path = SAMPLE_DIR / name
    if path.suffix != ".zip":
        return path.read_bytes()
    with zipfile.ZipFile(path) as archive:
        (member,) = archive.namelist()
        assert member.startswith(path.stem) and member.endswith("_de_flat.csv"), member
        return archive.read(member)


def sample_rows(name: str) -> list[dict[str, str]]:
    """The rows of a sample ffcsv (plain or zipped), by column name."""
    text = sample_bytes(name).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text, newline=""), delimiter=";"))


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def run_dbt(
    command: str, select: str, database: Path, scratch: Path
) -> subprocess.CompletedProcess:
    """`dbt <command> --select <select>` of the project on `database`, its artifacts and logs
    in `scratch` (the project's own target folder is left alone)."""
    return subprocess.run(
        [
            str(Path(sys.executable).parent / "dbt"), command, "--select", select,
            "--vars", json.dumps({"db_path": str(database)}),
            "--profiles-dir", ".", "--project-dir", ".",
            "--target-path", str(scratch / "target"), "--log-path", str(scratch / "logs"),
        ],
        cwd=PROJECT_ROOT / "dbt_project", capture_output=True, text=True, timeout=300,
    )  # fmt: skip


@pytest.fixture(autouse=True, scope="session")
def _isolated_environment(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Test runs use an ephemeral Dagster instance, not the UI's run history, and a warehouse
    folder of their own (one per xdist worker), never the project's `warehouse/`."""
    names = ("DAGSTER_HOME", "SOZPLAN_WAREHOUSE_DIR")
    saved = {name: os.environ.pop(name, None) for name in names}
    default = tmp_path_factory.mktemp("default") / "warehouse"
    default.mkdir()
    os.environ["SOZPLAN_WAREHOUSE_DIR"] = str(default)
    yield
    for name, value in saved.items():
        os.environ.pop(name, None)
        if value is not None:
            os.environ[name] = value


@pytest.fixture
def warehouse_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty warehouse folder for this test."""
    root = tmp_path / "warehouse"
    root.mkdir()
    monkeypatch.setenv("SOZPLAN_WAREHOUSE_DIR", str(root))
    return root


def _refresh_sample(root: Path):
    """A full refresh of the bundled sample into the warehouse folder `root`."""
    from pipelines.refresh import run_refresh

    root.mkdir()
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SOZPLAN_WAREHOUSE_DIR", str(root))
        outcome = run_refresh(log_level="WARNING")
    assert outcome.success, outcome.summary()
    return outcome


@pytest.fixture(scope="session")
def sample_refresh(tmp_path_factory: pytest.TempPathFactory):
    """One full refresh of the bundled sample into a session warehouse folder.

    Tests only read it (or copy it). Under pytest-xdist the workers share one refresh: the
    first to need it builds it in the run's common temporary folder, the others wait for it.
    """
    if not os.environ.get("PYTEST_XDIST_WORKER"):
        root = tmp_path_factory.mktemp("published") / "warehouse"
        return root, _refresh_sample(root)
    shared = tmp_path_factory.getbasetemp().parent / "sample_refresh"
    shared.mkdir(exist_ok=True)
    root, result = shared / "warehouse", shared / "outcome.pickle"
    with FileLock(shared / ".lock"):
        if root.exists() and not result.is_file():
            pytest.fail(f"the sample refresh into {root} failed in another worker")
        if not result.is_file():
            result.write_bytes(pickle.dumps(_refresh_sample(root)))
    return root, pickle.loads(result.read_bytes())


@pytest.fixture
def published_warehouse(sample_refresh, warehouse_dir: Path) -> Path:
    """This test's warehouse folder holding a copy of the published sample warehouse."""
    root, _ = sample_refresh
    shutil.copy2(root / "sozialplanung.duckdb", warehouse_dir / "sozialplanung.duckdb")
    return warehouse_dir / "sozialplanung.duckdb"


# The slowest modules (each runs refreshes of its own), slowest first: pytest-xdist hands out
# whole modules (`--dist loadfile --no-loadscope-reorder`) in this order, so the workers
# finish together. The benchmark does not read the session's sample refresh: second in line,
# its worker starts at once while the first builds that refresh.
SLOWEST_MODULES = (
    "test_refresh_paths",
    "test_bench",
    "test_release_changes",
    "test_accumulation",
    "test_refresh_end_to_end",
    "test_secondary_suppression",
    "test_real_deliveries",
    "test_refresh_gate",
    "test_small_areas",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    rank = {name: i for i, name in enumerate(SLOWEST_MODULES)}
    items.sort(key=lambda item: rank.get(item.path.stem, len(rank)))
