"""The generator of the bundled synthetic sample (`sample_data/`) and of the scaled benchmark
input: `python -m tools.sample.generate`, `python -m tools.sample.scaled`."""
