"""Decoding a reward distribution from expectiles (issue 21), and Wasserstein-1.

Imputation (Dabney et al. 2020, Methods): given asymmetries tau_i and values e_i
(the groups' reversal points, i = 1..M), find N samples z_1..z_N whose own
tau_i-expectiles are e_i. The tau-expectile e of the samples is where the residual

    g_i(z) = (1/N) sum_n |tau_i - 1{z_n < e_i}| (z_n - e_i)

is zero (the first-order condition of the expectile's asymmetric squared loss, see
rewards.py). The imputed samples minimise the expectile loss

    L(z) = sum_i g_i(z)^2,

which is 0 exactly when every e_i is an expectile of the samples. L is piecewise
quadratic but not convex in z (a sample must cross an e_i to change its weights), so
gradient descent from an arbitrary start stops in local minima, as Dabney et al.'s
random restarts acknowledge. `impute_distribution` therefore starts from a point that
already nearly satisfies the constraints and refines:

1. The residuals are linear in the probabilities p_k of a fixed grid of points y_k:
   g_i(p) = sum_k p_k a_ik with a_ik = |tau_i - 1{y_k < e_i}| (y_k - e_i). Among the
   grid distributions with g(p) = 0, take the one of maximum entropy
   (`maximum_entropy_distribution`): p_k proportional to exp(sum_i lambda_i a_ik),
   where lambda minimises the convex log sum_k exp(lambda . a_k), by Newton's method
   (M unknowns; its gradient is g(p), so its minimum satisfies every constraint).
2. Its N quantiles at (n + 1/2) / N are the starting samples.
3. Gradient descent on L over the sample locations, dL/dz_n =
   (2/N) sum_i g_i(z) |tau_i - 1{z_n < e_i}|, with a step below 2 / (largest
   curvature, at most 2 M / N) so that it cannot diverge, until L < tol.

Everything is deterministic (no random start).

Measured reversal points are noisy, and noisy values need not be the expectiles of any
distribution: then the maximum-entropy step has no solution (its dual runs off to
infinity and the start collapses onto one point). `least_squares_distribution`, the
decoder for measured values, does not need them to be consistent. On the same grid it
takes the probabilities p (p_k >= 0, sum 1) that minimise

    F(p) = sum_i (g_i(p) / w)^2 + ridge * sum_k p_k^2,

w the range of the e_i: the distribution whose expectiles come closest to the e_i in
the least-squares sense (0 when they are consistent), the ridge term choosing the most
spread-out of several equally close ones. F is a convex quadratic on the simplex; it is
minimised by accelerated projected gradient (FISTA, Beck & Teboulle 2009) with the
Euclidean projection onto the simplex (Duchi et al. 2008).
"""
from __future__ import annotations

from typing import Sequence

import numpy as np


