"""`sozplan`: refresh the warehouse, query it, list and roll back releases."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path

EXIT_FAILED = 1
EXIT_PROBLEMS = 2
EXIT_LOCKED = 75


def _refresh(args: argparse.Namespace) -> int:
    print("sozplan refresh: ingest → dbt build → checks → publish", flush=True)
    from pipelines.refresh import run_refresh

    if args.gebietsstand:
        try:
            date.fromisoformat(args.gebietsstand)
        except ValueError:
            print(
                f"--gebietsstand: expected a date like 2024-12-31, found {args.gebietsstand!r}",
                file=sys.stderr,
            )
            return EXIT_FAILED
    outcome = run_refresh(
        lock_timeout_seconds=args.wait,
        log_level=args.log_level,
        gebietsstand=args.gebietsstand,
        force=args.force,
        progress=lambda line: print(line, flush=True),
    )
    print(outcome.summary(), flush=True)
    if outcome.success:
        return 0
    if any("another refresh is running" in f for f in outcome.failures):
        return EXIT_LOCKED
    return EXIT_FAILED


def _query(args: argparse.Namespace) -> int:
    """SQL through the read-only door (`pipelines/query.py`); `-` reads it from stdin."""
    from pipelines.query import QueryError, open_published

    sql = sys.stdin.read() if args.sql == "-" else args.sql
    try:
        with open_published() as warehouse:
            result = warehouse.query(sql)
    except QueryError as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_FAILED
    if result.truncated:
        print(
            f"showing the first {len(result.rows)} rows of a longer result "
            "(SOZPLAN_QUERY_MAX_ROWS); narrow the query or raise the limit",
            file=sys.stderr,
        )
    return _print_quietly(result.columns, result.rows, args.format)


def _tables(args: argparse.Namespace) -> int:
    from pipelines.query import BUILD_LAYERS, QueryError, open_published

    try:
        with open_published() as warehouse:
            tables = warehouse.tables()
    except QueryError as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_FAILED
    rows = [(t.qualified, t.kind, t.rows, t.comment or "") for t in tables]
    code = _print_quietly(["table", "kind", "rows", "description"], rows, args.format)
    if args.format == "table" and code == 0:
        print(
            f"(the analysts' layers only; the build layers {BUILD_LAYERS} hold the deliveries "
            "before disclosure control and are for the data engineers)"
        )
    return code


def _describe(args: argparse.Namespace) -> int:
    from pipelines.query import QueryError, open_published

    try:
        with open_published() as warehouse:
            info, columns = warehouse.describe(args.table)
    except QueryError as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_FAILED
    if args.format == "table":
        print(f"{info.qualified} ({info.kind})" + (f": {info.comment}" if info.comment else ""))
    rows = [(c.name, c.data_type, "yes" if c.nullable else "no", c.comment or "") for c in columns]
    return _print_quietly(["column", "type", "nullable", "description"], rows, args.format)


def _print_quietly(columns: list[str], rows: list[tuple], fmt: str) -> int:
    """Print rows; a reader that stops early (`| head`) ends the output without a traceback."""
    try:
        _print_rows(columns, rows, fmt)
        sys.stdout.flush()
    except BrokenPipeError:
        # Python flushes stdout again at exit; point it at /dev/null so that stays quiet.
        import os

        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    return 0


def _print_rows(columns: list[str], rows: list[tuple], fmt: str) -> None:
    if fmt == "json":
        records = [dict(zip(columns, row, strict=True)) for row in rows]
        print(json.dumps(records, ensure_ascii=False, indent=2, default=str))
    elif fmt == "csv":
        import csv

        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(columns)
        writer.writerows(rows)
    else:
        from tabulate import tabulate

        print(tabulate(rows, headers=columns, tablefmt="simple", floatfmt=".10g"))
        print(f"({len(rows)} rows)")


def _releases(args: argparse.Namespace) -> int:
    """One line per kept release, newest first: published, current / pinned, deliveries,
    rows of the curated tables and what it changed against the release before it."""
    from tabulate import tabulate

    from pipelines.paths import warehouse_paths
    from pipelines.publish import CURATED_TABLES, list_releases, pinned_release
    from pipelines.release_changes import release_facts

    paths = warehouse_paths()
    kept = list_releases(paths)
    if not kept:
        print(f"no kept releases in {paths.releases_dir}")
        return 0
    current = release_facts(paths.published, []).release if paths.published.is_file() else None
    pinned = pinned_release(paths)
    rows = []
    for path in kept:
        facts = release_facts(path, CURATED_TABLES)
        release = facts.release or path.stem
        marks = [("current", release == current), ("pinned", pinned in (release, path.stem))]
        rows.append(
            [
                release,
                f"{facts.published_at:%Y-%m-%d %H:%M}" if facts.published_at else "",
                ", ".join(mark for mark, on in marks if on),
                facts.deliveries,
                *[facts.rows.get(t) for t in CURATED_TABLES],
                facts.change_text(),
            ]
        )
    headers = ["release", "published (UTC)", "", "deliveries"]
    headers += [t.split(".")[-1] for t in CURATED_TABLES] + ["changes"]
    print(tabulate(rows, headers=headers, tablefmt="simple", intfmt=","))
    return 0


def _changes(args: argparse.Namespace) -> int:
    import duckdb

    from pipelines.paths import warehouse_paths
    from pipelines.publish import list_releases
    from pipelines.release_changes import read_changes, report_lines

    paths = warehouse_paths()
    path = paths.releases_dir / f"{args.release}.duckdb" if args.release else paths.published
    if args.release and (Path(args.release).name != args.release or not path.is_file()):
        kept = ", ".join(p.stem for p in list_releases(paths)) or "none"
        print(f"no kept release {args.release!r}; kept releases: {kept}", file=sys.stderr)
        return EXIT_FAILED
    if not path.is_file():
        print(f"no published warehouse at {path}: run `make run` first", file=sys.stderr)
        return EXIT_FAILED
    with duckdb.connect(str(path), read_only=True) as con:
        changes = read_changes(con)
    if changes is None:
        print(
            f"release {args.release or 'published'} has no change record "
            "(it was published before releases recorded their changes)",
            file=sys.stderr,
        )
        return EXIT_FAILED
    if args.format == "text":
        print("\n".join(report_lines(changes, limit=None if args.all else 20)))
    else:
        _print_rows(changes.columns, changes.rows, args.format)
    return 0


def _export(args: argparse.Namespace) -> int:
    """A release's marts as Parquet, CSV and xlsx in `warehouse/exports/<release>/`."""
    from filelock import FileLock, Timeout

    from pipelines.exports import ExportError, check_formats, export_release, release_database
    from pipelines.paths import warehouse_paths

    paths = warehouse_paths()
    try:
        formats = check_formats(args.format.split(","))
        release, database = release_database(paths, args.release)
        with FileLock(paths.lock_file, timeout=0):
            folder = export_release(database, release, paths, formats)
    except Timeout:
        print(
            "a refresh is running (it exports the release it publishes); export after it "
            "has finished",
            file=sys.stderr,
        )
        return EXIT_LOCKED
    except (ExportError, OSError) as exc:
        print(f"cannot export: {exc}", file=sys.stderr)
        return EXIT_FAILED
    print(f"exported release {release} ({', '.join(formats)}) to {folder}")
    return 0


