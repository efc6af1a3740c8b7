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
PORT ?= 8001
SEED ?=

.DEFAULT_GOAL := help
.PHONY: help install demo test templates monthly summary phase quarterly weekly plan browse bench clean

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

## templates: 为每个填报单位生成空白台账模板（含承诺书），并生成信访举报登记表，输出到 outbox/templates/
templates: $(STAMP)
	$(PY) -m pipeline templates --out $(OUTBOX)/templates --config $(CONFIG)

## monthly: 月度处理，如 make monthly PERIOD=2017-06 [INBOX=inbox OUTBOX=outbox AS_OF=2017-06-30 CONFIG=config FORCE=1]
monthly: $(STAMP)
	$(PY) -m pipeline monthly --period $(PERIOD) --inbox $(INBOX) --outbox $(OUTBOX) --config $(CONFIG) $(if $(AS_OF),--as-of $(AS_OF),) $(if $(FORCE),--force,)

## plan: 制定每月检查计划（随机抽查、交叉检查），如 make plan PERIOD=2017-07 [SEED=362514 掷骰子所得数字] [INBOX=inbox OUTBOX=outbox AS_OF=2017-07-01]
plan: $(STAMP)
	$(PY) -m pipeline plan --period $(PERIOD) --inbox $(INBOX) --outbox $(OUTBOX) --config $(CONFIG) $(if $(AS_OF),--as-of $(AS_OF),) $(if $(SEED),--seed "$(SEED)",)

## summary: 任意时段的工作总结（工作簿和Word），如 make summary FROM=2017-05-20 TO=2017-06-30 [TITLE=标题 INBOX=inbox OUTBOX=outbox]
summary: $(STAMP)
	$(PY) -m pipeline summary --from $(FROM) --to $(TO) $(if $(TITLE),--title "$(TITLE)",) --inbox $(INBOX) --outbox $(OUTBOX) --config $(CONFIG) $(if $(AS_OF),--as-of $(AS_OF),)

## phase: 阶段总结，日期取自配置，如 make phase PHASE=自查自纠（或 整改落实、建章立制）
phase: $(STAMP)
	$(PY) -m pipeline summary --phase $(PHASE) --inbox $(INBOX) --outbox $(OUTBOX) --config $(CONFIG) $(if $(AS_OF),--as-of $(AS_OF),)

## quarterly: 季度报告（含各专项治理小组本季度检查、发现和整改情况），如 make quarterly QUARTER=2017Q3
quarterly: $(STAMP)
	$(PY) -m pipeline summary --quarter $(QUARTER) --inbox $(INBOX) --outbox $(OUTBOX) --config $(CONFIG) $(if $(AS_OF),--as-of $(AS_OF),)

## weekly: 周例会材料（本周新发现、销号、下周到期、逾期，每个单位一页），如 make weekly WEEK=2017-06-19
weekly: $(STAMP)
	$(PY) -m pipeline summary --week $(WEEK) --inbox $(INBOX) --outbox $(OUTBOX) --config $(CONFIG) $(if $(AS_OF),--as-of $(AS_OF),)

## bench: 测量月度处理的耗时和内存（区级60个、市级1500个工作簿；SIZE=province 为省级11000个；TEXTS=distinct 时每个问题文字各不相同，如实际台账，TEXTS=long 时各不相同且长三倍；BENCH_PERIOD=2017-08 按6月30日以后的月份处理同一收件箱；RESUBMIT=5 时5%的单位月内重新报送修改后的台账；UNLISTED=1 时每个单位有五分之一的被检查基层单位未登记在名单中，这些行都是疑问、回执都要标注），并与 calamine 读取下限比较
bench: $(STAMP)
	$(PY) bench/run.py $(if $(SIZE),--size $(SIZE),) $(if $(TEXTS),--texts $(TEXTS),) $(if $(BENCH_PERIOD),--period $(BENCH_PERIOD),) $(if $(RESUBMIT),--resubmit $(RESUBMIT),) $(if $(UNLISTED),--unlisted $(UNLISTED),)

## browse: 在浏览器中查看逐月历史数据（只读，仅本机 127.0.0.1），如 make browse [OUTBOX=outbox PORT=8001]，Ctrl-C 停止
browse: $(STAMP)
	$(PY) -m pipeline browse --outbox $(OUTBOX) --port $(PORT)

## clean: 删除生成的输出（不会动收件箱）
clean:
	rm -rf $(OUTBOX)/*/ .pytest_cache
