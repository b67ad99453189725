# certflow — the two commands: `make run` and `make test`.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat requirements.txt requirements-dev.txt | cksum | cut -d' ' -f1)
export FLASK_APP := certflow

.PHONY: run serve test test-layers test-sqlite test-postgresql lint translations translations-update bench bench-notifications bench-events bench-proposals screens clean

$(STAMP): requirements.txt requirements-dev.txt
	@command -v $(PYTHON) >/dev/null || { echo "Python 3.11 is required ($(PYTHON) not found)"; exit 1; }
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.txt
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

translations: $(STAMP)
	$(BIN)/pybabel -q compile -d certflow/translations

## make translations-update: extract every message and merge it into the catalogues to translate
translations-update: $(STAMP)
	$(BIN)/pybabel -q extract -F babel.cfg -o /tmp/certflow-messages.pot .
	$(BIN)/pybabel -q update --no-fuzzy-matching -i /tmp/certflow-messages.pot -d certflow/translations

## make run: install, migrate, seed demo data if empty, serve with the worker (embedded default)
run: $(STAMP) translations
	$(BIN)/flask db upgrade
	$(BIN)/flask seed-demo --if-empty
	@echo ""
	@echo "certflow is starting at http://127.0.0.1:5000  (Ctrl-C stops it)"
	@echo "Demo accounts:"
	@$(BIN)/flask demo-accounts
	@echo ""
	@$(MAKE) --no-print-directory serve

## make serve: the processes of `make run` alone (a Celery worker with beat, gunicorn); Ctrl-C or
## SIGTERM to the process group stops them all within a few seconds (tests/integration/test_clean_stops.py):
## a worker still in its warm shutdown 4 s after gunicorn stopped gets SIGQUIT (cold shutdown; its task,
## acknowledged late, goes back to the queue)
HOST ?= 127.0.0.1
PORT ?= 5000
WORKER_POOL ?= threads
INSTANCE ?= $(or $(CERTFLOW_INSTANCE),instance)
serve:
	@LOG_LEVEL=$${LOG_LEVEL:-WARNING} $(BIN)/celery -A celery_worker worker --beat --loglevel=warning --concurrency=2 --pool=$(WORKER_POOL) \
	    --schedule=$(INSTANCE)/celerybeat-schedule & worker=$$!; \
	trap 'kill -TERM $$worker 2>/dev/null; \
	      for i in 1 2 3 4 5 6 7 8; do kill -0 $$worker 2>/dev/null || break; sleep 0.5; done; \
	      kill -QUIT $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT; \
	trap 'exit 0' INT TERM; \
	$(BIN)/gunicorn --workers 2 --bind $(HOST):$(PORT) --access-logfile - "certflow:create_app()"

## make test: install, the layering contracts, then the whole suite on SQLite and on PostgreSQL
test: $(STAMP) translations test-layers test-sqlite test-postgresql

## make test-layers: the import-linter contracts of pyproject.toml (layers, independent blueprints, no cycles)
test-layers: $(STAMP)
	$(BIN)/lint-imports --no-logo

test-sqlite: $(STAMP)
	$(BIN)/python -m pytest -q -p no:cacheprovider tests

test-postgresql: $(STAMP)
	@if [ "$$CI" = "true" ] || $(BIN)/python -c "import tests.conftest as c, sys; sys.exit(0 if c.pg_available() else 1)"; then \
	  CERTFLOW_TEST_DB=postgresql $(BIN)/python -m pytest -q -p no:cacheprovider tests/e2e tests/integration tests/web; \
	else echo "PostgreSQL is not reachable: the PostgreSQL pass is skipped (CI=true makes this an error)."; fi

## make bench [SCALE=0.01]: national-scale data on PostgreSQL, served by gunicorn, driven from another process
SCALE ?= 1
bench: $(STAMP)
	$(BIN)/python -m bench.run --scale $(SCALE)

## make bench-proposals: the team-proposal service path for 1,000 candidates and 300 assessors (PostgreSQL)
bench-proposals: $(STAMP)
	$(BIN)/python -m bench.proposals_service

## make bench-events: placing 40 candidates and the plenary of 40 lines at small and 100x data (PostgreSQL)
bench-events: $(STAMP)
	$(BIN)/python bench/events.py

## make bench-notifications: outbox → Redis → Celery → SMTP throughput and delay (needs PostgreSQL and redis-server)
bench-notifications: $(STAMP)
	$(BIN)/python bench/notifications.py

## make screens: screenshots (390 px wide) of the key steps a person manages alone, under docs/screens/
screens: $(STAMP) translations
	mkdir -p docs/screens
	CERTFLOW_SCREENS=docs/screens $(BIN)/python -m pytest -q -p no:cacheprovider tests/e2e/test_ux_alone.py -k 390px
	CERTFLOW_SCREENS=docs/screens $(BIN)/python -m pytest -q -p no:cacheprovider tests/e2e/test_forming_teams.py

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-logo

clean:
	rm -rf $(VENV) instance .pytest_cache
