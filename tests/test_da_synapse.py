"""bg_stdp_dopamine_burst_dip_synapse (bgmodel's NEST extension): with equal burst and
dip amplitudes it computes exactly what NEST's stdp_dopamine_synapse computes; with
different ones its weights follow the rule as an independent quadrature integrates it;
bad parameters are refused."""
from __future__ import annotations

import math

import numpy as np
import pytest

pytestmark = pytest.mark.nest

MODEL = "bg_stdp_dopamine_burst_dip_synapse"
DOPA = dict(tau_plus=15.0, tau_c=300.0, tau_n=150.0, b=0.012, Wmin=0.0, Wmax=3.0)
DELAY = 1.0  # spike generators -> parrots, parrots -> volume transmitter


def _kernel(threads: int):
    import nest
    from bgmodel.simulator.network import install_extension
    nest.ResetKernel()
    nest.SetKernelStatus({"resolution": 0.1, "local_num_threads": threads, "rng_seed": 11})
    install_extension()
    return nest


def _dopamine(nest, trains):
    """A volume transmitter fed by one parrot per spike train (trains that share a
    time give a spike of multiplicity > 1)."""
    vt = nest.Create("volume_transmitter")
    for times in trains:
        relay = nest.Create("parrot_neuron")
        nest.Connect(nest.Create("spike_generator", params={"spike_times": times}), relay,
                     syn_spec={"delay": DELAY})
        nest.Connect(relay, vt, syn_spec={"delay": DELAY})
    return vt


def _burst(start, n, isi):
    return [round(start + k * isi, 1) for k in range(n)]


# Tonic spikes, two bursts and a long silence: n rises above b and falls below it.
DOPA_TRAINS = [
    sorted(set(_burst(100.0, 12, 100.0) + _burst(400.0, 10, 15.0) + _burst(1800.0, 8, 10.0))),
    _burst(405.0, 6, 15.0) + _burst(1800.0, 4, 10.0),  # doubles some burst spikes
]


WMAX_SMALL = 2.6  # low enough for weights to reach it


def _small_network(model: str, threads: int, amplitudes: dict, b: float = DOPA["b"]):
    """Six presynaptic parrots (Poisson) onto four Poisson-driven neurons, all to all,
    weights recorded; returns the final connection table and the recorder's events."""
    nest = _kernel(threads)
    vt = _dopamine(nest, DOPA_TRAINS)
    wr = nest.Create("weight_recorder")
    nest.CopyModel(model, "plastic", {"volume_transmitter": vt, "weight_recorder": wr,
                                      **DOPA, "Wmax": WMAX_SMALL, "b": b, **amplitudes})
    pre = nest.Create("parrot_neuron", 6)
    nest.Connect(nest.Create("poisson_generator", params={"rate": 25.0}), pre)
    post = nest.Create("iaf_psc_alpha", 4, params={"tau_minus": 25.0})
    nest.Connect(nest.Create("poisson_generator", params={"rate": 14000.0}), post,
                 syn_spec={"weight": 20.0})
    nest.Connect(pre[:3], post, syn_spec={"synapse_model": "plastic", "weight": 1.0,
                                          "delay": 1.0})
    nest.Connect(pre[3:], post, syn_spec={"synapse_model": "plastic", "weight": 2.5,
                                          "delay": 2.0})
    nest.Simulate(2600.0)
    conns = nest.GetConnections(synapse_model="plastic")
    keys = ["source", "target", "weight", "Kplus", "n"] + (
        ["c"] if model == "stdp_dopamine_synapse" else ["c_burst", "c_dip"])
    cols = {k: np.asarray(v) for k, v in conns.get(keys).items()}
    order = np.lexsort((cols["target"], cols["source"]))
    ev = wr.get("events")
    eorder = np.lexsort((ev["weights"], ev["targets"], ev["senders"], ev["times"]))
    events = {k: np.asarray(ev[k])[eorder] for k in ("times", "senders", "targets", "weights")}
    return {k: v[order] for k, v in cols.items()}, events


