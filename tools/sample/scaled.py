"""Synthetic input for several Länder up to all of Germany, for the benchmark (`tools.bench`).

    python -m tools.sample.scaled <GV.xlsx> --size tiny|germany|germany-x4 --out DIR

writes `DIR/territory/` (a territory folder, see `pipelines.territory`) and `DIR/input/` (one
file per source, named and laid out like the bundled sample, so the contracts take them as
they are). The keys and names of Länder, Kreise and Gemeinden are those of the
Gemeindeverzeichnis file; the numbers are synthetic, derived from the bundled sample:

- Thüringen keeps its own sample numbers.
- Every other Kreis gets the numbers of a Thuringian template Kreis of similar size whose map
  did not change, multiplied by a whole factor: parts still add up to their totals, and
  rates (and the published percentages) stay the template's. Areas scale with it, so
  densities do too.
- Every Gemeinde of such a Kreis gets a share of the Kreis figure by its population of
  31.12.2022 in the Gemeindeverzeichnis (largest remainder, so the Gemeinden add up to the
  Kreis), breakdown by breakdown, with totals summed from the parts; an uninhabited
  gemeindefreies Gebiet gets `-` (nothing).
- Years before the sample's first year repeat its first four years back and forth
  (2014 → 2016, 2013 → 2017, 2012 → 2018, 2011 → 2017, …): series move by one sample year
  at a time, and all of them lie on the map before the 2019 changes.
- `germany-x4` repeats every measure of the GENESIS tables three more times under codes
  with a suffix (`BEVSTD_2` …) and writes contracts that declare them (`DIR/contracts/`).
- A classic table the sample delivers year by year (unemployment, 13211-02-05-4) is written
  as one export per year, each Land row followed by its Kreise: counts scaled, rates kept,
  a Land's rates weighted by the base its Kreise imply (the bundled Land keeps its own row).
- The BA workbooks are derived from the generated SGB II and unemployment tables as the
  sample's are; the city files (Erfurt, Jena) are copied.
"""

from __future__ import annotations

import argparse
import csv
import re
import shutil
import sys
import unicodedata
import zipfile
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, replace
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import yaml

from pipelines.contracts import Contract, load_contract
from pipelines.paths import CONTRACTS_DIR
from pipelines.readers.detect import flat_member
from pipelines.territory import DEFAULT_TERRITORY_DIR, Territory
from tools.sample.common import largest_remainder, write_flat

HOME = "16"  # the Land of the bundled sample
SAMPLE_FIRST, SAMPLE_LAST = 2015, 2024
BACK_AND_FORTH = (0, 1, 2, 3, 2, 1)  # offsets from 2015 for the years before it
NOT_SCALED_UNITS = {"Prozent", "EUR"}  # rates and amounts per inhabitant: the template's
NOTHING = "-"  # GENESIS: nothing there (an uninhabited gemeindefreies Gebiet)


@dataclass(frozen=True)
class Size:
    laender: tuple[str, ...] | None  # None: all Länder of the Gemeindeverzeichnis
    first: int
    last: int
    measure_copies: int = 1


SIZES: dict[str, Size] = {
    "tiny": Size(("04", "10"), 2015, 2024),  # Thüringen, Bremen and the Saarland
    "germany": Size(None, 2000, 2024),
    "germany-x4": Size(None, 2000, 2024, measure_copies=4),
}


def template_year(year: int) -> int:
    """The sample year whose numbers `year` gets."""
    if year >= SAMPLE_FIRST:
        if year > SAMPLE_LAST:
            raise ValueError(f"the sample ends in {SAMPLE_LAST}, not {year}")
        return year
    return SAMPLE_FIRST + BACK_AND_FORTH[(SAMPLE_FIRST - year) % len(BACK_AND_FORTH)]


