"""bgmodel.dopamine.decode: imputation from exact expectiles, Wasserstein-1."""
import numpy as np
import pytest

from bgmodel.dopamine.decode import (imputation_loss, impute_distribution,
                                     least_squares_distribution,
                                     maximum_entropy_distribution, project_to_simplex,
                                     wasserstein1)
from bgmodel.dopamine.rewards import RewardDistribution, expectile

TAUS = np.linspace(0.05, 0.95, 11)


def test_wasserstein1_by_hand():
    assert wasserstein1([0.0], [1.0]) == 1.0
    assert wasserstein1([0.0, 1.0], [0.0, 1.0]) == 0.0
    assert wasserstein1([0.0, 2.0], [1.0]) == 1.0
    assert wasserstein1([0.0, 4.0], [0.0, 4.0], [0.75, 0.25], [0.25, 0.75]) == 2.0
    a, b = np.random.default_rng(0).normal(size=(2, 50))
    assert wasserstein1(a, b) == pytest.approx(np.mean(np.abs(np.sort(a) - np.sort(b))))


def test_imputation_recovers_a_bimodal_distribution():
    true = RewardDistribution((1.0, 2.0, 8.0, 9.0), (0.25, 0.25, 0.25, 0.25))
    e = expectile(true, TAUS)
    z = impute_distribution(TAUS, e, n_samples=200)
    assert imputation_loss(z, TAUS, e) < 1e-18
    assert np.allclose(expectile(z, TAUS), e, atol=1e-8)
    decoded = wasserstein1(z, true.values, None, true.probabilities)
    scalar = wasserstein1([true.mean], true.values, None, true.probabilities)
    assert decoded < 0.4 and scalar == 3.5
    # Bimodal with modes near the true ones: almost no mass between the modes.
    assert np.mean((z > 3.0) & (z < 6.0)) < 0.02
    assert np.mean(z < 5.0) == pytest.approx(0.5, abs=0.02)


def test_imputation_of_an_asymmetric_distribution():
    true = RewardDistribution((-1.0, 0.0, 1.0), (0.2, 0.5, 0.3))
    e = expectile(true, TAUS)
    z = impute_distribution(TAUS, e)
    assert wasserstein1(z, true.values, None, true.probabilities) < 0.1


def test_maximum_entropy_distribution_meets_the_constraints():
    true = RewardDistribution((1.0, 9.0), (0.5, 0.5))
    e = expectile(true, TAUS)
    points, p = maximum_entropy_distribution(TAUS, e)
    assert p.sum() == pytest.approx(1.0) and np.all(p >= 0)
    assert np.allclose(expectile(points, TAUS, p), e, atol=1e-9)


def test_projection_onto_the_simplex():
    assert np.allclose(project_to_simplex(np.array([0.2, 0.3, 0.5])), [0.2, 0.3, 0.5])
    assert np.allclose(project_to_simplex(np.array([2.0, 0.0, 0.0])), [1.0, 0.0, 0.0])
    assert np.allclose(project_to_simplex(np.array([1.0, 1.0, -5.0])), [0.5, 0.5, 0.0])


def test_least_squares_decoder_on_exact_and_on_noisy_expectiles():
    """Exact expectiles: close to the truth. Noisy ones (0.02 on a range of 0.6, no
    distribution has them exactly): the maximum-entropy start collapses, the
    least-squares decoder stays bimodal and beats the scalar estimate."""
    true = RewardDistribution((0.1, 0.2, 0.3, 0.7, 0.8, 0.9), (1 / 6,) * 6)
    taus = np.linspace(0.05, 0.95, 10)
    exact = expectile(true, taus)
    points, p = least_squares_distribution(taus, exact)
    assert p.sum() == pytest.approx(1.0) and np.all(p >= 0)
    assert wasserstein1(points, true.values, p, true.probabilities) < 0.05
    scalar = wasserstein1([true.mean], true.values, None, true.probabilities)
    noisy = np.sort(exact + np.random.default_rng(3).normal(0.0, 0.02, len(taus)))
    z = impute_distribution(taus, noisy)
    assert np.ptp(z) < 0.05  # collapsed onto one point
    points, p = least_squares_distribution(taus, noisy)
    assert wasserstein1(points, true.values, p, true.probabilities) < 0.5 * scalar
    middle = (points > 0.4) & (points < 0.6)
    assert p[middle].sum() < 0.25 and p[points < 0.5].sum() == pytest.approx(0.5, abs=0.15)


def test_input_checks():
    with pytest.raises(ValueError):
        impute_distribution([0.5, 0.6], [1.0])
    with pytest.raises(ValueError):
        impute_distribution([0.0, 0.5], [0.0, 1.0])
