"""Poisson input trains drawn in numpy (no NEST)."""
from __future__ import annotations

import numpy as np
import pytest

from bgmodel.model.inputs import PoissonInputs


def make(seed=1, rate=20.0, n=2000):
    return PoissonInputs({"CSN": n}, {"CSN": rate}, 0.1, seed)


def test_background_rate_and_poisson_counts():
    inputs = make()
    trains = inputs.draw("CSN", 0.0, 1000.0)
    counts = np.array([len(t) for t in trains])
    assert counts.mean() == pytest.approx(20.0, rel=0.03)
    assert counts.var() / counts.mean() == pytest.approx(1.0, abs=0.1)  # Fano factor 1
    times = np.concatenate(trains)
    assert times.min() > 0.0 and times.max() <= 1000.0
    assert np.allclose(times * 10, np.round(times * 10))  # on the 0.1 ms grid
    assert all(np.all(np.diff(t) >= 0) for t in trains)


def test_stimulus_adds_rate_only_to_its_relays_and_window():
    inputs = make(rate=5.0)
    relays = np.arange(0, 2000, 2)
    inputs.add_stimulus("ch1", "CSN", relays)
    inputs.set_stimulus("ch1", 40.0, 200.0, 700.0)
    trains = inputs.draw("CSN", 0.0, 1000.0)
    def rate(idx, a, b):
        return np.mean([np.sum((trains[i] > a) & (trains[i] <= b)) for i in idx]) / ((b - a) / 1000)
    others = np.arange(1, 2000, 2)
    assert rate(relays, 200, 700) == pytest.approx(45.0, rel=0.05)
    assert rate(others, 200, 700) == pytest.approx(5.0, rel=0.1)
    assert rate(relays, 700, 1000) == pytest.approx(5.0, rel=0.15)
    assert rate(relays, 0, 200) == pytest.approx(5.0, rel=0.15)


def test_same_seed_same_trains():
    a = make(seed=3).draw("CSN", 0.0, 500.0)
    b = make(seed=3).draw("CSN", 0.0, 500.0)
    c = make(seed=4).draw("CSN", 0.0, 500.0)
    assert all(np.array_equal(x, y) for x, y in zip(a, b))
    assert not all(np.array_equal(x, y) for x, y in zip(a, c))


def test_bad_relay_indices_are_rejected():
    with pytest.raises(IndexError):
        make(n=10).add_stimulus("x", "CSN", [3, 10])
    with pytest.raises(KeyError):
        make().add_stimulus("x", "PTN", [1])
