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
