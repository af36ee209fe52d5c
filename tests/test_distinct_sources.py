"""connectivity.distinct_sources: targets of a listed projection draw their floor(K)
sources without replacement (no multapses); a projection whose mask holds too few
sources is refused when the config loads."""
from __future__ import annotations

import numpy as np
import pytest

from bgmodel.model.config import load_config
from bgmodel.model.derive import derive_network, distinct_sources_shortfalls
from bgmodel.model.schema import ConfigError

# MSNs at 2 %, relays at 10 %: a CSN->MSN mask holds about 254 relays for K = 114.
SMALL = ["simulation.scale=0.02", "simulation.input_scale=0.1", "simulation.threads=1",
         "connectivity.fractional_indegree=drop"]


def _multapses_per_target(net, plan, n_targets):
    """Repeated (source, target) pairs of one receptor, counted per target."""
    src, tgt, _, rec = net.connection_table(plan.source, plan.target, targets=range(n_targets))
    port = min(plan.ports.values())
    sel = rec == port
    pairs = src[sel].astype(np.int64) * 1_000_000 + tgt[sel]
    per_target = np.bincount(tgt[sel], minlength=n_targets)
    unique = np.bincount(np.unique(pairs) % 1_000_000, minlength=n_targets)
    return per_target, per_target - unique


@pytest.mark.nest
def test_listed_projection_draws_distinct_sources_and_others_keep_multapses():
    from bgmodel.simulator.network import build_network
    cfg = load_config("resting_state", preset="small", overrides=SMALL + [
        "connectivity.distinct_sources=[CSN->MSN]"])
    plan = derive_network(cfg)
    net = build_network(plan)
    csn_d1 = next(c for c in plan.connections if (c.source, c.target) == ("CSN", "MSN_D1"))
    per_target, repeats = _multapses_per_target(net, csn_d1, 40)
    assert (per_target == csn_d1.integer_indegree).all()
    assert repeats.sum() == 0
    # CSN->FSI is not listed: 83 draws from a pool of about 254 repeat sources.
    csn_fsi = next(c for c in plan.connections if (c.source, c.target) == ("CSN", "FSI"))
    per_target, repeats = _multapses_per_target(net, csn_fsi, 40)
    assert (per_target == csn_fsi.integer_indegree).all()
    assert repeats.sum() > 100


def test_a_projection_without_enough_sources_in_its_mask_is_refused():
    # MSN->GPe draws 600 MSN_D1 sources; at scale 0.1 its mask holds about 112.
    with pytest.raises(ConfigError) as err:
        load_config("plasticity", preset="plasticity_small", overrides=[
            "connectivity.distinct_sources=[CSN->MSN,MSN->GPe]"])
    text = str(err.value)
    assert "connectivity.distinct_sources" in text and "MSN->GPe" in text
    assert "600" in text and "112" in text
    assert "CSN->MSN" not in text.split("is not allowed")[0]


def test_shortfalls_follow_the_scale():
    cfg = load_config("plasticity", preset="plasticity_small",
                      overrides=["connectivity.distinct_sources=[CSN->MSN,MSN->MSN]",
                                 "simulation.input_scale=null"])
    assert distinct_sources_shortfalls(cfg.data) == {}
    data = dict(cfg.data, simulation=dict(cfg.data["simulation"], scale=0.02))
    assert set(distinct_sources_shortfalls(data)) == {"CSN->MSN", "MSN->MSN"}
