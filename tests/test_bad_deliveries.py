"""Every kind of bad delivery: a clear message with file, line and column, nothing published.

Each case drops a broken copy of the SGB II sample (a GENESIS ffcsv with two variable groups)
into the inbox of a warehouse that holds a published release and runs a real refresh. A file
that still shows which table it is (deliveries are matched by content) is refused with the
reason and the published file stays byte-identical; a file that no longer shows it stays in
the inbox, named with what was found, and nothing of it is ingested. One more case delivers the
unemployment export with a fractional count: refused at ingest, nothing of it published (the
contract checks of every source, case by case, are in test_conform.py).
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from pipelines.contracts import load_contracts
from pipelines.refresh import run_refresh
from tests.conftest import SAMPLE_DIR, sha256

NAME = "SGB2-01-4_de_flat.csv"
SOURCE = "sgb2_benefits"
FIRST_YEAR, LAST_YEAR = load_contracts()[SOURCE].period_range
MEMBER = "SGB2-01-4_1743412345678_de_flat.csv"
REFUSED = f"step raw__{SOURCE} failed: {SOURCE}: the delivered file cannot be used"
STAYS = f"{NAME} stays in the inbox"
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


def _field_of_line(line: int, column: str) -> str:
    return LINES[line - 1].split(";")[HEADER.index(column)]


def _kreis_of_line(line: int) -> str:
    return _field_of_line(line, "1_variable_attribute_code")


CASES: dict[str, tuple[Callable[[], bytes], list[str]]] = {
    "wrong encoding": (
        lambda: TEXT.replace("Städte", "Städte").encode("utf-16"),
        [STAYS, "ffcsv", "no contract describes this table"],
    ),
    "truncated file": (
        lambda: SAMPLE[: SAMPLE.rindex(b"\n", 0, len(SAMPLE) - 1) + 40],
        [REFUSED, NAME, f"line {len(LINES)}", f"expected {len(HEADER)} fields separated by ';'"],
    ),
    "missing or renamed column": (
        _renamed_column,
        [STAYS, "a text file that is no GENESIS table", "statistics_code;"],
    ),
    "extra column (schema drift)": (
        _extra_group,
        [STAYS, "no contract takes it; nearest sgb2_benefits", "its variables are ALTSG2, GES"],
    ),
    "unknown special sign": (
        lambda: _with_field(7, "value", "*"),
        [REFUSED, NAME, "line 7", "column 'value'", "unknown special sign '*'"],
    ),
    "non-numeric value": (
        lambda: _with_field(9, "value", "4.1O2"),
        [REFUSED, NAME, "line 9", "column 'value'", "expected a number with decimal comma"],
    ),
    "duplicate key": (
        lambda: ("\ufeff" + "\n".join([*LINES, LINES[4]]) + "\n").encode("utf-8"),
        [REFUSED, NAME, f"line {len(LINES) + 1}", "one row per key", "first at line 5"],
    ),
    "region key of wrong length": (
        lambda: _with_field(3, "1_variable_attribute_code", "1606"),
        [REFUSED, NAME, "line 3", "expected a 5-digit region key in Land 16", "'1606'"],
    ),
    # Other Länder's rows are dropped (downloads of all Germany are fine): the Kreis the row
    # replaced is missing from its year, and the contract check names it.
    "region key outside the Land": (
        lambda: _with_field(3, "1_variable_attribute_code", "15001"),
        [
            REFUSED,
            NAME,
            f"expected every Kreis of {_field_of_line(3, 'time')}: the ",
            f"found no row of {_kreis_of_line(3)} ",
        ],
    ),
    "period outside the contract's range": (
        lambda: _with_field(4, "time", str(FIRST_YEAR - 1)),
        [
            REFUSED,
            NAME,
            "line 4",
            "column 'time'",
            f"expected a period from {FIRST_YEAR} to {LAST_YEAR}",
            f"'{FIRST_YEAR - 1}'",
        ],
    ),
    "empty file": (lambda: b"", [STAYS, "an empty file"]),
    "ZIP with a broken member": (
        _zip,
        [REFUSED, NAME, "line 9", "column 'value'", "'4.1O2'"],
    ),
    "HTML error page instead of a table": (
        lambda: b"<!DOCTYPE html>\n<html><head><title>503 Service Unavailable</title></html>\n",
        [STAYS, "an HTML/XML page"],
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_bad_delivery_is_refused(case: str, published_warehouse: Path, warehouse_dir: Path) -> None:
    make, fragments = CASES[case]
    before = sha256(published_warehouse)
    inbox = warehouse_dir / "inbox"
    inbox.mkdir()
    (inbox / NAME).write_bytes(make())

    outcome = run_refresh(log_level="ERROR")

    text = outcome.summary()
    for fragment in fragments:
        assert fragment in text, f"{fragment!r} not in:\n{text}"
    assert "Traceback" not in text
    if STAYS in fragments:  # not taken: nothing of it is read, it waits for a better file
        assert (inbox / NAME).is_file()
        assert not any(line.startswith("landed") for line in outcome.inbox), text
    else:
        assert not outcome.success
        assert sha256(published_warehouse) == before


def test_fractional_count_is_refused_before_the_marts(
    published_warehouse: Path, warehouse_dir: Path
) -> None:
    """The unemployed of Gotha 2024 as `3477,5` in the classic export: refused at ingest with
    file, line, column, expected and found; the published warehouse stays as it was."""
    lines = (SAMPLE_DIR / "13211-02-05-4_2024.csv").read_bytes().decode("cp1252").split("\n")
    at = next(i for i, line in enumerate(lines) if line.split(";")[1:2] == ["16067"])
    fields = lines[at].split(";")
    assert fields[3] == "3477"  # column 4: Arbeitslose insgesamt
    fields[3] = "3477,5"
    lines[at] = ";".join(fields)
    before = sha256(published_warehouse)
    inbox = warehouse_dir / "inbox"
    inbox.mkdir()
    (inbox / "13211-02-05-4.csv").write_bytes("\n".join(lines).encode("cp1252"))

    outcome = run_refresh(log_level="ERROR")

    text = outcome.summary()
    assert not outcome.success
    assert "step raw__unemployment failed: unemployment: the delivered file cannot be used" in text
    assert (
        f"13211-02-05-4.csv, line {at + 1}, column '4 (Arbeitslose)': expected a whole number "
        "(ERWP06 Arbeitslose is a count), found 3477.5"
    ) in text, text
    assert "Traceback" not in text
    assert sha256(published_warehouse) == before
