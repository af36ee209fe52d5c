"""bgmodel.dopamine.distributional: asymmetric updates, convergence to expectiles, the
one-group case equal to rpe, the synapse shares."""
import json

import numpy as np
import pytest
from dopamine_helpers import outcome, overlay, section

from bgmodel.dopamine.distributional import DistributionalModel, asymmetric_rates
from bgmodel.dopamine.registry import make_model
from bgmodel.dopamine.rewards import expectile, reward_distribution


def model(seed=1, **changes):
    sec = section("distributional")
    sec.update(changes)
    return make_model(sec, np.random.default_rng(seed))


def test_expectile_updates_by_hand():
    m = model(taus=[0.2, 0.8], critic={"learning_rate": 0.25, "discount": 1.0})
    assert isinstance(m, DistributionalModel) and m.groups == ("snc0", "snc1")
    # alpha+ = 2 * 0.25 * tau, alpha- = 2 * 0.25 * (1 - tau): (0.1, 0.4) and (0.4, 0.1).
    assert asymmetric_rates(0.25, 0.2) == pytest.approx((0.1, 0.4))
    m.update(outcome(reward=1.0))  # V = 0.1 and 0.4
    assert m.reversal_points("A").tolist() == pytest.approx([0.1, 0.4])
    m.update(outcome(reward=0.0))  # V -= alpha- * V: 0.1 - 0.04, 0.4 - 0.04
    assert m.reversal_points("A").tolist() == pytest.approx([0.06, 0.36])
    record = m.episode_record(outcome(reward=0.5))
    assert record["rpe_snc0"] == pytest.approx(0.44) and record["rpe_snc1"] == pytest.approx(0.14)
    assert m.taus.tolist() == pytest.approx([0.2, 0.8])


def test_each_group_fires_its_own_error():
    m = model(taus=[0.2, 0.8], critic={"learning_rate": 0.25, "discount": 1.0})
    m.critics["snc0"].values["A"] = 0.2
    m.critics["snc1"].values["A"] = 0.8
    sig = m.episode_signal(outcome(reward=0.5))
    # +0.3 -> burst 4 + 16 * 0.3; -0.3 -> pause 4 - 4 * 0.3.
    assert sig["snc0"].windows[-1].rate_Hz == pytest.approx(8.8)
    assert sig["snc1"].windows[-1].rate_Hz == pytest.approx(2.8)


def test_convergence_to_the_expectiles_of_a_fixed_distribution():
    m = model(seed=2, critic={"learning_rate": 0.01, "discount": 1.0})
    dist = reward_distribution(overlay("distributional")["protocol"]["reward"])
    rewards = dist.draw(np.random.default_rng(3), 6000)
    late = []
    for k, r in enumerate(rewards):
        m.update(outcome(episode=k, reward=float(r)))
        if k >= 3000:
            late.append(m.reversal_points("A"))
    learned = np.mean(late, axis=0)
    exact = expectile(dist, m.taus)
    # Rate 0.01: each value fluctuates by ~0.1 * the reward's spread around its expectile.
    assert np.max(np.abs(learned - exact)) < 0.03
    assert np.all(np.diff(learned) > 0)  # ordered by tau


def test_one_group_with_tau_one_half_is_the_rpe_model():
    rpe = make_model(section("rpe"), np.random.default_rng(1))
    one = model(taus=[0.5], critic=dict(section("rpe")["critic"]), units=10)
    rewards = np.random.default_rng(8).random(50)
    for k, r in enumerate(rewards):
        o = outcome(episode=k, pattern="AB"[k % 3 == 0], reward=float(r))
        sig_rpe, sig_one = rpe.episode_signal(o), one.episode_signal(o)
        assert sig_rpe["snc"] == sig_one["snc0"]
        rec = one.episode_record(o)
        assert rpe.episode_record(o)["rpe_snc"] == rec["rpe_snc0"]
        rpe.update(o)
        one.update(o)
        assert rpe.critics["snc"].values == one.critics["snc0"].values


def test_synapse_shares():
    assert model().synapse_shares() == {f"snc{i}": 0.1 for i in range(10)}
    uneven = model(taus=[0.2, 0.8], synapse_fractions=[0.7, 0.3]).synapse_shares()
    assert uneven == {"snc0": 0.7, "snc1": 0.3}


def test_state_round_trip():
    a = model()
    for k in range(20):
        a.update(outcome(episode=k, reward=float(k % 3)))
    b = model(seed=5)
    b.load_state(json.loads(json.dumps(a.state())))
    assert b.state() == a.state()
