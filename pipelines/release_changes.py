"""What a release changed against the release it replaced.

At publish time the candidate is compared with the published file (attached read-only: readers
may have it open) and the comparison is written into the candidate, in DuckDB SQL:

- `meta.release_change`: one row per change — deliveries added and withdrawn (from
  `meta.source_file`, by sha256), per indicator the periods and regions added or gone, and
  every value of `marts.fct_indicator_value` added, gone or changed, with the deliveries
  behind it (`source`, `file_sha256`, `file_name`; found by source, see `RECORD`).
- `meta.release_change_summary`: per kind the number of changes and of indicators, with the
  previous release.

The first release has nothing to compare with: its deliveries, periods and regions are all
"added". A value that appears or disappears within a period and region the indicator had
before is `value_added` / `value_gone`; one in a new period or region is counted by that
period or region only.

**When a value counts as changed.** The mart publishes doubles and the catalogue names no
rounding, so what an analyst sees is the value itself. Land values summed from non-integer
Kreis values (area, income, converted counts) differ by about 1e-15 of themselves between two
builds of the same input, depending on the order in which DuckDB adds them up; that is not a
change. The smallest real change — one person in a count of up to 100 million — moves a
value by more than 1e-8 of itself. A value changed when its status changed, it became missing
or present, or it moved by more than `RELATIVE_TOLERANCE` of its size (of 1 for values below 1),
i.e. when it differs in its first nine significant digits.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import duckdb

from pipelines.landing import SAMPLE, WITHDRAWN, Landing

KINDS = (
    "delivery_added",
    "delivery_withdrawn",
    "period_added",
    "period_gone",
    "region_added",
    "region_gone",
    "value_changed",
    "value_added",
    "value_gone",
)
LABELS = {  # kind -> (one, several)
    "delivery_added": ("delivery added", "deliveries added"),
    "delivery_withdrawn": ("delivery withdrawn", "deliveries withdrawn"),
    "period_added": ("period added", "periods added"),
    "period_gone": ("period gone", "periods gone"),
    "region_added": ("region added", "regions added"),
    "region_gone": ("region gone", "regions gone"),
    "value_changed": ("value changed", "values changed"),
    "value_added": ("value added", "values added"),
    "value_gone": ("value gone", "values gone"),
}
RELATIVE_TOLERANCE = 1e-9
SAME_DELIVERIES = "same deliveries as before: models, contracts, territory or Gebietsstand changed"
# a change whose values name none of the sources of the deliveries added or withdrawn
UNNAMED = "its values name no source of this release's deliveries: one of these"
PREVIOUS = "rc_previous"  # the published file, attached read-only

DDL = """
create schema if not exists meta;
create or replace table meta.release_change (
    kind varchar not null,
    indicator_id varchar,
    region_key varchar,
    period integer,
    old_value double,
    new_value double,
    old_status varchar,
    new_status varchar,
    source varchar,
    file_sha256 varchar,
    file_name varchar,
    detail varchar
);
create or replace table meta.release_change_summary (
    release varchar,
    previous_release varchar,
    previous_published_at timestamp,
    kind varchar not null,
    changes bigint not null,
    indicators bigint not null
);
create or replace temp macro rc_years(years) as
    case
        when len(years) = 0 then ''
        when list_max(years) = list_min(years) then list_min(years)::varchar
        when list_max(years) - list_min(years) + 1 = len(list_distinct(years))
            then list_min(years)::varchar || '–' || list_max(years)::varchar
        else array_to_string(list_sort(list_distinct(years)), ', ')
    end;
-- the deliveries a fact names: its `source_file_sha256` (one or two hashes, space-separated)
create or replace temp macro rc_shas(source_file_sha256) as
    list_distinct(list_filter(string_split(coalesce(source_file_sha256, ''), ' '),
                              lambda s: s <> ''));
create or replace temp macro rc_periods(periods) as
    list_transform(list_filter(string_split(coalesce(periods, ''), ','), lambda y: y <> ''),
                   lambda y: y::integer);
