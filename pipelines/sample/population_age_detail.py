"""Deterministic generator of the sample table 12411-04-02-4 (population by 5-year age groups),
SYNTHETIC.

Bevölkerung nach Altersgruppen (5-Jahres-Gruppen bis 85 Jahre und mehr), Stichtag 31.12.
(`STAG`, `YYYY-12-31`), Kreise of Thüringen, 2015–2024, variable `ALTX22` (`ALT000B05` …
`ALT080B85`, `ALT085UM`, and the "Insgesamt" row with an empty code), both sexes only,
measure `BEVSTD` Bevölkerungsstand.

The groups are split, per sex, from the coarse groups of the population of `generate.py`
(before its 2019 transfers and the Eisenach merger): 0–5 = 0–3 + part of 3–6, 5–10 = the rest
of 3–6 + 6–10, 10–15 = 10–15, 15–20 = 15–18 + 18–20, 20–25 … 60–65 unchanged, 65–75 into
65–70 and 70–75 (the baby boomers reach 65 from 2020), 75+ into 75–80, 80–85, 85+ (ageing).
Then the transfers and the merger are applied with the functions of `generate.py`. Rounding
in the transfers can move a split block by a person or two, so every block is finally
reconciled (on its largest part) with `12411-02-03-4_de_flat.csv` in `out_dir`: the blocks
0–10, 10–15, 15–20, each coarse group 20–25 … 60–65, 65–75 and 75+ and so the Insgesamt equal
that file EXACTLY.

    python -m pipelines.sample.generate   (writes every sample file)
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence
from pathlib import Path

from pipelines.sample import generate as base
from pipelines.sample.childcare import base_population, file_population

SEED = 16_12411_04
FILE = "12411-04-02-4_de_flat.csv"
GROUPS: tuple[tuple[str, str], ...] = (
    ("ALT000B05", "unter 5 Jahre"),
    *((f"ALT{lo:03d}B{lo + 5:02d}", f"{lo} bis unter {lo + 5} Jahre") for lo in range(5, 85, 5)),
    ("ALT085UM", "85 Jahre und mehr"),
)
# fine groups -> the coarse groups of 12411-02-03-4 they add up to exactly
BLOCKS: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...] = (
    (("ALT000B05", "ALT005B10"), ("ALT000B03", "ALT003B06", "ALT006B10")),
    (("ALT010B15",), ("ALT010B15",)),
    (("ALT015B20",), ("ALT015B18", "ALT018B20")),
    *(((f"ALT{lo:03d}B{lo + 5:02d}",), (f"ALT{lo:03d}B{lo + 5:02d}",)) for lo in range(20, 65, 5)),
    (("ALT065B70", "ALT070B75"), ("ALT065B75",)),
    (("ALT075B80", "ALT080B85", "ALT085UM"), ("ALT075UM",)),
)


def _split(rng: random.Random, n: int, shares: Sequence[float]) -> list[int]:
    return base._largest_remainder(n, [max(s * (1 + base._noise(rng, 0.02)), 1e-6) for s in shares])


def _counts(rng: random.Random, pop: base.Counts) -> base.Counts:
    out: base.Counts = {}
    for k in base.KREISE:
        for year in base.YEARS:
            t = year - base.YEARS[0]
            cells = pop[k.key, year]
            fine: dict[tuple[str, ...], int] = {}
            for sex, _ in base.SEXES:
                c = {age: n for (s, age), n in cells.items() if s == sex}
                a35, b35 = _split(rng, c["ALT003B06"], (2.0, 1.0))  # ages 3, 4 | 5
                fine[sex, "ALT000B05"] = c["ALT000B03"] + a35
                fine[sex, "ALT005B10"] = b35 + c["ALT006B10"]
                fine[sex, "ALT010B15"] = c["ALT010B15"]
                fine[sex, "ALT015B20"] = c["ALT015B18"] + c["ALT018B20"]
                for lo in range(20, 65, 5):
                    code = f"ALT{lo:03d}B{lo + 5:02d}"
                    fine[sex, code] = c[code]
                young_old = 0.47 + 0.01 * t  # 65–70 grows as the baby boomers turn 65
                fine[sex, "ALT065B70"], fine[sex, "ALT070B75"] = _split(
                    rng, c["ALT065B75"], (young_old, 1 - young_old)
                )
                oldest = (0.22 + 0.012 * t) * (1.15 if sex == "GESW" else 0.8)
                middle = 0.30 + 0.005 * t
                fine[sex, "ALT075B80"], fine[sex, "ALT080B85"], fine[sex, "ALT085UM"] = _split(
                    rng, c["ALT075UM"], (1 - oldest - middle, middle, oldest)
                )
            out[k.key, year] = fine
    return out


def _reconcile(out_dir: Path, counts: base.Counts) -> dict[tuple[str, int], dict[str, int]]:
    """Both sexes per fine group, each block made equal to the sample file's coarse groups."""
    pop = file_population(out_dir)
    out: dict[tuple[str, int], dict[str, int]] = {}
    for (key, year), cells in counts.items():
        total = {code: sum(n for (_, c), n in cells.items() if c == code) for code, _ in GROUPS}
        if pop[key, year, ""] is not None:
            for fine, coarse in BLOCKS:
                diff = sum(pop[key, year, c] or 0 for c in coarse) - sum(total[f] for f in fine)
                if abs(diff) > 2 * len(fine):
                    raise ValueError(f"{FILE}: {key} {year} {fine}: off by {diff}")
                total[max(fine, key=lambda f: total[f])] += diff
            if sum(total.values()) != pop[key, year, ""]:
                raise ValueError(f"{FILE}: {key} {year}: groups do not add up to the total")
        out[key, year] = total
    return out


def _rows(counts: dict[tuple[str, int], dict[str, int]]) -> Iterable[list[str]]:
    for k in base.KREISE:
        for year in base.YEARS:
            cells = counts[k.key, year]
            for code, label in (*GROUPS, base.TOTAL):
                n = cells[code] if code else sum(cells.values())
                yield [
                    "12411", "Fortschreibung des Bevölkerungsstandes",
                    "STAG", "Stichtag", f"{year}-12-31", *base._kreis(k),
                    "ALTX22", "Altersgruppen (unter 5 bis 85 u. m.)", code, label,
                    base._value(k.key, year, n), "Anzahl", "BEVSTD", "Bevölkerungsstand",
                ]  # fmt: skip


def generate(out_dir: Path) -> list[Path]:
    """Write `12411-04-02-4_de_flat.csv` into `out_dir` (which must hold the Kreis population
    sample); same bytes on every run."""
    counts = _counts(random.Random(SEED), base_population())
    base._apply_transfers(counts)
    base._merge_eisenach(counts)
    totals = _reconcile(out_dir, counts)
    return [base._write(out_dir / FILE, 2, list(_rows(totals)), random.Random(SEED + 1))]
