"""`sozplan bench`: what a refresh costs and where the time goes, on the bundled sample.

In one go, in a fresh warehouse folder: (1) a full refresh from empty, (2) a refresh with no
new input (it must skip), (3) a refresh after one source file changed, each with wall seconds,
seconds per step, rows per second and peak memory; (4) a reference — the same raw files read
and the same indicators computed by a plain DuckDB SQL script, no orchestration and no checks
— and the ratio to it; (5) analyst query latency on the published warehouse (median, p95).
Results are printed and written to `bench/results/<date>-<size>.md`. The phases run in one
process, so the no-op phase shows the check alone (a new process adds about 2 s of imports).

Sizes: `thueringen` is the bundled sample. The Germany-scale inputs are not built yet.
"""

from __future__ import annotations

import os
import platform
import resource
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import duckdb

from pipelines.paths import PROJECT_ROOT, SAMPLE_DIR

RESULTS_DIR = PROJECT_ROOT / "bench" / "results"
SIZES = ("thueringen",)

# The reference: population, SGB II quota and unemployment rate per Kreis and year straight
# from the delivered files with DuckDB alone (on the map of each year, as delivered).
# DuckDB reads the empty attribute code of GENESIS "Insgesamt" rows as NULL.
REFERENCE_SQL = """
with pop as (
    select "1_variable_attribute_code" as region_key, left("time", 4)::int as period,
        sum(value::bigint) filter (where "3_variable_attribute_code" is null) as pop_total,
        sum(value::bigint) filter (where "3_variable_attribute_code" in (
            'ALT000B03','ALT003B06','ALT006B10','ALT010B15','ALT015B18','ALT018B20','ALT020B25',
            'ALT025B30','ALT030B35','ALT035B40','ALT040B45','ALT045B50','ALT050B55','ALT055B60',
            'ALT060B65')) as pop_u65
    from read_csv('{population}', delim=';', header=true, all_varchar=true)
    where "2_variable_attribute_code" is null and value <> '-'
    group by all
),
sgb2 as (
    select "1_variable_attribute_code" as region_key, "time"::int as period, value::bigint as lb
    from read_csv('{sgb2}', delim=';', header=true, all_varchar=true)
    where value_variable_code = 'LB' and "2_variable_attribute_code" is null and value <> '-'
),
alo as (
    select "1_variable_attribute_code" as region_key, "time"::int as period,
        sum(value::bigint) filter (where value_variable_code = 'ERW003') as unemployed,
        sum(value::bigint) filter (where value_variable_code = 'ERWZIV') as labour_force
    from read_csv('{unemployment}', delim=';', header=true, all_varchar=true)
    where value_variable_code in ('ERW003', 'ERWZIV') and value <> '-'
    group by all
)
select 'population' as indicator_id, region_key, period, pop_total::double as value from pop
union all
select 'sgb2_quota', region_key, period, 100.0 * lb / pop_u65
from pop join sgb2 using (region_key, period)
union all
select 'unemployment_rate', region_key, period, 100.0 * unemployed / labour_force from alo
"""

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


@dataclass
class Phase:
    name: str
    seconds: float
    skipped: bool
    rows: int
    step_seconds: dict[str, float] = field(default_factory=dict)
    note: str = ""


