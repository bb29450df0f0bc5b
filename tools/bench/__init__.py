"""The benchmark: `python -m tools.bench --size germany` (`make bench`)."""
