"""What the population tables of the sample mean: every GENESIS Kreis table keeps the format,
covers every Kreis and year and shows Eisenach as GENESIS does; population by age groups,
single years and nationality, migration, births and deaths, employees and Gemeinden add up
and are plausible. Expected values come from plain `csv` parsing of the committed files (see
`tests/sample_cells.py`), the key history and the Gemeindeverzeichnis extract."""

from __future__ import annotations

import csv
import functools
import math
import re
from collections import Counter, defaultdict

import pytest

from pipelines.contracts import load_contracts
from tests.conftest import PROJECT_ROOT, SAMPLE_DIR, sample_bytes
from tests.sample_cells import (
    AGES_15_64,
    KREISE,
    POPULATION,
    YEARS,
    cells,
    gone,
    kreis_years,
    numbers,
    population,
    rows,
    year,
)

SEEDS = PROJECT_ROOT / "data_contracts" / "territories" / "thueringen"
KREIS_TABLES = sorted(
    c.sample_files[0].name
    for c in load_contracts().values()
    if c.region.variable == "KREISE"
    and len(c.sample_files) == 1
    and c.sample_files[0].name.endswith(("_flat.csv", ".zip"))  # ffcsv, or the API's ZIP
)
SEXES = ("", "GESM", "GESW")
# (Kreis, year) whose area changed: the 2019 transfers and Eisenach into the Wartburgkreis.
AREA_CHANGES = {(k, 2019) for k in ("16063", "16066", "16070", "16054", "16073", "16072")}
AREA_CHANGES |= {("16063", 2021)}


@pytest.mark.parametrize("name", KREIS_TABLES)
def test_kreis_table_format_coverage_and_eisenach(name: str) -> None:
    data = sample_bytes(name)  # for the API's ZIP, its one flat file
    assert data.startswith(b"\xef\xbb\xbf") and b"\r" not in data and b'"' not in data
    assert data.endswith(b"\n")
    keys = {(r["1_variable_attribute_code"], year(r)) for r in rows(name)}
    assert keys - {("16", y) for y in YEARS} == {(k, y) for k in KREISE for y in YEARS}
    for r in rows(name):  # a dissolved Kreis is `-`, never a zero; nothing else is
        assert (r["value"] == "-") == gone(r["1_variable_attribute_code"], year(r)), r


# --- 12411-02-03-4: sex and age groups ------------------------------------------------------


def test_population_totals_are_sums_of_parts() -> None:
    by_kreis: dict[tuple[str, int], dict[tuple[str, str], int]] = defaultdict(dict)
    for (key, y, sex, age), n in population().items():
        by_kreis[key, y][sex, age] = n
    assert len(by_kreis) == 23 * 10 - 4
    for c in by_kreis.values():
        assert len(c) == 3 * 18
        sexes, ages = {s for s, _ in c} - {""}, {a for _, a in c} - {""}
        for sex in (*sexes, ""):
            assert c[sex, ""] == sum(c[sex, a] for a in ages)
        for age in (*ages, ""):
            assert c["", age] == sum(c[s, age] for s in sexes)
    land_2015 = sum(c["", ""] for (_, y), c in by_kreis.items() if y == 2015)
    assert 2_100_000 < land_2015 < 2_200_000


# --- 12411-04-02-4: single years of age ----------------------------------------------------

DETAIL = "12411-04-02-4.zip"
OLD = ("ALT075B80", "ALT080B85", "ALT085B90", "ALT090UM")
SINGLE = (*(f"ALT{a:03d}" for a in range(75)), *OLD)
# The age groups of 12411-02-03-4 by their first and last single year (75+: the old groups).
GROUPS = {
    "ALT000B03": (0, 2), "ALT003B06": (3, 5), "ALT006B10": (6, 9), "ALT010B15": (10, 14),
    "ALT015B18": (15, 17), "ALT018B20": (18, 19),
    **{f"ALT{lo:03d}B{lo + 5:02d}": (lo, lo + 4) for lo in range(20, 65, 5)},
    "ALT065B75": (65, 74), "ALT075UM": (75, 999),
}  # fmt: skip
MIDPOINT = {
    **{f"ALT{a:03d}": a + 0.5 for a in range(75)},
    **dict(zip(OLD, (77.5, 82.5, 87.5, 92.5), strict=True)),
}


