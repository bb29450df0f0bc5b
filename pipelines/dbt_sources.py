"""dbt's view of the data contracts, generated: the `raw` sources and the measure map.

A source is described once, in its contract (`data_contracts/<source>.yml`). From the
contracts in use this writes into the dbt project

* `models/staging/_sources.yml`: one table of the dbt source `raw` per contract, described by
  its table code and title; a table of Sozialräume (a region `key_pattern`) gets the test that
  its counts arrived disclosure-controlled (a count of 1 or 2 only suppressed);
* `macros/measure_map.sql`: the contracts' `measure_map` as the macro `measure_map()`, which
  the macro `measure_rows(source)` (`macros/measure_rows.sql`) turns into the measure rows
  that int_measure_kreis (Kreise) and int_measure_small_area (Gemeinden, Sozialräume) read.

`make` runs it when a contract changes; a test compares the files with what it writes.

    python -m pipelines.dbt_sources [--check] [--dbt-project DIR]

(contracts: `SOZPLAN_CONTRACTS_DIR`; dbt project: `SOZPLAN_DBT_PROJECT_DIR`, see
`pipelines.paths`).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

import yaml

from pipelines.contracts import COUNT_UNITS, Contract, load_contracts
from pipelines.paths import DBT_PROJECT_DIR

SOURCES_YML = Path("models") / "staging" / "_sources.yml"
MEASURE_MAP_SQL = Path("macros") / "measure_map.sql"

_SOURCES_HEADER = """\
# Generated from data_contracts/*.yml by `python -m pipelines.dbt_sources` (`make` runs it):
# edit the contract, not this file. Raw tables are written by the Dagster ingest assets, one
# per data contract.
"""

_MEASURE_MAP_HEADER = """\
{#- Generated from the contracts' measure_map (data_contracts/*.yml) by
    `python -m pipelines.dbt_sources` (`make` runs it): edit the contract, not this file.
    Per source: the level of its regions and its rows
    [measure_id, measure_code, var1_attr_code, var2_attr_code, var3_attr_code]
    ('' is the "Insgesamt" or no breakdown), read by the macro measure_rows(). -#}
"""

# Small-area counts are published only disclosure-controlled: a count of 1 or 2 must arrive
# suppressed (the office's sign), never as a number.
DISCLOSURE_EXPRESSION = "value is null or value = 0 or value >= 3"


def _source_table(contract: Contract) -> dict:
    table: dict = {
        "name": contract.source,
        "description": f"{contract.table_code}: {contract.title}",
    }
    counts = sorted({m.unit for m in contract.measures if m.unit in COUNT_UNITS})
    if contract.level == "sozialraum" and counts:
        units = ", ".join(f"'{u}'" for u in counts)
        table["data_tests"] = [
            {
                "expression_is_true": {
                    "name": f"{contract.source}_counts_are_disclosure_controlled",
                    "arguments": {
                        "expression": DISCLOSURE_EXPRESSION,
                        "where": f"unit in ({units})" if len(counts) > 1 else f"unit = {units}",
                    },
                }
            }
        ]
    return table


def sources_yml(contracts: dict[str, Contract]) -> str:
    """The text of `_sources.yml`: the `raw` tables of the contracts, and `meta`."""
    sources = [
        {
            "name": "raw",
            "schema": "raw",
            "description": "One row per value as delivered, with lineage columns.",
            "tables": [_source_table(contracts[name]) for name in sorted(contracts)],
        },
        {
            "name": "meta",
            "schema": "meta",
            "description": "Provenance written by the ingest assets.",
            "tables": [
                {
                    "name": "source_file",
                    "description": "One row per ingested file - sha256, table code, licence "
                    "and attribution.",
                }
            ],
        },
    ]
    body = yaml.safe_dump(
        {"version": 2, "sources": sources}, allow_unicode=True, sort_keys=False, width=100
    )
    return _SOURCES_HEADER + "\n" + body


def measure_map_sql(contracts: dict[str, Contract]) -> str:
    """The text of `macros/measure_map.sql`: every contract's measure rows by source."""
    mapped = {
        name: {
            "level": contract.level,
            "rows": [[mid, code, *attrs] for mid, code, attrs in contract.measure_rows()],
        }
        for name, contract in sorted(contracts.items())
        if contract.measure_map
    }
    lines = []
    for i, (name, entry) in enumerate(mapped.items()):
        rows = ",\n".join(f"        {json.dumps(row, ensure_ascii=False)}" for row in entry["rows"])
        comma = "," if i < len(mapped) - 1 else ""
        lines.append(
            f'    "{name}": {{"level": "{entry["level"]}", "rows": [\n{rows}\n    ]}}{comma}'
        )
    body = "\n".join(lines)
    return (
        _MEASURE_MAP_HEADER
        + "{% macro measure_map() -%}\n{{ return({\n"
        + body
        + "\n}) }}\n{%- endmacro %}\n"
    )


def generated(contracts: dict[str, Contract]) -> dict[Path, str]:
    """Each generated file (relative to the dbt project) and its text."""
    return {SOURCES_YML: sources_yml(contracts), MEASURE_MAP_SQL: measure_map_sql(contracts)}


def stale(project: Path, contracts: dict[str, Contract]) -> list[Path]:
    """The generated files of `project` that differ from what the contracts give."""
    return [
        path
        for path, text in generated(contracts).items()
        if not (project / path).is_file() or (project / path).read_text(encoding="utf-8") != text
    ]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m pipelines.dbt_sources",
        description="Write dbt's raw sources and measure map from the data contracts.",
    )
    parser.add_argument(
        "--check", action="store_true", help="only report files that are not current"
    )
    parser.add_argument("--dbt-project", type=Path, default=DBT_PROJECT_DIR)
    args = parser.parse_args(argv)
    contracts = load_contracts()
    if args.check:
        outdated = stale(args.dbt_project, contracts)
        for path in outdated:
            print(f"{path} is not current: run `python -m pipelines.dbt_sources`", file=sys.stderr)
        return 1 if outdated else 0
    for path, text in generated(contracts).items():
        target = args.dbt_project / path
        if not target.is_file() or target.read_text(encoding="utf-8") != text:
            target.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
