"""What the sources of the bundled sample share: the spec a source declares, the Kreis table
and the numbers several sources derive from, rounding and noise, the writers of the file
formats and the readers of the written files.

Keys, names and layouts are real; the numbers are synthetic but plausible and mutually
consistent (totals add up, SGB II counts stay below the population they refer to). Fixed
seeds and hand-written bytes keep the output byte-stable, so the committed files can be
checked against a fresh run. Nothing here imports a source module.
"""

from __future__ import annotations

import csv
import functools
import io
import random
import re
import zipfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from itertools import product
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from pipelines.territory import DEFAULT_TERRITORY_DIR

PROJECT = Path(__file__).resolve().parents[2]
DEFAULT_OUT = PROJECT / "sample_data"


@dataclass(frozen=True)
class Spec:
    """One source of the sample, named like its contract (`data_contracts/<source>.yml`)."""

    source: str
    files: tuple[str, ...]  # the file names it writes, as the contract's `sample_files` name them
    write: Callable[[Path], list[Path]]  # writes the files into a folder, returns their paths
    needs: tuple[str, ...] = ()  # sources whose files it reads back from that folder first


# --- the Kreis table ---------------------------------------------------------------------------

SEED = 16_2015
YEARS = range(2015, 2025)
MERGE_YEAR = 2021  # Eisenach joined the Wartburgkreis on 01.07.2021
EISENACH, WARTBURGKREIS = "16056", "16063"
POPULATION_FILE = "12411-02-03-4_de_flat.csv"
SGB2_FILE = "SGB2-01-4_de_flat.csv"


@dataclass(frozen=True)
class Kreis:
    """One Thuringian Kreis and the parameters its synthetic numbers are drawn from."""

    key: str
    name: str
    pop2015: int  # total population 31.12.2015
    growth: float  # mean yearly population change
    age: float  # -1 young university town … +1 old rural Kreis
    sgb2: float  # SGB II Leistungsberechtigte / population under 65, 2015
    alq: float  # unemployment rate in % of civilian labour force, 2015


# fmt: off
KREISE: tuple[Kreis, ...] = (
    Kreis("16051", "Erfurt, kreisfreie Stadt", 210118, 0.0045, -0.8, 0.112, 7.6),
    Kreis("16052", "Gera, kreisfreie Stadt", 96000, -0.0020, 0.4, 0.138, 9.4),
    Kreis("16053", "Jena, kreisfreie Stadt", 109500, 0.0010, -1.0, 0.074, 6.2),
    Kreis("16054", "Suhl, kreisfreie Stadt", 36800, -0.0070, 1.0, 0.110, 7.8),
    Kreis("16055", "Weimar, kreisfreie Stadt", 64100, 0.0025, -0.5, 0.080, 7.0),
    Kreis("16056", "Eisenach, kreisfreie Stadt", 42417, -0.0020, 0.2, 0.096, 7.4),
    Kreis("16061", "Eichsfeld, Landkreis", 101000, -0.0045, 0.1, 0.060, 6.1),
    Kreis("16062", "Nordhausen, Landkreis", 85000, -0.0065, 0.5, 0.088, 9.0),
    Kreis("16063", "Wartburgkreis", 124000, -0.0070, 0.6, 0.064, 6.0),
    Kreis("16064", "Unstrut-Hainich-Kreis", 104000, -0.0075, 0.4, 0.084, 8.4),
    Kreis("16065", "Kyffhäuserkreis", 77000, -0.0095, 0.8, 0.089, 9.6),
    Kreis("16066", "Schmalkalden-Meiningen, Landkreis", 126000, -0.0065, 0.7, 0.066, 6.0),
    Kreis("16067", "Gotha, Landkreis", 136000, -0.0050, 0.4, 0.071, 6.6),
    Kreis("16068", "Sömmerda, Landkreis", 70000, -0.0060, 0.5, 0.068, 6.9),
    Kreis("16069", "Hildburghausen, Landkreis", 64500, -0.0075, 0.7, 0.060, 6.0),
    Kreis("16070", "Ilm-Kreis", 109000, -0.0055, 0.4, 0.072, 6.8),
    Kreis("16071", "Weimarer Land, Landkreis", 82000, -0.0050, 0.4, 0.064, 6.4),
    Kreis("16072", "Sonneberg, Landkreis", 57000, -0.0080, 0.7, 0.063, 6.0),
    Kreis("16073", "Saalfeld-Rudolstadt, Landkreis", 108000, -0.0085, 0.8, 0.080, 7.7),
    Kreis("16074", "Saale-Holzland-Kreis", 84000, -0.0055, 0.5, 0.062, 6.2),
    Kreis("16075", "Saale-Orla-Kreis", 83000, -0.0085, 0.8, 0.068, 6.5),
    Kreis("16076", "Greiz, Landkreis", 101000, -0.0090, 0.9, 0.071, 7.0),
    Kreis("16077", "Altenburger Land, Landkreis", 92000, -0.0095, 1.0, 0.089, 9.5),
)

# Kreis names as the classic table export prints them, and the area in km² at 31.12.2015.
CLASSIC_KREISE: tuple[tuple[str, str, float], ...] = (
    ("16051", "Erfurt, krsfr. Stadt", 269.91), ("16052", "Gera, krsfr. Stadt", 152.19),
    ("16053", "Jena, krsfr. Stadt", 114.76), ("16054", "Suhl, krsfr. Stadt", 103.03),
    ("16055", "Weimar, krsfr. Stadt", 84.48), ("16056", "Eisenach, krsfr. Stadt", 104.17),
    ("16061", "Eichsfeld, Kreis", 943.07), ("16062", "Nordhausen, Kreis", 713.91),
    ("16063", "Wartburgkreis", 1307.43), ("16064", "Unstrut-Hainich-Kreis", 979.69),
    ("16065", "Kyffhäuserkreis", 1037.89), ("16066", "Schmalkalden-Meiningen, Kreis", 1210.73),
    ("16067", "Gotha, Kreis", 936.08), ("16068", "Sömmerda, Kreis", 806.84),
    ("16069", "Hildburghausen, Kreis", 938.42), ("16070", "Ilm-Kreis", 843.71),
    ("16071", "Weimarer Land, Kreis", 804.48), ("16072", "Sonneberg, Kreis", 433.61),
    ("16073", "Saalfeld-Rudolstadt, Kreis", 1036.03), ("16074", "Saale-Holzland-Kreis", 815.25),
    ("16075", "Saale-Orla-Kreis", 1151.30), ("16076", "Greiz, Kreis", 845.98),
    ("16077", "Altenburger Land, Kreis", 569.41),
)

