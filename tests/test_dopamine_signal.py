"""bgmodel.dopamine.signal: outcomes, SNc signals, rate steps, expected spikes, b."""
import numpy as np
import pytest

from bgmodel.dopamine.signal import (EpisodeOutcome, GroupSignal, RateWindow, SncSignal,
                                     baseline_b)


def test_outcome_rejects_inconsistent_fields():
    with pytest.raises(ValueError, match="chooser"):
        EpisodeOutcome(0, "A", 0.0, 1500.0, 1, chooser="cortex")
    with pytest.raises(ValueError, match="rewarded and omitted"):
        EpisodeOutcome(0, "A", 0.0, 1500.0, 1, rewarded=True, omitted=True)
    with pytest.raises(ValueError, match="before the stimulus"):
        EpisodeOutcome(0, "A", 100.0, 50.0, 1)
    with pytest.raises(ValueError, match="one rate per"):
        EpisodeOutcome(0, "A", 0.0, 1500.0, 1, competing_channels=(1, 2), gpi_Hz=(3.0,))
    assert not EpisodeOutcome(0, "A", 0.0, None, None).has_outcome


def test_windows_are_checked():
    with pytest.raises(ValueError):
        RateWindow(10.0, 10.0, 5.0)
    with pytest.raises(ValueError):
        RateWindow(0.0, 10.0, -1.0)
    with pytest.raises(ValueError, match="overlap"):
        GroupSignal(4.0, (RateWindow(0, 200, 20), RateWindow(150, 300, 0)))


def test_rate_steps_for_an_inhomogeneous_poisson_generator():
    sig = GroupSignal(4.0, (RateWindow(1600, 1900, 0.0), RateWindow(100, 300, 20.0)))
    times, rates = sig.rate_steps(2800.0)
    assert times.tolist() == [0.0, 100.0, 300.0, 1600.0, 1900.0]
    assert rates.tolist() == [4.0, 20.0, 4.0, 0.0, 4.0]
    # From the decision on (the protocol reprograms the generator then).
    times, rates = sig.rate_steps(2800.0, from_ms=1500.0)
    assert times.tolist() == [1500.0, 1600.0, 1900.0] and rates.tolist() == [4.0, 0.0, 4.0]
    # Inside a window: the window's rate from from_ms.
    times, rates = sig.rate_steps(2800.0, from_ms=200.0)
    assert times.tolist() == [200.0, 300.0, 1600.0, 1900.0] and rates[0] == 20.0
    # A window at the tonic rate adds no step; a window past the period is cut.
    flat = GroupSignal(4.0, (RateWindow(10, 20, 4.0), RateWindow(2700, 3000, 9.0)))
    times, rates = flat.rate_steps(2800.0)
    assert times.tolist() == [0.0, 2700.0] and rates.tolist() == [4.0, 9.0]


def test_expected_spikes_count_tonic_and_windows():
    sig = SncSignal({"snc": GroupSignal(4.0, (RateWindow(1600, 1900, 0.0),
                                               RateWindow(100, 300, 20.0)))})
    # 10 units: tonic 4 Hz over 2.8 s = 112, burst adds 10 * 16 Hz * 0.2 s = 32,
    # the pause removes 10 * 4 Hz * 0.3 s = 12.
    assert sig.expected_spikes("snc", 0, 2800, units=10) == pytest.approx(112 + 32 - 12)
    assert sig.expected_spikes("snc", 1600, 1900) == 0.0
    assert sig.expected_spikes("snc", 1500, 2000) == pytest.approx(4.0 * 0.2)
    assert sig.window_lists() == {"snc": [[100, 300, 20.0], [1600, 1900, 0.0]]}


def test_baseline_b_is_the_arriving_rate_per_ms():
    assert baseline_b(4.0) == 0.004
    assert baseline_b(4.0, 10) == pytest.approx(0.04)
    with pytest.raises(ValueError):
        baseline_b(4.0, 0)


def test_baseline_b_is_the_mean_of_nest_s_dopamine_trace():
    # NEST's trace: n -> n exp(-dt / tau_n) + 1 / tau_n at each spike. Its time average
    # under Poisson spikes at N * rate equals baseline_b (independent of tau_n).
    rng = np.random.default_rng(3)
    tau_n, units, rate_Hz, dt, T = 100.0, 10, 4.0, 1.0, 200_000.0
    spikes = rng.poisson(units * rate_Hz * dt / 1000.0, int(T / dt))
    decay = np.exp(-dt / tau_n)
    n, total = 0.0, 0.0
    for k in spikes:
        n = n * decay + k / tau_n
        total += n
    assert total / len(spikes) == pytest.approx(baseline_b(rate_Hz, units), rel=0.03)
