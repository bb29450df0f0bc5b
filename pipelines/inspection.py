"""`sozplan inspect`: what is in a downloaded file, before it goes into the inbox.

Finds the contract by the file's content (the name is a hint), reads the file with the reader
its content calls for and reports format, table code and title, periods, regions by level,
measures with units, special signs and every problem the contract would find — exactly the
checks a refresh runs (`pipelines.conform.check`), the file taken as the newest delivery of its
source: every region of its periods may come from the deliveries already in use. A file no
contract takes is reported with the nearest contract and why it does not fit.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from pipelines.conform import check
from pipelines.contracts import Contract, load_contracts
from pipelines.ingest import landed_results, read_delivery
from pipelines.landing import sha256_of
from pipelines.matching import match_file
from pipelines.paths import warehouse_paths
from pipelines.readers import READERS, InputError, read_file

SNIFF_BYTES = 4096


class UnknownFormat(ValueError):
    """No reader recognises the file."""


@dataclass
class Inspection:
    file: str
    size: int
    sha256: str
    reader: str | None = None
    contract: str | None = None
    readable: bool = False
    table_code: str | None = None
    title: str | None = None
    rows: int = 0
    periods: list[str] = field(default_factory=list)
    regions_by_level: dict[str, int] = field(default_factory=dict)
    measures: list[dict[str, Any]] = field(default_factory=list)
    special_signs: dict[str, int] = field(default_factory=dict)
    qualifiers: dict[str, int] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def as_text(self) -> str:
        lines = [
            f"file:      {self.file} ({self.size:,} bytes, sha256 {self.sha256[:16]}…)",
            f"format:    {self.reader or 'unknown'}"
            + (f" (contract {self.contract})" if self.contract else " (no contract matches)"),
        ]
        if self.readable:
            lines += [
                f"table:     {self.table_code or '?'}" + (f" — {self.title}" if self.title else ""),
                f"rows:      {self.rows:,}",
                f"periods:   {', '.join(self.periods)}",
                "regions:   "
                + ", ".join(f"{n} {level}" for level, n in self.regions_by_level.items()),
                "measures:",
                *(
                    f"  {m['code']:<12} {m['unit']:<10} {m['rows']:>7,} rows  {m['label']}"
                    for m in self.measures
                ),
                "special signs: "
                + (", ".join(f"'{s}' {n}" for s, n in self.special_signs.items()) or "none"),
            ]
            if self.qualifiers:
                lines.append(
                    "qualifiers: " + ", ".join(f"'{s}' {n}" for s, n in self.qualifiers.items())
                )
        lines += [f"warning: {w}" for w in self.warnings]
        if self.problems:
            lines.append(f"problems ({len(self.problems)}):")
            lines += [f"  {p}" for p in self.problems]
        else:
            lines.append("problems:  none")
        return "\n".join(lines)


def region_level(key: str) -> str:
    """The level a region key stands for (AGS/ARS by length, `-` for a Sozialraum)."""
    if key == "DG":
        return "Deutschland"
    if "-" in key:
        return "Sozialraum"
    return {
        2: "Land",
        3: "Regierungsbezirk",
        5: "Kreis",
        8: "Gemeinde",
        9: "Gemeindeverband",
        12: "Gemeinde (ARS)",
    }.get(len(key), f"{len(key)}-digit key")


def sniff_reader(path: Path) -> str:
    """The reader the file's content calls for (pipelines/readers/detect.py)."""
    from pipelines.readers.detect import detect

    kind = detect(path)
    if kind.format == "genesis_classic":
        return "genesis_classic"
    if kind.format == "ba_xlsx" or path.suffix.lower() in (".xlsx", ".xlsm"):
        raise UnknownFormat(
            f"{path.name}: an Excel workbook; its layout is described by a contract: "
            "name one with --contract"
        )
    # ffcsv, the API's ZIP, or something the ffcsv reader names (empty, HTML, cube …).
    return "genesis_ffcsv"


