"""`distributional`: M SNc groups with asymmetric learning rates (issue 21).

Group i has its own critic with learning rates

    alpha+_i = 2 * alpha * tau_i,   alpha-_i = 2 * alpha * (1 - tau_i),

so tau_i = alpha+_i / (alpha+_i + alpha-_i), and learns, for each stimulus pattern,

    delta_i = r - V_i,   V_i += alpha+_i * delta_i if delta_i > 0 else alpha-_i * delta_i,

whose fixed point is the tau_i-expectile of the reward distribution (Dabney et al.
2020, Nature 577:671). Each group fires its own delta_i at reward time (burst or pause
around tonic) and gamma * V_i at the cue, exactly as the `rpe` model does with its one
group; the reward at which group i's response changes sign (its reversal point) is
V_i. The factor 2 makes tau = 0.5 the symmetric rate alpha: one group with tau = 0.5 is
the `rpe` model, update for update.

Each group has its own volume transmitter, which reaches its share of the plastic
corticostriatal synapses (`synapse_shares`): the builder draws, for every MSN, that
share of its plastic in-degree as the group's synapses (bgmodel.simulator.network), so
the partition is random, drawn by NEST from the run's seed.
"""
from __future__ import annotations

from typing import Mapping, Sequence

import numpy as np

from ..model.schema import Field, Problem, Record
from .base import OPTIONAL_TONIC
from .config import probability_problems
from .critic import TDCritic
from .rpe import COMMON_FIELDS, RpeModel


def group_name(i: int) -> str:
    return f"snc{i}"


def asymmetric_rates(learning_rate: float, tau: float) -> tuple[float, float]:
    """(alpha+, alpha-) = (2 alpha tau, 2 alpha (1 - tau))."""
    return 2.0 * learning_rate * tau, 2.0 * learning_rate * (1.0 - tau)


class DistributionalModel(RpeModel):
    """SNc groups with asymmetric critics (see the module docstring)."""

    name = "distributional"
    schema = Record({
        **COMMON_FIELDS,
        "taus": Field("any", "asymmetry tau_i in (0, 1) of each SNc group, one group "
                      "each (a list of numbers)"),
        "synapse_fractions": Field("any", "share of the plastic synapses reached by each "
                                   "group's transmitter (a list summing to 1, or null for "
                                   "equal shares)", nullable=True),
    }, doc="distributional reward prediction error",
        optional=("action_surprise", *OPTIONAL_TONIC))

    @classmethod
    def consistency(cls, section: Mapping):
        yield from super().consistency(section)
        taus = section["taus"]
        if not (isinstance(taus, list) and taus
                and all(isinstance(t, (int, float)) and not isinstance(t, bool)
                        and 0.0 < t < 1.0 for t in taus)):
            yield Problem("taus", taus, "a non-empty list of numbers in (0, 1)")
            return
        lr = section["critic"]["learning_rate"]
        worst = max(max(asymmetric_rates(lr, t)) for t in taus)
        if worst > 1.0:
            yield Problem("critic.learning_rate", lr, "small enough that 2 * learning_rate "
                          f"* max(tau, 1 - tau) <= 1 (now {worst})")
        fractions = section["synapse_fractions"]
        if fractions is not None:
            if not (isinstance(fractions, list)
                    and all(isinstance(f, (int, float)) and not isinstance(f, bool)
                            for f in fractions)):
                yield Problem("synapse_fractions", fractions, "a list of numbers or null")
                return
            yield from probability_problems(taus, fractions, "synapse_fractions")

    def make_critics(self) -> dict:
        lr, gamma = self.config["critic"]["learning_rate"], self.config["critic"]["discount"]
        critics = {}
        for i, tau in enumerate(self.config["taus"]):
            plus, minus = asymmetric_rates(lr, float(tau))
            critics[group_name(i)] = TDCritic(plus, minus, gamma=gamma)
        return critics

    @property
    def taus(self) -> np.ndarray:
        """tau_i of each group, in group order."""
        return np.array([c.tau for c in self.critics.values()])

    def reversal_points(self, pattern: str) -> np.ndarray:
        """V_i(pattern) of each group: the reward at which its response changes sign."""
        return np.array([c.value(pattern) for c in self.critics.values()])

    def synapse_shares(self) -> dict:
        """Group -> share of the plastic synapses (dopamine.synapse_fractions; null:
        equal shares)."""
        fractions = self.config["synapse_fractions"]
        if fractions is None:
            return super().synapse_shares()
        return {g: float(f) for g, f in zip(self.groups, fractions)}
