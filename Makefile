# The two commands a newcomer needs: `make run` and `make test`. Everything else is optional.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app qa_app
PYTEST_WORKERS ?= auto
export QA_ENV ?= development

.PHONY: help run test setup lint migrations-check test-sqlite test-postgres bench lock clean

help:
	@echo "make run    set everything up, then serve the app on http://127.0.0.1:5000 (and its worker)"
	@echo "make test   set up, lint, check migrations, run the suite (SQLite, PostgreSQL if"
	@echo "            QA_TEST_POSTGRES_URL is set, browser tests once if /usr/bin/chromium exists)"
	@echo "make bench  seed a regional-size dataset and measure pages against their budgets"
	@echo "            (BENCH_ARGS=\"--only cqc\": CQC's national file alone; see bench/run.py)"

# ---------------------------------------------------------------- setup

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: requirements.lock pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.lock
	@# The checkout itself on the venv's path (what an editable install does, without a build step).
	$(BIN)/python -c 'import site, pathlib, sys; pathlib.Path(site.getsitepackages()[0], "qa_app_checkout.pth").write_text(sys.argv[1])' "$(CURDIR)"
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

qa_app/static/govuk/VERSION: node_modules/.installed scripts/build_assets.py | $(VENV)/.installed
	$(BIN)/python scripts/build_assets.py

setup: $(VENV)/.installed qa_app/static/govuk/VERSION

# ---------------------------------------------------------------- run

run: setup
	@$(FLASK) db upgrade
	@$(FLASK) qa standards load
	@$(FLASK) qa seed-demo --if-empty
	@echo
	@$(FLASK) qa sign-in-help
	@echo
	@echo "The worker (reading CQC files, sending emails, the sweep every 5 minutes) runs beside the app."
	@# One shell: the worker in the background, stopped when the server stops (Ctrl+C) or fails.
	@$(FLASK) qa worker & worker=$$!; \
	  trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT; \
	  $(FLASK) run --host 127.0.0.1 --port 5000

# ---------------------------------------------------------------- test

lint: setup
	$(BIN)/ruff check .
	$(BIN)/flask --app qa_app qa standards validate
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache
	$(BIN)/python scripts/check_file_sizes.py
	$(BIN)/mypy
	node_modules/.bin/eslint qa_app/static eslint.config.js

migrations-check: setup
	$(BIN)/python scripts/check_migrations.py

# --dist worksteal: an idle worker takes tests from a busy one, so one long browser test does not
# leave the other core idle at the end. --durations: every run names its slowest tests.
PYTEST_ARGS ?= -n $(PYTEST_WORKERS) --dist worksteal -p no:cacheprovider --durations=15

# The browser tier drives pages and scripts, not SQL: it runs once, on PostgreSQL (production's
# database) when there is one, else on SQLite. Every other tier runs on both.
test-sqlite: setup
	@if [ -n "$${QA_TEST_POSTGRES_URL:-}" ]; then \
	  echo "Browser tests: in the PostgreSQL run"; \
	  $(BIN)/pytest $(PYTEST_ARGS) --ignore=tests/browser; \
	else \
	  $(BIN)/pytest $(PYTEST_ARGS); \
	fi

test-postgres: setup
	@if [ -n "$${QA_TEST_POSTGRES_URL:-}" ]; then \
	  QA_TEST_DATABASE=postgres $(BIN)/pytest $(PYTEST_ARGS) --ignore=tests/unit; \
	elif [ "$${QA_REQUIRE_POSTGRES:-}" = "1" ]; then \
	  echo "QA_REQUIRE_POSTGRES=1 but QA_TEST_POSTGRES_URL is not set: the PostgreSQL suite cannot run" >&2; exit 1; \
	else \
	  echo "QA_TEST_POSTGRES_URL is not set: skipping the PostgreSQL run of the suite"; \
	fi

test: lint migrations-check test-sqlite test-postgres
	@echo "make test: all checks passed"

# ---------------------------------------------------------------- other

bench: setup
	$(BIN)/python bench/run.py $(BENCH_ARGS)

lock:
	rm -rf /tmp/qa-lock-venv && $(PYTHON) -m venv /tmp/qa-lock-venv
	/tmp/qa-lock-venv/bin/pip install --quiet -e '.[dev,bench]'
	(echo "# Pinned versions of every Python package, tested together. Regenerate with: make lock"; \
	 /tmp/qa-lock-venv/bin/pip freeze --exclude-editable) > requirements.lock

clean:
	rm -rf $(VENV) node_modules qa_app/static/govuk .pytest_cache .ruff_cache .mypy_cache