# code, label, lower age, upper age, share of Thüringen 2015 in %, male share
AGE_GROUPS: tuple[tuple[str, str, int, int, float, float], ...] = (
    ("ALT000B03", "unter 3 Jahre", 0, 3, 2.6, 0.513),
    ("ALT003B06", "3 bis unter 6 Jahre", 3, 6, 2.7, 0.513),
    ("ALT006B10", "6 bis unter 10 Jahre", 6, 10, 3.6, 0.513),
    ("ALT010B15", "10 bis unter 15 Jahre", 10, 15, 4.3, 0.514),
    ("ALT015B18", "15 bis unter 18 Jahre", 15, 18, 2.4, 0.516),
    ("ALT018B20", "18 bis unter 20 Jahre", 18, 20, 1.5, 0.530),
    ("ALT020B25", "20 bis unter 25 Jahre", 20, 25, 4.6, 0.535),
    ("ALT025B30", "25 bis unter 30 Jahre", 25, 30, 5.8, 0.540),
    ("ALT030B35", "30 bis unter 35 Jahre", 30, 35, 5.9, 0.535),
    ("ALT035B40", "35 bis unter 40 Jahre", 35, 40, 5.5, 0.525),
    ("ALT040B45", "40 bis unter 45 Jahre", 40, 45, 5.4, 0.520),
    ("ALT045B50", "45 bis unter 50 Jahre", 45, 50, 7.6, 0.515),
    ("ALT050B55", "50 bis unter 55 Jahre", 50, 55, 8.6, 0.510),
    ("ALT055B60", "55 bis unter 60 Jahre", 55, 60, 8.2, 0.505),
    ("ALT060B65", "60 bis unter 65 Jahre", 60, 65, 7.3, 0.490),
    ("ALT065B75", "65 bis unter 75 Jahre", 65, 75, 11.6, 0.470),
    ("ALT075UM", "75 Jahre und mehr", 75, 120, 13.3, 0.385),
)
# fmt: on
U15 = ("ALT000B03", "ALT003B06", "ALT006B10", "ALT010B15")
U18 = (*U15, "ALT015B18")
O65 = ("ALT065B75", "ALT075UM")


def by_year(*values: float) -> dict[int, float]:
    """A value for each sample year, 2015 first."""
    return dict(zip(YEARS, values, strict=True))


# Year factors relative to 2015: SGB II falls to 2019, Ukraine bump 2022;
# unemployment falls to 2019, Covid bump 2020.
SGB2_TREND = by_year(1.0, 0.98, 0.95, 0.90, 0.85, 0.87, 0.84, 0.92, 0.94, 0.94)
ALQ_TREND = by_year(1.0, 0.94, 0.88, 0.82, 0.78, 0.87, 0.84, 0.80, 0.82, 0.86)

PARTS = ("code", "label", "attribute_code", "attribute_label")  # of each variable column group
SEXES = (("GESM", "männlich"), ("GESW", "weiblich"))
TOTAL = ("", "Insgesamt")  # GENESIS writes "Insgesamt" rows with an empty attribute code
KREISE_VAR = ("KREISE", "Kreise und kreisfreie Städte")
SEX_VARIABLE = ("GES", "Geschlecht")
# The fields before and after the variables of a population table (12411, Stichtag 31.12.).
POPULATION_STATISTIC = ("12411", "Fortschreibung des Bevölkerungsstandes", "STAG", "Stichtag")
POPULATION_MEASURE = ("Anzahl", "BEVSTD", "Bevölkerungsstand")

Counts = dict[tuple[str, int], dict[tuple[str, ...], int]]  # (kreis, year) -> cell -> count


# --- rounding and noise --------------------------------------------------------------------------


def noise(rng: random.Random, sd: float) -> float:
    """Roughly normal noise with mean 0 from plain arithmetic on uniforms; `random.gauss`
    calls libm (log, cos), whose last bits may differ between platforms and so break
    byte-stable output."""
    return sd * 2 * (rng.random() + rng.random() + rng.random() - 1.5)


def largest_remainder(total: int, weights: Sequence[float]) -> list[int]:
    """Split an integer total by weights so the parts add up to it exactly (evenly when all
    weights are zero)."""
    s = sum(weights)
    if s == 0:
        weights, s = [1] * len(weights), len(weights)
    raw = [total * w / s for w in weights]
    parts = [int(x) for x in raw]
    order = sorted(range(len(raw)), key=lambda i: (parts[i] - raw[i], i))
    for i in order[: total - sum(parts)]:
        parts[i] += 1
    return parts


def shuffle_stream(seed: int, *shuffled_before: int) -> random.Random:
    """`Random(seed)` after shuffling lists of the given lengths. Some tables are shuffled one
    after the other from one stream; with the row counts of the tables before it, each of
    them is written on its own with the same bytes (a shuffle's draws depend on the length
    only)."""
    rng = random.Random(seed)
    for n in shuffled_before:
        rng.shuffle([None] * n)
    return rng


# --- the Kreis draws: population, SGB II, unemployment (one random stream) ---------------------

# The population file and the SGB II file are shuffled one after the other from SEED + 1.
POPULATION_ROWS = len(KREISE) * len(YEARS) * (len(SEXES) + 1) * (len(AGE_GROUPS) + 1)


