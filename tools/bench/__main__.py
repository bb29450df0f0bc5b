"""`python -m tools.bench [--size SIZE]`: three refreshes, the plain-DuckDB reference and the
analyst queries at one size; the results are printed and written to `bench/results/`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from tools.bench.harness import DEFAULT_GV, SIZES, run_bench, write_results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.bench", description=__doc__)
    parser.add_argument("--size", default="germany", choices=SIZES, help="default: germany")
    parser.add_argument(
        "--gv",
        type=Path,
        default=DEFAULT_GV,
        help="Gemeindeverzeichnis (xlsx) for the scaled sizes; default: tests/fixtures/real",
    )
    parser.add_argument(
        "--generated",
        type=Path,
        help="input written before by `python -m tools.sample.scaled --size SIZE --out DIR` "
        "(that DIR): used as it is instead of generating the size's input again",
    )
    parser.add_argument("--repeats", type=int, default=30, help="runs per analyst query")
    args = parser.parse_args(argv)
    print(f"bench --size {args.size}: three refreshes, a reference, queries …", flush=True)
    try:
        result = run_bench(
            args.size, repeats=args.repeats, gv_file=args.gv, generated=args.generated
        )
    except (ValueError, RuntimeError) as exc:
        print(f"bench failed: {exc}", file=sys.stderr)
        return 1
    print(result.markdown())
    print(f"written to {write_results(result)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
