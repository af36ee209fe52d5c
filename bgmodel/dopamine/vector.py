"""`vector`: channel-specific ("vector-valued") dopamine (issue 20; Wärnberg & Kumar
2023, PNAS 120:e2221994120).

Dopamine release is not uniform over the striatum, so the signal can carry one error
per patch. Here the patches are the action channels:

- `routing: per_channel`: one SNc group per channel of `channels` (`snc_ch<c>`), each
  with its own volume transmitter reaching the plastic synapses onto that channel's
  MSNs only, and one group `snc_rest` for the MSNs outside those channels (an MSN
  inside two channel discs belongs to the first listed). A critic values each action:
  Q(s, c) for pattern s and channel c (`critic.action_state`). At the cue, group c
  fires gamma * Q(s, c) (the value of its channel's action); at reward time the group
  of the channel taken fires delta = r - Q(s, taken) (plus beta times the action
  surprise with the `action_surprise` block), and only Q(s, taken) learns. With
  several choices per episode (EpisodeOutcome.choices: protocol.choice_groups) each
  taken channel's group fires its own choice's error r_k - Q(s, taken_k). The other
  channels' groups and `snc_rest` stay tonic: nothing happened to their actions, and
  tonic firing leaves their synapses unchanged on average (dopamine.baseline neutral).
- `routing: broadcast`: one group `snc` reaching every plastic synapse, firing
  r - V(s): the `rpe` model (bit for bit), kept as the same model so that scalar and
  vector can be compared on one task.

Rates, clipping, latencies and durations are rpe's (rpe.py). The builder sorts each
MSN layer so that every channel's MSNs are contiguous (bgmodel.model.derive), because
NEST connects spatially only onto a contiguous slice of a layer.
"""
from __future__ import annotations

from typing import Mapping

from ..model.schema import Field, Problem, Record
from .base import OPTIONAL_TONIC, response_window
from .critic import TDCritic, action_state
from .rpe import COMMON_FIELDS, RpeModel
from .signal import EpisodeOutcome
from .surprise import combined_error

ROUTINGS = ("per_channel", "broadcast")
REST = "snc_rest"


def channel_group(channel: int) -> str:
    return f"snc_ch{int(channel)}"


