"""Action selection without NEST: grid, selection rule, metrics, relay sampling, config."""
import math
from types import SimpleNamespace

import numpy as np
import pytest

from bgmodel.model.channel_input import relays_to_sample, sample_relays, sample_stimulated_relays
from bgmodel.model.config import load_config
from bgmodel.model.derive import Population
from bgmodel.model.schema import ConfigError
from bgmodel.protocols.common import population_channel_rates
from bgmodel.protocols.selection import (BOTH, CHANNEL1, CHANNEL2, NONE, classify,
                                         expected_outcome, grid_steps, is_selected,
                                         rest_references, selection_metrics)


# ----------------------------------------------------------------------------- grid
def test_default_grid_is_11_by_11_in_authors_order():
    cfg = load_config("action_selection")
    grid = cfg["protocol"]["grid"]
    steps = grid_steps(grid["channel1_levels"], grid["channel2_levels"], grid["rate_step_Hz"])
    assert len(steps) == 121
    # channel-1 level in the outer loop: step 12 is (1, 1), step 120 is (10, 10)
    assert (steps[12].i, steps[12].j) == (1, 1)
    assert (steps[11].i, steps[11].j) == (1, 0)
    assert steps[120].rate_ch1_Hz == pytest.approx(17.0)
    assert steps[120].rate_ch2_Hz == pytest.approx(17.0)
    assert [s.step for s in steps] == list(range(121))


def test_grid_rates_are_level_times_step():
    steps = grid_steps([0, 3], [2], 1.7)
    assert [(s.rate_ch1_Hz, s.rate_ch2_Hz) for s in steps] == \
        [pytest.approx((0.0, 3.4)), pytest.approx((5.1, 3.4))]


# ----------------------------------------------------------------------------- rule
def test_selected_needs_a_drop_larger_than_the_threshold():
    assert is_selected(60.0, 70.0, 5.0)
    assert not is_selected(65.0, 70.0, 5.0)  # a drop equal to the threshold is not enough
    assert not is_selected(75.0, 70.0, 5.0)  # a rise never selects
    np.testing.assert_array_equal(is_selected([50, 66, 80], [70, 70, 70], 5.0),
                                  [True, False, False])


def test_threshold_as_fraction_of_rest():
    assert is_selected(55.0, 70.0, 0.2, "fraction_of_rest")       # drop 15 > 14
    assert not is_selected(57.0, 70.0, 0.2, "fraction_of_rest")   # drop 13 < 14
    assert is_selected(57.0, 70.0, 0.2)  # in Hz, 13 > 0.2
    with pytest.raises(ValueError, match="threshold unit"):
        is_selected(50.0, 70.0, 0.2, "percent")


@pytest.mark.parametrize("g1, g2, expected", [
    (40.0, 70.0, CHANNEL1), (70.0, 40.0, CHANNEL2), (40.0, 40.0, BOTH), (69.0, 71.0, NONE)])
def test_four_outcome_families(g1, g2, expected):
    assert classify(g1, g2, 70.0, 70.0, 5.0) == expected


def test_per_channel_rest_changes_the_outcome():
    # ch1 rests at 80 Hz, ch2 at 64 Hz: 66 Hz is a selection for ch1 only
    assert classify(66.0, 66.0, 80.0, 64.0, 5.0) == CHANNEL1
    assert rest_references([80.0, 64.0], 72.0, "per_channel") == [80.0, 64.0]
    assert rest_references([80.0, 64.0], 72.0, "overall") == [72.0, 72.0]
    assert classify(66.0, 66.0, *rest_references([80.0, 64.0], 72.0, "overall"), 5.0) == BOTH
    with pytest.raises(ValueError, match="rest reference"):
        rest_references([80.0, 64.0], 72.0, "median")


def test_competition_margin_turns_both_into_the_clear_winner():
    # Both channels are past the 5 Hz threshold; with a margin only the channel that is
    # more than margin_Hz below the other counts.
    assert classify(50.0, 62.0, 70.0, 70.0, 5.0) == BOTH
    assert classify(50.0, 62.0, 70.0, 70.0, 5.0, margin_Hz=10.0) == CHANNEL1
    assert classify(62.0, 50.0, 70.0, 70.0, 5.0, margin_Hz=10.0) == CHANNEL2
    # a gap equal to the margin is not enough, and neither is a gap without the drop
    assert classify(50.0, 60.0, 70.0, 70.0, 5.0, margin_Hz=10.0) == NONE
    assert classify(67.0, 90.0, 70.0, 70.0, 5.0, margin_Hz=10.0) == NONE
    # margin 0: a tie past the threshold selects neither
    assert classify(50.0, 50.0, 70.0, 70.0, 5.0, margin_Hz=0.0) == NONE


