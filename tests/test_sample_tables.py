"""Every Kreis table of the bundled sample: GENESIS ffcsv conventions, its contract, and the
Eisenach rule. (That the committed files are what the generators write is checked in
test_sample_generator.py.) Expectations come from plain reading of the files."""

from __future__ import annotations

import pytest

from pipelines.conform import conform
from pipelines.contracts import load_contracts
from pipelines.readers import read_file
from tests.conftest import sample_bytes, sample_rows

KREISE = {f"160{n}" for n in (*range(51, 57), *range(61, 78))}
YEARS = set(range(2015, 2025))
KREIS_TABLES = sorted(
    source
    for source, c in load_contracts().items()
    if c.region.variable == "KREISE"
    and len(c.sample_files) == 1
    and c.sample_files[0].name.endswith(("_flat.csv", ".zip"))  # ffcsv, or the API's ZIP
)


@pytest.mark.parametrize("source", KREIS_TABLES)
def test_kreis_table_follows_ffcsv_contract_and_eisenach_rule(source: str) -> None:
    contract = load_contracts()[source]
    data = sample_bytes(contract.sample_files[0].name)
    assert data.startswith(b"\xef\xbb\xbf") and b"\r" not in data and data.endswith(b"\n")
    rows = sample_rows(contract.sample_files[0].name)

    frame = conform(
        read_file(contract.sample_files[0], "genesis_ffcsv", **contract.reader_options), contract
    )

    assert len(frame) == len(rows)
    assert set(frame["region_key"]) - {"16"} == KREISE  # the Land row, where given, is kept
    assert set(frame["period_year"]) >= YEARS
    for r in rows:
        if r["1_variable_attribute_code"] == "16056":
            merged = int(r["time"][:4]) >= 2021
            assert (r["value"] == "-") == merged, r  # a dissolved Kreis is `-`, never a zero
