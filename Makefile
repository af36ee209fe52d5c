# Two commands on a fresh clone: `make run` and `make test` (README's quick start).
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test venv clean-venv

venv: $(STAMP)

# (Re)install when pyproject.toml changes.
$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $(STAMP)

# The main job on the small preset: resting state, rates against their target ranges.
run: $(STAMP)
	$(VENV)/bin/bgmodel run resting_state --preset small

test: $(STAMP)
	$(PY) -m pytest -q

clean-venv:
	rm -rf $(VENV)
