"""bgmodel's NEST extension: bg_iaf_psc_alpha_2port computes exactly what NEST's
iaf_psc_alpha_multisynapse computes on two ports, and is found, built and refused
the way a user would meet it."""
from __future__ import annotations

import numpy as np
import pytest

from bgmodel import nest_extension, runner
from bgmodel.config import load_config
from bgmodel.schema import ConfigError

pytestmark = pytest.mark.nest

MSN_LIKE = dict(C_m=13.0, tau_m=13.0, V_th=30.0, I_e=24.0, E_L=0.0, V_reset=0.0, V_m=0.0,
                V_min=-20.0, t_ref=2.0, tau_syn=[1.8393972058572117, 36.787944117144235])


def _network(model: str, threads: int = 2, seconds: float = 0.6):
    """300 neurons under Poisson drive on both ports, recurrent inhibition and a DC
    pulse; spike trains and V_m traces of five neurons."""
    import nest
    from bgmodel.network import install_extension
    nest.ResetKernel()
    nest.SetKernelStatus({"resolution": 0.1, "local_num_threads": threads, "rng_seed": 5})
    if model == nest_extension.MODEL:
        install_extension()
    n = nest.Create(model, 300, params=MSN_LIKE)
    drive = nest.Create("poisson_generator", 3,
                        params=[{"rate": 8000.0}, {"rate": 6000.0}, {"rate": 3000.0}])
    nest.Connect(drive[0], n, syn_spec={"weight": 1.0, "receptor_type": 1, "delay": 1.0})
    nest.Connect(drive[1], n, syn_spec={"weight": -0.8, "receptor_type": 1, "delay": 1.5})
    nest.Connect(drive[2], n, syn_spec={"weight": 0.05, "receptor_type": 2, "delay": 2.0})
    nest.Connect(n, n, {"rule": "fixed_indegree", "indegree": 20},
                 syn_spec={"weight": -0.5, "receptor_type": 1, "delay": 1.0})
    dc = nest.Create("dc_generator", params={"amplitude": 1.5, "start": 200.0, "stop": 400.0})
    nest.Connect(dc, n)
    rec = nest.Create("spike_recorder")
    nest.Connect(n, rec)
    meter = nest.Create("multimeter", params={"record_from": ["V_m"], "interval": 0.1})
    nest.Connect(meter, n[:5])
    nest.Simulate(seconds * 1000.0)
    spikes, trace = rec.get("events"), meter.get("events")
    s, t = np.lexsort((spikes["times"], spikes["senders"])), np.lexsort((trace["times"], trace["senders"]))
    return spikes["senders"][s], spikes["times"][s], trace["V_m"][t]


def test_the_two_port_neuron_reproduces_the_multisynapse_neuron_bit_for_bit():
    ours = _network(nest_extension.MODEL)
    nests = _network("iaf_psc_alpha_multisynapse")
    assert len(nests[0]) > 3000  # enough spikes for the comparison to mean something
    np.testing.assert_array_equal(ours[0], nests[0])
    np.testing.assert_array_equal(ours[1], nests[1])
    np.testing.assert_array_equal(ours[2], nests[2])


def test_the_network_gives_the_same_spikes_with_either_neuron(tiny_overrides):
    from bgmodel.derive import derive_network
    from bgmodel.network import build_network

    def spikes(model):
        cfg = load_config("resting_state", overrides=tiny_overrides + [
            "simulation.threads=2", f"neuron_model.model={model}"])
        plan = derive_network(cfg)
        net = build_network(plan, cfg)
        pops = [p for p, v in plan.populations.items() if v.kind == "nucleus"]
        net.record_spikes(pops)
        net.simulate(300.0)
        return {p: net.take_spikes(p) for p in pops}

    ours, nests = spikes(nest_extension.MODEL), spikes("iaf_psc_alpha_multisynapse")
    assert sum(len(s.times) for s in nests.values()) > 500
    for pop in nests:
        np.testing.assert_array_equal(ours[pop].senders, nests[pop].senders, err_msg=pop)
        np.testing.assert_array_equal(ours[pop].times, nests[pop].times, err_msg=pop)


def test_the_library_is_keyed_by_nest_version_abi_and_sources():
    path = nest_extension.build(quiet=True)
    assert path.is_file()
    nest = nest_extension.find_nest()
    assert path.parent.name == f"nest-{nest.version}-abi{nest.cxx11_abi}-{nest_extension.source_hash()}"


def test_a_third_port_or_a_wrong_tau_list_is_refused():
    with pytest.raises(ConfigError) as err:
        load_config("resting_state", overrides=["receptors.GABA.port=3",
                                                 "neuron_model.model=bg_iaf_psc_alpha_2port"])
    assert err.value.path == "neuron_model.model" and "exactly 2" in err.value.allowed
    import nest
    from bgmodel.network import install_extension
    nest.ResetKernel()
    install_extension()
    with pytest.raises(Exception, match="exactly 2"):
        nest.Create(nest_extension.MODEL, params={"tau_syn": [1.0, 2.0, 3.0]})
    n = nest.Create(nest_extension.MODEL)
    with pytest.raises(Exception):
        nest.Connect(nest.Create("poisson_generator"), n, syn_spec={"receptor_type": 3})


def test_a_compiler_that_fails_gives_a_config_error_before_any_run_folder(monkeypatch, tmp_path):
    cfg = load_config("resting_state", overrides=["neuron_model.model=bg_iaf_psc_alpha_2port"])
    # A fresh, unbuilt location and a compiler that always fails.
    monkeypatch.setattr(nest_extension, "library_path",
                        lambda nest=None: tmp_path / "lib" / nest_extension.LIBRARY)
    monkeypatch.setenv("CXX", "false")
    with pytest.raises(ConfigError) as err:
        runner.run_protocol(cfg, out=tmp_path / "log", quiet=True)
    assert err.value.path == "neuron_model.model"
    assert "could not be built" in str(err.value) and "iaf_psc_alpha_multisynapse" in str(err.value)
    assert not (tmp_path / "log").exists()
