"""The plasticity protocol's episodes without NEST: schedule and selection.

`build_schedule(proto)` turns the `protocol:` section into one `Episode` per episode
(phase, task, stimulus pattern and input rates, probe or not, which dopamine event the
plastic synapses are routed to, whether dopamine may follow). `selected_channel` applies
the selection rule (lowest GPi rate among the competing channels); what dopamine
follows is the dopamine model's (bgmodel.dopamine). Everything here is plain data,
tested without simulating.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Mapping, Sequence


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
def protocol_choices(proto: Mapping) -> list[tuple]:
    """The choices of every episode: protocol.choice_groups, or else the competing
    channels as one choice."""
    groups = proto.get("choice_groups") or [proto["competing_channels"]]
    return [tuple(int(c) for c in group) for group in groups]


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
