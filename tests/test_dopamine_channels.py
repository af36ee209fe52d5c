"""Channel-specific dopamine in NEST (issue 20), on the tiny networks of
test_dopamine_wiring.py: each channel's transmitter reaches the plastic synapses onto
its channel's MSNs only, each with the whole in-degree; a signal sent to channel 1
leaves channel 2's synapses without dopamine and their weights untouched; a run with
the vector model, the controller and the efference copy records each channel's
dopamine."""
import nest
import numpy as np
import pytest
from test_dopamine_wiring import (RPE, SHORT_RESPONSES, TIMING, make_config, overlays,
                                  run_protocol)

from bgmodel.model.config import load_config

from bgmodel.model.derive import MSN_D1, MSN_D2, derive_network
from bgmodel.protocols.plasticity.episodes import read_episodes
from bgmodel.simulator.network import build_network

pytestmark = pytest.mark.nest

VECTOR = {"dopamine": {**SHORT_RESPONSES, "units": 20}}
GROUPS = ("snc_ch1", "snc_ch2", "snc_rest")


@pytest.fixture(scope="module")
def routed(tmp_path_factory):
    folder = tmp_path_factory.mktemp("vector")
    return build_network(derive_network(make_config(folder, "vector", VECTOR)))


def test_each_channel_transmitter_reaches_its_channels_msns_only(routed):
    net = routed
    plan = next(c for c in net.plan.connections
                if c.projection == "CSN->MSN" and c.target == MSN_D1)
    receptors = len(plan.weights)
    for cell in (MSN_D1, MSN_D2):
        pop = net.plan.populations[cell]
        members = {1: set(pop.channels[1]), 2: set(pop.channels[2])}
        first = net.nodes[cell][0].global_id
        for group, channel in zip(GROUPS, (1, 2, None)):
            model = f"bg_corticostriatal_{cell[-2:]}_{group}"
            assert (nest.GetDefaults(model)["volume_transmitter"].global_id
                    == net.volume_transmitters[group].global_id)
            conns = nest.GetConnections(source=net.nodes["CSN"], synapse_model=model)
            targets = np.asarray(conns.get("target")) - first
            start, stop = net.plan.dopamine.signal.targets[group][cell]
            if channel is None:
                assert not set(targets) & (members[1] | members[2])
            else:
                assert set(targets) == members[channel] == set(range(start, stop))
            # K = 114 sources per MSN and receptor, every one of the group's MSNs
            assert np.bincount(targets - start).tolist() == [114 * receptors] * (stop - start)


def test_a_signal_to_channel_1_leaves_channel_2_untouched(routed):
    """Only snc_ch1 fires (30 Hz); snc_ch2 and snc_rest are silent, and channel 2's
    synapses have no dip amplitudes: their dopamine trace stays 0 and their weights
    stay as they were, while channel 1's change."""
    net = routed
    for cell in ("D1", "D2"):
        for group in ("snc_ch2", "snc_rest"):
            nest.SetDefaults(f"bg_corticostriatal_{cell}_{group}",
                             {"A_plus_dip": 0.0, "A_minus_dip": 0.0})
    before = {g: np.asarray(nest.GetConnections(synapse_model=f"bg_corticostriatal_D1_{g}")
                            .get("weight")) for g in GROUPS}
    for g in GROUPS:
        net.set_snc_steps(g, [0.0], [30.0 if g == "snc_ch1" else 0.0])
    net.simulate(800.0)
    for g in GROUPS:
        conns = nest.GetConnections(synapse_model=f"bg_corticostriatal_D1_{g}")
        n, w = np.asarray(conns.get("n")), np.asarray(conns.get("weight"))
        if g == "snc_ch1":
            assert (n > 0).mean() > 0.5 and not np.array_equal(w, before[g])
        else:
            assert np.all(n == 0.0), g
            assert np.array_equal(w, before[g]), g


def test_vector_run_records_each_channels_dopamine(tmp_path):
    layers = (RPE, VECTOR, {"protocol": {
        "external_controller": {"fraction": 0.5, "rewarded_probability": 0.0},
        "efference_copy": {"rate_Hz": 20.0, "duration_ms": 300.0}}})
    config = make_config(tmp_path, "vector", *layers)
    run_protocol(config, tmp_path / "run")
    t = read_episodes(tmp_path / "run" / "results" / "episodes.csv")
    for k in range(len(t["episode"])):
        taken = int(t["taken_channel"][k])
        other = 3 - taken
        assert t[f"dopamine_ch{other}"][k] == 0.0
        # the controller takes channel 2 (q = 0), which never pays
        if t["chooser"][k] == "controller":
            assert taken == 2 and t["reward"][k] == 0
    assert set(t["chooser"]) == {"bg", "controller"}
    # channel 1 taken by the BG and rewarded: its group bursts, channel 2's stays tonic
    burst = t["dopamine_ch1"] > 0.5
    assert burst.sum() >= 2
    assert t["snc_snc_ch1_reward"][burst].sum() > 1.5 * t["snc_snc_ch2_reward"][burst].sum()


def test_two_pairs_each_choice_gets_its_own_error(tmp_path):
    """Channels 1 vs 2 and 4 vs 5 in every episode (configs/tasks/two_pairs.yaml): each
    pair's selection, rewarded channel and reward recorded; the vector model gives each
    taken channel its own choice's error, rpe the summed reward."""
    pairs = {"dopamine": {"channels": [1, 2, 4, 5]},
             "protocol": {"episodes": 4, "omission_probes": {"every": 100,
                                                             "from_episode": 50}}}
    config = load_config("plasticity", preset="small", overlays=[
        "configs/dopamine/vector.yaml", "configs/tasks/two_pairs.yaml",
        *overlays(tmp_path, TIMING, RPE, VECTOR, pairs)])
    run_protocol(config, tmp_path / "run")
    t = read_episodes(tmp_path / "run" / "results" / "episodes.csv")
    for k in range(4):
        total = 0.0
        for choice, (a, b) in enumerate(((1, 2), (4, 5)), start=1):
            taken = int(t[f"selected_choice{choice}"][k])
            assert taken in (a, b) and t[f"rewarded_choice{choice}"][k] == a
            reward = t[f"reward_choice{choice}"][k]
            assert reward == (1.0 if taken == a else 0.0)
            total += reward
            error = t[f"dopamine_ch{taken}"][k]
            assert error == pytest.approx(reward - t[f"q_ch{taken}"][k])
            assert t[f"dopamine_ch{a + b - taken}"][k] == 0.0
        assert t["reward"][k] == total
    assert t["selected_channel"].tolist() == t["selected_choice1"].tolist()
    from bgmodel.plotting.plasticity import plot_run
    assert "choices.png" in {p.name for p in plot_run(tmp_path / "run")}
