"""Data contracts: `data_contracts/<source>.yml` is the single description of a source.

A contract names the reader and everything the warehouse expects of a delivery: keys,
variables, measures with units, allowed special signs, period range, licence; and which of
its rows are the warehouse's measures (`measure_map`, generated into dbt by
`pipelines.dbt_sources`). An invalid contract fails fast with the file and the field that is
wrong.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from itertools import product
from pathlib import Path
from typing import Any

import yaml

from pipelines.paths import PROJECT_ROOT, contracts_dir
from pipelines.yaml_text import load_yaml

# The GENESIS "Zeichenerklärung": signs that replace a value.
GENESIS_SIGNS = ("-", ".", "/", "x", "...")
REFERENCE_DATE_KINDS = ("Stichtag", "Jahresdurchschnitt", "Jahressumme", "Schuljahr")


class ContractError(ValueError):
    """A contract file is invalid; the message names file and field."""


# Units whose values add up from the Kreise to the Land (counts and amounts, not rates).
ADDITIVE_UNITS = ("Anzahl", "qkm", "ha", "1000", "Tsd.", "Tsd. EUR", "Mill. EUR")
# Counts: a value of such a unit is a whole number unless the measure says otherwise.
COUNT_UNITS = ("Anzahl",)
# The plausible range of a value by unit, in the unit as the file prints it (a measure's
# `plausible_range` overrides it). Counts and amounts of a German region cannot be negative
# and stay below an order of magnitude above Germany's: 84 million inhabitants, 357,600 km²,
# a disposable income of 2.3 trillion EUR; per-head amounts below a million EUR; rates are
# percentages. A unit not listed needs its `plausible_range` in the contract.
UNIT_RANGES: dict[str, tuple[float, float]] = {
    "Anzahl": (0, 100_000_000),
    "1000": (0, 100_000),
    "Tsd.": (0, 100_000),
    "Prozent": (0, 100),
    "qkm": (0, 1_000_000),
    "ha": (0, 100_000_000),
    "EUR": (0, 1_000_000),
    "Tsd. EUR": (0, 10_000_000_000),
    "Mill. EUR": (0, 10_000_000),
}


@dataclass(frozen=True)
class Measure:
    code: str
    label: str
    unit: str
    # Further spellings of the label, as classic table exports print it (they carry no codes).
    labels: tuple[str, ...] = ()
    # Do the regions add up to the Land? (counts yes; rates, averages, per-head amounts no)
    additive: bool = True
    # Must every value be a whole number? (counts yes; default: the unit is a count unit)
    whole_numbers: bool = False
    # The lowest and highest plausible value, in the unit as the file prints it; None: open.
    plausible_range: tuple[float | None, float | None] = (None, None)

    @property
    def all_labels(self) -> tuple[str, ...]:
        return (self.label, *self.labels)


@dataclass(frozen=True)
class Variable:
    code: str
    attributes: tuple[str, ...]
    # attribute code -> its labels in classic exports ('' is always "Insgesamt")
    attribute_labels: tuple[tuple[str, tuple[str, ...]], ...] = ()
    # Labels of the variable itself in classic exports (e.g. "Geschlecht").
    labels: tuple[str, ...] = ()
    # The measures broken down by it (empty: all). Variables of disjoint measures share a
    # position: 13211-02-05-4 breaks unemployed down by ERWAQ7 and rates by ERWAQ8.
    measures: tuple[str, ...] = ()
    position: int = 1  # its var<n>_* columns in the canonical table

    def applies_to(self, measure: str) -> bool:
        return not self.measures or measure in self.measures


@dataclass(frozen=True)
class Region:
    variable: str
    laender: tuple[str, ...]  # the territory's Länder (pipelines/territory.py), not the YAML's
    key_length: int
    key_pattern: str | None = None  # regex for keys that are not plain AGS, e.g. Sozialräume
    # Downloads often hold all of Germany: "drop" keeps only this Land and level.
    other_regions: str = "error"


# The level of the regions a table's keys name: Sozialräume have their own key pattern.
LEVEL_BY_KEY_LENGTH = {2: "land", 5: "kreis", 8: "gemeinde", 12: "gemeinde"}
# Levels whose counts the warehouse takes from a source's measure_map (int_measure_kreis for
# the Kreise, int_measure_small_area below them; the Land is the sum of its Kreise).
MEASURE_LEVELS = ("kreis", "gemeinde", "sozialraum")


@dataclass(frozen=True)
class MeasureMapping:
    """One warehouse measure (a `measure_id` of int_measure) in the rows of a raw table.

    The rows are those of `measure_code` with, for each variable that breaks the measure down,
    one of its `attributes` ('' is the "Insgesamt"); several attribute codes (age groups of
    an age band) are rows summed into the one measure.
    """

    measure_id: str
    measure_code: str
    # (variable code, its attribute codes), one entry per variable that breaks the code down
    attributes: tuple[tuple[str, tuple[str, ...]], ...] = ()


@dataclass(frozen=True)
class Contract:
    source: str
    title: str
    publisher: str
    table_code: str
    reader: str
    file_pattern: str  # a hint only: deliveries are matched by content (pipelines/matching.py)
    sample_files: tuple[Path, ...]  # the bundled sample, read while nothing was delivered
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
    # Where the contract's codes were checked: a real file, published metadata, or "unverified".
    verified_against: str = "unverified"
    schema_drift: str = "error"  # or "warn": an unknown extra breakdown is let through
    # How far the parts (Gemeinden, Sozialräume) may miss the published total, in counts.
    parts_tolerance: float = 0.0
    # The warehouse's measures in this table (`measure_map`); empty: it feeds no measure.
    measure_map: tuple[MeasureMapping, ...] = ()

    @property
    def positions(self) -> int:
        """How many breakdown columns (var1…var3) the canonical table uses."""
        return max((v.position for v in self.variables), default=0)

    @property
    def raw_table(self) -> str:
        return f"raw.{self.source}"

    @property
    def level(self) -> str:
        """The level of the regions the table's keys name (kreis, gemeinde, sozialraum …)."""
        if self.region.key_pattern:
            return "sozialraum"
        return LEVEL_BY_KEY_LENGTH[self.region.key_length]

    def measure_rows(self) -> list[tuple[str, str, tuple[str, str, str]]]:
        """The raw rows of each mapped measure: (measure_id, measure_code, the attribute codes
        of var1…var3, '' where the row has none or the "Insgesamt"), one per summed row."""
        rows = []
        for mapping in self.measure_map:
            choices: list[list[str]] = [[""], [""], [""]]
            for code, attributes in mapping.attributes:
                variable = next(
                    v
                    for v in self.variables
                    if v.code == code and v.applies_to(mapping.measure_code)
                )
                choices[variable.position - 1] = list(attributes)
            for a1, a2, a3 in product(*choices):
                rows.append((mapping.measure_id, mapping.measure_code, (a1, a2, a3)))
        return rows

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
            "may_be_empty": not self.sample_files,
        }


