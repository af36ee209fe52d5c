"""Shared fixtures: tiny configurations that build in seconds."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]

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
