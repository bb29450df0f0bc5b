"""One module per source of the sample, named like its contract; each declares `SPEC`."""
