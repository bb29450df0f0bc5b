"""Every kind of bad delivery: a clear message with file, line and column, nothing ingested.

Each case is a broken copy of the SGB II sample (a GENESIS ffcsv with two variable groups). A
file that still shows which table it is (deliveries are matched by content) goes through the
ingest as a refresh's only delivery of the source and is refused with every problem (file,
line, column, expected, found); nothing of it reaches a raw table, and `sozplan inspect` names
the same problems. A file that no longer shows it stays in the inbox, named with what was found,
and nothing of it lands. That a refused delivery fails the refresh with this message and leaves
the published warehouse as it was is shown end to end once per gate in test_refresh_gate.py
(the contract checks of every source, case by case, are in test_conform.py).
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

from pipelines.contracts import load_contracts
from pipelines.ingest import ingest_deliveries
from pipelines.inspection import inspect_file
from pipelines.landing import Delivery, land_inbox, read_manifest
from pipelines.paths import WarehousePaths
from pipelines.readers import InputError
from pipelines.readers.errors import Problem
from tests.conftest import SAMPLE_DIR, sha256

NAME = "SGB2-01-4_de_flat.csv"
SOURCE = "sgb2_benefits"
CONTRACT = load_contracts()[SOURCE]
FIRST_YEAR, LAST_YEAR = CONTRACT.period_range
MEMBER = "SGB2-01-4_1743412345678_de_flat.csv"
SAMPLE = (SAMPLE_DIR / NAME).read_bytes()
TEXT = SAMPLE.decode("utf-8-sig")
LINES = TEXT.splitlines()
HEADER = LINES[0].split(";")


def _with_field(line: int, column: str, value: str) -> bytes:
    """The sample with one field of one line (1-based, header = 1) replaced."""
    lines = list(LINES)
    fields = lines[line - 1].split(";")
    fields[HEADER.index(column)] = value
    lines[line - 1] = ";".join(fields)
    return ("\ufeff" + "\n".join(lines) + "\n").encode("utf-8")


def _zip() -> bytes:
    """The API's ZIP, its member with a value that is no number."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(MEMBER, _with_field(9, "value", "4.1O2"))
    return buffer.getvalue()


def _renamed_column() -> bytes:
    return SAMPLE.replace(b";value_unit;", b";unit;", 1)


def _extra_group() -> bytes:
    """Schema drift: one more variable group (GES, Insgesamt) before `value`."""
    n = sum(1 for column in HEADER if column.endswith("_variable_code")) + 1
    lines = [
        LINES[0].replace(
            ";value;",
            f";{n}_variable_code;{n}_variable_label;"
            f"{n}_variable_attribute_code;{n}_variable_attribute_label;value;",
        )
    ]
    for line in LINES[1:]:
        fields = line.split(";")
        at = HEADER.index("value")
        lines.append(";".join([*fields[:at], "GES", "Geschlecht", "", "Insgesamt", *fields[at:]]))
    return ("\ufeff" + "\n".join(lines) + "\n").encode("utf-8")


def _without_kreis(kreis: str, year: str) -> bytes:
    kept = [line for line in LINES if not (f";{kreis};" in line and f";{year};" in line)]
    assert len(LINES) - len(kept) == 4  # LB and RLB, all and under 15
    return ("\ufeff" + "\n".join(kept) + "\n").encode("utf-8")


def _field_of_line(line: int, column: str) -> str:
    return LINES[line - 1].split(";")[HEADER.index(column)]


def _kreis_of_line(line: int) -> str:
    return _field_of_line(line, "1_variable_attribute_code")


@dataclass(frozen=True)
class Refused:
    """The one problem the ingest names: where, and fragments of what was expected and found."""

    line: int | None
    column: str  # a fragment of the column named ("" where any may be)
    expected: str
    found: str
    more: int | None = None  # further rows like it, where the case fixes how many


