"""Which contract a delivered file belongs to, decided by what is inside it.

Users save downloads under any name (`13211-02-05-4.csv`, `download.csv`, `tabelle(3).csv`),
so the name is only a hint. A GENESIS table says what it is: a classic export names its table
code in the first line; an ffcsv names its statistic, its measures and its variables in every
row. A file fits a contract when those agree; where several contracts of one statistic fit, the
file name decides, and otherwise the file is reported, never guessed. A file that fits no
contract is reported with the nearest contract and why it does not fit.
"""

from __future__ import annotations

from dataclasses import dataclass
from fnmatch import fnmatch
from pathlib import Path

from pipelines.contracts import Contract
from pipelines.readers.detect import FileKind, detect
from pipelines.readers.genesis_ffcsv import REGION_VARIABLE_PREFIXES, REGION_VARIABLES

GENESIS_FORMATS = ("genesis_ffcsv", "genesis_zip", "genesis_classic")
# Contracts of these readers have no codes in their files to match on: the name decides.
NAMED_READERS = ("ba_xlsx", "municipal")


@dataclass(frozen=True)
class Match:
    contract: Contract | None
    kind: FileKind | None
    reason: str  # why it fits, or why no contract does (with the nearest one)


def _is_region_variable(code: str) -> bool:
    return code in REGION_VARIABLES or code.startswith(REGION_VARIABLE_PREFIXES)


def misfit(kind: FileKind, contract: Contract) -> tuple[int, str | None]:
    """(closeness, None) when the file's content fits the contract, else (closeness, why not).

    Closeness orders the near misses so the report can name the nearest contract.
    """
    if kind.format == "genesis_classic":
        if kind.table_code == contract.table_code:
            return 3, None
        same_statistic = (kind.statistics_code or "") == contract.table_code.split("-")[0]
        return int(same_statistic), (
            f"its table code is {kind.table_code}, the contract's {contract.table_code}"
        )
    statistic = contract.table_code.split("-")[0]
    if kind.statistics_code != statistic:
        return 0, f"its statistic is {kind.statistics_code}, the contract's {statistic}"
    if kind.table_code and kind.table_code != contract.table_code:
        return 1, f"its table code is {kind.table_code}, the contract's {contract.table_code}"
    codes = {m.code for m in contract.measures}
    if not kind.measure_codes & codes:
        return 1, (
            f"its measures {', '.join(sorted(kind.measure_codes))} are none of the contract's "
            f"({', '.join(sorted(codes))})"
        )
    extra = kind.measure_codes - codes
    if extra:
        return 2, f"measures {', '.join(sorted(extra))} are not in the contract"
    if contract.region.variable not in kind.variable_codes:
        found = sorted(c for c in kind.variable_codes if _is_region_variable(c))
        return 2, (
            f"its regions are {', '.join(found) or 'none'}, the contract's "
            f"{contract.region.variable}"
        )
    variables = {c for c in kind.variable_codes if not _is_region_variable(c)}
    expected = {v.code for v in contract.variables}
    if variables != expected and not (contract.schema_drift == "warn" and expected <= variables):
        return 2, (
            f"its variables are {', '.join(sorted(variables)) or 'none'}, the contract's "
            f"{', '.join(sorted(expected)) or 'none'}"
        )
    return 3, None


def match_file(path: Path, contracts: list[Contract]) -> Match:
    """The contract `path` belongs to, or None with the reason."""
    path = Path(path)
    named = [
        c for c in contracts if c.reader in NAMED_READERS and fnmatch(path.name, c.file_pattern)
    ]
    if len(named) == 1:
        return Match(named[0], None, f"file name matches {named[0].file_pattern}")
    kind = detect(path)
    if kind.format not in GENESIS_FORMATS:
        return Match(None, kind, kind.description)
    fits: list[Contract] = []
    nearest: tuple[int, Contract, str] | None = None
    for contract in contracts:
        if contract.reader in NAMED_READERS:
            continue
        closeness, why = misfit(kind, contract)
        if why is None:
            fits.append(contract)
        elif nearest is None or closeness > nearest[0]:
            nearest = (closeness, contract, why)
    if len(fits) > 1:
        by_name = [c for c in fits if fnmatch(path.name, c.file_pattern)]
        if len(by_name) == 1:
            fits = by_name
    if len(fits) == 1:
        return Match(fits[0], kind, f"{kind.description} fits {fits[0].source}")
    if fits:
        names = ", ".join(c.source for c in fits)
        return Match(
            None,
            kind,
            f"{kind.description}: fits several contracts ({names}); rename it after one "
            f"of their file patterns ({', '.join(c.file_pattern for c in fits)})",
        )
    if nearest and nearest[0] > 0:
        _closeness, contract, why = nearest
        return Match(
            None,
            kind,
            f"{kind.description}: no contract takes it; nearest {contract.source}: {why}",
        )
    return Match(None, kind, f"{kind.description}: no contract describes this table")
