"""Action surprise (issue 20; Lindsey & Litwin-Kumar 2022) and an external controller.

The basal ganglia's selection policy is estimated from the GPi rates of the competing
channels with a softmax: a channel whose GPi output falls disinhibits its action, so a
lower rate means more preferred,

    pi(a | s) = exp(-GPi_a / T) / sum_b exp(-GPi_b / T),     T = temperature_Hz > 0.

The surprise of the taken action is S = -log pi(a | s) (nats). The dopamine signal is

    delta_total = delta + beta * (S - H(pi)),     H(pi) = sum_b pi_b * S_b,

with `baseline: entropy` (or delta + beta * S with `baseline: none`). Why this sign and
this baseline: let the striatal actor hold preferences Q(s, .) with
pi = softmax(Q / beta), i.e. Q(s, a) = beta * log pi(a | s) + const, and let the critic
value V(s) = sum_b pi_b Q(s, b). Then Q(s, a) - V(s) = -beta * (S - H), so

    r - Q(s, a) = (r - V(s)) + beta * (S - H) = delta_total.

An actor that learns from delta_total on the taken action learns r - Q(s, a), the
Q-learning error, which is right whoever chose the action; plain RPE (beta = 0) is
right only on-policy. A surprising action (one the BG would rarely take) thus gets
extra dopamine, a habitual one less: the correction for off-policy actions of
Lindsey & Litwin-Kumar, whose Gaussian-policy form is ||a - mu(s)||^2 / sigma^2 = the
surprise up to scale and constant. Under the BG's own policy the term has mean 0
(E_pi[S] = H), so it leaves on-policy learning unbiased on average. With beta = 0 the
term is not computed at all, so the signal is the plain RPE bit for bit.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Mapping, Sequence

import numpy as np

from ..results.rng import restore_rng, rng_state
from ..model.schema import Field, Record

BASELINES = ("entropy", "none")

SURPRISE_SCHEMA = Record({
    "beta": Field("number", "weight of the surprise term, in value units per nat "
                  "(0: plain RPE)", minimum=0),
    "temperature_Hz": Field("number", "softmax temperature of the BG policy estimate "
                            "on GPi rates (Hz)", minimum=0, exclusive_minimum=True),
    "baseline": Field("str", "subtract the policy's entropy (the surprise's on-policy "
                      "mean) or nothing", choices=BASELINES),
}, doc="action surprise added to the reward prediction error (issue 20)")


def log_policy(gpi_Hz: Sequence[float], temperature_Hz: float) -> np.ndarray:
    """log pi of each competing channel: log softmax(-GPi / T), computed stably."""
    z = -np.asarray(gpi_Hz, dtype=float) / float(temperature_Hz)
    top = z.max()
    return z - (top + math.log(np.exp(z - top).sum()))


def policy(gpi_Hz: Sequence[float], temperature_Hz: float) -> np.ndarray:
    """pi(a | s) of each competing channel (sums to 1)."""
    return np.exp(log_policy(gpi_Hz, temperature_Hz))


def action_surprise(gpi_Hz: Sequence[float], channels: Sequence[int], taken: int,
                    temperature_Hz: float) -> float:
    """S = -log pi(taken | s) in nats."""
    return float(-log_policy(gpi_Hz, temperature_Hz)[list(channels).index(taken)])


def surprise_term(gpi_Hz: Sequence[float], channels: Sequence[int], taken: int,
                  temperature_Hz: float, baseline: str = "entropy") -> float:
    """S - H(pi) (baseline 'entropy') or S (baseline 'none')."""
    if baseline not in BASELINES:
        raise ValueError(f"baseline {baseline!r}: expected one of {BASELINES}")
    logp = log_policy(gpi_Hz, temperature_Hz)
    surprise = float(-logp[list(channels).index(taken)])
    if baseline == "none":
        return surprise
    return surprise - float(-(np.exp(logp) * logp).sum())


def combined_error(delta: float, term: float | None, beta: float) -> float:
    """delta + beta * term; exactly delta when beta is 0 or there is no term."""
    if beta == 0.0 or term is None:
        return delta
    return delta + beta * term


# ----------------------------------------------------------------------------- controller
@dataclass(frozen=True)
class Decision:
    """Who chooses this episode, and what the controller takes (None: the BG's own
    selection, known only after the stimulus)."""

    chooser: str  # 'bg' or 'controller'
    channel: int | None


class ExternalController:
    """A controller outside the basal ganglia that takes over a fraction of episodes.

    Every episode draws exactly two uniforms from the Generator, whoever chooses, so
    that the draws of later episodes do not depend on earlier outcomes: u1 < fraction
    gives the episode to the controller; then u2 < rewarded_probability takes the
    rewarded channel, else one of the other competing channels, uniformly.

    Parameters
    ----------
    fraction : float
        Fraction f of episodes in which the controller chooses, in [0, 1].
    rewarded_probability : float
        Probability q that the controller takes the rewarded channel, in [0, 1].
    rng : numpy.random.Generator
        Seeded from the run's seed.
    """

    schema = Record({
        "fraction": Field("number", "fraction of episodes the controller chooses",
                          minimum=0, maximum=1),
        "rewarded_probability": Field("number", "probability that it takes the rewarded "
                                      "channel", minimum=0, maximum=1),
    }, doc="an external controller (issue 20)")

    def __init__(self, fraction: float, rewarded_probability: float,
                 rng: np.random.Generator):
        if not (0.0 <= fraction <= 1.0 and 0.0 <= rewarded_probability <= 1.0):
            raise ValueError("fraction and rewarded_probability must lie in [0, 1]")
        self.fraction, self.q, self.rng = float(fraction), float(rewarded_probability), rng

    @classmethod
    def from_config(cls, section: Mapping, rng: np.random.Generator) -> "ExternalController":
        return cls(section["fraction"], section["rewarded_probability"], rng)

    def decide(self, competing: Sequence[int], rewarded_channel: int) -> Decision:
        """This episode's chooser and, for the controller, its channel."""
        u_who, u_what = self.rng.random(2)
        if not u_who < self.fraction:
            return Decision("bg", None)
        if u_what < self.q:
            return Decision("controller", int(rewarded_channel))
        others = [int(c) for c in competing if c != rewarded_channel]
        k = min(int((u_what - self.q) / (1.0 - self.q) * len(others)), len(others) - 1)
        return Decision("controller", others[k])

    def state(self) -> dict:
        return {"rng": rng_state(self.rng)}

    def load_state(self, state: Mapping) -> None:
        restore_rng(self.rng, state["rng"])
