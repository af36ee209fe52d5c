"""bgmodel.dopamine.rewards: reward distributions from config, exact expectiles."""
import numpy as np
import pytest

from bgmodel.dopamine.rewards import RewardDistribution, expectile, reward_distribution
from bgmodel.model.schema import ConfigError


def test_config_forms():
    assert reward_distribution({"kind": "fixed", "value": 2.0}).values == (2.0,)
    b = reward_distribution({"kind": "bernoulli", "p": 0.25, "magnitude": 3.0})
    assert b.values == (3.0, 0.0) and b.probabilities == (0.25, 0.75) and b.mean == 0.75
    d = reward_distribution({"kind": "discrete", "values": [0, 1, 5],
                             "probabilities": [0.2, 0.3, 0.5]})
    assert d.mean == pytest.approx(2.8)


@pytest.mark.parametrize("section, key, says", [
    ({"kind": "gamma"}, "reward.kind", "one of fixed, bernoulli, discrete"),
    ({"kind": "fixed"}, "reward.value", "missing"),
    ({"kind": "fixed", "value": 1, "p": 1}, "reward.p", "unknown key"),
    ({"kind": "bernoulli", "p": 1.5, "magnitude": 1}, "reward.p", "[0.0, 1.0]"),
    ({"kind": "discrete", "values": [0, 1], "probabilities": [0.5, 0.6]},
     "reward.probabilities", "summing to 1"),
    ({"kind": "discrete", "values": [0, 1], "probabilities": [1.5, -0.5]},
     "reward.probabilities", ">= 0"),
    ({"kind": "discrete", "values": [0, 1], "probabilities": [1.0]},
     "reward.probabilities", "one probability per value"),
    ({"kind": "discrete", "values": [0, "x"], "probabilities": [0.5, 0.5]},
     "reward.values[1]", "a number"),
])
def test_config_errors_name_file_key_and_allowed(section, key, says):
    with pytest.raises(ConfigError) as err:
        reward_distribution(section, provenance={"": "task.yaml"})
    assert err.value.path == key and says in err.value.allowed
    assert err.value.source == "task.yaml"


def test_probabilities_within_1e_9_are_accepted():
    reward_distribution({"kind": "discrete", "values": [0, 1, 2],
                         "probabilities": [0.1, 0.2, 0.7 + 5e-10]})


def test_draws_come_from_the_generator():
    d = RewardDistribution((0.0, 1.0, 5.0), (0.2, 0.3, 0.5))
    a = d.draw(np.random.default_rng(4), 20000)
    b = d.draw(np.random.default_rng(4), 20000)
    assert np.array_equal(a, b)
    assert [np.mean(a == v) for v in d.values] == pytest.approx([0.2, 0.3, 0.5], abs=0.015)
    assert isinstance(d.draw(np.random.default_rng(4)), float)


def test_expectiles_exact_by_hand():
    # {0, 1} equally likely: tau * (1 - e) = (1 - tau) * e -> e = tau.
    assert expectile([0.0, 1.0], [0.0, 0.25, 0.5, 0.9, 1.0]).tolist() == pytest.approx(
        [0.0, 0.25, 0.5, 0.9, 1.0])
    # {0 w.p. 0.75, 4 w.p. 0.25}, tau = 0.5: the mean, 1.
    assert expectile([4.0, 0.0], 0.5, [0.25, 0.75]) == pytest.approx(1.0)
    # {1, 1, 3} as samples, tau = 0.8: 0.8 * (3 - e) = 0.2 * 2 (e - 1) -> e = 2.8 / 1.2.
    assert expectile([1.0, 1.0, 3.0], 0.8) == pytest.approx(2.8 / 1.2)
    d = RewardDistribution((2.0,), (1.0,))
    assert d.expectile(0.3) == 2.0


def test_expectiles_satisfy_their_definition():
    rng = np.random.default_rng(0)
    x, p = rng.normal(size=7), rng.dirichlet(np.ones(7))
    for tau in (0.05, 0.3, 0.5, 0.77, 0.99):
        e = expectile(x, tau, p)
        assert tau * np.sum(p * np.maximum(x - e, 0)) == pytest.approx(
            (1 - tau) * np.sum(p * np.maximum(e - x, 0)), abs=1e-12)
    assert expectile(x, 0.5, p) == pytest.approx(np.dot(x, p))
    with pytest.raises(ValueError):
        expectile(x, 1.5, p)
