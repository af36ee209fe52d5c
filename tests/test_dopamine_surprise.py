"""bgmodel.dopamine.surprise: the BG policy from GPi rates, surprise, the combined
signal in the rpe model, the external controller."""
import math

import numpy as np
import pytest
from dopamine_helpers import REWARD_MS, outcome, section

from bgmodel.dopamine.registry import make_model
from bgmodel.dopamine.surprise import (ExternalController, action_surprise, combined_error,
                                       policy, surprise_term)

GPI = (10.0, 20.0)  # channel 1 fires less: preferred
CHANNELS = (1, 2)


def test_policy_and_surprise_by_hand():
    # logits -GPi / T = (-1, -2): pi = (1, e^-1) / (1 + e^-1).
    pi = policy(GPI, 10.0)
    assert pi.tolist() == pytest.approx([1 / (1 + math.exp(-1)), 1 / (1 + math.e)])
    s1, s2 = math.log(1 + math.exp(-1)), math.log(1 + math.e)
    assert action_surprise(GPI, CHANNELS, 1, 10.0) == pytest.approx(s1)
    assert action_surprise(GPI, CHANNELS, 2, 10.0) == pytest.approx(s2)
    entropy = pi[0] * s1 + pi[1] * s2
    assert surprise_term(GPI, CHANNELS, 2, 10.0) == pytest.approx(s2 - entropy)
    assert surprise_term(GPI, CHANNELS, 1, 10.0, "none") == pytest.approx(s1)
    # On-policy mean of the term is 0.
    terms = [surprise_term(GPI, CHANNELS, c, 10.0) for c in CHANNELS]
    assert float(np.dot(pi, terms)) == pytest.approx(0.0, abs=1e-15)
    # Stable where exp would underflow.
    assert action_surprise((0.0, 1e5), CHANNELS, 2, 1.0) == pytest.approx(1e5)


def test_combined_error():
    assert combined_error(0.25, 0.5, 2.0) == 1.25
    assert combined_error(0.25, math.inf, 0.0) == 0.25
    assert combined_error(0.25, None, 1.0) == 0.25


def surprise_model(beta, temperature_Hz=10.0):
    sec = section("rpe")
    sec["action_surprise"] = {"beta": beta, "temperature_Hz": temperature_Hz,
                              "baseline": "entropy"}
    return make_model(sec, np.random.default_rng(1))


def test_rpe_with_surprise_by_hand():
    m = surprise_model(0.5)
    o = outcome(reward=1.0, selected=2, chooser="controller", competing_channels=CHANNELS,
                gpi_Hz=GPI)
    record = m.episode_record(o)
    term = surprise_term(GPI, CHANNELS, 2, 10.0)
    assert record["rpe_snc"] == 1.0  # the critic's plain error
    assert record["dopamine_snc"] == 1.0 + 0.5 * term
    assert record["bg_policy_taken"] == pytest.approx(1 / (1 + math.e))
    assert record["chooser"] == "controller"
    burst = m.episode_signal(o)["snc"].windows[-1]
    assert burst.rate_Hz == pytest.approx(4.0 + 16.0 * (1.0 + 0.5 * term))
    m.update(o)
    assert m.critics["snc"].value("A") == pytest.approx(0.1)  # learns the plain RPE


def test_beta_zero_is_plain_rpe_bit_for_bit():
    plain = make_model(section("rpe"), np.random.default_rng(1))
    zero = surprise_model(0.0, temperature_Hz=1e-3)  # surprise would be ~1e4 nats
    rng = np.random.default_rng(2)
    for k in range(40):
        gpi = tuple(rng.uniform(0, 60, 2))
        o = outcome(episode=k, reward=float(rng.random() < 0.7), selected=int(rng.integers(1, 3)),
                    competing_channels=CHANNELS, gpi_Hz=gpi)
        assert plain.episode_signal(o) == zero.episode_signal(o)
        a, b = plain.episode_record(o), zero.episode_record(o)
        assert {k: a[k] for k in a} == {k: b[k] for k in a}
        # recorded, never used: the term of a temperature of 1e-3 Hz is huge
        assert b["surprise_term"] == pytest.approx(
            surprise_term(gpi, CHANNELS, o.selected_channel, 1e-3))
        plain.update(o)
        zero.update(o)
    assert plain.learned_state() == zero.learned_state()


def test_controller_fraction_and_choices():
    rng = np.random.default_rng(11)
    expected = np.random.default_rng(11).random((2000, 2))
    c = ExternalController(0.5, 0.8, rng)
    decisions = [c.decide((1, 2, 3), 1) for _ in range(2000)]
    for (u_who, u_what), d in zip(expected, decisions):
        if u_who >= 0.5:
            assert d.chooser == "bg" and d.channel is None
        elif u_what < 0.8:
            assert d.channel == 1
        else:  # the others uniformly: (u - 0.8) / 0.2 below 0.5 -> channel 2
            assert d.channel == (2 if (u_what - 0.8) / 0.2 < 0.5 else 3)
    by_controller = [d for d in decisions if d.chooser == "controller"]
    assert len(by_controller) / 2000 == pytest.approx(0.5, abs=0.03)
    assert np.mean([d.channel == 1 for d in by_controller]) == pytest.approx(0.8, abs=0.03)
    never = ExternalController(0.0, 1.0, np.random.default_rng(0))
    always = ExternalController(1.0, 1.0, np.random.default_rng(0))
    assert all(never.decide((1, 2), 1).chooser == "bg" for _ in range(100))
    assert all(always.decide((1, 2), 2) .channel == 2 for _ in range(100))


def test_controller_state_round_trip():
    a = ExternalController(0.5, 0.8, np.random.default_rng(3))
    for _ in range(7):
        a.decide((1, 2), 1)
    b = ExternalController(0.5, 0.8, np.random.default_rng(4))
    b.load_state(a.state())
    assert [a.decide((1, 2), 1) for _ in range(20)] == [b.decide((1, 2), 1) for _ in range(20)]
    with pytest.raises(ValueError):
        ExternalController(1.5, 0.5, np.random.default_rng(0))


def test_reward_time_is_unchanged_by_the_surprise_block():
    m = surprise_model(1.0)
    o = outcome(reward=1.0, selected=1, competing_channels=CHANNELS, gpi_Hz=GPI)
    assert m.episode_signal(o)["snc"].windows[-1].start_ms == REWARD_MS + 100.0
