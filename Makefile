# Headwater: every target CI uses is here. `make help` lists them.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | sha1sum | cut -c1-12)
STACK := scripts/stack.sh

.PHONY: help venv fmt lint typecheck check test-unit test-integration test up down status logs \
        worker demo bench eval clean migrate

help: ## list the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-18s %s\n", $$1, $$2}'

venv: $(STAMP) ## create .venv and install Headwater with its dev tools

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	@rm -f $(VENV)/.installed-*; touch $@

fmt: venv ## format the code (ruff)
	$(BIN)/ruff format app agents tables registry tests scripts bench
	$(BIN)/ruff check --fix app agents tables registry tests scripts bench

lint: venv ## lint (ruff)
	$(BIN)/ruff check app agents tables registry tests scripts bench
	$(BIN)/ruff format --check app agents tables registry tests scripts bench

typecheck: venv ## type-check (mypy)
	$(BIN)/mypy

check: lint typecheck ## lint and type-check

test-unit: venv ## fast hermetic tests
	$(BIN)/pytest tests/unit -q

test-integration: up ## tests against the local stack (starts it)
	$(BIN)/pytest tests/integration -q

test: venv ## set up, start the stack, run the whole suite (the README's test command)
	$(MAKE) check
	$(MAKE) test-unit
	$(MAKE) test-integration

up: venv ## start Kafka, PostgreSQL, Milvus Lite and the schema registry (idempotent), migrate
	$(STACK) up
	$(BIN)/python -m app.db.migrate

migrate: venv ## apply the PostgreSQL migrations (app/db/migrations)
	$(BIN)/python -m app.db.migrate

down: ## stop the stack (data stays under .stack/)
	$(STACK) down

status: ## show which services run
	$(STACK) status

logs: ## tail each service's log
	$(STACK) logs

worker: up ## one worker in the foreground against the running stack
	$(BIN)/faust -A app worker -l $${LOG_LEVEL:-info}

demo: up ## set up, start the stack and a worker, run the main job on sample traffic
	scripts/demo.sh

bench: up ## run the benchmarks in bench/ and print their figures
	@for b in bench/bench_*.py; do m=$$(basename $$b .py); echo "== bench.$$m"; \
	  $(BIN)/python -m bench.$$m || exit 1; done

eval: venv ## offline quality on MovieLens-100k (data read from the recbole wheel; ~10-15 min)
	$(BIN)/python -m bench.eval.run

clean: down ## stop the stack and delete its data
	rm -rf .stack
