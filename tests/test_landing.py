"""The landing area: immutable files named by sha256, one manifest row per new delivery."""

from __future__ import annotations

import json
import stat
from pathlib import Path

from pipelines.contracts import load_contracts
from pipelines.landing import current_landing, deliveries, land, land_inbox, read_manifest
from pipelines.paths import warehouse_paths
from tests.conftest import SAMPLE_DIR, sha256


def test_same_file_lands_once(warehouse_dir: Path, tmp_path: Path) -> None:
    paths = warehouse_paths()
    delivery = tmp_path / "13211-02-05-4.csv"
    delivery.write_bytes((SAMPLE_DIR / "13211-02-05-4_2024.csv").read_bytes())
    digest = sha256(delivery)

    first = land(delivery, "unemployment", "test", paths)
    second = land(delivery, "unemployment", "test", paths)

    assert first.new and not second.new
    assert "already landed" in second.describe() and "nothing changed" in second.describe()
    target = warehouse_dir / "landing" / "unemployment" / f"{digest}.csv"
    assert target.read_bytes() == delivery.read_bytes()
    assert not target.stat().st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH)
    lines = (warehouse_dir / "landing" / "manifest.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(lines) == 1
    row = json.loads(lines[0])
    assert row["source"] == "unemployment"
    assert row["original_name"] == "13211-02-05-4.csv"
    assert row["sha256"] == digest and row["size"] == delivery.stat().st_size
    assert row["how"] == "test" and row["landed_at"]


def test_inbox_files_land_by_content_and_accumulate(warehouse_dir: Path) -> None:
    """A file is matched by what is inside, whatever its name; deliveries add up; a file no
    contract takes stays in the inbox with the reason."""
    paths = warehouse_paths()
    contracts = load_contracts()
    contract = contracts["unemployment"]
    assert current_landing(contract, paths).how == "bundled sample"

    inbox = warehouse_dir / "inbox"
    inbox.mkdir()
    sample = (SAMPLE_DIR / "13211-02-05-4_2024.csv").read_bytes()
    (inbox / "download.csv").write_bytes(sample)  # the sample's bytes under another name
    (inbox / "unrelated.txt").write_text("not a delivery", encoding="utf-8")

    report = land_inbox(list(contracts.values()), paths)

    assert [(r.landing.source, r.new) for r in report.landed] == [("unemployment", True)]
    assert not (inbox / "download.csv").exists()
    assert [u.name for u in report.unmatched] == ["unrelated.txt"]
    assert (inbox / "unrelated.txt").exists()
    # a delivery ends the use of the sample, even with the same bytes
    assert [d.how for d in deliveries(contract, paths)] == ["inbox"]

    (inbox / "13211-02-05-4_v2.csv").write_bytes(sample + b"\n")
    report = land_inbox(list(contracts.values()), paths)
    assert [r.new for r in report.landed] == [True]
    assert [d.original_name for d in deliveries(contract, paths)] == [
        "download.csv",
        "13211-02-05-4_v2.csv",
    ]
    current = current_landing(contract, paths)
    assert current.original_name == "13211-02-05-4_v2.csv" and current.how == "inbox"
    samples = ["bundled sample"] * len(contract.sample_files)  # one export per year
    assert [r.how for r in read_manifest(paths)] == [*samples, "inbox", "inbox"]


def test_a_changed_sample_is_landed_again(warehouse_dir: Path, tmp_path: Path) -> None:
    """While a source has no delivery of its own, the refresh reads the sample as it is now."""
    from dataclasses import replace

    paths = warehouse_paths()
    contract = load_contracts()["unemployment"]
    first = current_landing(contract, paths)
    changed = tmp_path / "13211-02-05-4_2024.csv"
    changed.write_bytes((SAMPLE_DIR / "13211-02-05-4_2024.csv").read_bytes() + b"\n")
    second = current_landing(replace(contract, sample_files=(changed,)), paths)
    assert second.sha256 == sha256(changed) != first.sha256
    assert current_landing(contract, paths).sha256 == first.sha256  # and back
    assert len(read_manifest(paths)) == len(contract.sample_files) + 1
