"""The benchmark harness: what a refresh costs and where the time goes.

In one go, in a fresh warehouse folder: (1) a full refresh from empty, (2) a refresh with no
new input (it must skip), (3) a refresh after one source file changed; for each the wall
seconds, and per stage (ingest per source, its checks, dbt, the indicator checks, publish)
wall seconds, rows, rows per second and the peak memory of the whole process tree (this
process and dbt), the no-op as a new process; (4) a reference — the same input files read and
the same indicators computed in plain DuckDB, no orchestration and no checks
(`tools.bench.reference`) — and the ratio to it; (5)
analyst query latency on the published warehouse (median, p95); (6) where the full refresh
misses a target, a profile of its slowest stage.

Sizes: `thueringen` is the bundled sample. `tiny`, `germany` and `germany-x4` are written by
`tools.sample.scaled` from a Gemeindeverzeichnis file (default: the one in
`tests/fixtures/real`) into the warehouse folder and delivered through the inbox, with
their own territory (and, for `germany-x4`, contracts with four times the measures); input
generated before (`--generated DIR`) is used as it is.
Results are printed and written to `bench/results/<date>-<size>.md`.
"""

from __future__ import annotations

import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import date
from importlib.metadata import version
from pathlib import Path

import duckdb

from pipelines.paths import PROJECT_ROOT, SAMPLE_DIR, WarehousePaths
from pipelines.territory import load_territory
from tools.bench.reference import Reference, reference

RESULTS_DIR = PROJECT_ROOT / "bench" / "results"
SIZES = ("tiny", "thueringen", "germany", "germany-x4")
DEFAULT_GV = (
    PROJECT_ROOT / "tests" / "fixtures" / "real" / "gemeindeverzeichnis" / "AuszugGV2QAktuell.xlsx"
)
# The unemployment table comes as one classic export per year (the changed source of phase 3).
UNEMPLOYMENT_FILES = "13211-02-05-4_*.csv"
# Targets the report measures against (not timed tests): wall time as a multiple of the plain
# DuckDB reference, the no-op refresh as a new process, the median analyst query.
TARGET_FULL_RATIO, TARGET_CHANGED_RATIO = 5.0, 2.0
TARGET_NOOP_S, TARGET_QUERY_MS = 2.0, 10.0
# Peak memory of the whole process tree by size (the larger sizes hold more in flight).
TARGET_MEMORY_MB = {"tiny": 1024, "thueringen": 1024, "germany": 1024, "germany-x4": 2048}

QUERIES: dict[str, str] = {
    "one region's profile": (
        "select * from marts.mart_region_profile where region_key = '16052' order by period"
    ),
    "one indicator, all Gemeinden, one year": (
        "select region_key, value from marts.fct_indicator_value "
        "where indicator_id = 'population' and period = 2024 and length(region_key) = 8"
    ),
    "series of one Kreis": (
        "select period, value from marts.fct_indicator_value "
        "where indicator_id = 'sgb2_quota' and region_key = '16077' order by period"
    ),
}


# --- memory of the process tree ------------------------------------------------------------


