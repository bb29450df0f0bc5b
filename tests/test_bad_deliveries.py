"""Every kind of bad delivery: a clear message with file, line and column, nothing published.

Each case drops a broken copy of the SGB II sample (a GENESIS ffcsv with two variable groups)
into the inbox of a warehouse that holds a published release, runs a real refresh and compares
the published file's sha256.
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
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("SGB2-01-4_1743412345678_de_flat.csv", SAMPLE)
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


CASES: dict[str, tuple[Callable[[], bytes], list[str]]] = {
    "wrong encoding": (
        lambda: TEXT.replace("Städte", "Städte").encode("utf-16"),
        [NAME, "line 1", "expected text in utf-8"],
    ),
    "truncated file": (
        lambda: SAMPLE[: SAMPLE.rindex(b"\n", 0, len(SAMPLE) - 1) + 40],
        [NAME, f"line {len(LINES)}", f"expected {len(HEADER)} fields separated by ';'"],
    ),
    "missing or renamed column": (
        _renamed_column,
        [NAME, "line 1", "expected the ffcsv header columns value_unit"],
    ),
    "extra column (schema drift)": (
        _extra_group,
        [NAME, "line 2", "schema drift: an extra variable"],
    ),
    "unknown special sign": (
        lambda: _with_field(7, "value", "*"),
        [NAME, "line 7", "column 'value'", "unknown special sign '*'"],
    ),
    "non-numeric value": (
        lambda: _with_field(9, "value", "4.1O2"),
        [NAME, "line 9", "column 'value'", "expected a number with decimal comma", "'4.1O2'"],
    ),
    "duplicate key": (
        lambda: ("\ufeff" + "\n".join([*LINES, LINES[4]]) + "\n").encode("utf-8"),
        [NAME, f"line {len(LINES) + 1}", "one row per key", "first at line 5"],
    ),
    "region key of wrong length": (
        lambda: _with_field(3, "1_variable_attribute_code", "1606"),
        [NAME, "line 3", "expected a 5-digit region key in Land 16", "'1606'"],
    ),
    "region key outside the Land": (
        lambda: _with_field(3, "1_variable_attribute_code", "15001"),
        [NAME, "line 3", "expected a 5-digit region key in Land 16", "'15001'"],
    ),
    "period outside the contract's range": (
        lambda: _with_field(4, "time", str(FIRST_YEAR - 1)),
        [
            NAME,
            "line 4",
            "column 'time'",
            f"expected a period from {FIRST_YEAR} to {LAST_YEAR}",
            f"'{FIRST_YEAR - 1}'",
        ],
    ),
    "empty file": (lambda: b"", [NAME, "found an empty file"]),
    "ZIP instead of a table": (_zip, [NAME, "found a ZIP archive"]),
    "HTML error page instead of a table": (
        lambda: b"<!DOCTYPE html>\n<html><head><title>503 Service Unavailable</title></html>\n",
        [NAME, "line 1", "found an HTML/XML page"],
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
    assert not outcome.success
    assert f"step raw__{SOURCE} failed: {SOURCE}: the delivered file cannot be used" in text
    for fragment in fragments:
        assert fragment in text, f"{fragment!r} not in:\n{text}"
    assert "Traceback" not in text
    assert sha256(published_warehouse) == before
