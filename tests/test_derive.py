"""The NEST-free derivation against values computed by hand from model-spec.md."""
from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from bgmodel.model.config import load_config
from bgmodel.model.derive import derive_network, periodic_distance

VARIANTS = Path(__file__).resolve().parents[1] / "configs" / "variants"


def atten(lx, dx, d):
    """a = cosh(LX (1-d)) / cosh(LX), LX = lx sqrt(4 Ri / (dx Rm)), Ri = Rm = 2."""
    LX = lx * math.sqrt(4 * 2.0 / (dx * 2.0))
    return math.cosh(LX * (1 - d)) / math.cosh(LX)


A_MSN = lambda d: atten(6.19e-4, 1e-6, d)  # noqa: E731
A_GPI = lambda d: atten(1.132e-3, 1.2e-6, d)  # noqa: E731


@pytest.fixture(scope="module")
def plan():
    return derive_network(load_config("resting_state"))


def conn(plan, source, target):
    found = [c for c in plan.connections if c.source == source and c.target == target]
    assert len(found) == 1, (source, target, found)
    return found[0]


def test_csn_to_msn_is_plastic_with_alpha_as_nu(plan):
    # nu = alpha = 342 (no anatomical count for CSN); K = 342 / 3 = 114
    w = 342 / 114 * A_MSN(0.95) * 0.65  # plastic synapses start at 0.65 w
    for target, model in (("MSN_D1", "plastic_D1"), ("MSN_D2", "plastic_D2")):
        c = conn(plan, "CSN", target)
        assert c.indegree == pytest.approx(114.0)
        assert c.weights["AMPA"] == pytest.approx(w * 1.0, rel=1e-12)
        assert c.weights["NMDA"] == pytest.approx(w * 0.025, rel=1e-12)
        assert c.synapse_model == model and c.delay_ms == 7.0 and c.mask_radius == 0.15
    assert w == pytest.approx(1.04515, abs=1e-4)


def test_fsi_to_msn(plan):
    nu = 532000 / 26448000 * 1.0 * 4362  # 87.73...
    K = nu / 3
    for target in ("MSN_D1", "MSN_D2"):
        c = conn(plan, "FSI", target)
        assert c.indegree == pytest.approx(K) and K == pytest.approx(29.2466, abs=1e-3)
        assert c.weights == {"GABA": pytest.approx(nu / K * A_MSN(0.19) * -0.25)}
        assert c.mask_radius == 2.0 and c.delay_ms == 1.0


def test_msn_to_gpi_splits_d1_d2_by_lambda(plan):
    nu = 26448000 / 143000 * 0.82 * 210
    K = nu / 3  # 10616.3, below the 31728 MSNs
    w = nu / K * A_GPI(0.59) * -0.25 * 0.3  # gain 0.3 in the published runs
    d1, d2 = conn(plan, "MSN_D1", "GPi"), conn(plan, "MSN_D2", "GPi")
    assert d1.indegree == pytest.approx(0.9 * K) and d2.indegree == pytest.approx(0.1 * K)
    assert d1.weights["GABA"] == pytest.approx(w) == d2.weights["GABA"]
    assert d1.delay_ms == 11.0
    # and the reverse for GPe
    ge1, ge2 = conn(plan, "MSN_D1", "GPe"), conn(plan, "MSN_D2", "GPe")
    assert ge2.indegree / ge1.indegree == pytest.approx(0.9 / 0.1)


def test_msn_collaterals_have_structural_and_functional_asymmetry(plan):
    K = 26448000 / 26448000 * 1.0 * 210 / 3  # 70
    w = 3.0 * A_MSN(0.77) * -0.25
    kappa = 2.0
    expected = {("MSN_D1", "MSN_D1"): (0.5 * K, w), ("MSN_D1", "MSN_D2"): (0.1 * K, w),
                ("MSN_D2", "MSN_D1"): (0.5 * K, kappa * w), ("MSN_D2", "MSN_D2"): (0.5 * K, kappa * w)}
    for (src, tgt), (k, weight) in expected.items():
        c = conn(plan, src, tgt)
        assert c.indegree == pytest.approx(k) and c.weights["GABA"] == pytest.approx(weight)


def test_stn_to_gpi(plan):
    nu = 77000 / 143000 * 0.72 * 233
    c = conn(plan, "STN", "GPi")
    assert c.indegree == pytest.approx(nu / 3) and c.indegree == pytest.approx(30.111, abs=1e-3)
    assert c.weights["AMPA"] == pytest.approx(3 * A_GPI(0.59))
    assert c.weights["NMDA"] == pytest.approx(3 * A_GPI(0.59) * 0.025)
    assert c.mask_radius == 2.0 and c.delay_ms == 3.0