def _population(rng: random.Random) -> Counts:
    """Males and females per age group; the 2015 Kreis totals are exactly `pop2015`."""
    out: Counts = {}
    for k in KREISE:
        total = float(k.pop2015)
        for year in YEARS:
            t = year - YEARS[0]
            if t:
                total *= 1 + k.growth + noise(rng, 0.002)
            weights: list[float] = []
            for _, _, lower, _, share, male in AGE_GROUPS:
                w = share * (1 + noise(rng, 0.01))
                if 18 <= lower < 35:  # students and young adults go to the towns
                    w *= 1 - 0.3 * k.age
                if lower >= 65:
                    w *= (1 + 0.12 * k.age) * (1 + 0.013 * t)
                if lower < 3:  # births fall after 2017
                    w *= 1 - 0.02 * max(0, t - 2)
                elif 6 <= lower < 18:  # the larger cohorts of the 2010s reach school age
                    w *= 1 + 0.008 * t
                m = male + noise(rng, 0.003)
                weights += [w * m, w * (1 - m)]
            parts = largest_remainder(round(total), weights)
            out[k.key, year] = {
                (sex, g[0]): parts[2 * i + j]
                for i, g in enumerate(AGE_GROUPS)
                for j, (sex, _) in enumerate(SEXES)
            }
    return out


def _age_sum(cells: dict[tuple[str, ...], int], lo: int, hi: int) -> int:
    """Population (both sexes) with lower age bound in [lo, hi)."""
    codes = {g[0] for g in AGE_GROUPS if lo <= g[2] < hi}
    return sum(n for (_, age), n in cells.items() if age in codes)


def _sgb2(rng: random.Random, pop: Counts) -> Counts:
    """LB and RLB, total and under 15, drawn as shares of the (unmerged) population."""
    out: Counts = {}
    for k in KREISE:
        for year in YEARS:
            cells = pop[k.key, year]
            rate = k.sgb2 * SGB2_TREND[year] * (1 + noise(rng, 0.015))
            child_rate = (0.045 + 1.1 * rate) * (1 + noise(rng, 0.02))
            lb = round(_age_sum(cells, 0, 65) * rate)
            lb15 = round(_age_sum(cells, 0, 15) * child_rate)
            rlb = round(lb * rng.uniform(0.96, 0.98))
            rlb15 = round(lb15 * rng.uniform(0.985, 0.998))
            out[k.key, year] = {("", "LB"): lb, ("", "RLB"): rlb}
            out[k.key, year] |= {("ALT000B15", "LB"): lb15, ("ALT000B15", "RLB"): rlb15}
    return out


def _unemployment(rng: random.Random, pop: Counts) -> Counts:
    """Civilian labour force ("LF") from the population 15-64 and the unemployed ("ALO") as a
    rate of it. The labour force stays internal: table 13211-02-05-4 publishes only rates."""
    out: Counts = {}
    for k in KREISE:
        for year in YEARS:
            participation = 0.785 + 0.02 * k.age + 0.002 * (year - YEARS[0]) + noise(rng, 0.004)
            labour = round(_age_sum(pop[k.key, year], 15, 65) * participation)
            rate = k.alq / 100 * ALQ_TREND[year] * (1 + noise(rng, 0.02))
            out[k.key, year] = {("ALO",): round(labour * rate), ("LF",): labour}
    return out


@dataclass(frozen=True)
class KreisDraws:
    """The population, SGB II and unemployment of every Kreis and year, before the 2019
    transfers and the Eisenach merger (each Kreis' own people)."""

    population: Counts
    sgb2: Counts
    unemployment: Counts


def kreis_draws() -> KreisDraws:
    """One stream from SEED: the population first, then SGB II and unemployment drawn on it
    (before the merger, so Eisenach's share is its own); fresh cells on every call."""
    rng = random.Random(SEED)
    pop = _population(rng)
    return KreisDraws(pop, _sgb2(rng, pop), _unemployment(rng, pop))


def base_population() -> Counts:
    """The population before transfers and merger: the first draw of `kreis_draws`."""
    return _population(random.Random(SEED))


def drawn(
    out_dir: Path,
    seed: int,
    draw: Callable[[random.Random, Counts], Counts],
    check: Callable[[Path, Counts], None],
) -> Counts:
    """Cells drawn by `draw` with `Random(seed)` on the base population, moved and merged,
    then checked by `check` against the population file in `out_dir`."""
    counts = moved(draw(random.Random(seed), base_population()))
    check(out_dir, counts)
    return counts


# --- map changes: the 2019 transfers and the Eisenach merger --------------------------------


def transfers(weight: str = "weight_population") -> list[tuple[str, str, str, float]]:
    """Kreis transfers of the key history seed: (change date, old, new, weight), the weight
    the column `weight` (population or area share)."""
    with (DEFAULT_TERRITORY_DIR / "key_history.csv").open(encoding="utf-8", newline="") as f:
        return [
            (r["change_date"], r["old_key"], r["new_key"], float(r[weight]))
            for r in csv.DictReader(f)
            if r["kind"] == "transfer" and r["old_key"] != r["new_key"] and len(r["old_key"]) == 5
        ]


def moved(counts: Counts) -> Counts:
    """Apply the map changes to `counts` in place (and return it): Gemeinden that changed
    Kreis (01.01.2019) take their share of every count along from the year of the change on
    (the key history's population weight); from 2021 the Wartburgkreis includes Eisenach,
    whose own cells are kept for the writer, which prints them as `-` (GENESIS keeps the row
    of a dissolved Kreis)."""
    for change_date, old, new, weight in transfers():
        for year in YEARS:
            if f"{year}-12-31" < change_date:
                continue
            source, target = counts[old, year], counts[new, year]
            for cell, n in source.items():
                share = round(n * weight)
                source[cell] = n - share
                target[cell] = target.get(cell, 0) + share
    for year in YEARS:
        if year >= MERGE_YEAR:
            target = counts[WARTBURGKREIS, year]
            for cell, n in counts[EISENACH, year].items():
                target[cell] += n
    return counts


