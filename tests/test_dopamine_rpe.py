"""bgmodel.dopamine.rpe: the CS shift, omission pauses and the probabilistic-reward
signature, read from the SNc signal of a pure-Python run of repeated episodes."""
import json

import numpy as np
import pytest
from dopamine_helpers import REWARD_MS, outcome, section

from bgmodel.dopamine.registry import make_model
from bgmodel.dopamine.rewards import RewardDistribution

CUE = (100.0, 300.0)  # cue window: latency 100 ms, 200 ms
REWARD = (REWARD_MS + 100.0, REWARD_MS + 300.0)  # burst window; a pause lasts 300 ms


def model(seed=1, **changes):
    sec = section("rpe")
    sec.update(changes)
    return make_model(sec, np.random.default_rng(seed))


def response_Hz(signal, window, group="snc"):
    """Mean rate minus tonic in `window` (Hz), read from the signal."""
    start, stop = window
    mean = signal.expected_spikes(group, start, stop) * 1000.0 / (stop - start)
    return mean - signal[group].tonic_Hz


def run(m, rewards, pattern="A"):
    """Episodes with the given rewards; returns (cue, reward) responses per episode."""
    cue, rew = [], []
    for k, r in enumerate(rewards):
        o = outcome(episode=k, pattern=pattern, reward=float(r))
        sig = m.episode_signal(o)
        cue.append(response_Hz(sig, CUE))
        rew.append(response_Hz(sig, REWARD))
        m.update(o)
    return np.array(cue), np.array(rew)


def test_cs_shift():
    m = model()
    cue, rew = run(m, [1.0] * 100)
    # Unpredicted at first: a 20 Hz burst at reward (16 Hz above tonic), nothing at the cue.
    assert cue[0] == 0.0 and rew[0] == pytest.approx(16.0)
    # Late: the response has moved to the cue; the reward is predicted (0.9^90 ~ 1e-4).
    assert cue[-10:].mean() > 15.9 and rew[-10:].mean() < 0.01
    assert np.all(np.diff(rew) <= 0) and np.all(np.diff(cue) >= 0)


def test_omission_after_learning_pauses_at_reward_time():
    m = model()
    run(m, [1.0] * 100)
    omitted = outcome(episode=100, reward=0.0, omitted=True)
    sig = m.episode_signal(omitted)
    window = (REWARD_MS + 100.0, REWARD_MS + 400.0)
    # delta ~ -1, pause gain 4 Hz per unit: silence for the pause's 300 ms.
    assert sig.expected_spikes("snc", *window) == pytest.approx(0.0, abs=1e-3)
    assert sig.expected_spikes("snc", *window) < m.tonic_Hz * 0.3
    record = m.episode_record(omitted)
    assert record["rpe_snc"] == pytest.approx(-1.0, abs=1e-4)
    assert record["value_snc"] == pytest.approx(1.0, abs=1e-4)


def probabilistic(p, episodes=400, late=200, seed=7):
    """Late mean cue response and reward response of rewarded episodes (Hz)."""
    m = model(seed)
    dist = RewardDistribution((1.0, 0.0), (p, 1.0 - p))
    rewards = dist.draw(np.random.default_rng([seed, 99]), episodes)
    cue, rew = run(m, rewards)
    paid = rewards[-late:] > 0
    return cue[-late:].mean(), rew[-late:][paid].mean()


def test_probabilistic_reward_signature():
    table = {p: probabilistic(p) for p in (0.25, 0.5, 0.75, 1.0)}
    cues = [table[p][0] for p in sorted(table)]
    rewards = [table[p][1] for p in sorted(table)]
    assert np.all(np.diff(cues) > 0) and np.all(np.diff(rewards) < 0)
    for p, (cue, rew) in table.items():
        assert cue == pytest.approx(16.0 * p, abs=1.6)
        assert rew == pytest.approx(16.0 * (1 - p), abs=1.6)
    assert table[1.0][1] < 1e-3


def test_no_outcome_means_no_reward_response_and_no_learning():
    m = model()
    run(m, [1.0] * 5)
    before = m.state()
    probe = outcome(episode=5, reward_time_ms=None, reward=0.0)
    sig = m.episode_signal(probe)
    assert len(sig["snc"].windows) == 1  # the CS response only
    m.update(probe)
    assert m.state() == before
    assert np.isnan(m.episode_record(probe)["rpe_snc"])


def test_cue_signal_is_the_episode_signal_before_the_outcome():
    m = model()
    run(m, [1.0] * 10)
    o = outcome(episode=10, reward=0.0)
    full, cue = m.episode_signal(o)["snc"], m.cue_signal("A", 0.0)["snc"]
    assert [w for w in full.windows if w.start_ms < REWARD_MS] == list(cue.windows)
    # Signals and records do not change the model; update does.
    state = json.dumps(m.state())
    m.episode_record(o)
    assert json.dumps(m.state()) == state
    m.update(o)
    assert json.dumps(m.state()) != state


def test_rates_are_clipped():
    m = model(max_rate_Hz=10.0)
    sig = m.episode_signal(outcome(reward=5.0))
    assert sig["snc"].windows[-1].rate_Hz == 10.0
    sig = m.episode_signal(outcome(reward=-5.0, rewarded=False))
    assert sig["snc"].windows[-1].rate_Hz == 0.0


def test_state_round_trip_resumes_exactly():
    rewards = np.random.default_rng(5).random(60)
    a = model()
    run(a, rewards[:30])
    b = model(seed=99)
    b.load_state(json.loads(json.dumps(a.state())))
    for k, r in enumerate(rewards[30:], start=30):
        o = outcome(episode=k, pattern="AB"[k % 2], reward=float(r))
        assert a.episode_record(o) == b.episode_record(o)
        assert a.episode_signal(o) == b.episode_signal(o)
        a.update(o)
        b.update(o)
    assert a.state() == b.state()
