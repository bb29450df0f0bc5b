"""The committed sample is exactly what `python -m tools.sample.generate` writes, each
contract's sample files are written by the spec of its source, every sample file conforms
to its contract, and the product does not depend on the generator."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from pipelines.conform import check
from pipelines.contracts import load_contracts
from pipelines.ingest import read_delivery
from tests.conftest import PROJECT_ROOT, SAMPLE_DIR
from tools.sample.generate import REGENERATE, generate_all, specs

SOURCES_WITH_SAMPLE = sorted(s for s, c in load_contracts().items() if c.sample_files)


def test_committed_sample_is_what_the_generator_writes(tmp_path: Path) -> None:
    written = generate_all(tmp_path)
    committed = sorted(p.name for p in SAMPLE_DIR.iterdir() if p.name != "README.md")
    fresh = sorted(p.name for p in written)
    assert fresh == committed, (
        f"only written: {sorted(set(fresh) - set(committed))}, only committed: "
        f"{sorted(set(committed) - set(fresh))}: run `{REGENERATE}` and commit"
    )
    differ = [n for n in committed if (tmp_path / n).read_bytes() != (SAMPLE_DIR / n).read_bytes()]
    assert not differ, f"sample_data/ {', '.join(differ)} differ: run `{REGENERATE}` and commit"


def test_every_sample_file_is_written_by_the_spec_of_its_source() -> None:
    contracts, by_source = load_contracts(), specs()
    assert sorted(by_source) == SOURCES_WITH_SAMPLE
    for source, spec in by_source.items():
        assert [p.name for p in contracts[source].sample_files] == list(spec.files), source
        assert set(spec.needs) <= set(by_source), source


@pytest.mark.parametrize("source", SOURCES_WITH_SAMPLE)
def test_sample_conforms_to_its_contract(source: str) -> None:
    contract = load_contracts()[source]
    for path in contract.sample_files:
        checked = check(read_delivery(path, contract), contract)
        assert not checked.problems and not checked.warnings and checked.dropped == 0, path.name


def test_the_product_does_not_import_the_tools() -> None:
    """The generator and the benchmark (`tools/`) use the product, never the other way."""
    for path in sorted((PROJECT_ROOT / "pipelines").rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        assert not re.findall(r"^\s*(?:from|import) (tools\S*)", text, re.MULTILINE), path


def test_a_population_file_the_generator_did_not_write_is_refused(tmp_path: Path) -> None:
    """The sources drawn on the population check its totals before they write."""
    lines = (SAMPLE_DIR / "12411-02-03-4_de_flat.csv").read_text(encoding="utf-8-sig").split("\n")
    i, fields = next(
        (i, line.split(";"))
        for i, line in enumerate(lines)
        if i
        and ";GES;Geschlecht;;Insgesamt;ALTX20;" in line
        and ";;Insgesamt;" in line[-80:]
        and line.split(";")[-4] != "-"
    )
    fields[-4] = str(int(fields[-4]) + 1)
    lines[i] = ";".join(fields)
    (tmp_path / "12411-02-03-4_de_flat.csv").write_text("\ufeff" + "\n".join(lines), "utf-8")
    with pytest.raises(ValueError, match="population generator"):
        specs()["population_nationality"].write(tmp_path)
