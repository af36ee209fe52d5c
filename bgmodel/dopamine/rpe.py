"""`rpe`: SNc firing driven by a TD critic's reward prediction error.

A critic (`critic.TDCritic`) learns the value V(s) of each stimulus pattern s from the
task's rewards. Around tonic firing, every SNc unit fires

- at stimulus onset (+ cue.latency_ms, for cue.duration_ms):
  tonic + cue.gain_Hz_per_value * delta_cue, with delta_cue = gamma * V(s) (the cue
  arrives unpredictably from a state of value 0): the CS response;
- at reward time (+ reward.latency_ms), in proportion to delta = r - V(s):
  tonic + reward.burst_gain_Hz_per_value * delta for reward.burst_duration_ms when
  delta > 0 (a burst), tonic + reward.pause_gain_Hz_per_value * delta for
  reward.pause_duration_ms when delta < 0 (a pause, clipped at 0 Hz); nothing when
  delta = 0 (a fully predicted reward).

Rates are clipped to [0, max_rate_Hz]. With the optional `action_surprise` block the
reward-time error becomes delta + beta * (S - H) (`surprise`), while the critic itself
learns from the plain delta. Over repeated rewarded episodes V(s) -> E[r]: the reward
response shrinks and the cue response grows (the CS shift; Schultz, Dayan & Montague
1997); with reward probability p the late reward response is ~ (1 - p) and the cue
response ~ p (Fiorillo, Tobler & Schultz 2003).

The SNc groups, each with its own critic, are a list: `rpe` has one group (scalar
broadcast) and `distributional` (distributional.py) M groups with asymmetric learning
rates, through the same code.
"""
from __future__ import annotations

from typing import Mapping

import numpy as np

from ..model.schema import Field, Problem, Record
from .base import OPTIONAL_TONIC, TONIC_FIELDS, DopamineModel, response_window
from .critic import TDCritic
from .signal import EpisodeOutcome
from .surprise import SURPRISE_SCHEMA, combined_error, policy, surprise_term

GROUP = "snc"

GAIN = "Hz of every SNc unit per unit of value error"
CUE_SCHEMA = Record({
    "gain_Hz_per_value": Field("number", f"CS response: {GAIN}", minimum=0),
    "latency_ms": Field("number", "delay of the CS response after stimulus onset (ms)",
                        minimum=0),
    "duration_ms": Field("number", "duration of the CS response (ms)", minimum=0,
                         exclusive_minimum=True),
}, doc="response at stimulus onset")
REWARD_SCHEMA = Record({
    "burst_gain_Hz_per_value": Field("number", f"positive errors: {GAIN}", minimum=0),
    "pause_gain_Hz_per_value": Field("number", f"negative errors: {GAIN}", minimum=0),
    "latency_ms": Field("number", "delay of the response after the reward time (ms)",
                        minimum=0),
    "burst_duration_ms": Field("number", "duration of a burst (ms)", minimum=0,
                               exclusive_minimum=True),
    "pause_duration_ms": Field("number", "duration of a pause (ms)", minimum=0,
                               exclusive_minimum=True),
}, doc="response at reward time")
CRITIC_SCHEMA = Record({
    "learning_rate": Field("number", "critic learning rate alpha", minimum=0,
                           exclusive_minimum=True, maximum=1),
    "discount": Field("number", "discount gamma of the cue's value", minimum=0, maximum=1),
}, doc="the TD critic")
COMMON_FIELDS = {
    **TONIC_FIELDS,
    "max_rate_Hz": Field("number", "highest rate of an SNc unit (Hz)", minimum=0,
                         exclusive_minimum=True),
    "cue": CUE_SCHEMA,
    "reward": REWARD_SCHEMA,
    "critic": CRITIC_SCHEMA,
    "action_surprise": SURPRISE_SCHEMA,
}


