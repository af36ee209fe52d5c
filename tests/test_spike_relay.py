"""bg_spike_relay (bgmodel's NEST extension): the spikes of NEST's spike_train_injector
for the same on-grid trains, one event per listed time, in a lone relay and in a whole
network; bad trains are refused."""
from __future__ import annotations

import numpy as np
import pytest

from bgmodel.model.config import load_config
from bgmodel.model.derive import derive_network

pytestmark = pytest.mark.nest

TIMES = [0.3, 1.0, 1.0, 2.7, 10.0, 10.1, 55.5]  # 1.0 twice: two events


def _kernel(threads=1):
    import nest
    from bgmodel.simulator.network import install_extension
    nest.ResetKernel()
    nest.SetKernelStatus({"resolution": 0.1, "local_num_threads": threads})
    install_extension()
    return nest


def _emitted(model, times, reload_at=None, later=()):
    """Spike times a recorder and a parrot see from one relay of `model`."""
    nest = _kernel()
    relay = nest.Create(model)
    relay.set(spike_times=times)
    parrot = nest.Create("parrot_neuron")
    rec, rec_parrot = nest.Create("spike_recorder"), nest.Create("spike_recorder")
    nest.Connect(relay, rec)
    nest.Connect(relay, parrot, syn_spec={"delay": 1.5})
    nest.Connect(parrot, rec_parrot)
    if reload_at is not None:
        nest.Simulate(reload_at)
        relay.set(spike_times=list(later))
    nest.Simulate(80.0 - (reload_at or 0.0))
    return np.sort(rec.get("events")["times"]), np.sort(rec_parrot.get("events")["times"])


def test_a_relay_emits_what_the_injector_emits():
    ours, ours_parrot = _emitted("bg_spike_relay", TIMES)
    nests, nests_parrot = _emitted("spike_train_injector", TIMES)
    np.testing.assert_array_equal(ours, nests)
    np.testing.assert_array_equal(ours_parrot, nests_parrot)
    np.testing.assert_allclose(ours, TIMES)
    assert len(ours_parrot) == len(TIMES)  # the doubled time passed on twice


def test_reloading_replaces_the_train():
    ours, _ = _emitted("bg_spike_relay", TIMES, reload_at=5.0, later=[5.1, 7.0, 60.0])
    nests, _ = _emitted("spike_train_injector", TIMES, reload_at=5.0, later=[5.1, 7.0, 60.0])
    np.testing.assert_array_equal(ours, nests)
    np.testing.assert_allclose(ours, [0.3, 1.0, 1.0, 2.7, 5.1, 7.0, 60.0])


@pytest.mark.parametrize("times, message", [
    ([1.0, 0.5], "sorted"),
    ([1.05], "grid"),
    ([0.0], "after the current time"),
])
def test_bad_trains_are_refused(times, message):
    nest = _kernel()
    relay = nest.Create("bg_spike_relay")
    with pytest.raises(Exception, match=message):
        relay.set(spike_times=times)


@pytest.mark.parametrize("threads", [1, 2])
def test_a_network_spikes_the_same_with_either_relay(threads):
    from bgmodel.simulator.network import build_network
    spikes = {}
    for model in ("bg_spike_relay", "spike_train_injector"):
        cfg = load_config("resting_state", preset="small", overrides=[
            "simulation.scale=0.02", f"simulation.threads={threads}",
            f"simulation.relay_model={model}"])
        net = build_network(derive_network(cfg))
        names = ["CSN", "MSN_D1", "MSN_D2", "FSI", "STN", "GPe", "GPi"]
        net.record_spikes(names)
        net.simulate(400.0)
        spikes[model] = {n: net.take_spikes(n) for n in names}
    ours, nests = spikes["bg_spike_relay"], spikes["spike_train_injector"]
    for name in ours:
        np.testing.assert_array_equal(ours[name].senders, nests[name].senders, err_msg=name)
        np.testing.assert_array_equal(ours[name].times, nests[name].times, err_msg=name)
    assert len(ours["CSN"].times) > 400 and len(ours["GPi"].times) > 1000
