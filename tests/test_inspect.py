"""`sozplan inspect` on real downloads, on the samples and on broken files."""

from __future__ import annotations

import contextlib
import csv
import io
import json
import subprocess
import sys
import zipfile
from collections import Counter
from datetime import date
from pathlib import Path

import pytest

from tests.conftest import PROJECT_ROOT, REFERENCE_DATA, SAMPLE_DIR


def _inspect(*args: str) -> subprocess.CompletedProcess:
    """`sozplan inspect ARGS` through the command line's main() in this process: its exit
    code and what it printed."""
    from pipelines.cli import main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["inspect", *args])
    return subprocess.CompletedProcess(args, code, out.getvalue(), err.getvalue())


def test_reference_file_is_described() -> None:
    path = REFERENCE_DATA / "genesis_ffcsv" / "12211-Z-11_de_flat.csv"
    if not path.is_file():
        pytest.skip("tests/fixtures/real is absent: reference files not available")
    with path.open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f, delimiter=";"))
    signs = Counter(r["value"] for r in rows if r["value"] in {"-", ".", "/", "x", "..."})
    qualifiers = Counter(r["value_q"] for r in rows if r["value_q"])

    proc = _inspect(str(path), "--json")

    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    assert report["reader"] == "genesis_ffcsv" and report["contract"] is None
    assert report["rows"] == len(rows)
    assert report["periods"] == sorted({r["time"] for r in rows})
    assert report["special_signs"] == dict(signs)
    assert report["qualifiers"] == dict(qualifiers)
    assert report["measures"][0]["unit"] == "1000"
    assert report["title"] == "Grundprogramm des Mikrozensus"


def test_sample_is_checked_against_its_contract() -> None:
    """One year of the unemployment sample, a classic export with the Land row."""
    proc = _inspect(str(SAMPLE_DIR / "13211-02-05-4_2024.csv"))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "genesis_classic (contract unemployment)" in proc.stdout
    assert "23 Kreis, 1 Land" in proc.stdout and "problems:  none" in proc.stdout
    assert "Arbeitslosenquote bez. auf alle zivile Erwerbsp." in proc.stdout
    assert "Prozent" in proc.stdout


