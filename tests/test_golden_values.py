"""Golden values: one indicator/region/year triple per indicator, worked out by hand from the
sample files (numerator and denominator counted in the files, the value by hand)."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

# (indicator, region, year): (numerator, denominator, value)
GOLDEN = {
    ("childcare_rate_u3", "16051", 2024): (2734, 4664, 58.6192),
    ("childcare_rate_3_6", "16053", 2020): (2699, 2830, 95.371),
    ("school_leavers_without_hsa", "16065", 2023): (53, 636, 8.3333),
    # the published amount per inhabitant: denominator = EKM006 / EKM014 (3,643,061 Tsd. EUR,
    # 23,251 EUR)
    ("disposable_income_per_inhabitant", "16063", 2022): (3_643_061_000, 156_684.0566, 23251.0),
    ("care_per_1000_65plus", "16054", 2019): (3607, 5107 + 5891, 327.9687),
    ("net_migration", "16053", 2024): (5408 - 5159, 110_397, 2.2555),
    ("natural_balance", "16053", 2024): (824 - 1066, 110_397, -2.1921),
    ("employment_rate", "16053", 2024): (44_401, 70_984, 62.5507),
    ("employment_rate_women", "16053", 2024): (20_819, 34_236, 60.8103),
    ("share_foreigners", "16053", 2024): (14_936, 110_397, 13.5294),
    ("elb_quota", "16051", 2024): (12_865, 138_922, 9.2606),
    ("youth_poverty", "16051", 2024): (617, 5309, 11.6218),
    ("single_parent_bg_share", "16051", 2024): (1712, 9787, 17.4926),
    # published rates (13211-02-05-4_2024.csv): the rate is the numerator, no denominator;
    # the Land's is its own row, not computed from the Kreise
    ("youth_unemployment_rate", "16051", 2024): (7.4, None, 7.4),
    ("unemployment_rate", "16", 2024): (6.2, None, 6.2),
    ("youth_unemployment_rate", "16", 2024): (6.9, None, 6.9),
    ("long_term_unemployed_share", "16051", 2024): (2490, 7315, 34.0396),
    ("elb_quota", "16063", 2021): (5094, 92_735, 5.4931),
    ("single_parent_bg_share", "16063", 2021): (655, 3989, 16.4202),
    ("share_80_plus", "16051", 2024): (8028 + 5506 + 2413, 218_766, 7.2895),
    ("average_age", "16051", 2024): (10_024_020, 218_766, 45.8207),
    ("minimum_income_quota", "16051", 2024): (17_411 + 1227 + 280 + 1193, 218_766, 9.193),
    ("old_age_poverty", "16051", 2024): (1227, 24_541 + 27_549, 2.356),
    ("housing_benefit_households", "16051", 2024): (3202, 117_030, 27.36),
    ("average_age", "16063", 2021): (7_539_301, 157_118, 47.985),
}


@pytest.fixture(scope="module")
def published(sample_refresh) -> Path:
    root, _ = sample_refresh
    return root / "sozialplanung.duckdb"


@pytest.mark.parametrize("key", list(GOLDEN), ids=lambda k: f"{k[0]}-{k[1]}-{k[2]}")
def test_golden_value(published: Path, key: tuple[str, str, int]) -> None:
    numerator, denominator, value = GOLDEN[key]
    with duckdb.connect(str(published), read_only=True) as con:
        row = con.execute(
            "select numerator, denominator, value, value_status from marts.fct_indicator_value "
            "where indicator_id = ? and region_key = ? and period = ?",
            list(key),
        ).fetchone()
    assert row is not None, key
    assert row[0] == pytest.approx(numerator) and row[1] == pytest.approx(denominator)
    assert row[2] == pytest.approx(value, abs=5e-3) and row[3] is None


def test_at_least_thirty_indicators_minus_the_missing_ones(published: Path) -> None:
    with duckdb.connect(str(published), read_only=True) as con:
        (count,) = con.execute("select count(*) from marts.dim_indicator").fetchone()
        (complete,) = con.execute(
            "select count(*) from (select indicator_id from marts.fct_indicator_value "
            "where length(region_key) <= 5 group by indicator_id having count(*) = 230)"
        ).fetchone()
    assert count >= 30 and complete == count  # every indicator: 22 Kreise + Land × 10 years
