"""Real files as planning offices download them reach the published warehouse, equal to the file.

Every real file in `tests/fixtures/real/` that a contract covers is dropped into the inbox of a
warehouse under the name the site gives it (one of them as `download.csv`): the refresh must
match each to its contract by content, publish, and the published values of Thüringen and two
Kreise must equal the file's. Expected values are read from the files here with the csv module
(a Land without its own row: the sum of its Kreis rows), never from the warehouse's readers.
"""

from __future__ import annotations

import csv
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

from pipelines.refresh import run_refresh
from tests.conftest import REFERENCE_DATA, SAMPLE_DIR

KEYS = ("16", "16051", "16053")  # Thüringen, Erfurt, Jena
UNMATCHED = "genesis_ffcsv/12211-Z-11_de_flat.csv"  # Mikrozensus: no contract describes it


@dataclass(frozen=True)
class RealFile:
    fixture: str  # path under tests/fixtures/real
    download_name: str  # the name the user saved it under
    source: str  # the contract it must land with
    # classic exports only: (measure code, attribute codes) of each value column, and the year
    # where the rows carry none (read by eye from the header)
    classic_columns: tuple[tuple[str, tuple[str, ...]] | None, ...] = ()
    year: int | None = None
    # classic exports with a row-label column (e.g. the branch): the labels compared, with the
    # attribute code each stands for (the first variable)
    row_labels: tuple[tuple[str, str], ...] = ()


# The 14 value columns of 21111-02-06-4: certificate (BILAG2) × Insgesamt / weiblich (GES)
LEAVERS = ("", "BILABS11", "BILABS12", "BILABS13", "BILABS14D", "BILABS14", "BILABS15")
# The 6 value columns of 13111-07-05-4: nationality (NAT) × sex (GES)
NAT_GES = tuple(("ERW032", (n, s)) for n in ("", "NATA") for s in ("", "GESM", "GESW"))


REAL_FILES = [
    RealFile(
        "genesis_ffcsv/12411-01-01-4_de_flat.csv", "12411-01-01-4_de_flat.csv", "population_sex"
    ),
    RealFile(
        "genesis_classic/12411-01-01-4.csv",
        "download.csv",
        "population_sex",
        (("BEVSTD", ("",)), ("BEVSTD", ("GESM",)), ("BEVSTD", ("GESW",))),
        year=2015,
    ),
    RealFile("genesis_classic/11111-01-01-4.csv", "11111-01-01-4.csv", "area", (("FLC006", ()),)),
    RealFile(  # unemployed (ERWP06 by ERWAQ7) and rates (ERWP09; ERWP10 by ERWAQ8), 2023
        "genesis_classic_recent/13211-02-05-4.csv",
        "13211-02-05-4.csv",
        "unemployment",
        (
            ("ERWP06", ("",)),
            *[None] * 5,
            ("ERWP06", ("ARBEITSLOS05",)),
            ("ERWP09", ()),
            ("ERWP10", ("",)),
            None,
            None,
            None,
            ("ERWP10", ("ARBEITSQUO09",)),
        ),
    ),
    RealFile(
        "genesis_ffcsv/13111-01-03-4_de_flat.csv",
        "13111-01-03-4_de_flat.csv",
        "employees_workplace",
    ),
    RealFile("genesis_ffcsv/73111-01-01-4_de_flat.csv", "73111-01-01-4_de_flat.csv", "income_tax"),
    RealFile(
        "genesis_classic_recent/82411-01-03-4.csv",
        "82411-01-03-4.csv",
        "income",
        (("EKM006", ()), ("EKM014", ())),
    ),
    RealFile(
        "genesis_classic/21111-02-06-4.csv",
        "21111-02-06-4.csv",
        "school_leavers",
        tuple(("BILABS", (code, sex)) for code in LEAVERS for sex in ("", "GESW")),
    ),
    RealFile(
        "genesis_classic_recent/13111-07-05-4.csv",
        "13111-07-05-4.csv",
        "employees_branch",
        NAT_GES,
        year=2020,
        row_labels=(
            ("Insgesamt", ""),
            ("Land- und Forstwirtschaft, Fischerei (A)", "WZ08-A"),
            ("Verarbeitendes Gewerbe (C)", "WZ08-C"),
            ("Dienstleistungsbereiche (G-U)", "WZ08-G-04"),
            ("Freiberufl,wissenschaftl. techn. Dienstl.,sonst.DL", "WZ08-M-01"),
        ),
    ),
]