def _detail() -> dict[tuple, str]:
    """(Kreis, year, age, sex) -> value as printed."""
    return cells(DETAIL, "2_variable_attribute_code", "3_variable_attribute_code")


def test_single_years_layout() -> None:
    """Rows (Kreis, age) before columns (sex); 79 age classes and Insgesamt."""
    labels = {r["2_variable_attribute_code"]: r["2_variable_attribute_label"] for r in rows(DETAIL)}
    assert {(r["2_variable_code"], r["3_variable_code"]) for r in rows(DETAIL)} == {
        ("ALTX76", "GES")
    }
    assert sorted(labels) == sorted(("", *SINGLE)) and len(SINGLE) == 79
    assert labels["ALT000"] == "unter 1 Jahr" and labels["ALT074"] == "74 bis unter 75 Jahre"
    assert labels["ALT090UM"] == "90 Jahre und mehr" and labels[""] == "Insgesamt"
    assert len(_detail()) == len(rows(DETAIL)) == 23 * 10 * 80 * 3


def test_single_years_add_up_exactly_to_the_population_file() -> None:
    c, pop = _detail(), population()
    for key, y in kreis_years():
        for sex in SEXES:
            assert int(c[key, y, "", sex]) == pop[key, y, sex, ""]
            assert sum(int(c[key, y, a, sex]) for a in SINGLE) == int(c[key, y, "", sex])
            for group, (first, last) in GROUPS.items():
                got = sum(int(c[key, y, a, sex]) for a in SINGLE if first <= int(a[3:6]) <= last)
                assert got == pop[key, y, sex, group], (key, y, group, sex)
        for age in SINGLE:
            assert int(c[key, y, age, ""]) == int(c[key, y, age, "GESM"]) + int(
                c[key, y, age, "GESW"]
            )


def test_single_years_plausible_shares_and_mean_age() -> None:
    c = _detail()
    share: dict[int, list[float]] = defaultdict(list)
    for key, y in kreis_years():
        total = int(c[key, y, "", ""])
        share[y].append(sum(int(c[key, y, a, ""]) for a in OLD[1:]) / total)
        mean = sum(MIDPOINT[a] * int(c[key, y, a, ""]) for a in SINGLE) / total
        assert 40 < mean < 52, (key, y, mean)
        assert all(int(c[key, y, a, ""]) > 0 for a in SINGLE)
        assert int(c[key, y, "ALT090UM", "GESW"]) > int(c[key, y, "ALT090UM", "GESM"])
    assert min(share[2015]) > 0.04 and max(share[2024]) < 0.14
    assert sum(share[2024]) / len(share[2024]) > sum(share[2015]) / len(share[2015])


def test_single_years_golden_values() -> None:
    """Erfurt 2024 by hand: the three classes of 80 and over and the mean-age numerator."""
    c = _detail()
    assert c["16051", 2024, "", ""] == "218766"
    assert tuple(c["16051", 2024, a, ""] for a in OLD[1:]) == ("8028", "5506", "2413")
    assert sum(MIDPOINT[a] * int(c["16051", 2024, a, ""]) for a in SINGLE) == 10_024_020.0


# --- 12411-03-03-4: nationality ---------------------------------------------------------------

NATIONALITY = "12411-03-03-4.zip"
AGES_21 = (
    "ALT000B03", "ALT003B06", "ALT006B10", "ALT010B15", "ALT015B18", "ALT018B20",
    *(f"ALT{lo:03d}B{lo + 5:02d}" for lo in range(20, 90, 5)), "ALT090UM",
)  # fmt: skip


@functools.cache
def _nat() -> dict[tuple, int]:
    """(Kreis, year, age group, nationality, sex) -> persons."""
    columns = ("2_variable_attribute_code", "3_variable_attribute_code")
    return numbers(NATIONALITY, *columns, "4_variable_attribute_code")


