# Wegweiser Sachsen — one entry point for people and CI.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
STAMP := $(VENV)/.installed

export PYTHONPATH := $(CURDIR)

.PHONY: run test setup migrate seed key lint format typecheck check check-migrations bench lock clean help

help:
	@echo "make run    - set up, migrate, seed (if empty) and serve on http://$(HOST):$(PORT)"
	@echo "make test   - set up and run the whole test suite"
	@echo "make check  - lint, type-check and verify the migrations match the models"
	@echo "make key NAME=… - create an API key with scope write (printed once, on the last line)"
	@echo "make bench  - run the benchmark (see bench/README.md)"
	@echo "make lock   - re-pin dependencies after editing pyproject.toml"

$(STAMP): requirements-dev.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements-dev.lock
	touch $(STAMP)

setup: $(STAMP)

migrate: setup
	mkdir -p data
	$(BIN)/alembic upgrade head

seed: migrate
	$(BIN)/python -m seed --if-empty

key: migrate
	@test -n "$(NAME)" || { echo "make key NAME=<who uses it> [SCOPE=admin] [EXPIRES=2027-06-30]"; exit 2; }
	$(BIN)/python -m app keys create --name "$(NAME)" --scope $(or $(SCOPE),write) $(if $(EXPIRES),--expires $(EXPIRES))

run: seed
	$(BIN)/uvicorn app.main:app --host $(HOST) --port $(PORT)

# With a PostgreSQL server (WEGWEISER_TEST_DATABASE_URL) the SQLite and the PostgreSQL half run
# side by side, each printed when both are done: on two cores that takes about 60 % of the
# time of one after the other. (Exit status 5 is pytest's "no test selected" in one half.)
test: setup
ifdef WEGWEISER_TEST_DATABASE_URL
	@logs=$$(mktemp -d); \
	$(BIN)/pytest -m "not postgres" $(PYTEST_ARGS) > $$logs/sqlite.txt 2>&1 & sqlite=$$!; \
	$(BIN)/pytest -m postgres $(PYTEST_ARGS) > $$logs/postgresql.txt 2>&1 & postgresql=$$!; \
	wait $$sqlite; s=$$?; wait $$postgresql; p=$$?; \
	echo "== SQLite =="; cat $$logs/sqlite.txt; echo "== PostgreSQL =="; cat $$logs/postgresql.txt; \
	rm -rf $$logs; \
	{ [ $$s -eq 0 ] || [ $$s -eq 5 ]; } && { [ $$p -eq 0 ] || [ $$p -eq 5 ]; } && [ $$s$$p != 55 ]
else
	$(BIN)/pytest $(PYTEST_ARGS)
endif

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: setup
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

typecheck: setup
	$(BIN)/mypy

# Migrate a scratch SQLite database and let Alembic compare it with the models.
check-migrations: setup
	@tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && \
	WEGWEISER_DATABASE_URL="sqlite:///$$tmp/check.sqlite3" $(BIN)/alembic upgrade head && \
	WEGWEISER_DATABASE_URL="sqlite:///$$tmp/check.sqlite3" $(BIN)/alembic check

check: lint typecheck check-migrations

bench: setup
	$(BIN)/python -m bench $(BENCH_ARGS)

lock:
	$(BIN)/python -m pip install --quiet uv
	$(BIN)/uv pip compile pyproject.toml --generate-hashes --no-header --python-version 3.11 -o requirements.lock
	$(BIN)/uv pip compile pyproject.toml --extra dev --generate-hashes --no-header --python-version 3.11 -o requirements-dev.lock

clean:
	rm -rf $(VENV) data/*.sqlite3* .pytest_cache .ruff_cache .mypy_cache