def _rollback(args: argparse.Namespace) -> int:
    from filelock import FileLock, Timeout

    from pipelines.exports import point_current
    from pipelines.paths import warehouse_paths
    from pipelines.publish import PublishRefused, rollback

    paths = warehouse_paths()
    try:
        with FileLock(paths.lock_file, timeout=0):
            rollback(args.release, paths)
            point_current(paths, args.release)  # exports/current: the release's kept export
    except Timeout:
        print("a refresh is running; roll back after it has finished", file=sys.stderr)
        return EXIT_LOCKED
    except (FileNotFoundError, PublishRefused) as exc:
        print(f"cannot roll back: {exc}", file=sys.stderr)
        return EXIT_FAILED
    print(
        f"published release {args.release} again at {paths.published} and pinned it: no "
        "refresh publishes over it until `sozplan unpin`"
    )
    return 0


def _unpin(args: argparse.Namespace) -> int:
    from pipelines.paths import warehouse_paths
    from pipelines.publish import unpin

    pinned = unpin(warehouse_paths())
    if pinned:
        print(f"release {pinned} is no longer pinned: the next refresh publishes as usual")
    else:
        print("no release was pinned")
    return 0


def _inspect(args: argparse.Namespace) -> int:
    from dataclasses import asdict

    from pipelines.inspection import UnknownFormat, inspect_file

    try:
        report = inspect_file(Path(args.file), reader=args.reader, contract_name=args.contract)
    except (FileNotFoundError, UnknownFormat, ValueError) as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_FAILED
    if args.json:
        print(json.dumps(asdict(report), ensure_ascii=False, indent=2))
    else:
        print(report.as_text())
    if not report.readable:
        return EXIT_FAILED
    return EXIT_PROBLEMS if report.problems else 0


