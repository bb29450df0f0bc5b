"""The parse every dbt build starts from: the database path and the vars dbt compares.

dbt parses the whole project again (about 5 s) whenever its profile or vars differ from those
of the saved parse (`partial_parse.msgpack`). A refresh therefore gives dbt one fixed database
path, `DBT_DATABASE` in the dbt project's target folder (a link to the run's candidate while
dbt runs), and only the Gebietsstand as a var (the territory is read from the candidate).
`make setup` parses with the same path and the vars of a default refresh
(`python -m pipelines.dbt_parse`), so the first build of any warehouse of this checkout reuses
that parse, and a warehouse copied to another folder keeps its own.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from pipelines.paths import DBT_PROJECT_DIR

DBT_DATABASE = DBT_PROJECT_DIR / "target" / "dbt_candidate.duckdb"
DB_PATH_ENV = "SOZPLAN_DB_PATH"  # read by dbt_project/profiles.yml


def refresh_vars(gebietsstand: str) -> dict[str, str | int]:
    """The dbt vars of a refresh on `gebietsstand` (the territory is no var: dbt reads it from
    the candidate's schema `territory`)."""
    return {"gebietsstand": gebietsstand}


def main() -> int:
    """`dbt parse` as a default refresh would: the manifest dagster-dbt loads, and the saved
    parse a new warehouse's first build copies."""
    from pipelines.territory import newest_gebietsstand

    done = subprocess.run(
        [
            str(Path(sys.executable).parent / "dbt"), "parse", "--quiet",
            "--profiles-dir", ".", "--project-dir", ".",
            "--vars", json.dumps(refresh_vars(newest_gebietsstand())),
        ],
        cwd=DBT_PROJECT_DIR, env={**os.environ, DB_PATH_ENV: str(DBT_DATABASE)},
    )  # fmt: skip
    return done.returncode


if __name__ == "__main__":
    raise SystemExit(main())