def test_nationality_layout() -> None:
    """Rows (Kreis, age group) before columns (nationality, sex), as the table is laid out."""
    rs = rows(NATIONALITY)
    variables = {tuple(r[f"{i}_variable_code"] for i in (1, 2, 3, 4)) for r in rs}
    assert variables == {("KREISE", "ALTX21", "NAT", "GES")}
    assert {r["2_variable_attribute_code"] for r in rs} == {"", *AGES_21}
    assert {(r["3_variable_attribute_code"], r["3_variable_attribute_label"]) for r in rs} == {
        ("", "Insgesamt"),
        ("NATD", "deutsch"),
        ("NATA", "ausländisch"),
    }


def test_nationality_totals_are_sums_and_equal_the_population_files() -> None:
    c, pop = _nat(), population()
    single: dict[tuple[str, int, str, str], int] = defaultdict(int)
    for (key, y, age, sex), v in _detail().items():
        if age and sex and v != "-":
            group = next(g for g in reversed(AGES_21) if int(g[3:6]) <= int(age[3:6]))
            single[key, y, group, sex] += int(v)
    for key, y in kreis_years():
        for age in ("", *AGES_21):
            for nat in ("", "NATD", "NATA"):
                assert c[key, y, age, nat, ""] == (
                    c[key, y, age, nat, "GESM"] + c[key, y, age, nat, "GESW"]
                )
            for sex in SEXES:
                assert c[key, y, age, "", sex] == (
                    c[key, y, age, "NATD", sex] + c[key, y, age, "NATA", sex]
                )
        for nat in ("", "NATD", "NATA"):
            for sex in SEXES:
                assert c[key, y, "", nat, sex] == sum(c[key, y, a, nat, sex] for a in AGES_21)
        assert c[key, y, "", "", ""] == pop[key, y, "", ""], (key, y)
        for sex in ("GESM", "GESW"):
            for age in AGES_21[:15]:  # the groups 12411-02-03-4 has too
                assert c[key, y, age, "", sex] == pop[key, y, sex, age]
            for age in AGES_21:
                assert c[key, y, age, "", sex] == single[key, y, age, sex]


def _foreign(keys: set[str] | tuple[str, ...], y: int, age: str = "", sex: str = "") -> float:
    c = _nat()
    keys = [k for k in keys if not gone(k, y)]
    return sum(c[k, y, age, "NATA", sex] for k in keys) / sum(c[k, y, age, "", sex] for k in keys)


def test_foreigners_rise_live_in_the_towns_are_younger_and_more_often_men() -> None:
    assert 0.025 < _foreign(KREISE, 2015) < 0.045
    assert 0.06 < _foreign(KREISE, 2024) < 0.085
    towns = {"16051", "16052", "16053"}
    for y in YEARS:
        assert _foreign(towns, y) > _foreign(set(KREISE) - towns, y), y
        young, everyone = _foreign(KREISE, y, "ALT025B30"), _foreign(KREISE, y)
        assert young > 2 * everyone > 4 * _foreign(KREISE, y, "ALT075B80")
        assert _foreign(KREISE, y, sex="GESM") > _foreign(KREISE, y, sex="GESW")


# --- 12711-04-02-4, 12612-01-01-4, 12613-01-01-4: migration, births, deaths -----------------

MIGRATION, BIRTHS, DEATHS = (
    "12711-04-02-4_de_flat.csv",
    "12612-01-01-4_de_flat.csv",
    "12613-01-01-4_de_flat.csv",
)
MOVER_AGES = ("ALT000B18", "ALT018B25", "ALT025B30", "ALT030B50", "ALT050B65", "ALT065UM")


def _migration() -> dict[tuple, int]:
    """(Kreis, year, measure, age, sex) -> persons."""
    columns = ("value_variable_code", "2_variable_attribute_code", "3_variable_attribute_code")
    return numbers(MIGRATION, *columns)


def _natural(name: str) -> dict[tuple, int]:
    """(Kreis, year, sex) -> persons of the births or deaths file."""
    return numbers(name, "2_variable_attribute_code")


def _net(key: str, y: int, age: str = "") -> int:
    m = _migration()
    return m[key, y, "BEV085", age, ""] - m[key, y, "BEV086", age, ""]


