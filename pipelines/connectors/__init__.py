"""Connectors: fetch files from the offices' web services.

A connector only downloads: it returns the delivered file as bytes with its name and
provenance, exactly as the service sent it. Landing the file (checksums, the landing
area, the manifest) is `pipelines.landing`'s job, reading it is a reader's job, so a
fetched file goes through the same path as a file a user downloaded by hand.

- `genesis_api`: tables (`ffcsv`) and table metadata from the GENESIS REST API 2020
  (regionalstatistik.de, GENESIS-Online of Destatis, Zensus 2022 database).
"""
