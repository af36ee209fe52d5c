"""Reward distributions of a task, drawn from the run's Generator, and expectiles.

Config forms (`reward_distribution`):

    {kind: fixed, value: 1.0}
    {kind: bernoulli, p: 0.75, magnitude: 1.0}          # magnitude with probability p
    {kind: discrete, values: [...], probabilities: [...]}

The tau-expectile e_tau of a distribution is the e solving

    tau * E[(X - e)+] = (1 - tau) * E[(e - X)+],

the minimiser of E[|tau - 1{X < e}| (X - e)^2] (Newey & Powell 1987): tau = 0.5 is the
mean, tau -> 0 and 1 the minimum and maximum. For a discrete distribution the left side
minus the right is piecewise linear and decreasing in e, so `expectile` solves it
exactly on the interval between two support points where it changes sign.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping, Sequence

import numpy as np

from ..model.schema import ConfigError, source_of
from .config import probability_problems, raise_first

KINDS = ("fixed", "bernoulli", "discrete")
KEYS = {"fixed": ("value",), "bernoulli": ("p", "magnitude"),
        "discrete": ("values", "probabilities")}


@dataclass(frozen=True)
class RewardDistribution:
    """A discrete reward distribution: `values` with `probabilities`."""

    values: tuple
    probabilities: tuple

    def __post_init__(self):
        if len(self.values) != len(self.probabilities) or not self.values:
            raise ValueError("one probability per value, at least one value")
        if any(p < 0 for p in self.probabilities) or abs(sum(self.probabilities) - 1) > 1e-9:
            raise ValueError("probabilities must be >= 0 and sum to 1 (within 1e-9)")

    def draw(self, rng: np.random.Generator, size: int | None = None):
        """Reward(s) drawn from `rng`: one uniform per reward, compared with the
        cumulative probabilities (the same number of draws whatever the outcome)."""
        cumulative = np.cumsum(self.probabilities)
        u = rng.random(size)
        index = np.minimum(np.searchsorted(cumulative, u, side="right"), len(self.values) - 1)
        values = np.asarray(self.values, dtype=float)[index]
        return float(values) if size is None else values

    @property
    def mean(self) -> float:
        return float(np.dot(self.values, self.probabilities))

    def expectile(self, tau):
        return expectile(self.values, tau, self.probabilities)


def reward_distribution(section: Mapping, path: str = "reward",
                        provenance: Mapping | None = None) -> RewardDistribution:
    """Validate a reward section and build its distribution.

    Raises
    ------
    bgmodel.model.schema.ConfigError
        Naming the file, key, value and what is allowed.
    """
    provenance = provenance or {}

    def fail(key: str, value: Any, allowed: str):
        full = f"{path}.{key}" if key else path
        raise ConfigError(source_of(provenance, full), full, value, allowed)

    def number(key, value, low=None, high=None):
        if not isinstance(value, (int, float)) or isinstance(value, bool) \
                or (low is not None and value < low) or (high is not None and value > high):
            fail(key, value, "a number" + (f" in [{low}, {high}]" if low is not None else ""))
        return float(value)

    if not isinstance(section, dict):
        fail("", section, "a mapping with kind and its parameters")
    kind = section.get("kind")
    if kind not in KINDS:
        fail("kind", kind, f"one of {', '.join(KINDS)}")
    for key in section:
        if key != "kind" and key not in KEYS[kind]:
            fail(key, section[key], f"unknown key; a {kind} reward has {', '.join(KEYS[kind])}")
    for key in KEYS[kind]:
        if key not in section:
            fail(key, None, "missing required key")
    if kind == "fixed":
        return RewardDistribution((number("value", section["value"]),), (1.0,))
    if kind == "bernoulli":
        p = number("p", section["p"], 0.0, 1.0)
        return RewardDistribution((number("magnitude", section["magnitude"]), 0.0),
                                  (p, 1.0 - p))
    values, probabilities = section["values"], section["probabilities"]
    if not isinstance(values, list) or not values:
        fail("values", values, "a non-empty list of numbers")
    values = [number(f"values[{i}]", v) for i, v in enumerate(values)]
    if not isinstance(probabilities, list):
        fail("probabilities", probabilities, "a list of numbers")
    probabilities = [number(f"probabilities[{i}]", v) for i, v in enumerate(probabilities)]
    raise_first(probability_problems(values, probabilities, "probabilities"), provenance,
                path)
    return RewardDistribution(tuple(values), tuple(probabilities))


def expectile(values: Sequence[float] | RewardDistribution, tau,
              probabilities: Sequence[float] | None = None):
    """The tau-expectile(s) of a discrete distribution, exactly.

    Parameters
    ----------
    values : sequence of float or RewardDistribution
        Support points, or samples (equal weights when `probabilities` is None).
    tau : float or array of float in [0, 1]
    probabilities : sequence of float, optional

    Returns
    -------
    float or ndarray
        e_tau (the shape of `tau`).
    """
    if isinstance(values, RewardDistribution):
        values, probabilities = values.values, values.probabilities
    x = np.asarray(values, dtype=float)
    p = np.full(len(x), 1.0 / len(x)) if probabilities is None else np.asarray(
        probabilities, dtype=float)
    order = np.argsort(x, kind="stable")
    x, p = x[order], p[order]
    # Prefix sums over the sorted support: below[j] = sum_{k < j}, j = 0..K.
    mass_below = np.concatenate(([0.0], np.cumsum(p)))
    first_below = np.concatenate(([0.0], np.cumsum(p * x)))
    mass_above, first_above = mass_below[-1] - mass_below, first_below[-1] - first_below
    taus = np.atleast_1d(np.asarray(tau, dtype=float))
    if np.any((taus < 0) | (taus > 1)):
        raise ValueError("tau must lie in [0, 1]")
    out = np.empty(len(taus))
    for n, t in enumerate(taus):
        # balance(e) at each support point x_j (points below are k < j, above k > j):
        # tau * (A_above - P_above e) - (1 - tau) * (P_below e - A_below), decreasing.
        upper = t * (first_above[1:] - mass_above[1:] * x)
        lower = (1 - t) * (mass_below[:-1] * x - first_below[:-1])
        balance = upper - lower
        j = int(np.searchsorted(-balance, 0.0, side="right")) - 1  # last x_j with balance >= 0
        j = max(j, 0)
        if balance[j] == 0.0 or j == len(x) - 1:
            out[n] = x[j]
            continue
        # Root on (x_j, x_{j+1}): points 0..j below, j+1.. above.
        a_up, p_up = first_above[j + 1], mass_above[j + 1]
        a_lo, p_lo = first_below[j + 1], mass_below[j + 1]
        out[n] = (t * a_up + (1 - t) * a_lo) / (t * p_up + (1 - t) * p_lo)
    return float(out[0]) if np.ndim(tau) == 0 else out