def test_movement_layout() -> None:
    """Statistic, time, variables in table order (rows before columns) and measures."""
    expected = {
        MIGRATION: ("12711", ("ALTX01", "GES"), {"BEV085", "BEV086"}),
        BIRTHS: ("12612", ("GES",), {"BEV001"}),
        DEATHS: ("12613", ("GES",), {"BEV002"}),
    }
    for name, (statistic, variables, measures) in expected.items():
        rs = rows(name)
        assert {(r["statistics_code"], r["time_code"], len(r["time"])) for r in rs} == {
            (statistic, "JAHR", 4)
        }
        for i, code in enumerate(variables, start=2):
            assert {r[f"{i}_variable_code"] for r in rs} == {code}, name
        assert f"{len(variables) + 2}_variable_code" not in rs[0]
        assert {r["value_variable_code"] for r in rs} == measures
    assert {r["2_variable_attribute_code"] for r in rows(MIGRATION)} == {"", *MOVER_AGES}


def test_movement_totals_are_sums_of_their_cells() -> None:
    m = _migration()
    for key, y in kreis_years():
        for code in ("BEV085", "BEV086"):
            for sex in SEXES:
                parts = sum(m[key, y, code, a, sex] for a in MOVER_AGES)
                assert m[key, y, code, "", sex] == parts, (key, y, code, sex)
            for age in ("", *MOVER_AGES):
                parts = m[key, y, code, age, "GESM"] + m[key, y, code, age, "GESW"]
                assert m[key, y, code, age, ""] == parts
        for name in (BIRTHS, DEATHS):
            n = _natural(name)
            assert n[key, y, ""] == n[key, y, "GESM"] + n[key, y, "GESW"]


def test_movement_rates_are_plausible_and_students_move_to_the_towns() -> None:
    births, deaths, pop = _natural(BIRTHS), _natural(DEATHS), population()
    for key, y in kreis_years():
        p = pop[key, y, "", ""]
        assert 4.5 < 1000 * births[key, y, ""] / p < 11, (key, y)
        assert 8 < 1000 * deaths[key, y, ""] / p < 19, (key, y)
        assert 0.49 < births[key, y, "GESM"] / births[key, y, ""] < 0.54
        assert -20 < 1000 * _net(key, y) / p < 25, (key, y)
        assert 15 < 1000 * _migration()[key, y, "BEV086", "", ""] / p < 60, (key, y)
    for key in ("16051", "16053"):  # Erfurt, Jena
        assert all(_net(key, y, "ALT018B25") > 0 for y in YEARS), key


def test_movement_roughly_explains_the_population_change() -> None:
    births, deaths, pop = _natural(BIRTHS), _natural(DEATHS), population()
    for key in KREISE:
        for y in YEARS[1:]:
            if gone(key, y) or (key, y) in AREA_CHANGES:
                continue
            change = pop[key, y, "", ""] - pop[key, y - 1, "", ""]
            flows = births[key, y, ""] - deaths[key, y, ""] + _net(key, y)
            assert abs(flows - change) <= 0.009 * pop[key, y, "", ""], (key, y)
    land = {y: sum(_net(k, y) for k in KREISE if not gone(k, y)) for y in YEARS}
    assert sorted(land, key=land.get)[-2:] in ([2015, 2022], [2022, 2015])  # refugee years


# --- 13111-02-02-4: employees at their place of residence ----------------------------------

EMPLOYEES = "13111-02-02-4_de_flat.csv"


def test_employees_layout_is_the_real_place_of_work_files() -> None:
    """Variables, labels and region variables as in the real ffcsv of 13111-01-03-4."""
    rs = rows(EMPLOYEES)
    assert {r["time"][5:] for r in rs} == {"06-30"}
    assert {(r["statistics_code"], r["value_variable_code"]) for r in rs} == {("13111", "ERW033")}
    assert {(r["1_variable_code"], r["1_variable_attribute_code"] == "16") for r in rs} == {
        ("KREISE", False),
        ("DLAND", True),
    }
    fields = ("variable_code", "variable_attribute_code", "variable_attribute_label")
    assert {tuple(r[f"{n}_{f}"] for f in fields) for r in rs for n in (2, 3)} == {
        ("NAT", "", "Insgesamt"), ("NAT", "NATA", "ausländisch"),
        ("GES", "", "Insgesamt"), ("GES", "GESM", "männlich"), ("GES", "GESW", "weiblich"),
    }  # fmt: skip