def _tree_rss_mb(root: int) -> float:
    """Resident memory of `root` and all its descendants (Linux /proc), in MB."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", encoding="ascii", errors="replace") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        pid = int(entry.name)
        children.setdefault(int(fields[1]), []).append(pid)
        rss[pid] = int(fields[21]) * os.sysconf("SC_PAGE_SIZE")
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        total += rss.get(pid, 0)
        todo.extend(children.get(pid, []))
    return total / 2**20


class MemorySampler:
    """Samples the RSS of this process tree a few times a second: (time, MB) pairs."""

    def __init__(self, interval: float = 0.1) -> None:
        self.interval = interval
        self.samples: list[tuple[float, float]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        pid = os.getpid()
        while not self._stop.is_set():
            self.samples.append((time.time(), _tree_rss_mb(pid)))
            self._stop.wait(self.interval)

    def peak(self, start: float = 0.0, end: float = float("inf")) -> float:
        inside = [mb for t, mb in self.samples if start <= t <= end]
        return max(inside, default=0.0)

    @contextmanager
    def running(self) -> Iterator[MemorySampler]:
        self._thread.start()
        try:
            yield self
        finally:
            self._stop.set()
            self._thread.join()


# --- results ---------------------------------------------------------------------------------


@dataclass
class Stage:
    name: str
    seconds: float
    rows: int
    peak_mb: float
    part: bool = False  # one source's part of a step (also counted in the step)


@dataclass
class Phase:
    name: str
    seconds: float
    skipped: bool
    rows: int
    peak_mb: float
    stages: list[Stage] = field(default_factory=list)
    note: str = ""


@dataclass(frozen=True)
class QueryTiming:
    """One analyst query on the published file: as fetched into Python, and counted in DuckDB
    (the scan without handing rows over), in milliseconds."""

    median: float
    p95: float
    rows: int
    scan_median: float


@dataclass
class BenchResult:
    size: str
    inputs: str  # what was read: files, MB, rows
    phases: list[Phase]
    reference: Reference
    agreement: tuple[int, float]  # fact rows compared, largest absolute difference
    queries: dict[str, QueryTiming]
    machine: dict[str, str]
    profile: list[str] = field(default_factory=list)  # the slowest stage, broken down

    @property
    def peak_mb(self) -> float:
        return max(p.peak_mb for p in self.phases)

    def ratio(self, phase: Phase) -> float:
        return phase.seconds / self.reference.seconds if self.reference.seconds else 0.0

    def misses(self) -> list[str]:
        """Targets missed, each with by how much."""
        full, noop, changed = self.phases
        out = []
        for phase, target in ((full, TARGET_FULL_RATIO), (changed, TARGET_CHANGED_RATIO)):
            if self.ratio(phase) > target:
                over = phase.seconds - target * self.reference.seconds
                out.append(
                    f"{phase.name} {phase.seconds:.1f} s = {self.ratio(phase):.1f}× the plain "
                    f"DuckDB reference (target {target:.0f}×: missed by {over:.1f} s)"
                )
        memory = TARGET_MEMORY_MB[self.size]
        if self.peak_mb > memory:
            out.append(
                f"peak memory {self.peak_mb:,.0f} MB (target {memory:,} MB: "
                f"{self.peak_mb - memory:,.0f} MB over)"
            )
        if not noop.skipped or noop.seconds > TARGET_NOOP_S:
            out.append(
                f"no-op refresh {noop.seconds:.1f} s as a new process (target "
                f"{TARGET_NOOP_S:.0f} s), skipped: {noop.skipped}"
            )
        for name, q in self.queries.items():
            if q.median > TARGET_QUERY_MS:
                out.append(
                    f"query '{name}' {q.median:.1f} ms median (target {TARGET_QUERY_MS:.0f} ms: "
                    f"missed by {q.median - TARGET_QUERY_MS:.1f} ms); DuckDB's scan alone "
                    f"{q.scan_median:.1f} ms, the rest hands {q.rows:,} rows to Python as tuples"
                )
        return out

    def markdown(self) -> str:
        full, ref = self.phases[0], self.reference
        lines = [
            f"# Benchmark {date.today().isoformat()} — size `{self.size}`",
            "",
            f"Input: {self.inputs}",
            "",
            "| machine | |",
            "|---|---|",
            *(f"| {k} | {v} |" for k, v in self.machine.items()),
            "",
            "| phase | wall s | rows | rows/s | ratio to plain DuckDB | peak MB | note |",
            "|---|---|---|---|---|---|---|",
        ]
        for p in self.phases:
            rate = f"{p.rows / p.seconds:,.0f}" if p.rows and not p.skipped else "–"
            lines.append(
                f"| {p.name} | {p.seconds:.1f} | {p.rows:,} | {rate} | {self.ratio(p):.1f}× "
                f"| {f'{p.peak_mb:,.0f}' if p.peak_mb else '–'} | {p.note} |"
            )
        skipped = f"; not read: {', '.join(ref.skipped)}" if ref.skipped else ""
        lines += [
            f"| plain DuckDB reference | {ref.seconds:.2f} | {ref.loaded:,} "
            f"| {ref.loaded / ref.seconds:,.0f} | 1× | | "
            f"{ref.files} files loaded with read_csv in {ref.load_seconds:.2f} s{skipped}; "
            f"the {ref.models} dbt models' compiled SQL run as one script in "
            f"{ref.compute_seconds:.2f} s ({ref.values:,} indicator values) |",
            "",
            "Peak memory is the resident memory of the whole process tree (dbt runs in the "
            "refresh process), sampled every 0.1 s; the no-op refresh runs as a new process "
            "(`sozplan refresh`).",
            "",
            f"The reference's fact table equals the published one on {self.agreement[0]:,} rows "
            f"(largest difference {self.agreement[1]:.2e}); the published Sozialraum rows are "
            "left out, their raw rows are not kept in the published file.",
            "",
            "| stage of the full refresh | wall s | rows | rows/s | peak MB |",
            "|---|---|---|---|---|",
            *(
                f"| {'↳ ' if s.part else ''}{s.name} | {s.seconds:.2f} | {s.rows:,} | "
                f"{s.rows / s.seconds if s.rows and s.seconds else 0:,.0f} | {s.peak_mb:,.0f} |"
                for s in sorted(full.stages, key=lambda s: -s.seconds)
            ),
            *self._stage_tables_after_the_full(),
            "",
            "| analyst query | median ms | p95 ms | rows | scan alone, median ms |",
            "|---|---|---|---|---|",
            *(
                f"| {name} | {q.median:.1f} | {q.p95:.1f} | {q.rows:,} | {q.scan_median:.1f} |"
                for name, q in self.queries.items()
            ),
            "",
            "A query is timed as an analyst's Python runs it: executed and every row fetched "
            "(`fetchall`). The scan alone is the same query counted in DuckDB "
            "(`select count(*) from (…)`): no row handed to Python.",
            "",
            f"Targets: full refresh within {TARGET_FULL_RATIO:.0f}× the reference, one changed "
            f"source within {TARGET_CHANGED_RATIO:.0f}×, peak memory under "
            f"{TARGET_MEMORY_MB[self.size]:,} MB, no-op refresh under {TARGET_NOOP_S:.0f} s "
            f"as a new process, analyst queries under {TARGET_QUERY_MS:.0f} ms median.",
            "The reference does the same data work without orchestration or checks: it reads "
            "every text file of the input with DuckDB's CSV reader and runs the SQL dbt "
            "compiled for every model on the raw tables. It leaves out what the refresh does "
            "besides: turning each layout into the canonical long table (the readers), delivery "
            "history and revisions, the contract checks, the great-expectations suites, the dbt "
            "tests, disclosure control, the release registry and the swap, and Dagster.",
            "",
        ]
        misses = self.misses()
        lines += (
            ["## Targets missed", ""] + [f"- {m}" for m in misses]
            if misses
            else ["All targets met."]
        )
        if self.profile:
            lines += ["", "## Where the time goes: the slowest stage", "", *self.profile]
        return "\n".join(lines) + "\n"

    def _stage_tables_after_the_full(self) -> list[str]:
        """The steps of each later refresh that ran, with their peak memory: where a
        refresh in a process that refreshed before reaches its peak."""
        lines: list[str] = []
        for phase in self.phases[1:]:
            steps = [s for s in phase.stages if not s.part]
            if phase.skipped or not steps:
                continue
            lines += [
                "",
                f"| stage of the {phase.name} | wall s | peak MB |",
                "|---|---|---|",
                *(
                    f"| {s.name} | {s.seconds:.2f} | {s.peak_mb:,.0f} |"
                    for s in sorted(steps, key=lambda s: -s.peak_mb)
                ),
            ]
        return lines


# --- inputs ----------------------------------------------------------------------------------


@dataclass
class Inputs:
    directory: Path  # the delivered files
    territory: Path | None  # None: the bundled Thüringen
    contracts: Path | None  # None: the project's contracts
    seconds: float = 0.0  # to generate them


def prepare_inputs(size: str, root: Path, gv_file: Path, generated: Path | None = None) -> Inputs:
    """The size's input files: the bundled sample, the folder `generated` (written before by
    `python -m tools.sample.scaled … --out <folder>`), or generated now below `root`."""
    if size == "thueringen":
        return Inputs(SAMPLE_DIR, None, None)
    if generated is not None:
        inputs = _generated_inputs(generated)
        written_for = load_territory(inputs.territory).name  # the generator names it by size
        if written_for != size:
            raise ValueError(f"{generated} holds the input of size {written_for}, not {size}")
        return inputs
    if not gv_file.is_file():
        raise ValueError(f"size {size} needs a Gemeindeverzeichnis file; {gv_file} is missing")
    started = time.perf_counter()
    out = root / "generated"
    # in a process of its own: the generator's heap stays out of the refreshes measured here
    done = subprocess.run(
        [sys.executable, "-m", "tools.sample.scaled", str(gv_file), "--size", size,
         "--out", str(out)],
        cwd=PROJECT_ROOT, capture_output=True, text=True,
    )  # fmt: skip
    if done.returncode != 0:
        raise RuntimeError(f"generating the {size} input failed:\n{done.stdout}{done.stderr}")
    return replace(_generated_inputs(out), seconds=time.perf_counter() - started)


def _generated_note(inputs: Inputs, generated: Path | None) -> str:
    if inputs.directory == SAMPLE_DIR:
        return ""
    if generated is not None:
        return f", generated before (in {generated})"
    return f", generated in {inputs.seconds:.1f} s"


def _generated_inputs(out: Path) -> Inputs:
    """The input files, territory and (for sizes with measure copies) contracts the generator
    wrote below `out`; the benchmark only reads them."""
    for part in ("input", "territory"):
        if not (out / part).is_dir():
            raise ValueError(f"{out} holds no generated input: {out / part} is missing")
    contracts = out / "contracts"
    return Inputs(out / "input", out / "territory", contracts if contracts.is_dir() else None)


def _deliver(inputs: Inputs, inbox: Path) -> None:
    """Every input file into the inbox, as a delivery (the bundled sample needs none)."""
    if inputs.directory == SAMPLE_DIR:
        return
    inbox.mkdir(parents=True, exist_ok=True)
    for path in sorted(inputs.directory.iterdir()):
        shutil.copyfile(path, inbox / path.name)


def _describe(directory: Path) -> str:
    files = [p for p in directory.iterdir() if p.is_file() and p.suffix in (".csv", ".xlsx")]
    size = sum(p.stat().st_size for p in files)
    return f"{len(files)} files, {size / 2**20:,.0f} MiB"


# --- measuring -------------------------------------------------------------------------------


def _timed(fn: Callable[[], object]) -> tuple[float, object]:
    started = time.perf_counter()
    value = fn()
    return time.perf_counter() - started, value


def _memory_gib() -> float:
    return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30


def _table_rows(published: Path) -> dict[str, int]:
    """Rows per table of the raw and marts schemas, as `schema.table` (raw: views too, as
    a source of one delivery has its history's rows)."""
    with duckdb.connect(str(published), read_only=True) as con:
        tables = con.execute(
            "select table_schema, table_name from information_schema.tables "
            "where table_schema = 'raw' "
            "or (table_schema = 'marts' and table_type = 'BASE TABLE')"
        ).fetchall()
        return {
            f"{s}.{t}": con.execute(f'select count(*) from {s}."{t}"').fetchone()[0]
            for s, t in tables
        }


def stage_name(step: str) -> tuple[str, str | None]:
    """A Dagster step (or one source's part of the ingest step) as a stage of the report,
    and the table whose rows it handles."""
    if step == "warehouse_models":
        return "dbt build (models and tests)", None
    if step == "ingest":
        return "ingest (every source, one step)", None
    if step == "raw_gx_suites":
        return "checks raw tables (GX, every source, one validation)", None
    if step.endswith("_gx_indicator_suite"):
        return "checks indicators (GX)", "marts.fct_indicator_value"
    if step.startswith("raw__"):
        source = step.removeprefix("raw__")
        return f"ingest {source}", f"raw.{source}"
    return step.replace("__", "."), None


def _stages(outcome, rows: dict[str, int], memory: MemorySampler) -> list[Stage]:
    """The steps, then each source's part of the ingest step (`part`)."""
    stages = []
    for spans, part in ((outcome.step_spans, False), (outcome.part_spans, True)):
        for step, (start, end) in spans.items():
            name, table = stage_name(step)
            count = rows.get(table, 0) if table else 0
            if step == "warehouse_models":
                count = sum(n for t, n in rows.items() if t.startswith("marts."))
            elif step == "ingest":
                count = sum(n for t, n in rows.items() if t.startswith("raw."))
            stages.append(Stage(name, end - start, count, memory.peak(start, end), part))
    return stages


def _dbt_file(root: Path, name: str) -> Path:
    """An artifact of the newest dbt build of the warehouse at `root`."""
    from pipelines.assets.transform import dbt_target

    return dbt_target(WarehousePaths(root)) / name


def _dbt_results(root: Path) -> list[dict]:
    """The nodes the newest dbt build of the warehouse at `root` ran (its run_results.json)."""
    found = _dbt_file(root, "run_results.json")
    return json.loads(found.read_text(encoding="utf-8"))["results"] if found.is_file() else []


def _dbt_node_count(root: Path) -> int:
    """Models, seeds and tests of the dbt project (what a full build runs)."""
    manifest = json.loads(_dbt_file(root, "manifest.json").read_text(encoding="utf-8"))
    kinds = ("model", "seed", "test")
    return sum(1 for n in manifest["nodes"].values() if n["resource_type"] in kinds)


def _rebuilt(published: Path) -> str:
    """What the refresh did: sources read again (the release that ingested them is this
    one), raw tables kept from an earlier release, dbt nodes run of all."""
    with duckdb.connect(str(published), read_only=True) as con:
        release = con.execute("select release from meta.release").fetchone()[0]
        sources = con.execute("select source, release from meta.source_file").fetchall()
    ingested = sorted({s for s, r in sources if r == release})
    kept = sorted({s for s, r in sources if r != release})
    ran = len(_dbt_results(published.parent))
    total = _dbt_node_count(published.parent) if ran else 0
    parts = [
        f"ingested and validated {len(ingested)} source{'' if len(ingested) == 1 else 's'}"
        + (f" ({', '.join(ingested)})" if len(ingested) <= 3 else ""),
        f"kept {len(kept)} raw tables from the published release" if kept else "",
        (
            f"dbt ran all {ran} models, seeds and tests"
            if ran and ran >= total
            else f"dbt ran {ran} of {total} models, seeds and tests (the rest kept)"
            if ran
            else ""
        ),
    ]
    return "; ".join(p for p in parts if p)


def _agreement(published: Path, computed: Path) -> tuple[int, float]:
    """The reference's fact table against the published one: rows compared, largest
    difference. The same SQL ran on the same raw tables, so every row must match — except the
    Sozialräume, whose raw rows the published file does not keep (disclosure control)."""
    with duckdb.connect(str(computed), read_only=True) as con:
        con.execute(f"attach '{published}' as published (read_only)")
        only = con.execute(
            """select
                (select count(*) from marts.fct_indicator_value
                 anti join published.marts.fct_indicator_value
                 using (indicator_id, region_key, period)),
                (select count(*) from published.marts.fct_indicator_value
                 anti join marts.fct_indicator_value using (indicator_id, region_key, period)
                 where length(region_key) <= 8)"""
        ).fetchone()
        compared, largest, status = con.execute(
            """select count(*), coalesce(max(abs(r.value - p.value)), 0),
                count(*) filter (where r.value_status is distinct from p.value_status)
            from marts.fct_indicator_value as r
            join published.marts.fct_indicator_value as p
              using (indicator_id, region_key, period)"""
        ).fetchone()
    if any(only) or status:
        raise AssertionError(
            f"the reference's fact table differs from the published one: {only[0]} rows only "
            f"in the reference, {only[1]} only published (beyond Sozialräume), {status} with "
            "another status"
        )
    return compared, largest


def _latency(published: Path, repeats: int) -> dict[str, QueryTiming]:
    out = {}
    with duckdb.connect(str(published), read_only=True) as con:
        for name, sql in QUERIES.items():
            rows = len(con.execute(sql).fetchall())  # warm
            fetched = _times_ms(lambda sql=sql: con.execute(sql).fetchall(), repeats)
            counted = f"select count(*) from ({sql})"
            scanned = _times_ms(lambda sql=counted: con.execute(sql).fetchall(), repeats)
            out[name] = QueryTiming(
                median=statistics.median(fetched),
                p95=fetched[min(len(fetched) - 1, int(0.95 * len(fetched)))],
                rows=rows,
                scan_median=statistics.median(scanned),
            )
    return out


def _times_ms(run: Callable[[], object], repeats: int) -> list[float]:
    """Milliseconds of `repeats` runs, sorted."""
    times = []
    for _ in range(repeats):
        seconds, _result = _timed(run)
        times.append(seconds * 1000)
    return sorted(times)


def _change_one_source(inputs: Inputs, inbox: Path) -> str:
    """Drop a new delivery of the unemployment table: its oldest yearly export (no BA workbook
    repeats that year) with one count one person higher. The bundled sample is read only while
    a source has no delivery of its own, so where the input is the bundled sample its other
    years are delivered unchanged."""
    files = sorted(inputs.directory.glob(UNEMPLOYMENT_FILES))
    oldest = files[0]
    lines = oldest.read_bytes().decode("cp1252").split("\n")
    at = next(i for i, line in enumerate(lines) if re.match(r"^\d{4};16077;", line))
    fields = lines[at].split(";")
    fields[3] = str(int(fields[3]) + 1)  # all unemployed (ERWP06), Altenburger Land
    lines[at] = ";".join(fields)
    inbox.mkdir(exist_ok=True)
    if inputs.directory == SAMPLE_DIR:
        for path in files[1:]:
            shutil.copyfile(path, inbox / path.name)
    (inbox / f"{oldest.stem}_bench.csv").write_bytes("\n".join(lines).encode("cp1252"))
    return "13211-02-05-4 (unemployment), one value changed"


def _dbt_profile(results: list[dict], wall: float, top: int = 8) -> list[str]:
    """The slowest dbt nodes of the full refresh's build."""
    if not results:
        return []
    total = sum(r["execution_time"] for r in results)
    lines = [
        f"dbt ran {len(results)} nodes with {total:.1f} s of node time (one thread); the other "
        f"{wall - total:.1f} s of the step are dbt starting, reading its saved parse and the "
        "step streaming dbt's events. "
        "The slowest nodes:",
        "",
        "| dbt node | s |",
        "|---|---|",
    ]
    for r in sorted(results, key=lambda r: -r["execution_time"])[:top]:
        lines.append(f"| {r['unique_id'].split('.', 2)[-1]} | {r['execution_time']:.2f} |")
    return lines


def _ingest_profile(source: str, root: Path, top: int = 10) -> list[str]:
    """Ingest the source's landed file again into a scratch database under cProfile: the
    functions that take the time (cumulative seconds), read → conform → write."""
    import cProfile
    import pstats

    from pipelines.contracts import load_contracts
    from pipelines.ingest import ingest_deliveries
    from pipelines.landing import delivery_files

    contract = load_contracts()[source]
    files = delivery_files(contract, WarehousePaths(root))
    profiler = cProfile.Profile()
    with duckdb.connect() as con:
        profiler.runcall(ingest_deliveries, contract, files, con, "profile")
    stats = pstats.Stats(profiler)
    total = stats.total_tt
    rows = []
    for (file, line, function), (_cc, _nc, _tt, cumulative, _callers) in stats.stats.items():
        where = Path(file)
        if "pipelines" in where.parts or function in ("df", "execute", "register"):
            rows.append((cumulative, f"{where.parent.name}/{where.name}:{line} {function}"))
    lines = [
        f"The same file ingested again under cProfile ({total:.1f} s of CPU in all); "
        "cumulative seconds of the project's functions and the DuckDB calls:",
        "",
        "| function | cumulative s |",
        "|---|---|",
    ]
    lines += [f"| `{name}` | {s:.2f} |" for s, name in sorted(rows, reverse=True)[:top]]
    return lines


def _profile(full: Phase, dbt_results: list[dict], root: Path) -> list[str]:
    steps = [s for s in full.stages if not s.part]
    slowest = max(steps, key=lambda s: s.seconds)
    share = slowest.seconds / full.seconds
    lines = [f"{slowest.name}: {slowest.seconds:.1f} s, {share:.0%} of the full refresh.", ""]
    if slowest.name.startswith("dbt build"):
        lines += _dbt_profile(dbt_results, slowest.seconds)
    elif slowest.name.startswith("ingest "):
        parts = [s for s in full.stages if s.part and s.name.startswith("ingest ")]
        source = max(parts, key=lambda s: s.seconds).name.removeprefix("ingest ")
        lines += _ingest_profile(source, root)
    ingest = sum(s.seconds for s in full.stages if s.part and s.name.startswith("ingest "))
    checks = sum(s.seconds for s in steps if s.name.startswith("checks "))
    accounted = sum(s.seconds for s in steps)
    lines += [
        "",
        f"All ingest steps {ingest:.1f} s, all GX suites {checks:.1f} s, steps together "
        f"{accounted:.1f} s; the rest of the wall time ({full.seconds - accounted:.1f} s) is "
        "loading the Dagster definitions (imports, dbt manifest) and starting the run.",
    ]
    return lines


@contextmanager
def _environment(root: Path, inputs: Inputs) -> Iterator[None]:
    keys = (
        "SOZPLAN_WAREHOUSE_DIR",
        "DAGSTER_HOME",
        "SOZPLAN_TERRITORY_DIR",
        "SOZPLAN_CONTRACTS_DIR",
    )
    saved = {k: os.environ.get(k) for k in keys}
    os.environ["SOZPLAN_WAREHOUSE_DIR"] = str(root)
    os.environ.pop("DAGSTER_HOME", None)  # an ephemeral instance: keep the UI's history clean
    for key, value in (
        ("SOZPLAN_TERRITORY_DIR", inputs.territory),
        ("SOZPLAN_CONTRACTS_DIR", inputs.contracts),
    ):
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = str(value)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def run_bench(
    size: str = "thueringen",
    repeats: int = 30,
    keep: Path | None = None,
    gv_file: Path = DEFAULT_GV,
    generated: Path | None = None,
) -> BenchResult:
    """Run the whole benchmark in a fresh warehouse folder (on the input generated before in
    `generated`, where given: the size's input is then not written again)."""
    if size not in SIZES:
        raise ValueError(f"size {size!r} is not available; sizes: {', '.join(SIZES)}")
    root = Path(tempfile.mkdtemp(prefix="sozplan-bench-")) if keep is None else keep
    root.mkdir(parents=True, exist_ok=True)
    try:
        inputs = prepare_inputs(size, root, gv_file, generated)
        with _environment(root, inputs), MemorySampler().running() as memory:
            from pipelines.refresh import run_refresh

            published = root / "sozialplanung.duckdb"
            _deliver(inputs, root / "inbox")
            phases, full_dbt = [], []
            full_manifest = root / "full_build_manifest.json"
            for name, change, force in (
                ("full refresh from empty", None, True),
                ("refresh, no new input", None, False),
                ("refresh, one source changed", _change_one_source, False),
            ):
                note = change(inputs, root / "inbox") if change else ""
                # what the steps before wrote (the generated input, the last refresh) reaches
                # the disk now, not during the timed phase
                os.sync()
                started = time.time()
                if name == "refresh, no new input":
                    seconds, skipped = _refresh_process()
                    note = _noop_note() if skipped else "not skipped"
                    phases.append(Phase(name, seconds, skipped, 0, memory.peak(started), [], note))
                    continue
                outcome = run_refresh(log_level="WARNING", force=force)
                if not outcome.success or outcome.skipped:
                    raise RuntimeError(f"{name} failed:\n{outcome.summary()}")
                peak = memory.peak(started)
                rows = _table_rows(published)
                stages = _stages(outcome, rows, memory)
                raw = sum(n for t, n in rows.items() if t.startswith("raw."))
                note = "; ".join(x for x in (note, _rebuilt(published)) if x)
                phases.append(Phase(name, outcome.seconds, False, raw, peak, stages, note))
                if not full_dbt:  # the full build: its results, and the SQL it compiled
                    full_dbt = _dbt_results(root)
                    shutil.copyfile(_dbt_file(root, "manifest.json"), full_manifest)
            os.sync()
            ref = reference(inputs.directory, published, full_manifest, root / "reference")
            result = BenchResult(
                size=size,
                inputs=f"{_describe(inputs.directory)}" + _generated_note(inputs, generated),
                phases=phases,
                reference=ref,
                agreement=_agreement(published, root / "reference" / "plain.duckdb"),
                queries=_latency(published, repeats),
                machine=_machine(),
            )
        if result.misses():
            with _environment(root, inputs):
                result.profile = _profile(phases[0], full_dbt, root)
        return result
    finally:
        if keep is None:
            shutil.rmtree(root, ignore_errors=True)


def _refresh_process() -> tuple[float, bool]:
    """`sozplan refresh` as a new process, as a user or a scheduler starts it: (wall seconds,
    whether it skipped)."""
    started = time.perf_counter()
    done = subprocess.run(
        [str(Path(sys.executable).parent / "sozplan"), "refresh", "--log-level", "WARNING"],
        capture_output=True,
        text=True,
    )
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(f"sozplan refresh failed:\n{done.stdout}{done.stderr}")
    return seconds, "refresh skipped" in done.stdout


def _noop_note() -> str:
    return (
        "skipped, nothing rebuilt; it still read the landing manifest and the published "
        "release's fingerprint and hashed contracts, territory, dbt project and code"
    )


def _machine() -> dict[str, str]:
    return {
        "cores": str(os.cpu_count()),
        "memory": f"{_memory_gib():.0f} GiB",
        "python": platform.python_version(),
        "duckdb": duckdb.__version__,
        "dagster / dbt-core / great-expectations": " / ".join(
            version(p) for p in ("dagster", "dbt-core", "great-expectations")
        ),
        "system": platform.platform(),
    }


def write_results(result: BenchResult, directory: Path = RESULTS_DIR) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{date.today().isoformat()}-{result.size}.md"
    path.write_text(result.markdown(), encoding="utf-8")
    return path
