"""Deterministic generator of the bundled sample input (synthetic numbers, real structure).

The project ships its own input so that `make run` and the tests work offline and without
licence questions. Keys, names and the GENESIS flat-file CSV layout are real; the numbers
are synthetic but plausible and mutually consistent (totals add up, SGB II counts stay
below the population they refer to). A fixed seed and hand-written bytes keep the output
byte-stable, so the committed files can be checked against a fresh run.

    python -m pipelines.sample.generate [--out DIR]
"""

from __future__ import annotations

import argparse
import random
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from pipelines.territory import DEFAULT_TERRITORY_DIR

SEED = 16_2015
YEARS = range(2015, 2025)
MERGE_YEAR = 2021  # Eisenach joined the Wartburgkreis on 01.07.2021
EISENACH, WARTBURGKREIS = "16056", "16063"
DEFAULT_OUT = Path(__file__).resolve().parents[2] / "sample_data"

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

# Year factors relative to 2015: SGB II falls to 2019, Ukraine bump 2022;
# unemployment falls to 2019, Covid bump 2020.
SGB2_TREND = dict(
    zip(YEARS, (1.0, 0.98, 0.95, 0.90, 0.85, 0.87, 0.84, 0.92, 0.94, 0.94), strict=True)
)
ALQ_TREND = dict(
    zip(YEARS, (1.0, 0.94, 0.88, 0.82, 0.78, 0.87, 0.84, 0.80, 0.82, 0.86), strict=True)
)

PARTS = ("code", "label", "attribute_code", "attribute_label")  # of each variable column group
SEXES = (("GESM", "männlich"), ("GESW", "weiblich"))
TOTAL = ("", "Insgesamt")  # GENESIS writes "Insgesamt" rows with an empty attribute code
KREISE_VAR = ("KREISE", "Kreise und kreisfreie Städte")

Counts = dict[tuple[str, int], dict[tuple[str, ...], int]]  # (kreis, year) -> cell -> count


def _noise(rng: random.Random, sd: float) -> float:
    """Roughly normal noise with mean 0 from plain arithmetic on uniforms; `random.gauss`
    calls libm (log, cos), whose last bits may differ between platforms and so break
    byte-stable output."""
    return sd * 2 * (rng.random() + rng.random() + rng.random() - 1.5)


def _largest_remainder(total: int, weights: Sequence[float]) -> list[int]:
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


def _population(rng: random.Random) -> Counts:
    """Males and females per age group; the 2015 Kreis totals are exactly `pop2015`."""
    out: Counts = {}
    for k in KREISE:
        total = float(k.pop2015)
        for year in YEARS:
            t = year - YEARS[0]
            if t:
                total *= 1 + k.growth + _noise(rng, 0.002)
            weights: list[float] = []
            for _, _, lower, _, share, male in AGE_GROUPS:
                w = share * (1 + _noise(rng, 0.01))
                if 18 <= lower < 35:  # students and young adults go to the towns
                    w *= 1 - 0.3 * k.age
                if lower >= 65:
                    w *= (1 + 0.12 * k.age) * (1 + 0.013 * t)
                if lower < 3:  # births fall after 2017
                    w *= 1 - 0.02 * max(0, t - 2)
                elif 6 <= lower < 18:  # the larger cohorts of the 2010s reach school age
                    w *= 1 + 0.008 * t
                m = male + _noise(rng, 0.003)
                weights += [w * m, w * (1 - m)]
            parts = _largest_remainder(round(total), weights)
            out[k.key, year] = {
                (sex, g[0]): parts[2 * i + j]
                for i, g in enumerate(AGE_GROUPS)
                for j, (sex, _) in enumerate(SEXES)
            }
    return out


def _transfers() -> list[tuple[str, str, str, float]]:
    """Kreis transfers of the key history seed: (change date, old, new, population weight)."""
    import csv

    seed = DEFAULT_TERRITORY_DIR / "key_history.csv"
    with seed.open(encoding="utf-8", newline="") as handle:
        return [
            (r["change_date"], r["old_key"], r["new_key"], float(r["weight_population"]))
            for r in csv.DictReader(handle)
            if r["kind"] == "transfer" and r["old_key"] != r["new_key"] and len(r["old_key"]) == 5
        ]


def _apply_transfers(counts: Counts) -> None:
    """Gemeinden that changed Kreis (01.01.2019) take their share of every count along,
    from the year of the change on (the share is the key history's population weight)."""
    for change_date, old, new, weight in _transfers():
        for year in YEARS:
            if f"{year}-12-31" < change_date:
                continue
            source, target = counts[old, year], counts[new, year]
            for cell, n in source.items():
                moved = round(n * weight)
                source[cell] = n - moved
                target[cell] = target.get(cell, 0) + moved


def _merge_eisenach(counts: Counts) -> None:
    """From 2021 the Wartburgkreis includes Eisenach; Eisenach's own cells are kept for
    the writer, which prints them as `-` (GENESIS keeps the row of a dissolved Kreis)."""
    for year in YEARS:
        if year >= MERGE_YEAR:
            target = counts[WARTBURGKREIS, year]
            for cell, n in counts[EISENACH, year].items():
                target[cell] += n


def _sum(cells: dict[tuple[str, ...], int], lo: int, hi: int) -> int:
    """Population (both sexes) with lower age bound in [lo, hi)."""
    codes = {g[0] for g in AGE_GROUPS if lo <= g[2] < hi}
    return sum(n for (_, age), n in cells.items() if age in codes)


