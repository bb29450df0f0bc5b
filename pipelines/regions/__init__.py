"""Region reference data: where the project's own list of regions (dim_region) comes from.

Unlike `pipelines.readers`, whose readers turn deliveries into the canonical long table of
`raw.<source>`, the modules here read official reference files into region tables that end up
as dbt seeds:

- `gemeindeverzeichnis.read_gv` reads the Destatis Gemeindeverzeichnis (GV, "AuszugGV…xlsx"):
  every Land, Regierungsbezirk, Kreis, Gemeindeverband and Gemeinde with keys, names, types,
  area and population;
- `python -m pipelines.regions.extract <GV.xlsx>` writes the Thüringen extract of it as the
  seed `dbt_project/seeds/ref_region_gv.csv`.

Bad input raises `pipelines.readers.errors.InputError` with sheet and cell, as the readers do.
"""