def _two_sets(a_plus_burst, a_minus_burst, a_plus_dip, a_minus_dip):
    return dict(A_plus_burst=a_plus_burst, A_minus_burst=a_minus_burst,
                A_plus_dip=a_plus_dip, A_minus_dip=a_minus_dip)


@pytest.mark.parametrize("threads", [1, 2])
def test_equal_amplitude_sets_reproduce_stdp_dopamine_synapse_bit_for_bit(threads):
    ours, our_events = _small_network(MODEL, threads, _two_sets(0.02, 0.025, 0.02, 0.025))
    nests, nest_events = _small_network("stdp_dopamine_synapse", threads,
                                        dict(A_plus=0.02, A_minus=0.025))
    for key in ("source", "target", "weight", "Kplus", "n"):
        np.testing.assert_array_equal(ours[key], nests[key], err_msg=key)
    np.testing.assert_array_equal(ours["c_burst"], nests["c"])
    np.testing.assert_array_equal(ours["c_dip"], nests["c"])
    assert len(nest_events["times"]) > 200  # the recorder saw many presynaptic spikes
    for key in nest_events:
        np.testing.assert_array_equal(our_events[key], nest_events[key], err_msg=key)
    # The run meant something: weights moved both ways and were clipped at Wmax.
    w = nests["weight"]
    start = np.where(nests["source"] <= nests["source"].min() + 2, 1.0, 2.5)
    assert (w > start + 1e-3).any() and (w < start - 1e-3).any()
    assert (nest_events["weights"] == WMAX_SMALL).any()


def test_with_b_zero_only_the_burst_set_acts():
    """n never falls below b = 0, so the dip amplitudes never count: the weights are
    stdp_dopamine_synapse's with the burst amplitudes, bit for bit."""
    ours, _ = _small_network(MODEL, 2, _two_sets(0.02, 0.025, -0.5, 0.3), b=0.0)
    nests, _ = _small_network("stdp_dopamine_synapse", 2, dict(A_plus=0.02, A_minus=0.025),
                              b=0.0)
    for key in ("source", "target", "weight", "Kplus", "n"):
        np.testing.assert_array_equal(ours[key], nests[key], err_msg=key)
    np.testing.assert_array_equal(ours["c_burst"], nests["c"])
    assert (ours["c_dip"] != ours["c_burst"]).all()


# --- different amplitude sets against an independent integration of the rule -------

AMPS = dict(A_plus_burst=0.8, A_minus_burst=0.5, A_plus_dip=-0.3, A_minus_dip=1.1)
TAU_MINUS = 25.0
W0 = 50.0