def _sgb2(rng: random.Random, pop: Counts) -> Counts:
    """LB and RLB, total and under 15, drawn as shares of the (unmerged) population."""
    out: Counts = {}
    for k in KREISE:
        for year in YEARS:
            cells = pop[k.key, year]
            rate = k.sgb2 * SGB2_TREND[year] * (1 + _noise(rng, 0.015))
            child_rate = (0.045 + 1.1 * rate) * (1 + _noise(rng, 0.02))
            lb = round(_sum(cells, 0, 65) * rate)
            lb15 = round(_sum(cells, 0, 15) * child_rate)
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
            participation = 0.785 + 0.02 * k.age + 0.002 * (year - YEARS[0]) + _noise(rng, 0.004)
            labour = round(_sum(pop[k.key, year], 15, 65) * participation)
            rate = k.alq / 100 * ALQ_TREND[year] * (1 + _noise(rng, 0.02))
            out[k.key, year] = {("ALO",): round(labour * rate), ("LF",): labour}
    return out


def _value(key: str, year: int, value: int | str) -> str:
    """Eisenach from 2021 is shown as `-` (nothing), as GENESIS does after the merger."""
    return "-" if key == EISENACH and year >= MERGE_YEAR else str(value)


# The GENESIS API zips its tables: one `<table>_<epoch ms>_de_flat.csv` in the archive. Large
# samples are kept as that ZIP (a fixed stamp and date, so the bytes stay the same).
API_ZIP_STAMP = "1735689600000"  # 2025-01-01 00:00 UTC in ms
API_ZIP_DATE = (2025, 1, 1, 0, 0, 0)


def _write(path: Path, n_vars: int, rows: list[list[str]], rng: random.Random) -> Path:
    """Write a GENESIS ffcsv: UTF-8 with BOM, `;`, LF, no quoting, rows unsorted; as the API's
    ZIP when `path` ends in `.zip`."""
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


def _kreis(k: Kreis) -> list[str]:
    return [*KREISE_VAR, k.key, k.name]


def _population_rows(pop: Counts) -> Iterable[list[str]]:
    ages = [(g[0], g[1]) for g in AGE_GROUPS]
    for k in KREISE:
        for year in YEARS:
            cells = pop[k.key, year]
            for sex in (*SEXES, TOTAL):
                for age in (*ages, TOTAL):
                    n = sum(
                        v for (s, a), v in cells.items() if sex[0] in ("", s) and age[0] in ("", a)
                    )
                    yield [
                        "12411", "Fortschreibung des Bevölkerungsstandes",
                        "STAG", "Stichtag", f"{year}-12-31", *_kreis(k),
                        "GES", "Geschlecht", *sex,
                        "ALTX20", "Altersgruppen (unter 3 bis 75 u. m.)", *age,
                        _value(k.key, year, n), "Anzahl", "BEVSTD", "Bevölkerungsstand",
                    ]  # fmt: skip


def _sgb2_rows(sgb2: Counts) -> Iterable[list[str]]:
    measures = {"LB": "Leistungsberechtigte", "RLB": "Regelleistungsberechtigte"}
    ages = {"": "Insgesamt", "ALT000B15": "unter 15 Jahre"}
    for k in KREISE:
        for year in YEARS:
            for (age, measure), n in sgb2[k.key, year].items():
                yield [
                    "SGB2", "Statistik der Grundsicherung für Arbeitsuchende (SGB II)",
                    "JAHR", "Jahr", str(year), *_kreis(k),
                    "ALTSG2", "Altersgruppen SGB II", age, ages[age],
                    _value(k.key, year, n), "Anzahl", measure, measures[measure],
                ]  # fmt: skip


def generate(out_dir: Path) -> list[Path]:
    """Write the population, SGB II and unemployment tables into `out_dir` (the unemployment
    table as one classic export per year, `pipelines/sample/unemployment.py`); same bytes on
    every run."""
    from pipelines.sample import unemployment

    out_dir.mkdir(parents=True, exist_ok=True)
    rng = random.Random(SEED)
    pop = _population(rng)
    sgb2 = _sgb2(rng, pop)  # drawn before the merger, so Eisenach's share is its own
    unemp = _unemployment(rng, pop)
    unemployment.breakdown(unemp)
    for counts in (pop, sgb2, unemp):
        _apply_transfers(counts)
        _merge_eisenach(counts)
    shuffle = random.Random(SEED + 1)
    return [
        _write(out_dir / POPULATION_FILE, 3, list(_population_rows(pop)), shuffle),
        _write(out_dir / SGB2_FILE, 2, list(_sgb2_rows(sgb2)), shuffle),
        *unemployment.write(out_dir, unemp),
    ]


def generate_all(out_dir: Path) -> list[Path]:
    """Every bundled sample file: the GENESIS tables first, then the files derived from them
    (BA workbooks and the Erfurt Stadtteil table read their totals from `out_dir`)."""
    from pipelines.sample import (
        ba_workbooks,
        care,
        childcare,
        classic_area,
        employees_residence,
        gemeinden,
        income,
        jena,
        minimum_income,
        municipal,
        population_age_detail,
        population_movement,
        population_nationality,
        school_leavers,
        sgb2_details,
    )  # fmt: skip

    written = generate(out_dir)
    for module in (
        classic_area, childcare, school_leavers, income, care, ba_workbooks, sgb2_details,
        municipal, gemeinden, jena, population_movement,
        employees_residence, population_nationality, population_age_detail, minimum_income,
    ):  # fmt: skip
        written += module.generate(out_dir)
    return written


def main(argv: Sequence[str] | None = None) -> None:
    """CLI: regenerate the sample files (default: the project's `sample_data/`)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output folder")
    for path in generate_all(parser.parse_args(argv).out):
        print(path)


if __name__ == "__main__":
    main()
