"""External control and the efference copy in the plasticity protocol (issue 20), on the
tiny networks of test_dopamine_wiring.py: the controller's share of episodes and its
choices replayed from the run's seed, the recorded chooser and taken channel, the
outcome following the taken channel, the efference copy's extra input on the taken
channel's relays, and the configs refused."""
import math

import numpy as np
import pytest
from test_dopamine_wiring import RPE, make_config, run_protocol

from bgmodel.dopamine.surprise import ExternalController, surprise_term
from bgmodel.model.config import load_config
from bgmodel.model.derive import derive_network
from bgmodel.model.schema import ConfigError
from bgmodel.protocols.plasticity.episodes import read_episodes
from bgmodel.results.rundir import RunDirectory

pytestmark = pytest.mark.nest

CONTROL = {"protocol": {"episodes": 8, "omission_probes": {"every": 100, "from_episode": 50},
                        "external_controller": {"fraction": 0.5, "rewarded_probability": 0.0}},
           "dopamine": {"action_surprise": {"beta": 0.0, "temperature_Hz": 10.0,
                                            "baseline": "entropy"}}}


def test_the_controller_takes_its_share_and_the_outcome_follows(tmp_path):
    config = make_config(tmp_path, "rpe", RPE, CONTROL)
    run_protocol(config, tmp_path / "run")
    t = read_episodes(tmp_path / "run" / "results" / "episodes.csv")
    # Replay: two uniforms per episode with a rewarded channel (all 8 here).
    replay = ExternalController(0.5, 0.0, np.random.default_rng([config["simulation"]["seed"],
                                                                  0xEC]))
    decisions = [replay.decide((1, 2), 1) for _ in range(8)]
    assert list(t["chooser"]) == [d.chooser for d in decisions]
    assert 0 < sum(d.chooser == "controller" for d in decisions) < 8
    for k, d in enumerate(decisions):
        if d.chooser == "controller":
            # q = 0: the controller takes the other channel, which does not pay
            assert t["taken_channel"][k] == 2 and t["reward"][k] == 0
            assert t["rpe_snc"][k] <= 0 and t["rpe_snc"][k] == -t["value_snc"][k]
        else:
            assert t["taken_channel"][k] == t["selected_channel"][k] == 1
            assert t["reward"][k] == 1
        # the surprise of the taken channel under the BG's policy, recorded with beta 0
        gpi = (t["GPi_ch1_Hz"][k], t["GPi_ch2_Hz"][k])
        expected = surprise_term(gpi, (1, 2), int(t["taken_channel"][k]), 10.0)
        assert t["surprise_term"][k] == pytest.approx(expected)
        assert 0.0 <= t["bg_policy_taken"][k] <= 1.0


def test_the_efference_copy_drives_the_taken_channel(tmp_path):
    from bgmodel.protocols.plasticity.protocol import Plasticity
    from bgmodel.simulator.network import build_network
    config = make_config(tmp_path, "rpe", RPE,
                         {"protocol": {"efference_copy": {"rate_Hz": 100.0,
                                                          "duration_ms": 300.0}}})
    net = build_network(derive_network(config))
    proto = Plasticity(config, net, RunDirectory.at(tmp_path / "run"), quiet=True)
    proto.prepare()
    net.record_spikes(["CSN"])
    # the decision "now": the copy runs over [0, 300) ms
    proto.send_efference_copy(2, net.time_ms - proto.times.before_decision_ms)
    net.simulate(400.0)
    spikes = net.take_spikes("CSN")
    in_copy = spikes.times < 300.0
    base = config["inputs"]["CSN"]["rate_Hz"]
    taken, other = proto.sampled[("CSN", 2)], proto.sampled[("CSN", 1)]
    n_taken = np.isin(spikes.senders[in_copy], taken).sum()
    n_other = np.isin(spikes.senders[in_copy], other).sum()
    expected_taken = len(taken) * (base + 100.0) * 0.3
    assert abs(n_taken - expected_taken) < 5 * math.sqrt(expected_taken)
    expected_other = len(other) * base * 0.3
    assert abs(n_other - expected_other) < 5 * math.sqrt(expected_other) + 3
    after = (spikes.times >= 300.0) & np.isin(spikes.senders, taken)
    assert after.sum() < len(taken) * (base + 20.0) * 0.1  # the copy has stopped


def test_the_task_names_the_rewarded_channel(tmp_path):
    # channel 1 gets the input and is always selected; the task pays channel 2 only
    config = make_config(tmp_path, "rpe", RPE, {"protocol": {
        "episodes": 4, "rewarded_channels": {"channel1_strong": [2]}}})
    run_protocol(config, tmp_path / "run")
    t = read_episodes(tmp_path / "run" / "results" / "episodes.csv")
    assert list(t["selected_channel"]) == [1] * 4
    assert list(t["rewarded_channel"]) == [2] * 4
    assert list(t["reward"]) == [0] * 4 and not t["rewarded"].any()
    assert (t["rpe_snc"] <= 0).all()


def test_rewarded_channels_are_checked():
    rpe = ["configs/dopamine/rpe.yaml"]
    with pytest.raises(ConfigError, match=r"rewarded_channels.channel1_strong.*one channel "
                                          r"of each choice \[\[1, 2\]\]"):
        load_config("plasticity", preset="small", overlays=rpe,
                    overrides=["protocol.rewarded_channels={channel1_strong: [3]}"])
    with pytest.raises(ConfigError, match=r"rewarded_channels.nope.*a pattern of"):
        load_config("plasticity", preset="small", overlays=rpe,
                    overrides=["protocol.rewarded_channels={nope: [1]}"])
    with pytest.raises(ConfigError, match="protocol.rewarded_channels.*signal dopamine"):
        load_config("plasticity", preset="small",
                    overrides=["protocol.rewarded_channels={channel1_strong: [2]}"])
    config = load_config("plasticity", preset="plasticity_small",
                         overlays=["configs/dopamine/vector.yaml",
                                   "configs/tasks/two_pairs_equal_inputs.yaml"],
                         overrides=["dopamine.channels=[1, 2, 4, 5]"])
    assert config["protocol"]["phases"]["CS+"]["pattern"] == "equal_reward14"


def test_control_needs_a_signal_model():
    with pytest.raises(ConfigError, match="protocol.external_controller.*signal dopamine"):
        load_config("plasticity", preset="small", overrides=[
            "protocol.external_controller={fraction: 0.5, rewarded_probability: 0.8}"])
    with pytest.raises(ConfigError, match="protocol.efference_copy.rate_Hz"):
        load_config("plasticity", preset="small",
                    overlays=["configs/dopamine/rpe.yaml"],
                    overrides=["protocol.efference_copy={rate_Hz: -1, duration_ms: 300}"])
