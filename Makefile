# clfcore dashboard. `make run` installs (once) and starts the app; `make test` runs the whole suite
# (`make test PYTEST_ARGS=tests/test_cli.py` some of it).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 8501
PYTEST_ARGS ?=
# Two pytest-xdist workers: much of the suite waits on training processes, servers and a browser.
# The Ray tests share one worker and one cluster (tests/ray/conftest.py). `make test XDIST=` runs
# in one process.
XDIST ?= -n 2 --dist loadgroup

# The tests and the bench run with loopback only, in a network namespace of their own, when this
# machine allows one (root with unshare and ip, as CI is): there Ray's head takes 127.0.0.1 (outside
# one, Ray on Linux swaps 127.0.0.1 for the machine's address, ray-project/ray#26293) and nothing
# reaches another address. Elsewhere they run plainly and the Ray tests skip themselves.
LOOPBACK := $(shell [ "$$(id -u)" = 0 ] && command -v unshare >/dev/null && command -v ip \
	>/dev/null && unshare --net sh -c 'ip link set lo up' 2>/dev/null \
	&& echo "unshare --net sh -c 'ip link set lo up && exec \"\$$@\"' loopback")

.PHONY: run test check bench install install-test translations clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --upgrade pip

# The project installs editable (requirements.txt is `-e .`): `import clfcore` works from any
# folder, the `clfcore` command is on the venv's PATH, training processes need no PYTHONPATH.
$(VENV)/.installed: requirements.txt pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -r requirements.txt
	touch $@

$(VENV)/.installed-test: requirements-test.txt pyproject.toml $(VENV)/.installed
	$(BIN)/python -m pip install -r requirements-test.txt
	touch $@

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

run: install
	$(BIN)/streamlit run app.py --server.port $(PORT)

# Style and architecture: ruff (lint, format), mypy on clfcore, the import-linter layer contracts.
check: install-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

test: check
	$(LOOPBACK) $(BIN)/python -m pytest $(XDIST) $(PYTEST_ARGS)

bench: install-test
	$(LOOPBACK) $(BIN)/python bench/run_all.py

# Translations (gettext): extract the English msgids from the code into clfcore/i18n/locale/clfcore.pot,
# merge them into every language's .po (translate there, e.g. in Poedit; a new language starts
# with `pybabel init -l fr`), compile each .po to the .mo the app reads. Settings: pyproject.toml's
# [tool.babel]. The .pot, .po and .mo files are committed, so an install needs no build step.
translations: install-test
	$(BIN)/pybabel extract
	$(BIN)/pybabel update
	$(BIN)/pybabel compile

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