def gone(key: str, year: int) -> bool:
    """Eisenach from 2021: GENESIS keeps the row of the dissolved Kreis, with `-`."""
    return key == EISENACH and year >= MERGE_YEAR


def shown(key: str, year: int, value: int | str) -> str:
    """A value as printed: `-` (nothing) for Eisenach from 2021."""
    return "-" if gone(key, year) else str(value)


# --- writing -------------------------------------------------------------------------------------

# The GENESIS API zips its tables: one `<table>_<epoch ms>_de_flat.csv` in the archive. Large
# samples are kept as that ZIP (a fixed stamp and date, so the bytes stay the same).
API_ZIP_STAMP = "1735689600000"  # 2025-01-01 00:00 UTC in ms
API_ZIP_DATE = (2025, 1, 1, 0, 0, 0)


def kreis_var(k: Kreis) -> list[str]:
    """The four fields of the Kreis variable of a GENESIS row."""
    return [*KREISE_VAR, k.key, k.name]


def write_ffcsv(path: Path, n_vars: int, rows: list[list[str]], rng: random.Random) -> Path:
    """Write a GENESIS ffcsv: UTF-8 with BOM, `;`, LF, no quoting, rows unsorted (shuffled
    with `rng`); as the API's ZIP when `path` ends in `.zip`."""
    head = ["statistics_code", "statistics_label", "time_code", "time_label", "time"]
    for i in range(1, n_vars + 1):
        head += [f"{i}_variable_{s}" for s in PARTS]
    head += ["value", "value_unit", "value_variable_code", "value_variable_label"]
    rng.shuffle(rows)
    text = "".join(";".join(r) + "\n" for r in [head, *rows])
    return write_flat(path, "\ufeff".encode() + text.encode("utf-8"))


def write_flat(path: Path, data: bytes) -> Path:
    """Write an ffcsv's bytes, as the API's ZIP when `path` ends in `.zip`."""
    if path.suffix != ".zip":
        path.write_bytes(data)
        return path
    member = zipfile.ZipInfo(f"{path.stem}_{API_ZIP_STAMP}_de_flat.csv", API_ZIP_DATE)
    member.compress_type = zipfile.ZIP_DEFLATED
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(member, data, compresslevel=9)
    return path


def yearly_file(table: str, year: int) -> str:
    """The site names every download of a classic table `<table>.csv`; the year keeps the
    sample's one-year exports apart."""
    return f"{table}_{year}.csv"


def yearly_files(table: str) -> tuple[str, ...]:
    return tuple(yearly_file(table, year) for year in YEARS)


def write_yearly(
    out_dir: Path, table: str, head: Sequence[str], rows: Iterable[str], foot: Sequence[str]
) -> list[Path]:
    """One classic export per year (cp1252, LF): the lines above, that year's data rows (they
    start with `<year>;`) and the lines below."""
    rows = list(rows)
    written = []
    for year in YEARS:
        path = out_dir / yearly_file(table, year)
        lines = [line for line in rows if line.startswith(f"{year};")]
        path.write_bytes("\n".join([*head, *lines, *foot, ""]).encode("cp1252"))
        written.append(path)
    return written


# --- reading the written files back -------------------------------------------------------------


def ffcsv_rows(path: Path) -> list[dict[str, str]]:
    """The rows of a plain GENESIS ffcsv sample file by column name."""
    with path.open(encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f, delimiter=";"))


def file_population(out_dir: Path) -> dict[tuple[str, int, str], int | None]:
    """(Kreis, year, age group or '') -> population, both sexes, from the Kreis population
    file in `out_dir` (None where the file has a sign)."""
    out: dict[tuple[str, int, str], int | None] = {}
    for r in ffcsv_rows(out_dir / POPULATION_FILE):
        if r["2_variable_attribute_code"] == "":
            key = (r["1_variable_attribute_code"], int(r["time"][:4]))
            value = None if r["value"] == "-" else int(r["value"])
            out[(*key, r["3_variable_attribute_code"])] = value
    return out


def check_basis(out_dir: Path, pop: Counts) -> None:
    """The base population, moved and merged, must give the totals of the population file in
    `out_dir`; otherwise the file is not the one the sources build on."""
    printed = file_population(out_dir)
    merged = moved({key: dict(cells) for key, cells in pop.items()})
    for (key, year), cells in merged.items():
        total = sum(cells.values())
        found = printed.get((key, year, ""), "missing")
        if ("-" if found is None else str(found)) != shown(key, year, total):
            raise ValueError(
                f"{out_dir / POPULATION_FILE}: total {key} {year} is {found!r}, "
                f"the population generator gives {total}"
            )


# --- single years of age (12411-04-02-4), the base of the nationality table ---------------------

SINGLE_YEARS_SEED = 16_12411_042
OLD_GROUPS = (
    ("ALT075B80", "75 bis unter 80 Jahre", 75),
    ("ALT080B85", "80 bis unter 85 Jahre", 80),
    ("ALT085B90", "85 bis unter 90 Jahre", 85),
    ("ALT090UM", "90 Jahre und mehr", 90),
)
# Shares of 75-80, 80-85, 85-90, 90+ within 75 and over in 2015, by sex.
OLD_SHARES = {"GESM": (0.50, 0.30, 0.15, 0.05), "GESW": (0.41, 0.31, 0.19, 0.09)}
SingleYears = dict[tuple[str, int, str], dict[str, int] | None]  # (Kreis, year, sex) -> age -> n


def _groups(text: str) -> SingleYears:
    """(Kreis, year, sex) -> age group -> persons of the population file (None for `-`)."""
    out: SingleYears = {}
    for r in csv.DictReader(text.splitlines(), delimiter=";"):
        sex, age = r["2_variable_attribute_code"], r["3_variable_attribute_code"]
        if not sex or not age:
            continue
        key = (r["1_variable_attribute_code"], int(r["time"][:4]), sex)
        if r["value"] == "-":
            out[key] = None
        else:
            cells = out.setdefault(key, {})
            if cells is not None:
                cells[age] = int(r["value"])
    return out