def _number(text: str) -> float | None:
    text = text.strip()
    return float(text.replace(",", ".")) if re.fullmatch(r"-?\d+(,\d+)?", text) else None


def expected_from_ffcsv(path: Path) -> dict[tuple, float | None]:
    """(region, year, measure, breakdown attribute codes) -> value, for the keys compared."""
    out: dict[tuple, float | None] = {}
    sums: dict[tuple, float] = {}
    with path.open(encoding="utf-8-sig", newline="") as handle:
        for row in csv.DictReader(handle, delimiter=";"):
            key = row["1_variable_attribute_code"]
            attrs = tuple(
                row[f"{n}_variable_attribute_code"] for n in (2, 3) if f"{n}_variable_code" in row
            )
            year = int(row["time"][:4])
            value = _number(row["value"])
            if key in KEYS:
                out[key, year, row["value_variable_code"], attrs] = value
            if len(key) == 5 and key.startswith("16") and value is not None:
                land = ("16", year, row["value_variable_code"], attrs)
                sums[land] = sums.get(land, 0.0) + value
    for land, total in sums.items():
        out.setdefault(land, total)
    return out


def expected_from_classic(
    path: Path, columns: tuple, year: int | None, row_labels: tuple = ()
) -> dict[tuple, float | None]:
    """Data rows `[period;]key;name;[row label;]values…` of a classic export (cp1252)."""
    out: dict[tuple, float | None] = {}
    labels = dict(row_labels)
    text = path.read_bytes().decode("cp1252")
    for fields in csv.reader(text.splitlines(), delimiter=";"):
        if len(fields) < 3:
            continue
        offset = 1 if re.fullmatch(r"\d{2}\.\d{2}\.\d{4}|\d{4}", fields[0]) else 0
        key = fields[offset]
        if key not in KEYS:
            continue
        if offset:
            year = int(fields[0][-4:])
        first = offset + 2
        row_attrs: tuple[str, ...] = ()
        if labels:
            if fields[first] not in labels:
                continue
            first, row_attrs = first + 1, (labels[fields[first]],)
        for column, target in enumerate(columns):
            if target is not None:
                measure, attrs = target
                out[key, year, measure, (*row_attrs, *attrs)] = _number(fields[first + column])
    return out


def expected(real: RealFile) -> dict[tuple, float | None]:
    path = REFERENCE_DATA / real.fixture
    if real.classic_columns:
        return expected_from_classic(path, real.classic_columns, real.year, real.row_labels)
    return expected_from_ffcsv(path)


@pytest.fixture(scope="module")
def delivered(sample_refresh, tmp_path_factory: pytest.TempPathFactory):
    """The published sample warehouse, then every real file through the inbox, one refresh."""
    root = tmp_path_factory.mktemp("real") / "warehouse"
    shutil.copytree(sample_refresh[0], root)
    inbox = root / "inbox"
    inbox.mkdir(exist_ok=True)
    # The bundled Jena districts add up to the sample's synthetic Jena figures; for 2023 the real
    # 13211-02-05-4 now gives Jena's unemployed, which synthetic districts cannot add up to: the
    # city delivers its table without them (the small-area check would rightly refuse them).
    jena = (SAMPLE_DIR / "jena_planungsraeume_2024.csv").read_text(encoding="utf-8")
    (inbox / "jena_planungsraeume_2024.csv").write_text(
        "".join(
            line
            for line in jena.splitlines(keepends=True)
            if not re.match(r"2023,\d+,[^,]*,(Arbeitslose|Langzeitarbeitslose),", line)
        ),
        encoding="utf-8",
    )
    for real in REAL_FILES:
        shutil.copyfile(REFERENCE_DATA / real.fixture, inbox / real.download_name)
    # a real table no contract describes: it stays in the inbox and is named
    shutil.copyfile(REFERENCE_DATA / UNMATCHED, inbox / "mikrozensus.csv")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SOZPLAN_WAREHOUSE_DIR", str(root))
        outcome = run_refresh(log_level="WARNING", force=False)
    return root, outcome