"""

INPUTS = """
create or replace temp table rc_values as
select 'new' as side, indicator_id, region_key, period, value, value_status, source_file_sha256
from {new_fct}
union all
select 'old', indicator_id, region_key, period, value, value_status, source_file_sha256
from {old_fct};
create or replace temp table rc_files as
select side, source, file_sha256, any_value(file_name) as file_name,
       any_value(periods) as periods
from (select 'new' as side, * from {new_files} union all by name
      select 'old' as side, * from {old_files})
group by all;
create or replace temp table rc_landing (
    source varchar, sha256 varchar, added_note varchar, gone_note varchar
);
"""

# The deliveries added (`side` new) or withdrawn (old), then one row per change with `shas`:
# the deliveries the value (or the values of a period or region) names in either release.
CHANGES = """
create or replace temp table rc_delta as
select if(f.side = 'new', 'delivery_added', 'delivery_withdrawn') as kind, f.source,
       f.file_sha256, f.periods, if(f.side = 'new', l.added_note, l.gone_note) as note
from rc_files f
left join rc_landing l on l.source = f.source and l.sha256 = f.file_sha256
where not exists (select 1 from rc_files o
                  where o.side <> f.side and o.file_sha256 = f.file_sha256);

create or replace temp table rc_change as
with
-- the deliveries behind each change are listed for the changes only (rc_shas per row of a
-- whole release would cost more than the comparison)
by_period as (
    select side, indicator_id, period, count(*) as n from rc_values group by all
),
by_region as (
    select side, indicator_id, region_key from rc_values group by all
),
periods as (
    select if(a.side = 'new', 'period_added', 'period_gone') as kind, a.indicator_id, a.period,
           any_value(a.n) as n, list_distinct(flatten(list(rc_shas(v.source_file_sha256)))) as shas
    from by_period a
    anti join by_period b
        on b.side <> a.side and b.indicator_id = a.indicator_id and b.period = a.period
    inner join rc_values v
        on v.side = a.side and v.indicator_id = a.indicator_id and v.period = a.period
    group by a.side, a.indicator_id, a.period
),
regions as (
    select if(a.side = 'new', 'region_added', 'region_gone') as kind, a.indicator_id,
           a.region_key, list(v.period) as periods,
           list_distinct(flatten(list(rc_shas(v.source_file_sha256)))) as shas
    from by_region a
    anti join by_region b
        on b.side <> a.side and b.indicator_id = a.indicator_id and b.region_key = a.region_key
    inner join rc_values v
        on v.side = a.side and v.indicator_id = a.indicator_id and v.region_key = a.region_key
    group by a.side, a.indicator_id, a.region_key
),
paired as (
    select coalesce(n.indicator_id, o.indicator_id) as indicator_id,
           coalesce(n.region_key, o.region_key) as region_key,
           coalesce(n.period, o.period) as period,
           n.indicator_id is not null as in_new, o.indicator_id is not null as in_old,
           o.value as old_value, n.value as new_value,
           o.value_status as old_status, n.value_status as new_status,
           n.source_file_sha256 as new_sha256, o.source_file_sha256 as old_sha256
    from (from rc_values where side = 'new') n
    full join (from rc_values where side = 'old') o
        on n.indicator_id = o.indicator_id and n.region_key = o.region_key
        and n.period = o.period
),
values_ as (
    select case when not p.in_old then 'value_added'
                when not p.in_new then 'value_gone'
                else 'value_changed' end as kind,
           p.* exclude (new_sha256, old_sha256),
           list_distinct(list_concat(rc_shas(p.new_sha256), rc_shas(p.old_sha256))) as shas
    from paired p
    where (p.in_new and p.in_old and (
               p.old_status is distinct from p.new_status
               or (p.old_value is null) <> (p.new_value is null)
               or abs(p.new_value - p.old_value)
                  > $tolerance * greatest(abs(p.old_value), abs(p.new_value), 1.0)))
       -- a value added or gone where the other release had its period and its region
       or (p.in_new <> p.in_old
           and exists (select 1 from by_period x
                       where x.side = if(p.in_new, 'old', 'new')
                       and x.indicator_id = p.indicator_id and x.period = p.period)
           and exists (select 1 from by_region x
                       where x.side = if(p.in_new, 'old', 'new')
                       and x.indicator_id = p.indicator_id and x.region_key = p.region_key))
)
select kind, null::varchar as indicator_id, null::varchar as region_key, null::integer as period,
       null::double as old_value, null::double as new_value,
       null::varchar as old_status, null::varchar as new_status,
       [file_sha256] as shas, true as is_delivery,
       concat_ws('; ', 'periods ' || nullif(rc_years(rc_periods(periods)), ''), note) as detail
