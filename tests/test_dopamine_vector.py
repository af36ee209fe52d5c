"""bgmodel.dopamine.vector (issue 20), without NEST: broadcast is rpe bit for bit; per
channel, the taken channel's group fires r - Q(s, taken), only that value learns, the
other groups stay tonic; the MSN blocks of the routing (bgmodel.model.derive)."""
import numpy as np
import pytest
from dopamine_helpers import REWARD_MS, outcome, section

from bgmodel.dopamine.registry import make_model, validate_section
from bgmodel.model.config import load_config
from bgmodel.model.derive import (MSN_D1, MSN_D2, channel_blocks, channel_centres,
                                  derive_network, sort_by_channel)
from bgmodel.model.schema import ConfigError

CHANNELS = (1, 2)


def vector(routing="per_channel", seed=1, **changes):
    sec = section("vector")
    sec["routing"] = routing
    sec.update(changes)
    return make_model(sec, np.random.default_rng(seed))


def test_broadcast_is_rpe_bit_for_bit():
    rpe_sec = section("rpe")
    rpe = make_model(rpe_sec, np.random.default_rng(1))
    sec = section("vector")
    sec.update(routing="broadcast", units=rpe_sec["units"])
    broadcast = make_model(sec, np.random.default_rng(1))
    assert broadcast.groups == rpe.groups == ("snc",)
    assert broadcast.synapse_channels() is None
    rng = np.random.default_rng(3)
    for k in range(30):
        o = outcome(episode=k, reward=float(rng.random() < 0.6),
                    selected=int(rng.integers(1, 3)), competing_channels=CHANNELS)
        assert broadcast.cue_signal("A", 0.0) == rpe.cue_signal("A", 0.0)
        assert broadcast.episode_signal(o) == rpe.episode_signal(o)
        assert broadcast.episode_record(o) == rpe.episode_record(o)
        broadcast.update(o)
        rpe.update(o)
    assert broadcast.learned_state() == rpe.learned_state()


def test_per_channel_groups_and_routing():
    m = vector()
    assert m.groups == ("snc_ch1", "snc_ch2", "snc_rest")
    assert m.synapse_channels() == {"snc_ch1": 1, "snc_ch2": 2, "snc_rest": None}


def at_reward(sig, group):
    return [w for w in sig[group].windows if w.start_ms >= REWARD_MS]


def test_the_taken_channel_fires_its_error_and_learns_alone():
    m = vector()
    lr = section("vector")["critic"]["learning_rate"]
    # channel 1 taken and rewarded: its group bursts 16 Hz per unit of error
    o = outcome(reward=1.0, selected=1, competing_channels=CHANNELS)
    sig = m.episode_signal(o)
    burst = sig["snc_ch1"].windows[-1]
    assert burst.start_ms == REWARD_MS + 100.0 and burst.rate_Hz == pytest.approx(20.0)
    assert sig["snc_ch2"].windows == () and sig["snc_rest"].windows == ()
    record = m.episode_record(o)
    assert record["dopamine_ch1"] == 1.0 and record["dopamine_ch2"] == 0.0
    assert record["rpe_taken"] == 1.0 and record["q_ch1"] == 0.0
    m.update(o)
    assert m.q_value("A", 1) == pytest.approx(lr) and m.q_value("A", 2) == 0.0
    # the cue now calls channel 1's group only
    cue = m.cue_signal("A", 0.0)
    assert cue["snc_ch1"].windows[0].rate_Hz == pytest.approx(4.0 + 16.0 * lr)
    assert cue["snc_ch2"].windows == ()
    # channel 2 taken, nothing paid: a pause in channel 2's group, channel 1 untouched
    o2 = outcome(episode=1, reward=0.0, selected=2, competing_channels=CHANNELS)
    sig = m.episode_signal(o2)
    assert at_reward(sig, "snc_ch1") == [] and at_reward(sig, "snc_ch2") == []  # Q(ch2) = 0
    m.update(o2)
    assert m.q_value("A", 1) == pytest.approx(lr) and m.q_value("A", 2) == 0.0
    m.update(outcome(episode=2, reward=1.0, selected=2, competing_channels=CHANNELS))
    o3 = outcome(episode=3, reward=0.0, selected=2, competing_channels=CHANNELS)
    pause = at_reward(m.episode_signal(o3), "snc_ch2")[-1]
    assert pause.rate_Hz == pytest.approx(4.0 - 4.0 * lr)
    # no outcome, or a channel without a group: no response, no learning
    before = m.learned_state()
    for o in (outcome(reward_time_ms=None, competing_channels=CHANNELS),
              outcome(reward=1.0, selected=4, competing_channels=CHANNELS)):
        assert all(at_reward(m.episode_signal(o), g) == [] for g in m.groups)
        m.update(o)
    assert m.learned_state() == before


def test_surprise_adds_to_the_taken_channels_error():
    m = vector(action_surprise={"beta": 0.5, "temperature_Hz": 10.0,
                                "baseline": "entropy"})
    o = outcome(reward=1.0, selected=2, chooser="controller", competing_channels=CHANNELS,
                gpi_Hz=(10.0, 20.0))
    record = m.episode_record(o)
    assert record["dopamine_ch2"] == pytest.approx(1.0 + 0.5 * record["surprise_term"])
    assert record["surprise_term"] > 0  # channel 2 (higher GPi) was the less likely
    m.update(o)
    assert m.q_value("A", 2) == pytest.approx(0.1)  # learns the plain error


def test_channels_checked():
    sec = section("vector")
    sec["channels"] = [1, 1]
    with pytest.raises(ConfigError, match="dopamine.channels"):
        validate_section(sec)


def test_sorted_layers_put_each_channel_in_one_block():
    tiny = ["simulation.scale=0.03"]
    config = load_config("plasticity", preset="small",
                         overlays=["configs/dopamine/vector.yaml"], overrides=tiny)
    plan = derive_network(config)
    targets = plan.dopamine.signal.targets
    for cell in (MSN_D1, MSN_D2):
        pop = plan.populations[cell]
        for group, channel in (("snc_ch1", 1), ("snc_ch2", 2)):
            start, stop = targets[group][cell]
            assert list(pop.channels[channel]) == list(range(start, stop))
        assert targets["snc_rest"][cell] == (targets["snc_ch2"][cell][1], pop.size)
    # the same positions as without routing, reordered
    plain = derive_network(load_config("plasticity", preset="small", overrides=tiny,
                                       overlays=["configs/dopamine/rpe.yaml"]))
    for cell in (MSN_D1, MSN_D2):
        a = plan.populations[cell].positions
        b = plain.populations[cell].positions
        assert np.array_equal(np.sort(a, axis=0), np.sort(b, axis=0))
        assert not np.array_equal(a, b)


def test_channel_blocks_refuse_unsorted_positions():
    centres = channel_centres({"count": 6, "hex_radius": 0.3, "first_corner_angle_deg": 0})
    rng = np.random.default_rng(0)
    pos = rng.uniform(-0.5, 0.5, (500, 2))
    with pytest.raises(ValueError, match="not sorted"):
        channel_blocks(pos, centres, 0.1, 1.0, [1, 2])
    blocks = channel_blocks(sort_by_channel(pos, centres, 0.1, 1.0, [1, 2]), centres, 0.1,
                            1.0, [1, 2])
    assert blocks[0][0] == 0 and blocks[-1][1] == 500
    assert all(a[1] == b[0] for a, b in zip(blocks, blocks[1:]))
