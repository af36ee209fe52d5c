"""connectivity.fractional_indegree on a tiny network: what NEST wires (its own module,
because building a network resets the kernel under other modules' fixtures)."""
from __future__ import annotations

import numpy as np
import pytest

from bgmodel.model.config import load_config
from bgmodel.model.derive import derive_network

pytestmark = pytest.mark.nest


def test_dropped_fractional_indegree_wires_exactly_floor_k():
    """connectivity.fractional_indegree: drop (the authors' code in effect): every target
    gets floor(K) sources per receptor, no more; a projection with K < 1 is not wired."""
    from bgmodel.simulator.network import build_network
    cfg = load_config("resting_state", preset="small", overrides=[
        "simulation.scale=0.02", "simulation.threads=1", "connectivity.fractional_indegree=drop"])
    plan = derive_network(cfg)
    net = build_network(plan)
    checked = 0
    for c in plan.connections:
        n_tgt = min(60, plan.populations[c.target].size)
        src, tgt, w, rec = net.connection_table(c.source, c.target, targets=range(n_tgt))
        for receptor, weight in c.weights.items():
            sel = (rec == c.ports[receptor]) & np.isclose(w, weight, rtol=1e-12, atol=0)
            per_target = np.bincount(tgt[sel], minlength=n_tgt)
            assert per_target.min() == per_target.max() == c.indegree, c
            checked += 1
    assert checked > 20
    # STN->FSI (K = 0.75) is not wired at all
    assert not [c for c in plan.connections if (c.source, c.target) == ("STN", "FSI")]
    src, _, _, _ = net.connection_table("STN", "FSI")
    assert len(src) == 0
