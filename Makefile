# Continuum: `make run` starts the whole stack on embedded parts; `make test` runs every test.
# Both bootstrap .venv and install every package editable, pinned by constraints.txt.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SERVICES := $(wildcard services/*/pyproject.toml)

.PHONY: run test lint bench schemas check-contracts clean image-tools

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(STAMP): $(BIN)/python constraints.txt requirements-dev.txt shared/pyproject.toml shared/tools/pyproject.toml $(SERVICES) examples/partner-consumer/pyproject.toml
	$(BIN)/pip install --quiet -c constraints.txt -r requirements-dev.txt
# The real kustomize (Go, sigs.k8s.io/kustomize/api) built into a C library, for tests/deploy/test_k8s.py.
# Its wheel says Python >= 3.14, but it is pure cffi over the library and runs on 3.11 (checked by the test).
	$(BIN)/pip install --quiet --no-deps --ignore-requires-python -c constraints.txt pykustomize
	$(BIN)/pip install --quiet -c constraints.txt -e shared -e 'shared/tools[embedded]' $(foreach s,$(dir $(SERVICES)),-e $(s)) -e examples/partner-consumer
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/continuum up

test: $(STAMP) image-tools
	$(BIN)/pytest

# tests/deploy/test_image.py builds the image with buildah from a debootstrapped Debian base (no
# container registry is reachable). Debian packages, so only root can install them: CI runs as root
# on a fresh machine; anyone else installs them by hand, or the test says why it skips.
image-tools:
	@if [ "$$(id -u)" = 0 ] && ! { command -v buildah && command -v debootstrap; } >/dev/null 2>&1; then \
	  apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends buildah debootstrap; \
	fi

# The import contracts (rooms downwards, domains without HTTP or SQL, layers inside each service) and
# the shape test (module size, enum columns, no code compared with text) are part of lint.
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/lint-imports
	$(BIN)/pytest -q --noconftest tests/test_shape.py

bench: $(STAMP)
	$(BIN)/python bench/run.py

# Regenerate docs/events from the contracts (CI's contract check compares against them).
schemas: $(STAMP)
	$(BIN)/continuum schemas --out docs/events

clean:
	rm -rf $(VENV) .continuum .pytest_cache .mypy_cache .ruff_cache
