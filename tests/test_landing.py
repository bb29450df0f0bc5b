"""The landing area: immutable files named by sha256, one manifest row per new delivery."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest

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


def test_an_inbox_file_is_moved_into_place_but_a_shared_one_is_copied(
    warehouse_dir: Path, tmp_path: Path
) -> None:
    """An inbox file of its own is renamed into the landing area (no copy of a large file); one
    that is also linked elsewhere is copied, and its other name keeps its bytes and mode."""
    paths = warehouse_paths()
    contracts = list(load_contracts().values())
    inbox = warehouse_dir / "inbox"
    inbox.mkdir()
    own = inbox / "13211-02-05-4_2024.csv"
    own.write_bytes((SAMPLE_DIR / "13211-02-05-4_2024.csv").read_bytes())
    inode, digest = own.stat().st_ino, sha256(own)

    land_inbox(contracts, paths)

    landed = warehouse_dir / "landing" / "unemployment" / f"{digest}.csv"
    assert landed.stat().st_ino == inode and not own.exists()
    assert not landed.stat().st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH)

    kept = tmp_path / "kept.csv"
    kept.write_bytes((SAMPLE_DIR / "13211-02-05-4_2024.csv").read_bytes() + b"\n")
    shared = inbox / "13211-02-05-4_2024_v2.csv"
    shared.hardlink_to(kept)
    mode, digest = kept.stat().st_mode, sha256(kept)

    land_inbox(contracts, paths)

    landed = warehouse_dir / "landing" / "unemployment" / f"{digest}.csv"
    assert landed.read_bytes() == kept.read_bytes() and landed.stat().st_ino != kept.stat().st_ino
    assert kept.stat().st_mode == mode and not shared.exists()


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


def _delivery(tmp_path: Path, name: str, year: int, extra: bytes = b"") -> Path:
    path = tmp_path / name
    path.write_bytes((SAMPLE_DIR / f"13211-02-05-4_{year}.csv").read_bytes() + extra)
    return path


def test_withdrawn_delivery_falls_back_and_comes_back_when_delivered_again(
    warehouse_dir: Path, tmp_path: Path
) -> None:
    """Withdrawal takes a delivery out of use (its file stays); delivering bytes landed before
    makes them the newest delivery again; the current delivery again changes nothing."""
    from pipelines.landing import DeliveryError, delivery_states, withdraw

    paths = warehouse_paths()
    contract = load_contracts()["unemployment"]
    good = _delivery(tmp_path, "good.csv", 2024)
    bad = _delivery(tmp_path, "bad.csv", 2024, b"\n")
    assert land(good, "unemployment", "inbox", paths).new
    assert land(bad, "unemployment", "inbox", paths).new
    assert [d.original_name for d in deliveries(contract, paths)] == ["good.csv", "bad.csv"]

    # the good file again: it becomes the newest (its values win), nothing is copied
    again = land(good, "unemployment", "inbox", paths)
    assert again.new and again.landing.event == "redelivered"
    assert "newest delivery of unemployment again" in again.describe()
    assert [d.original_name for d in deliveries(contract, paths)] == ["bad.csv", "good.csv"]
    assert not land(good, "unemployment", "inbox", paths).new  # current already

    with pytest.raises(DeliveryError, match="--reason"):
        withdraw("unemployment", sha256(bad)[:12], " ", paths)
    with pytest.raises(DeliveryError, match="names no delivery in use"):
        withdraw("unemployment", "0000000000", "typo", paths)
    row = withdraw("unemployment", sha256(bad)[:12], "Kreis 16051 doubled", paths)
    assert row.event == "withdrawn" and row.reason == "Kreis 16051 doubled"
    assert [d.original_name for d in deliveries(contract, paths)] == ["good.csv"]
    landed_bad = warehouse_dir / "landing" / "unemployment" / f"{sha256(bad)}.csv"
    assert landed_bad.read_bytes() == bad.read_bytes()  # the file stays, immutable
    with pytest.raises(DeliveryError, match="names no delivery in use"):
        withdraw("unemployment", "bad.csv", "twice", paths)

    states = {
        s.first.original_name: s.status
        for s in delivery_states("unemployment", read_manifest(paths))
    }
    assert states["good.csv"] == "in use, newest"
    assert states["bad.csv"].startswith("withdrawn ") and states["bad.csv"].endswith("doubled")

    # withdrawing everything hands the source back to the bundled sample
    withdraw("unemployment", "good.csv", "wrong Stichtag", paths)
    assert {d.how for d in deliveries(contract, paths)} == {"bundled sample"}
    # and delivering the withdrawn bad file again brings it back
    back = land(bad, "unemployment", "sozplan land", paths)
    assert back.new and [d.original_name for d in deliveries(contract, paths)] == ["bad.csv"]


def test_cli_lists_and_withdraws(warehouse_dir: Path, tmp_path: Path, capsys) -> None:
    from pipelines.cli import main

    paths = warehouse_paths()
    land(_delivery(tmp_path, "13211-02-05-4_2023.csv", 2023), "unemployment", "inbox", paths)
    land(_delivery(tmp_path, "13211-02-05-4_2024.csv", 2024), "unemployment", "inbox", paths)
    capsys.readouterr()

    assert main(["withdraw", "unemployment", "13211-02-05-4_2024.csv", "--reason", "test"]) == 0
    assert "next refresh no longer reads it" in capsys.readouterr().out
    assert main(["deliveries", "unemployment", "--format", "json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [(r["file"], r["status"].split(" ")[0]) for r in listed] == [
        ("13211-02-05-4_2023.csv", "in"),
        ("13211-02-05-4_2024.csv", "withdrawn"),
    ]
    assert listed[0]["delivery"] == sha256(tmp_path / "13211-02-05-4_2023.csv")[:12]
    assert main(["withdraw", "unemployment", "nothing-like-this", "--reason", "x"]) == 1
    assert "deliveries in use: " in capsys.readouterr().err