def _land(args: argparse.Namespace) -> int:
    from pipelines.contracts import load_contracts
    from pipelines.landing import contract_for, land
    from pipelines.paths import warehouse_paths

    contracts = load_contracts()
    path = Path(args.file)
    if not path.is_file():
        print(f"{path}: no such file", file=sys.stderr)
        return EXIT_FAILED
    try:
        contract = (
            contracts[args.source] if args.source else contract_for(path, list(contracts.values()))
        )
    except (KeyError, ValueError) as exc:
        print(f"cannot land {path.name}: {exc}", file=sys.stderr)
        return EXIT_FAILED
    if contract is None:
        print(
            f"cannot land {path.name}: no contract takes it; name one with --source "
            f"({', '.join(contracts)})",
            file=sys.stderr,
        )
        return EXIT_FAILED
    print(land(path, contract.source, "sozplan land", warehouse_paths()).describe())
    return 0


def _deliveries(args: argparse.Namespace) -> int:
    from pipelines.contracts import load_contracts
    from pipelines.landing import delivery_states, read_manifest, sha256_of
    from pipelines.paths import warehouse_paths

    contracts = load_contracts()
    if args.source and args.source not in contracts:
        print(f"no source {args.source!r}; sources: {', '.join(contracts)}", file=sys.stderr)
        return EXIT_FAILED
    paths = warehouse_paths()
    manifest = read_manifest(paths)
    periods = _published_periods(paths)
    rows = []
    for source in [args.source] if args.source else sorted(contracts):
        samples = [sha256_of(f) for f in contracts[source].sample_files]
        for state in delivery_states(source, manifest, samples):
            first = state.first
            rows.append(
                [
                    source,
                    first.delivery_id,
                    first.landed_at.replace("T", " ")[:16],
                    first.how,
                    first.original_name,
                    periods.get(first.sha256, "not read yet"),
                    state.status,
                ]
            )
    columns = ["source", "delivery", "landed", "how", "file", "periods", "status"]
    _print_rows(columns, rows, args.format)
    return 0


def _published_periods(paths) -> dict[str, str]:
    """sha256 -> the periods the published release read from that file."""
    import duckdb

    if not paths.published.is_file():
        return {}
    try:
        with duckdb.connect(str(paths.published), read_only=True) as con:
            rows = con.execute("select file_sha256, periods from meta.source_file").fetchall()
    except duckdb.Error:
        return {}
    from pipelines.refresh import years_text

    return {
        sha: years_text([int(y) for y in (periods or "").split(",") if y]) for sha, periods in rows
    }