def expectile_residuals(samples: np.ndarray, taus: np.ndarray,
                        expectiles: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """g_i(z) of every expectile, and the weights |tau_i - 1{z_n < e_i}| (M x N)."""
    below = samples[None, :] < expectiles[:, None]
    weights = np.abs(taus[:, None] - below)
    residuals = (weights * (samples[None, :] - expectiles[:, None])).mean(axis=1)
    return residuals, weights


def imputation_loss(samples: Sequence[float], taus: Sequence[float],
                    expectiles: Sequence[float]) -> float:
    """L(z) = sum_i g_i(z)^2."""
    g, _ = expectile_residuals(np.asarray(samples, float), np.asarray(taus, float),
                               np.asarray(expectiles, float))
    return float(g @ g)


def expectile_features(points: np.ndarray, taus: np.ndarray,
                       expectiles: np.ndarray) -> np.ndarray:
    """a_ik = |tau_i - 1{y_k < e_i}| (y_k - e_i) (M x K): g_i(p) = sum_k p_k a_ik."""
    below = points[None, :] < expectiles[:, None]
    return np.abs(taus[:, None] - below) * (points[None, :] - expectiles[:, None])


def _log_partition(lam: np.ndarray, features: np.ndarray) -> float:
    s = lam @ features
    top = s.max()
    return float(top + np.log(np.exp(s - top).sum()))


def maximum_entropy_distribution(taus: Sequence[float], expectiles: Sequence[float],
                                 grid_points: int = 2001, spread: float = 0.5,
                                 max_iterations: int = 200,
                                 tol: float = 1e-20) -> tuple[np.ndarray, np.ndarray]:
    """The maximum-entropy distribution on a grid whose tau_i-expectiles are e_i.

    Parameters
    ----------
    taus, expectiles : sequence of float
        tau_i in (0, 1) and e_i, the same length M.
    grid_points : int
        Points of the grid, evenly over [min e - spread w, max e + spread w],
        w = max e - min e (expectiles lie inside the support, which is wider).
    spread : float
    max_iterations : int
        Newton steps at most.
    tol : float
        Stop when sum_i g_i^2 < tol * w^2.

    Returns
    -------
    points, probabilities : ndarray
    """
    taus, e = _checked(taus, expectiles)
    points, width = _grid(e, grid_points, spread)
    features = expectile_features(points, taus, e)
    lam = np.zeros(len(taus))
    for _ in range(max_iterations):
        s = lam @ features
        p = np.exp(s - s.max())
        p /= p.sum()
        g = features @ p
        if g @ g < tol * width ** 2:
            break
        hessian = (features * p) @ features.T - np.outer(g, g)
        direction = -np.linalg.solve(hessian + 1e-12 * np.eye(len(g)), g)
        # Backtracking (Armijo) keeps every step a descent of the convex dual.
        f0, t = _log_partition(lam, features), 1.0
        while (_log_partition(lam + t * direction, features) > f0 + 1e-4 * t * (g @ direction)
               and t > 1e-12):
            t /= 2.0
        lam = lam + t * direction
    s = lam @ features
    p = np.exp(s - s.max())
    return points, p / p.sum()


def impute_distribution(taus: Sequence[float], expectiles: Sequence[float],
                        n_samples: int = 200, grid_points: int = 2001,
                        spread: float = 0.5, max_iterations: int = 5000,
                        tol: float = 1e-24) -> np.ndarray:
    """N samples whose expectiles at `taus` are `expectiles` (module docstring).

    Parameters
    ----------
    taus, expectiles : sequence of float
        tau_i in (0, 1) and e_i (the same length M).
    n_samples : int
        N, the samples imputed.
    grid_points, spread : int, float
        Grid of the starting distribution (`maximum_entropy_distribution`).
    max_iterations : int
        Gradient steps at most.
    tol : float
        Stop when L(z) < tol * w^2 (w: range of the e_i).

    Returns
    -------
    ndarray
        The N samples, sorted.
    """
    taus, e = _checked(taus, expectiles)
    points, p = maximum_entropy_distribution(taus, e, grid_points, spread)
    cumulative = np.cumsum(p)
    quantiles = (np.arange(n_samples) + 0.5) / n_samples
    z = points[np.minimum(np.searchsorted(cumulative, quantiles), len(points) - 1)]
    width = float(e.max() - e.min()) or 1.0
    # Curvature of L is (2/N^2) W^T W with weights <= 1: at most 2 M / N.
    step = n_samples / (2.0 * len(taus))
    for _ in range(max_iterations):
        g, w = expectile_residuals(z, taus, e)
        if g @ g < tol * width ** 2:
            break
        z = z - step * (2.0 / n_samples) * (g @ w)
    return np.sort(z)


def project_to_simplex(v: np.ndarray) -> np.ndarray:
    """The point of the probability simplex closest to `v` (Euclidean)."""
    u = np.sort(v)[::-1]
    cumulative = np.cumsum(u) - 1.0
    k = np.arange(1, len(v) + 1)
    last = np.nonzero(u - cumulative / k > 0)[0][-1]
    return np.maximum(v - cumulative[last] / (last + 1), 0.0)


def least_squares_distribution(taus: Sequence[float], expectiles: Sequence[float],
                               grid_points: int = 201, spread: float = 0.5,
                               ridge: float = 1e-3, iterations: int = 5000
                               ) -> tuple[np.ndarray, np.ndarray]:
    """The grid distribution whose tau_i-expectiles come closest to e_i (module
    docstring): the decoder for measured, noisy reversal points.

    Parameters
    ----------
    taus, expectiles : sequence of float
        tau_i in (0, 1) and e_i, the same length M.
    grid_points, spread : int, float
        Grid evenly over [min e - spread w, max e + spread w], w = max e - min e.
    ridge : float
        Weight of sum p_k^2 (dimensionless, against residuals in units of w).
    iterations : int
        Projected-gradient steps (a fixed number: the result does not depend on a
        tolerance).

    Returns
    -------
    points, probabilities : ndarray
    """
    taus, e = _checked(taus, expectiles)
    points, width = _grid(e, grid_points, spread)
    features = expectile_features(points, taus, e) / width
    hessian = 2.0 * (features.T @ features) + 2.0 * ridge * np.eye(grid_points)
    step = 1.0 / np.linalg.eigvalsh(hessian)[-1]
    p = np.full(grid_points, 1.0 / grid_points)
    q, t = p.copy(), 1.0
    for _ in range(iterations):
        p_next = project_to_simplex(q - step * (hessian @ q))
        t_next = (1.0 + np.sqrt(1.0 + 4.0 * t * t)) / 2.0
        q = p_next + (t - 1.0) / t_next * (p_next - p)
        p, t = p_next, t_next
    return points, p


def _grid(e: np.ndarray, grid_points: int, spread: float) -> tuple[np.ndarray, float]:
    """Points evenly over [min e - spread w, max e + spread w], and w = max e - min e
    (1 when the values are all equal)."""
    width = float(e.max() - e.min()) or 1.0
    return np.linspace(e.min() - spread * width, e.max() + spread * width, grid_points), width


def _checked(taus, expectiles) -> tuple[np.ndarray, np.ndarray]:
    taus, e = np.asarray(taus, float), np.asarray(expectiles, float)
    if taus.shape != e.shape or taus.ndim != 1 or not len(taus):
        raise ValueError("taus and expectiles: two 1-D sequences of the same length")
    if np.any((taus <= 0) | (taus >= 1)):
        raise ValueError("taus must lie in (0, 1)")
    return taus, e


def wasserstein1(a: Sequence[float], b: Sequence[float],
                 a_weights: Sequence[float] | None = None,
                 b_weights: Sequence[float] | None = None) -> float:
    """Wasserstein-1 distance of two 1-D distributions: integral of |F_a - F_b|.

    Parameters
    ----------
    a, b : sequence of float
        Samples (equal weights) or support points.
    a_weights, b_weights : sequence of float, optional
        Probabilities of the points (normalised here).
    """
    def cdf_parts(x, w):
        x = np.asarray(x, float)
        w = np.full(len(x), 1.0 / len(x)) if w is None else np.asarray(w, float) / np.sum(w)
        order = np.argsort(x, kind="stable")
        return x[order], np.cumsum(w[order])

    xa, ca = cdf_parts(a, a_weights)
    xb, cb = cdf_parts(b, b_weights)
    grid = np.union1d(xa, xb)
    fa = np.concatenate(([0.0], ca))[np.searchsorted(xa, grid, side="right")]
    fb = np.concatenate(([0.0], cb))[np.searchsorted(xb, grid, side="right")]
    return float(np.sum(np.abs(fa - fb)[:-1] * np.diff(grid)))