def test_competition_margin_is_off_by_default_and_validated():
    cfg = load_config("action_selection")
    assert cfg["protocol"]["selection"]["margin_Hz"] is None
    assert load_config("action_selection", overrides=["protocol.selection.margin_Hz=3"]
                       )["protocol"]["selection"]["margin_Hz"] == 3
    with pytest.raises(ConfigError, match="margin_Hz"):
        load_config("action_selection", overrides=["protocol.selection.margin_Hz=-1"])


def test_expected_outcome_is_the_stronger_input():
    assert expected_outcome(17.0, 0.0) == CHANNEL1
    assert expected_outcome(1.7, 3.4) == CHANNEL2
    assert expected_outcome(5.1, 5.1) is None


def test_msn_rates_are_pooled_by_group_size():
    """MSN in a channel: D1 and D2 weighted by their neurons there; an empty group
    does not poison the pool; a channel without neurons is nan."""
    def pop(name, channels):
        return Population(name, "nucleus", 40, None, tuple(np.array(c) for c in channels))

    class Plan:
        populations = {"MSN_D1": pop("MSN_D1", [range(10), [], []]),
                       "MSN_D2": pop("MSN_D2", [range(30), range(30), []])}

    def spikes_of(senders):
        return SimpleNamespace(senders=senders, times=np.full(len(senders), 0.5))

    # 1 s window: D1 neurons fire once, D2 neurons 3 times.
    spikes = {"MSN_D1": spikes_of(np.arange(10)), "MSN_D2": spikes_of(np.repeat(np.arange(30), 3))}
    rates = population_channel_rates(Plan, spikes, "MSN", [0, 1, 2], 0.0, 1000.0)
    assert rates[0] == pytest.approx(2.5) and rates[1] == pytest.approx(3.0)
    assert math.isnan(rates[2])


# ----------------------------------------------------------------------------- metrics
def test_selection_metrics_on_a_hand_made_grid():
    r1 = [0.0, 0.0, 17.0, 17.0, 8.5]
    r2 = [0.0, 17.0, 0.0, 17.0, 0.0]
    g1 = [70.0, 72.0, 40.0, 45.0, 60.0]
    g2 = [70.0, 41.0, 71.0, 47.0, 61.0]
    outcomes = [NONE, CHANNEL2, CHANNEL1, BOTH, BOTH]
    m = selection_metrics(r1, r2, g1, g2, outcomes)
    assert m["steps"] == 5 and m["unequal_steps"] == 3 and m["equal_steps"] == 2
    assert m["correct_single_selections"] == 2
    assert m["selection_fraction"] == pytest.approx(2 / 3)
    assert m["outcome_counts"]["unequal"] == {CHANNEL1: 1, CHANNEL2: 1, BOTH: 1, NONE: 0}
    assert m["outcome_counts"]["equal"] == {CHANNEL1: 0, CHANNEL2: 0, BOTH: 1, NONE: 1}
    by = {g["input_difference_Hz"]: g for g in m["contrast_by_input_difference"]}
    assert set(by) == {-17.0, 0.0, 8.5, 17.0}
    assert by[0.0]["mean_contrast_Hz"] == pytest.approx(1.0)  # (0 + 2) / 2
    assert by[0.0]["steps"] == 2
    assert by[17.0]["mean_contrast_Hz"] == pytest.approx(31.0)
    assert math.isnan(by[17.0]["sd_contrast_Hz"])


def test_contrast_fit_recovers_a_linear_response():
    r1 = np.repeat(np.arange(5) * 1.7, 5)
    r2 = np.tile(np.arange(5) * 1.7, 5)
    g1 = 70.0 - 2.0 * r1 + 0.5 * r2
    g2 = 70.0 - 2.0 * r2 + 0.5 * r1
    m = selection_metrics(r1, r2, g1, g2, [NONE] * 25)
    # contrast = g2 - g1 = 2.5 (r1 - r2)
    assert m["contrast_fit"]["slope"] == pytest.approx(2.5)
    assert m["contrast_fit"]["intercept_Hz"] == pytest.approx(0.0, abs=1e-9)
    assert m["selection_fraction"] == 0.0