class RpeModel(DopamineModel):
    """SNc groups each firing its critic's prediction error (see the module docstring)."""

    name = "rpe"
    schema = Record(COMMON_FIELDS, doc="critic-driven reward prediction error",
                    optional=("action_surprise", *OPTIONAL_TONIC))

    def __init__(self, config: Mapping, rng: np.random.Generator):
        super().__init__(config, rng)
        self.critics: dict[str, TDCritic] = self.make_critics()

    def make_critics(self) -> dict:
        """Group name -> critic. One symmetric critic here."""
        c = self.config["critic"]
        return {GROUP: TDCritic(c["learning_rate"], gamma=c["discount"])}

    @classmethod
    def consistency(cls, section: Mapping):
        if section["max_rate_Hz"] < section["tonic_Hz"]:
            yield Problem("max_rate_Hz", section["max_rate_Hz"],
                          f"at least tonic_Hz ({section['tonic_Hz']})")

    @property
    def groups(self) -> tuple:
        return tuple(self.critics)

    # ------------------------------------------------------------------ calibration
    def reference_burst(self) -> tuple[float, float]:
        """Error +1 (an unpredicted unit reward)."""
        rw = self.config["reward"]
        rate = min(self.tonic_Hz + rw["burst_gain_Hz_per_value"], self.config["max_rate_Hz"])
        return float(rate), float(rw["burst_duration_ms"])

    def reference_pause(self) -> tuple[float, float]:
        """Error -1 (a fully predicted unit reward omitted)."""
        rw = self.config["reward"]
        return (float(max(self.tonic_Hz - rw["pause_gain_Hz_per_value"], 0.0)),
                float(rw["pause_duration_ms"]))

    # ------------------------------------------------------------------ errors
    def cue_error(self, group: str, pattern: str) -> float:
        """delta_cue = gamma * V(pattern) of `group`'s critic."""
        return self.critics[group].cue_error(pattern)

    def surprise(self, outcome: EpisodeOutcome) -> float | None:
        """The surprise term (S - H or S) of the taken action, or None (no
        action_surprise block, beta = 0, no GPi rates or no channel taken)."""
        block = self.config.get("action_surprise")
        if (block is None or block["beta"] == 0.0 or outcome.gpi_Hz is None
                or outcome.selected_channel is None):
            return None
        return surprise_term(outcome.gpi_Hz, outcome.competing_channels,
                             outcome.selected_channel, block["temperature_Hz"],
                             block["baseline"])

    def reward_errors(self, outcome: EpisodeOutcome) -> dict:
        """Group -> (delta, dopamine error) at reward time: delta = r - V(pattern) and
        delta plus the weighted surprise term."""
        term = self.surprise(outcome)
        beta = self.config["action_surprise"]["beta"] if term is not None else 0.0
        out = {}
        for g, critic in self.critics.items():
            delta = critic.error(outcome.pattern, outcome.reward)
            out[g] = (delta, combined_error(delta, term, beta))
        return out

    # ------------------------------------------------------------------ signals
    def cue_windows(self, pattern: str, stimulus_onset_ms: float) -> dict:
        cue = self.config["cue"]
        start = stimulus_onset_ms + cue["latency_ms"]
        return {g: response_window(start, cue["duration_ms"], self.tonic_Hz,
                                   cue["gain_Hz_per_value"] * self.cue_error(g, pattern),
                                   self.config["max_rate_Hz"])
                for g in self.groups}

    def outcome_windows(self, outcome: EpisodeOutcome) -> dict:
        if not outcome.has_outcome:
            return {}
        rw = self.config["reward"]
        start = outcome.reward_time_ms + rw["latency_ms"]
        windows = {}
        for g, (_, error) in self.reward_errors(outcome).items():
            if error > 0:
                gain, duration = rw["burst_gain_Hz_per_value"], rw["burst_duration_ms"]
            else:
                gain, duration = rw["pause_gain_Hz_per_value"], rw["pause_duration_ms"]
            windows[g] = response_window(start, duration, self.tonic_Hz, gain * error,
                                         self.config["max_rate_Hz"])
        return windows

    # ------------------------------------------------------------------ learning
    def update(self, outcome: EpisodeOutcome) -> None:
        """Each critic learns r - V(pattern) (the plain error, never the surprise)."""
        if not outcome.has_outcome:
            return
        for critic in self.critics.values():
            critic.update(outcome.pattern, outcome.reward)

    def episode_record(self, outcome: EpisodeOutcome) -> dict:
        """value_<g>, cue_rpe_<g>, rpe_<g> (NaN without outcome) and dopamine_<g> (the
        error SNc fires at reward time) per group; with action_surprise also the BG's
        probability of the taken action and the surprise term S - H (or S), whatever
        beta (NaN when the GPi rates or the taken channel are unknown)."""
        row = {"reward": float(outcome.reward), "chooser": outcome.chooser}
        errors = self.reward_errors(outcome) if outcome.has_outcome else {}
        for g, critic in self.critics.items():
            row[f"value_{g}"] = critic.value(outcome.pattern)
            row[f"cue_rpe_{g}"] = self.cue_error(g, outcome.pattern)
            delta, error = errors.get(g, (float("nan"), float("nan")))
            row[f"rpe_{g}"] = delta
            row[f"dopamine_{g}"] = error
        block = self.config.get("action_surprise")
        if block is not None:
            # Recorded whatever beta, so that runs with beta = 0 show the surprise the
            # term would add (their signal never uses it).
            known = outcome.gpi_Hz is not None and outcome.selected_channel is not None
            row["surprise_term"] = (surprise_term(outcome.gpi_Hz, outcome.competing_channels,
                                                  outcome.selected_channel,
                                                  block["temperature_Hz"], block["baseline"])
                                    if known else float("nan"))
            row["bg_policy_taken"] = self.policy_of_taken(outcome)
        return row

    def policy_of_taken(self, outcome: EpisodeOutcome) -> float:
        """pi(taken | s) from the GPi rates, NaN when unknown."""
        if outcome.gpi_Hz is None or outcome.selected_channel is None:
            return float("nan")
        pi = policy(outcome.gpi_Hz, self.config["action_surprise"]["temperature_Hz"])
        return float(pi[list(outcome.competing_channels).index(outcome.selected_channel)])

    # ------------------------------------------------------------------ state
    def learned_state(self) -> dict:
        return {g: critic.state() for g, critic in self.critics.items()}

    def load_learned_state(self, learned: Mapping) -> None:
        if set(learned) != set(self.critics):
            raise ValueError(f"state has groups {sorted(learned)}, the model "
                             f"{sorted(self.critics)}")
        for g, critic in self.critics.items():
            critic.load_state(learned[g])
