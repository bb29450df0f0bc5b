"""Deterministic sample of 21111-02-06-4 (leavers of general schools), SYNTHETIC.

Writes one classic export per year, `21111-02-06-4_<year>.csv` for 2015-2024, laid out like the
one of regionalstatistik.de (`tests/fixtures/real/genesis_classic/21111-02-06-4.csv`): cp1252,
LF, `GENESIS-Tabelle: <code>`, title lines padded with `;`, the measure line
`Absolventen/Abgänger (Anzahl)`, three header rows (`Schulabschluss`; the certificate;
Insgesamt / weiblich), rows `year;key;indented name;14 values` with the Land row (16) before
its Kreise, then the footer with notes, © and `Stand:`.

Certificates in the order of the real export: Insgesamt, ohne Hauptschulabschluss (BILABS11),
mit Hauptschulabschluss (BILABS12), mit Mittlerem Abschluss (BILABS13), dar. schulischer Teil
der Fachhochschulreife (BILABS14D, counted within the others, not a part of the sum), mit
Fachhochschulreife (BILABS14: 0, as in Thüringen, where general schools award none), mit
allgemeiner Hochschulreife (BILABS15); each for all leavers and for women.

A year's leavers are about a third of the population aged 15 to under 18 of `generate.py`
(0.8-1 % of the population); about 7-10 % leave without Hauptschulabschluss. The parts are
drawn before the 2019 transfers and the Eisenach merger of `generate.py` (16056 `-` from
2021), which are then applied to each part; women and the school part of the
Fachhochschulreife are drawn with a seed of their own. Insgesamt is summed from the parts when
the file is written, and the Land row from its Kreise.

    python -m pipelines.sample.generate   (writes every sample file)
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from pathlib import Path

from pipelines.sample import generate as base
from pipelines.sample.childcare import base_population, file_population
from pipelines.sample.classic_area import KREISE as CLASSIC_NAMES

SEED = 16_21111
TABLE = "21111-02-06-4"
ENCODING = "cp1252"
# code, share 2015 in Thüringen, change per unit of Kreis age (-1 town … +1 rural), share of
# women: the parts of the total, in the order they are drawn
KINDS = (
    ("BILABS11", 0.085, 0.010, 0.37),
    ("BILABS12", 0.170, 0.030, 0.40),
    ("BILABS13", 0.420, 0.050, 0.48),
    ("BILABS15", 0.325, -0.090, 0.54),
)
SCHOOL_PART_FHR = 0.014  # BILABS14D per leaver with Mittlerer Abschluss
# (code, label) of the column pairs, in the order of the real export
COLUMNS = (
    ("", "Insgesamt"),
    ("BILABS11", "ohne Hauptschulabschluss"),
    ("BILABS12", "mit Hauptschulabschluss"),
    ("BILABS13", "mit Mittlerem Abschluss"),
    ("BILABS14D", "dar. schulischer Teil der Fachhochschulreife"),
    ("BILABS14", "mit Fachhochschulreife"),
    ("BILABS15", "mit allgemeiner Hochschulreife"),
)
PAD = ";" * (3 + 2 * len(COLUMNS) - 1)
HEADER = [
    "GENESIS-Tabelle: 21111-02-06-4",
    "Allgemeinbildende Schulen: Absolventen/Abgänger" + PAD,
    "nach dem Schulabschluss - Schuljahr -" + PAD,
    "regionale Tiefe: Kreise und krfr. Städte" + PAD,
    "Statistik der allgemein bildenden Schulen" + PAD,
    "Absolventen/Abgänger (Anzahl)" + PAD,
    ";;;" + ";".join(["Schulabschluss"] * 2 * len(COLUMNS)),
    ";;;" + ";".join(label for _, label in COLUMNS for _ in (1, 2)),
    ";;;" + ";".join(["Insgesamt", "weiblich"] * len(COLUMNS)),
]
FOOTER = [
    "__________",
    '"zu ""gesamte Tabelle"":',
    "Deutschland: mit Schulfremdenprüfung",
    "In der Regel am Ende des Schuljahres;",
    " ",
    'zu ""Absolventen/Abgänger mit Fachhochschulreife"":',
    "Berlin, Sachsen: Eine Fachhochschulreife kann nur an beruf-",
    'lichen Schulen erworben werden."',
    '"© Statistische Ämter des Bundes und der Länder, Deutschland, 2025.',
    "Dieses Werk ist lizensiert unter der Datenlizenz Deutschland",
    '- Namensnennung - Version 2.0."',
    "Stand: 04.12.2025 / 11:05:42",
]


def _counts(rng: random.Random, pop: base.Counts) -> base.Counts:
    """Leavers by certificate: cells (code, '') for all, filled in by `_women` with (code,
    'GESW')."""
    out: base.Counts = {}
    for k in base.KREISE:
        for year in base.YEARS:
            cohort = sum(n for (_, age), n in pop[k.key, year].items() if age == "ALT015B18")
            leavers = round(cohort / 3 * (1.10 + base._noise(rng, 0.03)))
            weights = [max(s + d * k.age + base._noise(rng, 0.008), 0.01) for _, s, d, _ in KINDS]
            parts = base._largest_remainder(leavers, weights)
            out[k.key, year] = {(kind[0], ""): n for kind, n in zip(KINDS, parts, strict=True)}
    return out


def _women(rng: random.Random, counts: base.Counts) -> None:
    """Women per certificate and the school part of the Fachhochschulreife (all, women)."""
    for k in base.KREISE:
        for year in base.YEARS:
            cells = counts[k.key, year]
            for code, _, _, women in KINDS:
                n = cells[code, ""]
                cells[code, "GESW"] = min(n, round(n * women * (1 + base._noise(rng, 0.04))))
            part = round(cells["BILABS13", ""] * SCHOOL_PART_FHR * (1 + base._noise(rng, 0.2)))
            cells["BILABS14D", ""] = part
            cells["BILABS14D", "GESW"] = round(part * (0.5 + base._noise(rng, 0.05)))


def file_name(year: int) -> str:
    """The site names the download `21111-02-06-4.csv`; the year keeps the files apart."""
    return f"{TABLE}_{year}.csv"


def _check(out_dir: Path, counts: base.Counts) -> None:
    """A year's leavers stay below the population aged 15 to under 18 in the sample file."""
    pop = file_population(out_dir)
    for (key, year), cells in counts.items():
        p = pop[key, year, "ALT015B18"]
        leavers = sum(cells[code, ""] for code, *_ in KINDS)
        if p is not None and not leavers < p:
            raise ValueError(f"{file_name(year)}: {key}: more leavers than population aged 15-18")