def test_employees_add_up_and_rates_are_plausible() -> None:
    c = numbers(EMPLOYEES, "2_variable_attribute_code", "3_variable_attribute_code")
    pop = population()
    for y in YEARS:
        for nat in ("", "NATA"):
            for sex in SEXES:
                kreise = [c[k, y, nat, sex] for k in KREISE if not gone(k, y)]
                assert c["16", y, nat, sex] == sum(kreise), (y, nat, sex)
    for key, y in kreis_years():
        for nat in ("", "NATA"):
            assert c[key, y, nat, "GESM"] + c[key, y, nat, "GESW"] == c[key, y, nat, ""]

        def working(sex: str, key: str = key, y: int = y) -> int:
            return sum(pop[key, y, sex, age] for age in AGES_15_64)

        rate = 100 * c[key, y, "", ""] / working("")
        assert 55 < rate < 70, (key, y, rate)
        assert 53 < 100 * c[key, y, "", "GESW"] / working("GESW") < rate, (key, y)
        assert 0.01 < c[key, y, "NATA", ""] / c[key, y, "", ""] < 0.12, (key, y)


# --- 12411-01-01-5: Gemeinden -------------------------------------------------------------------

GEMEINDEN = "12411-01-01-5_de_flat.csv"
KALTENNORDHEIM = "16066095"
FORMER_WBK = {
    "16063044": "Kaltennordheim, Stadt",
    "16063001": "Andenhausen",
    "16063016": "Diedorf/Rhön",
    "16063026": "Fischbach/Rhön",
    "16063043": "Kaltenlengsfeld",
    "16063045": "Klings",
}
FORMER_SM = {"16066035": "Kaltensundheim", "16066078": "Unterweid"}
FORMER = FORMER_WBK | FORMER_SM
EISENACH_OLD = "16056000"


@functools.cache
def _extract() -> dict[str, dict[str, str]]:
    """Gemeinden of the Gemeindeverzeichnis extract by key."""
    with (SEEDS / "ref_region_gv.csv").open(encoding="utf-8", newline="") as f:
        return {r["region_key"]: r for r in csv.DictReader(f) if r["level"] == "gemeinde"}


def _eisenach_new() -> str:
    (key,) = [k for k, r in _extract().items() if r["name"] == "Eisenach, Stadt"]
    return key


@functools.cache
def _gemeinden() -> dict[tuple[str, int], dict[str, str]]:
    """(Gemeinde, year) -> sex code -> value as printed."""
    out: dict[tuple[str, int], dict[str, str]] = defaultdict(dict)
    for (key, y, sex), value in cells(GEMEINDEN, "2_variable_attribute_code").items():
        out[key, y][sex] = value
    return dict(out)


def _share_from_key_history() -> float:
    with (SEEDS / "key_history.csv").open(encoding="utf-8", newline="") as f:
        for r in csv.DictReader(f):
            if (
                r["old_key"] in ("16063", "16063000")
                and r["new_key"] in ("16066", "16066000")
                and r["change_date"].startswith("2019")
            ):
                return float(r["weight_population"])
    return 0.012


def test_gemeinde_file_format() -> None:
    raw = (SAMPLE_DIR / GEMEINDEN).read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and b"\r" not in raw and b'"' not in raw
    kreis_header = (SAMPLE_DIR / POPULATION).read_bytes().split(b"\n", 1)[0]
    assert raw.split(b"\n", 1)[0] == re.sub(rb"3_variable_[a-z_]+;", b"", kreis_header)
    for r in rows(GEMEINDEN):
        assert (r["statistics_code"], r["time_code"], r["1_variable_code"]) == (
            "12411",
            "STAG",
            "GEMEIN",
        )
        assert re.fullmatch(r"20(1[5-9]|2[0-4])-12-31", r["time"])
        assert re.fullmatch(r"16\d{6}", r["1_variable_attribute_code"])
        assert r["value"] == "-" or re.fullmatch(r"[0-9]+", r["value"])
    keys = [(r["time"], r["1_variable_attribute_code"]) for r in rows(GEMEINDEN)]
    assert keys != sorted(keys), "rows should be shuffled, as GENESIS delivers them"


