"""The plasticity protocol with a signal dopamine model (bgmodel.dopamine), without NEST.

With `dopamine.model` other than `rule`, SNc fires tonically all the time and every
episode runs the model's interface (docs/dopamine.md) in this order:

1. at the episode start, the cue signal (`cue_signal`) is programmed;
2. after the decision, the task's outcome (`outcome`): the rewarded channel is the
   competing channel with the strongest input of the episode's pattern (none: a tie,
   e.g. no input, gives no outcome), or the one protocol.rewarded_channels names for
   the pattern (a task whose inputs do not tell the rewarded channel); an episode
   without dopamine (a probe, the last episodes of the phases) has no outcome either.
   When the rewarded channel is selected the reward is drawn from protocol.reward
   (absent: fixed 1) with the model's Generator (seeded from the run's seed, one draw
   per episode with an outcome, whatever was selected); on an omission probe
   (protocol.omission_probes: episodes from_episode, from_episode + every, ...) a reward
   the task would pay is withheld;
3. `episode_signal(outcome)` is programmed from the decision on, `episode_record` and
   the SNc spike counts go to episodes.csv, then the model learns (`update`).

External control (protocol.external_controller, issue 20): in a fraction of the
episodes with a rewarded channel and dopamine (not in probes: they test the BG alone)
a controller outside the basal ganglia takes the
action (bgmodel.dopamine.surprise.ExternalController, its Generator seeded from
[seed, 0xEC], two uniforms per such episode whoever chooses). The taken channel is
the controller's or, otherwise, the BG's selection; the outcome, the reward and the
model's learning follow the taken channel (`taken_channel`, `chooser` in episodes.csv;
`selected_channel` stays the BG's selection). The efference copy
(protocol.efference_copy) is the protocol's (protocol.py): extra drive to the taken
channel's sampled relays from the decision on.

SNc spike counts per group, in windows of length W = protocol.pause_after_stimulus_ms
(default 500 ms) from the episode start: `snc_<g>_stimulus` [0, W) (the CS response),
`snc_<g>_baseline` [stimulus_ms, stimulus_ms + W) (tonic in every model: it ends at the
reward time) and `snc_<g>_reward` [R, R + W), R the reward time (the dopamine window's
start, where the decision is taken). `dopamine_event` is `burst` or `pause` when the
signal's first window at or after the reward time is above or below tonic, else
`none`. Every SNc spike of the episodes is kept (results/snc_spikes.npz, written at
checkpoints).
"""
from __future__ import annotations

from pathlib import Path
from typing import Mapping, Sequence

import numpy as np

from ...dopamine.registry import make_model
from ...dopamine.rewards import reward_distribution
from ...dopamine.signal import EpisodeOutcome, SncSignal
from ...dopamine.surprise import ExternalController
from ...results.rundir import atomic_save_npz
from .schedule import Episode, EpisodeTimes, protocol_choices, selected_channel

SNC_SPIKES = "snc_spikes.npz"
WINDOWS = ("stimulus", "baseline", "reward")
DEFAULT_REWARD = {"kind": "fixed", "value": 1.0}


def rewarded_channels(pattern: str, input_Hz: Sequence[float], competing: Sequence[int],
                      choices: Sequence[Sequence[int]], named: Mapping | None
                      ) -> list[int | None]:
    """The rewarded channel of each choice (a group of competing channels) in an episode
    of `pattern` with inputs `input_Hz` (one per competing channel): the channels that
    `named` (protocol.rewarded_channels) lists for the pattern, one per choice, or else
    each choice's strictly strongest input (None: a tie, e.g. no input)."""
    if named and pattern in named:
        return [int(c) for c in named[pattern]]
    levels = dict(zip(competing, input_Hz))
    return [strongest_channel([levels[c] for c in group], group) for group in choices]


def strongest_channel(input_Hz: Sequence[float], channels: Sequence[int]) -> int | None:
    """The channel with the strictly strongest (non-zero) input, or None."""
    top = max(input_Hz)
    winners = [c for c, r in zip(channels, input_Hz) if r == top]
    return int(winners[0]) if len(winners) == 1 and top > 0 else None


def is_omission_probe(index: int, probes: Mapping | None) -> bool:
    """Whether episode `index` is an omission probe of protocol.omission_probes."""
    if not probes or index < probes["from_episode"]:
        return False
    return (index - probes["from_episode"]) % probes["every"] == 0


def response_kind(signal: SncSignal, group: str, reward_time_ms: float | None) -> str:
    """'burst', 'pause' or 'none': the first window of `group` at or after the reward
    time against tonic."""
    if reward_time_ms is None:
        return "none"
    sig = signal[group]
    for w in sig.windows:
        if w.start_ms >= reward_time_ms:
            return "burst" if w.rate_Hz > sig.tonic_Hz else "pause"
    return "none"


