"""The plasticity protocol without NEST: episode schedule, selection and dopamine rule.

`build_schedule(proto)` turns the `protocol:` section into one `Episode` per episode
(phase, task, stimulus pattern and input rates, probe or not, which dopamine event the
plastic synapses are routed to, whether dopamine may follow). `selected_channel` applies
the selection rule (lowest GPi rate among the competing channels) and `dopamine_event`
the configured dopamine rules (outcome -> event). `check_config` cross-checks what the
schema cannot express. Everything here is plain data, tested without simulating.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Mapping, Sequence

from .schema import ConfigError, source_of


@dataclass(frozen=True)
class EpisodeTimes:
    """Offsets (ms) inside one episode."""

    stimulus_ms: float
    dopamine_start_ms: float  # from the episode start
    dopamine_window_ms: float
    period_ms: float  # whole episode
    before_decision_ms: float  # simulated before the dopamine decision
    after_decision_ms: float  # simulated after it


@dataclass(frozen=True)
class Episode:
    """Everything the protocol needs to know about one episode before simulating it."""

    index: int
    phase: str
    task: int  # +1 / -1 (the authors' current_task)
    pattern: str
    levels: tuple  # input level name per competing channel
    input_Hz: tuple  # extra CSN-equivalent rate per competing channel (Hz)
    probe: bool
    stdp_event: str
    authors_flag: str
    dopamine_allowed: bool  # False for probes and the last episodes


@dataclass(frozen=True)
class RateCondition:
    population: str
    channel: int
    below_Hz: float

    def holds(self, rates: Mapping[str, Sequence[float]], readout: Sequence[int]) -> bool:
        value = rates[self.population][list(readout).index(self.channel)]
        return bool(value < self.below_Hz)


@dataclass(frozen=True)
class DopamineRule:
    """In `phase`, when `selected_channel` is selected and every condition holds, SNc
    delivers `event`."""

    phase: str
    selected_channel: int
    event: str
    conditions: tuple = ()

    @classmethod
    def from_config(cls, rule: Mapping) -> "DopamineRule":
        conds = tuple(RateCondition(c["population"], int(c["channel"]), float(c["below_Hz"]))
                      for c in rule.get("rate_conditions", []))
        return cls(rule["phase"], int(rule["selected_channel"]), rule["event"], conds)


# ----------------------------------------------------------------------------- schedule
def episode_times(proto: Mapping) -> EpisodeTimes:
    """The offsets of one episode from the protocol section."""
    stim, pause1 = proto["stimulus_ms"], proto["pause_after_stimulus_ms"]
    window, pause2 = proto["dopamine_window_ms"], proto["pause_after_dopamine_ms"]
    return EpisodeTimes(stimulus_ms=stim, dopamine_start_ms=stim + pause1,
                        dopamine_window_ms=window, period_ms=stim + pause1 + window + pause2,
                        before_decision_ms=stim + pause1, after_decision_ms=window + pause2)


def phases_in_order(proto: Mapping) -> list[tuple[str, Mapping]]:
    """(name, phase) pairs sorted by first episode."""
    return sorted(proto["phases"].items(), key=lambda kv: kv[1]["first_episode"])


def phase_of(proto: Mapping, episode: int) -> str:
    """Name of the phase holding `episode`."""
    for name, phase in proto["phases"].items():
        if phase["first_episode"] <= episode <= phase["last_episode"]:
            return name
    raise ValueError(f"episode {episode} lies in no phase")


def build_schedule(proto: Mapping) -> list[Episode]:
    """One Episode per episode of the protocol, in order.

    Parameters
    ----------
    proto : Mapping
        The validated `protocol:` section (see configs/protocols/plasticity.yaml).
    """
    probes = {p["episode"]: p for p in proto["probes"] if p["episode"] < proto["episodes"]}
    levels_Hz = proto["input_levels_Hz"]
    # The last episodes of the phases, not of a run stopped early: a run of fewer
    # episodes is the beginning of the whole protocol, episode for episode.
    scheduled = max(p["last_episode"] for p in proto["phases"].values()) + 1
    silent_from = scheduled - proto["dopamine"]["none_in_last_episodes"]
    schedule = []
    for k in range(proto["episodes"]):
        name = phase_of(proto, k)
        phase = proto["phases"][name]
        probe = probes.get(k)
        pattern = probe["pattern"] if probe else phase["pattern"]
        levels = tuple(proto["patterns"][pattern])
        schedule.append(Episode(
            index=k, phase=name, task=int(phase["task"]), pattern=pattern, levels=levels,
            input_Hz=tuple(float(levels_Hz[lv]) for lv in levels), probe=probe is not None,
            stdp_event=phase["stdp_event"],
            authors_flag=probe["authors_flag"] if probe else phase["authors_flag"],
            dopamine_allowed=probe is None and k < silent_from))
    return schedule


# ----------------------------------------------------------------------------- decisions
def selected_channel(gpi_Hz: Sequence[float], channels: Sequence[int]) -> int | None:
    """The competing channel with the strictly lowest GPi rate, or None (a tie, or a
    channel without GPi neurons).

    Parameters
    ----------
    gpi_Hz : sequence of float
        GPi rate of each competing channel during the stimulus, in `channels` order.
    channels : sequence of int
        The competing channels.
    """
    rates = [float(r) for r in gpi_Hz]
    if any(math.isnan(r) for r in rates):
        return None
    low = min(rates)
    winners = [ch for ch, r in zip(channels, rates) if r == low]
    return int(winners[0]) if len(winners) == 1 else None


def dopamine_event(episode: Episode, rules: Sequence[DopamineRule], selected: int | None,
                   rates: Mapping[str, Sequence[float]], readout: Sequence[int]) -> str | None:
    """The dopamine event that follows `episode`, or None.

    Parameters
    ----------
    episode : Episode
    rules : sequence of DopamineRule
        Checked in order; the first that matches decides.
    selected : int or None
        The selected channel (`selected_channel`).
    rates : mapping
        Population name -> rates of the readout channels during the stimulus.
    readout : sequence of int
        The readout channels (the order of the rates).
    """
    if not episode.dopamine_allowed or selected is None:
        return None
    for rule in rules:
        if rule.phase != episode.phase or rule.selected_channel != selected:
            continue
        if all(c.holds(rates, readout) for c in rule.conditions):
            return rule.event
    return None


# ----------------------------------------------------------------------------- checks
def check_config(data: Mapping, provenance: Mapping | None = None) -> None:
    """Cross-checks of the plasticity protocol that the schema cannot express.

    Raises ConfigError naming the key: phases must follow each other from episode 0
    and cover protocol.episodes (a run may stop before the last phase ends), names must refer
    to defined patterns, levels, events, populations and channels, and a dopamine event
    must end inside its episode.
    """
    provenance = provenance or {}
    proto = data["protocol"]

    def fail(path, value, allowed):
        raise ConfigError(source_of(provenance, path), path, value, allowed)

    count = data["channels"]["count"]
    readout = data["channels"]["readout"]
    events = data["snc"]["events"]
    chans = proto["competing_channels"]
    if len(chans) < 2 or len(set(chans)) != len(chans) or not all(0 <= c < count for c in chans):
        fail("protocol.competing_channels", chans,
             f"at least two distinct channel indices in 0..{count - 1}")
    for name, levels in proto["patterns"].items():
        if len(levels) != len(chans):
            fail(f"protocol.patterns.{name}", levels,
                 f"one level per competing channel ({len(chans)})")
        for lv in levels:
            if lv not in proto["input_levels_Hz"]:
                fail(f"protocol.patterns.{name}", lv,
                     f"levels among {', '.join(proto['input_levels_Hz'])}")
    expected_first = 0
    for name, phase in phases_in_order(proto):
        path = f"protocol.phases.{name}"
        if phase["first_episode"] != expected_first:
            fail(f"{path}.first_episode", phase["first_episode"],
                 f"{expected_first}: phases must follow each other without gap or overlap")
        if phase["last_episode"] < phase["first_episode"]:
            fail(f"{path}.last_episode", phase["last_episode"], "at least first_episode")
        if phase["pattern"] not in proto["patterns"]:
            fail(f"{path}.pattern", phase["pattern"],
                 f"a pattern among {', '.join(proto['patterns'])}")
        if phase["stdp_event"] not in events:
            fail(f"{path}.stdp_event", phase["stdp_event"],
                 f"a dopamine event among {', '.join(events)}")
        expected_first = phase["last_episode"] + 1
    if proto["episodes"] > expected_first:
        fail("protocol.episodes", proto["episodes"],
             f"at most {expected_first}: the phases end at episode {expected_first - 1} "
             "(fewer episodes stop the run early, e.g. after CS+)")
    seen = set()
    for i, probe in enumerate(proto["probes"]):
        if not 0 <= probe["episode"] < expected_first or probe["episode"] in seen:
            fail(f"protocol.probes[{i}].episode", probe["episode"],
                 f"a distinct episode in 0..{expected_first - 1}")
        seen.add(probe["episode"])
        if probe["pattern"] not in proto["patterns"]:
            fail(f"protocol.probes[{i}].pattern", probe["pattern"],
                 f"a pattern among {', '.join(proto['patterns'])}")
    dop = proto["dopamine"]
    for i, rule in enumerate(dop["rules"]):
        path = f"protocol.dopamine.rules[{i}]"
        if rule["phase"] not in proto["phases"]:
            fail(f"{path}.phase", rule["phase"], f"a phase among {', '.join(proto['phases'])}")
        if rule["selected_channel"] not in chans:
            fail(f"{path}.selected_channel", rule["selected_channel"],
                 f"a competing channel: {chans}")
        if rule["event"] not in events:
            fail(f"{path}.event", rule["event"], f"a dopamine event among {', '.join(events)}")
        for j, cond in enumerate(rule.get("rate_conditions", [])):
            if cond["population"] not in proto["read_populations"]:
                fail(f"{path}.rate_conditions[{j}].population", cond["population"],
                     "a population of protocol.read_populations")
            if cond["channel"] not in readout:
                fail(f"{path}.rate_conditions[{j}].channel", cond["channel"],
                     f"a readout channel: {readout}")
    if dop["none_in_last_episodes"] > expected_first:
        fail("protocol.dopamine.none_in_last_episodes", dop["none_in_last_episodes"],
             f"at most the episodes of the phases ({expected_first})")
    if dop["eta_at_first"] is not None and dop["eta_at_first"] not in events:
        fail("protocol.dopamine.eta_at_first", dop["eta_at_first"],
             f"a dopamine event among {', '.join(events)} or null")
    room = proto["dopamine_window_ms"] + proto["pause_after_dopamine_ms"]
    for name, event in events.items():
        if event["duration_ms"] > room:
            fail(f"snc.events.{name}.duration_ms", event["duration_ms"],
                 f"at most dopamine_window_ms + pause_after_dopamine_ms ({room} ms), so "
                 "that dopamine ends inside its episode")
    for i, ch in enumerate(proto["weight_summary"]["channels"]):
        if not 0 <= ch < count:
            fail(f"protocol.weight_summary.channels[{i}]", ch, f"a channel in 0..{count - 1}")
