# Gonghui — the two commands a newcomer needs: `make run` and `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cksum requirements-dev.lock pyproject.toml | cksum | cut -d" " -f1)
HOST ?= 127.0.0.1
PORT ?= 8000
WORKERS ?= 3

.PHONY: run test lint bench venv demo clean-data

$(STAMP): requirements-dev.lock pyproject.toml
	@test -x $(BIN)/python || $(PY) -m venv $(VENV)
	@echo "Installing dependencies into $(VENV) …"
	@$(BIN)/pip install -q --disable-pip-version-check -r requirements-dev.lock
	@$(BIN)/pip install -q --disable-pip-version-check --no-deps -e .
	@rm -f $(VENV)/.installed-*; touch $(STAMP)

venv: $(STAMP)

## Start the platform on the embedded default (SQLite in ./var) with demo data: gunicorn, a Celery worker
## and beat (python -m gonghui serve; Ctrl-C stops all three). Everything after `--` is gunicorn's.
run: $(STAMP)
	@$(BIN)/python -m gonghui migrate --noinput -v0
	@$(BIN)/python -m gonghui collectstatic --noinput -v0
	@$(BIN)/python -m gonghui demo --if-empty
	@$(BIN)/python -m gonghui banner --url http://$(HOST):$(PORT)
	@$(BIN)/python -m gonghui serve -- -c python:gonghui.gunicorn_conf gonghui.wsgi:application --bind $(HOST):$(PORT) --workers $(WORKERS) --limit-request-line 8190 \
		--access-logfile - --error-logfile - --log-level warning

## Run the whole suite on the embedded default (SQLite); DATABASE_URL=postgres://… runs it on PostgreSQL.
test: $(STAMP)
	@DATABASE_CONN_MAX_AGE=0 $(BIN)/python -m pytest -n 2 --dist loadfile gonghui

lint: $(STAMP)
	@$(BIN)/ruff check .
	@$(BIN)/lint-imports

## Benchmarks (not tests): each prints its figures beside the targets.
bench: $(STAMP)
	@for script in bench/bench_*.py; do $(BIN)/python $$script || exit 1; done

clean-data:
	rm -rf var/gonghui.sqlite3* var/static var/media
