"""A real refresh of the bundled sample: indicator values recomputed here from the sample files."""

from __future__ import annotations

import csv
import datetime
import functools
from collections import defaultdict
from pathlib import Path

import duckdb
import pytest

from pipelines.territory import DEFAULT_TERRITORY_DIR
from tests.conftest import SAMPLE_DIR, sample_rows, sha256

KREISE_2015 = {f"160{n}" for n in (51, 52, 53, 54, 55, 56, 61, 62, 63, 64, 65, 66, 67, 68, 69)}
KREISE_2015 |= {f"160{n}" for n in range(70, 78)}
UNDER_15 = {"ALT000B03", "ALT003B06", "ALT006B10", "ALT010B15"}
UNDER_18 = UNDER_15 | {"ALT015B18"}
AGE_20_64 = {
    "ALT020B25",
    "ALT025B30",
    "ALT030B35",
    "ALT035B40",
    "ALT040B45",
    "ALT045B50",
    "ALT050B55",
    "ALT055B60",
    "ALT060B65",
}
AGE_65_PLUS = {"ALT065B75", "ALT075UM"}
UNDER_65 = UNDER_18 | {"ALT018B20"} | AGE_20_64


def _rows(name: str) -> list[dict[str, str]]:
    return sample_rows(name)


@functools.cache  # read once per session: callers only read it
def unemployment_rows() -> dict[tuple[str, int], list[str]]:
    """(region, year) -> fields `year;key;name;values` of the yearly classic exports of
    13211-02-05-4 (the Land row and the Kreise)."""
    out = {}
    for path in sorted(SAMPLE_DIR.glob("13211-02-05-4_*.csv")):
        text = path.read_bytes().decode("cp1252")
        for fields in csv.reader(text.splitlines(), delimiter=";"):
            if fields and fields[0].isdigit() and len(fields[0]) == 4:
                out[(fields[1], int(fields[0]))] = fields
    return out


def _kreise(year: int) -> set[str]:
    return KREISE_2015 - ({"16056"} if year >= 2021 else set())


