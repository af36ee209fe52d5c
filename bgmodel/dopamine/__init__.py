"""Dopamine models: what SNc fires after an episode, given the episode's outcome.

One file per model. A model is built from its section of the plasticity protocol's
config (`protocol.dopamine`) and answers one question per episode:

    model.event(outcome: EpisodeOutcome) -> str | None

the dopamine event (a key of `snc.events`: burst, dip, ...) that SNc delivers in the
episode's dopamine window, or None. The plasticity protocol
(bgmodel.protocols.plasticity.protocol) asks it after the stimulus and gives the
event's SNc group (bgmodel.model.derive.SncGroup: rate and duration) its drive; the
builder has made one SNc group and volume transmitter per event.

Models:
    rule.py   the published burst/dip rule: the first configured rule whose phase,
              selected channel and rate conditions match the outcome decides
              (protocol.dopamine.rules)

A new model is a new file here with a class that has `event(outcome)` and the schema
of its config section; the plasticity protocol's schema and protocol module choose it
(docs/plasticity.md, "Dopamine models").
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping, Protocol, Sequence


@dataclass(frozen=True)
class EpisodeOutcome:
    """What an episode's stimulus led to, as the dopamine model sees it.

    Attributes
    ----------
    episode : object
        The episode (bgmodel.protocols.plasticity.schedule.Episode): its `phase` and
        whether dopamine may follow it at all (`dopamine_allowed`).
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


class DopamineModel(Protocol):
    """The interface of a dopamine model (see the module docstring)."""

    def event(self, outcome: EpisodeOutcome) -> str | None:
        """The dopamine event SNc delivers after the episode, or None."""
