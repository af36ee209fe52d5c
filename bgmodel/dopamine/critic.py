"""A tabular temporal-difference critic, with optionally asymmetric learning rates.

States are strings (a stimulus pattern, a pattern and a channel with `action_state`, a
time step after the cue ...). Unseen states have value 0. One step from `state` to
`next_state` with reward r has the TD error

    delta = r + gamma * V(next_state) - V(state)        (V(None) = 0: terminal)

and the update V(state) += alpha * delta, where alpha is `alpha_plus` when delta > 0
and `alpha_minus` otherwise. With alpha_plus == alpha_minus this is TD(0) (Sutton &
Barto 2018, ch. 6); with alpha_plus != alpha_minus V converges, for a terminal step,
to the tau-expectile of r with tau = alpha_plus / (alpha_plus + alpha_minus)
(Dabney et al. 2020).

The plasticity episode is one step: cue (the pattern) -> terminal, with the reward at
the end, so delta = r - V(pattern). The CS shift of TD learning falls out of the step
before it: the cue arrives unpredictably from a pre-cue state of value 0, so its error
is gamma * V(pattern) - 0. Episodes of several steps (a delay chain of states between
cue and reward) go through the same `update`.
"""
from __future__ import annotations

from typing import Mapping

PRE_CUE = "__pre_cue__"


def action_state(pattern: str, channel: int) -> str:
    """State key of taking `channel` under `pattern` (a per-action value)."""
    return f"{pattern}|ch{int(channel)}"


class TDCritic:
    """Values of states, learnt by TD(0).

    Parameters
    ----------
    alpha_plus : float
        Learning rate for positive errors, in (0, 1].
    alpha_minus : float, optional
        Learning rate for negative errors (default: alpha_plus, plain TD).
    gamma : float
        Discount factor in [0, 1].
    """

    def __init__(self, alpha_plus: float, alpha_minus: float | None = None,
                 gamma: float = 1.0):
        alpha_minus = alpha_plus if alpha_minus is None else alpha_minus
        for name, a in (("alpha_plus", alpha_plus), ("alpha_minus", alpha_minus)):
            if not 0.0 < a <= 1.0:
                raise ValueError(f"{name} = {a}: expected 0 < alpha <= 1")
        if not 0.0 <= gamma <= 1.0:
            raise ValueError(f"gamma = {gamma}: expected 0 <= gamma <= 1")
        self.alpha_plus, self.alpha_minus, self.gamma = (float(alpha_plus),
                                                         float(alpha_minus), float(gamma))
        self.values: dict[str, float] = {}

    @property
    def tau(self) -> float:
        """Asymmetry alpha_plus / (alpha_plus + alpha_minus): the expectile learnt."""
        return self.alpha_plus / (self.alpha_plus + self.alpha_minus)

    def value(self, state: str | None) -> float:
        """V(state); 0 for None (terminal) and for unseen states."""
        return 0.0 if state is None else self.values.get(state, 0.0)

    def error(self, state: str, reward: float, next_state: str | None = None) -> float:
        """TD error of the step state -> next_state with `reward` (no learning)."""
        return float(reward) + self.gamma * self.value(next_state) - self.value(state)

    def update(self, state: str, reward: float, next_state: str | None = None) -> float:
        """Learn from one step; returns its TD error (computed before the update)."""
        if state == PRE_CUE:
            raise ValueError("the pre-cue state is not learnt: cues arrive unpredictably")
        delta = self.error(state, reward, next_state)
        alpha = self.alpha_plus if delta > 0 else self.alpha_minus
        self.values[state] = self.value(state) + alpha * delta
        return delta

    def cue_error(self, state: str) -> float:
        """TD error when the cue of `state` appears: gamma * V(state) - V(pre-cue),
        with V(pre-cue) = 0."""
        return self.error(PRE_CUE, 0.0, state)

    # ------------------------------------------------------------------ state
    def state(self) -> dict:
        """Values as JSON-ready data (floats survive JSON bit for bit)."""
        return {"values": {k: float(v) for k, v in self.values.items()}}

    def load_state(self, state: Mapping) -> None:
        self.values = {str(k): float(v) for k, v in state["values"].items()}