@dataclass
class BenchResult:
    size: str
    phases: list[Phase]
    reference_seconds: float
    reference_rows: int
    agreement: tuple[int, float]  # values compared, largest absolute difference
    queries: dict[str, tuple[float, float]]  # name -> (median ms, p95 ms)
    peak_rss_mb: float
    machine: dict[str, str]

    def markdown(self) -> str:
        full = self.phases[0]
        lines = [
            f"# Benchmark {date.today().isoformat()} — size `{self.size}`",
            "",
            "| machine | |",
            "|---|---|",
            *(f"| {k} | {v} |" for k, v in self.machine.items()),
            "",
            "| phase | wall s | rows | rows/s | ratio to plain DuckDB | note |",
            "|---|---|---|---|---|---|",
        ]
        for p in self.phases:
            rate = f"{p.rows / p.seconds:,.0f}" if p.rows and not p.skipped else "–"
            ratio = f"{p.seconds / self.reference_seconds:.0f}×" if self.reference_seconds else "–"
            lines.append(
                f"| {p.name} | {p.seconds:.1f} | {p.rows:,} | {rate} | {ratio} | {p.note} |"
            )
        lines += [
            f"| plain DuckDB reference | {self.reference_seconds:.2f} | {self.reference_rows:,} "
            f"| {self.reference_rows / self.reference_seconds:,.0f} | 1× | read_csv + SQL |",
            "",
            "Peak memory (max RSS of this process and of its children): "
            f"{self.peak_rss_mb:,.0f} MB",
            "",
            "Reference and pipeline agree on "
            f"{self.agreement[0]:,} values (largest difference {self.agreement[1]:.2e}).",
            "",
            "| step of the full refresh | wall s |",
            "|---|---|",
            *(
                f"| {step} | {s:.2f} |"
                for step, s in sorted(full.step_seconds.items(), key=lambda kv: -kv[1])
            ),
            "",
            "| analyst query | median ms | p95 ms |",
            "|---|---|---|",
            *(f"| {q} | {m:.1f} | {p:.1f} |" for q, (m, p) in self.queries.items()),
            "",
            "The reference reads 3 of the sources and computes 3 indicators; the refresh reads",
            "every source, computes every indicator and runs every check, so the ratio overstates",
            "the overhead per value. Targets: no-op refresh under 5 s; analyst queries under",
            "50 ms median. The full refresh misses 2× the reference by far on this small sample:",
            "its cost is fixed start-up (Dagster and great-expectations imports, dbt parse —",
            "see the steps above), not data. Germany-scale inputs are not built yet.",
        ]
        return "\n".join(lines) + "\n"


def _timed(fn: Callable[[], object]) -> tuple[float, object]:
    started = time.perf_counter()
    value = fn()
    return time.perf_counter() - started, value


def _peak_rss_mb() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(own, children) / 1024


def _memory_gib() -> float:
    return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30


def _raw_rows(published: Path) -> int:
    with duckdb.connect(str(published), read_only=True) as con:
        tables = con.execute(
            "select table_name from information_schema.tables where table_schema = 'raw'"
        ).fetchall()
        return sum(con.execute(f"select count(*) from raw.{t}").fetchone()[0] for (t,) in tables)


def reference(sample_dir: Path = SAMPLE_DIR) -> tuple[float, list[tuple]]:
    """The plain DuckDB computation and its seconds."""
    sql = REFERENCE_SQL.format(
        population=sample_dir / "12411-02-03-4_de_flat.csv",
        sgb2=sample_dir / "SGB2-01-4_de_flat.csv",
        unemployment=sample_dir / "13211-02-05-4_de_flat.csv",
    )
    with duckdb.connect() as con:
        seconds, rows = _timed(lambda: con.execute(sql).fetchall())
    return seconds, rows


def _agreement(published: Path, rows: list[tuple]) -> tuple[int, float]:
    """Compare on 2021–2024, where the map of the year is today's map (no conversion)."""
    ref = {(i, r, p): v for i, r, p, v in rows if p >= 2021}
    with duckdb.connect(str(published), read_only=True) as con:
        ours = con.execute(
            "select indicator_id, region_key, period, value from marts.fct_indicator_value "
            "where period >= 2021 and length(region_key) = 5 "
            "and indicator_id in ('population', 'sgb2_quota', 'unemployment_rate')"
        ).fetchall()
    diffs = [abs(v - ref[(i, r, p)]) for i, r, p, v in ours if (i, r, p) in ref]
    if not ref or len(diffs) != len(ref) or len(ours) != len(ref):
        raise AssertionError(f"reference has {len(ref)} values, the warehouse {len(diffs)}")
    return len(diffs), max(diffs)