REFUSED: dict[str, tuple[Callable[[], bytes], Refused]] = {
    "truncated file": (
        lambda: SAMPLE[: SAMPLE.rindex(b"\n", 0, len(SAMPLE) - 1) + 40],
        Refused(len(LINES), "", f"{len(HEADER)} fields separated by ';'", ""),
    ),
    "unknown special sign": (
        lambda: _with_field(7, "value", "*"),
        Refused(7, "value", "", "unknown special sign '*'"),
    ),
    "non-numeric value": (
        lambda: _with_field(9, "value", "4.1O2"),
        Refused(9, "value", "a number with decimal comma", "'4.1O2'"),
    ),
    "duplicate key": (
        lambda: ("\ufeff" + "\n".join([*LINES, LINES[4]]) + "\n").encode("utf-8"),
        Refused(len(LINES) + 1, "1_variable_attribute_code", "one row per key", "first at line 5"),
    ),
    "region key of wrong length": (
        lambda: _with_field(3, "1_variable_attribute_code", "1606"),
        Refused(3, "1_variable_attribute_code", "a 5-digit region key in Land 16", "'1606'"),
    ),
    # Other Länder's rows are dropped (downloads of all Germany are fine): the Kreis the row
    # replaced is missing from its year, and the contract check names it.
    "region key outside the Land": (
        lambda: _with_field(3, "1_variable_attribute_code", "15001"),
        Refused(
            None,
            "1_variable_attribute_code",
            f"every Kreis of {_field_of_line(3, 'time')}: the ",
            f"no row of {_kreis_of_line(3)} ",
        ),
    ),
    "a Kreis missing from a year": (
        lambda: _without_kreis("16077", "2019"),
        Refused(
            None,
            "1_variable_attribute_code",
            "every Kreis of 2019: the 23 Kreise of Thüringen on 31.12.2019",
            "no row of 16077 Altenburger Land",
            more=3,
        ),
    ),
    "period outside the contract's range": (
        lambda: _with_field(4, "time", str(FIRST_YEAR - 1)),
        Refused(4, "time", f"a period from {FIRST_YEAR} to {LAST_YEAR}", f"'{FIRST_YEAR - 1}'"),
    ),
    "ZIP with a broken member": (
        _zip,
        Refused(9, "value", "a number with decimal comma", "'4.1O2'"),
    ),
}


def _refused_at_ingest(data: bytes, tmp_path: Path) -> list[Problem]:
    """Ingest `data` as the source's only delivery (as the refresh does once a file of it has
    landed): the problems it is refused with; the database gets no table."""
    landed = tmp_path / "landed"
    landed.write_bytes(data)
    delivery = Delivery(landed, NAME, sha256(landed), "2026-01-01T00:00:00", "inbox")
    with duckdb.connect(str(tmp_path / "candidate.duckdb")) as con:
        with pytest.raises(InputError) as raised:
            ingest_deliveries(CONTRACT, [delivery], con, "test")
        tables = con.execute("select table_schema, table_name from information_schema.tables")
        assert tables.fetchall() == []
    return raised.value.problems


@pytest.mark.parametrize("case", list(REFUSED))
def test_bad_delivery_is_refused_at_ingest(case: str, tmp_path: Path, warehouse_dir: Path) -> None:
    make, want = REFUSED[case]
    data = make()

    problems = _refused_at_ingest(data, tmp_path)

    assert len(problems) == 1, [str(p) for p in problems]
    (problem,) = problems
    assert problem.file == NAME  # the name the user delivered it under
    assert problem.line == want.line, str(problem)
    assert want.column in (problem.column or ""), str(problem)
    assert want.expected in problem.expected, str(problem)
    assert want.found in problem.found, str(problem)
    if want.more is not None:
        assert problem.more == want.more, str(problem)
    assert str(problem).startswith(f"{NAME}, ")
    if problem.line is not None:  # `sozplan inspect` reads the file as the ingest does
        inspected = tmp_path / NAME
        inspected.write_bytes(data)
        report = inspect_file(inspected)
        assert report.contract == SOURCE
        place = str(problem).removeprefix(NAME)  # (a ZIP's problems name its member too)
        assert any(p.startswith(NAME) and p.endswith(place) for p in report.problems), (
            report.problems
        )


STAYS: dict[str, tuple[Callable[[], bytes], list[str]]] = {
    "wrong encoding": (
        lambda: TEXT.replace("Städte", "Städte").encode("utf-16"),
        ["ffcsv", "no contract describes this table"],
    ),
    "missing or renamed column": (
        _renamed_column,
        ["a text file that is no GENESIS table", "statistics_code;"],
    ),
    "extra column (schema drift)": (
        _extra_group,
        ["no contract takes it; nearest sgb2_benefits", "its variables are ALTSG2, GES"],
    ),
    "empty file": (lambda: b"", ["an empty file"]),
    "HTML error page instead of a table": (
        lambda: b"<!DOCTYPE html>\n<html><head><title>503 Service Unavailable</title></html>\n",
        ["an HTML/XML page"],
    ),
}


@pytest.mark.parametrize("case", list(STAYS))
def test_unrecognisable_delivery_stays_in_the_inbox(case: str, warehouse_dir: Path) -> None:
    """Not taken: nothing of it is read, it waits for a better file, and the reason names
    what was found."""
    make, fragments = STAYS[case]
    inbox = warehouse_dir / "inbox"
    inbox.mkdir()
    (inbox / NAME).write_bytes(make())
    paths = WarehousePaths(warehouse_dir)

    report = land_inbox(list(load_contracts().values()), paths)

    assert report.landed == []
    (line,) = report.lines()
    assert line.startswith(f"{NAME} stays in the inbox: "), line
    for fragment in fragments:
        assert fragment in line, f"{fragment!r} not in {line!r}"
    assert (inbox / NAME).is_file()
    assert read_manifest(paths) == []
