"""Data contracts: `data_contracts/<source>.yml` is the single description of a source.

A contract names the reader and everything the warehouse expects of a delivery: keys,
variables, measures with units, allowed special signs, period range, licence. An invalid
contract fails fast with the file and the field that is wrong.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from pipelines.paths import PROJECT_ROOT, contracts_dir

# The GENESIS "Zeichenerklärung": signs that replace a value.
GENESIS_SIGNS = ("-", ".", "/", "x", "...")
REFERENCE_DATE_KINDS = ("Stichtag", "Jahresdurchschnitt", "Jahressumme", "Schuljahr")


class ContractError(ValueError):
    """A contract file is invalid; the message names file and field."""


@dataclass(frozen=True)
class Measure:
    code: str
    label: str
    unit: str


@dataclass(frozen=True)
class Variable:
    code: str
    attributes: tuple[str, ...]


@dataclass(frozen=True)
class Region:
    variable: str
    laender: tuple[str, ...]  # the territory's Länder (pipelines/territory.py), not the YAML's
    key_length: int
    key_pattern: str | None = None  # regex for keys that are not plain AGS, e.g. Sozialräume
    # Downloads often hold all of Germany: "drop" keeps only this Land and level.
    other_regions: str = "error"


@dataclass(frozen=True)
class Contract:
    source: str
    title: str
    publisher: str
    table_code: str
    reader: str
    file_pattern: str
    sample_file: Path
    reference_date_kind: str
    cadence: str
    period_range: tuple[int, int]
    region: Region
    variables: tuple[Variable, ...]
    measures: tuple[Measure, ...]
    allowed_status: tuple[str, ...]
    key_columns: tuple[str, ...]
    licence: str
    attribution: str
    path: Path
    reader_options: dict[str, Any] = field(default_factory=dict)
    schema_drift: str = "error"  # or "warn": an unknown extra breakdown is let through
    # How far the parts (Gemeinden, Sozialräume) may miss the published total, in counts.
    parts_tolerance: float = 0.0

    @property
    def raw_table(self) -> str:
        return f"raw.{self.source}"

    def as_dict(self) -> dict[str, Any]:
        """Plain-data view, as suites and metadata want it."""
        return {
            "source": self.source,
            "table_code": self.table_code,
            "period_range": list(self.period_range),
            "region": {
                "variable": self.region.variable,
                "laender": list(self.region.laender),
                "key_length": self.region.key_length,
                "key_pattern": self.region.key_pattern,
            },
            "measures": [{"code": m.code, "label": m.label, "unit": m.unit} for m in self.measures],
            "allowed_status": list(self.allowed_status),
            "key_columns": list(self.key_columns),
        }


_REQUIRED = {
    "source": str,
    "title": str,
    "publisher": str,
    "table_code": str,
    "reader": str,
    "file_pattern": str,
    "sample_file": str,
    "reference_date_kind": str,
    "cadence": str,
    "period_range": list,
    "region": dict,
    "variables": list,
    "measures": list,
    "allowed_status": list,
    "key_columns": list,
    "licence": str,
    "attribution": str,
}


def _fail(path: Path, field_name: str, message: str) -> ContractError:
    return ContractError(f"{path.name}: field '{field_name}': {message}")


def _require(data: dict, key: str, kind: type, path: Path, where: str = "") -> Any:
    name = f"{where}{key}"
    if key not in data:
        raise _fail(path, name, "missing")
    value = data[key]
    if not isinstance(value, kind):
        raise _fail(path, name, f"expected {kind.__name__}, found {value!r}")
    return value


def load_contract(path: Path, laender: tuple[str, ...] | None = None) -> Contract:
    """Parse and validate one contract file.

    A contract describes a table, not a territory: the Länder whose keys a delivery may hold
    are the territory's (`laender`, default: the current territory's).
    """
    from pipelines.readers import READERS, reader_module
    from pipelines.territory import current_territory

    if laender is None:
        laender = current_territory().laender

    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise ContractError(f"{path.name}: not valid YAML: {exc}") from exc
    if not isinstance(data, dict):
        raise ContractError(
            f"{path.name}: expected a mapping of fields, found {type(data).__name__}"
        )
    for key, kind in _REQUIRED.items():
        _require(data, key, kind, path)

    source = data["source"]
    if not re.fullmatch(r"[a-z][a-z0-9_]*", source):
        raise _fail(path, "source", f"expected a lower-case identifier, found {source!r}")
    if path.stem != source:
        raise _fail(path, "source", f"must equal the file name {path.stem!r}, found {source!r}")
    if data["reader"] not in READERS:
        raise _fail(path, "reader", f"expected one of {sorted(READERS)}, found {data['reader']!r}")
    options = data.get("reader_options") or {}
    if not isinstance(options, dict):
        raise _fail(path, "reader_options", f"expected a mapping, found {options!r}")
    accepted = reader_module(data["reader"]).OPTIONS
    for name, value in options.items():
        if name not in accepted:
            raise _fail(
                path,
                f"reader_options.{name}",
                f"not an option of reader {data['reader']} (options: {', '.join(accepted)})",
            )
        if not isinstance(value, accepted[name]):
            raise _fail(
                path,
                f"reader_options.{name}",
                f"expected {accepted[name].__name__}, found {value!r}",
            )
    if data["reference_date_kind"] not in REFERENCE_DATE_KINDS:
        raise _fail(
            path,
            "reference_date_kind",
            f"expected one of {list(REFERENCE_DATE_KINDS)}, found {data['reference_date_kind']!r}",
        )
    period_range = data["period_range"]
    if (
        len(period_range) != 2
        or not all(isinstance(y, int) for y in period_range)
        or period_range[0] > period_range[1]
    ):
        raise _fail(path, "period_range", f"expected [first_year, last_year], found {period_range}")

    region_data = data["region"]
    key_pattern = region_data.get("key_pattern")
    if key_pattern is not None:
        try:
            re.compile(key_pattern)
        except (re.error, TypeError) as exc:
            raise _fail(
                path, "region.key_pattern", f"expected a regular expression: {exc}"
            ) from exc
    region = Region(
        variable=_require(region_data, "variable", str, path, "region."),
        laender=laender,
        key_length=_require(region_data, "key_length", int, path, "region."),
        key_pattern=key_pattern,
        other_regions=region_data.get("other_regions", "error"),
    )
    if region.other_regions not in ("error", "drop"):
        raise _fail(
            path,
            "region.other_regions",
            f"expected 'error' or 'drop', found {region.other_regions!r}",
        )
    if key_pattern is None and region.key_length not in (2, 5, 8, 12):
        raise _fail(path, "region.key_length", f"expected 2, 5, 8 or 12, found {region.key_length}")
    unknown = set(region_data) - {"variable", "key_length", "key_pattern", "other_regions"}
    if unknown:
        raise _fail(path, f"region.{sorted(unknown)[0]}", "not a field of region")
    parts_tolerance = data.get("parts_tolerance", 0)
    if not isinstance(parts_tolerance, int | float) or parts_tolerance < 0:
        raise _fail(path, "parts_tolerance", f"expected a number ≥ 0, found {parts_tolerance!r}")
    schema_drift = data.get("schema_drift", "error")
    if schema_drift not in ("error", "warn"):
        raise _fail(path, "schema_drift", f"expected 'error' or 'warn', found {schema_drift!r}")

    variables = []
    for i, item in enumerate(data["variables"]):
        if not isinstance(item, dict):
            raise _fail(path, f"variables[{i}]", f"expected a mapping, found {item!r}")
        attributes = _require(item, "attributes", list, path, f"variables[{i}].")
        variables.append(
            Variable(
                code=_require(item, "code", str, path, f"variables[{i}]."),
                attributes=tuple(str(a) for a in attributes),
            )
        )
    if len(variables) > 3:
        raise _fail(path, "variables", f"at most 3 besides the region, found {len(variables)}")

    measures = []
    for i, item in enumerate(data["measures"]):
        if not isinstance(item, dict):
            raise _fail(path, f"measures[{i}]", f"expected a mapping, found {item!r}")
        measures.append(
            Measure(
                code=_require(item, "code", str, path, f"measures[{i}]."),
                label=_require(item, "label", str, path, f"measures[{i}]."),
                unit=_require(item, "unit", str, path, f"measures[{i}]."),
            )
        )
    if not measures:
        raise _fail(path, "measures", "at least one measure is required")

    unknown_signs = set(data["allowed_status"]) - set(GENESIS_SIGNS)
    if unknown_signs:
        raise _fail(
            path,
            "allowed_status",
            f"expected signs from {list(GENESIS_SIGNS)}, found {sorted(unknown_signs)}",
        )

    from pipelines.readers.table import CANONICAL_COLUMNS

    unknown_keys = [k for k in data["key_columns"] if k not in CANONICAL_COLUMNS]
    if unknown_keys or not data["key_columns"]:
        raise _fail(
            path,
            "key_columns",
            f"expected columns of the raw table ({', '.join(CANONICAL_COLUMNS[:-1])}), "
            f"found {unknown_keys or 'none'}",
        )
    sample_file = PROJECT_ROOT / data["sample_file"]
    return Contract(
        source=source,
        title=data["title"],
        publisher=data["publisher"],
        table_code=data["table_code"],
        reader=data["reader"],
        reader_options=dict(options),
        schema_drift=schema_drift,
        parts_tolerance=float(parts_tolerance),
        file_pattern=data["file_pattern"],
        sample_file=sample_file,
        reference_date_kind=data["reference_date_kind"],
        cadence=data["cadence"],
        period_range=(period_range[0], period_range[1]),
        region=region,
        variables=tuple(variables),
        measures=tuple(measures),
        allowed_status=tuple(data["allowed_status"]),
        key_columns=tuple(data["key_columns"]),
        licence=data["licence"],
        attribution=" ".join(data["attribution"].split()),
        path=path,
    )


def load_contracts(directory: Path | None = None) -> dict[str, Contract]:
    """All contracts in use (`pipelines.paths.contracts_dir`), by source id."""
    from pipelines.territory import current_territory

    laender = current_territory().laender
    directory = directory or contracts_dir()
    contracts = [load_contract(p, laender) for p in sorted(directory.glob("*.yml"))]
    return {c.source: c for c in contracts}
