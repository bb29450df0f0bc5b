"""Region reference data: where the project's own list of regions (dim_region) comes from.

Unlike `pipelines.readers`, whose readers turn deliveries into the canonical long table of
`raw.<source>`, the modules here read official reference files into region tables that end up
as the tables of a territory (`pipelines.territory`):

- `gemeindeverzeichnis.read_gv` reads the Destatis Gemeindeverzeichnis (GV, "AuszugGV…xlsx"):
  every Land, Regierungsbezirk, Kreis, Gemeindeverband and Gemeinde with keys, names, types,
  area and population;
- `python -m pipelines.regions.extract <GV.xlsx>` writes the Thüringen extract of it as the
  table `data_contracts/territories/thueringen/ref_region_gv.csv`;
- `python -m pipelines.regions.territory <GV.xlsx> --laender …` writes a territory of several
  Länder (Thüringen's tables as bundled, the other Länder from the GV).

Bad input raises `pipelines.readers.errors.InputError` with sheet and cell, as the readers do.
"""
