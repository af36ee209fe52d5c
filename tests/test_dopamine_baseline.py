"""The neutral baseline of the burst/dip synapse (bgmodel.dopamine.baseline), without
NEST: sampled traces against their expectations, neutrality on fresh trains, the
fallback when no baseline can be neutral, and the derivation's choices."""
import numpy as np
import pytest

from bgmodel.dopamine import baseline as bl
from bgmodel.model.config import load_config
from bgmodel.model.derive import derive_signal
from bgmodel.model.schema import ConfigError

UNITS, TONIC, TAU_N = 10, 4.0, 100.0
BURST, PAUSE = (20.0, 200.0), (0.0, 300.0)
RATE = UNITS * TONIC / 1000.0
# k = A_plus tau_plus - A_minus tau_minus of the paper's sets (dc = 1, taus 20 ms), dip
# negated: D1 burst (1, 0.25), dip (-0.025, 0.025); D2 burst (1/3, 0.75), dip (1, -1).
K = {"D1": (15.0, 1.0), "D2": (-25.0 / 3.0, -40.0)}


@pytest.fixture(scope="module")
def samples():
    return bl.sample_traces(UNITS, TONIC, TAU_N, BURST, PAUSE)


def test_sampled_traces_have_the_shot_noise_statistics(samples):
    # Mean R and variance R / (2 tau_n) of shot noise with jumps 1 / tau_n.
    assert samples.tonic.mean() == pytest.approx(RATE, rel=0.02)
    assert samples.tonic.var() == pytest.approx(RATE / (2 * TAU_N), rel=0.1)
    # At b = 0, (n - b)+ is n: a burst adds units * (rate - tonic) * duration spikes.
    _, _, excess, _ = bl.integrals(samples, 0.0)
    assert excess == pytest.approx(UNITS * (BURST[0] - TONIC) * BURST[1] / 1000, rel=0.05)
    # Far above every n, (b - n)+ is b - n: a pause withholds units * tonic * duration.
    _, _, _, deficit = bl.integrals(samples, 1.0)
    assert deficit == pytest.approx(UNITS * TONIC * PAUSE[1] / 1000, rel=0.05)


@pytest.mark.parametrize("cell", ["D1", "D2"])
def test_neutral_baseline_removes_the_tonic_drift_on_fresh_trains(samples, cell):
    k_burst, k_dip = K[cell]
    cal = bl.calibrate(samples, RATE, k_burst, k_dip, 6.0, 8.0)
    assert cal.neutral
    # Gains reproduce the rule's spikes at this b.
    assert cal.burst_scale * cal.burst_excess == pytest.approx(6.0)
    assert cal.dip_scale * cal.pause_deficit == pytest.approx(8.0)
    fresh = bl.sample_traces(UNITS, TONIC, TAU_N, BURST, PAUSE, seed=99)

    def drift(b, burst_scale, dip_scale):
        up, down, _, _ = bl.integrals(fresh, b)
        return k_burst * burst_scale * up - k_dip * dip_scale * down

    at_mean = bl.calibrate(samples, RATE, k_burst, k_dip, 6.0, 8.0)
    old = drift(RATE, 6.0 / 32.0, 8.0 / 12.0)
    new = drift(cal.b, cal.burst_scale, cal.dip_scale)
    assert abs(new) < 0.05 * abs(old)
    # D1's dip set is the weaker one: b moves above the mean; D2's below.
    assert (cal.b > RATE) if cell == "D1" else (cal.b < RATE)
    assert at_mean == cal  # deterministic


def test_no_neutral_baseline_when_the_sets_pull_the_same_way(samples):
    cal = bl.calibrate(samples, RATE, 15.0, -1.0, 6.0, 8.0)
    assert not cal.neutral and cal.b == RATE


def derive(*overrides):
    cfg = load_config("plasticity", overlays=["configs/dopamine/physiological.yaml"],
                      overrides=list(overrides))
    return derive_signal(cfg.data)


def test_derivation_uses_one_neutral_baseline_per_cell_and_keeps_mean_rate_by_config():
    neutral = derive()
    assert neutral.calibration["baseline"] == "neutral"
    d1, d2 = neutral.amplitudes["D1"], neutral.amplitudes["D2"]
    assert d1["b"] > neutral.b > d2["b"] > 0
    assert neutral.calibration["D1"]["tonic_neutral"] and neutral.calibration["D2"]["tonic_neutral"]
    assert derive().amplitudes == neutral.amplitudes  # same config, same numbers

    old = derive("dopamine.baseline=mean_rate")
    dc = 0.00056
    assert old.amplitudes["D1"] == {"A_plus_burst": 1.0 * dc * 6 / 32,
                                    "A_minus_burst": 0.25 * dc * 6 / 32,
                                    "A_plus_dip": 0.025 * dc * 8 / 12,
                                    "A_minus_dip": -0.025 * dc * 8 / 12, "b": 0.04}


def test_a_wrong_baseline_is_refused_with_the_allowed_values():
    with pytest.raises(ConfigError) as err:
        derive("dopamine.baseline=zero")
    assert "dopamine.baseline" in str(err.value) and "neutral, mean_rate" in str(err.value)


def test_a_short_pause_limits_the_search_to_baselines_it_can_calibrate():
    # 20 units at 10 Hz (mean 0.2 spikes/ms) and a 150-ms pause: n never falls below
    # about 0.045, so no b under that can calibrate the dip gain; the search skips them.
    short = bl.sample_traces(20, 10.0, TAU_N, (30.0, 150.0), (0.0, 150.0), trials=200)
    for k_burst, k_dip in K.values():
        cal = bl.calibrate(short, 0.2, k_burst, k_dip, 6.0, 8.0)
        assert cal.pause_deficit > bl.MIN_EVENT_SPIKES
        assert cal.dip_scale * cal.pause_deficit == pytest.approx(8.0)