from rc_delta
union all
select kind, indicator_id, null, period, null, null, null, null, shas, false,
       n || if(n = 1, ' region', ' regions')
from periods
union all
select kind, indicator_id, region_key, null, null, null, null, null, shas, false,
       'periods ' || rc_years(periods)
from regions
union all
select kind, indicator_id, region_key, period, old_value, new_value, old_status, new_status,
       shas, false, null
from values_
"""

# The delivery behind each change. The mart names one file per measure (where a measure
# combines files or a Land value sums Kreise delivered by several files, one of them), so a
# change is traced to the deliveries added or withdrawn in this release of the *sources* its
# values name in either release — those holding its period where any do.
RECORD = """
insert into meta.release_change
with
files as (
    select file_sha256, any_value(source) as source, any_value(file_name) as file_name
    from rc_files
    group by all
),
names as (
    select map(coalesce(list(file_sha256), []::varchar[]),
               coalesce(list(source), []::varchar[])) as source_of,
           map(coalesce(list(file_sha256), []::varchar[]),
               coalesce(list(file_name), []::varchar[])) as name_of
    from files
),
delta as (
    select coalesce(list({'sha': file_sha256, 'source': source,
                          'years': rc_periods(periods)}), []) as deliveries
    from rc_delta
),
feeding as (
    select c.*,
           list_filter(delta.deliveries, lambda d: list_contains(
               list_transform(c.shas, lambda s: names.source_of[s]), d.source)) as feeding
    from rc_change c, names, delta
),
caused as (
    select f.*,
           case
               when f.is_delivery then f.shas
               when len(f.feeding) > 0 then list_transform(
                   coalesce(nullif(list_filter(f.feeding,
                                               lambda d: list_contains(d.years, f.period)), []),
                            f.feeding),
                   lambda d: d.sha)
               else list_transform(delta.deliveries, lambda d: d.sha)
           end as cause,
           case
               when f.is_delivery or len(f.feeding) > 0 then f.detail
               when len(delta.deliveries) = 0 then concat_ws('; ', f.detail, $same)
               else concat_ws('; ', f.detail, $unnamed)
           end as why
    from feeding f, delta
)
select c.kind, c.indicator_id, c.region_key, c.period, c.old_value, c.new_value,
       c.old_status, c.new_status,
       nullif(array_to_string(list_sort(list_distinct(
           list_transform(c.cause, lambda s: names.source_of[s]))), ' '), ''),
       nullif(array_to_string(list_sort(c.cause), ' '), ''),
       nullif(array_to_string(list_transform(list_sort(c.cause),
           lambda s: coalesce(names.name_of[s], s[:12])), ', '), ''),
       nullif(c.why, '')
from caused c, names
order by list_position($kinds, c.kind), c.indicator_id, c.region_key, c.period, 9, 10
"""

SUMMARY = """
insert into meta.release_change_summary
select $release, $previous_release, $previous_published_at, k.kind,
       count(c.kind), count(distinct c.indicator_id)