def _values(cells: dict[tuple[str, ...], int]) -> list[int]:
    """The 14 printed values: per column pair all leavers and women."""
    parts = [code for code, *_ in KINDS]
    out = []
    for code, _ in COLUMNS:
        for sex in ("", "GESW"):
            if code == "":
                out.append(sum(cells[p, sex] for p in parts))
            else:
                out.append(cells.get((code, sex), 0))
    return out


def _rows(counts: base.Counts) -> Iterable[str]:
    names = {key: name for key, name, _ in CLASSIC_NAMES}
    for year in base.YEARS:
        land = [0] * 2 * len(COLUMNS)
        kreise: list[str] = []
        for k in base.KREISE:
            prefix = f"{year};{k.key};      {names[k.key]};"
            if base._value(k.key, year, 0) == "-":
                kreise.append(prefix + ";".join(["-"] * len(land)))
                continue
            values = _values(counts[k.key, year])
            land = [a + b for a, b in zip(land, values, strict=True)]
            kreise.append(prefix + ";".join(map(str, values)))
        yield f"{year};16;  Thüringen;" + ";".join(map(str, land))
        yield from kreise


def generate(out_dir: Path) -> list[Path]:
    """Write the yearly exports into `out_dir` (which must hold the Kreis population sample);
    same bytes on every run."""
    counts = _counts(random.Random(SEED), base_population())
    _women(random.Random(SEED + 2), counts)
    base._apply_transfers(counts)
    base._merge_eisenach(counts)
    _check(out_dir, counts)
    rows = list(_rows(counts))
    written = []
    for year in base.YEARS:
        path = out_dir / file_name(year)
        lines = [line for line in rows if line.startswith(f"{year};")]
        path.write_bytes("\n".join([*HEADER, *lines, *FOOTER, ""]).encode(ENCODING))
        written.append(path)
    return written
