# clfcore dashboard. `make run` installs (once) and starts the app; `make test` runs the whole suite.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 8501

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
	$(BIN)/python -m pytest

bench: install-test
	$(BIN)/python bench/run_all.py

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