@dataclass(frozen=True)
class Plan:
    """Where each Kreis of the territory takes its numbers from."""

    template: dict[str, str]  # Kreis -> Thuringian template Kreis (itself in Thüringen)
    factor: dict[str, int]  # Kreis -> whole factor
    names: dict[str, str]  # Land, Kreis and Gemeinde names
    gemeinden: dict[str, list[tuple[str, int]]]  # non-Thuringian Kreis -> (Gemeinde, population)
    years: list[int]

    @property
    def kreise(self) -> list[str]:
        return sorted(self.template)


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def make_plan(territory: Territory, size: Size) -> Plan:
    """Pick a template Kreis and a factor for every Kreis of the territory."""
    gv = _rows(territory.table("ref_region_gv"))
    history = _rows(territory.table("key_history"))
    changed = {key[:5] for row in history for key in (row["old_key"], row["new_key"])}
    population = {r["region_key"]: int(r["population_2022"]) for r in gv}
    home = [
        r
        for r in _rows(territory.table("ref_region"))
        if r["level"] == "kreis" and r["region_key"].startswith(HOME)
    ]
    templates = sorted(
        r["region_key"] for r in home if not r["valid_to"] and r["region_key"] not in changed
    )
    template = {r["region_key"]: r["region_key"] for r in home}  # Eisenach until 2021 too
    factor = dict.fromkeys(template, 1)
    gemeinden: dict[str, list[tuple[str, int]]] = defaultdict(list)
    for row in gv:
        key = row["region_key"]
        if key.startswith(HOME):
            continue
        if row["level"] == "gemeinde":
            gemeinden[key[:5]].append((key, population[key]))
        elif row["level"] == "kreis":

            def misfit(t: str, key: str = key) -> tuple[int, str]:
                whole = max(1, round(population[key] / population[t]))
                return abs(whole * population[t] - population[key]), t

            best = min(templates, key=misfit)
            template[key] = best
            factor[key] = max(1, round(population[key] / population[best]))
    return Plan(
        template=template,
        factor=factor,
        names={r["region_key"]: r["name"] for r in gv},
        gemeinden=dict(gemeinden),
        years=list(range(size.first, size.last + 1)),
    )


# --- numbers -------------------------------------------------------------------------------


def _scale(value: str, factor: int) -> str:
    """A delivered number times `factor`, written as delivered (decimal comma kept)."""
    if factor == 1:
        return value
    if "," in value or "." in value:
        sep = "," if "," in value else "."
        places = len(value.split(sep)[1])
        scaled = Decimal(value.replace(",", ".")) * factor
        return f"{scaled:.{places}f}".replace(".", sep)
    return str(int(value) * factor)


def _is_number(value: str) -> bool:
    try:
        Decimal(value.replace(",", "."))
    except ArithmeticError:
        return False
    return value.strip() not in ("", "-") and not value.startswith(("+",))


# --- GENESIS flat files ----------------------------------------------------------------------


def _flat_text(path: Path) -> str:
    """A flat file's text, also from the API's ZIP the sample keeps its large tables in."""
    if path.suffix != ".zip":
        return path.read_text(encoding="utf-8-sig")
    with zipfile.ZipFile(path) as archive:
        return archive.read(flat_member(archive.namelist())).decode("utf-8-sig")


class FlatFile:
    """A GENESIS ffcsv file as lines of fields (the sample writes no quotes)."""

    def __init__(self, path: Path, contract: Contract) -> None:
        lines = [line for line in _flat_text(path).split("\n") if line]
        self.header = lines[0].split(";")
        self.rows = [line.split(";") for line in lines[1:]]
        col = self.header.index
        group = next(  # a Land row (DLAND) may come first: any row of the contract's level
            i
            for i in range(1, 5)
            if f"{i}_variable_code" in self.header
            and any(r[col(f"{i}_variable_code")] == contract.region.variable for r in self.rows)
        )
        self.key = col(f"{group}_variable_attribute_code")
        self.label = col(f"{group}_variable_attribute_label")
        self.time, self.value, self.unit = col("time"), col("value"), col("value_unit")
        self.measure = col("value_variable_code")
        self.breakdown = [
            col(f"{i}_variable_attribute_code")
            for i in range(1, 5)
            if i != group and f"{i}_variable_attribute_code" in self.header
        ]
        self.by_key_year: dict[tuple[str, int], list[list[str]]] = defaultdict(list)
        for row in self.rows:
            self.by_key_year[row[self.key], int(row[self.time][:4])].append(row)

    def moved(self, row: list[str], key: str, name: str, year: int, value: str) -> list[str]:
        out = list(row)
        out[self.key], out[self.label] = key, name
        out[self.time] = f"{year}{row[self.time][4:]}"
        out[self.value] = value
        return out

    def scaled(self, row: list[str], factor: int) -> str:
        value = row[self.value]
        if not _is_number(value) or row[self.unit] in NOT_SCALED_UNITS:
            return value
        return _scale(value, factor)

    def text(self, rows: Iterable[list[str]]) -> str:
        return "\ufeff" + "\n".join(";".join(r) for r in [self.header, *rows]) + "\n"


