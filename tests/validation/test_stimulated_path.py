"""scripts/validation/stimulated_path.py on small inputs (no NEST): the stimulated-input
counts, the train statistics, the authors' readout and the table at a reduced scale."""
from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "validation" / "stimulated_path.py"
VARIANTS = ROOT / "configs" / "variants"


@pytest.fixture(scope="module")
def sp():
    spec = importlib.util.spec_from_file_location("stimulated_path", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def _side(sp, sampled, k=10, frac=0.0, n_msn=50):
    """Relays on a 40 x 40 grid, MSNs at the centre: every relay is within the mask."""
    g = (np.arange(40) + 0.5) / 40 * 0.2 - 0.1
    relays = np.column_stack([a.ravel() for a in np.meshgrid(g, g, indexing="ij")])
    msn = np.zeros((n_msn, 2))
    everyone = (np.arange(n_msn),)
    return sp.Side("test", 1.0, {"MSN_D1": msn}, {"MSN_D1": everyone}, {"CSN": relays},
                   {"CSN": (np.arange(len(relays)),)}, {("CSN", 0): np.asarray(sampled)},
                   {"CSN": (k, frac)}, 0.15, {"CSN": 1.0})


def test_counts_follow_the_sampled_share(sp):
    rng = np.random.default_rng(3)
    everyone = sp.stimulated_counts(_side(sp, np.arange(1600)), "CSN", "MSN_D1", 0, rng, 4)
    assert everyone["mean"] == everyone["max"] == 10 and everyone["fraction_zero"] == 0
    nobody = sp.stimulated_counts(_side(sp, np.arange(0)), "CSN", "MSN_D1", 0, rng, 4)
    assert nobody["mean"] == 0 and nobody["fraction_zero"] == 1
    quarter = sp.stimulated_counts(_side(sp, np.arange(400)), "CSN", "MSN_D1", 0, rng, 200)
    assert quarter["expected_mean"] == pytest.approx(2.5)
    assert quarter["mean"] == pytest.approx(2.5, abs=0.1)
    assert quarter["sd"] == pytest.approx(np.sqrt(10 * 0.25 * 0.75), rel=0.1)


def test_fractional_remainder_adds_pairwise_draws(sp):
    side = _side(sp, np.arange(1600), k=1, frac=0.5)
    p = sp.pairwise_probability(side, "CSN")
    assert p == pytest.approx(0.5 / (1600 * np.pi * 0.15 ** 2))
    c = sp.stimulated_counts(side, "CSN", "MSN_D1", 0, np.random.default_rng(1), 200)
    assert c["expected_mean"] == pytest.approx(1 + 1600 * p)


def test_train_stats_tell_independent_from_shared_trains(sp):
    rng = np.random.default_rng(0)
    n, t0, t1, total = 100, 1000.0, 2000.0, 3000.0

    def poisson(rate, a, b):
        return np.sort(rng.uniform(a, b, rng.poisson(rate * (b - a) / 1000.0)))

    independent = [np.concatenate([poisson(2, 0, total), poisson(13.6, t0, t1)])
                   for _ in range(2 * n)]
    st = sp.train_stats(independent, np.arange(n), np.arange(n, 2 * n), t0, t1, total)
    assert st["rate_in_window_Hz"] == pytest.approx(15.6, rel=0.05)
    assert st["rate_outside_Hz"] == pytest.approx(2.0, rel=0.1)
    assert 0.7 < st["pooled_fano"] < 1.4
    shared_train = poisson(15.6, t0, t1)
    shared = [shared_train for _ in range(n)]
    assert sp.train_stats(shared, np.arange(n), np.arange(n), t0, t1, total)["pooled_fano"] > 50


def test_authors_readout_closes_the_window(sp):
    from bgmodel.results.analysis import channel_rates
    senders = np.array([0, 1, 2, 0])
    times = np.array([1000.0, 1500.0, 2000.0, 2000.1])
    members = np.array([0, 1, 2])
    ours = channel_rates(senders, times, [members], 1000.0, 2000.0)[0]
    assert ours == pytest.approx(2 / 3)
    assert sp.authors_rate(senders, times, members, 1000.0, 2000.0) == pytest.approx(1.0)


def test_authors_grid_uses_cell_corners(sp):
    grid = sp.authors_grid(10, np.random.default_rng(0))
    assert len(grid) == 10
    assert grid.min() == pytest.approx(-0.5) and grid.max() == pytest.approx(0.5 - 1 / 4)


def test_table_at_reduced_scale(sp):
    out = subprocess.run([sys.executable, str(SCRIPT), "--set", "simulation.scale=0.25",
                          "-c", str(VARIANTS / "published_runs.yaml"), "--draws", "2"],
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    rows = {line.split("|")[1].strip(): [c.strip() for c in line.split("|")[2:4]]
            for line in out.stdout.splitlines() if line.startswith("| ")}
    # the spec's mean K against the authors' floor(K); the same stimulus either way
    assert rows["PTN->MSN in-degree (integer + fraction)"] == ["1 + 0.667", "1 + 0.000"]
    assert rows["CSN->MSN in-degree (integer + fraction)"] == ["114 + 0.000", "114 + 0.000"]
    assert rows["CSN ch1: extra rate (Hz)"] == ["13.60", "13.60"]
    # bgmodel scales the sample with the relays (75 at 25 %), their code keeps 300
    sampled = rows["CSN ch1: relays in channel / sampled (distinct, inside)"]
    assert " / 75 (75, True)" in sampled[0] and " / 300 (300, True)" in sampled[1]
    assert rows["readout window"] == ["[t0, t0 + 1000 ms)", "[t0, t0 + 1000 ms]"]


def _authors_run(folder: Path, d1_ch1: float, episodes: int = 10) -> Path:
    """A run in the authors' text format whose D1 MSNs of channel 1 fire d1_ch1."""
    folder.mkdir(parents=True)
    rows = "\n".join(" ".join(["0.001", str(d1_ch1), "0.05", "0.0", "0.0"])
                     for _ in range(episodes))
    for stem in ("GPi", "MSN_d1", "MSN_d2"):
        (folder / f"{stem}_fr.txt").write_text(rows + "\n")
    (folder / "current_task.txt").write_text("1\n" * episodes)
    return folder


def test_channel_rates_places_runs_against_the_published_range(tmp_path):
    script = ROOT / "scripts" / "validation" / "channel_rates.py"
    ref = tmp_path / "condition"
    for i, v in enumerate((0.14, 0.16, 0.18)):
        _authors_run(ref / f"log{i}", v)
    _authors_run(ref / "log3x", 0.5)  # excluded by the authors: not in the range
    ours = _authors_run(tmp_path / "ours", 0.24)
    out = subprocess.run([sys.executable, str(script), str(ours), "--reference", str(ref),
                          "--channels", "1", "--populations", "MSN_D1", "--labels", "mine"],
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    row = [line for line in out.stdout.splitlines() if line.startswith("| MSN_D1")][0]
    assert "0.1600 (0.1400-0.1800)" in row and "0.2400, 1.50x, above" in row
    assert "mine: rate" in out.stdout and "published: 3 runs" in out.stdout