def test_every_gemeinde_every_year_with_the_two_changes() -> None:
    extract, eisenach_new, by_key = _extract(), _eisenach_new(), _gemeinden()
    assert len(extract) == 605
    numeric, dash = set(), set()
    for (key, y), by_sex in by_key.items():
        assert set(by_sex) == set(SEXES), (key, y)
        if set(by_sex.values()) == {"-"}:
            dash.add((key, y))
        else:
            assert "-" not in by_sex.values(), (key, y)
            numeric.add((key, y))
    expected_numeric = {
        (k, y)
        for k in extract
        for y in YEARS
        if not (k == KALTENNORDHEIM and y < 2019) and not (k == eisenach_new and y < 2021)
    }
    expected_numeric |= {(k, y) for k in FORMER for y in YEARS if y < 2019}
    expected_numeric |= {(EISENACH_OLD, y) for y in YEARS if y < 2021}
    expected_dash = {(k, y) for k in FORMER for y in YEARS if y >= 2019}
    expected_dash |= {(EISENACH_OLD, y) for y in YEARS if y >= 2021}
    assert numeric == expected_numeric and dash == expected_dash
    # New keys have no rows at all before they exist (not `-`).
    assert not any((KALTENNORDHEIM, y) in by_key for y in range(2015, 2019))
    assert not any((eisenach_new, y) in by_key for y in range(2015, 2021))
    assert len(rows(GEMEINDEN)) == 3 * (len(expected_numeric) + len(expected_dash))
    names = {
        r["1_variable_attribute_code"]: r["1_variable_attribute_label"] for r in rows(GEMEINDEN)
    }
    assert {k: names[k] for k in extract} == {k: r["name"] for k, r in extract.items()}
    assert {k: names[k] for k in FORMER} == FORMER and names[EISENACH_OLD] == "Eisenach, Stadt"


def test_gemeinden_add_up_to_the_kreis_file() -> None:
    sums: Counter[tuple[str, int, str]] = Counter()
    for (key, y), by_sex in _gemeinden().items():
        if by_sex[""] == "-":
            continue
        total, male, female = (int(by_sex[s]) for s in SEXES)
        assert total == male + female and min(male, female) >= 0, (key, y)
        for sex in SEXES:
            sums[key[:5], y, sex] += int(by_sex[sex])
    kreis = cells(POPULATION, "2_variable_attribute_code", "3_variable_attribute_code")
    totals = {(k, y, sex): v for (k, y, sex, age), v in kreis.items() if age == ""}
    assert len(totals) == 23 * 10 * 3
    for (k, y, sex), value in totals.items():
        if value == "-":
            assert (k, y, sex) not in sums
        else:
            assert sums[k, y, sex] == int(value), (k, y, sex)
    assert set(sums) <= set(totals)


def test_former_gemeinden_and_eisenach() -> None:
    by_key, pop = _gemeinden(), population()
    for key in FORMER:
        for y in YEARS:
            if y < 2019:
                assert int(by_key[key, y][""]) > 0
            else:
                assert set(by_key[key, y].values()) == {"-"}
    parts_2018 = sum(int(by_key[k, 2018][""]) for k in FORMER_WBK)
    assert parts_2018 == math.floor(_share_from_key_history() * pop["16063", 2018, "", ""] + 0.5)
    assert 1500 <= sum(int(by_key[k, 2018][""]) for k in FORMER_SM) <= 1700
    for y in YEARS:
        if y < 2021:
            for sex in SEXES:
                assert int(by_key[EISENACH_OLD, y][sex]) == pop["16056", y, sex, ""]
        else:
            assert int(by_key[_eisenach_new(), y][""]) > 30_000
