"""The landing area: immutable files named by sha256, one manifest row per new delivery."""

from __future__ import annotations

import json
import stat
from pathlib import Path

from pipelines.contracts import load_contracts
from pipelines.landing import current_landing, land, land_inbox, read_manifest
from pipelines.paths import warehouse_paths
from tests.conftest import SAMPLE_DIR, sha256


def test_same_file_lands_once(warehouse_dir: Path, tmp_path: Path) -> None:
    paths = warehouse_paths()
    delivery = tmp_path / "13211-02-05-4_de_flat.csv"
    delivery.write_bytes((SAMPLE_DIR / "13211-02-05-4_de_flat.csv").read_bytes())
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
    assert row["original_name"] == "13211-02-05-4_de_flat.csv"
    assert row["sha256"] == digest and row["size"] == delivery.stat().st_size
    assert row["how"] == "test" and row["landed_at"]


def test_inbox_files_land_and_become_current(warehouse_dir: Path) -> None:
    paths = warehouse_paths()
    contract = load_contracts()["unemployment"]
    assert current_landing(contract, paths).how == "bundled sample"

    inbox = warehouse_dir / "inbox"
    inbox.mkdir()
    sample = (SAMPLE_DIR / "13211-02-05-4_de_flat.csv").read_bytes()
    (inbox / "13211-02-05-4_neu_de_flat.csv").write_bytes(sample)  # same bytes, new name
    (inbox / "unrelated.txt").write_text("not a delivery", encoding="utf-8")

    results = land_inbox(contract, paths)

    assert [r.new for r in results] == [False]  # same bytes as the landed sample
    assert not (inbox / "13211-02-05-4_neu_de_flat.csv").exists()
    assert (inbox / "unrelated.txt").exists()

    (inbox / "13211-02-05-4_v2_de_flat.csv").write_bytes(sample + b"\n")
    results = land_inbox(contract, paths)
    assert [r.new for r in results] == [True]
    current = current_landing(contract, paths)
    assert current.original_name == "13211-02-05-4_v2_de_flat.csv" and current.how == "inbox"
    assert [r.how for r in read_manifest(paths)] == ["bundled sample", "inbox"]


def test_a_changed_sample_is_landed_again(warehouse_dir: Path, tmp_path: Path) -> None:
    """While a source has no delivery of its own, the refresh reads the sample as it is now."""
    from dataclasses import replace

    paths = warehouse_paths()
    contract = load_contracts()["unemployment"]
    first = current_landing(contract, paths)
    changed = tmp_path / "13211-02-05-4_de_flat.csv"
    changed.write_bytes((SAMPLE_DIR / "13211-02-05-4_de_flat.csv").read_bytes() + b"\n")
    second = current_landing(replace(contract, sample_file=changed), paths)
    assert second.sha256 == sha256(changed) != first.sha256
    assert current_landing(contract, paths).sha256 == first.sha256  # and back
    assert len(read_manifest(paths)) == 2