def kreis_rows(flat: FlatFile, plan: Plan) -> Iterable[list[str]]:
    """Every Kreis of the plan in every year, from its template."""
    for kreis in plan.kreise:
        source, factor = plan.template[kreis], plan.factor[kreis]
        for year in plan.years:
            for row in flat.by_key_year.get((source, template_year(year)), []):
                name = row[flat.label] if source == kreis else plan.names.get(kreis, kreis)
                yield flat.moved(row, kreis, name, year, flat.scaled(row, factor))
    # The bundled Land's own rows where the sample has them (sums of its Kreise, which keep
    # their sample numbers); other Länder get none, their Land is the sum of their Kreise.
    for year in plan.years:
        for row in flat.by_key_year.get((HOME, template_year(year)), []):
            yield flat.moved(row, HOME, row[flat.label], year, row[flat.value])


def gemeinde_rows(flat: FlatFile, plan: Plan) -> Iterable[list[str]]:
    """Thuringian Gemeinden as in the sample; the others share out their Kreis's figure."""
    for key in sorted({k for k, _ in flat.by_key_year}):
        for year in plan.years:
            for row in flat.by_key_year.get((key, template_year(year)), []):
                yield flat.moved(row, key, row[flat.label], year, row[flat.value])
    totals = _kreis_cells(flat)
    for kreis in plan.kreise:
        if kreis.startswith(HOME):
            continue
        for year in plan.years:
            cells = totals[plan.template[kreis], template_year(year)]
            yield from _shared_out(flat, cells, plan, kreis, year)
    # Gemeindefreie Gebiete outside any Kreis (e.g. 07000999, the German-Luxembourg
    # condominium): uninhabited, "-" in every cell.
    cells = next(iter(totals.values()))
    for outside in sorted(set(plan.gemeinden) - set(plan.template)):
        for gemeinde, _ in plan.gemeinden[outside]:
            name = plan.names.get(gemeinde, gemeinde)
            for year in plan.years:
                for cell in sorted(cells):
                    yield flat.moved(cells[cell][1], gemeinde, name, year, NOTHING)


Cells = dict[tuple[str, ...], tuple[int, list[str]]]  # (breakdown…, measure) -> (sum, a row)


def _kreis_cells(flat: FlatFile) -> dict[tuple[str, int], Cells]:
    """Per (Kreis, year) of the sample: the sum of its Gemeinden per breakdown cell."""
    out: dict[tuple[str, int], Cells] = defaultdict(dict)
    for (key, year), rows in flat.by_key_year.items():
        cells = out[key[:5], year]
        for row in rows:
            cell = (*(row[c] for c in flat.breakdown), row[flat.measure])
            value = int(row[flat.value]) if _is_number(row[flat.value]) else 0
            total, pattern = cells.get(cell, (0, row))
            cells[cell] = (total + value, pattern)
    return out


def _shared_out(
    flat: FlatFile,
    cells: Cells,
    plan: Plan,
    kreis: str,
    year: int,
) -> Iterable[list[str]]:
    """The Kreis's finest cells split over its Gemeinden; totals summed from the parts."""
    members = plan.gemeinden.get(kreis, [])
    weights = [p for _, p in members]
    factor = plan.factor[kreis]
    finest = [c for c in cells if all(c[:-1])]
    shares = {c: largest_remainder(cells[c][0] * factor, weights) for c in finest}
    covers = {
        cell: [
            f
            for f in finest
            if f[-1] == cell[-1]
            and all(a in ("", b) for a, b in zip(cell[:-1], f[:-1], strict=True))
        ]
        for cell in cells
    }
    for i, (gemeinde, _) in enumerate(members):
        for cell in sorted(cells):
            value = str(sum(shares[f][i] for f in covers[cell])) if weights[i] else NOTHING
            name = plan.names.get(gemeinde, gemeinde)
            yield flat.moved(cells[cell][1], gemeinde, name, year, value)


def with_measure_copies(
    flat: FlatFile, rows: Iterable[list[str]], copies: int
) -> Iterable[list[str]]:
    for row in rows:
        yield row
        for n in range(2, copies + 1):
            extra = list(row)
            extra[flat.measure] = f"{row[flat.measure]}_{n}"
            yield extra


# --- other formats ---------------------------------------------------------------------------


def _latin(text: str, encoding: str) -> str:
    """Names the classic export's code page cannot hold, without their accents."""
    try:
        text.encode(encoding)
        return text
    except UnicodeEncodeError:
        plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
        return plain


