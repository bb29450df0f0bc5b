"""Write the bundled sample input (synthetic numbers, real structure) into `sample_data/`.

The project ships its own input so that `make run` and the tests work offline and without
licence questions. Every source of the sample is one module in `tools/sample/sources/`, named
like its contract, whose `SPEC` says which files it writes and which sources' files it reads
back; this writes them all, each after the ones it needs, with the same bytes on every run.

    python -m tools.sample.generate [--out DIR]
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
from collections.abc import Sequence
from pathlib import Path

from tools.sample import sources
from tools.sample.common import DEFAULT_OUT, Spec

REGENERATE = "python -m tools.sample.generate"


def specs() -> dict[str, Spec]:
    """Every source's spec by source id, each after the sources it needs."""
    found: dict[str, Spec] = {}
    for info in sorted(pkgutil.iter_modules(sources.__path__), key=lambda i: i.name):
        spec = importlib.import_module(f"{sources.__name__}.{info.name}").SPEC
        if spec.source != info.name:
            raise ValueError(f"tools/sample/sources/{info.name}.py declares {spec.source!r}")
        found[spec.source] = spec
    ordered: dict[str, Spec] = {}

    def visit(source: str, chain: tuple[str, ...]) -> None:
        if source in chain:
            raise ValueError(f"sources need each other: {' -> '.join((*chain, source))}")
        if source not in ordered:
            for need in found[source].needs:
                visit(need, (*chain, source))
            ordered[source] = found[source]

    for source in found:
        visit(source, ())
    return ordered


def generate_all(out_dir: Path) -> list[Path]:
    """Write every sample file into `out_dir` and return their paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for spec in specs().values():
        paths = spec.write(out_dir)
        if [p.name for p in paths] != list(spec.files):
            raise ValueError(f"{spec.source} wrote {[p.name for p in paths]}, not {spec.files}")
        written += paths
    return written


def main(argv: Sequence[str] | None = None) -> None:
    """CLI: regenerate the sample files (default: the project's `sample_data/`)."""
    parser = argparse.ArgumentParser(prog="python -m tools.sample.generate", description=__doc__)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output folder")
    for path in generate_all(parser.parse_args(argv).out):
        print(path)


if __name__ == "__main__":
    main()
