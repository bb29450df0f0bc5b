"""The key history seed: every territorial change the warehouse converts across.

`data_contracts/territories/thueringen/key_history.csv` holds one row per (old key, new key,
change date) with the shares of the old unit's population and area that went to the new
key. Kreis changes up to 2020 come from the BBSR Umsteigeschlüssel (this script writes them);
later changes and the Gemeinde changes of the sample are kept by hand in the same file (their
`source` says so).

    python -m pipelines.regions.key_history <ref-kreise-umrech-….xlsx> [--since 2015]
"""

from __future__ import annotations

import argparse
import csv
import io
from collections.abc import Sequence
from datetime import date, timedelta
from pathlib import Path

from pipelines.regions.bbsr import key_history_from_bbsr, read_umsteigeschluessel
from pipelines.territory import DEFAULT_TERRITORY_DIR

SEED = DEFAULT_TERRITORY_DIR / "key_history.csv"
COLUMNS = [
    "old_key", "new_key", "change_date", "kind", "weight_population", "weight_area", "source",
]  # fmt: skip
BBSR_SOURCE = "BBSR Umsteigeschlüssel"
LAST_BBSR_YEAR = 2019  # the file converts 1990…2019 onto 31.12.2020


def bbsr_rows(path: Path, since: int, land: str = "16") -> list[dict[str, str]]:
    """Changes after 31.12.`since` from the BBSR file, as seed rows (change on 1 January)."""
    years = range(since, LAST_BBSR_YEAR + 1)
    history = key_history_from_bbsr(read_umsteigeschluessel(path, years=years, land=land), land)
    rows = []
    for item in history.itertuples(index=False):
        changed = date.fromisoformat(str(item.valid_until)[:10]) + timedelta(days=1)
        moved_keys = set(history.loc[history["old_key"] == item.old_key, "new_key"])
        kind = "transfer" if item.old_key in moved_keys else item.kind
        rows.append(
            {
                "old_key": item.old_key,
                "new_key": item.new_key,
                "change_date": changed.isoformat(),
                "kind": kind,
                "weight_population": f"{item.weight_population:.6f}",
                "weight_area": f"{item.weight_area:.6f}",
                "source": f"{BBSR_SOURCE} 2020 ({path.name}, {changed.year - 1}-2020)",
            }
        )
    return rows


def read_seed(path: Path = SEED) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def seed_text(rows: list[dict[str, str]]) -> str:
    """The seed's bytes: sorted by change date and keys, LF line ends."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(sorted(rows, key=lambda r: (r["change_date"], r["old_key"], r["new_key"])))
    return buffer.getvalue()


def updated_seed(bbsr_path: Path, since: int, seed: Path = SEED) -> str:
    """The seed with its BBSR rows replaced by those derived from `bbsr_path`."""
    kept = [r for r in read_seed(seed) if not r["source"].startswith(BBSR_SOURCE)]
    return seed_text(kept + bbsr_rows(bbsr_path, since))


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("bbsr", type=Path, help="BBSR Umsteigeschlüssel workbook (Kreise)")
    parser.add_argument("--since", type=int, default=2015, help="first year of the series")
    parser.add_argument("--out", type=Path, default=SEED)
    args = parser.parse_args(argv)
    text = updated_seed(args.bbsr, args.since, args.out)
    args.out.write_text(text, encoding="utf-8")
    print(f"wrote {args.out} ({text.count(chr(10)) - 1} changes)")


if __name__ == "__main__":
    main()
