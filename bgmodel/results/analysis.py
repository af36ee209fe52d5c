"""Spike-train analysis without NEST: rates, population rates, channel rates."""
from __future__ import annotations

import numpy as np


def mean_rate(n_spikes: int, n_neurons: int, duration_ms: float) -> float:
    """Mean firing rate (Hz) of n_neurons emitting n_spikes in duration_ms."""
    if n_neurons <= 0 or duration_ms <= 0:
        return float("nan")
    return n_spikes / (n_neurons * duration_ms / 1000.0)


def window(times: np.ndarray, t_start: float, t_stop: float) -> np.ndarray:
    """Boolean mask of spikes with t_start <= t < t_stop."""
    return (times >= t_start) & (times < t_stop)


def population_rate(times: np.ndarray, n_neurons: int, t_start: float, t_stop: float,
                    bin_ms: float = 1.0) -> tuple[np.ndarray, np.ndarray]:
    """A(t): spikes per bin divided by neurons and bin width, in Hz.

    Returns the bin start times (ms) and the rates."""
    edges = np.arange(t_start, t_stop + bin_ms / 2, bin_ms)
    # np.histogram closes its last bin; the window is half-open like mean_rate's.
    counts, _ = np.histogram(times[window(times, t_start, t_stop)], bins=edges)
    return edges[:-1], counts / (n_neurons * bin_ms / 1000.0)


def channel_rates(senders: np.ndarray, times: np.ndarray, members, t_start: float,
                  t_stop: float) -> np.ndarray:
    """Mean rate (Hz) of the neurons of each channel in [t_start, t_stop).

    `senders` are indices into the population; `members[c]` the indices inside
    channel c."""
    sel = window(times, t_start, t_stop)
    counts = np.bincount(senders[sel], minlength=max([0] + [int(m.max()) + 1 for m in members if len(m)]))
    return np.array([mean_rate(int(counts[m].sum()) if len(m) else 0, len(m), t_stop - t_start)
                     for m in members])
