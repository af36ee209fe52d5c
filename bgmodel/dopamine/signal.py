"""The data that crosses the interface of a dopamine model.

`EpisodeOutcome` is what the protocol knows when an episode's outcome is decided: the
stimulus, who chose which channel, the reward. `SncSignal` is what a model answers:
for every SNc group, a tonic rate and windows (relative to the episode start) in which
the rate is something else, a burst above tonic or a pause (rate 0). The signal can be
turned into the piecewise-constant rate steps of an inhomogeneous Poisson generator and
counted in expected spikes.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Mapping

import numpy as np

CHOOSERS = ("bg", "controller")


@dataclass(frozen=True)
class EpisodeOutcome:
    """What happened in one episode, as far as dopamine is concerned.

    Parameters
    ----------
    episode : int
        Episode index (0-based).
    pattern : str
        Stimulus pattern: the state whose value a critic learns.
    stimulus_onset_ms : float
        Stimulus onset, from the episode start (ms).
    reward_time_ms : float or None
        When the outcome is delivered (or was due), from the episode start (ms). None:
        the episode has no outcome (a probe, or an episode without a task): no response
        at reward time and no learning.
    selected_channel : int or None
        The channel that was taken (None: no channel, e.g. a GPi tie).
    chooser : str
        Who chose: 'bg' (the network's own selection) or 'controller' (an external
        controller, issue 20).
    reward : float
        Reward value r delivered (0 when none).
    rewarded : bool
        The task paid a reward this episode.
    omitted : bool
        A reward that the task would have paid was withheld (an omission probe).
    competing_channels : tuple of int
        The channels that competed, in the order of `gpi_Hz`.
    gpi_Hz : tuple of float or None
        GPi rate of each competing channel during the stimulus, when known.
    choices : tuple of (int, float)
        With several independent choices per episode (protocol.choice_groups): the
        channel taken in each and the reward it paid; `selected_channel` is the first's
        and `reward` their sum. Empty: one choice.
    """

    episode: int
    pattern: str
    stimulus_onset_ms: float
    reward_time_ms: float | None
    selected_channel: int | None
    chooser: str = "bg"
    reward: float = 0.0
    rewarded: bool = False
    omitted: bool = False
    competing_channels: tuple = ()
    gpi_Hz: tuple | None = None
    choices: tuple = ()

    def __post_init__(self):
        if self.chooser not in CHOOSERS:
            raise ValueError(f"chooser {self.chooser!r}: expected one of {CHOOSERS}")
        if self.rewarded and self.omitted:
            raise ValueError("an outcome cannot be both rewarded and omitted")
        if self.reward_time_ms is not None and self.reward_time_ms < self.stimulus_onset_ms:
            raise ValueError(f"reward_time_ms {self.reward_time_ms} is before the stimulus "
                             f"onset {self.stimulus_onset_ms}")
        if self.gpi_Hz is not None and len(self.gpi_Hz) != len(self.competing_channels):
            raise ValueError("gpi_Hz needs one rate per competing channel")

    @property
    def has_outcome(self) -> bool:
        """Whether a reward was delivered or due in this episode."""
        return self.reward_time_ms is not None


@dataclass(frozen=True)
class RateWindow:
    """SNc rate `rate_Hz` per unit in [start_ms, stop_ms), from the episode start."""

    start_ms: float
    stop_ms: float
    rate_Hz: float

    def __post_init__(self):
        if not (0.0 <= self.start_ms < self.stop_ms) or not math.isfinite(self.stop_ms):
            raise ValueError(f"window [{self.start_ms}, {self.stop_ms}) ms: expected "
                             "0 <= start < stop < inf")
        if not (self.rate_Hz >= 0.0 and math.isfinite(self.rate_Hz)):
            raise ValueError(f"window rate {self.rate_Hz} Hz: expected a finite rate >= 0")


@dataclass(frozen=True)
class GroupSignal:
    """One SNc group's episode: a tonic rate, replaced inside each window by its rate.

    Windows are sorted by start and must not overlap (each instant has one rate).
    """

    tonic_Hz: float
    windows: tuple = ()

    def __post_init__(self):
        if not (self.tonic_Hz >= 0.0 and math.isfinite(self.tonic_Hz)):
            raise ValueError(f"tonic rate {self.tonic_Hz} Hz: expected a finite rate >= 0")
        ordered = tuple(sorted(self.windows, key=lambda w: w.start_ms))
        for a, b in zip(ordered, ordered[1:]):
            if b.start_ms < a.stop_ms:
                raise ValueError(f"windows {a} and {b} overlap")
        object.__setattr__(self, "windows", ordered)

    def rate_at(self, t_ms: float) -> float:
        """Rate per unit (Hz) at `t_ms` from the episode start."""
        for w in self.windows:
            if w.start_ms <= t_ms < w.stop_ms:
                return w.rate_Hz
        return self.tonic_Hz

    def rate_steps(self, period_ms: float, from_ms: float = 0.0) -> tuple[np.ndarray,
                                                                          np.ndarray]:
        """Piecewise-constant rate over [from_ms, period_ms).

        Returns
        -------
        times_ms, rates_Hz : ndarray
            `rates_Hz[k]` holds from `times_ms[k]` until `times_ms[k + 1]` (the last one
            until `period_ms`); `times_ms[0] == from_ms`, times strictly increase and
            consecutive rates differ. Add the episode's start time to get the
            `rate_times` of NEST's inhomogeneous_poisson_generator.
        """
        if not 0.0 <= from_ms < period_ms:
            raise ValueError(f"from_ms {from_ms}: expected 0 <= from_ms < period_ms")
        edges = {from_ms}
        for w in self.windows:
            edges.update(t for t in (w.start_ms, w.stop_ms) if from_ms < t < period_ms)
        times, rates = [], []
        for t in sorted(edges):
            rate = self.rate_at(t)
            if not rates or rate != rates[-1]:
                times.append(t)
                rates.append(rate)
        return np.array(times, dtype=float), np.array(rates, dtype=float)

    def expected_spikes(self, start_ms: float, stop_ms: float, units: int = 1) -> float:
        """Expected spike count of `units` Poisson units in [start_ms, stop_ms)."""
        if stop_ms < start_ms:
            raise ValueError("stop_ms must not be before start_ms")
        total = self.tonic_Hz * (stop_ms - start_ms)
        for w in self.windows:
            overlap = min(stop_ms, w.stop_ms) - max(start_ms, w.start_ms)
            if overlap > 0:
                total += (w.rate_Hz - self.tonic_Hz) * overlap
        return units * total / 1000.0


@dataclass(frozen=True)
class SncSignal:
    """What the SNc fires in one episode, per group (name -> `GroupSignal`).

    Rates are per SNc unit; a group of N units fires N times the rate in all.
    """

    groups: Mapping[str, GroupSignal]

    def __post_init__(self):
        if not self.groups:
            raise ValueError("an SNc signal needs at least one group")
        object.__setattr__(self, "groups", dict(self.groups))

    @property
    def names(self) -> tuple:
        return tuple(self.groups)

    def __getitem__(self, group: str) -> GroupSignal:
        return self.groups[group]

    def rate_steps(self, group: str, period_ms: float, from_ms: float = 0.0):
        """`GroupSignal.rate_steps` of `group`."""
        return self.groups[group].rate_steps(period_ms, from_ms)

    def expected_spikes(self, group: str, start_ms: float, stop_ms: float,
                        units: int = 1) -> float:
        """`GroupSignal.expected_spikes` of `group`."""
        return self.groups[group].expected_spikes(start_ms, stop_ms, units)

    def window_lists(self) -> dict:
        """Each group's windows as lists [start_ms, stop_ms, rate_Hz] (JSON-ready, for
        records and plots)."""
        return {g: [[w.start_ms, w.stop_ms, w.rate_Hz] for w in sig.windows]
                for g, sig in self.groups.items()}


def baseline_b(tonic_Hz: float, n_units: int = 1) -> float:
    """Baseline `b` of stdp_dopamine_synapse that makes tonic firing neutral on average.

    In NEST's rule (models/stdp_dopamine_synapse.h, `update_dopamine_`) every spike
    reaching the volume transmitter adds multiplicity / tau_n to the dopamine trace n,
    which decays with tau_n. For Poisson spikes arriving at rate lambda (spikes per ms)
    the mean of n is lambda * integral of exp(-t / tau_n) / tau_n dt = lambda, whatever
    tau_n. The weight follows dw/dt = c (n - b), so b equal to the mean arriving rate
    makes tonic firing leave the weights unchanged on average. When `n_units` SNc units
    project to one volume transmitter, the arriving rate is n_units * tonic_Hz.

    Parameters
    ----------
    tonic_Hz : float
        Tonic rate of one SNc unit (Hz).
    n_units : int
        SNc units whose spikes reach the volume transmitter.

    Returns
    -------
    float
        b in spikes per ms.
    """
    if tonic_Hz < 0 or n_units < 1:
        raise ValueError("expected tonic_Hz >= 0 and n_units >= 1")
    return n_units * tonic_Hz / 1000.0