def _single_classes(code: str, lower: int, upper: int) -> list[str]:
    """The single-year classes that make up one 12411-02-03-4 age group."""
    if code == "ALT075UM":
        return [c for c, _, _ in OLD_GROUPS]
    return [f"ALT{a:03d}" for a in range(lower, upper)]


def _single_weights(rng: random.Random, code: str, ages: range, sex: str, t: int) -> list[float]:
    """Weights of the classes of one age group (`t`: years since 2015)."""
    if code == "ALT075UM":
        shares = list(OLD_SHARES[sex])
        for i in (2, 3):  # the oldest grow as life expectancy rises
            shares[i] *= 1 + 0.025 * t
        return [s * (1 + noise(rng, 0.02)) for s in shares]
    out = []
    for a in ages:
        w = 1.0
        if code == "ALT065B75":  # the baby boomers reach 65 from about 2020
            w += 0.03 * (t - 4) * (69.5 - a) / 4.5
        out.append(w * (1 + noise(rng, 0.03)))
    return out


@functools.cache
def _split(population: str) -> SingleYears:
    """The split of the population file's text (cached: several sources ask for it)."""
    groups = _groups(population)
    rng = random.Random(SINGLE_YEARS_SEED)
    out: SingleYears = {}
    for k in KREISE:
        for year in YEARS:
            for sex, _ in SEXES:
                cells = groups[k.key, year, sex]
                if cells is None:
                    out[k.key, year, sex] = None
                    continue
                fine: dict[str, int] = {}
                for code, _, lower, upper, _, _ in AGE_GROUPS:
                    ages = range(lower, min(upper, 75))
                    weights = _single_weights(rng, code, ages, sex, year - YEARS[0])
                    parts = largest_remainder(cells[code], weights)
                    fine.update(zip(_single_classes(code, lower, upper), parts, strict=True))
                out[k.key, year, sex] = fine
    return out


def single_years(out_dir: Path) -> SingleYears:
    """(Kreis, year, sex) -> single-year class (`ALT000` … `ALT074`, `ALT075B80` … `ALT090UM`)
    -> persons (None for Eisenach from 2021): each age group of the population file in
    `out_dir` split by largest remainder, the same for every source that asks."""
    return _split((out_dir / POPULATION_FILE).read_text(encoding="utf-8-sig"))


# --- foreigners (nationality table and employees) -------------------------------------------

# Share of foreigners in 2015 (towns higher), and the Land-wide growth factor per year.
FOREIGN_2015 = {"16051": 0.050, "16052": 0.046, "16053": 0.060, "16055": 0.045, "16054": 0.034}
FOREIGN_DEFAULT = 0.026
FOREIGN_TREND = by_year(1.0, 1.25, 1.34, 1.43, 1.52, 1.57, 1.66, 2.02, 2.16, 2.26)


# --- the unemployment table (13211-02-05-4), read back by the BA and city sources ------------

UNEMPLOYMENT_TABLE = "13211-02-05-4"
COUNT, RATE_DEP, RATE = (
    "Arbeitslose",
    "Arbeitslosenquote bez. abh. zivile Erwerbspers.",
    "Arbeitslosenquote bez. auf alle zivile Erwerbsp.",
)
# (measure code, attribute code, measure label, group label, unit) of each value column, in
# the order of the real export: the ERWP06 counts, the ERWP09 rate, the ERWP10 rates.
UNEMPLOYMENT_COLUMNS: tuple[tuple[str, str, str, str, str], ...] = (
    *(("ERWP06", code, COUNT, group, "Anzahl") for code, group in (
        ("", ""), ("ARBEITSLOS08", "ausländisch"), ("ARBEITSLOS06", "schwerbehindert"),
        ("ARBEITSLOS12", "15 bis unter 20 Jahre"), ("ARBEITSLOS13", "15 bis unter 25 Jahre"),
        ("ARBEITSLOS14", "55 bis unter 65 Jahre"), ("ARBEITSLOS05", "langzeitarbeitslos"),
    )),
    ("ERWP09", "", RATE_DEP, "", "Prozent"),
    *(("ERWP10", code, RATE, group, "Prozent") for code, group in (
        ("", ""), ("ARBEITSQUO05", "Männer"), ("ARBEITSQUO06", "Frauen"),
        ("ARBEITSQUO07", "ausländisch"), ("ARBEITSQUO09", "15 bis unter 25 Jahre"),
    )),
)  # fmt: skip
Figures = dict[str, dict[tuple[str, str], str]]  # region key -> (measure, attribute) -> cell


def read_unemployment(directory: Path, year: int) -> tuple[Figures, dict[str, str]]:
    """The cells of one year's unemployment export by region key, and the region names."""
    name = yearly_file(UNEMPLOYMENT_TABLE, year)
    text = (directory / name).read_bytes().decode("cp1252")
    figures: Figures = {}
    names: dict[str, str] = {}
    for fields in csv.reader(text.split("\n"), delimiter=";"):
        if len(fields) == 3 + len(UNEMPLOYMENT_COLUMNS) and fields[0] == str(year):
            key = fields[1]
            names[key] = fields[2].strip()
            figures[key] = {
                (c[0], c[1]): v for c, v in zip(UNEMPLOYMENT_COLUMNS, fields[3:], strict=True)
            }
    if not figures:
        raise ValueError(f"{name}: no data rows for {year}")
    return figures, names


def unemployed(figures: Figures, key: str, attribute: str = "") -> int:
    """An ERWP06 count of a region (`attribute` '' for all unemployed)."""
    return int(figures[key]["ERWP06", attribute])


def unemployment_rate(figures: Figures, key: str) -> float:
    """The rate on all civilian labour force (ERWP10) of a region."""
    return float(figures[key]["ERWP10", ""].replace(",", "."))


