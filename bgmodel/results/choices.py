"""Learning of the choices of a plasticity run (issue 20; reads a run folder, no NEST).

A choice is a pair (or group) of competing channels with its rewarded channel (the
protocol's rule: the strongest input or protocol.rewarded_channels): the
`choice_groups` of the protocol (configs/tasks/two_pairs.yaml), or else the competing
channels as one choice. Per episode and choice:
- `correct`: the BG's own selection (lowest GPi rate of the choice, read before anyone
  acts) is the rewarded channel: with an external controller this is the BG's
  preference whoever took the action;
- `contrast_Hz`: the mean GPi rate of the choice's other channels minus the rewarded
  channel's (positive: the rewarded action is disinhibited more).

`episodes_to_criterion` is the first episode that ends a window of `window` episodes
in which the rewarded channel was selected at least `hits` times and the mean contrast
is at least `contrast_Hz` (issue 20: 8 of 10 and 5 Hz); None when never reached.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import yaml

from ..protocols.plasticity.episodes import read_episodes
from ..protocols.plasticity.schedule import protocol_choices, selected_channel
from ..protocols.plasticity.signal_dopamine import rewarded_channels


@dataclass
class ChoiceCurve:
    channels: tuple
    episode: np.ndarray
    rewarded: np.ndarray  # rewarded channel per episode (-1: none)
    correct: np.ndarray  # bool per episode
    contrast_Hz: np.ndarray


def choice_curves(run_dir) -> list:
    """One ChoiceCurve per choice of the run (module docstring)."""
    run_dir = Path(run_dir)
    config = yaml.safe_load((run_dir / "config.yaml").read_text())
    table = read_episodes(run_dir / "results" / "episodes.csv")
    proto = config["protocol"]
    first_input = next(iter(proto["stimulated_inputs"]))
    competing = proto["competing_channels"]
    groups = protocol_choices(proto)
    inputs = np.array([table[f"input_{first_input}_ch{c}_Hz"] for c in competing])
    n = len(table["episode"])
    # The protocol's rule, also in probes (no outcome, but a right or wrong choice).
    targets = [rewarded_channels(str(table["pattern"][k]), list(inputs[:, k]), competing,
                                 groups, proto.get("rewarded_channels")) for k in range(n)]
    curves = []
    for index, group in enumerate(groups):
        gpi = np.array([table[f"GPi_ch{c}_Hz"] for c in group])
        rewarded = np.array([_minus_one_for_none(t[index]) for t in targets])
        selected = np.array([_minus_one_for_none(selected_channel(list(gpi[:, k]), group))
                             for k in range(n)])
        contrast = np.full(n, np.nan)
        for k in range(n):
            if rewarded[k] >= 0:
                i = group.index(rewarded[k])
                contrast[k] = np.mean(np.delete(gpi[:, k], i)) - gpi[i, k]
        curves.append(ChoiceCurve(group, table["episode"], rewarded,
                                  (selected == rewarded) & (rewarded >= 0), contrast))
    return curves


def _minus_one_for_none(channel: int | None) -> int:
    """A channel, or -1 for none (channel 0 is a channel)."""
    return -1 if channel is None else channel


def episodes_to_criterion(curve: ChoiceCurve, window: int = 10, hits: int = 8,
                          contrast_Hz: float = 5.0, first: int = 0,
                          last: int | None = None) -> int | None:
    """First episode (of first..last) ending a window that meets the criterion."""
    keep = (curve.episode >= first) & (curve.episode <= (np.inf if last is None else last))
    episode, correct, contrast = curve.episode[keep], curve.correct[keep], curve.contrast_Hz[keep]
    for end in range(window - 1, len(episode)):
        span = slice(end - window + 1, end + 1)
        if correct[span].sum() >= hits and np.nanmean(contrast[span]) >= contrast_Hz:
            return int(episode[end])
    return None


def preference(curve: ChoiceCurve, first: int, last: int) -> tuple[float, float]:
    """(fraction of episodes first..last in which the BG selected the rewarded channel,
    mean contrast in Hz)."""
    keep = (curve.episode >= first) & (curve.episode <= last) & (curve.rewarded >= 0)
    if not keep.any():
        return float("nan"), float("nan")
    return float(curve.correct[keep].mean()), float(np.nanmean(curve.contrast_Hz[keep]))


def sliding_mean(values: np.ndarray, window: int = 10) -> np.ndarray:
    """Mean of the last `window` values at each episode (fewer at the start)."""
    values = np.asarray(values, float)
    out = np.empty(len(values))
    for k in range(len(values)):
        out[k] = np.nanmean(values[max(0, k - window + 1):k + 1])
    return out
