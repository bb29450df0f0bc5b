"""Shared fixtures: an isolated warehouse folder per test and one real refresh of the sample."""

from __future__ import annotations

import contextlib
import csv
import hashlib
import io
import json
import os
import pickle
import shutil
import tempfile
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import pytest
from filelock import FileLock

T = TypeVar("T")

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


@dataclass(frozen=True)
class DbtOutcome:
    returncode: int  # 0: success, 1: a node failed, 2: dbt could not run
    stdout: str  # dbt's messages, one per line


def run_dbt(command: str, select: str, database: Path, scratch: Path) -> DbtOutcome:
    """`dbt <command> --select <select>` of the project on `database`, in this process and as
    a refresh runs it: the database linked at the path the saved parse knows, a default
    refresh's vars, the artifacts and the log in `scratch` (the project's target is left
    alone)."""
    from pipelines.assets.transform import candidate_for_dbt
    from pipelines.dbt_parse import refresh_vars
    from pipelines.dbt_runner import invoke_dbt, project_args, start_from_saved_parse
    from pipelines.paths import WarehousePaths
    from pipelines.territory import newest_gebietsstand

    target = scratch / "target"
    start_from_saved_parse(target)
    messages: list[str] = []
    argv = [
        command, "--select", select,
        "--vars", json.dumps(refresh_vars(newest_gebietsstand())), *project_args(target),
    ]  # fmt: skip
    with candidate_for_dbt(WarehousePaths(scratch), database):
        result = invoke_dbt(argv, callbacks=[lambda message: messages.append(message.info.msg)])
    code = 0 if result.success else (2 if result.exception is not None else 1)
    return DbtOutcome(code, "\n".join(messages))