# --- migration, births and deaths (one random stream) -----------------------------------------

MOVEMENT_SEED = 12_711_013
# ALTX01: code, label, share of all movers (Land, both directions)
MOVER_AGES = (
    ("ALT000B18", "unter 18 Jahre", 0.16), ("ALT018B25", "18 bis unter 25 Jahre", 0.25),
    ("ALT025B30", "25 bis unter 30 Jahre", 0.17), ("ALT030B50", "30 bis unter 50 Jahre", 0.28),
    ("ALT050B65", "50 bis unter 65 Jahre", 0.09), ("ALT065UM", "65 Jahre und mehr", 0.05),
)  # fmt: skip
MIGRATION = (
    ("BEV085", "Zuzüge über die Kreisgrenzen"),
    ("BEV086", "Fortzüge über die Kreisgrenzen"),
)
BIRTHS = ("BEV001", "Lebendgeborene")
DEATHS = ("BEV002", "Gestorbene")
# Extra net immigration per 1,000 inhabitants (refugees 2015/2016, Ukraine 2022).
PEAK = {2015: 5.0, 2016: 1.5, 2022: 6.0}
DEATH_TREND = {2020: 1.08, 2021: 1.12, 2022: 1.06}
# Migration, births and deaths are shuffled one after the other from MOVEMENT_SEED + 1.
MIGRATION_ROWS = len(KREISE) * len(YEARS) * len(MIGRATION) * (len(MOVER_AGES) + 1) * 3
NATURAL_ROWS = len(KREISE) * len(YEARS) * 3


def _mover_weights(rng: random.Random, k: Kreis, year: int, code: str) -> list[float]:
    """Weights of the (age group, sex) cells of Zuzüge (`BEV085`) or Fortzüge (`BEV086`):
    students come to the towns (k.age < 0) and young families leave them."""
    men = (0.57 if year in PEAK else 0.54) + noise(rng, 0.01)
    inward = 1 if code == "BEV085" else -1
    out = []
    for age, _, share in MOVER_AGES:
        w = share
        if age == "ALT018B25":
            w *= 1 - 0.35 * k.age * inward
        elif age in ("ALT000B18", "ALT030B50"):
            w *= 1 + 0.15 * k.age * inward
        w *= 1 + noise(rng, 0.04)
        out += [w * men, w * (1 - men)]
    return out


def movement(out_dir: Path) -> Counts:
    """Cells (measure, age group, sex) of migration and (measure, sex) of births and deaths,
    drawn on each Kreis' own population (checked against the population file in `out_dir`)
    and then moved and merged: births about 7-9 per 1,000 (falling after 2017), deaths
    10-16 per 1,000 (a Covid bump 2020-2022); net migration is what the population change
    leaves after the natural balance, plus the refugee peaks and a little noise."""
    pop = base_population()
    check_basis(out_dir, pop)
    rng = random.Random(MOVEMENT_SEED)
    out: Counts = {}
    for k in KREISE:
        for year in YEARS:
            t = year - YEARS[0]
            total = sum(pop[k.key, year].values())
            before = sum(pop[k.key, year - 1].values()) if t else round(total / (1 + k.growth))
            birth_rate = (8.2 - 1.2 * k.age) * (1 - 0.03 * max(0, t - 2)) + noise(rng, 0.2)
            death_rate = (12.8 + 2.8 * k.age) * DEATH_TREND.get(year, 1.0) + noise(rng, 0.3)
            births = round(total * birth_rate / 1000)
            deaths = round(total * death_rate / 1000)
            net = total - before - (births - deaths)
            net += round(total * (PEAK.get(year, 0.0) + noise(rng, 0.8)) / 1000)
            out_rate = (36.0 - 10.0 * k.age) * (1 + noise(rng, 0.03))  # students move more
            fortzuege = round(total * out_rate / 1000)
            cells: dict[tuple[str, ...], int] = {}
            for code, n in (("BEV085", fortzuege + net), ("BEV086", fortzuege)):
                parts = largest_remainder(n, _mover_weights(rng, k, year, code))
                keys = [(code, age, sex) for (age, _, _), (sex, _) in product(MOVER_AGES, SEXES)]
                cells.update(zip(keys, parts, strict=True))
            boys = 0.513 + noise(rng, 0.008)
            men = 0.49 - 0.02 * k.age + noise(rng, 0.01)
            for code, n, share in ((BIRTHS[0], births, boys), (DEATHS[0], deaths, men)):
                cells[code, "GESM"], cells[code, "GESW"] = largest_remainder(n, [share, 1 - share])
            out[k.key, year] = cells
    return moved(out)


def cell_sum(cells: dict[tuple[str, ...], int], *pattern: str) -> int:
    """Sum of the cells matching `pattern` ('' matches every attribute: Insgesamt)."""
    return sum(
        n
        for cell, n in cells.items()
        if len(cell) == len(pattern)
        and all(p in ("", c) for p, c in zip(pattern, cell, strict=True))
    )


def natural_rows(
    counts: Counts, statistic: tuple[str, str], measure: tuple[str, str]
) -> Iterable[list[str]]:
    """The rows of a births or deaths table: every Kreis, year and sex."""
    for k in KREISE:
        for year in YEARS:
            cells = counts[k.key, year]
            for sex, sex_label in (*SEXES, TOTAL):
                yield [
                    *statistic, "JAHR", "Jahr", str(year), *kreis_var(k),
                    *SEX_VARIABLE, sex, sex_label,
                    shown(k.key, year, cell_sum(cells, measure[0], sex)), "Anzahl", *measure,
                ]  # fmt: skip


def write_natural(
    out_dir: Path, file: str, statistic: tuple[str, str], measure: tuple[str, str], *before: int
) -> list[Path]:
    """Write a births or deaths table; `before`: the row counts of the tables shuffled
    before it from the movement stream."""
    rows = list(natural_rows(movement(out_dir), statistic, measure))
    shuffle = shuffle_stream(MOVEMENT_SEED + 1, *before)
    return [write_ffcsv(out_dir / file, 2, rows, shuffle)]