from (select unnest($kinds) as kind, generate_subscripts($kinds, 1) as position) k
left join meta.release_change c on c.kind = k.kind
group by k.kind, k.position
order by k.position
"""

TEMP_TABLES = ("rc_values", "rc_files", "rc_landing", "rc_delta", "rc_change")


def record_changes(
    con: duckdb.DuckDBPyConnection, published: Path, manifest: Sequence[Landing] = ()
) -> dict[str, int]:
    """Write `meta.release_change` and `meta.release_change_summary` into the candidate `con`.

    `published` is the file the candidate replaces (absent for the first release); it is
    attached read-only. `manifest` (the landing manifest's rows) adds to each delivery how it
    came and, for a withdrawn one, why. Returns the number of changes per kind.
    """
    con.execute(DDL)
    previous = published.is_file()
    if previous:
        quoted = str(published).replace("'", "''")
        con.execute(f"attach '{quoted}' as {PREVIOUS} (read_only)")
    try:
        con.execute(
            INPUTS.format(
                new_fct="marts.fct_indicator_value",
                new_files="meta.source_file",
                old_fct=_previous_table(con, previous, "marts", "fct_indicator_value"),
                old_files=_previous_table(con, previous, "meta", "source_file"),
            )
        )
        notes = _landing_notes(manifest)
        if notes:
            con.executemany("insert into rc_landing values (?, ?, ?, ?)", notes)
        con.execute(CHANGES, {"tolerance": RELATIVE_TOLERANCE})
        con.execute(RECORD, {"kinds": list(KINDS), "same": SAME_DELIVERIES, "unnamed": UNNAMED})
        before = _release_row(con, PREVIOUS) if previous else (None, None)
        con.execute(
            SUMMARY,
            {
                "release": _release_row(con)[0],
                "previous_release": before[0],
                "previous_published_at": before[1],
                "kinds": list(KINDS),
            },
        )
    finally:
        for table in TEMP_TABLES:
            con.execute(f"drop table if exists temp.{table}")
        if previous:
            con.execute(f"detach {PREVIOUS}")
    return dict(con.execute("select kind, changes from meta.release_change_summary").fetchall())


def _exists(con: duckdb.DuckDBPyConnection, database: str, schema: str, table: str) -> bool:
    return bool(
        con.execute(
            "select count(*) from duckdb_tables() "
            "where database_name = ? and schema_name = ? and table_name = ?",
            [database, schema, table],
        ).fetchone()[0]
    )


def _previous_table(con: duckdb.DuckDBPyConnection, previous: bool, schema: str, table: str) -> str:
    """The previous release's table, or an empty one of the candidate's shape."""
    if previous and _exists(con, PREVIOUS, schema, table):
        return f"{PREVIOUS}.{schema}.{table}"
    return f"(from {schema}.{table} limit 0)"


def _release_row(
    con: duckdb.DuckDBPyConnection, database: str | None = None
) -> tuple[str | None, datetime | None]:
    """Release id and publication time from `meta.release` of `database` (default: current)."""
    database = database or con.execute("select current_database()").fetchone()[0]
    if not _exists(con, database, "meta", "release"):
        return None, None
    row = con.execute(f'select release, published_at from "{database}".meta.release').fetchone()
    return (row[0], row[1]) if row else (None, None)


def _landing_notes(manifest: Sequence[Landing]) -> list[tuple[str, str, str, str]]:
    """Per delivery (source, sha256): how it came, and why it is no longer read."""
    first: dict[tuple[str, str], Landing] = {}
    last: dict[tuple[str, str], Landing] = {}
    for row in manifest:
        first.setdefault((row.source, row.sha256), row)
        last[(row.source, row.sha256)] = row
    notes = []
    for key, came in first.items():
        latest = last[key]
        if came.how == SAMPLE:
            added, gone = SAMPLE, f"{SAMPLE}, no longer read"
        else:
            added = f"landed {latest.landed_at[:10]} ({came.how})"
            gone = "no longer read"
        if latest.event == WITHDRAWN:
            gone = f"withdrawn {latest.landed_at[:10]}: {latest.reason}"
        notes.append((*key, added, gone))
    return notes


# Reading the record back: `sozplan changes`, `sozplan releases`, the refresh summary.


@dataclass
class ReleaseChanges:
    """The change record of one release file."""

    release: str | None
    published_at: datetime | None
    previous_release: str | None
    previous_published_at: datetime | None
    counts: dict[str, int]
    indicators: dict[str, int]
    columns: list[str]
    rows: list[tuple]

    def of_kind(self, kind: str) -> list[dict]:
        return [dict(zip(self.columns, row, strict=True)) for row in self.rows if row[0] == kind]

    def phrases(self) -> list[str]:
        """'1 delivery added', '22 values changed', … for every kind with changes."""
        return [
            f"{n:,} {LABELS[kind][0] if n == 1 else LABELS[kind][1]}"
            for kind, n in self.counts.items()
            if n
        ]


def read_changes(con: duckdb.DuckDBPyConnection) -> ReleaseChanges | None:
    """The change record in an open release file; None when it has none (an older release)."""
    database = con.execute("select current_database()").fetchone()[0]
    if not _exists(con, database, "meta", "release_change_summary"):
        return None
    summary = con.execute(
        "select release, previous_release, previous_published_at, kind, changes, indicators "
        "from meta.release_change_summary"
    ).fetchall()
    release, published_at = _release_row(con)
    cursor = con.execute(
        f"""
        select c.*, r.name as region_name
        from meta.release_change c
        left join {_region_table(con, database)} r on r.region_key = c.region_key
        order by list_position($kinds, c.kind), c.indicator_id, c.region_key, c.period,
                 c.source, c.file_sha256
        """,
        {"kinds": list(KINDS)},
    )
    columns = [d[0] for d in cursor.description]
    return ReleaseChanges(
        release=release or (summary[0][0] if summary else None),
        published_at=published_at,
        previous_release=summary[0][1] if summary else None,
        previous_published_at=summary[0][2] if summary else None,
        counts={kind: n for *_, kind, n, _i in summary},
        indicators={kind: i for *_, kind, _n, i in summary},
        columns=columns,
        rows=cursor.fetchall(),
    )


def _region_table(con: duckdb.DuckDBPyConnection, database: str) -> str:
    if _exists(con, database, "marts", "dim_region"):
        return "marts.dim_region"
    return "(select null::varchar as region_key, null::varchar as name)"


def _examples(items: list[str], most: int = 3) -> str:
    """The most frequent items first, with how often each occurs when more than once."""
    counts: dict[str, int] = {}
    for item in items:
        counts[item] = counts.get(item, 0) + 1
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    shown = [f"{item} ×{n}" if n > 1 else item for item, n in ranked[:most]]
    return ", ".join(shown) + (", …" if len(ranked) > most else "")


def headline(changes: ReleaseChanges) -> str:
    """One line: what the release changed against the one it replaced."""
    if changes.previous_release is None:
        deliveries = changes.counts.get("delivery_added", 0)
        return (
            f"first release: nothing to compare with ({deliveries:,} deliveries, "
            f"{changes.indicators.get('period_added', 0):,} indicators)"
        )
    phrases = changes.phrases()
    if not phrases:
        return (
            f"no changes against release {changes.previous_release}: the same deliveries, "
            "no published value changed"
        )
    return f"changes against release {changes.previous_release}: {', '.join(phrases)}"


def digest_lines(published_path: Path) -> list[str]:
    """A short digest of what the release at `published_path` changed, for the end of the
    refresh summary (the first line unindented, the others by two spaces; empty when the file
    has no change record).

    The first line names the release it replaced and counts the changes per kind
    ("changes against release 20261201T…: 1 delivery added, 4 values changed"); one line per
    kind with changes follows with a few examples (deliveries by source and file name,
    periods and regions with the number of indicators, values by indicator). `sozplan
    changes` lists every change.
    """
    if not published_path.is_file():
        return []
    with duckdb.connect(str(published_path), read_only=True) as con:
        changes = read_changes(con)
    if changes is None:
        return []
    lines = [headline(changes)]
    if changes.previous_release is None or not changes.phrases():
        return lines
    for kind, n in changes.counts.items():
        if not n:
            continue
        rows = changes.of_kind(kind)
        if kind.startswith("delivery"):
            items = [f"{r['source']} {r['file_name']}" for r in rows]
        elif kind.startswith("period"):
            items = [str(r["period"]) for r in rows]
        elif kind.startswith("region"):
            items = [r["region_key"] for r in rows]
        else:
            items = [r["indicator_id"] for r in rows]
        lines.append(f"  {LABELS[kind][1]}: {_examples(items)}")
    lines.append("  `sozplan changes` lists every change")
    return lines


def _number(value: float | None, status: str | None) -> str:
    if value is None:
        return status or "missing"
    return f"{value:.10g}" + (f" ({status})" if status else "")


def _region(row: dict) -> str:
    return " ".join(x for x in (row["region_key"], row["region_name"]) if x)


def _delivery(row: dict) -> str:
    return row["file_name"] or row["detail"] or ""


TEXT_COLUMNS = {  # the columns `sozplan changes` shows per group of kinds
    "delivery": (
        ["source", "file", "sha256", "detail"],
        lambda r: [r["source"], r["file_name"], (r["file_sha256"] or "")[:12], r["detail"]],
    ),
    "period": (
        ["indicator", "period", "regions", "delivery"],
        lambda r: [r["indicator_id"], r["period"], r["detail"], r["file_name"] or ""],
    ),
    "region": (
        ["indicator", "region", "periods", "delivery"],
        lambda r: [r["indicator_id"], _region(r), r["detail"], r["file_name"] or ""],
    ),
    "value": (
        ["indicator", "region", "period", "old → new", "delivery"],
        lambda r: [
            r["indicator_id"],
            _region(r),
            r["period"],
            f"{_number(r['old_value'], r['old_status'])} → "
            f"{_number(r['new_value'], r['new_status'])}",
            _delivery(r),
        ],
    ),
}


def _when(at: datetime | None) -> str:
    return f", published {at:%Y-%m-%d %H:%M:%S} UTC" if at else ""


def report_lines(changes: ReleaseChanges, limit: int | None = 20) -> list[str]:
    """`sozplan changes`: the changes grouped by kind, at most `limit` per kind (None: all)."""
    from tabulate import tabulate

    lines = [f"release {changes.release}{_when(changes.published_at)}", headline(changes)]
    for kind, n in changes.counts.items():
        if not n:
            continue
        headers, cells = TEXT_COLUMNS[kind.split("_")[0]]
        rows = changes.of_kind(kind)
        shown = rows if limit is None else rows[:limit]
        table = tabulate([cells(r) for r in shown], headers=headers, tablefmt="plain")
        lines += ["", f"{LABELS[kind][1]} ({n:,})"]
        lines += [f"  {line}" for line in table.splitlines()]
        if len(rows) > len(shown):
            lines.append(
                f"  … {len(rows) - len(shown):,} more (`sozplan changes --all` lists them)"
            )
    return lines


@dataclass
class ReleaseFacts:
    """What `sozplan releases` shows of one release file."""

    release: str | None
    published_at: datetime | None
    deliveries: int | None
    rows: dict[str, int]
    changes: ReleaseChanges | None
    problem: str | None = None

    def change_text(self) -> str:
        if self.problem:
            return self.problem
        if self.changes is None:
            return "not recorded"
        if self.changes.previous_release is None:
            return "first release"
        return ", ".join(self.changes.phrases()) or "no changes"


def release_facts(path: Path, tables: Sequence[str]) -> ReleaseFacts:
    """Release id, publication time, deliveries, rows of `tables` and changes of a file."""
    try:
        with duckdb.connect(str(path), read_only=True) as con:
            release, published_at = _release_row(con)
            database = con.execute("select current_database()").fetchone()[0]
            deliveries = (
                con.execute("select count(*) from meta.source_file").fetchone()[0]
                if _exists(con, database, "meta", "source_file")
                else None
            )
            rows = {t: con.execute(f"select count(*) from {t}").fetchone()[0] for t in tables}
            return ReleaseFacts(release, published_at, deliveries, rows, read_changes(con))
    except duckdb.Error as exc:
        problem = f"unreadable: {str(exc).splitlines()[0]}"
        return ReleaseFacts(None, None, None, {}, None, problem)
