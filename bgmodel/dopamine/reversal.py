"""Reversal points measured from SNc spikes, and the distributional code they carry
(issue 21; no NEST).

A group's response to a reward is the SNc spikes of its units in the response window
after the reward time, minus what tonic firing gives there:

    response = spikes in [R + latency, R + latency + D) - units * tonic_Hz * D / 1000,

D the longer of the burst and pause durations (dopamine.reward), so that both fall
inside. The reversal point is the reward at which the response changes sign. Dabney et al.
(2020) read it off each neuron's response-magnitude curve. Here every group's curve is
a hinge

    response_i(r) = a (r - rp_i)+ - b (rp_i - r)+,     a, b >= 0,

whose kink rp_i is group i's reversal point. Bursts and pauses have different gains
and durations, so one straight line through both would put its zero crossing on the
wrong side. The gains a (burst) and b (pause) are shared by all groups: the groups
differ in what they predict, not in how their units fire. With a gain per group the
fit is ill-determined where no reward falls near the kink (a bimodal reward leaves a
gap in the middle, where the middle groups' reversal points lie): kink and gains then
trade off, and synthetic spikes gave errors up to 0.1 on a range of 0.8, against 0.03
with shared gains (tests/test_dopamine_reversal.py).

The fit minimises the summed squares over all groups and episodes by alternating: each
rp_i on a grid (extending a range's width beyond the rewards seen, so that a group above
or below every reward still gets its extrapolated crossing) given a and b, then a and b
by least squares given the rp_i, until the rp_i no longer change; then the same on a grid
200 times finer around each rp_i.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping, Sequence

import numpy as np


@dataclass(frozen=True)
class HingeFit:
    """response_i = a (r - reversals[i])+ - b (reversals[i] - r)+, and the sum of
    squares over all groups."""

    reversals: np.ndarray
    a: float
    b: float
    sse: float


def hinge_fit(rewards: Sequence[float], responses, grid_points: int = 2001,
              max_rounds: int = 100) -> HingeFit:
    """Least-squares hinges with shared gains (module docstring).

    Parameters
    ----------
    rewards : sequence of float
        The reward of each episode (at least two distinct values).
    responses : array-like
        Responses (spikes above tonic), one row per group and one column per episode
        (a 1-D sequence: one group).
    grid_points : int
        Candidate reversal points, evenly over [min r - w, max r + w], w = max r - min r.
    max_rounds : int
        Alternations at most.
    """
    r = np.asarray(rewards, float)
    y = np.atleast_2d(np.asarray(responses, float))
    if r.ndim != 1 or y.shape[1] != len(r):
        raise ValueError("rewards and responses: one reward per episode, one response per "
                         "group and episode")
    width = float(r.max() - r.min()) if len(r) else 0.0
    if width <= 0.0:
        raise ValueError("a reversal point needs at least two distinct rewards")
    grid = np.linspace(r.min() - width, r.max() + width, grid_points)
    a, b = 1.0, 1.0
    reversals = np.full(len(y), np.nan)
    for _ in range(max_rounds):
        new = np.array([_best_kink(grid, r, row, a, b) for row in y])
        if np.array_equal(new, reversals):
            break
        reversals = new
        a, b = _gains(r, y, reversals)
    step = grid[1] - grid[0]
    for _ in range(max_rounds):
        new = np.array([_best_kink(np.linspace(rp - step, rp + step, 401), r, row, a, b)
                        for rp, row in zip(reversals, y)])
        a, b = _gains(r, y, new)
        if np.array_equal(new, reversals):
            break
        reversals = new
    above = np.maximum(r[None, :] - reversals[:, None], 0.0)
    below = np.maximum(reversals[:, None] - r[None, :], 0.0)
    sse = float(np.sum((y - a * above + b * below) ** 2))
    return HingeFit(reversals, a, b, sse)


def _best_kink(candidates: np.ndarray, r: np.ndarray, y: np.ndarray, a: float,
               b: float) -> float:
    above = np.maximum(r[None, :] - candidates[:, None], 0.0)
    below = np.maximum(candidates[:, None] - r[None, :], 0.0)
    sse = np.sum((y[None, :] - a * above + b * below) ** 2, axis=1)
    return float(candidates[np.argmin(sse)])


def _gains(r: np.ndarray, y: np.ndarray, reversals: np.ndarray) -> tuple[float, float]:
    """a, b >= 0 by least squares given the kinks (above and below have disjoint
    support, so each gain is fitted on its own)."""
    above = np.maximum(r[None, :] - reversals[:, None], 0.0).ravel()
    below = np.maximum(reversals[:, None] - r[None, :], 0.0).ravel()
    flat = y.ravel()
    a = max(float(above @ flat) / float(above @ above), 0.0) if above.any() else 0.0
    b = max(-float(below @ flat) / float(below @ below), 0.0) if below.any() else 0.0
    return a, b


def spearman(x: Sequence[float], y: Sequence[float]) -> float:
    """Spearman's rank correlation (average ranks for ties)."""
    def ranks(v):
        v = np.asarray(v, float)
        order = np.argsort(v, kind="stable")
        r = np.empty(len(v))
        r[order] = np.arange(len(v), dtype=float)
        for value in np.unique(v):
            tied = v == value
            r[tied] = r[tied].mean()
        return r
    rx, ry = ranks(x), ranks(y)
    rx, ry = rx - rx.mean(), ry - ry.mean()
    return float(rx @ ry / np.sqrt((rx @ rx) * (ry @ ry)))


def response_window_ms(dopamine: Mapping) -> tuple[float, float]:
    """(offset from the reward time, duration) of the response window (ms)."""
    rw = dopamine["reward"]
    return (float(rw["latency_ms"]),
            float(max(rw["burst_duration_ms"], rw["pause_duration_ms"])))


def group_responses(spike_times_ms: np.ndarray, reward_times_ms: np.ndarray,
                    units: int, tonic_Hz: float, offset_ms: float,
                    duration_ms: float) -> np.ndarray:
    """Response (spikes above tonic) of one group after each reward time."""
    times = np.sort(np.asarray(spike_times_ms, float))
    starts = np.asarray(reward_times_ms, float) + offset_ms
    counts = (np.searchsorted(times, starts + duration_ms, side="left")
              - np.searchsorted(times, starts, side="left"))
    return counts - units * tonic_Hz * duration_ms / 1000.0