# --- city tables: Stadtteile and districts adding up to the Kreis files ----------------------

CityTotals = dict[str, int]


def city_totals(source_dir: Path, key: str, year: int) -> CityTotals:
    """A kreisfreie Stadt's figures of `year` from the Kreis files in `source_dir`:
    population by age, SGB II Leistungsberechtigte (all, under 15), unemployed (all,
    long-term)."""
    pop = file_population(source_dir)

    def ages(codes: Sequence[str]) -> int:
        return sum(pop[key, year, c] or 0 for c in codes)

    lb = {
        r["2_variable_attribute_code"]: int(r["value"])
        for r in ffcsv_rows(source_dir / SGB2_FILE)
        if (r["time"], r["1_variable_attribute_code"]) == (str(year), key)
        and r["value_variable_code"] == "LB"
    }
    figures, _ = read_unemployment(source_dir, year)
    total = pop[key, year, ""] or 0
    return {
        "EW_INSG": total,
        "EW_U18": ages(U18),
        "EW_65UM": ages(O65),
        "SGB2_LB": lb[""],
        "ALO": unemployed(figures, key),
        "EW_U15": ages(U15),
        "EW_15_64": total - ages(U15) - ages(O65),
        "SGB2_LB_U15": lb["ALT000B15"],
        "LZA": unemployed(figures, key, "ARBEITSLOS05"),
    }


@dataclass(frozen=True)
class CityArea:
    """A Stadtteil or district and the synthetic profile its numbers are drawn from."""

    code: int
    name: str
    size: int  # relative weight of the population (synthetic)
    u18: float  # share under 18
    o65: float  # share 65 and older
    sgb2: float  # SGB II Leistungsberechtigte per inhabitant
    foreign: float = 0.0  # share of Ausländer/innen, where the table has them


def split_city_totals(
    areas: Sequence[CityArea],
    totals: CityTotals,
    rng: random.Random,
    sgb2: list[float],
    foreign: list[float] | None = None,
) -> dict[int, dict[str, int]]:
    """Every measure's city total split over the areas: the population by size, the others
    by population times share (`sgb2` per area; unemployment follows it) so the parts add up
    exactly, then the parts of parts (under 15 of under 18, SGB II under 15, long-term
    unemployed), then checks that each area's counts fit together."""
    ew = largest_remainder(totals["EW_INSG"], [a.size * (1 + noise(rng, 0.05)) for a in areas])
    shares = {"EW_U18": [a.u18 for a in areas], "EW_65UM": [a.o65 for a in areas]}
    if foreign is not None:
        shares["EW_AUSL"] = foreign
    shares |= {"SGB2_LB": sgb2, "ALO": [0.4 * s + 0.002 for s in sgb2]}
    counts: dict[int, dict[str, int]] = {
        a.code: {"EW_INSG": n} for a, n in zip(areas, ew, strict=True)
    }
    for measure, share in shares.items():
        weights = [n * s * (1 + noise(rng, 0.04)) for n, s in zip(ew, share, strict=True)]
        for a, part in zip(areas, largest_remainder(totals[measure], weights), strict=True):
            counts[a.code][measure] = part
    # Parts of a part: drawn after the measures above, so their numbers stay as they were.
    for measure, whole in (("EW_U15", "EW_U18"), ("SGB2_LB_U15", "SGB2_LB"), ("LZA", "ALO")):
        weights = [counts[a.code][whole] * (1 + noise(rng, 0.04)) for a in areas]
        for a, part in zip(areas, largest_remainder(totals[measure], weights), strict=True):
            counts[a.code][measure] = part
    for a in areas:
        c = counts[a.code]
        c["EW_15_64"] = c["EW_INSG"] - c["EW_U15"] - c["EW_65UM"]
        if (
            c["EW_U18"] + c["EW_65UM"] > c["EW_INSG"]
            or max(c.values()) != c["EW_INSG"]
            or c["EW_U15"] > c["EW_U18"]
            or c["SGB2_LB_U15"] > c["SGB2_LB"]
            or c["LZA"] > c["ALO"]
        ):
            raise AssertionError(f"implausible counts for {a.name}: {c}")
    return counts


# --- BA workbooks: layout and byte-stable saving ----------------------------------------------

BA_SEED = 16_2024
# The two BA workbooks draw from one stream from BA_SEED: the SGB II workbook first, seven
# draws per Kreis, then the unemployment workbook.
BA_SGB2_DRAWS_PER_KREIS = 7
BA_YEAR = 2024
BA_SHEET = "Tabelle 1"
LAND_NAMES = {"16": "Thüringen"}  # Land rows: one per Land of the Kreise in the tables
# The creator the sample workbooks carry in their document properties (part of their bytes).
BA_CREATOR = "pipelines.sample.ba_workbooks (synthetische Beispieldaten)"
FIXED_TIME = datetime(2025, 1, 1, 0, 0, 0)
ZIP_TIME = (2025, 1, 1, 0, 0, 0)
SYNTHETIC = "SYNTHETISCHE BEISPIELDATEN – keine amtlichen Zahlen der Bundesagentur für Arbeit"
SOURCE_NOTE = "Quelle: Statistik der Bundesagentur für Arbeit"
COPYRIGHT = "© Statistik der Bundesagentur für Arbeit"
LICENCE = "Datenlizenz Deutschland – Namensnennung – Version 2.0 (www.govdata.de/dl-de/by-2-0)"
SIGNS_NOTE = (
    "Zeichenerklärung: * Zahlenwert anonymisiert (1 oder 2 Personen bzw. Bedarfsgemeinschaften "
    "oder Rückrechnung auf einen solchen Wert möglich); - nichts vorhanden; "
    "x Nachweis nicht sinnvoll"
)
THIN = Side(style="thin", color="808080")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
HEADER_ALIGN = Alignment(horizontal="center", vertical="center", wrap_text=True)
COUNT_FORMAT = "#,##0"
QUOTA_FORMAT = "0.0"
Cell = int | float | str  # a number or a BA marker