def classic_area(path: Path, contract: Contract, plan: Plan) -> bytes:
    """The classic area table: per year the Land rows, each followed by its Kreise."""
    encoding = contract.reader_options.get("encoding", "cp1252")
    lines = path.read_bytes().decode(encoding).split("\n")
    data = [i for i, line in enumerate(lines) if line[:2].isdigit() and line[2] == "."]
    head, foot = lines[: data[0]], lines[data[-1] + 1 :]
    values: dict[tuple[str, int], tuple[str, str]] = {}
    for i in data:
        date, key, name, value = lines[i].split(";")
        values[key, int(date[-4:])] = (name, value)
    out = list(head)
    for year in plan.years:
        t = template_year(year)
        areas: dict[str, Decimal] = defaultdict(Decimal)
        kreis_lines: dict[str, list[str]] = defaultdict(list)
        for kreis in plan.kreise:
            source = plan.template[kreis]
            if (source, t) not in values:
                continue
            name, value = values[source, t]
            if source != kreis:
                name = "      " + _latin(plan.names.get(kreis, kreis), encoding)
                value = _scale(value, plan.factor[kreis])
            if _is_number(value):
                areas[kreis[:2]] += Decimal(value.replace(",", "."))
            kreis_lines[kreis[:2]].append(f"31.12.{year};{kreis};{name};{value}")
        for land in sorted(kreis_lines):
            if land == "16" and ("16", t) in values:
                name, value = values["16", t]
            else:
                name = "  " + _latin(plan.names.get(land, land), encoding)
                value = f"{areas[land]:.2f}".replace(".", ",")
            out.append(f"31.12.{year};{land};{name};{value}")
            out.extend(kreis_lines[land])
    return "\n".join(out + foot).encode(encoding)


YEAR_ROW = re.compile(r"^(\d{4});")


def _yearly_rows(path: Path, encoding: str) -> tuple[int, list[str], list[str], list[list[str]]]:
    """A one-year classic export: its year, the lines above and below the data rows, and the
    data rows as fields (`year;key;name;values…`)."""
    lines = path.read_bytes().decode(encoding).split("\n")
    data = [i for i, line in enumerate(lines) if YEAR_ROW.match(line)]
    rows = [lines[i].split(";") for i in data]
    return int(rows[0][0]), lines[: data[0]], lines[data[-1] + 1 :], rows


def _land_row(kreise: list[list[str]], units: list[str]) -> list[str]:
    """A Land's values from its Kreise: counts summed; a rate (Prozent) as the Kreis rates
    weighted by the base each implies (first count / first rate), one decimal, half up."""
    numbers = [r for r in kreise if all(_is_number(v) for v in r)]
    counts = [i for i, u in enumerate(units) if u not in NOT_SCALED_UNITS]
    rates = [i for i, u in enumerate(units) if u in NOT_SCALED_UNITS]
    weights = [
        _number(r[counts[0]]) / _number(r[rates[0]]) if rates and _number(r[rates[0]]) else 1
        for r in numbers
    ]
    out = []
    for i, unit in enumerate(units):
        if not numbers:
            out.append(NOTHING)
        elif unit not in NOT_SCALED_UNITS:
            out.append(str(sum(int(r[i]) for r in numbers)))
        else:
            mean = sum(_number(r[i]) * w for r, w in zip(numbers, weights, strict=True))
            mean /= sum(weights)
            out.append(f"{mean.quantize(Decimal('0.1'), ROUND_HALF_UP)}".replace(".", ","))
    return out


def _number(value: str) -> Decimal:
    return Decimal(value.replace(",", "."))


def classic_yearly(samples: Iterable[Path], contract: Contract, plan: Plan) -> dict[str, bytes]:
    """A classic table the sample delivers as one export per year (`<table>_<year>.csv`, rows
    `year;key;name;values…`): per year of the plan the template year's export with every
    Land row followed by its Kreise. Counts scale with the Kreis's factor, rates do not; the
    bundled Land keeps its published row, other Länder get `_land_row`."""
    encoding = contract.reader_options.get("encoding", "cp1252")
    by_year = {}
    for path in samples:
        year, head, foot, rows = _yearly_rows(path, encoding)
        by_year[year] = (head, foot, {r[1]: r for r in rows})
    out: dict[str, bytes] = {}
    for year in plan.years:
        head, foot, rows = by_year[template_year(year)]
        units = head[-1].split(";")[3:]  # the unit row of the column header
        kreise: dict[str, list[list[str]]] = defaultdict(list)
        for kreis in plan.kreise:
            source = plan.template[kreis]
            if source not in rows:
                continue
            fields = rows[source]
            name, values = fields[2], fields[3:]
            if source != kreis:
                name = "      " + _latin(plan.names.get(kreis, kreis), encoding)
                factor = plan.factor[kreis]
                values = [
                    v if u in NOT_SCALED_UNITS or not _is_number(v) else _scale(v, factor)
                    for v, u in zip(values, units, strict=True)
                ]
            kreise[kreis[:2]].append([str(year), kreis, name, *values])
        lines = list(head)
        for land in sorted(kreise):
            if land == HOME and land in rows:
                row = [str(year), *rows[land][1:]]
            else:
                name = "  " + _latin(plan.names.get(land, land), encoding)
                parts = [r[3:] for r in kreise[land]]
                row = [str(year), land, name, *_land_row(parts, units)]
            lines += [";".join(row), *(";".join(r) for r in kreise[land])]
        out[f"{contract.table_code}_{year}.csv"] = "\n".join(lines + foot).encode(encoding)
    return out


