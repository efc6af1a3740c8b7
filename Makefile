# 专项治理“微腐败”台账处理 — run `make help` for the list of targets.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
PERIOD ?= $(shell date +%Y-%m)
INBOX ?= inbox
OUTBOX ?= outbox
CONFIG ?= config
AS_OF ?=

.DEFAULT_GOAL := help
.PHONY: help install demo test templates monthly bench clean

## help: list the targets
help:
	@grep -E '^## ' $(MAKEFILE_LIST) | sed -e 's/^## /  make /'

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[test]"
	touch $(STAMP)

## install: create .venv and install the tool and its test dependencies
install: $(STAMP)

## demo: build a realistic demo inbox for the district and run the monthly job on it
demo: $(STAMP)
	$(PY) -m pipeline demo --config $(CONFIG)

## test: run the whole test suite
test: $(STAMP)
	$(PY) -m pytest

## templates: write one blank personalised workbook per reporting unit to outbox/templates/
templates: $(STAMP)
	$(PY) -m pipeline templates --out $(OUTBOX)/templates --config $(CONFIG)

## monthly: the monthly job, e.g. make monthly PERIOD=2017-06 [INBOX=inbox OUTBOX=outbox AS_OF=2017-06-30 CONFIG=config]
monthly: $(STAMP)
	$(PY) -m pipeline monthly --period $(PERIOD) --inbox $(INBOX) --outbox $(OUTBOX) --config $(CONFIG) $(if $(AS_OF),--as-of $(AS_OF),)

## bench: time the monthly job on a generated district month and a city-sized month
bench: $(STAMP)
	$(PY) bench/run.py

## clean: remove generated outputs (never the inbox)
clean:
	rm -rf $(OUTBOX)/*/ .pytest_cache