class SignalDopamine:
    """One run's dopamine model, task and SNc spike store (see the module docstring).

    Parameters
    ----------
    config : Mapping
        The validated configuration (its `dopamine:` and `protocol:` sections).
    populations : Mapping
        SNc group -> population name (NetworkPlan.dopamine.signal.groups).
    times : EpisodeTimes
    competing : sequence of int
    """

    def __init__(self, config: Mapping, populations: Mapping[str, str], times: EpisodeTimes,
                 competing: Sequence[int]):
        proto = config["protocol"]
        seed = config["simulation"]["seed"]
        self.model = make_model(config["dopamine"], np.random.default_rng([seed, 0xDA]))
        self.reward = reward_distribution(proto.get("reward", DEFAULT_REWARD),
                                          "protocol.reward")
        self.omission = proto.get("omission_probes")
        self.populations = dict(populations)
        self.times = times
        self.competing = tuple(competing)
        self.window_ms = float(proto["pause_after_stimulus_ms"])
        self.spikes: dict = {g: ([], []) for g in self.model.groups}
        # protocol.choice_groups: independent choices, each rewarded on its own.
        self.choices = protocol_choices(proto)
        self.choice_groups = self.choices if proto.get("choice_groups") else []
        self.choice_row: dict = {}
        self.named_rewarded = proto.get("rewarded_channels")
        self.controller = None
        if "external_controller" in proto:
            self.controller = ExternalController.from_config(
                proto["external_controller"], np.random.default_rng([seed, 0xEC]))

    def targets(self, ep: Episode) -> list:
        """The rewarded channel of each choice (choice_groups, or the competing channels
        as one choice) in episode `ep`; None: no rewarded channel."""
        return rewarded_channels(ep.pattern, ep.input_Hz, self.competing, self.choices,
                                 self.named_rewarded)

    # ------------------------------------------------------------------ table
    def columns(self) -> list[str]:
        """Columns this adds to episodes.csv."""
        cols = ["rewarded_channel", "reward", "rewarded", "omitted"]
        if self.controller is not None:
            cols += ["taken_channel"]
        for k in range(1, len(self.choice_groups) + 1):
            cols += [f"selected_choice{k}", f"rewarded_choice{k}", f"reward_choice{k}"]
        probe = EpisodeOutcome(0, "pattern", 0.0, 1.0, self.competing[0],
                               competing_channels=self.competing,
                               gpi_Hz=tuple(0.0 for _ in self.competing))
        cols += [c for c in self.model.episode_record(probe) if c not in cols]
        cols += [f"snc_{g}_{w}" for g in self.model.groups for w in WINDOWS]
        return cols

    # ------------------------------------------------------------------ episode
    def cue_steps(self, ep: Episode) -> dict:
        """Group -> (times from the episode start, rates) of the cue signal."""
        sig = self.model.cue_signal(ep.pattern, 0.0)
        return {g: sig.rate_steps(g, self.times.period_ms) for g in self.model.groups}

    def selections(self, gpi_Hz: Sequence[float]) -> list:
        """The BG's selection in each choice group (lowest GPi rate of the group)."""
        rates = dict(zip(self.competing, gpi_Hz))
        return [selected_channel([rates[c] for c in g], g) for g in self.choice_groups]

    def grouped_outcome(self, ep: Episode, gpi_Hz: Sequence[float]) -> EpisodeOutcome:
        """The outcome of an episode with choice groups: each group has its rewarded
        channel (`targets`); one reward drawn per group (in group order,
        whatever was selected) is paid when the group's selection is that channel.
        `choices` holds (taken, reward) of each group with a selection and a rewarded
        channel; `reward` is their sum."""
        selections = self.selections(gpi_Hz)
        common = dict(episode=ep.index, pattern=ep.pattern, stimulus_onset_ms=0.0,
                      selected_channel=selections[0], competing_channels=self.competing,
                      gpi_Hz=tuple(float(r) for r in gpi_Hz))
        self.choice_row = {}
        choices = []
        for k, (taken, target) in enumerate(zip(selections, self.targets(ep)), start=1):
            reward = 0.0
            if ep.dopamine_allowed and target is not None:
                drawn = float(self.reward.draw(self.model.rng))
                if taken == target and not is_omission_probe(ep.index, self.omission):
                    reward = drawn
                if taken is not None:
                    choices.append((int(taken), reward))
            self.choice_row.update({
                f"selected_choice{k}": -1 if taken is None else taken,
                f"rewarded_choice{k}": -1 if target is None else target,
                f"reward_choice{k}": reward})
        if not ep.dopamine_allowed or not choices:
            return EpisodeOutcome(reward_time_ms=None, **common)
        total = float(sum(r for _, r in choices))
        return EpisodeOutcome(reward_time_ms=self.times.dopamine_start_ms, reward=total,
                              rewarded=total > 0, choices=tuple(choices), **common)

    def outcome(self, ep: Episode, selected: int | None, gpi_Hz: Sequence[float]
                ) -> EpisodeOutcome:
        """The task's outcome of the episode (draws the reward; see the docstring)."""
        if self.choice_groups:
            return self.grouped_outcome(ep, gpi_Hz)
        target = self.targets(ep)[0]
        taken, chooser = selected, "bg"
        if self.controller is not None and target is not None and ep.dopamine_allowed:
            decision = self.controller.decide(self.competing, target)
            if decision.chooser == "controller":
                taken, chooser = decision.channel, "controller"
        common = dict(episode=ep.index, pattern=ep.pattern, stimulus_onset_ms=0.0,
                      selected_channel=taken, chooser=chooser,
                      competing_channels=self.competing,
                      gpi_Hz=tuple(float(r) for r in gpi_Hz))
        if not ep.dopamine_allowed or target is None:
            return EpisodeOutcome(reward_time_ms=None, **common)
        drawn = float(self.reward.draw(self.model.rng))
        if taken != target:
            return EpisodeOutcome(reward_time_ms=self.times.dopamine_start_ms, **common)
        if is_omission_probe(ep.index, self.omission) and drawn > 0:
            return EpisodeOutcome(reward_time_ms=self.times.dopamine_start_ms, omitted=True,
                                  **common)
        return EpisodeOutcome(reward_time_ms=self.times.dopamine_start_ms, reward=drawn,
                              rewarded=drawn > 0, **common)

    def outcome_steps(self, outcome: EpisodeOutcome) -> tuple[dict, str]:
        """Group -> (times from the episode start, rates) of the episode signal from the
        decision on, and the response at reward time ('burst', 'pause', 'none')."""
        sig = self.model.episode_signal(outcome)
        decision = self.times.before_decision_ms
        steps = {g: sig.rate_steps(g, self.times.period_ms, from_ms=decision)
                 for g in self.model.groups}
        # The first group that responds (a vector model's taken channel, not its first).
        kinds = [response_kind(sig, g, outcome.reward_time_ms) for g in self.model.groups]
        return steps, next((k for k in kinds if k != "none"), "none")

    def record(self, ep: Episode, outcome: EpisodeOutcome, spikes: Sequence[Mapping],
               t0: float, offset_ms: float) -> dict:
        """The row's columns: the outcome, the model's record and the SNc counts per
        window; keeps the episode's SNc spikes (protocol time = `offset_ms` + network
        time) for snc_spikes.npz."""
        # With choice groups each choice has its own columns (rewarded_choice<k>).
        one_choice = outcome.has_outcome and not self.choice_groups
        target = self.targets(ep)[0] if one_choice else None
        row = {"rewarded_channel": -1 if target is None else target,
               "reward": float(outcome.reward), "rewarded": outcome.rewarded,
               "omitted": outcome.omitted}
        if self.controller is not None:
            taken = outcome.selected_channel
            row["taken_channel"] = -1 if taken is None else taken
        row.update(self.choice_row)
        row.update(self.model.episode_record(outcome))
        reward_time = self.times.dopamine_start_ms
        starts = {"stimulus": 0.0, "baseline": self.times.stimulus_ms, "reward": reward_time}
        for g, population in self.populations.items():
            senders = np.concatenate([s[population].senders for s in spikes])
            times = np.concatenate([s[population].times for s in spikes])
            for w, start in starts.items():
                a = t0 + start
                row[f"snc_{g}_{w}"] = int(np.count_nonzero((times >= a)
                                                           & (times < a + self.window_ms)))
            ids, ts = self.spikes[g]
            ids.append(senders.astype(np.uint32))
            ts.append(times.astype(np.float64) + offset_ms)
        return row

    def update(self, outcome: EpisodeOutcome) -> None:
        self.model.update(outcome)

    # ------------------------------------------------------------------ state and files
    def state(self) -> dict:
        state = self.model.state()
        if self.controller is not None:
            state = {**state, "controller": self.controller.state()}
        return state

    def load_state(self, state: Mapping) -> None:
        self.model.load_state(state)
        if self.controller is not None:
            self.controller.load_state(state["controller"])

    def spike_arrays(self) -> dict:
        """`<group>_ids` (uint32, unit index) and `<group>_times_ms` (float64, protocol
        time) of every SNc spike kept."""
        out = {}
        for g, (ids, ts) in self.spikes.items():
            out[f"{g}_ids"] = np.concatenate(ids) if ids else np.zeros(0, np.uint32)
            out[f"{g}_times_ms"] = np.concatenate(ts) if ts else np.zeros(0, np.float64)
        return out

    def save_spikes(self, path: Path, episodes_done: int) -> None:
        """Write snc_spikes.npz atomically, with `episodes_done` (the file holds every
        spike of episodes 0 .. episodes_done - 1: it is written at checkpoints, so
        episodes.csv may already hold later episodes)."""
        atomic_save_npz(path, episodes_done=np.int64(episodes_done), **self.spike_arrays())

    def resume_spikes(self, path: Path, before_ms: float) -> None:
        """Keep the spikes of an earlier run's file before protocol time `before_ms`
        (the resumed episode's start)."""
        if not path.is_file():
            return
        with np.load(path) as data:
            for g in self.spikes:
                times = data[f"{g}_times_ms"]
                keep = times < before_ms
                self.spikes[g] = ([data[f"{g}_ids"][keep]], [times[keep]])

