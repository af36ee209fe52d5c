"""Shared fixtures: tiny configurations that build in seconds."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]

# tests/nest_mpi needs NEST built with MPI (`make test-nest-mpi` builds it and sets
# BGMODEL_TEST_NEST_MPI): it is a suite of its own, not collected by `make test`.
collect_ignore = [] if os.environ.get("BGMODEL_TEST_NEST_MPI") else ["nest_mpi"]

# A network small enough for tests: 2 % of the MSNs and relays, all other nuclei whole.
TINY = ["simulation.scale=0.02", "simulation.threads=1"]


@pytest.fixture(scope="session")
def repo() -> Path:
    return REPO


@pytest.fixture
def tiny_overrides():
    return list(TINY)


def pytest_collection_modifyitems(config, items):
    # CI must not pass silently without NEST: importing it is part of the suite.
    if os.environ.get("CI") == "true":
        import nest  # noqa: F401


# ----------------------------------------------------------------------------- notices
# What the suite did to the machine or left out, printed at the end of every run (also
# under -q): never a silent install, never a silent omission.
@pytest.fixture(scope="session")
def notices(request) -> list:
    """Lines for the end of the run; append to say what a test installed or left out."""
    return request.config.stash.setdefault(NOTICES_KEY, [])


NOTICES_KEY = pytest.StashKey[list]()
NEST_MPI_NOT_RUN = (
    "NOT RUN: tests/nest_mpi (one network over 2 MPI ranks against one process: resting "
    "state, plasticity and action selection) needs NEST built with MPI, which PyPI's "
    "NEST is not. Run it with `make test-nest-mpi` (builds NEST with MPI into "
    "build/venv-mpi, about 15 min the first time).")


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    lines = list(config.stash.get(NOTICES_KEY, []))
    if not os.environ.get("BGMODEL_TEST_NEST_MPI"):
        lines.append(NEST_MPI_NOT_RUN)
    if lines:
        terminalreporter.section("bgmodel: what this run installed or left out", sep="=",
                                 bold=True, yellow=True)
        for line in lines:
            terminalreporter.write_line(line)