def _withdraw(args: argparse.Namespace) -> int:
    from pipelines.contracts import load_contracts
    from pipelines.landing import DeliveryError, withdraw
    from pipelines.paths import warehouse_paths

    if args.source not in load_contracts():
        print(f"no source {args.source!r}", file=sys.stderr)
        return EXIT_FAILED
    try:
        row = withdraw(args.source, args.delivery, args.reason, warehouse_paths())
    except DeliveryError as exc:
        print(f"cannot withdraw: {exc}", file=sys.stderr)
        return EXIT_FAILED
    print(
        f"withdrew {row.source} delivery {row.delivery_id} ({row.original_name}): {row.reason}\n"
        "the file stays landed; the next refresh no longer reads it "
        "(deliver it again to bring it back)"
    )
    return 0


def _fetch(args: argparse.Namespace) -> int:
    """Download a GENESIS table for the territory (or what `--regions` says) and land it.

    "No newer data" is a normal answer for a planner who refreshes regularly: exit 0,
    nothing landed. A job that did not finish in time is a failure that names the job.
    """
    import tempfile

    from pipelines.connectors.genesis_api import (
        FetchError,
        NoNewerData,
        fetch_result,
        fetch_table,
        parse_stand,
        parse_years,
        regional_keys,
        save,
    )

    try:
        laender: tuple[str, ...] = ()
        if args.regions.strip().lower() == "territory":
            from pipelines.territory import current_territory

            laender = current_territory().laender
        regionalkey = regional_keys(args.regions, laender)
        startyear, endyear = parse_years(args.years) if args.years else (None, None)
        stand = parse_stand(args.stand) if args.stand else None
    except FetchError as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_FAILED
    selection = [f"regions {regionalkey or 'all'}"]
    if startyear is not None:
        selection.append(f"years {startyear}" + (f"–{endyear}" if endyear != startyear else ""))
    if stand:
        selection.append(f"updated after {stand}")
    what = f"job result {args.job}" if args.job else ", ".join(selection)
    print(f"fetching {args.table} from {args.database} ({what}) …", flush=True)

    def progress(message: str) -> None:
        print(message, flush=True)

    try:
        if args.job:
            fetched = fetch_result(args.table, args.database, args.job, progress=progress)
        else:
            fetched = fetch_table(
                args.table,
                args.database,
                startyear=startyear,
                endyear=endyear,
                regionalkey=regionalkey,
                stand=stand,
                progress=progress,
            )
    except NoNewerData as exc:
        print(str(exc), flush=True)
        return 0
    except FetchError as exc:
        print(f"fetch failed: {exc}", file=sys.stderr)
        return EXIT_FAILED
    for note in fetched.notes:
        print(note, flush=True)

    # Landing: the same path as a file the user downloaded by hand.
    from pipelines.contracts import load_contracts
    from pipelines.landing import contract_for, land
    from pipelines.paths import warehouse_paths

    contracts = load_contracts()
    with tempfile.TemporaryDirectory() as tmp:
        path = save(fetched, tmp)
        try:  # by what the file holds, as for a file dropped into the inbox
            contract = (
                contracts[args.source]
                if args.source
                else contract_for(path, list(contracts.values()))
            )
        except (KeyError, ValueError) as exc:
            contract = None
            print(f"no contract takes {fetched.file_name}: {exc}", file=sys.stderr)
        if contract is None:
            kept = save(fetched, Path.cwd())
            print(
                f"saved {kept}: no contract covers table {args.table} "
                "(add one in data_contracts/, or pass --source)",
            )
            return 0
        result = land(path, contract.source, fetched.how, warehouse_paths(), fetched.file_name)
    print(result.describe())
    return 0


