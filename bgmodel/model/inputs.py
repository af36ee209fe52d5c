"""Poisson spike trains of the input relays, drawn in numpy from the run's seed.

Each relay of an input population (CSN, PTN, CMPf) fires as a Poisson process at the
population's background rate; a stimulus adds an independent Poisson process at its own
rate to a chosen subset of relays during [start, stop). The sum of independent Poisson
processes is a Poisson process with the summed rate, so this is the same input as the
published design (a poisson_generator into every parrot relay plus one extra generator
per stimulated channel), drawn once per relay and shared by all its targets.

Trains are drawn per window on the simulation grid: over a window of n steps a relay's
spike count is Poisson(rate * duration) and its spikes fall on uniformly drawn steps,
which gives independent Poisson(rate * h) counts per step, exactly the statistics of
NEST's poisson_generator (several spikes in one step are kept as a multiplicity).
Nothing here calls NEST; bgmodel.simulator.network loads the trains into spike_train_injector
relays.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass
class Stimulus:
    """Extra Poisson rate on a subset of one input's relays during [start_ms, stop_ms)."""

    input_name: str
    relays: np.ndarray  # indices into the input population
    rate_Hz: float = 0.0
    start_ms: float = 0.0
    stop_ms: float = 0.0


class PoissonInputs:
    """Draws the relays' spike trains window by window.

    Parameters
    ----------
    sizes : dict
        Input name -> number of relays.
    rates_Hz : dict
        Input name -> background rate (Hz).
    resolution_ms : float
        Simulation step; spike times are multiples of it.
    seed : int
        The run's seed; every input has its own stream derived from it.
    """

    def __init__(self, sizes: dict, rates_Hz: dict, resolution_ms: float, seed: int):
        self.sizes = dict(sizes)
        self.rates = dict(rates_Hz)
        self.h = resolution_ms
        self.rngs = {name: np.random.default_rng([seed, 0x1A9, i])
                     for i, name in enumerate(sorted(sizes))}
        self.stimuli: dict[str, Stimulus] = {}

    def add_stimulus(self, key: str, input_name: str, relays) -> None:
        if input_name not in self.sizes:
            raise KeyError(f"unknown input {input_name!r}; inputs: {', '.join(self.sizes)}")
        relays = np.unique(np.asarray(relays, dtype=np.int64))
        if len(relays) and (relays[0] < 0 or relays[-1] >= self.sizes[input_name]):
            raise IndexError(f"relay indices of {key!r} outside 0..{self.sizes[input_name] - 1}")
        self.stimuli[key] = Stimulus(input_name, relays)

    def set_stimulus(self, key: str, rate_Hz: float, start_ms: float, stop_ms: float) -> None:
        stim = self.stimuli[key]
        stim.rate_Hz, stim.start_ms, stim.stop_ms = float(rate_Hz), float(start_ms), float(stop_ms)

    def _steps(self, t_ms: float) -> int:
        return int(round(t_ms / self.h))

    def _draw_uniform_steps(self, rng, counts: np.ndarray, first: int, last: int) -> np.ndarray:
        """Steps in [first, last] (inclusive), `counts[i]` of them for relay i."""
        total = int(counts.sum())
        if total == 0 or last < first:
            return np.zeros(0, dtype=np.int64)
        return rng.integers(first, last + 1, size=total, dtype=np.int64)

    def draw(self, input_name: str, t0_ms: float, t1_ms: float) -> list[np.ndarray]:
        """Spike times (ms) of every relay of `input_name` in (t0_ms, t1_ms].

        A spike at step k means time k*h; the window holds steps t0/h+1 .. t1/h."""
        rng = self.rngs[input_name]
        n = self.sizes[input_name]
        s0, s1 = self._steps(t0_ms), self._steps(t1_ms)
        owners, steps = [], []
        counts = rng.poisson(self.rates[input_name] * (s1 - s0) * self.h / 1000.0, size=n)
        owners.append(np.repeat(np.arange(n), counts))
        steps.append(self._draw_uniform_steps(rng, counts, s0 + 1, s1))
        for key in sorted(self.stimuli):
            stim = self.stimuli[key]
            if stim.input_name != input_name or stim.rate_Hz <= 0 or not len(stim.relays):
                continue
            # A generator active on [start, stop) emits on steps start/h+1 .. stop/h.
            a = max(s0, self._steps(stim.start_ms))
            b = min(s1, self._steps(stim.stop_ms))
            if b <= a:
                continue
            extra = rng.poisson(stim.rate_Hz * (b - a) * self.h / 1000.0, size=len(stim.relays))
            owners.append(np.repeat(stim.relays, extra))
            steps.append(self._draw_uniform_steps(rng, extra, a + 1, b))
        owner = np.concatenate(owners)
        step = np.concatenate(steps)
        order = np.lexsort((step, owner))
        owner, step = owner[order], step[order]
        bounds = np.searchsorted(owner, np.arange(n + 1))
        times = np.round(step * self.h, 9)
        return [times[bounds[i]:bounds[i + 1]] for i in range(n)]