def test_every_real_file_lands_and_publishes(delivered) -> None:
    root, outcome = delivered
    assert outcome.success, outcome.summary()
    assert [p.name for p in (root / "inbox").iterdir()] == ["mikrozensus.csv"]
    assert "mikrozensus.csv stays in the inbox" in outcome.summary()
    assert "statistic 12211" in outcome.summary()
    with duckdb.connect(str(root / "sozialplanung.duckdb"), read_only=True) as con:
        landed = con.execute("select source, file_name from meta.source_file").fetchall()
    for real in REAL_FILES:
        assert (real.source, real.download_name) in landed


@pytest.mark.parametrize("real", REAL_FILES, ids=lambda r: f"{r.source}:{r.fixture}")
def test_published_values_equal_the_file(delivered, real: RealFile) -> None:
    root, outcome = delivered
    assert outcome.success, outcome.summary()
    wanted = expected(real)
    assert {k[0] for k in wanted} == set(KEYS), "the test must compare Thüringen and two Kreise"
    with duckdb.connect(str(root / "sozialplanung.duckdb"), read_only=True) as con:
        for (key, year, measure, attrs), value in sorted(wanted.items(), key=str):
            conditions = " and ".join(
                f"coalesce(var{n}_attr_code, '') = ?" for n in range(1, len(attrs) + 1)
            )
            sql = (
                f"select value, value_status, _source_file from raw.{real.source} "
                f"where region_key = ? and period_year = ? and measure_code = ?"
                + (f" and {conditions}" if conditions else "")
            )
            rows = con.execute(sql, [key, year, measure, *attrs]).fetchall()
            if not rows and len(key) == 2:  # no Land row in the file: the sum of its Kreise
                kreise = sql.replace("region_key = ?", "region_key like ? || '___'")
                kreise = kreise.replace(
                    "select value, value_status, _source_file",
                    "select sum(value), null, null",
                )
                rows = con.execute(kreise, [key, year, measure, *attrs]).fetchall()
            assert len(rows) == 1, (real.fixture, key, year, measure, attrs, rows)
            published, status, file = rows[0]
            assert file == real.download_name or len(key) == 2
            if value is None:
                assert published is None and status is not None, (key, year, measure, status)
            else:
                factor = 1000 if measure in ("EKF002", "LSNW02", "EKM006") else 1  # Tsd. EUR
                assert published == pytest.approx(value * factor), (key, year, measure, attrs)


def test_published_unemployment_rate_of_the_land_is_the_files(delivered) -> None:
    """Thüringen's unemployment rate 2023 is the Land row of the real export (5.9), taken as
    published: not computed from the Kreise, no denominator."""
    root, outcome = delivered
    assert outcome.success, outcome.summary()
    text = (REFERENCE_DATA / "genesis_classic_recent/13211-02-05-4.csv").read_bytes()
    (land,) = [
        fields
        for fields in csv.reader(text.decode("cp1252").splitlines(), delimiter=";")
        if fields[:2] == ["2023", "16"]
    ]
    rate = _number(land[3 + 8])  # 7 counts, ERWP09, then ERWP10 (all civilian labour force)
    assert rate == 5.9  # tests/fixtures/real/README.md
    with duckdb.connect(str(root / "sozialplanung.duckdb"), read_only=True) as con:
        row = con.execute(
            "select value, numerator, denominator, value_status, source_tables "
            "from marts.fct_indicator_value "
            "where indicator_id = 'unemployment_rate' and region_key = '16' and period = 2023"
        ).fetchone()
    assert row == (rate, rate, None, None, "13211-02-05-4")
