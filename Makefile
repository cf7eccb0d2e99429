# Two entry points, each doing its own set-up on a fresh machine (see README.md):
#   make demo   evaluate every bundled example patient
#   make test   run the whole test suite and write the clinician review report
PYTHON ?= $(shell command -v python3.11 || command -v python3.12 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
AS_OF ?= 2026-11-20

.PHONY: demo test setup bench clean

# The demo needs only the engine; the test stack (pytest, playwright, pyspark, ruff, …) is
# installed by `make test`. Each step says what it is doing: pip is quiet otherwise.
$(BIN)/cds: pyproject.toml
	@$(PYTHON) -c 'import sys; v = sys.version_info; sys.exit(0 if (3, 11) <= v[:2] < (3, 13) else \
	  "Python 3.11 or 3.12 is needed (durable_rules does not import on 3.13); set PYTHON=...")'
	@echo "Creating the virtual environment in $(VENV)/ and installing the engine (about a minute) ..."
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	@touch $(BIN)/cds

$(VENV)/.test-stack: $(BIN)/cds pyproject.toml
	@echo "Installing the test stack (pytest, Playwright, PySpark, ...) ..."
	$(BIN)/python -m pip install --quiet -e '.[test,spark]'
	@touch $(VENV)/.test-stack

setup: $(VENV)/.test-stack

demo: $(BIN)/cds
	$(BIN)/cds evaluate examples/patients --as-of $(AS_OF)

# The service tests run against real PostgreSQL and Redis servers (started on loopback if needed).
# The suite runs on every core (pytest-xdist); the review report reads the scenarios' side file
# (reports/bdd-exercised.json), since pytest-bdd writes no cucumber elements under xdist.
CDS_TEST_POSTGRES_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test
CDS_TEST_REDIS_URL ?= redis://127.0.0.1:6379/0

test: $(VENV)/.test-stack
	@scripts/ensure-chromium.sh
	@scripts/ensure-java.sh
	@CDS_TEST_POSTGRES_URL=$(CDS_TEST_POSTGRES_URL) CDS_TEST_REDIS_URL=$(CDS_TEST_REDIS_URL) scripts/ensure-services.sh
	CDS_TEST_POSTGRES_URL=$(CDS_TEST_POSTGRES_URL) CDS_TEST_REDIS_URL=$(CDS_TEST_REDIS_URL) CDS_TEST_REQUIRE_SERVICES=1 \
	  $(BIN)/python -m pytest -n auto --cucumberjson=reports/cucumber.json
	$(BIN)/cds review-report --cucumber-json reports/cucumber.json --output-dir reports

bench: $(VENV)/.test-stack
	$(BIN)/python bench/engine_bench.py

clean:
	rm -rf $(VENV) reports artifacts .pytest_cache .hypothesis