def inspect_file(
    path: Path, reader: str | None = None, contract_name: str | None = None
) -> Inspection:
    """Read `path` and describe it; never raises for a bad file (see `problems`)."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no such file")
    report = Inspection(file=path.name, size=path.stat().st_size, sha256=sha256_of(path))
    contracts = load_contracts()
    contract: Contract | None = None
    if contract_name:
        if contract_name not in contracts:
            raise UnknownFormat(f"no contract {contract_name!r}; contracts: {', '.join(contracts)}")
        contract = contracts[contract_name]
    elif reader is None:
        match = match_file(path, list(contracts.values()))
        contract = match.contract
        if contract is None:
            report.warnings.append(f"no contract takes this file: {match.reason}")
    if reader is None and contract is None:
        reader = sniff_reader(path)
    if reader is not None and reader not in READERS:
        raise UnknownFormat(f"no reader {reader!r}; readers: {', '.join(READERS)}")
    report.contract = contract.source if contract else None
    with duckdb.connect() as con:  # the file's rows, and the deliveries it would join
        _describe(report, path, reader, contract, con)
    return report


def _describe(
    report: Inspection,
    path: Path,
    reader: str | None,
    contract: Contract | None,
    con: duckdb.DuckDBPyConnection,
) -> None:
    """Read the file into `con`, describe it in SQL and run the contract's checks on it."""
    try:
        if reader is None and contract is not None:
            result = read_delivery(path, contract, con)  # the reader its content calls for
        else:
            options = contract.reader_options if contract and contract.reader == reader else {}
            result = read_file(path, reader, con=con, **options)
    except InputError as err:
        report.reader = reader or (contract.reader if contract else None)
        report.problems = [str(p) for p in err.problems]
        return
    report.reader = result.format
    report.readable = True
    table = result.table
    report.rows = result.rows()
    report.table_code = (
        contract.table_code if contract else _first_text(result.metadata, "table_code")
    )
    report.title = (
        _first_text(result.metadata, "title")
        or (contract.title if contract else None)
        or _first_text(result.metadata, "statistics_label")
    )
    if not report.table_code:
        report.table_code = "/".join(map(str, result.metadata.get("statistics_code", []))) or None
    report.periods = [
        str(t)
        for (t,) in con.execute(
            f"select distinct time from {table} where time is not null order by time"
        ).fetchall()
    ]
    keys = con.execute(
        f"select distinct region_key from {table} where region_key is not null"
    ).fetchall()
    levels = Counter(region_level(key) for (key,) in keys)
    report.regions_by_level = {level: levels[level] for level in sorted(levels)}
    report.measures = [
        {"code": code, "label": label, "unit": unit, "rows": int(n)}
        for code, label, unit, n in con.execute(
            f"select measure_code, measure_label, unit, count(*) from {table} "
            "group by all order by all"
        ).fetchall()
    ]
    report.special_signs = _counts(con, table, "value_status")
    report.qualifiers = _counts(con, table, "value_quality")
    if contract:
        # as the refresh would take it: the newest delivery of its source, the deliveries
        # in use in the warehouse completing its periods
        others = landed_results(contract, warehouse_paths(), but=report.sha256, con=con)
        checked = check(result, contract, others=others)
        if checked.dropped:
            report.warnings.append(
                f"{checked.dropped:,} rows of other regions are left out (region.other_regions: "
                "drop)"
            )
        report.problems = [str(p) for p in checked.problems]
        report.warnings += [str(p) for p in checked.warnings]


def _first_text(metadata: dict[str, Any], key: str) -> str | None:
    value = metadata.get(key)
    if isinstance(value, list):
        value = value[0] if value else None
    return str(value) if value else None


def _counts(con: duckdb.DuckDBPyConnection, table: str, column: str) -> dict[str, int]:
    """How often each value of `column` occurs, by value."""
    rows = con.execute(
        f"select {column}, count(*) from {table} where {column} is not null "
        "group by all order by all"
    ).fetchall()
    return {str(k): int(v) for k, v in rows}
