"""What every reader returns: the canonical long table plus what the file says of itself."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

# Columns of the canonical long table, in order (raw.<source> adds the lineage columns).
CANONICAL_COLUMNS = [
    "table_code",
    "statistics_code",
    "time_code",
    "time",
    "period_year",
    "region_variable",
    "region_key",
    "region_name",
    "var1_code",
    "var1_attr_code",
    "var1_attr_label",
    "var2_code",
    "var2_attr_code",
    "var2_attr_label",
    "var3_code",
    "var3_attr_code",
    "var3_attr_label",
    "measure_code",
    "measure_label",
    "value",
    "unit",
    "value_status",
    "value_quality",
    "_source_line",
]


@dataclass
class ReadResult:
    """A file read into the canonical long table."""

    path: Path
    format: str
    frame: pd.DataFrame
    # What the file says of itself. `column_names` maps canonical columns to the file's own
    # column names (a workbook: column letters, with `sheet`), so that messages name the
    # column the user sees in the file; a file with one column per measure also gives
    # `value_columns`, the column of each row's value (a Series on the frame's index).
    metadata: dict[str, object] = field(default_factory=dict)

    def column_name(self, canonical: str) -> str:
        names = self.metadata.get("column_names") or {}
        return names.get(canonical, canonical)