@functools.cache  # read once per session: callers only read it
def expected_counts() -> dict[tuple[str, int], dict[str, float]]:
    """Numerators and denominators per (Kreis, year), straight from the sample files."""
    counts: dict[tuple[str, int], dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for r in _rows("12411-02-03-4_de_flat.csv"):
        if r["2_variable_attribute_code"] != "" or r["value"] == "-":
            continue  # both sexes only; Eisenach after 2021 is '-'
        key = (r["1_variable_attribute_code"], int(r["time"][:4]))
        age, value = r["3_variable_attribute_code"], float(r["value"])
        c = counts[key]
        if age == "":
            c["pop_total"] += value
        for name, band in (
            ("pop_u3", {"ALT000B03"}),
            ("pop_3_6", {"ALT003B06"}),
            ("pop_u15", UNDER_15),
            ("pop_u18", UNDER_18),
            ("pop_u20", UNDER_18 | {"ALT018B20"}),
            ("pop_20_64", AGE_20_64),
            ("pop_65plus", AGE_65_PLUS),
            ("pop_u65", UNDER_65),
        ):
            if age in band:
                c[name] += value
    for r in _rows("SGB2-01-4_de_flat.csv"):
        if r["value"] == "-" or r["value_variable_code"] != "LB":
            continue
        key = (r["1_variable_attribute_code"], int(r["time"]))
        name = "sgb2_lb" if r["2_variable_attribute_code"] == "" else "sgb2_lb_u15"
        counts[key][name] += float(r["value"])
    for (key, year), fields in unemployment_rows().items():
        if len(key) == 5 and fields[3] != "-":
            counts[(key, year)]["unemployed"] += float(fields[3])  # ERWP06, all unemployed
    classic = (SAMPLE_DIR / "11111-01-01-4.csv").read_text(encoding="cp1252").splitlines()
    for line in classic:
        fields = line.split(";")
        if len(fields) == 4 and len(fields[1]) == 5 and fields[3] != "-":
            key = (fields[1], int(fields[0][-4:]))
            counts[key]["area"] += float(fields[3].replace(",", "."))
    _add_demography_and_care(counts)
    return counts


def _midpoint(age: str) -> float:
    """Mean-age weight of an ALTX76 class: age + 0.5, the middle of 75-80 … 85-90, 92.5."""
    return 92.5 if age == "ALT090UM" else int(age[3:6]) + (2.5 if "B" in age else 0.5)


def _add_demography_and_care(counts: dict[tuple[str, int], dict[str, float]]) -> None:
    """Migration, births, deaths, foreigners, the single-year ages, day care and care, all
    ages and both sexes: the rows whose breakdowns are all Insgesamt ('')."""
    tables = (
        ("12711-04-02-4_de_flat.csv", 3),
        ("12612-01-01-4_de_flat.csv", 2),
        ("12613-01-01-4_de_flat.csv", 2),
        ("12411-03-03-4.zip", 4),
        ("12411-04-02-4.zip", 3),
        ("22543-01-01-4_de_flat.csv", 3),
        ("22411-02-03-4_de_flat.csv", 2),
    )
    for name, groups in tables:
        for r in _rows(name):
            if r["value"] in ("-", "x"):  # Eisenach from 2021; the care file's former notions
                continue
            key = (r["1_variable_attribute_code"], int(r["time"][:4]))
            attrs = [r[f"{i}_variable_attribute_code"] for i in range(2, groups + 1)]
            measure, value, c = r["value_variable_code"], float(r["value"]), counts[key]
            if name.startswith("12711") and attrs == ["", ""]:
                c["net_migration"] += value if measure == "BEV085" else -value
            elif name.startswith(("12612", "12613")) and attrs == [""]:
                c["natural_balance"] += value if measure == "BEV001" else -value
            elif name.startswith("12411-03") and attrs == ["", "NATA", ""]:
                c["pop_foreign"] += value
            elif name.startswith("12411-04") and attrs[0] and attrs[1] == "":
                c["age_years_sum"] += _midpoint(attrs[0]) * value
                if attrs[0] in ("ALT080B85", "ALT085B90", "ALT090UM"):
                    c["pop_80plus"] += value
            elif name.startswith("22543") and measure == "KIND01" and attrs[0] == "INSGESAMT3":
                if attrs[1] in ("ALT000B03", "ALT003B06"):
                    c["childcare_" + {"ALT000B03": "u3", "ALT003B06": "3_6"}[attrs[1]]] += value
            elif name.startswith("22411") and measure == "PFL016" and attrs == [""]:
                c["care"] += value


INDICATORS = {
    "population": ("pop_total", None, 1),
    "population_density": ("pop_total", "area", 1),
    "share_under_18": ("pop_u18", "pop_total", 100),
    "share_65_plus": ("pop_65plus", "pop_total", 100),
    "old_age_ratio": ("pop_65plus", "pop_20_64", 100),
    "youth_ratio": ("pop_u20", "pop_20_64", 100),
    "sgb2_quota": ("sgb2_lb", "pop_u65", 100),
    "child_poverty": ("sgb2_lb_u15", "pop_u15", 100),
    "net_migration": ("net_migration", "pop_total", 1000),
    "natural_balance": ("natural_balance", "pop_total", 1000),
    "share_foreigners": ("pop_foreign", "pop_total", 100),
    "share_80_plus": ("pop_80plus", "pop_total", 100),
    "average_age": ("age_years_sum", "pop_total", 1),
    "childcare_rate_u3": ("childcare_u3", "pop_u3", 100),
    "childcare_rate_3_6": ("childcare_3_6", "pop_3_6", 100),
    "care_per_1000_65plus": ("care", "pop_65plus", 1000),
}


@functools.cache  # read once per session: callers only read it
def key_history() -> list[dict[str, str]]:
    seed = SAMPLE_DIR.parent / "data_contracts/territories/thueringen/key_history.csv"
    with seed.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def destinations(key: str, year: int) -> dict[str, tuple[float, float]]:
    """Where a Kreis of `year`'s map lies today: new key → (population, area) weight."""
    changes = sorted(
        (r for r in key_history() if len(r["old_key"]) == 5 and r["change_date"] > f"{year}-12-31"),
        key=lambda r: r["change_date"],
    )
    shares = {key: (1.0, 1.0)}
    for date in sorted({r["change_date"] for r in changes}):
        moved: dict[str, tuple[float, float]] = {}
        for old, (wp, wa) in shares.items():
            rows = [r for r in changes if r["change_date"] == date and r["old_key"] == old]
            for r in rows or [{"new_key": old, "weight_population": 1, "weight_area": 1}]:
                p, a = moved.get(r["new_key"], (0.0, 0.0))
                moved[r["new_key"]] = (
                    p + wp * float(r["weight_population"]),
                    a + wa * float(r["weight_area"]),
                )
        shares = moved
    return shares


def harmonised_counts(year: int) -> dict[str, dict[str, float]]:
    """Counts of one year on today's map, moved with the key history's weights
    (population weights; the area with area weights)."""
    counts = expected_counts()
    out: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for kreis in _kreise(year):
        for new_key, (wp, wa) in destinations(kreis, year).items():
            for name, value in counts[(kreis, year)].items():
                out[new_key][name] += value * (wa if name == "area" else wp)
    return out


@functools.cache  # read once per session: callers only read it
def expected_values() -> dict[tuple[str, str, int], tuple[float, float, float | None]]:
    """(indicator, region, year) → (value, numerator, denominator) on Gebietsstand 2024,
    Land from summed counts."""
    out = {}
    for year in range(2015, 2025):
        regions = dict(harmonised_counts(year))
        land: dict[str, float] = defaultdict(float)
        for c in regions.values():
            for name, v in c.items():
                land[name] += v
        regions["16"] = land
        for region, c in regions.items():
            for indicator, (num, den, mult) in INDICATORS.items():
                value = c[num] * mult / (c[den] if den else 1)
                out[(indicator, region, year)] = (value, c[num], c[den] if den else None)
    for (indicator, region, year), (now, _, _) in list(out.items()):
        if indicator != "population":
            continue
        for lag in (1, 5):
            before = out.get(("population", region, year - lag))
            key = (f"population_change_{lag}y", region, year)
            if before is None:  # the earlier year is not in the warehouse: unknown, not zero
                out[key] = (None, None, None)
            else:
                out[key] = (100 * (now - before[0]) / before[0], now - before[0], before[0])
    return out


@pytest.fixture(scope="module")
def published(sample_refresh) -> Path:
    root, _ = sample_refresh
    return root / "sozialplanung.duckdb"


def test_every_indicator_value_matches_the_sample(published: Path) -> None:
    expected = expected_values()
    with duckdb.connect(str(published), read_only=True) as con:
        rows = con.execute(
            "select indicator_id, region_key, period, value, numerator, denominator, value_status "
            "from marts.fct_indicator_value where length(region_key) <= 5 and indicator_id in "
            "(select unnest(?))",
            [sorted({key[0] for key in expected})],
        ).fetchall()
    # the indicators and the two population changes: 22 Kreise and the Land, 2015–2024
    assert len(rows) == len(expected) == (len(INDICATORS) + 2) * 23 * 10
    # (the other indicators: golden values in tests/test_golden_values.py)
    for indicator, region, period, value, numerator, denominator, status in rows:
        want_value, want_num, want_den = expected[(indicator, region, period)]
        if want_value is None:
            assert (value, numerator, denominator, status) == (None, None, None, "."), (
                indicator,
                region,
                period,
            )
            continue
        assert status is None
        assert value == pytest.approx(want_value, rel=1e-9), (indicator, region, period)
        assert numerator == pytest.approx(want_num, rel=1e-9)
        assert denominator == (None if want_den is None else pytest.approx(want_den, rel=1e-9))


def test_land_rate_is_not_an_average_of_kreis_rates(published: Path) -> None:
    counts = expected_counts()
    kreise = _kreise(2024)
    mean_of_rates = sum(
        100 * counts[(k, 2024)]["sgb2_lb"] / counts[(k, 2024)]["pop_u65"] for k in kreise
    ) / len(kreise)  # the wrong way, for contrast
    with duckdb.connect(str(published), read_only=True) as con:
        value = con.execute(
            "select value from marts.fct_indicator_value "
            "where indicator_id = 'sgb2_quota' and region_key = '16' and period = 2024"
        ).fetchone()[0]
    assert value == pytest.approx(expected_values()[("sgb2_quota", "16", 2024)][0])
    assert abs(value - mean_of_rates) > 0.01


def changed(region: str, year: int) -> bool:
    """The region's territory of `year` differs from today's (a key history change)."""
    for kreis in _kreise(year):
        moves = destinations(kreis, year)
        if moves != {kreis: (1.0, 1.0)} and (kreis == region or region in moves):
            return True
    return False


def published_rates() -> dict[tuple[str, str, int], tuple[float | None, float | None, None]]:
    """(indicator, region, year) -> (value, numerator, denominator) of `unemployment_rate`:
    the rate the file prints (ERWP10, all civilian labour force; the Land's from its own row),
    None where the region's territory of that year differs from today's."""
    out = {}
    for (region, year), fields in unemployment_rows().items():
        rate = fields[3 + 8]  # 7 counts, ERWP09, then ERWP10
        if rate == "-" or region not in destinations(region, year):  # not on today's map
            continue
        value = None if changed(region, year) else float(rate.replace(",", "."))
        out[("unemployment_rate", region, year)] = (value, value, None)
    return out


def test_unemployment_rate_is_the_published_rate(published: Path) -> None:
    """The rate as the file prints it, the Land's from its own row; a Kreis whose territory in
    that year differs from today's has none ('.'): the table publishes no labour force to
    recompute it with."""
    expected = published_rates()
    with duckdb.connect(str(published), read_only=True) as con:
        ours = con.execute(
            "select region_key, period, value, numerator, denominator, value_status "
            "from marts.fct_indicator_value where indicator_id = 'unemployment_rate' "
            "and length(region_key) <= 5"
        ).fetchall()
    assert len(ours) == len(expected) == 23 * 10
    left_out = {(r, y) for (_, r, y), (v, _, _) in expected.items() if v is None}
    assert ("16063", 2020) in left_out and ("16054", 2018) in left_out
    assert ("16054", 2019) not in left_out and ("16", 2015) not in left_out
    for region, period, value, numerator, denominator, status in ours:
        want = expected[("unemployment_rate", region, period)][0]
        if want is None:
            assert (value, numerator, status) == (None, None, "."), (region, period)
        else:
            assert status is None and denominator is None, (region, period)
            assert value == numerator == want, (region, period)


def test_every_year_on_todays_22_kreise(published: Path) -> None:
    """Gebietsstand 2024: Eisenach's 2019 counts are part of the Wartburgkreis of 2019."""
    counts = expected_counts()
    with duckdb.connect(str(published), read_only=True) as con:
        regions = con.execute(
            "select period, count(distinct region_key) from marts.fct_indicator_value "
            "where length(region_key) = 5 group by period order by period"
        ).fetchall()
        wartburg = con.execute(
            "select value, gebietsstand from marts.fct_indicator_value "
            "where indicator_id = 'population' and region_key = '16063' and period = 2019"
        ).fetchone()
        raw_dash = con.execute(
            "select count(*) from raw.population_age "
            "where region_key = '16056' and period_year >= 2021 and value_status = '-' "
            "and value is null"
        ).fetchone()[0]
    assert regions == [(year, 22) for year in range(2015, 2025)]
    assert (
        wartburg[0] == counts[("16063", 2019)]["pop_total"] + counts[("16056", 2019)]["pop_total"]
    )
    assert str(wartburg[1]) == f"{datetime.date.today().year}-12-31"  # the newest map by default
    assert raw_dash == 4 * 3 * 18  # kept as status in raw, never as zero


def test_rate_on_todays_map_is_recomputed_from_summed_parts(published: Path) -> None:
    counts = expected_counts()
    lb = counts[("16063", 2020)]["sgb2_lb"] + counts[("16056", 2020)]["sgb2_lb"]
    base = counts[("16063", 2020)]["pop_u65"] + counts[("16056", 2020)]["pop_u65"]
    averaged = (
        100 * counts[("16063", 2020)]["sgb2_lb"] / counts[("16063", 2020)]["pop_u65"]
        + 100 * counts[("16056", 2020)]["sgb2_lb"] / counts[("16056", 2020)]["pop_u65"]
    ) / 2
    with duckdb.connect(str(published), read_only=True) as con:
        value = con.execute(
            "select value from marts.fct_indicator_value "
            "where indicator_id = 'sgb2_quota' and region_key = '16063' and period = 2020"
        ).fetchone()[0]
    assert value == pytest.approx(100 * lb / base, rel=1e-12)
    assert abs(value - averaged) > 1e-6


def test_lineage_release_and_attribution(published: Path, sample_refresh) -> None:
    _, outcome = sample_refresh
    files = {
        "11111-01-01-4": "11111-01-01-4.csv",
        "12411-02-03-4": "12411-02-03-4_de_flat.csv",
        "SGB2-01-4": "SGB2-01-4_de_flat.csv",
    }
    with duckdb.connect(str(published), read_only=True) as con:
        registered = dict(
            con.execute("select table_code, file_sha256 from meta.source_file").fetchall()
        )
        yearly = con.execute(
            "select file_name, file_sha256, periods from meta.source_file "
            "where table_code = '13211-02-05-4'"
        ).fetchall()
        releases = con.execute("select distinct release from marts.fct_indicator_value").fetchall()
        meta_release = con.execute("select release from meta.release").fetchone()[0]
        attributions = con.execute(
            "select count(*) from marts.dim_indicator where attribution like '%dl-de/by-2-0%'"
        ).fetchone()[0]
        lineage = con.execute(
            "select source_file_sha256 from marts.fct_indicator_value "
            "where indicator_id = 'child_poverty' and region_key = '16051' and period = 2020"
        ).fetchone()[0]
    assert {code: registered[code] for code in files} == {
        code: sha256(SAMPLE_DIR / name) for code, name in files.items()
    }
    # the unemployment table: one delivery per year, each its own file
    assert sorted(yearly) == [
        (f"13211-02-05-4_{year}.csv", sha256(SAMPLE_DIR / f"13211-02-05-4_{year}.csv"), str(year))
        for year in range(2015, 2025)
    ]
    assert releases == [(outcome.release,)] and meta_release == outcome.release
    assert attributions == len(
        list((SAMPLE_DIR.parent / "data_contracts/indicators").glob("*.yml"))
    )
    assert lineage.split() == [registered["SGB2-01-4"], registered["12411-02-03-4"]]


def test_summary_reports_rows_and_checks(sample_refresh) -> None:
    _, outcome = sample_refresh
    gv = (DEFAULT_TERRITORY_DIR / "ref_region_gv.csv").read_text(encoding="utf-8")
    below_kreis = sum(
        1 for line in gv.splitlines() if ",gemeinde," in line or ",gemeindeverband," in line
    )
    stadtteile = {
        line.split(";")[0]
        for line in (SAMPLE_DIR / "erfurt_stadtteile_2024.csv").read_text("cp1252").splitlines()
        if line.split(";")[0].isdigit()
    }
    with (SAMPLE_DIR / "jena_planungsraeume_2024.csv").open(encoding="utf-8") as f:
        jena = list(csv.DictReader(f))
    bezirke = {row["Bezirk-Nr"] for row in jena}
    area_years = len(stadtteile) + len({(row["Bezirk-Nr"], row["Jahr"]) for row in jena})
    gemeinden = sum(1 for line in gv.splitlines() if ",gemeinde," in line)
    former = {r["old_key"] for r in key_history() if len(r["old_key"]) == 8}
    areas = len(stadtteile) + len(bezirke)
    catalogue = list((SAMPLE_DIR.parent / "data_contracts/indicators").glob("*.yml"))
    indicators = len(catalogue)
    small = sum("lowest_level: sozialraum" in p.read_text(encoding="utf-8") for p in catalogue)
    assert outcome.rows == {
        "marts.dim_region": 24 + below_kreis + areas + len(former),
        "marts.dim_indicator": len(
            list((SAMPLE_DIR.parent / "data_contracts/indicators").glob("*.yml"))
        ),
        # Kreise and Land: every indicator; Gemeinden: population; Sozialräume:
        # population and the two age shares
        "marts.fct_indicator_value": indicators * 23 * 10 + gemeinden * 10 + area_years * small,
    }
    assert outcome.checks_failed == 0 and outcome.checks_passed >= 20
    assert f"release {outcome.release}" in outcome.summary()


def test_the_ui_reads_the_run_history_a_refresh_writes(sample_refresh) -> None:
    """The refresh writes its events through its pooled SQLite event log; the UI and the
    daemon open the same files with Dagster's default storage and find the run, a
    materialisation of every dbt model and seed, and every check result of the run."""
    import json

    import dagster as dg

    from pipelines.paths import DBT_PROJECT_DIR

    root, outcome = sample_refresh
    manifest = json.loads((DBT_PROJECT_DIR / "target" / "manifest.json").read_text("utf-8"))
    nodes = manifest["nodes"].values()
    models = {f"{n['config']['schema']}/{n['name']}" for n in nodes if n["resource_type"] != "test"}
    with dg.DagsterInstance.from_config(str(root / "dagster_home")) as instance:
        assert type(instance.event_log_storage).__name__ == "SqliteEventLogStorage"
        assert instance.get_run_by_id(outcome.run_id).status == dg.DagsterRunStatus.SUCCESS
        records = instance.all_logs(outcome.run_id)
    kinds = [r.dagster_event.event_type for r in records if r.dagster_event]
    materialized = {
        r.dagster_event.asset_key.to_user_string()
        for r in records
        if r.dagster_event
        and r.dagster_event.event_type == dg.DagsterEventType.ASSET_MATERIALIZATION
    }
    assert models <= materialized
    # every check result the run itself returned (its in-memory result, not the storage)
    checks = kinds.count(dg.DagsterEventType.ASSET_CHECK_EVALUATION)
    assert checks == outcome.checks_passed + outcome.checks_failed > 0


def test_curated_contracts_are_enforced() -> None:
    import yaml

    models = yaml.safe_load(
        (SAMPLE_DIR.parent / "dbt_project/models/marts/_marts.yml").read_text(encoding="utf-8")
    )["models"]
    assert {m["name"] for m in models} == {"fct_indicator_value", "dim_region", "dim_indicator"}
    assert all(m["config"]["contract"]["enforced"] is True for m in models)


def test_an_older_gebietsstand_keeps_the_land_total(published: Path, warehouse_dir: Path) -> None:
    """On Gebietsstand 31.12.2020 Eisenach is its own Kreis; the Land is the same on both."""
    from pipelines.refresh import run_refresh

    outcome = run_refresh(log_level="WARNING", gebietsstand="2020-12-31")
    assert outcome.success, outcome.summary()
    # dbt built in this process and left no database of its own open (dbt-duckdb keeps one
    # for the process unless closed): the published file opens for writing here
    from dbt.adapters.duckdb.connections import DuckDBConnectionManager

    assert DuckDBConnectionManager._ENV is None
    with duckdb.connect(str(warehouse_dir / "sozialplanung.duckdb")) as con:
        con.execute("checkpoint")
    counts = expected_counts()
    query = (
        "select region_key, period, value from marts.fct_indicator_value "
        "where indicator_id = 'population' and region_key in ('16', '16056', '16063')"
    )
    with duckdb.connect(str(warehouse_dir / "sozialplanung.duckdb"), read_only=True) as con:
        old_map = {(r, p): v for r, p, v in con.execute(query).fetchall()}
        stand = con.execute(
            "select distinct gebietsstand from marts.fct_indicator_value"
        ).fetchall()
    with duckdb.connect(str(published), read_only=True) as con:
        new_map = {(r, p): v for r, p, v in con.execute(query).fetchall()}
    assert [str(s) for (s,) in stand] == ["2020-12-31"]
    assert {p for (_, p) in old_map} == set(range(2015, 2021))  # later years need a split
    for year in range(2015, 2021):
        assert old_map[("16", year)] == new_map[("16", year)]
        assert old_map[("16056", year)] == counts[("16056", year)]["pop_total"]
        # (converted counts carry decimals: equal up to the last bit of a double)
        assert old_map[("16063", year)] + old_map[("16056", year)] == pytest.approx(
            new_map[("16063", year)], rel=1e-12
        )