class VectorModel(RpeModel):
    """Per-channel SNc groups and action values (see the module docstring)."""

    name = "vector"
    schema = Record({
        **COMMON_FIELDS,
        "routing": Field("str", "per_channel: one SNc group and transmitter per channel "
                         "of `channels`, plus one for the other MSNs; broadcast: one "
                         "group for all (the rpe model)", choices=ROUTINGS),
        "channels": Field("int_list", "the channels with their own SNc group (the "
                          "protocol's competing channels)"),
    }, doc="channel-specific (vector) reward prediction error",
        optional=("action_surprise", *OPTIONAL_TONIC))

    @classmethod
    def consistency(cls, section: Mapping):
        yield from super().consistency(section)
        channels = section["channels"]
        if not channels or len(set(channels)) != len(channels) or min(channels) < 0:
            yield Problem("channels", channels, "a non-empty list of distinct channel "
                          "indices (>= 0)")

    @property
    def per_channel(self) -> bool:
        return self.config["routing"] == "per_channel"

    @property
    def channels(self) -> tuple:
        return tuple(int(c) for c in self.config["channels"])

    def make_critics(self) -> dict:
        if not self.per_channel:
            return super().make_critics()
        c = self.config["critic"]
        # One critic of action values for all channel groups; `snc_rest` has none.
        return {"actions": TDCritic(c["learning_rate"], gamma=c["discount"])}

    @property
    def groups(self) -> tuple:
        if not self.per_channel:
            return super().groups
        return tuple(channel_group(c) for c in self.channels) + (REST,)

    def synapse_channels(self) -> dict | None:
        """Group -> the channel whose MSNs its transmitter reaches (None: the MSNs
        outside every listed channel); None with broadcast."""
        if not self.per_channel:
            return None
        return {**{channel_group(c): c for c in self.channels}, REST: None}

    # ------------------------------------------------------------------ per channel
    def q_value(self, pattern: str, channel: int) -> float:
        return self.critics["actions"].value(action_state(pattern, channel))

    def cue_windows(self, pattern: str, stimulus_onset_ms: float) -> dict:
        if not self.per_channel:
            return super().cue_windows(pattern, stimulus_onset_ms)
        cue = self.config["cue"]
        start = stimulus_onset_ms + cue["latency_ms"]
        gamma = self.config["critic"]["discount"]
        return {channel_group(c): response_window(
                    start, cue["duration_ms"], self.tonic_Hz,
                    cue["gain_Hz_per_value"] * gamma * self.q_value(pattern, c),
                    self.config["max_rate_Hz"])
                for c in self.channels}

    def taken_errors(self, outcome: EpisodeOutcome) -> list:
        """[(channel taken, delta, dopamine error)] at reward time: one per choice of
        the episode (outcome.choices; else the one selected channel), for the taken
        channels with a group; [] without outcome."""
        if not outcome.has_outcome:
            return []
        if outcome.choices:
            taken = [(int(c), float(r)) for c, r in outcome.choices]
        elif outcome.selected_channel is not None:
            taken = [(int(outcome.selected_channel), float(outcome.reward))]
        else:
            taken = []
        errors = []
        term = self.surprise(outcome) if not outcome.choices else None
        beta = self.config["action_surprise"]["beta"] if term is not None else 0.0
        for channel, reward in taken:
            if channel in self.channels:
                delta = reward - self.q_value(outcome.pattern, channel)
                errors.append((channel, delta, combined_error(delta, term, beta)))
        return errors

    def outcome_windows(self, outcome: EpisodeOutcome) -> dict:
        if not self.per_channel:
            return super().outcome_windows(outcome)
        rw = self.config["reward"]
        windows = {}
        for channel, _, error in self.taken_errors(outcome):
            if error > 0:
                gain, duration = rw["burst_gain_Hz_per_value"], rw["burst_duration_ms"]
            else:
                gain, duration = rw["pause_gain_Hz_per_value"], rw["pause_duration_ms"]
            windows[channel_group(channel)] = response_window(
                outcome.reward_time_ms + rw["latency_ms"], duration, self.tonic_Hz,
                gain * error, self.config["max_rate_Hz"])
        return windows

    def update(self, outcome: EpisodeOutcome) -> None:
        if not self.per_channel:
            return super().update(outcome)
        rewards = dict(outcome.choices) if outcome.choices else {
            outcome.selected_channel: outcome.reward}
        for channel, _, _ in self.taken_errors(outcome):
            self.critics["actions"].update(action_state(outcome.pattern, channel),
                                           rewards[channel])

    def episode_record(self, outcome: EpisodeOutcome) -> dict:
        """broadcast: rpe's columns. per_channel: q_ch<c> (Q(s, c) before the update) and
        dopamine_ch<c> (the error group c fires at reward time; 0 for the channels not
        taken, NaN without outcome), rpe_taken (r - Q(s, taken) of the first choice)
        and, with action_surprise, the BG's probability of the taken action and the
        surprise."""
        if not self.per_channel:
            return super().episode_record(outcome)
        row = {"reward": float(outcome.reward), "chooser": outcome.chooser}
        errors = {c: (delta, error) for c, delta, error in self.taken_errors(outcome)}
        nan = float("nan")
        for c in self.channels:
            row[f"q_ch{c}"] = self.q_value(outcome.pattern, c)
            row[f"dopamine_ch{c}"] = (nan if not outcome.has_outcome
                                      else errors.get(c, (0.0, 0.0))[1])
        first = next(iter(errors.values()), None)
        row["rpe_taken"] = nan if first is None else first[0]
        block = self.config.get("action_surprise")
        if block is not None:
            base = super().episode_record(outcome)
            row["surprise_term"] = base["surprise_term"]
            row["bg_policy_taken"] = base["bg_policy_taken"]
        return row
