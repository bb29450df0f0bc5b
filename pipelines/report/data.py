"""The report model: what a Kreisprofil or the Landesübersicht shows, read from the published
release only (read-only, through the query door's locked-down connection).

Everything the HTML and the PDF print comes from here as plain dataclasses, so both show the
same numbers. A missing value keeps its special sign (`value_status`) and is never a zero.
Which indicators a report leads with is decided in one place: `HEADLINE_INDICATORS`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import duckdb

from pipelines.paths import WarehousePaths

# The indicators the report leads with, in this order (ids of data_contracts/indicators/).
# Add one here: it gets a headline row, a time-series chart, a ranking table and, if it is in
# MAP_INDICATORS too, a map.
HEADLINE_INDICATORS: tuple[str, ...] = (
    "population",
    "population_change_5y",
    "share_under_18",
    "share_65_plus",
    "sgb2_quota",
    "child_poverty",
    "unemployment_rate",
    "long_term_unemployed_share",
    "childcare_rate_u3",
    "disposable_income_per_inhabitant",
)
# The headline indicators drawn as a map of the Kreise (a few: each is a page in the PDF).
MAP_INDICATORS: tuple[str, ...] = ("sgb2_quota", "child_poverty", "unemployment_rate")
# Indicators shown for the Gemeinden of a Kreis (those published down to the Gemeinde).
GEMEINDE_INDICATORS: tuple[str, ...] = ("population",)
REPORT_LEVELS = ("land", "kreis")


class ReportError(Exception):
    """What the planner is told when a report cannot be made (no stack trace)."""


@dataclass(frozen=True)
class Region:
    key: str
    name: str
    level: str  # land or kreis
    kreis_type: str | None = None


@dataclass(frozen=True)
class Indicator:
    id: str
    title: str
    unit: str
    polarity: str
    polarity_de: str
    topic: str
    source_statistics: str
    licence: str
    attribution: str


@dataclass(frozen=True)
class Headline:
    """One indicator of the region in the report year, beside the Land and the Kreise."""

    indicator: Indicator
    period: int
    value: float | None
    status: str | None  # the special sign replacing a missing value
    land_value: float | None
    rank: int | None  # among the Kreise, 1 = best by polarity (neutral: highest first)
    kreise: int | None  # how many Kreise have a value (the rank's "of")
    change_1y: float | None
    change_5y: float | None


@dataclass(frozen=True)
class SeriesPoint:
    period: int
    value: float | None
    status: str | None
    land_value: float | None
    kreis_min: float | None
    kreis_max: float | None


@dataclass(frozen=True)
class Series:
    indicator: Indicator
    points: tuple[SeriesPoint, ...]


@dataclass(frozen=True)
class KreisValue:
    key: str
    name: str
    value: float | None
    status: str | None
    rank: int | None


@dataclass(frozen=True)
class KreisValues:
    """One indicator for every Kreis in the report year: a map or a ranking table."""

    indicator: Indicator
    period: int
    rows: tuple[KreisValue, ...]  # by rank (missing values last)


@dataclass(frozen=True)
class SmallAreaValue:
    """An indicator of a Gemeinde: value (or sign) and change against five years before."""

    value: float | None
    status: str | None
    change_5y: float | None


@dataclass(frozen=True)
class Gemeinde:
    key: str
    name: str
    values: dict[str, SmallAreaValue]  # indicator id -> value


@dataclass(frozen=True)
class Sozialraum:
    key: str
    name: str
    city: str
    population: float | None
    transfer_share: float | None
    child_poverty_share: float | None
    unemployment_share: float | None
    status_index: float | None
    status_class: str
    status_class_de: str
    dynamics_class: str
    dynamics_class_de: str
    exclusion_reason_de: str | None


@dataclass(frozen=True)
class Label:
    code: str
    label: str
    meaning: str


@dataclass(frozen=True)
class Goal:
    region_key: str
    region_name: str
    indicator: Indicator
    note: str
    baseline_year: int | None
    baseline_value: float | None
    target_year: int | None
    target_value: float | None
    latest_year: int | None
    latest_value: float | None
    path_value: float | None
    status: str
    status_de: str


@dataclass(frozen=True)
class DisparityPoint:
    period: int
    kreise: int | None
    min_value: float | None
    max_value: float | None
    max_min_ratio: float | None
    coefficient_of_variation: float | None


@dataclass(frozen=True)
class Disparity:
    indicator: Indicator
    points: tuple[DisparityPoint, ...]


@dataclass(frozen=True)
class Footnotes:
    release: str
    published_at: datetime | None
    gebietsstand: date | None
    indicators: tuple[Indicator, ...]  # every indicator the report shows: sources, licence
    signs: tuple[Label, ...]  # the special signs (Zeichenerklärung)

    @property
    def attributions(self) -> list[str]:
        """Each attribution text once (several sources of one indicator are joined by |)."""
        seen: dict[str, None] = {}
        for indicator in self.indicators:
            for part in indicator.attribution.split("|"):
                if part.strip():
                    seen.setdefault(part.strip(), None)
        return list(seen)


@dataclass(frozen=True)
class Report:
    region: Region
    land: Region
    year: int
    years: tuple[int, ...]  # the periods with data for the region
    headlines: tuple[Headline, ...]
    series: tuple[Series, ...]
    maps: tuple[KreisValues, ...]
    footnotes: Footnotes
    goals: tuple[Goal, ...] = ()
    gemeinden: tuple[Gemeinde, ...] = ()
    sozialraeume: tuple[Sozialraum, ...] = ()
    sozialraum_year: int | None = None
    status_classes: tuple[Label, ...] = ()
    dynamics_classes: tuple[Label, ...] = ()
    rankings: tuple[KreisValues, ...] = ()
    disparity: tuple[Disparity, ...] = ()
    polarities: tuple[Label, ...] = ()

    @property
    def is_land(self) -> bool:
        return self.region.level == "land"

    @property
    def title(self) -> str:
        if self.is_land:
            return f"Landesübersicht {self.region.name} {self.year}"
        return f"Kreisprofil {self.region.name} {self.year}"

    @property
    def file_stem(self) -> str:
        kind = "landesuebersicht" if self.is_land else "kreisprofil"
        return f"{kind}_{self.region.key}_{self.year}"


# --- reading --------------------------------------------------------------------------------


def load_report(
    region_key: str, year: int | None = None, paths: WarehousePaths | None = None
) -> Report:
    """The report of the Land or a Kreis for `year` (default: the newest year with data).

    Raises ReportError for an unknown key, a region below the Kreis, a year without data or
    when no warehouse is published.
    """
    from pipelines.query import QueryError, open_published

    try:
        with open_published(paths) as warehouse:
            return _Reader(warehouse.con).report(region_key.strip(), year)
    except QueryError as exc:
        raise ReportError(str(exc)) from None


class _Reader:
    """Queries of one report on the published file's connection."""

    def __init__(self, con: duckdb.DuckDBPyConnection):
        self.con = con
        self.labels = self._labels()

    def rows(self, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        cursor = self.con.execute(sql, list(params))
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]

    def _labels(self) -> dict[tuple[str, str], Label]:
        """German labels and meanings of the marts' codes (seed reference.label_de)."""
        try:
            found = self.rows("select kind, code, label_de, meaning_de from reference.label_de")
        except duckdb.CatalogException:  # a release from before the labels
            return {}
        return {
            (r["kind"], r["code"]): Label(r["code"], r["label_de"], r["meaning_de"] or "")
            for r in found
        }

    def label(self, kind: str, code: str | None) -> str:
        if code is None:
            return ""
        found = self.labels.get((kind, code))
        return found.label if found else code

    def legend(self, kind: str, codes: Sequence[str]) -> tuple[Label, ...]:
        return tuple(self.labels.get((kind, c)) or Label(c, c, "") for c in codes)

    # the report ---------------------------------------------------------------------------

    def report(self, key: str, year: int | None) -> Report:
        release = self.rows("select release, published_at, gebietsstand from meta.release")
        if not release:
            raise ReportError("the published warehouse records no release (meta.release)")
        region = self.region(key, release[0]["gebietsstand"])
        land = region if region.level == "land" else self.land_of(region)
        years = tuple(
            r["period"]
            for r in self.rows(
                "select distinct period from marts.fct_indicator_value "
                "where region_key = ? and value is not null order by period",
                [key],
            )
        )
        if not years:
            raise ReportError(f"the published release has no values for {key} {region.name}")
        if year is None:
            year = years[-1]
        elif year not in years:
            raise ReportError(
                f"no data for {region.name} in {year}; years with data: {_years_text(years)}"
            )
        indicators = self.indicators()
        missing = [i for i in HEADLINE_INDICATORS if i not in indicators]
        if missing:
            raise ReportError(
                "the published release lacks the headline indicators " + ", ".join(missing)
            )
        shown = [indicators[i] for i in HEADLINE_INDICATORS]
        signs = self.legend("value_status", ["-", ".", "/", "x", "..."])
        footnotes = Footnotes(
            release=release[0]["release"],
            published_at=release[0]["published_at"],
            gebietsstand=release[0]["gebietsstand"],
            indicators=tuple(shown),
            signs=signs,
        )
        common: dict[str, Any] = dict(
            region=region,
            land=land,
            year=year,
            years=years,
            headlines=self.headlines(region, year, indicators),
            series=self.series(region, land, indicators),
            maps=tuple(self.kreis_values(indicators[i], year) for i in MAP_INDICATORS),
            footnotes=footnotes,
            goals=self.goals(region, indicators),
            polarities=self.legend("polarity", ["higher_is_worse", "higher_is_better", "neutral"]),
        )
        if region.level == "land":
            return Report(
                **common,
                rankings=tuple(self.kreis_values(indicators[i], year) for i in HEADLINE_INDICATORS),
                disparity=self.disparity(indicators),
            )
        sozialraeume, sozialraum_year = self.sozialraeume(region, year)
        return Report(
            **common,
            gemeinden=self.gemeinden(region, year),
            sozialraeume=sozialraeume,
            sozialraum_year=sozialraum_year,
            status_classes=self.legend(
                "status_class", ["high", "medium", "low", "very low", "not classified"]
            ),
            dynamics_classes=self.legend(
                "dynamics_class", ["positive", "stable", "negative", "not classified"]
            ),
        )

    def region(self, key: str, gebietsstand: date | None) -> Region:
        found = self.rows(
            "select region_key, name, level, kreis_type, parent_key, valid_to "
            "from marts.dim_region where region_key = ?",
            [key],
        )
        if not found:
            raise ReportError(f"no region with the key {key!r}; " + self._candidates(key))
        row = found[0]
        if row["level"] not in REPORT_LEVELS:
            raise ReportError(
                f"{key} {row['name']} is a {row['level']}: reports are made for the Land and the "
                f"Kreise (its Kreis: {self._kreis_of(key)})"
            )
        if row["valid_to"] is not None and gebietsstand and row["valid_to"] < gebietsstand:
            raise ReportError(
                f"{key} {row['name']} no longer exists on the release's Gebietsstand "
                f"{gebietsstand:%d.%m.%Y} (valid until {row['valid_to']:%d.%m.%Y}); "
                + self._candidates(row["name"].split(",")[0])
            )
        return Region(row["region_key"], row["name"], row["level"], row["kreis_type"])

    def _kreis_of(self, key: str) -> str:
        found = self.rows(
            "select k.region_key, k.name from marts.dim_region r "
            "join marts.dim_region k on k.region_key = r.kreis_key where r.region_key = ?",
            [key],
        )
        return f"{found[0]['region_key']} {found[0]['name']}" if found else "unknown"

    def _candidates(self, text: str) -> str:
        """Regions a planner may have meant: names containing the text, else every Kreis."""
        rows = self.rows(
            "select region_key, name, level from marts.dim_region "
            "where level in ('land', 'kreis') and valid_to is null order by region_key"
        )
        words = text.lower().replace(",", " ").split()
        matching = [r for r in rows if words and all(w in r["name"].lower() for w in words)]
        shown = matching or rows
        lead = "did you mean" if matching else "reports are made for"
        return f"{lead}: " + "; ".join(f"{r['region_key']} {r['name']}" for r in shown)

    def land_of(self, region: Region) -> Region:
        found = self.rows(
            "select l.region_key, l.name, l.level from marts.dim_region r "
            "join marts.dim_region l on l.region_key = r.parent_key where r.region_key = ?",
            [region.key],
        )
        if not found:
            raise ReportError(f"{region.key} {region.name} lies in no Land of dim_region")
        return Region(found[0]["region_key"], found[0]["name"], found[0]["level"])

    def indicators(self) -> dict[str, Indicator]:
        return {
            r["indicator_id"]: Indicator(
                id=r["indicator_id"],
                title=r["title_de"],
                unit=r["unit"] or "",
                polarity=r["polarity"],
                polarity_de=self.label("polarity", r["polarity"]),
                topic=r["topic"] or "",
                source_statistics=r["source_statistics"] or "",
                licence=r["licence"] or "",
                attribution=r["attribution"] or "",
            )
            for r in self.rows(
                "select indicator_id, title_de, unit, polarity, topic, source_statistics, "
                "licence, attribution from marts.dim_indicator"
            )
        }

    def headlines(
        self, region: Region, year: int, indicators: dict[str, Indicator]
    ) -> tuple[Headline, ...]:
        found = {
            r["indicator_id"]: r
            for r in self.rows(
                """
                select v.indicator_id, v.value, v.value_status, v.land_value,
                    v.rank_among_kreise, v.change_1y, v.change_5y, d.kreise
                from marts.mart_indicator_values as v
                left join marts.mart_disparity as d using (indicator_id, period)
                where v.region_key = ? and v.period = ?
                """,
                [region.key, year],
            )
        }
        headlines = []
        for indicator_id in HEADLINE_INDICATORS:
            row = found.get(indicator_id, {})
            headlines.append(
                Headline(
                    indicator=indicators[indicator_id],
                    period=year,
                    value=row.get("value"),
                    status=row.get("value_status"),
                    land_value=row.get("land_value"),
                    rank=row.get("rank_among_kreise"),
                    kreise=row.get("kreise"),
                    change_1y=row.get("change_1y"),
                    change_5y=row.get("change_5y"),
                )
            )
        return tuple(headlines)

    def series(
        self, region: Region, land: Region, indicators: dict[str, Indicator]
    ) -> tuple[Series, ...]:
        rows = self.rows(
            """
            select f.indicator_id, f.period, f.value, f.value_status, l.value as land_value,
                d.min_value, d.max_value
            from marts.fct_indicator_value as f
            left join marts.fct_indicator_value as l
                on l.indicator_id = f.indicator_id and l.period = f.period and l.region_key = ?
            left join marts.mart_disparity as d
                on d.indicator_id = f.indicator_id and d.period = f.period
            where f.region_key = ? and f.indicator_id in (select unnest(?))
            order by f.indicator_id, f.period
            """,
            [land.key, region.key, list(HEADLINE_INDICATORS)],
        )
        by_indicator: dict[str, list[SeriesPoint]] = {i: [] for i in HEADLINE_INDICATORS}
        for r in rows:
            by_indicator[r["indicator_id"]].append(
                SeriesPoint(
                    period=r["period"],
                    value=r["value"],
                    status=r["value_status"],
                    land_value=r["land_value"],
                    kreis_min=r["min_value"],
                    kreis_max=r["max_value"],
                )
            )
        return tuple(Series(indicators[i], tuple(p)) for i, p in by_indicator.items())

    def kreis_values(self, indicator: Indicator, year: int) -> KreisValues:
        rows = self.rows(
            """
            select region_key, region_name, value, value_status, rank_among_kreise
            from marts.mart_indicator_values
            where indicator_id = ? and period = ? and level = 'kreis'
            order by rank_among_kreise nulls last, region_key
            """,
            [indicator.id, year],
        )
        return KreisValues(
            indicator,
            year,
            tuple(
                KreisValue(
                    r["region_key"],
                    r["region_name"],
                    r["value"],
                    r["value_status"],
                    r["rank_among_kreise"],
                )
                for r in rows
            ),
        )

    def gemeinden(self, region: Region, year: int) -> tuple[Gemeinde, ...]:
        rows = self.rows(
            """
            select g.region_key, g.name, v.indicator_id, v.value, v.value_status, v.change_5y
            from marts.dim_region as g
            join marts.mart_indicator_values as v
                on v.region_key = g.region_key and v.period = ?
                and v.indicator_id in (select unnest(?))
            where g.level = 'gemeinde' and g.kreis_key = ?
            order by g.name, g.region_key
            """,
            [year, list(GEMEINDE_INDICATORS), region.key],
        )
        gemeinden: dict[str, Gemeinde] = {}
        for r in rows:
            gemeinde = gemeinden.setdefault(
                r["region_key"], Gemeinde(r["region_key"], r["name"], {})
            )
            gemeinde.values[r["indicator_id"]] = SmallAreaValue(
                r["value"], r["value_status"], r["change_5y"]
            )
        return tuple(gemeinden.values())

    def sozialraeume(self, region: Region, year: int) -> tuple[tuple[Sozialraum, ...], int | None]:
        """The Sozialräume of the Kreis's Gemeinden with the social index, in the report year
        or, where the cities delivered none for it, the newest year before."""
        periods = self.rows(
            """
            select max(s.period) as period from marts.mart_social_index as s
            join marts.dim_region as g on g.region_key = s.city_key
            where s.level = 'sozialraum' and g.kreis_key = ? and s.period <= ?
            """,
            [region.key, year],
        )
        period = periods[0]["period"] if periods else None
        if period is None:
            return (), None
        rows = self.rows(
            """
            select s.region_key, s.region_name, g.name as city, s.population, s.transfer_share,
                s.child_poverty_share, s.unemployment_share, s.status_index, s.status_class,
                s.dynamics_class, s.exclusion_reason
            from marts.mart_social_index as s
            join marts.dim_region as g on g.region_key = s.city_key
            where s.level = 'sozialraum' and g.kreis_key = ? and s.period = ?
            order by s.city_key, s.region_key
            """,
            [region.key, period],
        )
        found = tuple(
            Sozialraum(
                key=r["region_key"],
                name=r["region_name"],
                city=r["city"],
                population=r["population"],
                transfer_share=r["transfer_share"],
                child_poverty_share=r["child_poverty_share"],
                unemployment_share=r["unemployment_share"],
                status_index=r["status_index"],
                status_class=r["status_class"],
                status_class_de=self.label("status_class", r["status_class"]),
                dynamics_class=r["dynamics_class"],
                dynamics_class_de=self.label("dynamics_class", r["dynamics_class"]),
                exclusion_reason_de=self.label("exclusion_reason", r["exclusion_reason"]) or None,
            )
            for r in rows
        )
        return found, period

    def goals(self, region: Region, indicators: dict[str, Indicator]) -> tuple[Goal, ...]:
        """The Kreis's goals; the Land overview shows every goal."""
        where = "" if region.level == "land" else "where m.region_key = ?"
        rows = self.rows(
            f"""
            select m.*, r.name as region_name from marts.mart_goal_monitoring as m
            join marts.dim_region as r using (region_key)
            {where}
            order by m.region_key, m.indicator_id
            """,
            [] if region.level == "land" else [region.key],
        )
        return tuple(
            Goal(
                region_key=r["region_key"],
                region_name=r["region_name"],
                indicator=indicators[r["indicator_id"]],
                note=r["note"] or "",
                baseline_year=r["baseline_year"],
                baseline_value=r["baseline_value"],
                target_year=r["target_year"],
                target_value=r["target_value"],
                latest_year=r["latest_year"],
                latest_value=r["latest_value"],
                path_value=r["path_value"],
                status=r["status"],
                status_de=self.label("goal_status", r["status"]),
            )
            for r in rows
        )

    def disparity(self, indicators: dict[str, Indicator]) -> tuple[Disparity, ...]:
        rows = self.rows(
            """
            select indicator_id, period, kreise, min_value, max_value, max_min_ratio,
                coefficient_of_variation
            from marts.mart_disparity where indicator_id in (select unnest(?))
            order by indicator_id, period
            """,
            [list(HEADLINE_INDICATORS)],
        )
        by_indicator: dict[str, list[DisparityPoint]] = {i: [] for i in HEADLINE_INDICATORS}
        for r in rows:
            by_indicator[r["indicator_id"]].append(
                DisparityPoint(
                    r["period"],
                    r["kreise"],
                    r["min_value"],
                    r["max_value"],
                    r["max_min_ratio"],
                    r["coefficient_of_variation"],
                )
            )
        # The spread of a change (values around zero, of both signs) has no meaning as a
        # coefficient of variation or a max/min ratio: levels only.
        return tuple(
            Disparity(indicators[i], tuple(p))
            for i, p in by_indicator.items()
            if p and not indicators[i].unit.startswith("Veränderung")
        )


def _years_text(years: Sequence[int]) -> str:
    """2015–2024, or a list where years are missing in between."""
    if list(years) == list(range(years[0], years[-1] + 1)):
        return f"{years[0]}–{years[-1]}"
    return ", ".join(str(y) for y in years)