def _latency(published: Path, repeats: int) -> dict[str, tuple[float, float]]:
    out = {}
    with duckdb.connect(str(published), read_only=True) as con:
        for name, sql in QUERIES.items():
            con.execute(sql).fetchall()  # warm
            times = []
            for _ in range(repeats):
                seconds, _rows = _timed(lambda sql=sql: con.execute(sql).fetchall())
                times.append(seconds * 1000)
            times.sort()
            out[name] = (
                statistics.median(times),
                times[min(len(times) - 1, int(0.95 * len(times)))],
            )
    return out


def _change_one_source(warehouse: Path) -> str:
    """Drop a new delivery of the unemployment table (one value one person higher)."""
    lines = (SAMPLE_DIR / "13211-02-05-4_de_flat.csv").read_text(encoding="utf-8-sig").split("\n")
    header = lines[0].split(";")
    at = next(i for i, line in enumerate(lines) if ";16077;" in line and ";ERW003;" in line)
    fields = lines[at].split(";")
    value = header.index("value")
    fields[value] = str(int(fields[value]) + 1)
    lines[at] = ";".join(fields)
    inbox = warehouse / "inbox"
    inbox.mkdir(exist_ok=True)
    (inbox / "13211-02-05-4_bench_de_flat.csv").write_text(
        "\ufeff" + "\n".join(lines), encoding="utf-8"
    )
    return "13211-02-05-4 (unemployment), one value changed"


def run_bench(size: str = "thueringen", repeats: int = 30, keep: Path | None = None) -> BenchResult:
    """Run the whole benchmark in a fresh warehouse folder."""
    if size not in SIZES:
        raise ValueError(f"size {size!r} is not available here; sizes: {', '.join(SIZES)}")
    from pipelines.refresh import run_refresh

    root = Path(tempfile.mkdtemp(prefix="sozplan-bench-")) if keep is None else keep
    saved = {k: os.environ.get(k) for k in ("SOZPLAN_WAREHOUSE_DIR", "DAGSTER_HOME")}
    os.environ["SOZPLAN_WAREHOUSE_DIR"] = str(root)
    os.environ.pop("DAGSTER_HOME", None)  # an ephemeral instance: keep the UI's history clean
    try:
        phases = []
        for name, prepare, force in (
            ("full refresh from empty", None, True),
            ("refresh, no new input", None, False),
            ("refresh, one source changed", _change_one_source, False),
        ):
            note = prepare(root) if prepare else ""
            outcome = run_refresh(log_level="WARNING", force=force)
            if not outcome.success:
                raise RuntimeError(f"{name} failed:\n{outcome.summary()}")
            rows = 0 if outcome.skipped else _raw_rows(root / "sozialplanung.duckdb")
            if outcome.skipped:
                note = "skipped: nothing rebuilt"
            elif force is False:
                note = f"{note}; rebuilt everything (no per-source increments yet)"
            phases.append(
                Phase(name, outcome.seconds, outcome.skipped, rows, outcome.step_seconds, note)
            )
        ref_seconds, ref_rows = reference()
        published = root / "sozialplanung.duckdb"
        return BenchResult(
            size=size,
            phases=phases,
            reference_seconds=ref_seconds,
            reference_rows=sum(1 for _ in ref_rows),
            agreement=_agreement(published, ref_rows),
            queries=_latency(published, repeats),
            peak_rss_mb=_peak_rss_mb(),
            machine={
                "cores": str(os.cpu_count()),
                "memory": f"{_memory_gib():.0f} GiB",
                "python": platform.python_version(),
                "duckdb": duckdb.__version__,
                "system": platform.platform(),
            },
        )
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        if keep is None:
            shutil.rmtree(root, ignore_errors=True)


def write_results(result: BenchResult, directory: Path = RESULTS_DIR) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{date.today().isoformat()}-{result.size}.md"
    path.write_text(result.markdown(), encoding="utf-8")
    return path
