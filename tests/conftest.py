"""Shared fixtures: an isolated warehouse folder per test and one real refresh of the sample."""

from __future__ import annotations

import csv
import hashlib
import io
import os
import shutil
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

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


@pytest.fixture(autouse=True, scope="session")
def _ephemeral_dagster() -> Iterator[None]:
    """Test runs use an ephemeral Dagster instance, not the UI's run history."""
    saved = os.environ.pop("DAGSTER_HOME", None)
    yield
    if saved is not None:
        os.environ["DAGSTER_HOME"] = saved


@pytest.fixture
def warehouse_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty warehouse folder for this test."""
    root = tmp_path / "warehouse"
    root.mkdir()
    monkeypatch.setenv("SOZPLAN_WAREHOUSE_DIR", str(root))
    return root


@pytest.fixture(scope="session")
def sample_refresh(tmp_path_factory: pytest.TempPathFactory):
    """One full refresh of the bundled sample into a session warehouse folder."""
    from pipelines.refresh import run_refresh

    root = tmp_path_factory.mktemp("published") / "warehouse"
    root.mkdir()
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SOZPLAN_WAREHOUSE_DIR", str(root))
        outcome = run_refresh(log_level="WARNING")
    assert outcome.success, outcome.summary()
    return root, outcome


@pytest.fixture
def published_warehouse(sample_refresh, warehouse_dir: Path) -> Path:
    """This test's warehouse folder holding a copy of the published sample warehouse."""
    root, _ = sample_refresh
    shutil.copy2(root / "sozialplanung.duckdb", warehouse_dir / "sozialplanung.duckdb")
    return warehouse_dir / "sozialplanung.duckdb"