def test_cmpf_to_msn(plan):
    nu = 86000 / 26448000 * 1.0 * 4965
    c = conn(plan, "CMPf", "MSN_D1")
    assert c.indegree == pytest.approx(nu / 3) and c.indegree == pytest.approx(5.3815, abs=1e-3)
    assert c.weights["AMPA"] == pytest.approx(3 * A_MSN(0.27))
    assert c.synapse_model == "static"


def test_zero_alpha_projections_are_not_wired(plan):
    assert plan.projections["STN->MSN"].indegree == 0
    assert not [c for c in plan.connections if c.projection in ("STN->MSN", "GPe->MSN")]


def test_indegree_is_capped_at_the_source_population():
    cfg = load_config("resting_state", overrides=["projections.GPe->GPi.alpha=100000"])
    d = derive_network(cfg).projections["GPe->GPi"]
    assert d.indegree == 300  # the 300 GPe neurons
    assert d.weights["GABA"] == pytest.approx(d.nu / 300 * A_GPI(0.13) * -0.25)


def test_dropping_the_fractional_indegree_keeps_floor_k_and_the_weights():
    mean = derive_network(load_config("resting_state"))
    drop = derive_network(load_config(
        "resting_state", overrides=["connectivity.fractional_indegree=drop"]))
    unwired = [a for a in mean.connections if a.indegree < 1]
    assert [(a.source, a.target) for a in unwired] == [("STN", "FSI")]  # K = 0.75
    fractional = 0
    for a, b in zip([a for a in mean.connections if a.indegree >= 1], drop.connections):
        assert (a.source, a.target, a.role) == (b.source, b.target, b.role)
        assert b.indegree == math.floor(a.indegree + 1e-9) and b.fractional_indegree == 0
        assert dict(a.weights) == dict(b.weights)  # nu / K, not nu / floor(K)
        fractional += a.fractional_indegree > 1e-9
    assert fractional >= 10  # PTN->MSN (K = 1.67), GPe->FSI (8.88), CMPf->MSN (5.38), ...
    indegree = {(b.source, b.target): b.indegree for b in drop.connections}
    assert indegree["PTN", "MSN_D1"] == 1.0  # K = 1.67
    assert len(drop.connections) == len(mean.connections) - 1


def test_fractional_indegree_accepts_only_mean_or_drop():
    from bgmodel.model.schema import ConfigError
    with pytest.raises(ConfigError, match=r"connectivity\.fractional_indegree.*mean, drop"):
        load_config("resting_state", overrides=["connectivity.fractional_indegree=round"])


def test_paired_msn_positions_put_a_d1_and_a_d2_msn_at_every_place():
    separate = derive_network(load_config("resting_state", preset="small")).populations
    paired = derive_network(load_config(
        "resting_state", preset="small",
        overrides=["striatum.msn_positions=paired"])).populations
    d1, d2 = paired["MSN_D1"], paired["MSN_D2"]
    n_msn = separate["MSN_D1"].size + separate["MSN_D2"].size
    assert d1.size == d2.size == n_msn // 2
    assert np.array_equal(d1.positions, d2.positions)
    # the same places, so the same channel members
    assert all(np.array_equal(a, b) for a, b in zip(d1.channels, d2.channels))
    assert not np.isin(separate["MSN_D1"].positions[:, 0],
                       separate["MSN_D2"].positions[:, 0]).any()


def test_paired_msn_positions_need_as_many_d1_as_d2_msns():
    from bgmodel.model.schema import ConfigError
    with pytest.raises(ConfigError, match=r"striatum\.msn_positions.*d1_fraction is not 0\.5"):
        load_config("resting_state", overrides=["striatum.msn_positions=paired",
                                                "striatum.d1_fraction=0.4"])
    with pytest.raises(ConfigError, match=r"striatum\.msn_positions.*separate, paired"):
        load_config("resting_state", overrides=["striatum.msn_positions=twins"])


def test_scale_shrinks_msn_and_inputs_but_keeps_indegrees_and_weights():
    full = derive_network(load_config("resting_state"))
    small = derive_network(load_config("resting_state", preset="small"))
    assert full.populations["MSN_D1"].size + full.populations["MSN_D2"].size == 31728
    assert small.populations["MSN_D1"].size + small.populations["MSN_D2"].size == 3173
    assert small.populations["CSN"].size == 3600 and full.populations["CSN"].size == 36000
    assert small.populations["FSI"].size == 636 and small.populations["GPi"].size == 168
    for a, b in zip(full.connections, small.connections):
        assert (a.source, a.target, a.indegree, dict(a.weights)) == \
               (b.source, b.target, b.indegree, dict(b.weights))
    # enough MSNs of each type in every channel for channel readouts
    for pop in ("MSN_D1", "MSN_D2"):
        assert min(len(m) for m in small.populations[pop].channels) >= 40