def test_contract_problems_give_exit_code_2(tmp_path: Path) -> None:
    text = (SAMPLE_DIR / "SGB2-01-4_de_flat.csv").read_text(encoding="utf-8-sig")
    path = tmp_path / "SGB2-01-4_de_flat.csv"
    path.write_text(text.replace(";2019;", ";2031;"), encoding="utf-8-sig")
    proc = _inspect(str(path))
    assert proc.returncode == 2
    last = date.today().year  # open-ended periods: anything up to today
    assert f"column 'time': expected a period from 2000 to {last}, found '2031'" in proc.stdout


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("empty_flat.csv", b"", "found an empty file"),
        ("page_flat.csv", b"<!DOCTYPE html><html><body>Wartung</body></html>", "HTML"),
    ],
)
def test_unreadable_file_gives_exit_code_1(
    tmp_path: Path, name: str, content: bytes, message: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    proc = _inspect(str(path))
    assert proc.returncode == 1
    assert message in proc.stdout


def test_zip_from_the_api_is_read_and_its_member_named(tmp_path: Path) -> None:
    path = tmp_path / "12411-01-01-4.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("12411-01-01-4_1743412345678_de_flat.csv", "statistics_code;x\n")
    proc = _inspect(str(path), "--json")
    assert proc.returncode == 1
    problem = json.loads(proc.stdout)["problems"][0]
    assert problem.startswith("12411-01-01-4.zip: 12411-01-01-4_1743412345678_de_flat.csv, line 1")
    assert "expected the ffcsv header columns" in problem


def test_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    """As a user's shell runs it: a new process, its stderr."""
    proc = subprocess.run(
        [sys.executable, "-m", "pipelines.cli", "inspect", str(tmp_path / "nothing.csv")],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 1
    assert "no such file" in proc.stderr and "Traceback" not in proc.stderr


def test_a_file_no_contract_takes_names_the_nearest(tmp_path: Path) -> None:
    """A real table of a known statistic with other measures: the nearest contract and why."""
    path = tmp_path / "download.csv"
    path.write_bytes((REFERENCE_DATA / "genesis_ffcsv" / "11111-02-01-4_de_flat.csv").read_bytes())
    proc = _inspect(str(path), "--json")
    report = json.loads(proc.stdout)
    assert report["contract"] is None
    assert any(
        "no contract takes this file" in w and "nearest area" in w and "GEM001" in w
        for w in report["warnings"]
    ), report["warnings"]


def test_a_classic_export_under_any_name_finds_its_contract(tmp_path: Path) -> None:
    """Matching by content: the 2015 classic area table saved as `tabelle(3).csv`."""
    path = tmp_path / "tabelle(3).csv"
    path.write_bytes((REFERENCE_DATA / "genesis_classic" / "11111-01-01-4.csv").read_bytes())
    proc = _inspect(str(path), "--json")
    report = json.loads(proc.stdout)
    assert proc.returncode == 0, proc.stdout
    assert report["contract"] == "area" and report["reader"] == "genesis_classic"
    assert report["problems"] == []
    assert any("rows of other regions are left out" in w for w in report["warnings"])


def _sample_with_first_row(tmp_path: Path, column: str, value: str) -> tuple[Path, str]:
    """The population sample (ffcsv) with one field of its first data row (line 2) changed;
    the field's old value."""
    name = "12411-02-03-4_de_flat.csv"
    lines = (SAMPLE_DIR / name).read_text(encoding="utf-8-sig").splitlines()
    header = lines[0].split(";")
    fields = lines[1].split(";")
    old = fields[header.index(column)]
    fields[header.index(column)] = value
    lines[1] = ";".join(fields)
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8-sig")
    return path, old


def _refused_by_the_ingest(path: Path) -> list[str]:
    """The problems a refresh's ingest reports for `path` as the source's one delivery."""
    import duckdb

    from pipelines.contracts import load_contracts
    from pipelines.ingest import ingest_deliveries
    from pipelines.landing import Delivery, sha256_of
    from pipelines.readers import InputError

    contract = load_contracts()["population_age"]
    delivery = Delivery(path, path.name, sha256_of(path), "2025-01-01T00:00:00", "inbox")
    with duckdb.connect() as con, pytest.raises(InputError) as refused:
        ingest_deliveries(contract, [delivery], con, "test")
    return [str(p) for p in refused.value.problems]


@pytest.mark.parametrize(
    ("column", "value", "expected", "found"),
    [
        ("value", "-{old}", "column 'value': expected a value from 0 to", "found -{old}"),
        (
            "1_variable_attribute_code",
            "16099",
            "column '1_variable_attribute_code': expected a Kreis of Thüringen",
            "found '16099'",
        ),
    ],
    ids=["negative count", "unknown Kreis key"],
)
def test_inspect_finds_what_the_refresh_refuses(
    tmp_path: Path, column: str, value: str, expected: str, found: str
) -> None:
    """A negative count and an unknown Kreis key: `sozplan inspect` names the same problem,
    at the same line and column, as the refresh's ingest."""
    path, old = _sample_with_first_row(tmp_path, column, value.format(old="1"))
    if "{old}" in value:
        path, old = _sample_with_first_row(tmp_path, column, value.format(old=old))
    found = found.format(old=old)

    proc = _inspect(str(path), "--json")

    assert proc.returncode == 2, proc.stdout + proc.stderr
    problems = json.loads(proc.stdout)["problems"]
    wanted = [p for p in problems if f"line 2, {expected}" in p and found in p]
    assert len(wanted) == 1, problems
    assert wanted[0] in _refused_by_the_ingest(path)
