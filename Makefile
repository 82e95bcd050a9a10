# allura.forge developer entry points. Every target works from a fresh clone: it runs `setup`
# first (quick when nothing changed). `make test` is exactly what CI (.ci/run) runs.
#
#   make test         every check, continues past failures, prints a summary (scripts/test.sh)
#   make runner changelog build importer lint sanity units sandbox-tests functional integration molecule real ee
#                     one step each (same commands and summary as in `make test`); `real` runs the
#                     tests against a real Allura (built from ../shared/allura-server or ALLURA_SRC)
#   make docs         build the docs site into .build/docs/html (`scripts/test.sh docs` also checks it
#                     in a browser)
#   make compat       the compatibility leg (the oldest supported ansible-core, 2.19: sanity, units,
#                     functional, integration); or one of sanity-compat units-compat functional-compat
#                     integration-compat
#   make sandbox      the fake Allura server in the foreground (PORT=8080, STATE=file to persist)
#   make schema       regenerate schemas/project_spec.schema.json from the project role's argument spec
#   make demo
#   make bench        bench/run.py (the README's table: one project of 10 to 500 resources), then bench/scale.py (many
#                     projects, memory, a server serving one request at a time); BENCH_ROWS=projects,single: only
#                     those rows of bench/scale.py
#   make property     the check-mode property test's full matrix (not in `make test`; ROUNDS=20, SEED=n to replay)
#   make clean        remove build and test output (keeps the virtualenvs; `make distclean` too)

SHELL := /bin/bash
.DEFAULT_GOAL := help

PORT ?= 8080
STATE ?= memory
VENV := .venv
PY := $(VENV)/bin/python
export PATH := $(CURDIR)/$(VENV)/bin:$(PATH)

ifeq ($(STATE),file)
SANDBOX_STATE_ARGS := --state-file .cache/sandbox-state.json
endif

# Steps of scripts/test.sh that have a make target of their own.
STEPS := runner sanity units sandbox-tests functional integration lint molecule real build importer changelog ee
COMPAT_STEPS := sanity-compat units-compat functional-compat integration-compat

.PHONY: help setup setup-compat test $(STEPS) $(COMPAT_STEPS) compat demo sandbox bench property \
	stage schema docs clean distclean

help:
	@sed -n '1,/^$$/s/^# \{0,1\}//p' Makefile

setup:
	@scripts/setup.sh

setup-compat:
	@scripts/setup.sh --compat

stage: setup
	@scripts/stage.sh

test: setup-compat
	@SKIP_SETUP=1 scripts/test.sh

# One step of scripts/test.sh each (same commands, same summary).
$(STEPS): setup
	@SKIP_SETUP=1 scripts/test.sh $@

$(COMPAT_STEPS): setup-compat
	@SKIP_SETUP=1 scripts/test.sh $@

compat: setup-compat
	@SKIP_SETUP=1 scripts/test.sh $(COMPAT_STEPS)

demo: setup
	@test -f scripts/demo.sh || { echo "scripts/demo.sh does not exist yet" >&2; exit 1; }
	@bash scripts/demo.sh

sandbox: setup
	@test -f tests/sandbox/server.py || { echo "tests/sandbox/server.py does not exist yet" >&2; exit 1; }
	@mkdir -p .cache
	$(PY) tests/sandbox/server.py --port $(PORT) $(SANDBOX_STATE_ARGS)

docs:
	@scripts/docs.sh

schema: setup
	$(PY) scripts/spec_schema.py

bench: setup
	$(if $(BENCH_ROWS),,$(PY) bench/run.py &&) $(PY) bench/scale.py $(if $(BENCH_ROWS),--rows $(BENCH_ROWS))

# The full matrix of tests/functional/test_check_mode_property.py: every kind of change on every project, ROUNDS
# rounds in process, then a quarter as many through the modules (ALLURA_FORGE_RUN_AS_MODULE), each on a private sandbox.
ROUNDS ?= 20
property: stage
	cd .build/ansible_collections/allura/forge && env -u ALLURA_URL ANSIBLE_COLLECTIONS_PATH=$(CURDIR)/.build \
	    ALLURA_PROPERTY_FULL=1 ALLURA_PROPERTY_ROUNDS=$(ROUNDS) $(if $(SEED),ALLURA_PROPERTY_SEED=$(SEED)) \
	    $(CURDIR)/$(PY) -m pytest -p no:cacheprovider -q -s tests/functional/test_check_mode_property.py
	cd .build/ansible_collections/allura/forge && env -u ALLURA_URL ANSIBLE_COLLECTIONS_PATH=$(CURDIR)/.build \
	    ALLURA_PROPERTY_FULL=1 ALLURA_PROPERTY_ROUNDS=$$(( ($(ROUNDS) + 3) / 4 )) ALLURA_PROPERTY_AS_MODULE=1 \
	    $(if $(SEED),ALLURA_PROPERTY_SEED=$(SEED)) $(CURDIR)/$(PY) -m pytest -p no:cacheprovider -q -s \
	    tests/functional/test_check_mode_property.py

clean:
	rm -rf .build .cache tests/output collections .pytest_cache importer_result.json *.tar.gz
	find . -name __pycache__ -type d -not -path './.venv*' -prune -exec rm -rf {} +

distclean: clean
	rm -rf .venv .venv-compat .venv-docs
