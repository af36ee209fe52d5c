"""Baseline b and event gains of the burst/dip dopamine synapse, chosen so that tonic
SNc firing leaves the weights unchanged on average (no NEST here).

Why b = the mean arriving rate is not enough. The synapse
(bg_stdp_dopamine_burst_dip_synapse) integrates dw/dt = c_burst (n - b) while n > b and
c_dip (n - b) while n < b, with two eligibility traces built from two amplitude sets.
Under tonic firing n fluctuates around its mean R (shot noise: every spike adds
1/tau_n); with b = R the excursions above and below b are equal on average, but they
meet different eligibilities, so tonic firing alone drifts the weights at a rate
proportional to E[c_burst] E[(n - b)+] - E[c_dip] E[(b - n)+] (measured:
docs/evidence/dopamine-models.md).

Under tonic firing the dopamine trace is independent of cortical and striatal
activity, and for uncorrelated pre- and postsynaptic Poisson firing the mean
eligibility is c = tau_c r_pre r_post k with k = A_plus tau_plus - A_minus tau_minus.
The factor r_pre r_post is common to both traces of a synapse, so tonic firing is
neutral for every synapse of a model at once when

    k_burst E[(n - b)+] = k_dip E[(b - n)+],

a condition on b alone: one b per synapse model (D1, D2). It has a solution when
k_burst and k_dip have the same sign; otherwise no baseline makes tonic firing
neutral and the mean rate is used, with a warning in the plan.

Moving b changes how much a burst and a pause move the weights, so the gains are
calibrated at the same b: the burst gain makes the expected integral of (n - b)+ that a
reference burst adds over tonic equal to the rule's burst spikes, the dip gain makes
the integral of (b - n)+ that a reference pause adds equal to the rule's dip spikes
(with b = R and no fluctuations these are the old `burst_excess_spikes` and
`pause_deficit_spikes`). b and both gains are found together by bisection on b.

The expectations are numerical integrals over a fixed set of sampled SNc trains
(`TraceSamples`, drawn from a fixed generator independent of the run's seed: the same
config always derives the same b), simulated as NEST does: every unit an independent
Poisson train at the window's rate, every spike adding 1/tau_n to n.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np

# The sampled trains: trials per condition, time step, and a fixed seed (not the run's:
# the calibration is a deterministic function of the config).
TRIALS = 800
STEP_MS = 0.5
SAMPLE_SEED = 20261204
# Tonic firing before the event: warm-up (discarded, from n = R) and the stretch that
# gives the tonic statistics, in units of tau_n; after the event's onset the response is
# followed for the event's duration plus this many tau_n.
WARMUP_TAU = 5.0
# The search for b: grid points over 0.1-4 times the mean rate for a bracket, then
# bisection steps; an event moving the integral by less than this many spikes cannot be
# calibrated at that b.
BRACKET_POINTS = 24
BISECTIONS = 30
MIN_EVENT_SPIKES = 0.05
TONIC_TAU = 5.0
TAIL_TAU = 6.0


@dataclass(frozen=True)
class TraceSamples:
    """Sampled dopamine traces n (spikes/ms) of one SNc group: `tonic` (trials x steps,
    stationary), and the traces after the onset of a reference `burst` and `pause`."""

    step_ms: float
    tonic: np.ndarray
    burst: np.ndarray
    pause: np.ndarray


def sample_traces(units: int, tonic_Hz: float, tau_n_ms: float, burst: tuple[float, float],
                  pause: tuple[float, float], trials: int = TRIALS, step_ms: float = STEP_MS,
                  seed: int = SAMPLE_SEED) -> TraceSamples:
    """Traces of `units` Poisson units at `tonic_Hz`, and with a burst / pause of
    (rate_Hz, duration_ms) starting at the onset."""
    rng = np.random.default_rng(seed)
    decay = np.exp(-step_ms / tau_n_ms)
    warm, tonic_n = (int(round(x * tau_n_ms / step_ms)) for x in (WARMUP_TAU, TONIC_TAU))

    def run(event: tuple[float, float] | None) -> np.ndarray:
        rate_Hz, duration_ms = event if event else (tonic_Hz, 0.0)
        after = int(round((duration_ms + TAIL_TAU * tau_n_ms) / step_ms))
        event_steps = int(round(duration_ms / step_ms))
        steps = warm + (tonic_n if event is None else after)
        rates = np.full(steps, tonic_Hz)
        if event is not None:
            rates[warm:warm + event_steps] = rate_Hz
        counts = rng.poisson(units * rates[None, :] * step_ms / 1000.0, size=(trials, steps))
        n = np.empty((trials, steps))
        current = np.full(trials, units * tonic_Hz / 1000.0)
        for k in range(steps):
            current = current * decay + counts[:, k] / tau_n_ms
            n[:, k] = current
        return n[:, warm:]

    return TraceSamples(step_ms=step_ms, tonic=run(None), burst=run(burst), pause=run(pause))


def above(n: np.ndarray, b: float) -> np.ndarray:
    return np.clip(n - b, 0.0, None)


def below(n: np.ndarray, b: float) -> np.ndarray:
    return np.clip(b - n, 0.0, None)


@dataclass(frozen=True)
class Calibration:
    """b (spikes/ms) and gains of one synapse model, and the integrals behind them."""

    b: float
    burst_scale: float
    dip_scale: float
    neutral: bool | None     # whether tonic firing is neutral at this b (None: not asked)
    burst_excess: float      # integral of (n - b)+ a reference burst adds over tonic
    pause_deficit: float     # integral of (b - n)+ a reference pause adds over tonic
    tonic_above: float       # E[(n - b)+] under tonic firing (spikes/ms; nan: not sampled)
    tonic_below: float       # E[(b - n)+]


def integrals(samples: TraceSamples, b: float) -> tuple[float, float, float, float]:
    """E[(n-b)+] and E[(b-n)+] under tonic firing, and what a reference burst adds to
    the integral of (n-b)+ and a reference pause to that of (b-n)+ (spikes)."""
    up, down = above(samples.tonic, b).mean(), below(samples.tonic, b).mean()
    dt = samples.step_ms
    excess = (above(samples.burst, b).mean(axis=0) - up).sum() * dt
    deficit = (below(samples.pause, b).mean(axis=0) - down).sum() * dt
    return float(up), float(down), float(excess), float(deficit)


def calibrate(samples: TraceSamples, mean_rate: float, k_burst: float, k_dip: float,
              rule_burst_spikes: float, rule_dip_spikes: float) -> Calibration:
    """b and gains making tonic firing neutral: k_burst * burst_scale * E[(n-b)+] =
    k_dip * dip_scale * E[(b-n)+], with burst_scale = rule burst spikes / burst
    excess and dip_scale = rule dip spikes / pause deficit at that b. `k_burst` and
    `k_dip` are A_plus tau_plus - A_minus tau_minus of the unscaled burst set and of
    the negated unscaled dip set."""

    def at(b: float, neutral: bool) -> Calibration | None:
        """The calibration at b, or None where a reference event does not reach past
        b (a short pause may never bring n below a low b: no gain can calibrate it)."""
        up, down, excess, deficit = integrals(samples, b)
        if excess <= MIN_EVENT_SPIKES or deficit <= MIN_EVENT_SPIKES:
            return None
        return Calibration(b=b, burst_scale=rule_burst_spikes / excess,
                           dip_scale=rule_dip_spikes / deficit, neutral=neutral,
                           burst_excess=excess, pause_deficit=deficit,
                           tonic_above=up, tonic_below=down)

    def imbalance(c: Calibration) -> float:
        return k_burst * c.burst_scale * c.tonic_above - k_dip * c.dip_scale * c.tonic_below

    fallback = at(mean_rate, False)
    if fallback is None:
        raise ValueError(f"the reference burst or pause moves n too little around the mean "
                         f"rate {mean_rate} spikes/ms to calibrate the dopamine synapses")
    if k_burst * k_dip <= 0:
        return fallback
    # A bracket where the imbalance changes sign, among the b at which both reference
    # events can be calibrated; then bisection inside it.
    grid = np.linspace(0.1 * mean_rate, 4.0 * mean_rate, BRACKET_POINTS)
    valid = [(b, c) for b, c in ((float(b), at(float(b), True)) for b in grid) if c is not None]
    bracket = next(((lo, hi) for (lo, c_lo), (hi, c_hi) in zip(valid, valid[1:])
                    if imbalance(c_lo) * imbalance(c_hi) <= 0), None)
    if bracket is None:
        return fallback
    lo, hi = bracket
    f_lo = imbalance(at(lo, True))
    for _ in range(BISECTIONS):
        mid = 0.5 * (lo + hi)
        c_mid = at(mid, True)
        if c_mid is None:
            break
        f_mid = imbalance(c_mid)
        if f_mid * f_lo > 0:
            lo, f_lo = mid, f_mid
        else:
            hi = mid
    return at(0.5 * (lo + hi), True) or at(lo, True)


def eligibility_gain(amplitudes: dict, tau_plus_ms: float, tau_minus_ms: float) -> float:
    """k = A_plus tau_plus - A_minus tau_minus: the mean eligibility per r_pre r_post
    tau_c under uncorrelated firing."""
    return amplitudes["A_plus"] * tau_plus_ms - amplitudes["A_minus"] * tau_minus_ms


@functools.lru_cache(maxsize=16)
def cached_samples(units: int, tonic_Hz: float, tau_n_ms: float, burst: tuple,
                   pause: tuple) -> TraceSamples:
    """`sample_traces`, kept for configs derived again in the same process."""
    return sample_traces(units, tonic_Hz, tau_n_ms, burst, pause)
