# 专项治理“微腐败”台账处理 — `make help` lists the targets (help texts are in Chinese for staff).
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

## help: 列出所有命令
help:
	@grep -E '^## ' $(MAKEFILE_LIST) | sed -e 's/^## /  make /'

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[test]"
	touch $(STAMP)

## install: 创建 .venv 并安装本工具及测试所需的库
install: $(STAMP)

## demo: 生成虚构的全区演示收件箱（2017年5–7月）并运行月度处理
demo: $(STAMP)
	$(PY) -m pipeline demo --config $(CONFIG)

## test: 运行全部测试
test: $(STAMP)
	$(PY) -m pytest

## templates: 为每个填报单位生成空白台账模板，输出到 outbox/templates/
templates: $(STAMP)
	$(PY) -m pipeline templates --out $(OUTBOX)/templates --config $(CONFIG)

## monthly: 月度处理，如 make monthly PERIOD=2017-06 [INBOX=inbox OUTBOX=outbox AS_OF=2017-06-30 CONFIG=config]
monthly: $(STAMP)
	$(PY) -m pipeline monthly --period $(PERIOD) --inbox $(INBOX) --outbox $(OUTBOX) --config $(CONFIG) $(if $(AS_OF),--as-of $(AS_OF),)

## bench: 测量月度处理的耗时和内存（区级60个、市级1500个工作簿；SIZE=province 为省级11000个），并与 calamine 读取下限比较
bench: $(STAMP)
	$(PY) bench/run.py $(if $(SIZE),--size $(SIZE),)

## clean: 删除生成的输出（不会动收件箱）
clean:
	rm -rf $(OUTBOX)/*/ .pytest_cache
