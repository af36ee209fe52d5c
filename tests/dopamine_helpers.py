"""Shared pieces of the tests of bgmodel.dopamine: the example overlays' sections and
outcomes of the plasticity protocol's timing (stimulus at 0 ms, reward at 1500 ms)."""
from __future__ import annotations

import copy
from pathlib import Path

import yaml

from bgmodel.dopamine.signal import EpisodeOutcome

CONFIGS = Path(__file__).resolve().parents[1] / "configs" / "dopamine"
REWARD_MS = 1500.0


def overlay(name: str) -> dict:
    """The whole overlay configs/dopamine/<name>.yaml."""
    return yaml.safe_load((CONFIGS / f"{name}.yaml").read_text())


def section(name: str) -> dict:
    """A fresh copy of the overlay's `dopamine:` section."""
    return copy.deepcopy(overlay(name)["dopamine"])


def outcome(episode=0, pattern="A", reward=1.0, rewarded=None, omitted=False,
            reward_time_ms=REWARD_MS, **kw) -> EpisodeOutcome:
    rewarded = (reward > 0 and not omitted) if rewarded is None else rewarded
    return EpisodeOutcome(episode=episode, pattern=pattern, stimulus_onset_ms=0.0,
                          reward_time_ms=reward_time_ms, selected_channel=kw.pop("selected", 1),
                          reward=reward, rewarded=rewarded, omitted=omitted, **kw)