def _reference(pre, post, dopa, t_end, delay):
    """The rule integrated by Gauss-Legendre quadrature (no closed form): events at the
    synapse are presynaptic spikes (t), postsynaptic spikes (t + delay) and dopamine
    spikes (time, multiplicity); between events w' = c_burst (n - b) where n > b and
    c_dip (n - b) where n < b, each stretch cut where n crosses b. Returns the final
    state and the integral's parts above and below b, and whether n crossed b from above."""
    p = dict(DOPA, **AMPS)
    tau_c, tau_n, b = p["tau_c"], p["tau_n"], p["b"]
    events = sorted([(t, 0, 1.0) for t in pre] + [(t + delay, 1, 1.0) for t in post]
                    + [(t, 2, m) for t, m in dopa] + [(t_end, 3, 0.0)])
    nodes, gauss_w = np.polynomial.legendre.leggauss(24)
    t, w, kplus, cb, cd, n = 0.0, W0, 0.0, 0.0, 0.0, 0.0
    above_part = below_part = 0.0
    crossed_from_above = False
    for te, kind, m in events:
        # Cut [t, te] where n crosses b and into pieces of at most 5 ms.
        cuts = [t, te]
        if n > b > 0 and t + tau_n * math.log(n / b) < te:
            cuts.insert(1, t + tau_n * math.log(n / b))
            crossed_from_above = True
        for a, z in zip(cuts[:-1], cuts[1:]):
            edges = np.linspace(a, z, max(1, math.ceil((z - a) / 5.0)) + 1)
            for lo, hi in zip(edges[:-1], edges[1:]):
                s = 0.5 * (hi - lo) * nodes + 0.5 * (hi + lo)
                n_s = n * np.exp(-(s - t) / tau_n)
                # Before a crossing n is above b; without one, where it starts.
                above = lo < cuts[1] if len(cuts) == 3 else n > b
                c_s = (cb if above else cd) * np.exp(-(s - t) / tau_c)
                part = 0.5 * (hi - lo) * np.dot(gauss_w, c_s * (n_s - b))
                w += part
                if above:
                    above_part += part
                else:
                    below_part += part
        decay = math.exp(-(te - t) / tau_c)
        cb, cd, n = cb * decay, cd * decay, n * math.exp(-(te - t) / tau_n)
        kplus *= math.exp(-(te - t) / p["tau_plus"])
        t = te
        if kind == 0:  # presynaptic spike: depression by the postsynaptic trace
            kminus = sum(math.exp(-(te - delay - q) / TAU_MINUS) for q in post if q < te - delay)
            cb -= p["A_minus_burst"] * kminus
            cd -= p["A_minus_dip"] * kminus
            kplus += 1.0
        elif kind == 1:  # postsynaptic spike reaching the synapse: facilitation
            cb += p["A_plus_burst"] * kplus
            cd += p["A_plus_dip"] * kplus
        elif kind == 2:
            n += m / tau_n
    return dict(weight=w, Kplus=kplus, c_burst=cb, c_dip=cd, n=n), above_part, below_part, \
        crossed_from_above


@pytest.mark.parametrize("deliver_interval", [1, 500])
def test_different_amplitude_sets_follow_an_independent_integration_of_the_rule(deliver_interval):
    nest = _kernel(1)
    # Dopamine: silence (n = 0 < b), a burst (n > b), a decay through b, tonic spikes
    # below b, a second burst with doubled spikes (multiplicity 2).
    gen_dopa = [_burst(300.0, 8, 12.0) + [900.0, 1100.0] + _burst(1400.0, 5, 8.0),
                _burst(1416.0, 3, 8.0)]
    vt = _dopamine(nest, gen_dopa)
    # The volume transmitter updates all its synapses every deliver_interval min-delays
    # (1 ms here); at 500 the stretches between updates are long.
    vt.set(deliver_interval=deliver_interval)
    nest.CopyModel(MODEL, "plastic", {"volume_transmitter": vt, **DOPA, **AMPS,
                                      "Wmin": -1e6, "Wmax": 1e6})
    pre_gen = [20.0, 150.5, 310.2, 330.7, 420.3, 505.0, 640.8, 800.1, 950.4, 1150.6,
               1290.9, 1405.2, 1430.3, 1500.7, 1700.2, 1905.5]
    post_gen = [25.3, 160.1, 305.6, 322.2, 415.4, 510.9, 700.3, 950.1, 1010.7, 1280.4,
                1410.8, 1433.1, 1620.2, 1880.6]
    pre, post = nest.Create("parrot_neuron"), nest.Create("parrot_neuron",
                                                          params={"tau_minus": TAU_MINUS})
    nest.Connect(nest.Create("spike_generator", params={"spike_times": pre_gen}), pre,
                 syn_spec={"delay": DELAY})
    nest.Connect(nest.Create("spike_generator", params={"spike_times": post_gen}), post,
                 syn_spec={"delay": DELAY})
    delay = 1.5
    # Port 1 of a parrot takes the spikes without repeating them.
    nest.Connect(pre, post, syn_spec={"synapse_model": "plastic", "weight": W0,
                                      "delay": delay, "receptor_type": 1})
    rec = nest.Create("spike_recorder")
    nest.Connect(pre + post, rec)
    t_end = 2000.0
    nest.Simulate(t_end)

    pre_t = [t + DELAY for t in pre_gen]
    post_t = [t + DELAY for t in post_gen]
    ev = rec.get("events")
    np.testing.assert_allclose(np.sort(ev["times"][ev["senders"] == pre.global_id]), pre_t)
    np.testing.assert_allclose(np.sort(ev["times"][ev["senders"] == post.global_id]), post_t)
    # A dopamine spike counts at the time it reaches the volume transmitter.
    times = sorted(t + 2 * DELAY for train in gen_dopa for t in train)
    dopa = [(t, float(times.count(t))) for t in sorted(set(times))]
    assert max(m for _, m in dopa) == 2.0
    ref, above, below, crossed = _reference(pre_t, post_t, dopa, t_end, delay)
    got = nest.GetConnections(synapse_model="plastic").get(
        ["weight", "Kplus", "c_burst", "c_dip", "n"])
    # The check exercised both sides of b and a crossing from above.
    assert crossed and abs(above) > 1e-3 and abs(below) > 1e-3
    assert abs(ref["weight"] - W0) > 1e-2
    assert got["weight"] - W0 == pytest.approx(ref["weight"] - W0, rel=1e-9, abs=0)
    for key in ("Kplus", "c_burst", "c_dip", "n"):
        assert got[key] == pytest.approx(ref[key], rel=1e-11, abs=1e-15), key
    # With NEST's single trace (either set alone) the result would differ.
    assert abs(got["c_burst"] - got["c_dip"]) > 1e-2


