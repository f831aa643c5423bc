# open VUM — the two commands a newcomer types are `make demo` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: demo test bench lint typecheck clean venv sysdeps

# Debian packages the tests drive for real: nginx (the mTLS proxy test) and Chromium (the portal's
# browser tests). Installed only when missing; the PostgreSQL server binaries are found by the tests.
SYSTEM_PACKAGES := nginx:/usr/sbin/nginx chromium:/usr/bin/chromium fonts-dejavu-core:/usr/share/fonts/truetype/dejavu

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

venv: $(STAMP)

sysdeps:
	@missing=""; for spec in $(SYSTEM_PACKAGES); do \
		test -e "$${spec#*:}" || missing="$$missing $${spec%%:*}"; done; \
	if [ -n "$$missing" ]; then \
		sudo=""; [ "$$(id -u)" = 0 ] || sudo="sudo"; \
		echo "installing Debian packages:$$missing"; \
		$$sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
			$$sudo apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	fi

## demo: start the whole system on the embedded default (SQLite) with synthetic data
demo: $(STAMP)
	$(BIN)/python -m vum.demo

## test: install everything the tests need and run the whole suite
test: $(STAMP) sysdeps
	$(BIN)/python -m pytest

## bench: print performance figures (not part of the test suite)
bench: $(STAMP)
	$(BIN)/python -m bench
	$(BIN)/vum bench source --records 200000
	$(BIN)/vum bench facility --workers 2
	$(BIN)/vum bench load --mediators 100 --seconds 60

lint: $(STAMP)
	$(BIN)/ruff check src tests tools bench
	$(BIN)/ruff format --check src tests tools bench

typecheck: $(STAMP)
	$(BIN)/mypy

clean:
	rm -rf $(VENV) build .pytest_cache .mypy_cache .ruff_cache demo-data
