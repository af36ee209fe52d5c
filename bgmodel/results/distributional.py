"""What a plasticity run with SNc groups shows about the distributional code (issue 21;
reads a run folder, no NEST).

`read_distributional(run_dir, first, last)` takes the episodes first..last (inclusive)
with an outcome whose spikes results/snc_spikes.npz holds (it is written at
checkpoints) and returns, per SNc group:
- its asymmetry tau (the `distributional` model's dopamine.taus; 0.5 for `rpe`);
- the reversal point measured from its spikes (bgmodel.dopamine.reversal.hinge_fit,
  gains shared by the groups)
  and the critic's mean value over the window (what the model fires around);
- the expectile at tau of the rewards delivered in the window (the distribution the
  critics learn from, unrewarded choices included as 0) and of the task's configured
  distribution (protocol.reward);
- with per-group weights in episodes.csv, the change of each group's mean weight onto
  the channel-1 D1 and D2 MSNs from the first episode to the window's last;
and the distribution decoded from the measured reversal points
(bgmodel.dopamine.decode.least_squares_distribution) with its Wasserstein-1 distance to
the delivered rewards. With one group the decoded estimate is a point mass at its
reversal point (a scalar code knows one number).
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import yaml

from ..dopamine.decode import least_squares_distribution, wasserstein1
from ..dopamine.rewards import expectile, reward_distribution
from ..dopamine.reversal import group_responses, hinge_fit, response_window_ms
from ..protocols.plasticity.episodes import read_episodes
from ..protocols.plasticity.schedule import episode_times


@dataclass
class GroupReadout:
    group: str
    tau: float
    reversal: float  # measured from spikes
    value: float  # the critic's mean value over the window
    delivered_expectile: float
    configured_expectile: float
    rewards: np.ndarray  # per episode in the window
    responses: np.ndarray  # spikes above tonic per episode
    weight_change: dict  # cell -> mean weight change onto channel 1 (NaN: not recorded)


@dataclass
class DistributionalReadout:
    run: str
    window: tuple
    groups: list
    delivered: np.ndarray  # rewards of the window's episodes
    configured: object  # RewardDistribution of protocol.reward
    decoded_points: np.ndarray
    decoded_probabilities: np.ndarray
    w1_decoded: float  # against the delivered rewards
    w1_configured: float  # decoded against the configured distribution
    burst_gain: float  # the hinges' shared gains (spikes per reward unit)
    pause_gain: float

    @property
    def taus(self) -> np.ndarray:
        return np.array([g.tau for g in self.groups])

    @property
    def reversals(self) -> np.ndarray:
        return np.array([g.reversal for g in self.groups])


def _taus(dopamine: dict, groups: list) -> list:
    if dopamine["model"] == "distributional":
        return [float(t) for t in dopamine["taus"]]
    return [0.5] * len(groups)


def late_half(run_dir) -> tuple[int, int]:
    """(first, last) episode of the second half of the run's first phase, as far as
    the run got: late in learning, one task pattern."""
    table = read_episodes(Path(run_dir) / "results" / "episodes.csv")
    episode, phase = table["episode"], table["phase"]
    if not len(episode):
        raise ValueError(f"{run_dir}: no episode written yet")
    first_phase = episode[phase == phase[0]]
    lo, hi = int(first_phase.min()), int(first_phase.max())
    return lo + (hi - lo + 1) // 2, hi


def read_distributional(run_dir, first: int | None = None,
                        last: int | None = None) -> DistributionalReadout:
    """The readout of episodes first..last of a run (module docstring); by default
    the second half of its first phase (`late_half`)."""
    run_dir = Path(run_dir)
    if first is None or last is None:
        first, last = late_half(run_dir)
    config = yaml.safe_load((run_dir / "config.yaml").read_text())
    dopamine, proto = config["dopamine"], config["protocol"]
    if dopamine.get("model") not in ("distributional", "rpe"):
        raise ValueError(f"{run_dir}: dopamine.model {dopamine.get('model')!r}; the "
                         "distributional readout needs `distributional` or `rpe`")
    table = read_episodes(run_dir / "results" / "episodes.csv")
    with np.load(run_dir / "results" / "snc_spikes.npz") as data:
        spikes = {k: data[k] for k in data.files}
    groups = sorted((k[:-len("_times_ms")] for k in spikes if k.endswith("_times_ms")),
                    key=lambda g: (len(g), g))
    episode = table["episode"]
    rpe0 = table[f"rpe_{groups[0]}"]
    # Spikes are saved at checkpoints: only the episodes they cover (files from before
    # `episodes_done` was saved: up to the episode of the last spike).
    if "episodes_done" in spikes:
        covered = episode < int(spikes["episodes_done"])
    else:
        last_spike = max((float(spikes[f"{g}_times_ms"].max()) for g in groups
                          if len(spikes[f"{g}_times_ms"])), default=-np.inf)
        covered = table["t_start_ms"] + episode_times(proto).period_ms <= last_spike
    picked = (episode >= first) & (episode <= last) & ~np.isnan(rpe0) & covered
    if picked.sum() < 2:
        raise ValueError(f"{run_dir}: {int(picked.sum())} episodes with an outcome in "
                         f"{first}..{last}")
    rewards = table["reward"][picked]
    reward_times = table["t_start_ms"][picked] + episode_times(proto).dopamine_start_ms
    offset, duration = response_window_ms(dopamine)
    configured = reward_distribution(proto.get("reward", {"kind": "fixed", "value": 1.0}),
                                     "protocol.reward")
    end = np.flatnonzero(episode <= last)[-1]
    responses = np.array([group_responses(spikes[f"{g}_times_ms"], reward_times,
                                          int(dopamine["units"]), float(dopamine["tonic_Hz"]),
                                          offset, duration) for g in groups])
    fit = hinge_fit(rewards, responses)
    readouts = []
    for i, (g, tau) in enumerate(zip(groups, _taus(dopamine, groups))):
        change = {}
        for cell in ("MSN_D1", "MSN_D2"):
            column = table.get(f"w_{cell}_ch1_{g}")
            change[cell] = (float(column[end] - column[0]) if column is not None
                            else float("nan"))
        readouts.append(GroupReadout(
            group=g, tau=tau, reversal=float(fit.reversals[i]),
            value=float(np.mean(table[f"value_{g}"][picked])),
            delivered_expectile=float(expectile(rewards, tau)),
            configured_expectile=float(configured.expectile(tau)),
            rewards=rewards, responses=responses[i], weight_change=change))
    taus = np.array([g.tau for g in readouts])
    reversals = np.array([g.reversal for g in readouts])
    if len(readouts) > 1:
        points, p = least_squares_distribution(taus, reversals)
    else:
        points, p = reversals, np.ones(1)
    return DistributionalReadout(
        run=run_dir.name, window=(first, last), groups=readouts, delivered=rewards,
        configured=configured, decoded_points=points, decoded_probabilities=p,
        w1_decoded=wasserstein1(points, rewards, p, None),
        w1_configured=wasserstein1(points, configured.values, p, configured.probabilities),
        burst_gain=fit.a, pause_gain=fit.b)
