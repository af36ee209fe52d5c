"""Reversal points measured from SNc spikes (bgmodel.dopamine.reversal) and the run
readout built on them (bgmodel.results.distributional), without NEST: SNc spikes are
drawn here from the distributional model's own rate signal."""
import csv

import numpy as np
import pytest
import yaml

from bgmodel.dopamine.registry import make_model
from bgmodel.dopamine.reversal import group_responses, hinge_fit, spearman
from bgmodel.dopamine.rewards import RewardDistribution
from bgmodel.dopamine.signal import EpisodeOutcome
from bgmodel.model.config import load_config
from bgmodel.protocols.plasticity.schedule import episode_times
from bgmodel.results.distributional import read_distributional


def test_hinge_fit_recovers_the_kinks_with_unequal_gains():
    r = np.repeat([0.1, 0.2, 0.3, 0.7, 0.8, 0.9], 5)
    kinks = np.array([0.15, 0.45, 0.62, -0.05])
    y = np.where(r > kinks[:, None], 16.0 * (r - kinks[:, None]), 6.0 * (r - kinks[:, None]))
    fit = hinge_fit(r, y)
    assert np.allclose(fit.reversals, kinks, atol=1e-3)
    assert fit.a == pytest.approx(16.0, rel=1e-3) and fit.b == pytest.approx(6.0, rel=1e-3)
    # A straight line through one group's points crosses zero on the wrong side.
    slope, intercept = np.polyfit(r, y[1], 1)
    assert -intercept / slope < 0.4
    # one group: a 1-D sequence
    assert hinge_fit(r, y[1]).reversals[0] == pytest.approx(0.45, abs=1e-3)


def test_shared_gains_beat_a_gain_per_group_on_noisy_responses():
    """Noisy responses, no reward between 0.3 and 0.7: fitting each group alone lets
    kink and gains trade off; the shared gains pin the kinks down."""
    rng = np.random.default_rng(4)
    r = rng.choice([0.1, 0.2, 0.3, 0.7, 0.8, 0.9], size=200)
    kinks = np.linspace(0.2, 0.8, 10)
    clean = np.where(r > kinks[:, None], 16.0 * (r - kinks[:, None]), 6.0 * (r - kinks[:, None]))
    y = clean + rng.normal(0.0, 2.5, clean.shape)
    shared = np.abs(hinge_fit(r, y).reversals - kinks)
    alone = np.abs(np.array([hinge_fit(r, row).reversals[0] for row in y]) - kinks)
    assert shared.mean() < 0.03 and shared.max() < 0.06
    assert alone.mean() > 2.0 * shared.mean() and alone.max() > 3.0 * shared.max()


def test_hinge_fit_input_checks():
    with pytest.raises(ValueError, match="two distinct rewards"):
        hinge_fit([1.0, 1.0], [0.0, 1.0])
    with pytest.raises(ValueError, match="one reward per episode"):
        hinge_fit([1.0, 2.0], [[0.0, 1.0, 2.0]])


def test_spearman_by_hand():
    assert spearman([1, 2, 3, 4], [10, 20, 30, 40]) == pytest.approx(1.0)
    assert spearman([1, 2, 3, 4], [4, 3, 2, 1]) == pytest.approx(-1.0)
    # ranks (1, 2, 3) against (1.5, 1.5, 3): 0.866
    assert spearman([1, 2, 3], [5, 5, 7]) == pytest.approx(np.sqrt(3) / 2)


def test_group_responses_count_spikes_above_tonic():
    spikes = np.array([99.0, 100.0, 150.0, 399.9, 400.0, 1100.0, 1200.0])
    out = group_responses(spikes, np.array([0.0, 1000.0]), units=5, tonic_Hz=4.0,
                          offset_ms=100.0, duration_ms=300.0)
    # [100, 400): 3 spikes; [1100, 1400): 2; tonic expects 5 * 4 * 0.3 = 6
    assert out.tolist() == [-3.0, -4.0]


def synthetic_run(folder, episodes=300, seed=0):
    """A run folder with the distributional model's critic, its reward-time rates turned
    into Poisson spikes, and a bimodal reward on every episode."""
    config = load_config("plasticity", preset="small",
                         overlays=["configs/dopamine/distributional.yaml",
                                   "configs/tasks/bimodal_reward.yaml"])
    folder.mkdir()
    (folder / "config.yaml").write_text(config.to_yaml())
    (folder / "results").mkdir()
    data = yaml.safe_load(config.to_yaml())
    model = make_model(data["dopamine"], np.random.default_rng(seed))
    times = episode_times(data["protocol"])
    truth = RewardDistribution((0.1, 0.2, 0.3, 0.7, 0.8, 0.9), (1 / 6,) * 6)
    rng = np.random.default_rng(seed + 1)
    units = data["dopamine"]["units"]
    rows, spikes = [], {g: [] for g in model.groups}
    for k in range(episodes):
        t0 = k * times.period_ms
        reward = float(truth.draw(rng))
        outcome = EpisodeOutcome(episode=k, pattern="A", stimulus_onset_ms=0.0,
                                 reward_time_ms=times.dopamine_start_ms, reward=reward,
                                 rewarded=True, selected_channel=1, competing_channels=(1, 2))
        signal = model.episode_signal(outcome)
        row = {"episode": k, "t_start_ms": t0, "reward": reward,
               **model.episode_record(outcome)}
        for g in model.groups:
            edges = np.arange(0.0, times.period_ms, 1.0)
            rate = np.array([signal[g].rate_at(t) for t in edges])
            n = rng.poisson(units * rate / 1000.0)
            spikes[g].append(t0 + np.repeat(edges, n) + rng.random(n.sum()))
        rows.append(row)
        model.update(outcome)
    with open(folder / "results" / "episodes.csv", "w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    arrays = {}
    for g, parts in spikes.items():
        t = np.concatenate(parts)
        arrays[f"{g}_times_ms"] = t
        arrays[f"{g}_ids"] = np.zeros(len(t), np.uint32)
    np.savez(folder / "results" / "snc_spikes.npz", **arrays)
    return truth


def test_reversal_points_from_spikes_follow_tau_and_the_expectiles(tmp_path):
    truth = synthetic_run(tmp_path / "run")
    out = read_distributional(tmp_path / "run", 150, 299)
    assert spearman(out.taus, out.reversals) > 0.9
    for g in out.groups:
        # the spikes' reversal point lies near the critic's value, which lies near
        # the expectile of the delivered rewards
        assert abs(g.reversal - g.value) < 0.1, g.group
        assert abs(g.value - g.delivered_expectile) < 0.1, g.group
    # a scalar code's estimate, a point mass at the mean, is 0.3 away (W1)
    point_mass = np.mean(np.abs(out.delivered - out.delivered.mean()))
    assert point_mass == pytest.approx(0.3, abs=0.03)
    assert out.w1_decoded < 0.5 * point_mass
    assert out.w1_configured < 0.5 * point_mass
    assert out.configured.values == truth.values
    assert np.allclose(out.configured.probabilities, truth.probabilities)


def test_the_distributional_view_is_drawn(tmp_path):
    from bgmodel.plotting import style
    from bgmodel.plotting.distributional import draw_distributional
    synthetic_run(tmp_path / "run", episodes=60)
    fig = draw_distributional(read_distributional(tmp_path / "run", 30, 59), title="run")
    written = style.save(fig, tmp_path / "figures" / "distributional")
    assert [p.suffix for p in written] == [".png", ".pdf"]
    assert all(p.stat().st_size > 10_000 for p in written)
