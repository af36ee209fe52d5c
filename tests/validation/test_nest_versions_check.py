"""scripts/validation/nest_versions_check.py: the rig's inputs and parameters (no NEST), and one
small run on this environment's NEST 3 compared with itself."""
from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "validation" / "nest_versions_check.py"


def _check():
    spec = importlib.util.spec_from_file_location("nest_versions_check", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_parameters_come_from_the_configs():
    p = _check().model_parameters()
    assert p["neuron"]["I_e"] == 24.5  # published_runs.yaml, not network.yaml's 26
    assert p["neuron"]["tau_syn"] == pytest.approx([1.8393972058572117, 36.787944117144235])
    assert p["synapse"]["A_plus"] == pytest.approx(0.00056)
    assert p["synapse"]["A_minus"] == pytest.approx(0.00056 / 4)
    (ampa_port, ampa), (nmda_port, nmda) = p["ports"]
    assert (ampa_port, nmda_port) == (1, 2)
    assert ampa == pytest.approx(1.0452, abs=1e-3)  # CSN->MSN, plastic gain applied (their log)
    assert nmda / ampa == pytest.approx(0.025)
    assert p["delay_ms"] == 7.0


def test_inputs_follow_the_episode_windows():
    check = _check()
    windows = check.episode_windows(2)
    assert windows[0] == (1.0, 1001.0, 1501.0, 1801.0)
    assert windows[1][0] == 1.0 + 2800.0
    rates = check.rates_in_windows([(1.0, 1001.0)], 10.0, 2.0, 2001.0)
    assert rates.size == 20000 and rates[0] == 10.0 and rates[9999] == 10.0
    assert rates[10000] == 2.0
    rng = np.random.default_rng(3)
    times = check.poisson_times(rng, np.full(200000, 50.0))  # 20 s at 50 Hz
    assert 900 < times.size < 1100
    assert np.all(np.diff(times) > 0) and np.allclose(times * 10, np.round(times * 10))


@pytest.mark.nest
def test_identical_runs_compare_as_identical(tmp_path):
    """The rig on this NEST, twice: same spikes, same weights, and dopamine makes the
    plastic weights grow."""
    outs = []
    for name in ("a.json", "b.json"):
        out = tmp_path / name
        res = subprocess.run(
            [sys.executable, str(SCRIPT), "--out", str(out), "--episodes", "2", "--msns", "3",
             "--relays", "60", "--inputs", "40", "--stim-rate", "30", "--deliver-intervals", "100"],
            capture_output=True, text=True, timeout=300)
        assert res.returncode == 0, res.stderr[-2000:]
        outs.append(json.loads(out.read_text()))
    run = outs[0]["runs"]["100"]
    assert len(run["spikes"]) > 0
    assert run["mean_weight"][-1] > outs[0]["initial_mean_weight"]
    assert len(run["final"]) == 3 * 40 * 2  # AMPA and NMDA twins
    res = subprocess.run([sys.executable, str(SCRIPT), "--compare", str(tmp_path / "a.json"),
                          str(tmp_path / "b.json")], capture_output=True, text=True, timeout=60)
    assert res.returncode == 0, res.stderr[-2000:]
    n = len(run["spikes"])
    assert f"MSN spikes {n} / {n}, in both {n}" in res.stdout
    assert "ratio 1.000000" in res.stdout and "final weight 0.000e+00" in res.stdout
    assert "verdict: IDENTICAL" in res.stdout

    # A pair that differs (one MSN spike lost, one final weight moved by 1e-12) must be
    # reported as different, with a failing exit status.
    changed = json.loads((tmp_path / "b.json").read_text())
    changed["runs"]["100"]["spikes"] = changed["runs"]["100"]["spikes"][1:]
    changed["runs"]["100"]["final"][0][2] += 1e-12
    (tmp_path / "c.json").write_text(json.dumps(changed))
    res = subprocess.run([sys.executable, str(SCRIPT), "--compare", str(tmp_path / "a.json"),
                          str(tmp_path / "c.json")], capture_output=True, text=True, timeout=60)
    assert res.returncode == 1, res.stdout
    assert f"MSN spikes {n} / {n - 1}, in both {n - 1}" in res.stdout
    assert "verdict: DIFFERENT" in res.stdout and "final weight 1.000e-12" in res.stdout
    # Only the weight: still different.
    changed = json.loads((tmp_path / "b.json").read_text())
    changed["runs"]["100"]["final"][-1][2] -= 1e-15
    (tmp_path / "d.json").write_text(json.dumps(changed))
    res = subprocess.run([sys.executable, str(SCRIPT), "--compare", str(tmp_path / "a.json"),
                          str(tmp_path / "d.json")], capture_output=True, text=True, timeout=60)
    assert res.returncode == 1 and "verdict: DIFFERENT" in res.stdout