@dataclass(frozen=True)
class BaKreis:
    key: str
    name: str  # as the BA writes it: "Erfurt, Stadt", "Eichsfeld"


def ba_name(genesis_name: str) -> str:
    """'Erfurt, kreisfreie Stadt' -> 'Erfurt, Stadt'; 'Eichsfeld, Landkreis' -> 'Eichsfeld'."""
    if genesis_name.endswith(", kreisfreie Stadt"):
        return genesis_name.removesuffix(", kreisfreie Stadt") + ", Stadt"
    return genesis_name.removesuffix(", Landkreis")


def read_sgb2_2024(out_dir: Path) -> tuple[dict[str, dict[str, int]], list[BaKreis]]:
    """LB and RLB (Insgesamt) of 2024 by Kreis key, and the Kreise (Eisenach has no own row
    in 2024), from the SGB II file in `out_dir`."""
    values: dict[str, dict[str, int]] = {}
    names: dict[str, str] = {}
    for row in ffcsv_rows(out_dir / SGB2_FILE):
        key = row["1_variable_attribute_code"]
        if row["time"] != str(BA_YEAR) or key == EISENACH or row["2_variable_attribute_code"]:
            continue
        values.setdefault(key, {})[row["value_variable_code"]] = int(row["value"])
        names[key] = ba_name(row["1_variable_attribute_label"])
    return values, [BaKreis(k, names[k]) for k in sorted(values)]


def new_workbook(title: str) -> Workbook:
    wb = Workbook()
    props = wb.properties
    props.creator = BA_CREATOR
    props.lastModifiedBy = props.creator
    props.title = title
    props.created = FIXED_TIME
    props.modified = FIXED_TIME
    return wb


def cover(ws: Worksheet, title: str, subtitle: str, area: str) -> None:
    """The "Hinweise" sheet BA workbooks open with: title, notes, signs, licence."""
    ws.title = "Hinweise"
    lines = [title, subtitle, f"{area}, Jahresdurchschnitt 2024", "", SYNTHETIC, ""]
    lines += [SIGNS_NOTE, "", SOURCE_NOTE, LICENCE, COPYRIGHT]
    for i, text in enumerate(lines, start=1):
        ws.cell(i, 1, text)
    ws["A1"].font = Font(bold=True, size=14)
    ws.column_dimensions["A"].width = 110


def title_block(ws: Worksheet, lines: list[str], width: int) -> None:
    for i, text in enumerate(lines, start=1):
        ws.cell(i, 1, text)
        ws.merge_cells(start_row=i, start_column=1, end_row=i, end_column=width)
    ws["A1"].font = Font(bold=True, size=12)


def header(ws: Worksheet, cells: list[tuple[str, str]], rows: range, width: int) -> None:
    """Merged header cells: (range like 'C8:F8', text); every cell of the block gets a border."""
    for ref, text in cells:
        first = ref.split(":")[0]
        ws[first] = text
        if ":" in ref:
            ws.merge_cells(ref)
    for r in rows:
        ws.row_dimensions[r].height = 45
        for c in range(1, width + 1):
            cell = ws.cell(r, c)
            cell.border = BOX
            cell.alignment = HEADER_ALIGN
            cell.font = Font(bold=True)


def laender(kreise: list[BaKreis]) -> list[str]:
    return sorted({k.key[:2] for k in kreise})


def area_name(kreise: list[BaKreis], names: dict[str, str]) -> str:
    """What the workbook covers: one Land's name, or 'Länder' and their keys."""
    keys = laender(kreise)
    return names.get(keys[0], keys[0]) if len(keys) == 1 else "Länder " + ", ".join(keys)


def data_row(ws: Worksheet, row: int, key: str, name: str, cells: Sequence[Cell]) -> None:
    ws.cell(row, 1, key)
    ws.cell(row, 2, name)
    for c, value in enumerate(cells, start=3):
        cell = ws.cell(row, c, value)
        if isinstance(value, str):
            cell.alignment = Alignment(horizontal="right")
        else:
            cell.number_format = QUOTA_FORMAT if isinstance(value, float) else COUNT_FORMAT
    if len(key) == 2:
        for c in range(1, len(cells) + 3):
            ws.cell(row, c).font = Font(bold=True)


def footnotes(ws: Worksheet, first_row: int, lines: list[str], width: int) -> None:
    """The notes below the table, then the widths of the key, name and value columns."""
    for i, text in enumerate([*lines, SYNTHETIC, SOURCE_NOTE, COPYRIGHT]):
        ws.cell(first_row + i, 1, text)
        ws.merge_cells(
            start_row=first_row + i, start_column=1, end_row=first_row + i, end_column=width
        )
    ws.column_dimensions["A"].width = 14
    ws.column_dimensions["B"].width = 30
    for c in range(3, width + 1):
        ws.column_dimensions[get_column_letter(c)].width = 15


def _fixed_core(xml: bytes) -> bytes:
    """openpyxl sets `dcterms:modified` to the time of saving; put the fixed date back."""
    stamp = FIXED_TIME.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    return re.sub(
        rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)", rb"\g<1>" + stamp + rb"\g<2>", xml
    )


def save_workbook(wb: Workbook, path: Path) -> Path:
    """Save with fixed document properties and fixed ZIP member dates (openpyxl stamps the
    save time into both), so a second run writes the same bytes."""
    buffer = io.BytesIO()
    wb.save(buffer)
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as src,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst,
    ):
        for item in src.infolist():
            info = zipfile.ZipInfo(item.filename, date_time=ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 0
            info.external_attr = 0
            data = src.read(item.filename)
            if item.filename == "docProps/core.xml":
                data = _fixed_core(data)
            dst.writestr(info, data)
    path.write_bytes(out.getvalue())
    return path