@pytest.mark.parametrize("threads", [1, 2])
def test_many_synapses_sharing_spike_times_each_follow_the_independent_integration(threads):
    """Three presynaptic and three postsynaptic parrots, all to all, with tonic dopamine
    updating every synapse at each trigger: the synapses updated at one time share their
    integrals through the per-thread caches, and each must still follow the rule for its
    own pair of spike trains."""
    nest = _kernel(threads)
    gen_dopa = [_burst(50.0, 30, 25.0) + _burst(900.0, 10, 7.0),
                _burst(62.0, 24, 31.0) + _burst(905.0, 6, 7.0)]
    vt = _dopamine(nest, gen_dopa)
    vt.set(deliver_interval=40)
    nest.CopyModel(MODEL, "plastic", {"volume_transmitter": vt, **DOPA, **AMPS,
                                      "Wmin": -1e6, "Wmax": 1e6})
    pre_base = [20.0, 150.5, 310.2, 330.7, 420.3, 505.0, 640.8, 800.1, 950.4]
    post_base = [25.3, 160.1, 305.6, 322.2, 415.4, 510.9, 700.3, 930.1]
    pre_gens = [[round(t + 7.3 * k, 1) for t in pre_base] for k in range(3)]
    post_gens = [[round(t + 11.9 * k, 1) for t in post_base] for k in range(3)]
    pre = nest.Create("parrot_neuron", 3)
    post = nest.Create("parrot_neuron", 3, params={"tau_minus": TAU_MINUS})
    for neuron, times in zip(list(pre) + list(post), pre_gens + post_gens):
        nest.Connect(nest.Create("spike_generator", params={"spike_times": times}), neuron,
                     syn_spec={"delay": DELAY})
    delay = 1.5
    nest.Connect(pre, post, syn_spec={"synapse_model": "plastic", "weight": W0,
                                      "delay": delay, "receptor_type": 1})
    t_end = 1200.0
    nest.Simulate(t_end)

    times = sorted(t + 2 * DELAY for train in gen_dopa for t in train)
    dopa = [(t, float(times.count(t))) for t in sorted(set(times))]
    got = nest.GetConnections(synapse_model="plastic").get(
        ["source", "target", "weight", "c_burst", "c_dip"])
    assert len(got["weight"]) == 9
    for source, target, weight, cb, cd in zip(*(got[k] for k in
                                                ("source", "target", "weight", "c_burst",
                                                 "c_dip"))):
        i, j = list(pre.tolist()).index(source), list(post.tolist()).index(target)
        ref, above, below, _ = _reference([t + DELAY for t in pre_gens[i]],
                                          [t + DELAY for t in post_gens[j]], dopa, t_end,
                                          delay)
        assert abs(above) > 1e-3 and abs(below) > 1e-3
        assert weight - W0 == pytest.approx(ref["weight"] - W0, rel=1e-9, abs=0), (i, j)
        assert cb == pytest.approx(ref["c_burst"], rel=1e-11, abs=1e-15)
        assert cd == pytest.approx(ref["c_dip"], rel=1e-11, abs=1e-15)