def test_metrics_without_unequal_steps_and_bad_lengths():
    m = selection_metrics([1.7], [1.7], [60.0], [61.0], [BOTH])
    assert math.isnan(m["selection_fraction"])
    assert math.isnan(m["contrast_fit"]["slope"])
    with pytest.raises(ValueError, match="one value per step"):
        selection_metrics([1.7, 0.0], [1.7], [60.0], [61.0], [BOTH])


# ----------------------------------------------------------------------------- relays
def test_relays_to_sample_scales_and_caps():
    assert relays_to_sample(200, 1.0, True, 1600) == 200
    assert relays_to_sample(200, 0.1, True, 160) == 20
    assert relays_to_sample(200, 0.001, True, 5) == 1       # at least one
    assert relays_to_sample(200, 0.1, False, 160) == 160    # capped at the channel
    assert relays_to_sample(200, 0.1, False, 0) == 0


def test_stimulated_relays_follow_the_relays_scale_not_the_msns():
    from bgmodel.model.derive import derive_network
    cfg = load_config("plasticity", preset="small", overrides=["simulation.input_scale=0.5"])
    plan = derive_network(cfg)
    proto = cfg["protocol"]
    sampled = sample_stimulated_relays(plan, proto["stimulated_inputs"], (1, 2),
                                       proto["sampled_relays"], plan.input_scale,
                                       np.random.default_rng(0))
    # 300 per channel at full scale, relays at 50 % (MSNs at 10 %)
    assert {len(v) for v in sampled.values()} == {150}
    for (name, ch), idx in sampled.items():
        assert set(idx) <= set(plan.populations[name].channels[ch])


def test_sample_relays_draws_distinct_members_reproducibly():
    members = np.arange(100, 160)
    a = sample_relays(members, 20, np.random.default_rng([1, 2]))
    b = sample_relays(members, 20, np.random.default_rng([1, 2]))
    np.testing.assert_array_equal(a, b)
    assert len(np.unique(a)) == 20 and np.all(np.diff(a) > 0)
    assert set(a) <= set(members)
    with pytest.raises(ValueError, match="cannot sample"):
        sample_relays(members, 61, np.random.default_rng(0))


# ----------------------------------------------------------------------------- config
def test_default_config_validates_and_passes_cross_checks():
    cfg = load_config("action_selection", preset="small")
    proto = cfg["protocol"]
    assert proto["competing_channels"] == [1, 2]
    assert proto["stimulated_inputs"] == {"CSN": 1.0, "PTN": 1.8}
    assert proto["sampled_relays"]["per_channel"] == 200


@pytest.mark.parametrize("override, key", [
    ("protocol.competing_channels=[1, 1]", "protocol.competing_channels"),
    ("protocol.competing_channels=[1, 7]", "protocol.competing_channels"),
    ("protocol.competing_channels=[1, 2, 3]", "protocol.competing_channels"),
    ("protocol.grid.channel1_levels=[-1, 2]", "protocol.grid.channel1_levels"),
    ("protocol.grid.channel2_levels=[]", "protocol.grid.channel2_levels"),
    ("protocol.read_populations=[GPi, SNr]", "protocol.read_populations[1]"),
    ("protocol.rest_window_ms=[200, 1500]", "protocol.rest_window_ms"),
    ("protocol.stimulated_inputs={M1: 1.0}", "protocol.stimulated_inputs.M1"),
])
def test_cross_checks_name_the_key(override, key):
    # Checked when the config loads: names by the schema's references, the others by
    # the checks the protocol's schema declares.
    with pytest.raises(ConfigError) as err:
        load_config("action_selection", overrides=[override])
    assert err.value.path == key
    assert err.value.source == "--set"


@pytest.mark.parametrize("override, key", [
    ("protocol.selection.rest_reference=median", "protocol.selection.rest_reference"),
    ("protocol.selection.threshold=-1", "protocol.selection.threshold"),
    ("protocol.sampled_relays.per_channel=0", "protocol.sampled_relays.per_channel"),
    ("protocol.grid.spacing=2", "protocol.grid.spacing"),
])
def test_schema_rejects_bad_values(override, key):
    with pytest.raises(ConfigError) as err:
        load_config("action_selection", overrides=[override])
    assert err.value.path == key
