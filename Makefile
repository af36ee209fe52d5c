# Two commands on a fresh clone: `make run` and `make test` (README's quick start).
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
# bgmodel's NEST extension (the two-port neuron), compiled against the venv's NEST.
EXTENSION_SOURCES := $(wildcard bgmodel/simulator/nest_extension/*.cpp bgmodel/simulator/nest_extension/*.h \
                                bgmodel/simulator/nest_extension/*.py bgmodel/simulator/nest_extension/compat/*.h)
EXTENSION_STAMP := $(VENV)/.nest-extension

.PHONY: run test venv clean-venv nest-mpi test-nest-mpi

venv: $(EXTENSION_STAMP)

# (Re)install when pyproject.toml changes.
$(STAMP): pyproject.toml setup.py
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $(STAMP)

$(EXTENSION_STAMP): $(STAMP) $(EXTENSION_SOURCES)
	$(PY) -m bgmodel.simulator.nest_extension
	touch $(EXTENSION_STAMP)

# The main job on the small preset: resting state, rates against their target ranges.
# The run compiles the extension itself when it is missing; where it cannot be compiled,
# the run says why in one line and uses NEST's own neuron (same results, slower).
run: $(STAMP)
	$(VENV)/bin/bgmodel run resting_state --preset small

# The suite needs the extension: a failed build stops it here, loudly.
test: $(EXTENSION_STAMP)
	$(PY) -m pytest -q

clean-venv:
	rm -rf $(VENV)

# NEST built with MPI, in a venv of its own (the PyPI wheel of .venv has no MPI): about
# 15 minutes on 2 cores the first time; the wheel is kept in build/nest-mpi/wheels and
# reused. Not part of `make test`, whose time limit it would break (docs/cluster.md).
NEST_MPI_VENV ?= build/venv-mpi
NEST_MPI_STAMP := $(NEST_MPI_VENV)/.nest-mpi

$(NEST_MPI_STAMP): pyproject.toml scripts/build_nest_mpi.sh
	$(PYTHON) -m venv $(NEST_MPI_VENV)
	$(NEST_MPI_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(NEST_MPI_VENV)/bin/python -m pip install --quiet -e . pytest
	scripts/build_nest_mpi.sh $(NEST_MPI_VENV)
	touch $(NEST_MPI_STAMP)

# The neuron model compiled against the MPI build (with its MPI's mpicxx).
NEST_MPI_EXTENSION_STAMP := $(NEST_MPI_VENV)/.nest-extension
$(NEST_MPI_EXTENSION_STAMP): $(NEST_MPI_STAMP) $(EXTENSION_SOURCES)
	$(NEST_MPI_VENV)/bin/python -m bgmodel.simulator.nest_extension
	touch $(NEST_MPI_EXTENSION_STAMP)

nest-mpi: $(NEST_MPI_EXTENSION_STAMP)

# One network spread over two MPI ranks against the same network in one process.
test-nest-mpi: $(NEST_MPI_EXTENSION_STAMP)
	BGMODEL_TEST_NEST_MPI=1 $(NEST_MPI_VENV)/bin/python -m pytest -q tests/nest_mpi