def test_input_scale_sets_the_relays_apart_from_the_msns():
    cfg = load_config("resting_state", preset="small",
                      overrides=["simulation.input_scale=0.5"])
    plan = derive_network(cfg)
    assert plan.scale == 0.1 and plan.input_scale == 0.5
    assert plan.populations["MSN_D1"].size + plan.populations["MSN_D2"].size == 3173
    for name in ("CSN", "PTN", "CMPf"):
        assert plan.populations[name].size == 18000
    # null (the default): the relays follow simulation.scale
    assert derive_network(load_config("resting_state", preset="small")).input_scale == 0.1


def test_input_scale_outside_zero_one_is_refused():
    from bgmodel.model.config import ConfigError
    with pytest.raises(ConfigError, match=r"simulation\.input_scale = 1\.5"):
        load_config("resting_state", overrides=["simulation.input_scale=1.5"])


def test_positions_and_channels(plan):
    centres = plan.channel_centres
    assert centres[0] == pytest.approx([0.24 * math.cos(math.radians(-30)), -0.12])
    assert np.hypot(*centres.T) == pytest.approx(np.full(6, 0.24))
    for pop in plan.populations.values():
        if pop.positions is None:
            continue
        assert np.all(np.abs(pop.positions) <= 0.5)
        for c, members in enumerate(pop.channels):
            inside = periodic_distance(pop.positions, centres[c], 1.0) <= 0.12
            assert np.array_equal(np.flatnonzero(inside), members)
    # disc area pi 0.12^2 = 4.5 % of the layer
    n_msn = plan.populations["MSN_D1"].size
    assert np.mean([len(m) for m in plan.populations["MSN_D1"].channels]) == \
        pytest.approx(n_msn * math.pi * 0.12 ** 2, rel=0.1)
    # grid nuclei sit on a regular grid: pairwise spacing is a multiple of 1/side
    gpe = plan.populations["GPe"].positions
    side = math.ceil(math.sqrt(300))
    assert np.allclose((gpe + 0.5) * side - 0.5, np.round((gpe + 0.5) * side - 0.5))


def test_same_seed_same_positions_other_seed_other_positions():
    cfg = load_config("resting_state", preset="small")
    a, b = derive_network(cfg), derive_network(cfg)
    c = derive_network(cfg, seed=7)
    assert np.array_equal(a.populations["MSN_D1"].positions, b.populations["MSN_D1"].positions)
    assert not np.array_equal(a.populations["MSN_D1"].positions, c.populations["MSN_D1"].positions)


def test_published_geometry_places_grids_as_the_authors_code():
    """configs/variants/published_geometry.yaml: STN on corners of a 10 x 10 grid on
    [-0.4, 0.5) (x = -0.4 + 0.09 i), GPe on corners of an 18 x 18 grid on [-0.5, 0.5)."""
    spec = derive_network(load_config("resting_state")).populations
    ours = derive_network(load_config(
        "resting_state", overlays=[VARIANTS / "published_geometry.yaml"])).populations
    stn, gpe = ours["STN"].positions, ours["GPe"].positions
    assert stn.shape == (96, 2) and gpe.shape == (300, 2)
    assert np.allclose(np.unique(stn[:, 0]), -0.4 + 0.09 * np.arange(10))
    assert np.allclose(np.unique(gpe[:, 1]), -0.5 + np.arange(18) / 18)
    assert np.allclose(np.unique(spec["STN"].positions[:, 0]), -0.45 + 0.1 * np.arange(10))
    # The squeezed STN grid puts more of the 96 STN neurons inside a channel disc (radius
    # 0.12): spacing 0.09 against 0.1.
    assert sum(map(len, ours["STN"].channels)) > sum(map(len, spec["STN"].channels))


def test_grid_box_is_checked_against_placement_and_layer():
    from bgmodel.model.schema import ConfigError
    box = "{lower: -0.4, size: 1.0, points: corner}"
    with pytest.raises(ConfigError, match=r"nuclei\.STN\.grid_box.*inside the layer"):
        load_config("resting_state", overrides=[f"nuclei.STN.grid_box={box}"])
    with pytest.raises(ConfigError, match=r"nuclei\.MSN\.grid_box.*placement is 'uniform'"):
        load_config("resting_state",
                    overrides=["nuclei.MSN.grid_box={lower: -0.5, size: 1.0, points: corner}"])
    with pytest.raises(ConfigError, match=r"nuclei\.GPi\.grid_box\.points.*centre, corner"):
        load_config("resting_state",
                    overrides=["nuclei.GPi.grid_box={lower: -0.5, size: 1.0, points: edge}"])