def _report(args: argparse.Namespace) -> int:
    """The Kreisprofil (a Kreis) or the Landesübersicht (the Land) as HTML and PDF."""
    from pipelines.report.build import build_report
    from pipelines.report.data import ReportError

    print(f"sozplan report: {args.region} …", flush=True)
    try:
        built = build_report(args.region, args.year, Path(args.out) if args.out else None)
    except ReportError as exc:
        print(f"cannot make the report: {exc}", file=sys.stderr)
        return EXIT_FAILED
    print(f"{built.report.title} (release {built.report.footnotes.release}):")
    print(f"  {built.html}\n  {built.pdf}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="sozplan", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    refresh = sub.add_parser("refresh", help="build, audit and publish the warehouse")
    refresh.add_argument(
        "--wait",
        type=float,
        default=0.0,
        metavar="SECONDS",
        help="wait this long for a running refresh to finish (default: exit at once)",
    )
    refresh.add_argument("--log-level", default="INFO", choices=["DEBUG", "INFO", "WARNING"])
    refresh.add_argument(
        "--force",
        action="store_true",
        help="rebuild everything from empty, even when nothing changed since the last release",
    )
    refresh.add_argument(
        "--gebietsstand",
        metavar="DATE",
        help="territorial status of all series, e.g. 2020-12-31 (default: the newest)",
    )
    refresh.set_defaults(func=_refresh)

    query = sub.add_parser(
        "query",
        help="run one read statement on the published warehouse",
        description="Run one read statement (SELECT, DESCRIBE, SHOW, SUMMARIZE, EXPLAIN, "
        "PRAGMA table_info …) on the analysts' layers of the published warehouse (marts, "
        "meta). No other files, no settings, no extensions; limits from "
        "SOZPLAN_QUERY_MEMORY_LIMIT (2GB), SOZPLAN_QUERY_TIMEOUT_SECONDS (60) and "
        "SOZPLAN_QUERY_MAX_ROWS (1000000).",
    )
    query.add_argument("sql", help="the SQL, or - to read it from stdin")
    query.add_argument("--format", choices=["table", "csv", "json"], default="table")
    query.set_defaults(func=_query)

    tables = sub.add_parser("tables", help="list the tables of the analysts' layers (marts, meta)")
    tables.add_argument("--format", choices=["table", "csv", "json"], default="table")
    tables.set_defaults(func=_tables)

    describe = sub.add_parser("describe", help="the columns of a table, with type and comment")
    describe.add_argument("table", help="schema.table, or the table alone when one schema has it")
    describe.add_argument("--format", choices=["table", "csv", "json"], default="table")
    describe.set_defaults(func=_describe)

    inspect = sub.add_parser("inspect", help="describe a downloaded file and its problems")
    inspect.add_argument("file")
    inspect.add_argument("--reader", help="force a reader instead of detecting it")
    inspect.add_argument("--contract", help="check against this contract (source id)")
    inspect.add_argument("--json", action="store_true", help="machine-readable output")
    inspect.set_defaults(func=_inspect)

    land = sub.add_parser("land", help="put a file into the landing area for the next refresh")
    land.add_argument("file")
    land.add_argument("--source", help="the contract (source id); default: by file name")
    land.set_defaults(func=_land)

    listing = sub.add_parser("deliveries", help="list the deliveries of every source or one")
    listing.add_argument("source", nargs="?", help="one source (contract id)")
    listing.add_argument("--format", choices=["table", "csv", "json"], default="table")
    listing.set_defaults(func=_deliveries)

    withdrawal = sub.add_parser(
        "withdraw",
        help="take a delivery out of use (the file stays landed; deliver it again to undo)",
    )
    withdrawal.add_argument("source", help="the source (contract id)")
    withdrawal.add_argument(
        "delivery", help="the delivery id `sozplan deliveries` shows, or its file name"
    )
    withdrawal.add_argument("--reason", required=True, help="why, for the record")
    withdrawal.set_defaults(func=_withdraw)

    fetch = sub.add_parser(
        "fetch",
        help="download a table from the GENESIS REST API and land it",
        description="Download a table as ffcsv through the GENESIS REST API 2020 and land it. "
        "Tables too large for a direct download are built as a GENESIS job and fetched when "
        "finished (SOZPLAN_GENESIS_JOB_POLL_INTERVAL / _JOB_MAX_WAIT seconds). Exit 0 also "
        "when GENESIS has no newer data (nothing is landed then).",
    )
    fetch.add_argument("table", help="table code, e.g. 12411-02-03-4")
    fetch.add_argument(
        "--database",
        default="regionalstatistik",
        choices=["regionalstatistik", "genesis-destatis", "zensus2022"],
    )
    fetch.add_argument(
        "--regions",
        default="territory",
        metavar="territory|all|KEYS",
        help="territory (default): the territory's Länder (regionalkey 16*); all: no regional "
        "selection; or comma-separated region keys, wildcards allowed (16051,16052 or 16*)",
    )
    fetch.add_argument(
        "--years",
        metavar="FIRST-LAST",
        help="only these years, e.g. 2015-2025 or 2024 (default: every year the table has)",
    )
    fetch.add_argument(
        "--stand",
        metavar="DATE",
        help="only data updated after this date (31.03.2025 or 2025-03-31); nothing newer: "
        "'no newer data', exit 0",
    )
    fetch.add_argument(
        "--job",
        metavar="RESULT",
        help="fetch the result of an earlier GENESIS job (e.g. 12411-01-01-4_123456789), as "
        "named when its wait ran out",
    )
    fetch.add_argument("--source", help="the contract (source id); default: by file name")
    fetch.set_defaults(func=_fetch)

    report = sub.add_parser(
        "report",
        help="the Kreisprofil of a Kreis or the Landesübersicht as HTML and PDF",
        description="Write the Kreisprofil of a Kreis (kreisprofil_<key>_<year>.html/.pdf) or "
        "the Landesübersicht of the Land (landesuebersicht_<key>_<year>.html/.pdf) from the "
        "published release: headline indicators with Land value, rank and change, time "
        "series, maps of the Kreise, Gemeinden and Sozialräume, goal monitoring, sources. The "
        "HTML is one self-contained file (no network at build or view time).",
    )
    report.add_argument(
        "--region", required=True, metavar="KEY", help="16051 (a Kreis), 16 (the Land)"
    )
    report.add_argument("--year", type=int, help="the report year (default: the newest with data)")
    report.add_argument(
        "--out", metavar="DIR", help="where to write (default: warehouse/reports/<release>/)"
    )
    report.set_defaults(func=_report)

    releases = sub.add_parser("releases", help="list kept releases, newest first")
    releases.set_defaults(func=_releases)

    changes = sub.add_parser(
        "changes", help="what a release changed against the release it replaced"
    )
    changes.add_argument("release", nargs="?", help="a kept release (default: the published one)")
    changes.add_argument("--all", action="store_true", help="every change (default: 20 per kind)")
    changes.add_argument("--format", choices=["text", "csv", "json"], default="text")
    changes.set_defaults(func=_changes)

    export = sub.add_parser(
        "export",
        help="write a release's marts as Parquet, CSV and xlsx for BI tools and spreadsheets",
        description="Write every table of schema marts to warehouse/exports/<release>/ as "
        "<table>.parquet, <table>.csv (;, decimal comma, UTF-8 with BOM) and "
        "sozialplanung.xlsx (a sheet per table, data dictionary, notes); "
        "warehouse/exports/current points at the published release's export.",
    )
    export.add_argument("--release", help="a kept release (default: the published one)")
    export.add_argument(
        "--format",
        default="parquet,csv,xlsx",
        metavar="parquet,csv,xlsx",
        help="the formats to write, comma-separated (default: all three)",
    )
    export.set_defaults(func=_export)

    rollback = sub.add_parser(
        "rollback", help="publish a kept release again and pin it (refreshes stop publishing)"
    )
    rollback.add_argument("release")
    rollback.set_defaults(func=_rollback)

    unpin = sub.add_parser("unpin", help="let refreshes publish again after a rollback")
    unpin.set_defaults(func=_unpin)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    from pipelines.contracts import ContractError
    from pipelines.territory import TerritoryError

    try:
        return args.func(args)
    except TerritoryError as exc:  # SOZPLAN_TERRITORY_DIR points at an unusable folder
        print(f"cannot use the territory: {exc}", file=sys.stderr)
        return EXIT_FAILED
    except ContractError as exc:  # a contract (or SOZPLAN_CONTRACTS_DIR) that cannot be used
        print(f"cannot use the data contracts: {exc}", file=sys.stderr)
        return EXIT_FAILED


if __name__ == "__main__":
    sys.exit(main())