def test_bad_parameters_are_refused():
    nest = _kernel(1)
    vt = nest.Create("volume_transmitter")
    nest.SetDefaults(MODEL, {"volume_transmitter": vt})
    for bad in ({"tau_c": 0.0}, {"tau_n": -5.0}, {"tau_plus": 0.0}):
        with pytest.raises(Exception, match="must be positive"):
            nest.SetDefaults(MODEL, bad)
    with pytest.raises(Exception, match="Wmin must not exceed Wmax"):
        nest.SetDefaults(MODEL, {"Wmin": 2.0, "Wmax": 1.0})
    # A refused change leaves every parameter as it was.
    with pytest.raises(Exception):
        nest.SetDefaults(MODEL, {"A_plus_dip": 7.0, "tau_n": 0.0})
    defaults = nest.GetDefaults(MODEL)
    assert defaults["A_plus_dip"] == 1.0 and defaults["tau_n"] == 200.0
    with pytest.raises(Exception, match="volume_transmitter"):
        nest.SetDefaults(MODEL, {"volume_transmitter": nest.Create("parrot_neuron")})
    # NEST's single-set names are not this model's.
    with pytest.raises(Exception, match="A_plus"):
        nest.SetDefaults(MODEL, {"A_plus": 1.0})
    a, b = nest.Create("parrot_neuron", 2)
    with pytest.raises(Exception, match="Kplus"):
        nest.Connect(a, b, syn_spec={"synapse_model": MODEL, "Kplus": -1.0})
    # Every parameter reads back as set.
    params = dict(A_plus_burst=0.1, A_minus_burst=0.2, A_plus_dip=0.3, A_minus_dip=0.4,
                  tau_plus=11.0, tau_c=222.0, tau_n=33.0, b=0.004, Wmin=-1.0, Wmax=9.0)
    nest.SetDefaults(MODEL, params)
    defaults = nest.GetDefaults(MODEL)
    assert {k: defaults[k] for k in params} == params
    assert defaults["volume_transmitter"] == vt
    nest.Connect(a, b, syn_spec={"synapse_model": MODEL, "weight": 2.0, "c_burst": 0.5,
                                 "c_dip": -0.5, "n": 0.01, "receptor_type": 1})
    conn = nest.GetConnections(synapse_model=MODEL)
    assert conn.get(["weight", "c_burst", "c_dip", "n"]) == dict(weight=2.0, c_burst=0.5,
                                                                 c_dip=-0.5, n=0.01)


def test_a_connection_without_volume_transmitter_is_refused():
    nest = _kernel(1)
    a, b = nest.Create("parrot_neuron", 2)
    with pytest.raises(Exception, match="needs its volume_transmitter"):
        nest.Connect(a, b, syn_spec={"synapse_model": MODEL})


def test_traces_cannot_be_set_by_connect_with_several_threads():
    nest = _kernel(2)
    nest.SetDefaults(MODEL, {"volume_transmitter": nest.Create("volume_transmitter")})
    a, b = nest.Create("parrot_neuron", 2)
    for key in ("c_burst", "c_dip", "n"):
        with pytest.raises(Exception, match=key):
            nest.Connect(a, b, syn_spec={"synapse_model": MODEL, key: 0.1})
