# Two commands on a fresh machine: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
UV_VERSION := 0.13.9
UV := $(shell command -v uv 2>/dev/null || echo .tools/bin/uv)
VENV := .venv
BIN := $(VENV)/bin
MANIFEST := dbt_project/target/manifest.json
DBT_SOURCES := $(shell find dbt_project/models dbt_project/seeds dbt_project/macros dbt_project/tests -type f 2>/dev/null) dbt_project/dbt_project.yml dbt_project/profiles.yml
export DAGSTER_HOME := $(CURDIR)/warehouse/dagster_home
export GX_ANALYTICS_ENABLED := False
export DO_NOT_TRACK := 1

.PHONY: setup run test test-tools ui docs bench lint clean

setup: $(BIN)/.synced $(BIN)/.compiled $(MANIFEST) $(DAGSTER_HOME)/dagster.yaml

.tools/bin/uv:
	$(PYTHON) -m venv .tools
	.tools/bin/pip install --quiet uv==$(UV_VERSION)

$(BIN)/.synced: pyproject.toml uv.lock | $(UV)
	$(UV) sync --frozen --compile-bytecode --python $(PYTHON)
	@touch $@

# The bytecode of the project's own modules, written once: where PYTHONDONTWRITEBYTECODE is
# set (containers and CI often set it), every `sozplan` process and test worker would otherwise
# compile them again (about 1 s each). Python ignores a .pyc older than its source.
$(BIN)/.compiled: $(BIN)/.synced $(shell find pipelines tools -name '*.py')
	$(BIN)/python -m compileall -q pipelines tools
	@touch $@

# The indicator catalogue (data_contracts/indicators/*.yml) becomes a dbt seed.
CATALOGUE_SEED := dbt_project/seeds/indicator_catalogue.csv
# (with the goals seed and the contract of mart_region_profile).
$(CATALOGUE_SEED): $(BIN)/.synced $(wildcard data_contracts/indicators/*.yml) data_contracts/goals/goals.yml pipelines/indicators.py
	$(BIN)/python -m pipelines.indicators
	@touch $@

# The contracts (data_contracts/*.yml) become dbt's raw sources (_sources.yml) and the
# measure map (macros/measure_map.sql), written together.
DBT_FROM_CONTRACTS := dbt_project/models/staging/_sources.yml
$(DBT_FROM_CONTRACTS): $(BIN)/.synced $(wildcard data_contracts/*.yml) pipelines/dbt_sources.py pipelines/contracts.py
	$(BIN)/python -m pipelines.dbt_sources
	@touch $@ dbt_project/macros/measure_map.sql

# dagster-dbt loads the dbt manifest; build it once here, not on every start. Parsed as a
# default refresh parses (pipelines/dbt_parse.py): a new warehouse's first build reuses it.
$(MANIFEST): $(BIN)/.synced $(DBT_SOURCES) $(CATALOGUE_SEED) $(DBT_FROM_CONTRACTS) pipelines/dbt_parse.py
	$(BIN)/python -m pipelines.dbt_parse

$(DAGSTER_HOME)/dagster.yaml: pipelines/dagster.yaml
	mkdir -p $(DAGSTER_HOME)
	cp pipelines/dagster.yaml $@

run: setup
	$(BIN)/sozplan refresh

# Test modules run in parallel, whole modules per worker (tests/conftest.py orders them).
TEST_WORKERS ?= auto
test: setup test-tools
	$(BIN)/pytest -n $(TEST_WORKERS) --dist loadfile --no-loadscope-reorder

# The report tests open the Kreisprofil in headless Chromium and read its PDF with pdftotext
# (Debian's packages); installed only when missing.
test-tools:
	@if [ ! -x /usr/bin/chromium ] || ! command -v pdftotext >/dev/null; then \
		SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
		$$SUDO apt-get update && \
		$$SUDO apt-get install -y --no-install-recommends chromium poppler-utils; \
	fi

ui: setup
	$(BIN)/dagster dev -h 127.0.0.1 -p 3000

# The dbt docs site (models, columns, tests, exposures) from a copy of the published warehouse.
docs: setup
	@test -f warehouse/sozialplanung.duckdb || $(BIN)/sozplan refresh
	mkdir -p warehouse/build
	cp warehouse/sozialplanung.duckdb warehouse/build/docs.duckdb
	cd dbt_project && SOZPLAN_DB_PATH=../warehouse/build/docs.duckdb ../$(BIN)/dbt docs generate \
		--quiet --profiles-dir . --project-dir . --target-path target/docs
	rm -f warehouse/build/docs.duckdb
	@echo "dbt docs: dbt_project/target/docs/index.html"

SIZE ?= germany
bench: setup
	$(BIN)/python -m tools.bench --size $(SIZE)

lint: setup
	$(BIN)/ruff check pipelines tests
	$(BIN)/ruff format --check pipelines tests

clean:
	rm -rf warehouse/build warehouse/releases warehouse/sozialplanung.duckdb dbt_project/target
