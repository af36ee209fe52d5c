"""The state of NumPy random generators as JSON, for checkpoints (no NEST).

A resumed run puts every generator it draws from (the protocol's, the input trains',
a dopamine model's) back where the checkpoint left it, bit for bit.
"""
from __future__ import annotations

import json

import numpy as np


def rng_state(rng: np.random.Generator) -> dict:
    """The state of a NumPy generator as JSON-serialisable data."""
    return json.loads(json.dumps(rng.bit_generator.state, default=int))


def restore_rng(rng: np.random.Generator, state: dict) -> None:
    """Put `rng` back into a state saved by `rng_state`."""
    rng.bit_generator.state = state