_REQUIRED = {
    "source": str,
    "title": str,
    "publisher": str,
    "table_code": str,
    "reader": str,
    "file_pattern": str,
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


def _positioned(variables: list[Variable]) -> list[Variable]:
    """Number the positions: a variable takes the first position no earlier variable of an
    overlapping set of measures holds."""
    from dataclasses import replace

    placed: list[Variable] = []
    for variable in variables:
        taken = {
            v.position
            for v in placed
            if not v.measures or not variable.measures or set(v.measures) & set(variable.measures)
        }
        position = next(p for p in range(1, len(variables) + 2) if p not in taken)
        placed.append(replace(variable, position=position))
    return placed


def _plausible_range(
    item: dict, unit: str, path: Path, where: str
) -> tuple[float | None, float | None]:
    """`plausible_range: [low, high]` (null: open), or the unit's default (UNIT_RANGES)."""
    name = f"{where}plausible_range"
    if "plausible_range" not in item:
        if unit not in UNIT_RANGES:
            raise _fail(
                path,
                name,
                f"missing: unit {unit!r} has no default range (units with one: "
                f"{', '.join(UNIT_RANGES)})",
            )
        return UNIT_RANGES[unit]
    value = item["plausible_range"]
    numbers = isinstance(value, list) and len(value) == 2
    numbers = numbers and all(
        v is None or (isinstance(v, int | float) and not isinstance(v, bool)) for v in value
    )
    if not numbers or (None not in value and value[0] > value[1]):
        raise _fail(path, name, f"expected [lowest, highest] (null: open), found {value!r}")
    return (value[0], value[1])


def _labels(value: object) -> list[str]:
    """A label or a list of labels, as text."""
    return [value] if isinstance(value, str) else [str(v) for v in value]  # type: ignore[union-attr]


def _measure_map(
    data: dict, measures: list[Measure], variables: list[Variable], level: str, path: Path
) -> tuple[MeasureMapping, ...]:
    """`measure_map`: which rows of the table are which warehouse measure.

    Each item names a `measure_id` (the id int_measure and the indicators use), its
    `measure_code` and in `where` the attribute code (or list of codes, summed) of each
    variable that breaks the measure down; a variable left out means its "Insgesamt" ('').
    """
    items = data.get("measure_map") or []
    if not isinstance(items, list):
        raise _fail(path, "measure_map", f"expected a list of measures, found {items!r}")
    if items and level not in MEASURE_LEVELS:
        raise _fail(
            path,
            "measure_map",
            f"the table's regions are {level} keys; measures are taken from tables of "
            f"{', '.join(MEASURE_LEVELS)} (the Land is the sum of its Kreise)",
        )
    by_code = {m.code: m for m in measures}
    mappings: list[MeasureMapping] = []
    for i, item in enumerate(items):
        where = f"measure_map[{i}]"
        if not isinstance(item, dict):
            raise _fail(path, where, f"expected a mapping, found {item!r}")
        unknown = set(item) - {"measure_id", "measure_code", "where"}
        if unknown:
            raise _fail(
                path,
                f"{where}.{sorted(unknown)[0]}",
                "not a field of a measure_map item (measure_id, measure_code, where)",
            )
        measure_id = _require(item, "measure_id", str, path, f"{where}.")
        if not re.fullmatch(r"[a-z][a-z0-9_]*", measure_id):
            raise _fail(
                path,
                f"{where}.measure_id",
                f"expected a lower-case identifier, found {measure_id!r}",
            )
        if any(m.measure_id == measure_id for m in mappings):
            raise _fail(path, f"{where}.measure_id", f"{measure_id!r} is mapped twice")
        code = _require(item, "measure_code", str, path, f"{where}.")
        if code not in by_code:
            raise _fail(
                path,
                f"{where}.measure_code",
                f"expected a measure of the contract ({', '.join(by_code)}), found {code!r}",
            )
        if not by_code[code].additive:
            raise _fail(
                path,
                f"{where}.measure_code",
                f"{code} is not additive ({by_code[code].unit}): a measure is summed over "
                f"rows and regions, a rate or per-head amount cannot be",
            )
        filters = item.get("where") or {}
        if not isinstance(filters, dict):
            raise _fail(
                path,
                f"{where}.where",
                f"expected a mapping of variable codes to attribute codes, found {filters!r}",
            )
        breakdown = [v for v in variables if v.applies_to(code)]
        names = [v.code for v in breakdown]
        attributes: list[tuple[str, tuple[str, ...]]] = []
        for variable in breakdown:
            if variable.code not in filters:
                if "" not in variable.attributes:
                    raise _fail(
                        path,
                        f"{where}.where.{variable.code}",
                        f"missing: the variable has no Insgesamt (''), name one of "
                        f"{list(variable.attributes)}",
                    )
                continue
            chosen = _labels(filters[variable.code])
            wrong = [a for a in chosen if a not in variable.attributes]
            if not chosen or wrong or len(set(chosen)) != len(chosen):
                raise _fail(
                    path,
                    f"{where}.where.{variable.code}",
                    f"expected distinct attribute codes of {variable.code} "
                    f"{list(variable.attributes)}, found {filters[variable.code]!r}",
                )
            attributes.append((variable.code, tuple(chosen)))
        extra = [name for name in filters if name not in names]
        if extra:
            raise _fail(
                path,
                f"{where}.where.{extra[0]}",
                f"not a variable that breaks {code} down (variables: {', '.join(names) or 'none'})",
            )
        mappings.append(MeasureMapping(measure_id, code, tuple(attributes)))
    return tuple(mappings)


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
        data = load_yaml(path.read_text(encoding="utf-8"))
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
    period_range = list(data["period_range"])
    if len(period_range) == 1:
        period_range.append(None)
    last_year = date.today().year  # open-ended: any period up to today
    if (
        len(period_range) != 2
        or not isinstance(period_range[0], int)
        or not (period_range[1] is None or isinstance(period_range[1], int))
        or period_range[0] > (period_range[1] or last_year)
    ):
        raise _fail(
            path,
            "period_range",
            f"expected [first_year] or [first_year, last_year], found {data['period_range']}",
        )
    if period_range[1] is None:
        period_range[1] = last_year

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
        # AGS keys: downloads of all Germany are the rule; own keys (Sozialräume): strict
        other_regions=region_data.get("other_regions", "error" if key_pattern else "drop"),
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
        attributes = tuple(
            str(a) for a in _require(item, "attributes", list, path, f"variables[{i}].")
        )
        attribute_labels = item.get("attribute_labels") or {}
        if not isinstance(attribute_labels, dict) or not set(attribute_labels) <= set(attributes):
            raise _fail(
                path,
                f"variables[{i}].attribute_labels",
                f"expected a mapping of the variable's attributes to their labels, found "
                f"{attribute_labels!r}",
            )
        variables.append(
            Variable(
                code=_require(item, "code", str, path, f"variables[{i}]."),
                attributes=attributes,
                attribute_labels=tuple(
                    (code, tuple(_labels(labels))) for code, labels in attribute_labels.items()
                ),
                labels=tuple(_labels(item.get("labels") or [])),
                measures=tuple(_labels(item.get("measures") or [])),
            )
        )
    variables = _positioned(variables)
    if any(v.position > 3 for v in variables):
        raise _fail(path, "variables", f"at most 3 besides the region, found {len(variables)}")

    measures = []
    for i, item in enumerate(data["measures"]):
        if not isinstance(item, dict):
            raise _fail(path, f"measures[{i}]", f"expected a mapping, found {item!r}")
        unit = _require(item, "unit", str, path, f"measures[{i}].")
        flags = {}
        for name, default in (
            ("additive", unit in ADDITIVE_UNITS),
            ("whole_numbers", unit in COUNT_UNITS),
        ):
            flags[name] = item.get(name, default)
            if not isinstance(flags[name], bool):
                raise _fail(
                    path, f"measures[{i}].{name}", f"expected true/false, found {flags[name]!r}"
                )
        measures.append(
            Measure(
                code=_require(item, "code", str, path, f"measures[{i}]."),
                label=_require(item, "label", str, path, f"measures[{i}]."),
                unit=unit,
                labels=tuple(_labels(item.get("labels") or [])),
                plausible_range=_plausible_range(item, unit, path, f"measures[{i}]."),
                **flags,
            )
        )
    if not measures:
        raise _fail(path, "measures", "at least one measure is required")

    codes = {m.code for m in measures}
    for i, variable in enumerate(variables):
        if not set(variable.measures) <= codes:
            raise _fail(
                path,
                f"variables[{i}].measures",
                f"expected measures of the contract ({', '.join(sorted(codes))}), found "
                f"{list(variable.measures)}",
            )

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
    samples = data.get("sample_files", data.get("sample_file")) or []
    samples = [samples] if isinstance(samples, str) else samples
    sample_files = tuple(
        sorted(p for pattern in samples for p in PROJECT_ROOT.glob(pattern) if p.is_file())
    )
    if samples and not sample_files:
        raise _fail(path, "sample_files", f"no file matches {samples}")
    level = "sozialraum" if region.key_pattern else LEVEL_BY_KEY_LENGTH.get(region.key_length, "")
    measure_map = _measure_map(data, measures, variables, level, path)
    verified = data.get("verified_against", "unverified")
    if not isinstance(verified, str) or not verified.strip():
        raise _fail(path, "verified_against", f"expected a text, found {verified!r}")
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
        sample_files=sample_files,
        verified_against=" ".join(verified.split()),
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
        measure_map=measure_map,
    )


def load_contracts(directory: Path | None = None) -> dict[str, Contract]:
    """All contracts in use (`pipelines.paths.contracts_dir`), by source id."""
    from pipelines.territory import current_territory

    laender = current_territory().laender
    directory = directory or contracts_dir()
    files = sorted(directory.glob("*.yml"))
    if not files:
        raise ContractError(
            f"{directory}: no data contracts (*.yml) there; SOZPLAN_CONTRACTS_DIR must name a "
            "folder of contracts"
        )
    contracts = [load_contract(p, laender) for p in files]
    _measures_mapped_once(contracts)
    return {c.source: c for c in contracts}


def _measures_mapped_once(contracts: list[Contract]) -> None:
    """A measure of a level comes from one table: two would be summed into one count.
    Sozialraum tables of different cities (their own key patterns) may share a measure."""
    seen: dict[tuple[str, str, str | None], Contract] = {}
    for contract in contracts:
        for mapping in contract.measure_map:
            key = (contract.level, mapping.measure_id, contract.region.key_pattern)
            if key in seen:
                raise _fail(
                    contract.path,
                    "measure_map",
                    f"{mapping.measure_id!r} of the {contract.level} level is already mapped "
                    f"in {seen[key].path.name}",
                )
            seen[key] = contract