@pytest.fixture(autouse=True, scope="session")
def _isolated_environment(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Test runs use an ephemeral Dagster instance, not the UI's run history, and a warehouse
    folder of their own (one per xdist worker), never the project's `warehouse/`. Refreshes
    export no workbook (the slow format) but the session's refresh of the sample."""
    names = ("DAGSTER_HOME", "SOZPLAN_WAREHOUSE_DIR", "SOZPLAN_EXPORT_FORMATS")
    saved = {name: os.environ.pop(name, None) for name in names}
    default = tmp_path_factory.mktemp("default") / "warehouse"
    default.mkdir()
    os.environ["SOZPLAN_WAREHOUSE_DIR"] = str(default)
    os.environ["SOZPLAN_EXPORT_FORMATS"] = "parquet,csv"
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
        mp.delenv("SOZPLAN_EXPORT_FORMATS")  # every format: test_exports reads its workbook
        outcome = run_refresh(log_level="WARNING")
    assert outcome.success, outcome.summary()
    return outcome


def _shared(tmp_path_factory: pytest.TempPathFactory, name: str, build: Callable[[Path], T]) -> T:
    """`build(folder)` once per test run. Under pytest-xdist the workers share it: the first
    to need it builds it in the run's common temporary folder, the others wait for it."""
    if not os.environ.get("PYTEST_XDIST_WORKER"):
        return build(tmp_path_factory.mktemp(name))
    shared = tmp_path_factory.getbasetemp().parent / name
    shared.mkdir(exist_ok=True)
    result = shared / "result.pickle"
    with FileLock(shared / ".lock"):
        if (shared / "built").exists() and not result.is_file():
            pytest.fail(f"building {name} failed in another worker")
        if not result.is_file():
            (shared / "built").mkdir()
            result.write_bytes(pickle.dumps(build(shared / "built")))
    return pickle.loads(result.read_bytes())


@pytest.fixture(scope="session")
def sample_refresh(tmp_path_factory: pytest.TempPathFactory):
    """One full refresh of the bundled sample into a session warehouse folder: (folder,
    outcome). Tests only read it (or copy it)."""

    def build(folder: Path):
        root = folder / "warehouse"
        return root, _refresh_sample(root)

    return _shared(tmp_path_factory, "sample_refresh", build)


GV_FILE = REFERENCE_DATA / "gemeindeverzeichnis" / "AuszugGV2QAktuell.xlsx"


@pytest.fixture(scope="session")
def tiny_generated(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """The `tiny` size's input (Thüringen, Bremen, the Saarland, 2015–2024) written once by
    the generator's command line, `python -m tools.sample.scaled GV --size tiny --out DIR`:
    (DIR, what it printed). Shared by the generator's tests and the benchmark's; read only."""
    if not GV_FILE.is_file():
        pytest.skip(f"the Gemeindeverzeichnis is absent: {GV_FILE}")

    def build(folder: Path) -> tuple[Path, str]:
        from tools.sample.scaled import main

        out = folder / "tiny"
        with contextlib.redirect_stdout(io.StringIO()) as printed:
            assert main([str(GV_FILE), "--size", "tiny", "--out", str(out)]) == 0
        return out, printed.getvalue()

    return _shared(tmp_path_factory, "tiny_generated", build)


REVISED_SGB2 = "SGB2-01-4_revised_de_flat.csv"
REVISION = 250  # more Leistungsberechtigte of Erfurt in one year


def revised_sgb2_bytes(add: int = REVISION) -> bytes:
    """The SGB II sample (ffcsv) with Erfurt's Leistungsberechtigte of 2022 `add` higher."""
    from tests.test_accumulation import _erfurt_lb, _rows, _write

    header, rows = _rows()
    value = header.index("value")
    revised = [
        [*r[:value], str(int(r[value]) + add), *r[value + 1 :]] if _erfurt_lb(header, r) else r
        for r in rows
    ]
    with tempfile.TemporaryDirectory() as scratch:
        target = Path(scratch) / REVISED_SGB2
        _write(target, header, revised)
        return target.read_bytes()


def _run_refresh_in(root: Path, force: bool):
    from pipelines.refresh import run_refresh

    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SOZPLAN_WAREHOUSE_DIR", str(root))
        return run_refresh(log_level="WARNING", force=force)


@pytest.fixture(scope="session")
def revised_sgb2(sample_refresh, tmp_path_factory: pytest.TempPathFactory):
    """The sample's release, then the SGB II table delivered again with one value of Erfurt
    revised (`changed`, refreshed without force in `root`), then a copy of that warehouse
    rebuilt from the same input (`rebuilt`, forced, in `full`: its releases are the sample's,
    the revised one and the rebuilt one). Shared by every worker; tests only read or copy it,
    but for the last test of test_dbt_selection, which refreshes `root` once more.
    """

    def build(folder: Path) -> RevisedSgb2:
        root = folder / "warehouse"
        shutil.copytree(sample_refresh[0], root)
        (root / "inbox").mkdir(exist_ok=True)
        (root / "inbox" / REVISED_SGB2).write_bytes(revised_sgb2_bytes())
        changed = _run_refresh_in(root, force=False)
        assert changed.success, changed.summary()
        changed_ran = dbt_ran(root)
        full = folder / "full"
        shutil.copytree(root, full)
        rebuilt = _run_refresh_in(full, force=True)
        assert rebuilt.success, rebuilt.summary()
        return RevisedSgb2(root, changed, changed_ran, full, rebuilt, dbt_ran(full))

    return _shared(tmp_path_factory, "revised_sgb2", build)


@dataclass(frozen=True)
class RevisedSgb2:
    root: Path  # after the revised delivery (release `changed`)
    changed: object  # RefreshOutcome
    changed_ran: set[str]
    full: Path  # a copy of root, rebuilt from the same input (release `rebuilt`)
    rebuilt: object
    rebuilt_ran: set[str]


def dbt_ran(root: Path) -> set[str]:
    """The models, seeds and tests the newest refresh of `root` ran (its dbt artifacts)."""
    results = json.loads((root / "build" / "dbt" / "run_results.json").read_text("utf-8"))
    return {
        r["unique_id"]
        for r in results["results"]
        if r["unique_id"].split(".")[0] in ("model", "seed", "test")
    }


@pytest.fixture
def published_warehouse(sample_refresh, warehouse_dir: Path) -> Path:
    """This test's warehouse folder holding a copy of the published sample warehouse."""
    root, _ = sample_refresh
    shutil.copy2(root / "sozialplanung.duckdb", warehouse_dir / "sozialplanung.duckdb")
    return warehouse_dir / "sozialplanung.duckdb"


# Modules by their time on 2 cores, longest first (the rest are a few seconds each):
# pytest-xdist hands out whole modules (`--dist loadfile --no-loadscope-reorder`) in this
# order, so the workers finish together. The benchmark does not read the session's sample
# refresh: second in line, its worker starts at once while the first builds that refresh.
# Modules sharing a session build stand apart, so the second finds it built instead of
# waiting (`revised_sgb2`: test_release_changes, then test_dbt_selection; `tiny_generated`:
# test_bench, then test_sample_scaled).
SLOWEST_MODULES = (
    "test_refresh_paths",  # about 100 s
    "test_bench",  # about 90 s
    "test_release_changes",
    "test_add_source",
    "test_refresh_end_to_end",
    "test_expectations",
    "test_real_deliveries",
    "test_sample_scaled",
    "test_sample_generator",
    "test_query_door",
    "test_accumulation",
    "test_report",
    "test_conform",
    "test_dbt_selection",
    "test_territory",
    "test_bbsr",
    "test_reader_genesis_classic",
    "test_gemeindeverzeichnis",
    "test_genesis_api",  # about 8 s
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    rank = {name: i for i, name in enumerate(SLOWEST_MODULES)}
    items.sort(key=lambda item: rank.get(item.path.stem, len(rank)))
