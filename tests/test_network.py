"""The NEST builder on a tiny network: in-degrees, weights, masks, synapse models."""
from __future__ import annotations

import math

import numpy as np
import pytest

from bgmodel.model.config import load_config
from bgmodel.model.derive import derive_network, snc_population

pytestmark = pytest.mark.nest


@pytest.fixture(scope="module")
def built():
    from bgmodel.simulator.network import build_network
    cfg = load_config("resting_state", preset="small", overrides=["simulation.scale=0.02",
                                                                   "simulation.threads=1"])
    plan = derive_network(cfg)
    return plan, build_network(plan)


def test_every_connection_plan_matches_its_derivation(built):
    plan, net = built
    for c in plan.connections:
        model = c.synapse_model if c.synapse_model != "static" else "static_synapse"
        # a sample of targets keeps GetConnections fast on the large pathways
        n_tgt = min(60, plan.populations[c.target].size)
        src, tgt, w, rec = net.connection_table(c.source, c.target, model, range(n_tgt))
        n_src = plan.populations[c.source].size
        for receptor, weight in c.weights.items():
            sel = rec == c.ports[receptor]
            assert sel.any(), (c, receptor)
            # every synapse carries the derived weight
            assert np.allclose(w[sel], weight, rtol=1e-12, atol=0), (c, receptor)
            # mean in-degree: floor(K) exactly, plus fractional extras with mean frac(K)
            per_target = np.bincount(tgt[sel], minlength=n_tgt)
            floor_k = c.integer_indegree
            assert per_target.min() >= floor_k, c
            frac = c.fractional_indegree
            sd = math.sqrt(max(frac, 1e-3) / n_tgt)
            assert per_target.mean() == pytest.approx(c.indegree, abs=5 * sd + 0.02), c
        # AMPA and NMDA share their pre/post pairs
        if "NMDA" in c.weights:
            a = np.sort(src[rec == c.ports["AMPA"]] * 10**6 + tgt[rec == c.ports["AMPA"]])
            b = np.sort(src[rec == c.ports["NMDA"]] * 10**6 + tgt[rec == c.ports["NMDA"]])
            assert np.array_equal(a, b), c
        assert src.max() < n_src


def test_focused_projections_stay_inside_their_mask(built):
    plan, net = built
    for c in plan.connections:
        if c.mask_radius >= 0.5:
            continue
        src, tgt, _, _ = net.connection_table(c.source, c.target, targets=range(60))
        ps = plan.populations[c.source].positions[src]
        pt = plan.populations[c.target].positions[tgt]
        d = np.abs(ps - pt)
        d = np.minimum(d, 1.0 - d)  # periodic unit square
        assert np.hypot(d[:, 0], d[:, 1]).max() <= c.mask_radius + 1e-9, c


def test_plastic_synapses_are_copies_and_builtins_untouched(built):
    import nest
    plan, net = built
    assert nest.GetDefaults("stdp_dopamine_synapse")["A_plus"] == 1.0  # NEST's default
    d1 = nest.GetDefaults("bg_corticostriatal_D1")
    dc = 0.00056
    assert d1["A_plus"] == pytest.approx(dc) and d1["A_minus"] == pytest.approx(dc / 4)
    assert d1["tau_c"] == 700.0 and d1["tau_n"] == 100.0 and d1["Wmax"] == 4.0
    d2 = nest.GetDefaults("bg_corticostriatal_D2")
    assert d2["A_plus"] == pytest.approx(dc / 3) and d2["A_minus"] == pytest.approx(3 * dc / 4)
    net.set_dopamine_event("dip")
    d1 = nest.GetDefaults("bg_corticostriatal_D1")
    assert d1["A_plus"] == pytest.approx(-dc / 40)
    assert d1["volume_transmitter"] == net.volume_transmitters["dip"]
    net.set_dopamine_event("burst")


def test_neuron_parameters_and_dopamine_wiring(built):
    import nest
    plan, net = built
    gpi = net.nodes["GPi"][0].get()
    assert gpi["V_th"] == 6.0 and gpi["I_e"] == 8.5 and gpi["C_m"] == 14.0
    # AMPA and GABA share port 1 (equal time constants), NMDA has port 2
    assert gpi["tau_syn"] == pytest.approx([1.8393972058572117, 36.787944117144235])
    for event in ("burst", "dip"):
        conns = nest.GetConnections(source=net.nodes[snc_population(event)], target=net.volume_transmitters[event])
        assert len(conns) == 1
        assert net.volume_transmitters[event].get("deliver_interval") == 100


def test_simulation_gives_resting_rates_in_a_plausible_band(built):
    plan, net = built
    net.record_spikes(["GPi", "STN"])
    net.simulate(600.0)
    for name, (lo, hi) in (("GPi", (30, 120)), ("STN", (5, 40))):
        spikes = net.take_spikes(name)
        rate = np.sum(spikes.times >= 200) / plan.populations[name].size / 0.4
        assert lo < rate < hi, (name, rate)
    # taking spikes clears the recorder
    assert len(net.take_spikes("GPi").times) == 0
