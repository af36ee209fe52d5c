"""The published dopamine rule: outcome -> burst, dip or nothing, by configured rules.

`protocol.dopamine.rules` is a list of rules; after each episode the first whose phase
and selected channel match the outcome, and whose rate conditions all hold, names the
event SNc delivers (configs/protocols/plasticity.yaml: a burst when channel 1 wins in
CS+, a dip when it wins in CS- while its D1 MSNs are quiet). No rule matches: no
dopamine. Probes and the last episodes of the phases get none whatever the rules say.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping, Sequence

from ..model.schema import ListOf, Record, Ref, num

# The schema of protocol.dopamine.rules.
RULES = ListOf(Record({
    "phase": Ref("phase in which the rule applies", among=("protocol.phases",),
                 allowed="a phase among {names}"),
    "selected_channel": Ref("the rule matches when this channel is selected",
                            among=("protocol.competing_channels",), kind="int",
                            allowed="a competing channel: {list}"),
    "event": Ref("dopamine event SNc delivers (snc.events)", among=("snc.events",),
                 allowed="a dopamine event among {names}"),
    "rate_conditions": ListOf(Record({
        "population": Ref("population read during the stimulus",
                          among=("protocol.read_populations",),
                          allowed="a population of protocol.read_populations"),
        "channel": Ref("channel of the rate", among=("channels.readout",), kind="int",
                       allowed="a readout channel: {list}"),
        "below_Hz": num("the condition holds while the rate is below this (Hz)"),
    }), "extra conditions, all required"),
}, optional=("rate_conditions",)), "outcome -> dopamine event, first match wins")


@dataclass(frozen=True)
class RuleOutcome:
    """What an episode's stimulus led to, as the rule sees it.

    Attributes
    ----------
    episode : Episode
        Its `phase`, and whether dopamine may follow it at all (`dopamine_allowed`).
    selected : int or None
        The selected channel (lowest GPi rate among the competing channels), or None.
    rates : mapping
        Population name -> rate (Hz) in each readout channel during the stimulus.
    readout : sequence of int
        The readout channels, in the order of the rates.
    """

    episode: object
    selected: int | None
    rates: Mapping[str, Sequence[float]]
    readout: Sequence[int]


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


def dopamine_event(episode, rules: Sequence[DopamineRule], selected: int | None,
                   rates: Mapping[str, Sequence[float]], readout: Sequence[int]) -> str | None:
    """The dopamine event that follows `episode`, or None.

    Parameters
    ----------
    episode : Episode
        Its `phase` and `dopamine_allowed`.
    rules : sequence of DopamineRule
        Checked in order; the first that matches decides.
    selected : int or None
        The selected channel.
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


class RuleDopamine:
    """The dopamine model of the published runs (see the module docstring).

    `dopamine.model: rule` selects it; it has no parameters of its own in the
    `dopamine:` section (its rules are protocol.dopamine.rules, its events snc.events)."""

    name = "rule"
    schema = Record({}, doc="the published rule: protocol.dopamine.rules decide a burst "
                    "or dip of snc.events after each episode")

    @classmethod
    def consistency(cls, section: Mapping):
        return ()

    def __init__(self, rules: Sequence[DopamineRule]):
        self.rules = tuple(rules)

    @classmethod
    def from_config(cls, section: Mapping) -> "RuleDopamine":
        """From the protocol's `dopamine` section."""
        return cls([DopamineRule.from_config(r) for r in section["rules"]])

    def event(self, outcome: RuleOutcome) -> str | None:
        """The dopamine event SNc delivers after the episode, or None."""
        return dopamine_event(outcome.episode, self.rules, outcome.selected, outcome.rates,
                              outcome.readout)
