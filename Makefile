# One entry point for people and CI. `make check` is what CI runs.
VENV   ?= .venv
PY     := $(VENV)/bin/python
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
KAFKA_LIBS := .cache/kafka-libs
# axe-core, the accessibility checker the browser test runs on every page (npm, into .cache/).
AXE_VERSION := 4.14.1
AXE    := .cache/axe/node_modules/axe-core/axe.min.js
MVN    := mvn -q -B -f deploy/kafka/pom.xml -Dmaven.repo.local=$(CURDIR)/.cache/m2

.PHONY: setup system-deps kafka-libs axe test unit integration lint check demo clean-var

setup: system-deps $(STAMP) kafka-libs axe

system-deps:
	bash deploy/system-deps.sh

$(STAMP): pyproject.toml
	python3 -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	touch $(STAMP)

kafka-libs: $(KAFKA_LIBS)/.complete

axe: $(AXE)

$(AXE):
	npm install --no-save --no-audit --no-fund --prefix .cache/axe axe-core@$(AXE_VERSION)

$(KAFKA_LIBS)/.complete: deploy/kafka/pom.xml
	$(MVN) dependency:copy-dependencies -DoutputDirectory=$(CURDIR)/$(KAFKA_LIBS)
	touch $@

## The tests: unit tests, then integration tests against the real broker and PostgreSQL the
## fixtures start themselves.
test: setup
	$(BIN)/pytest -q tests/unit
	$(BIN)/pytest -q tests/integration

unit: $(STAMP)
	$(BIN)/pytest -q tests/unit

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy schemas signalhub producers consumers services signalhub_cli
	$(BIN)/lint-imports

check: lint test

## The demo: real Kafka, every process of the hub, the simulator, the web UI.
demo: setup
	$(BIN)/signalhub demo

clean-var:
	-$(BIN)/signalhub broker down
	-bash deploy/postgres/pg.sh down
	rm -rf var