# --- the whole input --------------------------------------------------------------------------


def _contract_copies(contract: Contract, copies: int, out: Path) -> None:
    """The contract with each measure repeated under `<code>_<n>` (germany-x4)."""
    data = yaml.safe_load(contract.path.read_text(encoding="utf-8"))
    measures = data["measures"]
    data["measures"] = measures + [
        {**m, "code": f"{m['code']}_{n}"} for n in range(2, copies + 1) for m in measures
    ]
    (out / contract.path.name).write_text(
        yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8"
    )


def generate(gv_file: Path, size_name: str, out: Path) -> tuple[Territory, Path]:
    """Write the territory and the input files of `size_name` below `out`."""
    from pipelines.regions.territory import build_territory, read_germany
    from tools.sample.sources import ba_arbeitslose_kreise, ba_sgb2_kreise

    size = SIZES[size_name]
    gv = read_germany(gv_file)
    laender = sorted(gv["land"].dropna().unique()) if size.laender is None else list(size.laender)
    territory = build_territory(
        gv, laender, out / "territory", size_name, (size.first, size.last), DEFAULT_TERRITORY_DIR
    )
    full_plan = make_plan(territory, size)
    inputs = out / "input"
    if inputs.exists():
        shutil.rmtree(inputs)
    inputs.mkdir(parents=True)
    contracts_out = out / "contracts"
    if size.measure_copies > 1:
        contracts_out.mkdir(exist_ok=True)
    laender_keys = territory.laender
    for path in sorted(CONTRACTS_DIR.glob("*.yml")):
        contract = load_contract(path, laender_keys)
        if not contract.sample_files:  # a source without a bundled sample: nothing to scale,
            if size.measure_copies > 1:  # but its contract stays in use (its dbt models read it)
                shutil.copyfile(path, contracts_out / path.name)
            continue
        sample = contract.sample_files[0]
        target = inputs / sample.name
        # a table starts when its statistic starts (care 2009, day care 2006 …)
        plan = replace(
            full_plan, years=[y for y in full_plan.years if y >= contract.period_range[0]]
        )
        if contract.reader == "genesis_ffcsv":
            flat = FlatFile(sample, contract)
            rows = (
                gemeinde_rows(flat, plan)
                if contract.region.key_length == 8
                else kreis_rows(flat, plan)
            )
            if size.measure_copies > 1:
                rows = with_measure_copies(flat, rows, size.measure_copies)
            write_flat(target, flat.text(rows).encode("utf-8"))
        elif contract.reader == "genesis_classic" and len(contract.sample_files) > 1:
            for name, data in classic_yearly(contract.sample_files, contract, plan).items():
                (inputs / name).write_bytes(data)
        elif contract.reader == "genesis_classic":
            target.write_bytes(classic_area(sample, contract, plan))
        elif contract.reader == "municipal":
            shutil.copyfile(sample, target)
        if size.measure_copies > 1:
            if contract.reader == "genesis_ffcsv":
                _contract_copies(contract, size.measure_copies, contracts_out)
            else:
                shutil.copyfile(path, contracts_out / path.name)
    land_names = {k: v for k, v in full_plan.names.items() if len(k) == 2}
    ba_sgb2_kreise.write(inputs, land_names=land_names)
    ba_arbeitslose_kreise.write(inputs, land_names=land_names)
    return territory, inputs


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tools.sample.scaled",
        description="Write synthetic input for several Länder (territory and files).",
    )
    parser.add_argument(
        "gv", type=Path, help="the Gemeindeverzeichnis, e.g. AuszugGV2QAktuell.xlsx"
    )
    parser.add_argument("--size", choices=sorted(SIZES), default="germany")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    territory, inputs = generate(args.gv, args.size, args.out)
    files = sorted(inputs.iterdir())
    total = sum(p.stat().st_size for p in files)
    print(
        f"wrote {len(files)} files ({total / 2**20:,.0f} MiB) to {inputs} and the territory "
        f"{territory.name} ({len(territory.laender)} Länder, {territory.first_period}–"
        f"{territory.last_period}) to {territory.directory}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
